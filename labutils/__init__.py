"""What a student's notebook imports: checks with instant feedback, and plain helpers.

Nothing here is a solution: checks compare a student's answers on public examples with
recorded outcomes (`labutils/checks/fixtures/`, written by `python -m autograder release`).
"""
