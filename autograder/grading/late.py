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

Extensions are nbgrader's: `SubmittedAssignment.extension`, set by `Gradebook.grant_extension`
(`grant_extensions`, what `python -m autograder extend` runs). nbgrader's `duedate` of a
submission is the lab's due date plus the extension, and `total_seconds_late`, from which
`AssignLatePenalties` computes the penalty, counts from it. The class gradebook holds them;
grading reads them (`granted_extensions`) into each submission's fingerprint and into the
template gradebook the workers copy (`store_extensions`), so the worker's penalty counts from
the extended due date. A student with an extension and no hand-in yet gets an empty
submission in the gradebook to hold it (nbgrader keeps extensions nowhere else); it was never
graded (`autograder.grading.gradebook.never_graded`), and the exports leave it out.
"""
from __future__ import annotations

import csv
import hashlib
import json
import math
import tempfile
import warnings
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from nbgrader.api import Assignment, Gradebook, MissingEntry, SubmittedAssignment
from nbgrader.plugins import LateSubmissionPlugin
from nbgrader.utils import parse_utc
from sqlalchemy.exc import SAWarning
from traitlets import Dict, Enum, Float
from traitlets.config import Config

from autograder.course.student_version import generate_student_version

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
    """(seconds late, penalty) of a submission as the gradebook holds it (late after the
    extended due date, where the student has an extension)."""
    with Gradebook(db_url) as gb:
        submission = gb.find_submission(lab_id, student_id)
        return float(submission.total_seconds_late or 0.0), float(submission.late_submission_penalty or 0.0)


def extended_due(db_url: str, student_id: str, lab_id: str) -> str:
    """The submission's due date after its extension ('2026-09-24 23:59 UTC'); '' without one."""
    with Gradebook(db_url) as gb:
        submission = gb.find_submission(lab_id, student_id)
        if not submission.extension or submission.assignment.duedate is None:
            return ""
        return utc_text(submission.duedate)


def policy_key(config: Config, lab_id: str) -> str:
    """What decides a lab's late penalties (its due date, the policy and its plugin): a fingerprint part."""
    policy = late_policy(config)
    plugin = config.AssignLatePenalties.get("plugin_class", "") if "AssignLatePenalties" in config else ""
    parts = {"due": str(due_date(config, lab_id)), "method": policy.penalty_method,
             "points": policy.points_per_period, "cap": policy.max_penalty, "plugin": str(plugin)}
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def extension_key(extension: timedelta | None) -> str:
    """A student's extension for a lab, as a fingerprint part (None: none)."""
    text = "none" if not extension else f"{extension.total_seconds():.0f} s"
    return hashlib.sha256(text.encode()).hexdigest()


def utc_text(moment: datetime) -> str:
    """'2026-09-24 23:59 UTC' (seconds when there are any), as `due_dates` writes a due date."""
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC" if moment.second else "%Y-%m-%d %H:%M UTC")


def span(extension: timedelta) -> str:
    """'3 days', '36 hours', '2 days 4 hours 30 minutes'."""
    seconds = int(extension.total_seconds())
    days, rest = divmod(seconds, DAY)
    hours, rest = divmod(rest, HOUR)
    parts = [(days, "day"), (hours, "hour"), (rest // 60, "minute")]
    return " ".join(f"{n} {unit}{'s' if n != 1 else ''}" for n, unit in parts if n) or "0 minutes"


# Extensions -------------------------------------------------------------------------------

class ExtensionError(ValueError):
    """An extension that cannot be granted (an unknown lab, no due date, a bad date or number)."""


@dataclass(frozen=True)
class Grant:
    """One extension asked for: by `days` or `hours` (0: none), or `until` a date (naive UTC)."""
    student_id: str
    lab_id: str
    days: float | None = None
    hours: float | None = None
    until: datetime | None = None

    def extension(self, due: datetime | None) -> timedelta | None:
        """The extension beyond `due` (the lab's due date); None removes an extension."""
        if due is None:
            raise ExtensionError(f"{self.lab_id} has no due date (c.LatePenalty.due_dates in nbgrader_config.py): "
                                 "there is nothing to extend")
        if self.until is not None:
            if self.until <= due:
                raise ExtensionError(f"{self.student_id} {self.lab_id}: {utc_text(self.until)} is not after the "
                                     f"due date, {utc_text(due)}")
            return self.until - due
        amount = timedelta(days=self.days or 0, hours=self.hours or 0)
        if amount < timedelta(0):
            raise ExtensionError(f"{self.student_id} {self.lab_id}: an extension cannot be negative")
        return amount or None


def parse_until(text: str) -> datetime:
    """A date as `due_dates` and timestamp.txt write one ("2026-09-24 23:59 UTC", ISO 8601 with
    an offset, a zone name), naive UTC; a date without a zone is UTC."""
    try:
        return parse_utc(text.strip())
    except (ValueError, OverflowError) as error:
        raise ExtensionError(f"cannot read the date {text!r} ({error})") from None


@dataclass(frozen=True)
class Granted:
    """An extension as the gradebook now holds it."""
    student_id: str
    lab_id: str
    extension: timedelta | None
    due: datetime  # the lab's
    created: bool  # the student had no submission: an empty one holds the extension

    def line(self) -> str:
        """'ada 01_matrix_shapes: 3 days, due 2026-09-24 23:59 UTC instead of 2026-09-21 23:59 UTC'."""
        if self.extension is None:
            return f"{self.student_id} {self.lab_id}: no extension, due {utc_text(self.due)}"
        held = " (no hand-in yet: an empty submission holds it)" if self.created else ""
        return (f"{self.student_id} {self.lab_id}: {span(self.extension)}, due {utc_text(self.due + self.extension)} "
                f"instead of {utc_text(self.due)}{held}")


def grant_extensions(db_url: str, grants: list[Grant], config: Config, release_dir: Path | None = None
                     ) -> list[Granted]:
    """Each extension into the gradebook, through nbgrader's `Gradebook.grant_extension` (which
    replaces an earlier one; none removes it). All are checked before any is written. A lab
    the gradebook does not have yet is released into it first (into `release_dir`, as grading
    does); a student without a submission gets an empty one, which holds the extension until
    the hand-in is graded. The next `grade` regrades exactly these submissions."""
    extensions = [grant.extension(due_date(config, grant.lab_id)) for grant in grants]
    labs = sorted({grant.lab_id for grant in grants})
    with tempfile.TemporaryDirectory() as scratch:
        for lab_id in labs:
            if not released(db_url, lab_id):
                generate_student_version(lab_id, release_dir or Path(scratch), db_url)
    set_due_dates(db_url, labs, config)
    granted = []
    with Gradebook(db_url) as gb, warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=SAWarning, module=r"nbgrader\.")  # add_submission's own
        for grant, extension in zip(grants, extensions):
            gb.update_or_create_student(grant.student_id)
            try:
                gb.find_submission(grant.lab_id, grant.student_id)
                created = False
            except MissingEntry:
                if extension is None:  # no extension to remove, none to hold
                    granted.append(Granted(grant.student_id, grant.lab_id, None, due_date(config, grant.lab_id),
                                           False))
                    continue
                gb.add_submission(grant.lab_id, grant.student_id)
                created = True
            minutes = extension.total_seconds() / 60 if extension else 0
            gb.grant_extension(grant.lab_id, grant.student_id, minutes=minutes)
            granted.append(Granted(grant.student_id, grant.lab_id, extension, due_date(config, grant.lab_id),
                                   created))
    return granted


def released(db_url: str, lab_id: str) -> bool:
    """Whether the gradebook has the lab with its notebook (grading or `extend` released it)."""
    with Gradebook(db_url) as gb:
        try:
            return bool(gb.find_assignment(lab_id).notebooks)
        except MissingEntry:
            return False


def gradebook_exists(db_url: str) -> bool:
    """False for a SQLite gradebook whose file is not there yet (opening it would make one)."""
    prefix = "sqlite:///"
    return not db_url.startswith(prefix) or Path(db_url[len(prefix):]).exists()


def granted_extensions(db_url: str, lab_ids: list[str] | None = None) -> dict[tuple[str, str], timedelta]:
    """{(student_id, lab_id): extension} of the gradebook (of these labs); {} without a gradebook."""
    if not gradebook_exists(db_url):
        return {}
    with Gradebook(db_url) as gb:
        rows = (gb.db.query(SubmittedAssignment.student_id, Assignment.name, SubmittedAssignment.extension)
                .join(Assignment).filter(SubmittedAssignment.extension.isnot(None)).all())
    return {(student_id, lab_id): extension for student_id, lab_id, extension in rows
            if extension and (lab_ids is None or lab_id in lab_ids)}


def store_extensions(db_url: str, extensions: dict[tuple[str, str], timedelta]) -> None:
    """The class gradebook's extensions into another gradebook with the same labs (the template
    the workers copy, when the class gradebook is not a SQLite file it is copied from)."""
    with Gradebook(db_url) as gb:
        for (student_id, lab_id), extension in sorted(extensions.items()):
            gb.update_or_create_student(student_id)
            gb.update_or_create_submission(lab_id, student_id, extension=extension)


def lateness(seconds: float) -> str:
    """'2 days 3 hours', '45 minutes'."""
    days, rest = divmod(int(seconds), DAY)
    hours, rest = divmod(rest, HOUR)
    minutes = max(1, rest // 60) if not days and not hours else rest // 60
    parts = [(days, "day"), (hours, "hour")] if days else [(hours, "hour"), (minutes, "minute")]
    return " ".join(f"{n} {unit}{'s' if n != 1 else ''}" for n, unit in parts if n) or "0 minutes"


def timeliness(seconds_late: float, extended_due: str) -> str:
    """When a submission came, for the report: 'on time', '2 days after the due date',
    'extension to 2026-09-24 23:59 UTC; on time', 'extension to ...; 3 hours after the extended due date'."""
    if not extended_due:
        return f"{lateness(seconds_late)} after the due date" if seconds_late else "on time"
    return f"extension to {extended_due}; " + (f"{lateness(seconds_late)} after the extended due date"
                                                if seconds_late else "on time")


GRANT_COLUMNS = ("days", "hours", "until")


def read_grants(path: Path) -> list[Grant]:
    """The extensions of a CSV file: columns student_id, lab_id and one of days, hours, until;
    each row fills one of those three. Every row is read before any is granted, and a file with
    a bad row is refused whole, naming its lines."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            header = [name.strip() for name in reader.fieldnames or []]
            rows = [{(k or "").strip(): (v or "").strip() for k, v in row.items()} for row in reader]
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise ExtensionError(f"{path}: cannot read it ({error})") from None
    if not {"student_id", "lab_id"} <= set(header) or not set(GRANT_COLUMNS) & set(header):
        raise ExtensionError(f"{path}: needs the columns student_id, lab_id and one of days, hours, until "
                             f"(it has {', '.join(header) or 'none'})")
    grants, problems = [], []
    for line, row in enumerate(rows, start=2):
        given = {column: row[column] for column in GRANT_COLUMNS if row.get(column)}
        if not row.get("student_id") or not row.get("lab_id"):
            problems.append(f"line {line}: no student_id or lab_id")
        elif len(given) != 1:
            problems.append(f"line {line}: fill one of days, hours, until (not {len(given)})")
        else:
            (column, value), = given.items()
            try:
                amount = None if column == "until" else float(value)
                until = parse_until(value) if column == "until" else None
            except (ValueError, ExtensionError) as error:
                problems.append(f"line {line}: {column} {value!r}: {error}")
                continue
            grants.append(Grant(row["student_id"], row["lab_id"], amount if column == "days" else None,
                                amount if column == "hours" else None, until))
    if problems:
        raise ExtensionError(f"{path}: nothing granted; " + "; ".join(problems))
    return grants
