"""Judges decide the points, outside the student's kernel, on inputs students never see.

- `judges`: the judge engine: an exercise (declared once, in `labutils.checks.labNN`) plus its
  hidden cases, examined by `labutils.examine` against the reference and the mistake catalogue;
  the secret seed of each student's cases.
- `hidden_cases/labNN.py`: each lab's hidden case generators (and the rare diagnosis only the
  grader can make); `hidden_cases/sampling.py`: case samplers the labs share.
- `mistakes/labNN.py`: the mistake catalogue, named realistic wrong answers with the message a
  student should see (used by checks, judges, tests of the tests and the demo).
- `reference`: the reference answers, the solution notebook's code, run in the grader.
- `held_out`: lab 08's sentences held out of everything a kernel can read (`data/`).

May import: `autograder.course`, labutils.
"""
