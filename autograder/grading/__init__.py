"""One submission graded: its notebook run in the sandbox, its judges, its points.

- `worker`: nbgrader's autograde of one submission, in a worker process (local or Dask),
  against a private copy of the gradebook.
- `execution`: `JudgedExecute`, nbgrader's Execute with the sandbox's limits, then the judges
  against the live kernel; `kernel_subject`: that kernel as a judge's `Subject`.
- `sanitize`: the students' HTML, SVG and script outputs made harmless in the graded notebooks.
- `results`: the typed results (`SubmissionResult`, `CellResult`, `Status`) and their JSON form.
- `gradebook`: the class's nbgrader gradebook, written by one process.
- `late`: late penalties, nbgrader's LateSubmissionPlugin with each lab's due date.
- `scoring`: an exercise's points: all or nothing, or (`Scoring.partial_credit`) its share of hidden cases.
- `regrade`: what a re-run grades again, and why (each lab's fingerprint).

May import: `autograder.judging`, `autograder.intake`, `autograder.course`, `autograder.sandbox`.
"""
