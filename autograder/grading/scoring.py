"""How a judged exercise's points are counted: all or nothing, or a share of its hidden cases.

    c.Scoring.partial_credit = True   # nbgrader_config.py; off by default
    c.Scoring.step = 0.5              # partial points are rounded down to a multiple of this

All or nothing (the default): an exercise earns its points when its check passed in the notebook
and its judge passed every hidden case. With partial credit, an exercise that fails some hidden
cases earns the share it passed of the cases that count, rounded down to a multiple of `step`:
a case that a trivial answer passes (a constant, None, the input returned, zeros of its shape, a
NotImplementedError; `autograder.judging.judges.TRIVIAL_ANSWERS`) does not count, so a trivial
answer earns nothing. Full points still need every hidden case and the check; a check that
failed keeps an exercise one step below them.
"""
from __future__ import annotations

import math

from traitlets import Bool, Float
from traitlets.config import Configurable


class Scoring(Configurable):
    """The course's scoring rule (see the module docstring)."""

    partial_credit = Bool(False, help="Give an exercise the share of its hidden cases it passed (those a trivial "
                                      "answer passes do not count), rounded down to a multiple of Scoring.step; "
                                      "off: all or nothing.").tag(config=True)
    step = Float(0.5, help="Partial points are rounded down to a multiple of this many points.").tag(config=True)


def exercise_points(max_points: float, check_passed: bool, judge_passed: bool, cases_passed: int | None,
                    cases_counted: int | None, scoring: Scoring) -> float:
    """The points of one judged exercise under `scoring`."""
    if check_passed and judge_passed:
        return max_points
    if not scoring.partial_credit or not cases_counted or cases_passed is None:
        return 0.0
    share = max_points * cases_passed / cases_counted
    below_full = max_points - scoring.step if scoring.step > 0 else max_points
    points = math.floor(share / scoring.step + 1e-9) * scoring.step if scoring.step > 0 else share
    return max(0.0, min(points, below_full))
