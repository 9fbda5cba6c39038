"""The course: its labs and its nbgrader configuration. The bottom of the grader but for the sandbox.

- `labs`: where the labs live (`solutions/`, `labs/`), found from their folders, and how to read
  their notebooks (solution cells, test cells, written answers, points).
- `config`: `nbgrader_config.py` as the grader reads it (the kernels' limits, the cell timeout).
- `student_version`: nbgrader's generate_assignment with the course's stub that names the task.
- `solution_runs`: a lab's solution run top to bottom, kept (by a digest of what it depends on) for
  `verify`'s claims and the walk-through site, which read the same run.

May import: `autograder.sandbox` (the `Limits` the configuration sets), labutils, nbgrader.
"""
