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
import time
import traceback
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError
from nbformat import NotebookNode
from sqlalchemy.exc import SAWarning
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.converters import Autograde
from nbgrader.converters.base import NbGraderException
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import Execute, SaveAutoGrades
from traitlets import Unicode

from autograder.judges import judges_for
from autograder.judging import Verdict, course_secret, judge_seed, run_judge
from autograder.kernel_subject import KernelSubject
from autograder.labs import ROOT, available_labs, is_test_cell, nbgrader_meta
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

    results_directory = Unicode(help="Where to write results/<student>/<lab>.json").tag(config=True)

    def preprocess(self, nb, resources):
        nb, resources = super().preprocess(nb, resources)
        if self.results_directory:
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
        path = Path(self.results_directory) / info["student"] / f"{info['assignment']}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        cells = info.get("judged", {})
        result = {
            "student": info["student"], "lab": info["assignment"], "status": "graded",
            "points": sum(c.get("points", 0.0) for c in cells.values()),
            "max_points": sum(c.get("max_points", 0.0) for c in cells.values()),
            "execution": info.get("execution", {}), "cells": cells,
        }
        path.write_text(json.dumps(result, indent=1), encoding="utf-8")


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


def autograde_config(submitted_dir: Path, out_dir: Path, timeout: int | None):
    config = course_config()
    config.CourseDirectory.root = str(out_dir / "course")
    config.CourseDirectory.source_directory = str(ROOT / "solutions")
    config.CourseDirectory.submitted_directory = str(submitted_dir)
    config.CourseDirectory.autograded_directory = str(out_dir / "autograded")
    config.CourseDirectory.db_url = f"sqlite:///{out_dir / 'gradebook.db'}"
    config.Autograde.autograde_preprocessors = [
        JudgedExecute if pp is Execute else SaveJudgedGrades if pp is SaveAutoGrades else pp
        for pp in Autograde().autograde_preprocessors
    ]
    config.SaveJudgedGrades.results_directory = str(out_dir / "results")
    # Kernel and grader talk over IPC sockets in a folder of the grader's, not TCP ports.
    (out_dir / "kernels").mkdir(parents=True, exist_ok=True)
    config.KernelManager.transport = "ipc"
    config.KernelManager.ip = str(out_dir / "kernels" / "kernel")
    if timeout:
        config.Execute.timeout = timeout
    return config


def grade(submitted_dir: Path, out_dir: Path, labs: list[str] | None = None,
          timeout: int | None = None) -> list[Submission]:
    """Grade every submission under `submitted_dir`; write the gradebook, executed
    notebooks (`autograded/`), per-submission results and `grades.csv` into `out_dir`."""
    quiet_nbgrader()
    warnings.filterwarnings("ignore", category=SAWarning, module=r"nbgrader\.")
    submitted_dir, out_dir = submitted_dir.resolve(), out_dir.resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    config = autograde_config(submitted_dir, out_dir, timeout)
    pairs = find_submissions(submitted_dir, labs)
    for lab_id in sorted({lab for _, lab in pairs}):
        generate_student_version(lab_id, out_dir / "course" / "release", config.CourseDirectory.db_url)

    results = []
    for student_id, lab_id in pairs:
        results.append(grade_one(config, out_dir, student_id, lab_id))
    write_grades_csv(out_dir, config.CourseDirectory.db_url, sorted({s for s, _ in pairs}),
                     sorted({lab for _, lab in pairs}))
    return results


def grade_one(config, out_dir: Path, student_id: str, lab_id: str) -> Submission:
    submission = Submission(student_id, lab_id)
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
        zero_grades(config.CourseDirectory.db_url, student_id, lab_id)
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


def zero_grades(db_url: str, student_id: str, lab_id: str) -> None:
    """A submission that could not be graded scores 0 on its autograded cells."""
    with Gradebook(db_url) as gb:
        try:
            submission = gb.find_submission(lab_id, student_id)
        except MissingEntry:
            return
        for grade in submission.grades:
            if grade.auto_score is None and grade.cell.cell_type == "code":
                grade.auto_score = 0.0
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
