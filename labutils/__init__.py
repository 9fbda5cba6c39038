"""What a student's notebook imports: checks with instant feedback, and plain helpers.

Nothing here is a solution: checks compare a student's answers on public examples with
recorded outcomes (`labutils/checks/fixtures/`, written by `python -m autograder release`).
"""

from labutils import threads as _threads

_threads.apply_in_kernel()  # a student's kernel: math threads as many as its CPUs (labutils/threads.py)
