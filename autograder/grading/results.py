"""Typed grading results, and their one JSON form: `results/<student>/<lab>.json`.

- `Execution`: how the notebook's run went (`autograder.grading.execution.JudgedExecute` records it):
  each end of a kernel it recovered from (`KernelDeath`), the one it did not, the cells
  interrupted at the time limit, output past the limit.
- `CellResult`: one graded cell: its check in the notebook, its judge's `Verdict`, its points.
- `SubmissionResult`: one student's lab: a `Status` and its `detail`, the points, the
  execution, the cells, what intake noted and flagged, and what the grade was computed
  from (`digest`, `fingerprint`, see `autograder.grading.regrade`).

The sentence shown to people ("crashed in cell 7 (...); graded without it") is made from
(status, detail) by `status_sentence`, here only. The feedback page, the report, the
scoreboard, the self-grading report and resume read results through these types.

    write_result(result_path(out_dir, "ada", lab_id), result)
    read_result(path)  # a SubmissionResult; ResultsFormError for a file in an older form
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path

from autograder.judging.judges import Verdict

FORM = 2  # the JSON form's version; a results file of another form is regraded


class Status(StrEnum):
    """How a submission's grading ended (its `detail` says where and why)."""
    GRADED = "graded"            # every cell ran and every judge gave a verdict
    TIMED_OUT = "timed out"      # cells interrupted at the per-cell limit; the rest graded
    INTERRUPTED = "interrupted"  # a cell interrupted for flooding the output; the rest graded
    CRASHED = "crashed"          # a kernel died (a segfault, os._exit, the memory limit)
    KILLED = "killed"            # the grader killed a kernel (an ignored interrupt, the wall clock)
    ERROR = "error"              # could not be graded at all: 0 points
    PENDING = "pending"          # not graded yet


SENTENCES = {
    Status.GRADED: "graded",
    Status.PENDING: "not graded yet",
    Status.TIMED_OUT: "timed out ({detail})",
    Status.INTERRUPTED: "interrupted ({detail})",
    Status.CRASHED: "crashed {detail}",  # detail: "in cell 7 (a segmentation fault (SIGSEGV)); ..."
    Status.KILLED: "killed {detail}",
    Status.ERROR: "error: {detail}",
}


def status_sentence(status: Status, detail: str) -> str:
    """The status in words, for people: 'timed out (cell 3 interrupted at the time limit; the rest graded)'."""
    return SENTENCES[status].format(detail=detail)


class ResultsFormError(ValueError):
    """A results file in another form than `FORM` (an older grader's)."""


@dataclass
class KernelDeath:
    """One end of a kernel: where (`cell` index, or the `judge` of a graded cell), how and why."""
    kind: str  # "crashed" (it died: a segfault, os._exit, the memory limit) or "killed" (by the grader)
    reason: str  # "a segmentation fault (SIGSEGV)", "ran past the 30 s limit and ignored the interrupt"
    cell: int | None = None
    judge: str | None = None  # the graded cell's grade_id
    task: str | None = None  # the judge's exercise
    restarted: bool = False  # a fresh kernel took over
    log: str = ""  # the last lines the kernel wrote outside the notebook (a fatal error's)

    @property
    def place(self) -> str:
        if self.cell is not None:
            return f"cell {self.cell}"
        return f"{self.task}'s hidden test" if self.judge is not None else "the hidden tests"

    def where(self) -> str:
        """'in cell 17 (a segmentation fault (SIGSEGV))'"""
        return f"in {self.place} ({self.reason})"

    def recovered(self) -> str:
        """What became of the submission after this end, when grading went on."""
        if not self.restarted:
            return self.where()  # the last judge: nothing was left to run
        return f"{self.where()}; {'graded without it' if self.judge is None else 'the kernel was restarted'}"

    def for_the_judge(self) -> str:
        """Why a judge got no result: 'the kernel was killed (it ran past ...)'."""
        return f"the kernel {'crashed' if self.kind == 'crashed' else 'was killed'} ({self.reason})"


@dataclass
class Execution:
    """How one notebook's run went, restarts and judges included."""
    seconds: float = 0.0
    kernel_deaths: list[KernelDeath] = field(default_factory=list)  # the ends it recovered from
    fatal: KernelDeath | None = None  # the end it did not recover from: what was left scored 0
    not_restarted: str = ""  # why no fresh kernel took over after `fatal`
    timed_out_cells: list[int] = field(default_factory=list)
    flooded: str | None = None  # "cell 2 printed more than 40 MB and was interrupted"
    output_dropped: bool = False
    kernel_start: str = ""  # "forked from the worker's fork server", or "cold: <why not forked>"

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> Execution:
        fatal = data["fatal"]
        return cls(seconds=data["seconds"], kernel_deaths=[KernelDeath(**death) for death in data["kernel_deaths"]],
                   fatal=None if fatal is None else KernelDeath(**fatal), not_restarted=data["not_restarted"],
                   timed_out_cells=list(data["timed_out_cells"]), flooded=data["flooded"],
                   output_dropped=data["output_dropped"], kernel_start=data.get("kernel_start", ""))


def status_of(execution: Execution) -> tuple[Status, str]:
    """The submission's status and detail: how the kernel ended for good, else the first of
    the ends it recovered from, the cells timed out, the output flood; graded when nothing happened."""
    events = [(Status(death.kind), death.recovered()) for death in execution.kernel_deaths]
    if execution.fatal is not None:
        detail = (f"{execution.fatal.where()}; not restarted ({execution.not_restarted}), "
                  "so what was left scored 0")
        if events:
            detail += f" (before that: {'; then '.join(status_sentence(*event) for event in events)})"
        return Status(execution.fatal.kind), detail
    if execution.timed_out_cells:
        cells = ", ".join(str(index) for index in execution.timed_out_cells)
        events.append((Status.TIMED_OUT, f"cell {cells} interrupted at the time limit; the rest graded"))
    elif execution.flooded:
        events.append((Status.INTERRUPTED, f"{execution.flooded}; the rest graded"))
    if not events:
        return Status.GRADED, ""
    (status, detail), *later = events
    return status, "; then ".join([detail, *(status_sentence(*event) for event in later)])


@dataclass
class CellResult:
    """One graded cell: its check in the student's notebook, its judge, its points."""
    check_passed: bool
    check_message: str | None  # the check's error ("AssertionError: Lab 01, task 2: ..."), None when it passed
    judge: Verdict
    points: float = 0.0
    max_points: float = 0.0
    check_run: bool = True  # False: its cell is tagged skip-when-grading; the hidden tests alone decide

    @property
    def grade_id(self) -> str:
        return self.judge.grade_id

    @property
    def task(self) -> str:
        return self.judge.task

    @property
    def full_marks(self) -> bool:
        return self.points == self.max_points

    @property
    def points_said(self) -> str:
        """"1.5 / 2", and with partial credit "(7 of 10 hidden tests)" where some failed."""
        partial = self.judge.partial if not self.judge.passed else None
        return f"{self.points:g} / {self.max_points:g}" + (f" ({partial})" if partial else "")

    def to_json(self) -> dict:
        return {"check_passed": self.check_passed, "check_message": self.check_message,
                "judge": asdict(self.judge), "points": self.points, "max_points": self.max_points,
                "check_run": self.check_run}

    @classmethod
    def from_json(cls, data: dict) -> CellResult:
        return cls(check_passed=data["check_passed"], check_message=data["check_message"],
                   judge=Verdict(**data["judge"]), points=data["points"], max_points=data["max_points"],
                   check_run=data.get("check_run", True))


@dataclass
class SubmissionResult:
    """One student's lab, as graded (or why it could not be)."""
    student_id: str
    lab_id: str
    status: Status = Status.PENDING
    detail: str = ""
    points: float = 0.0
    max_points: float = 0.0
    seconds: float = 0.0
    execution: Execution | None = None  # None: no notebook ran (an unreadable file, a grader failure)
    cells: dict[str, CellResult] = field(default_factory=dict)  # by grade_id
    notes: list[str] = field(default_factory=list)  # what intake changed before grading
    flags: list[str] = field(default_factory=list)  # code that tampers with the checks or the kernel
    digest: str = ""  # what was handed in (`autograder.grading.regrade.submission_key`)
    fingerprint: dict[str, str] = field(default_factory=dict)  # `autograder.grading.regrade.Fingerprint`'s parts
    seconds_late: float = 0.0  # after the lab's due date (`autograder.grading.late`), by its timestamp.txt
    late_penalty: float = 0.0  # points taken for it: the score is max(0, points - late_penalty)
    manual_points: float = 0.0  # of written answers, graded by hand in formgrader: not in `points`
    extended_due: str = ""  # the student's due date after an extension ("2026-09-24 23:59 UTC"); "" without one

    @property
    def points_text(self) -> str:
        """"12 / 12 points", or, where written answers wait for a person, what is still to come:
        "12 / 12 auto-graded points; 2 more points to be graded by hand (14 in all)"."""
        if not self.manual_points:
            return f"{self.points:g} / {self.max_points:g} points"
        return (f"{self.points:g} / {self.max_points:g} auto-graded points; {self.manual_points:g} more "
                f"point{'s' if self.manual_points != 1 else ''} to be graded by hand "
                f"({self.max_points + self.manual_points:g} in all)")

    @property
    def score(self) -> float:
        """The points after the late penalty: what the gradebook and the exports hold."""
        return max(0.0, self.points - self.late_penalty)

    @property
    def sentence(self) -> str:
        """The status in words (`status_sentence`)."""
        return status_sentence(self.status, self.detail)

    def fail(self, detail: str) -> None:
        """Could not be graded: an error, 0 points, no cells."""
        self.status, self.detail = Status.ERROR, detail
        self.points, self.cells = 0.0, {}

    def mistakes(self) -> list[str]:
        """The catalogued mistakes the judges recognised, cell by cell."""
        return [cell.judge.mistake for cell in self.cells.values() if cell.judge.mistake]

    def to_json(self) -> dict:
        return {"form": FORM, "student": self.student_id, "lab": self.lab_id, "status": self.status.value,
                "detail": self.detail, "points": self.points, "max_points": self.max_points,
                "seconds": self.seconds, "execution": None if self.execution is None else self.execution.to_json(),
                "cells": {grade_id: cell.to_json() for grade_id, cell in self.cells.items()},
                "notes": self.notes, "flags": self.flags, "digest": self.digest, "fingerprint": self.fingerprint,
                "seconds_late": self.seconds_late, "late_penalty": self.late_penalty,
                "manual_points": self.manual_points, "extended_due": self.extended_due}

    @classmethod
    def from_json(cls, data: dict) -> SubmissionResult:
        """The result `to_json` wrote; ResultsFormError for anything else."""
        if not isinstance(data, dict) or data.get("form") != FORM:
            raise ResultsFormError(f"not a results file of form {FORM}")
        try:
            execution = data["execution"]
            return cls(student_id=data["student"], lab_id=data["lab"], status=Status(data["status"]),
                       detail=data["detail"], points=data["points"], max_points=data["max_points"],
                       seconds=data["seconds"], execution=None if execution is None else Execution.from_json(execution),
                       cells={grade_id: CellResult.from_json(cell) for grade_id, cell in data["cells"].items()},
                       notes=list(data["notes"]), flags=list(data["flags"]), digest=data["digest"],
                       fingerprint=dict(data["fingerprint"]), seconds_late=data.get("seconds_late", 0.0),
                       late_penalty=data.get("late_penalty", 0.0), manual_points=data.get("manual_points", 0.0),
                       extended_due=data.get("extended_due", ""))
        except (KeyError, TypeError, ValueError) as exc:  # a field missing, or of the wrong kind
            raise ResultsFormError(f"a results file of form {FORM} without a valid {exc}") from exc


def result_path(out_dir: Path, student_id: str, lab_id: str) -> Path:
    return out_dir / "results" / student_id / f"{lab_id}.json"


def write_result(path: Path, result: SubmissionResult) -> None:
    """Write the results file atomically (a finished submission is one whose file exists)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps(result.to_json(), indent=1), encoding="utf-8")
    partial.replace(path)


def read_result(path: Path) -> SubmissionResult:
    """A results file; OSError when there is none, ValueError (ResultsFormError among them)
    when it is not JSON or not in this form."""
    return SubmissionResult.from_json(json.loads(path.read_text(encoding="utf-8")))
