"""For students and self-study learners.

- `selfgrade`: one notebook graded exactly as a class is; `student_kit`: the folder an
  instructor hands to students; `walkthrough_site`: the static site of worked solutions.

May import: `autograder.pipeline` and everything below it.
"""
