"""Late penalties: nbgrader's LateSubmissionPlugin, with each lab's due date and a policy.

In `nbgrader_config.py`:

    c.AssignLatePenalties.plugin_class = "autograder.grading.late.LatePenalty"
    c.LatePenalty.due_dates = {"01_matrix_shapes": "2026-09-21 23:59 UTC", ...}
    c.LatePenalty.penalty_method = "per_day"   # none, zero, per_hour or per_day
    c.LatePenalty.points_per_period = 1.0       # per hour or day begun
    c.LatePenalty.max_penalty = 5.0             # at most this many points (None: no cap)

The due dates go into the gradebook (`set_due_dates`, when grading prepares it). nbgrader's
own `AssignLatePenalties` preprocessor then computes, in the worker, from the submission's
`timestamp.txt`, how late it is and calls `late_submission_penalty`. It resets the penalty
before computing it from the raw score, and the gradebook keeps raw score and penalty
apart, so a regrade never applies a penalty twice (nbgrader #723). The score is
max(0, raw - penalty); feedback, report and every export show the penalty.
"""
from __future__ import annotations

import hashlib
import json
import math
from datetime import datetime

from nbgrader.api import Gradebook
from nbgrader.plugins import LateSubmissionPlugin
from nbgrader.utils import parse_utc
from traitlets import Dict, Enum, Float
from traitlets.config import Config

HOUR, DAY = 3600, 86400


class LatePenalty(LateSubmissionPlugin):
    """none: no penalty; zero: the whole score; per_hour / per_day: `points_per_period` for
    each hour or day begun after the due date, capped at `max_penalty` and at the score."""

    penalty_method = Enum(("none", "zero", "per_hour", "per_day"), default_value="none",
                          help="how lateness costs points").tag(config=True)
    points_per_period = Float(1.0, help="points taken per hour or day begun").tag(config=True)
    max_penalty = Float(None, allow_none=True, help="the most points a late submission loses").tag(config=True)
    due_dates = Dict(help='{lab_id: "2026-09-21 23:59 UTC"}: labs not named have no due date').tag(config=True)

    def late_submission_penalty(self, student_id: str, score: float, total_seconds_late: float) -> float | None:
        if total_seconds_late <= 0 or self.penalty_method == "none":
            return None
        if self.penalty_method == "zero":
            return score
        periods = math.ceil(total_seconds_late / (HOUR if self.penalty_method == "per_hour" else DAY))
        penalty = periods * self.points_per_period
        return penalty if self.max_penalty is None else min(penalty, self.max_penalty)

    def describe(self) -> str:
        """The policy in words, for feedback and the report."""
        if self.penalty_method == "none":
            return "no penalty for lateness"
        if self.penalty_method == "zero":
            return "a late submission scores 0"
        period = "hour" if self.penalty_method == "per_hour" else "day"
        cap = "" if self.max_penalty is None else f", at most {self.max_penalty:g}"
        return f"{self.points_per_period:g} point(s) per {period} begun after the due date{cap}"


def late_policy(config: Config) -> LatePenalty:
    """The course's policy as `nbgrader_config.py` sets it."""
    return LatePenalty(config=config)


def due_date(config: Config, lab_id: str) -> datetime | None:
    """The lab's due date, naive UTC as nbgrader stores it; None where none is set."""
    text = late_policy(config).due_dates.get(lab_id)
    return parse_utc(text) if text else None


def set_due_dates(db_url: str, lab_ids: list[str], config: Config) -> None:
    """Each lab's due date (or none) into the gradebook, where nbgrader reads it."""
    with Gradebook(db_url) as gb:
        for lab_id in lab_ids:
            gb.update_or_create_assignment(lab_id, duedate=due_date(config, lab_id))


def late_record(db_url: str, student_id: str, lab_id: str) -> tuple[float, float]:
    """(seconds late, penalty) of a submission as the gradebook holds it."""
    with Gradebook(db_url) as gb:
        submission = gb.find_submission(lab_id, student_id)
        return float(submission.total_seconds_late or 0.0), float(submission.late_submission_penalty or 0.0)


def policy_key(config: Config, lab_id: str) -> str:
    """What decides a lab's late penalties (its due date and the policy): a fingerprint part."""
    policy = late_policy(config)
    parts = {"due": str(due_date(config, lab_id)), "method": policy.penalty_method,
             "points": policy.points_per_period, "cap": policy.max_penalty}
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def lateness(seconds: float) -> str:
    """'2 days 3 hours', '45 minutes'."""
    days, rest = divmod(int(seconds), DAY)
    hours, rest = divmod(rest, HOUR)
    minutes = max(1, rest // 60) if not days and not hours else rest // 60
    parts = [(days, "day"), (hours, "hour")] if days else [(hours, "hour"), (minutes, "minute")]
    return " ".join(f"{n} {unit}{'s' if n != 1 else ''}" for n, unit in parts if n) or "0 minutes"
