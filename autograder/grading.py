"""Grade submissions with nbgrader's autograde, plus judges that decide the points.

    python -m autograder grade SUBMITTED_DIR --out OUT_DIR

nbgrader does what it is built for: it restores the test cells from the source
(OverwriteCells), runs the notebook, keeps the gradebook, and its formgrader,
manual grading, generate_feedback and export keep working. Two of its preprocessors
are replaced:

- `JudgedExecute` (for `Execute`): after the last cell it keeps the kernel alive and
  runs each graded cell's judge against it (`autograder.judging`), then appends the
  judge's verdict to the test cell's outputs.
- `SaveJudgedGrades` (for `SaveAutoGrades`): a cell earns its points when its check
  passed in the notebook (no error output; text on stderr, such as a warning, costs
  nothing) and its judge passed. It also writes `results/<student>/<lab>.json`.
"""
from __future__ import annotations

import csv
import json
import logging
import multiprocessing
import os
import shutil
import tempfile
import time
import traceback
import warnings
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError
from nbformat import NotebookNode
from nbformat.reader import NotJSONError
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.converters import Autograde
from nbgrader.converters.base import NbGraderException
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import Execute, SaveAutoGrades
from sqlalchemy.exc import SAWarning
from traitlets import Unicode

from autograder.judges import judges_for
from autograder.judging import Verdict, course_secret, judge_seed, run_judge
from autograder.kernel_subject import KernelSubject
from autograder.labs import ROOT, available_labs, is_test_cell, max_points, nbgrader_meta
from autograder.release import course_config, generate_student_version, quiet_nbgrader

log = logging.getLogger("autograder")


def first_error(cell) -> dict | None:
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            return output
    return None


class JudgedExecute(Execute):
    """nbgrader's Execute, then the judges, against the same live kernel."""

    secret = Unicode(help="Course secret the judges' seeds are derived from.").tag(config=True)

    def preprocess(self, nb: NotebookNode, resources: dict, km=None):
        # As nbconvert's ExecutePreprocessor.preprocess, with the judges before shutdown.
        NotebookClient.__init__(self, nb, km)
        self.reset_execution_trackers()
        self._check_assign_resources(resources)
        execution = {"kernel": "ok", "seconds": 0.0}
        started = time.monotonic()
        with self.setup_kernel():
            info = self.wait_for_reply(self.kc.kernel_info())
            self.nb.metadata["language_info"] = info["content"]["language_info"]
            for index, cell in enumerate(self.nb.cells):
                try:
                    self.preprocess_cell(cell, resources, index)
                except DeadKernelError:
                    execution["kernel"] = f"died while running cell {index}"
                    cell.setdefault("outputs", []).append(_error_output(
                        "KernelDied", "the kernel died while running this cell (os._exit, a crash, "
                        "or the memory limit); later cells were not run"))
                    break
            execution["seconds"] = round(time.monotonic() - started, 3)
            resources["nbgrader"]["judged"] = self.judge_cells(resources, alive=execution["kernel"] == "ok")
        resources["nbgrader"]["execution"] = execution
        self.set_widgets_metadata()
        return self.nb, self.resources

    def judge_cells(self, resources: dict, alive: bool) -> dict:
        lab_id = resources["nbgrader"]["assignment"]
        student_id = resources["nbgrader"]["student"]
        judges = judges_for(lab_id)
        subject = KernelSubject(self, [c.source for c in self.nb.cells if c.cell_type == "code"])
        if not alive:
            subject.problem = "the kernel died"
        judged = {}
        for cell in self.nb.cells:
            if not is_test_cell(cell):
                continue
            grade_id = nbgrader_meta(cell)["grade_id"]
            verdict = self.judge_one(lab_id, student_id, grade_id, judges.get(grade_id), subject)
            check_error = first_error(cell)
            judged[grade_id] = {
                "check_passed": check_error is None,
                "check_message": _error_text(check_error),
                "judge": verdict.to_dict(),
            }
            cell.outputs.append(_verdict_output(verdict))
        return judged

    def judge_one(self, lab_id, student_id, grade_id, judge, subject) -> Verdict:
        if judge is None:
            return Verdict(grade_id, "?", False, f"no judge is registered for {grade_id!r}")
        seed = judge_seed(self.secret or course_secret(), student_id, lab_id, grade_id)
        try:
            return run_judge(lab_id, grade_id, judge, subject, seed)
        except Exception:  # noqa: BLE001 - a judge's own bug: recorded in full, grading goes on
            self.log.error("judge %s of %s failed:\n%s", grade_id, lab_id, traceback.format_exc())
            return Verdict(grade_id, judge.task, False,
                           "the judge itself failed (an instructor bug, see the grader's log): "
                           + traceback.format_exc(limit=1).strip().splitlines()[-1])


def _error_output(ename: str, evalue: str) -> NotebookNode:
    return NotebookNode(output_type="error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])


def _error_text(output: dict | None) -> str | None:
    if output is None:
        return None
    return f"{output.get('ename', '')}: {output.get('evalue', '')}"


def _verdict_output(verdict: Verdict) -> NotebookNode:
    if verdict.passed:
        return NotebookNode(output_type="stream", name="stdout", text=f"[hidden tests] {verdict.message}\n")
    return _error_output("HiddenTestsFailed", verdict.message)


class SaveJudgedGrades(SaveAutoGrades):
    """Points = the cell's points if its check passed and its judge passed, else 0."""

    out_directory = Unicode(help="OUT_DIR: results go to OUT_DIR/results/<student>/<lab>.json").tag(config=True)

    def preprocess(self, nb, resources):
        nb, resources = super().preprocess(nb, resources)
        if self.out_directory:
            self.write_results(resources)
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

    def write_results(self, resources) -> None:
        info = resources["nbgrader"]
        cells = info.get("judged", {})
        write_result(Path(self.out_directory), info["student"], info["assignment"], {
            "status": "graded",
            "points": sum(c.get("points", 0.0) for c in cells.values()),
            "max_points": sum(c.get("max_points", 0.0) for c in cells.values()),
            "execution": info.get("execution", {}), "cells": cells,
        })


def write_result(out_dir: Path, student_id: str, lab_id: str, result: dict) -> Path:
    """OUT_DIR/results/<student>/<lab>.json: one submission's status, points and verdicts."""
    path = out_dir / "results" / student_id / f"{lab_id}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"student": student_id, "lab": lab_id} | result, indent=1), encoding="utf-8")
    return path


@dataclass
class Submission:
    student_id: str
    lab_id: str
    status: str = "pending"
    points: float = 0.0
    max_points: float = 0.0
    seconds: float = 0.0
    cells: dict = field(default_factory=dict)


def find_submissions(submitted_dir: Path, labs: list[str] | None = None) -> list[tuple[str, str]]:
    """(student_id, lab_id) for every `<student>/<lab>/` folder of a known lab."""
    known = set(labs or available_labs())
    pairs = []
    for student_dir in sorted(p for p in submitted_dir.iterdir() if p.is_dir()):
        for lab_dir in sorted(p for p in student_dir.iterdir() if p.is_dir() and p.name in known):
            pairs.append((student_dir.name, lab_dir.name))
    return pairs


def autograde_config(submitted_dir: Path, out_dir: Path, timeout: int | None,
                     db_path: Path | None = None, kernel_dir: Path | None = None):
    """nbgrader's configuration for grading `submitted_dir` into `out_dir`.

    db_path: the gradebook (default OUT_DIR/gradebook.db); kernel_dir: where kernels'
    IPC sockets go (a short path: a socket's path has a limit of about 100 bytes).
    """
    config = course_config()
    config.CourseDirectory.root = str(out_dir / "course")
    config.CourseDirectory.source_directory = str(ROOT / "solutions")
    config.CourseDirectory.submitted_directory = str(submitted_dir)
    config.CourseDirectory.autograded_directory = str(out_dir / "autograded")
    config.CourseDirectory.db_url = f"sqlite:///{db_path or out_dir / 'gradebook.db'}"
    config.Autograde.autograde_preprocessors = [
        JudgedExecute if pp is Execute else SaveJudgedGrades if pp is SaveAutoGrades else pp
        for pp in Autograde().autograde_preprocessors
    ]
    config.SaveJudgedGrades.out_directory = str(out_dir)
    # Kernel and grader talk over IPC sockets in a folder of the grader's, not TCP ports.
    kernel_dir = kernel_dir or out_dir / "kernels"
    kernel_dir.mkdir(parents=True, exist_ok=True)
    config.KernelManager.transport = "ipc"
    config.KernelManager.ip = str(kernel_dir / "kernel")
    if timeout:
        config.Execute.timeout = timeout
    return config


def grade(submitted_dir: Path, out_dir: Path, labs: list[str] | None = None,
          timeout: int | None = None, workers: int | None = None) -> list[Submission]:
    """Grade every submission under `submitted_dir`; write the gradebook, executed
    notebooks (`autograded/`), per-submission results and `grades.csv` into `out_dir`.

    Submissions run in parallel on `workers` processes (default: one per core). Each
    runs nbgrader's autograde against a private copy of the gradebook; this process
    alone writes the real one (`merge_grades`).
    """
    quiet_nbgrader()
    warnings.filterwarnings("ignore", category=SAWarning, module=r"nbgrader\.")
    submitted_dir, out_dir = submitted_dir.resolve(), out_dir.resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    db_path = out_dir / "gradebook.db"
    pairs = find_submissions(submitted_dir, labs)
    for lab_id in sorted({lab for _, lab in pairs}):
        generate_student_version(lab_id, out_dir / "course" / "release", f"sqlite:///{db_path}")
    work = Path(tempfile.mkdtemp(prefix="nnlabs-"))
    snapshot = work / "gradebook.db"
    if db_path.exists():
        shutil.copy(db_path, snapshot)

    results = []
    workers = workers or os.cpu_count() or 1
    threads = max(1, (os.cpu_count() or 1) // workers)  # per kernel: workers share the cores
    # Workers start from a fresh server process, not a fork of this one: a fork of a process
    # that has run torch (the judges, the release) can hang in torch's thread pool.
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context,
                             initializer=start_worker, initargs=(threads,)) as pool:
        futures = {pool.submit(grade_in_worker, submitted_dir, out_dir, timeout, student_id, lab_id,
                               snapshot): (student_id, lab_id) for student_id, lab_id in pairs}
        for future in as_completed(futures):
            student_id, lab_id = futures[future]
            try:
                submission, private_db = future.result()
            except Exception as exc:  # noqa: BLE001 - a grader crash costs one submission, not the class
                submission, private_db = Submission(student_id, lab_id, status=f"error: the grader failed: {exc!r}"), None
            graded = not submission.status.startswith("error")
            merge_grades(db_path, private_db if graded else None, student_id, lab_id)
            if not graded:
                write_result(out_dir, student_id, lab_id, {"status": submission.status, "points": 0.0,
                                                           "max_points": submission.max_points,
                                                           "execution": {}, "cells": {}})
            if private_db is not None:
                shutil.rmtree(private_db.parent, ignore_errors=True)
            results.append(submission)
    shutil.rmtree(work, ignore_errors=True)
    results.sort(key=lambda r: (r.student_id, r.lab_id))
    write_grades_csv(out_dir, f"sqlite:///{db_path}", sorted({s for s, _ in pairs}),
                     sorted({lab for _, lab in pairs}))
    return results


def start_worker(threads: int) -> None:
    """In a new worker process: nbgrader quiet, and the kernels it starts (and torch here) use
    `threads` math threads each, so that parallel kernels do not fight over the cores."""
    quiet_nbgrader()
    warnings.filterwarnings("ignore", category=SAWarning, module=r"nbgrader\.")
    for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[name] = str(threads)


def grade_in_worker(submitted_dir: Path, out_dir: Path, timeout: int | None, student_id: str,
                    lab_id: str, snapshot: Path) -> tuple[Submission, Path]:
    """Grade one submission against a private copy of the gradebook; return both."""
    private = Path(tempfile.mkdtemp(prefix="nnlabs-", dir=snapshot.parent))
    private_db = private / "gradebook.db"
    shutil.copy(snapshot, private_db)
    config = autograde_config(submitted_dir, out_dir, timeout, db_path=private_db, kernel_dir=private)
    return grade_one(config, out_dir, student_id, lab_id), private_db


def unreadable(path: Path) -> str | None:
    """Why the submitted notebook at `path` cannot be graded, or None if it can be read."""
    if not path.exists():
        others = sorted(p.name for p in path.parent.glob("*.ipynb"))
        return f"no {path.name} was submitted" + (f" (found {', '.join(others)})" if others else "")
    data = path.read_bytes()
    if not data.strip():
        return "the notebook file is empty"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return f"the notebook is not UTF-8 text (byte {exc.start})"
    try:
        nbformat.reads(text, as_version=4)
    except NotJSONError:
        return "the notebook is not valid JSON (a truncated or hand-edited file?)"
    except Exception as exc:  # noqa: BLE001 - nbformat raises several types for malformed notebooks
        return f"the notebook cannot be read as a notebook ({type(exc).__name__}: {str(exc)[:120]})"
    return None


def grade_one(config, out_dir: Path, student_id: str, lab_id: str) -> Submission:
    submission = Submission(student_id, lab_id, max_points=max_points(lab_id))
    problem = unreadable(Path(config.CourseDirectory.submitted_directory) / student_id / lab_id / f"{lab_id}.ipynb")
    if problem:
        submission.status = f"error: {problem}"
        return submission
    coursedir = CourseDirectory(config=config)
    coursedir.assignment_id = lab_id
    coursedir.student_id = student_id
    app = Autograde(coursedir=coursedir, config=config)
    app.log.setLevel(logging.CRITICAL)
    app.force = True
    started = time.monotonic()
    try:
        app.start()
    except NbGraderException as exc:
        submission.status = f"error: {exc}"
    submission.seconds = round(time.monotonic() - started, 2)
    result_path = out_dir / "results" / student_id / f"{lab_id}.json"
    if submission.status == "pending" and result_path.exists():
        result = json.loads(result_path.read_text(encoding="utf-8"))
        submission.status = "graded" if result["execution"].get("kernel") == "ok" else \
            f"graded ({result['execution']['kernel']})"
        submission.points, submission.max_points = result["points"], result["max_points"]
        submission.cells = result["cells"]
    elif submission.status == "pending":
        submission.status = "error: no result was recorded"
    return submission


def merge_grades(db_path: Path, private_db: Path | None, student_id: str, lab_id: str) -> None:
    """Copy one submission's autograde results from a worker's gradebook into the real one.

    Without a worker gradebook (None: the submission could not be graded) the
    submission is recorded with 0 points, so a failed submission never keeps an old score.
    """
    with Gradebook(f"sqlite:///{db_path}") as gb:
        gb.update_or_create_student(student_id)
        source = None
        if private_db is not None and private_db.exists():
            with Gradebook(f"sqlite:///{private_db}") as private:
                try:
                    source = private.find_submission(lab_id, student_id)
                    timestamp = source.timestamp
                    notebooks = [(nb.name, nb.late_submission_penalty, nb.flagged,
                                  [(g.name, g.auto_score, g.needs_manual_grade) for g in nb.grades],
                                  [(c.name, c.auto_comment) for c in nb.comments]) for nb in source.notebooks]
                except MissingEntry:
                    source = None
        if source is None:
            gb.update_or_create_submission(lab_id, student_id)
            zero_grades(gb, student_id, lab_id)
            return
        gb.update_or_create_submission(lab_id, student_id, timestamp=timestamp)
        for name, penalty, flagged, grades, comments in notebooks:
            notebook = gb.find_submission_notebook(name, lab_id, student_id)
            notebook.late_submission_penalty, notebook.flagged = penalty, flagged
            for grade_name, auto_score, needs_manual in grades:
                grade = gb.find_grade(grade_name, name, lab_id, student_id)
                grade.auto_score, grade.needs_manual_grade = auto_score, needs_manual
            for comment_name, auto_comment in comments:
                gb.find_comment(comment_name, name, lab_id, student_id).auto_comment = auto_comment
        gb.db.commit()


def zero_grades(gb: Gradebook, student_id: str, lab_id: str) -> None:
    """A submission that could not be graded scores 0 on its autograded cells."""
    for notebook in gb.find_submission(lab_id, student_id).notebooks:
        for grade in notebook.grades:
            if grade.cell.cell_type == "code":
                grade.auto_score, grade.needs_manual_grade = 0.0, False
    gb.db.commit()


def write_grades_csv(out_dir: Path, db_url: str, students: list[str], labs: list[str]) -> Path:
    """A row per student, a column per lab and a total (from the gradebook)."""
    path = out_dir / "grades.csv"
    with Gradebook(db_url) as gb, path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student_id", *labs, "total"])
        for student_id in students:
            scores = []
            for lab_id in labs:
                try:
                    scores.append(gb.find_submission(lab_id, student_id).score)
                except MissingEntry:
                    scores.append(0.0)
            writer.writerow([student_id, *(f"{s:g}" for s in scores), f"{sum(scores):g}"])
    return path
