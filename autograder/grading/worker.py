"""One submission, graded by nbgrader's autograde in a worker process (local or Dask).

nbgrader does what it is built for: it restores test cells from the source
(OverwriteCells), runs the notebook, keeps the gradebook; its formgrader, manual grading,
generate_feedback and export keep working. Two of its preprocessors are replaced:
`autograder.grading.execution.JudgedExecute` (for Execute: sandbox, limits, judges) and
`SaveJudgedGrades` (for SaveAutoGrades: a cell earns its points when its check passed in
the notebook, stderr costing nothing, and its judge passed).

A worker grades against a private SQLite copy of the gradebook and hands back plain
data: the `SubmissionResult` and the private gradebook's grades (`SubmissionGrades`),
which the grading process alone writes into the class's gradebook. The result comes from
the judged run's resources (`JudgedAutograde`), never through a file.
"""
from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
import threading
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

from nbgrader.converters import Autograde
from nbgrader.converters.base import NbGraderException
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import Execute, SaveAutoGrades
from sqlalchemy.exc import SAWarning

from autograder.course.config import course_config, course_limits, course_timeout, quiet_nbgrader
from autograder.course.labs import ROOT, nbgrader_meta
from autograder.grading.execution import JudgedExecute
from autograder.grading.gradebook import SubmissionGrades, read_grades, share_engines
from autograder.grading.results import CellResult, Execution, Status, SubmissionResult, status_of
from autograder.grading.sanitize import with_sanitizer
from autograder.grading.scoring import Scoring, exercise_points
from autograder.sandbox import bubblewrap, kernels
from autograder.sandbox.bubblewrap import Limits
from autograder.sandbox.fork_server import (
    close_worker_fork_server,
    set_fork_server_imports,
    worker_fork_server,
    worker_root,
)


@dataclass
class Job:
    """Everything a worker needs, as plain data (it may travel to a Dask worker)."""
    student_id: str
    lab_id: str
    staged_dir: str
    out_dir: str
    template_db: str
    timeout: int  # per cell, in seconds
    limits: Limits
    threads: int
    secret: str
    partial_credit: bool = False  # Scoring.partial_credit, as the course (or grade's caller) set it


class SaveJudgedGrades(SaveAutoGrades):
    """Points = the cell's points if its check passed and its judge passed, else 0, or with
    partial credit the share of hidden cases passed (`autograder.grading.scoring`); the points
    also go into the cell's `CellResult` (`resources["nbgrader"]["cells"]`)."""

    def _add_score(self, cell, resources) -> None:
        grade_id = nbgrader_meta(cell)["grade_id"]
        grade = self.gradebook.find_grade(grade_id, self.notebook_id, self.assignment_id, self.student_id)
        judged: CellResult | None = resources["nbgrader"].get("cells", {}).get(grade_id)
        if judged is None:  # a manually graded cell: nbgrader's rule
            return super()._add_score(cell, resources)
        verdict = judged.judge
        grade.auto_score = exercise_points(float(grade.max_score), judged.check_passed, verdict.passed,
                                           verdict.cases_passed, verdict.cases_counted, Scoring(config=self.config))
        grade.needs_manual_grade = grade.manual_score is not None
        judged.points = grade.auto_score
        judged.max_points = float(grade.max_score)
        self.gradebook.db.commit()


class JudgedAutograde(Autograde):
    """nbgrader's Autograde that keeps what the judged run recorded: `execution` and `cells`
    (None when no notebook was judged)."""

    execution: Execution | None = None
    cells: dict[str, CellResult] | None = None

    def write_single_notebook(self, output, resources) -> None:
        super().write_single_notebook(output, resources)
        recorded = resources["nbgrader"]
        if "execution" in recorded:  # the judged pass (nbgrader's sanitizing pass records none)
            self.execution, self.cells = recorded["execution"], recorded["cells"]


def autograde_config(submitted_dir: Path, out_dir: Path, timeout: int | None = None, db_url: str | None = None,
                     workspace: Path | None = None, limits: Limits | None = None, threads: int = 1,
                     secret: str = "", partial_credit: bool | None = None):
    """nbgrader's configuration for grading `submitted_dir` into `out_dir` (autograded/).

    timeout, limits: None keeps the course's (`nbgrader_config.py`); db_url: the gradebook
    (default OUT_DIR/gradebook.db); workspace: the kernel's folder (`autograder.sandbox.kernels.configure`;
    a short path, sockets live there), needed to run notebooks.
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
    config.Autograde.autograde_preprocessors = with_sanitizer(config.Autograde.autograde_preprocessors)
    config.JudgedExecute.secret = secret
    if partial_credit is not None:
        config.Scoring.partial_credit = partial_credit
    config.Execute.timeout = course_timeout(config, timeout)
    limits = limits if limits is not None else course_limits(config)
    config.JudgedExecute.wall_seconds = limits.wall_seconds
    config.JudgedExecute.output_mb = limits.output_mb
    if workspace is not None:  # only for running notebooks (feedback or export need none)
        kernels.configure(config, workspace, limits, threads)
    return config


_started = False


def _not_started() -> None:
    global _started
    _started = False


# A worker forked from a process that had started as one (a test, `autograder.pipeline.run.start_workers`)
# starts afresh: its own parent watcher and thread settings.
os.register_at_fork(after_in_child=_not_started)


def start_worker(threads: int, parent_pid: int | None = None) -> None:
    """Once per worker process: nbgrader quiet; torch here and each kernel's math use
    `threads` threads, so that parallel kernels do not fight over the cores; and a watcher
    that, should the grading process die (kill -9), kills this worker's sandboxes and exits."""
    global _started
    if _started:
        return
    _started = True
    quiet_nbgrader()
    share_engines()
    warnings.filterwarnings("ignore", category=SAWarning, module=r"nbgrader\.")
    for name in bubblewrap.THREAD_VARIABLES:
        os.environ[name] = str(threads)
    if parent_pid is not None:
        threading.Thread(target=watch_parent, args=(parent_pid,), daemon=True).start()


def warm_worker(threads: int, limits: Limits, parent_pid: int | None = None,
                modules: tuple[str, ...] | None = None) -> None:
    """A local worker's start (`autograder.pipeline.run.start_workers`): `start_worker`, then its
    fork server, before the first submission comes. `modules`: what the graded notebooks import
    (`autograder.sandbox.fork_server.notebook_imports`), so its fork server imports no more (None: every lab's)."""
    start_worker(threads, parent_pid)
    set_fork_server_imports(modules)
    try:
        worker_fork_server(None, threads, limits)
    except Exception:  # noqa: BLE001 - a failed initializer breaks the pool; the first kernel tries again
        pass


def watch_parent(parent_pid: int) -> None:
    while True:
        time.sleep(0.5)
        try:
            os.kill(parent_pid, 0)
        except ProcessLookupError:
            kernels.kill_all_sandboxes()
            close_worker_fork_server()
            os._exit(1)


class NbgraderLog(logging.Handler):
    """nbgrader's log of one submission: kept, so that a failure says its cause (nbgrader's own
    message ends "see the above traceback") and the whole log can be read beside the result."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[str] = []
        self.setFormatter(logging.Formatter("[%(levelname)s] %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(self.format(record))

    def cause(self) -> str | None:
        """The last exception the log shows, as its traceback ends: "RuntimeError: the kernel ..."."""
        lines = [line.strip() for record in self.records for line in record.splitlines()]
        raised = [line for line in lines if EXCEPTION_LINE.match(line)]
        return raised[-1] if raised else None

    def keep(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(self.records) + "\n", encoding="utf-8")


# The last line of a traceback: "nbclient.exceptions.DeadKernelError: Kernel died", "OSError: ...".
EXCEPTION_LINE = re.compile(r"^(?:[A-Za-z_][\w.]*\.)?[A-Z]\w*(?:Error|Exception|Exit|Interrupt): .+")


def result_log_path(out_dir: Path, student_id: str, lab_id: str) -> Path:
    """nbgrader's log of a submission it could not grade, beside its result JSON."""
    return out_dir / "results" / student_id / f"{lab_id}.log"


def grade_submission(job: Job, parent_pid: int | None = None) -> tuple[SubmissionResult, SubmissionGrades | None]:
    """Grade one staged submission with nbgrader against a private gradebook copy: its
    result, and its grades in that gradebook (None when nbgrader recorded none)."""
    start_worker(job.threads, parent_pid)
    # Under the worker's folder, which its fork server sees (each kernel only its own part of it).
    private = Path(tempfile.mkdtemp(prefix="s", dir=worker_root()))
    # The same path for each submission this thread grades, so that its SQL stays compiled
    # (`share_engines`); a fresh copy of the template each time.
    private_db = worker_root() / f"gradebook-{threading.get_native_id()}.db"
    try:
        private_db.unlink(missing_ok=True)
        shutil.copy(job.template_db, private_db)
        config = autograde_config(Path(job.staged_dir), Path(job.out_dir), job.timeout,
                                  db_url=f"sqlite:///{private_db}", workspace=private / "k", limits=job.limits,
                                  threads=job.threads, secret=job.secret, partial_credit=job.partial_credit)
        result = SubmissionResult(job.student_id, job.lab_id)
        started = time.monotonic()
        coursedir = CourseDirectory(config=config)
        coursedir.assignment_id, coursedir.student_id = job.lab_id, job.student_id
        app = JudgedAutograde(coursedir=coursedir, config=config)
        log = NbgraderLog()
        app.log.handlers, app.log.propagate = [log], False
        app.log.setLevel(logging.WARNING)
        app.force = True
        try:
            app.start()
        except NbGraderException as exc:
            result.fail(f"nbgrader could not grade it: {log.cause() or exc}")
            log.keep(result_log_path(Path(job.out_dir), job.student_id, job.lab_id))
        result.seconds = round(time.monotonic() - started, 2)
        if app.execution is None:
            if result.status is Status.PENDING:
                result.fail("no result was recorded")
            return result, None
        result.execution, result.cells = app.execution, app.cells
        result.status, result.detail = status_of(app.execution)
        result.points = sum(cell.points for cell in result.cells.values())
        result.max_points = sum(cell.max_points for cell in result.cells.values())
        return result, read_grades(f"sqlite:///{private_db}", job.student_id, job.lab_id)
    finally:
        shutil.rmtree(private, ignore_errors=True)
        private_db.unlink(missing_ok=True)
