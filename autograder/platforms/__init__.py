"""Where courses run: the grader's results delivered to the platforms students use.

Modules: `nbgrader_exchange` (a JupyterHub course with nbgrader's exchange: collected
submissions graded, feedback released for the students' "Fetch Feedback"), `gradescope` (the
zip a Gradescope "Autograder" assignment takes, and its `run_autograder`).

May import: `pipeline` and everything below it.
"""
