"""From what students handed in to notebooks nbgrader can grade.

- `archives`: LMS zip downloads unpacked into nbgrader's submitted layout.
- `submissions`: each notebook read (or why it cannot be), its cells restored from the
  released notebook, staged for nbgrader: `take_in` runs the stages.
- `tampering`: flags for code that patches the checks or the kernel's error reporting.

May import: `autograder.course`, nbgrader, nbformat.
"""
