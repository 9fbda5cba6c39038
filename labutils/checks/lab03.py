"""Checks for lab 03, softmax: `check_softmax`, `check_logsumexp`, `check_log_softmax`, `check_predict`."""
from __future__ import annotations

import numpy as np

from labutils.call_outcomes import Case
from labutils.checks.engine import checks
from labutils.examine import Exercise

LAB = "03_softmax"

NOTES_SCORES = np.array([1.3800, -1.3505, 0.3455, 0.5046, 1.8213])  # the notes' example
SQUARE = np.array([[2.0, 1.0, 0.1], [0.5, 2.5, 0.0], [-1.0, 0.0, 1.0]])
BATCH = np.array([[2.0, 1.0, 0.1, -1.0], [0.5, 2.5, 0.0, 0.3]])
SCALES = np.array([[1000.0, 1001.0, 1002.0], [0.0, 1.0, 2.0]])  # rows of very different scale


def _score_cases() -> list[Case]:
    return [
        Case("the notes' five scores", (NOTES_SCORES,), quiet=True),
        Case("the notes' scores + 1000", (NOTES_SCORES + 1000.0,), quiet=True),
        Case("a batch of 2 examples x 4 classes", (BATCH,), quiet=True),
        Case("a (3, 3) batch", (SQUARE,), quiet=True),
        Case("rows of very different scale", (SCALES,), quiet=True),
        Case("a (2, 4) batch with axis=0", (BATCH,), {"axis": 0}, quiet=True),
        Case("z = [0, 1000]", (np.array([0.0, 1000.0]),), quiet=True),
        Case("z = [-2000, 0]", (np.array([-2000.0, 0.0]),), quiet=True),
    ]


PREDICT_CASES = [
    Case("a batch of 2 examples x 4 classes", (BATCH,)),
    Case("a (3, 3) batch", (SQUARE,)),
    Case("5 examples x 3 classes", (np.array([[0.1, 0.9, 0.3], [2.0, -1.0, 0.5], [0.0, 0.0, 3.0],
                                              [-2.0, -1.0, -3.0], [1.0, 4.0, 2.0]]),)),
    Case("tied top scores: the first one wins, as np.argmax and torch's argmax",
         (np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0], [0.0, 1.0, 1.0], [5.0, 1.0, 5.0]]),)),
]


EXERCISES = (
    Exercise("softmax", "softmax(z, axis=-1): stable, sums to 1 along `axis`.", _score_cases()),
    Exercise("logsumexp", "logsumexp(z, axis=-1): stable, drops `axis`.", _score_cases()),
    Exercise("log_softmax", "log_softmax(z, axis=-1) = z - logsumexp(z): finite for z = [0, 1000].",
             _score_cases()),
    Exercise("predict", "predict(scores): the class index (int) of each row.", PREDICT_CASES),
)
check_softmax, check_logsumexp, check_log_softmax, check_predict = checks(LAB, EXERCISES)
