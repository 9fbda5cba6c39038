"""`python -m autograder grade`: a class graded end to end.

- `run`: intake, each lab into the gradebook, the regrade plan, workers in parallel, then the
  outputs as each submission comes back.

May import: `autograder.outputs`, `autograder.grading` and everything below them.
"""
