"""Hidden cases, one module per lab: `autograder/judging/hidden_cases/labNN.py`.

A lab's exercises are declared in its check module (`labutils.checks.labNN.EXERCISES`); its
hidden-case module adds what only the grader may know: the hidden case generator of each
exercise (`HIDDEN_CASES`, by task) and, rarely, a diagnosis that needs more than the public
check has (`DIAGNOSES`, by task). `autograder.judging.judges.judges_for` joins the two.
`sampling` holds the case samplers the labs share.
"""
