"""One submission, graded by nbgrader's autograde in a worker process (local or Dask).

nbgrader does what it is built for: it restores test cells from the source
(OverwriteCells), runs the notebook, keeps the gradebook; its formgrader, manual grading,
generate_feedback and export keep working. Two of its preprocessors are replaced:
`autograder.execution.JudgedExecute` (for Execute: sandbox, limits, judges) and
`SaveJudgedGrades` (for SaveAutoGrades: a cell earns its points when its check passed in
the notebook, stderr costing nothing, and its judge passed).

A worker grades against a private SQLite copy of the gradebook and hands back plain
data (`Graded`); the grading process alone writes the class's gradebook.
"""
from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import threading
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader.converters import Autograde
from nbgrader.converters.base import NbGraderException
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import Execute, SaveAutoGrades
from sqlalchemy.exc import SAWarning
from traitlets import Unicode

from autograder import sandbox
from autograder.execution import JudgedExecute
from autograder.gradebook import read_grades
from autograder.labs import ROOT, nbgrader_meta
from autograder.release import course_config, quiet_nbgrader
from autograder.sandbox import Limits


@dataclass
class Submission:
    """One student's lab, as graded: `status` is "graded", "timed out (...)", "interrupted (...)"
    (the rest graded), "crashed in cell N (...); graded without it" or "killed in ..." (the
    kernel ended and a fresh one graded the rest: only the exercise whose code ended it lost
    its points), "killed: ..." (the wall clock) or "crashed/killed ...; not restarted ..."
    (what was left scored 0), or "error: ..." (could not be graded: 0 points)."""
    student_id: str
    lab_id: str
    status: str = "pending"
    points: float = 0.0
    max_points: float = 0.0
    seconds: float = 0.0
    cells: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)
    flags: list = field(default_factory=list)

    @property
    def kind(self) -> str:
        """graded, timed out, interrupted, killed, crashed, error."""
        return next(k for k in ("timed out", "interrupted", "killed", "crashed", "error", "graded", "pending")
                    if self.status.startswith(k))


@dataclass
class Job:
    """Everything a worker needs, as plain data (it may travel to a Dask worker)."""
    student_id: str
    lab_id: str
    staged_dir: str
    out_dir: str
    template_db: str
    timeout: int | None
    limits: Limits
    threads: int
    secret: str


@dataclass
class Graded:
    submission: Submission
    grades: dict | None  # `autograder.gradebook.read_grades` of the private gradebook
    result: dict  # the results file's content


class SaveJudgedGrades(SaveAutoGrades):
    """Points = the cell's points if its check passed and its judge passed, else 0."""

    result_file = Unicode(help="Where to write the submission's result as JSON.").tag(config=True)

    def preprocess(self, nb, resources):
        nb, resources = super().preprocess(nb, resources)
        if self.result_file:
            info = resources["nbgrader"]
            cells = info.get("judged", {})
            Path(self.result_file).write_text(json.dumps({
                "points": sum(c.get("points", 0.0) for c in cells.values()),
                "max_points": sum(c.get("max_points", 0.0) for c in cells.values()),
                "execution": info.get("execution", {}), "cells": cells,
            }), encoding="utf-8")
        return nb, resources

    def _add_score(self, cell, resources) -> None:
        grade_id = nbgrader_meta(cell)["grade_id"]
        grade = self.gradebook.find_grade(grade_id, self.notebook_id, self.assignment_id, self.student_id)
        judged = resources["nbgrader"].get("judged", {}).get(grade_id)
        if judged is None:  # a manually graded cell: nbgrader's rule
            return super()._add_score(cell, resources)
        passed = judged["check_passed"] and judged["judge"]["passed"]
        grade.auto_score = float(grade.max_score) if passed else 0.0
        grade.needs_manual_grade = grade.manual_score is not None
        judged["points"] = grade.auto_score
        judged["max_points"] = float(grade.max_score)
        self.gradebook.db.commit()


def autograde_config(submitted_dir: Path, out_dir: Path, timeout: int | None, db_url: str | None = None,
                     workspace: Path | None = None, limits: Limits = Limits(), threads: int = 1,
                     result_file: Path | None = None, secret: str = ""):
    """nbgrader's configuration for grading `submitted_dir` into `out_dir` (autograded/).

    db_url: the gradebook (default OUT_DIR/gradebook.db); workspace: the kernel's folder
    (`autograder.sandbox.configure`; a short path, sockets live there), needed to run notebooks.
    """
    config = course_config()
    config.CourseDirectory.root = str(out_dir / "course")
    config.CourseDirectory.source_directory = str(ROOT / "solutions")
    config.CourseDirectory.submitted_directory = str(submitted_dir)
    config.CourseDirectory.autograded_directory = str(out_dir / "autograded")
    config.CourseDirectory.db_url = db_url or f"sqlite:///{out_dir / 'gradebook.db'}"
    config.Autograde.autograde_preprocessors = [
        JudgedExecute if pp is Execute else SaveJudgedGrades if pp is SaveAutoGrades else pp
        for pp in Autograde().autograde_preprocessors
    ]
    config.SaveJudgedGrades.result_file = str(result_file or "")
    config.JudgedExecute.secret = secret
    config.JudgedExecute.wall_seconds = limits.wall_seconds
    config.JudgedExecute.output_mb = limits.output_mb
    if timeout:
        config.Execute.timeout = timeout
    if workspace is not None:  # only for running notebooks (feedback or export need none)
        sandbox.configure(config, workspace, limits, threads)
    return config


_started = False


def start_worker(threads: int, parent_pid: int | None = None) -> None:
    """Once per worker process: nbgrader quiet; torch here and each kernel's math use
    `threads` threads, so that parallel kernels do not fight over the cores; and a watcher
    that, should the grading process die (kill -9), kills this worker's sandboxes and exits."""
    global _started
    if _started:
        return
    _started = True
    quiet_nbgrader()
    warnings.filterwarnings("ignore", category=SAWarning, module=r"nbgrader\.")
    for name in sandbox.THREAD_VARIABLES:
        os.environ[name] = str(threads)
    if parent_pid is not None:
        threading.Thread(target=watch_parent, args=(parent_pid,), daemon=True).start()


def watch_parent(parent_pid: int) -> None:
    while True:
        time.sleep(0.5)
        try:
            os.kill(parent_pid, 0)
        except ProcessLookupError:
            sandbox.kill_all_sandboxes()
            os._exit(1)


def grade_submission(job: Job, parent_pid: int | None = None) -> Graded:
    """Grade one staged submission with nbgrader against a private gradebook copy."""
    start_worker(job.threads, parent_pid)
    private = Path(tempfile.mkdtemp(prefix="nnlabs-"))
    try:
        private_db = private / "gradebook.db"
        shutil.copy(job.template_db, private_db)
        result_file = private / "result.json"
        config = autograde_config(Path(job.staged_dir), Path(job.out_dir), job.timeout,
                                  db_url=f"sqlite:///{private_db}", workspace=private / "k", limits=job.limits,
                                  threads=job.threads, result_file=result_file, secret=job.secret)
        submission = Submission(job.student_id, job.lab_id)
        started = time.monotonic()
        coursedir = CourseDirectory(config=config)
        coursedir.assignment_id, coursedir.student_id = job.lab_id, job.student_id
        app = Autograde(coursedir=coursedir, config=config)
        app.log.setLevel(logging.CRITICAL)
        app.force = True
        try:
            app.start()
        except NbGraderException as exc:
            submission.status = f"error: nbgrader could not grade it ({exc})"
        submission.seconds = round(time.monotonic() - started, 2)
        if not result_file.exists():
            if submission.status == "pending":
                submission.status = "error: no result was recorded"
            return Graded(submission, None, {})
        result = json.loads(result_file.read_text(encoding="utf-8"))
        submission.status = status_of(result["execution"])
        submission.points, submission.max_points = result["points"], result["max_points"]
        submission.cells = result["cells"]
        return Graded(submission, read_grades(f"sqlite:///{private_db}", job.student_id, job.lab_id), result)
    finally:
        shutil.rmtree(private, ignore_errors=True)


def status_of(execution: dict) -> str:
    """The submission's status, its kind first (`Submission.kind`): how the kernel ended for
    good, else the ends it recovered from ("crashed in cell 17 (...); graded without it"),
    then the cells interrupted; "graded" when nothing happened."""
    recovered = "; then ".join(death["status"] for death in execution.get("kernel_deaths", []))
    kernel = execution.get("kernel", "ok")
    if kernel != "ok":
        return kernel + (f" (before that: {recovered})" if recovered else "")  # "killed: ...", "crashed in cell N ..."
    parts = [recovered] if recovered else []
    if execution.get("timed_out_cells"):
        cells = ", ".join(str(i) for i in execution["timed_out_cells"])
        parts.append(f"timed out (cell {cells} interrupted at the time limit; the rest graded)")
    elif execution.get("flooded"):
        parts.append(f"interrupted ({execution['flooded']}; the rest graded)")
    return "; ".join(parts) or "graded"
