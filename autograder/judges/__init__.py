"""Judges, one per graded test cell, keyed by the cell's grade id: `judges_for(lab_id)`.

A lab's exercises are declared in its check module (`labutils.checks.labNN.EXERCISES`); its
judge module, `autograder/judges/labNN.py`, adds what only the grader may know: the hidden case
generator of each exercise (`HIDDEN_CASES`, by task) and, rarely, a diagnosis that needs more
than the public check has (`DIAGNOSES`, by task).
"""
from __future__ import annotations

import importlib

from autograder.judging import Judge
from autograder.labs import checks_module, lab_number


def judge_module(lab_id: str):
    return importlib.import_module(f"autograder.judges.lab{lab_number(lab_id)}")


def judges_for(lab_id: str) -> dict[str, Judge]:
    """{grade_id: Judge} of every exercise of the lab, in the order the lab declares them."""
    module = judge_module(lab_id)
    hidden, diagnoses = module.HIDDEN_CASES, getattr(module, "DIAGNOSES", {})
    exercises = checks_module(lab_id).EXERCISES
    missing = [exercise.task for exercise in exercises if exercise.task not in hidden]
    if missing:
        raise LookupError(f"{module.__name__}.HIDDEN_CASES has no hidden cases for {', '.join(missing)}")
    return {exercise.grade_id: Judge(exercise, hidden[exercise.task], diagnoses.get(exercise.task))
            for exercise in exercises}
