"""Judges, one per graded test cell, keyed by the cell's grade id: `judges_for(lab_id)`."""
from __future__ import annotations

import importlib

from autograder.judging import Judge
from autograder.labs import lab_number


def judges_for(lab_id: str) -> dict[str, Judge]:
    module = importlib.import_module(f"autograder.judges.lab{lab_number(lab_id)}")
    return dict(module.JUDGES)
