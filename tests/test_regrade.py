"""Re-running `grade` after the grading code changes: exactly the affected lab is regraded.

The fingerprint tests copy the parts of the tree a fingerprint reads into a temporary
folder and change one thing at a time (fast, no grading). The end-to-end test grades a
class of two labs, appends a comment to lab 01's judges in the real tree (the exact bytes
are put back afterwards, even on failure), and grades again.
"""
import json
import shutil
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import pytest

import autograder.pipeline.run
from autograder.__main__ import main
from autograder.course.labs import ROOT
from autograder.demo.synthetic_class import build_class
from autograder.grading.regrade import (
    NEW,
    OLDER_FORM,
    RESUBMITTED,
    Decision,
    Fingerprint,
    RunSummary,
    Settings,
    lab_fingerprints,
    why_grade,
)
from autograder.grading.results import SubmissionResult
from autograder.judging.mistakes import catalogue
from autograder.pipeline.run import grade_run
from autograder.sandbox.bubblewrap import Limits

LAB1, LAB2 = "01_matrix_shapes", "02_activations"
LABS = [LAB1, LAB2]
SETTINGS = Settings(timeout=30, limits=Limits(), secret="a course secret")
JUDGES_CHANGED = f"the judges of {LAB1} changed"


# Fingerprints ------------------------------------------------------------------------

@pytest.fixture
def tree(tmp_path) -> Path:
    """A copy of what the fingerprints of LAB1 and LAB2 read."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for lab_id in LABS:
        for folder in ("solutions", "labs"):
            shutil.copytree(ROOT / folder / lab_id, tmp_path / folder / lab_id, ignore=ignore)
    for folder in ("autograder", "labutils"):
        shutil.copytree(ROOT / folder, tmp_path / folder, ignore=ignore)
    shutil.copy(ROOT / "nbgrader_config.py", tmp_path)
    return tmp_path


def changed_parts(before: dict[str, Fingerprint], after: dict[str, Fingerprint]) -> set[tuple[str, str]]:
    """{(lab, part)} whose hash differs."""
    return {(lab_id, name) for lab_id in before for name, value in vars(before[lab_id]).items()
            if getattr(after[lab_id], name) != value}


def append(path: Path, text: str = "\n# a harmless comment\n") -> None:
    path.write_bytes(path.read_bytes() + text.encode())


@pytest.mark.parametrize("edit, expected", [
    (lambda root: append(root / "autograder" / "judging" / "hidden_cases" / "lab01.py"), {(LAB1, "judges")}),
    (lambda root: append(root / "autograder" / "judging" / "mistakes" / "lab02.py"), {(LAB2, "mistakes")}),
    (lambda root: append(root / "solutions" / LAB1 / f"{LAB1}.ipynb", " "), {(LAB1, "source")}),
    (lambda root: append(root / "labs" / LAB2 / f"{LAB2}.ipynb", " "), {(LAB2, "release")}),
    (lambda root: append(root / "labutils" / "data" / "sentences.tsv", "x\t1\n"),
     {(LAB1, "labutils"), (LAB2, "labutils")}),
    (lambda root: (root / "labutils" / "checks" / "fixtures" / "new.json").write_text("{}"),
     {(LAB1, "labutils"), (LAB2, "labutils")}),
    (lambda root: append(root / "autograder" / "judging" / "hidden_cases" / "sampling.py"), {(LAB1, "grader"), (LAB2, "grader")}),
    (lambda root: append(root / "autograder" / "grading" / "execution.py"), {(LAB1, "grader"), (LAB2, "grader")}),
    (lambda root: append(root / "nbgrader_config.py"), {(LAB1, "grader"), (LAB2, "grader")}),
    (lambda root: append(root / "nbgrader_config.py", f'\nc.LatePenalty.due_dates["{LAB1}"] = "2030-01-01 00:00 UTC"\n'),
     {(LAB1, "late"), (LAB1, "grader"), (LAB2, "grader")}),
], ids=["judges", "catalogue", "source notebook", "released notebook", "labutils data", "new labutils file",
        "shared judge code", "grader code", "nbgrader config", "a due date"])
def test_each_file_changes_its_own_part_of_the_right_labs_fingerprint(tree, edit, expected):
    before = lab_fingerprints(LABS, SETTINGS, root=tree)
    edit(tree)
    assert changed_parts(before, lab_fingerprints(LABS, SETTINGS, root=tree)) == expected


def test_compiled_python_changes_no_fingerprint(tree):
    before = lab_fingerprints(LABS, SETTINGS, root=tree)
    cache = tree / "labutils" / "__pycache__"
    cache.mkdir(exist_ok=True)
    (cache / "outcomes.cpython-311.pyc").write_bytes(b"\0compiled")
    (tree / "autograder" / "judging" / "hidden_cases" / "lab01.cpython-311.pyc").write_bytes(b"\0compiled")
    assert lab_fingerprints(LABS, SETTINGS, root=tree) == before


@pytest.mark.parametrize("settings, part", [
    (replace(SETTINGS, secret="another secret"), "secret"),
    (replace(SETTINGS, timeout=31), "timeout"),
    (replace(SETTINGS, limits=Limits(memory_mb=2048)), "limits"),
    (replace(SETTINGS, limits=Limits(wall_seconds=60)), "limits"),
])
def test_each_grading_setting_changes_its_part_of_every_labs_fingerprint(tree, settings, part):
    before = lab_fingerprints(LABS, SETTINGS, root=tree)
    assert changed_parts(before, lab_fingerprints(LABS, settings, root=tree)) == {(LAB1, part), (LAB2, part)}


def test_the_fingerprint_keeps_no_trace_of_the_secret(tree):
    recorded = json.dumps(vars(lab_fingerprints(LABS, SETTINGS, root=tree)[LAB1]))
    assert SETTINGS.secret not in recorded and SETTINGS.secret.encode().hex() not in recorded


def test_why_grade_names_what_changed(tree):
    now = lab_fingerprints(LABS, SETTINGS, root=tree)[LAB1]
    recorded = SubmissionResult("ada", LAB1, digest="abc", fingerprint=vars(now))
    assert why_grade(recorded, "abc", now, LAB1) is None
    assert why_grade(recorded, "def", now, LAB1) == RESUBMITTED
    two = replace(now, judges="0" * 64, timeout="1" * 64)
    assert why_grade(recorded, "abc", two, LAB1) == f"{JUDGES_CHANGED}; the per-cell time limit changed"


def test_the_run_summary_counts_each_reason():
    summary = RunSummary((Decision("ada", LAB1, JUDGES_CHANGED), Decision("bo", LAB1, JUDGES_CHANGED),
                          Decision("ada", LAB2, None), Decision("cy", LAB2, NEW), Decision("bo", LAB2, OLDER_FORM)))
    assert (summary.new, summary.kept) == (1, 1)
    assert summary.regraded == {JUDGES_CHANGED: 2, OLDER_FORM: 1}
    assert summary.lines() == ["1 graded for the first time, 3 regraded, 1 kept from the previous run",
                               f"regraded 2: {JUDGES_CHANGED}", f"regraded 1: {OLDER_FORM}"]


# Grading again -----------------------------------------------------------------------

MARK = b"# tests/test_regrade.py: a harmless comment, removed when the test ends\n"


@contextmanager
def comment_appended(path: Path):
    """`path` with MARK appended; afterwards its exact original bytes (MARK alone is taken out
    should someone else have edited the file meanwhile)."""
    original = path.read_bytes()
    path.write_bytes(original + MARK)
    try:
        yield
    finally:
        current = path.read_bytes()
        path.write_bytes(original if current == original + MARK else current.replace(MARK, b"", 1))


def results_of(out: Path, lab_id: str) -> dict[Path, bytes]:
    return {path: path.read_bytes() for path in sorted((out / "results").glob(f"*/{lab_id}.json"))}


def test_a_changed_judge_regrades_its_lab_only(tmp_path, monkeypatch, capsys):
    lab1_mistake = next(m for m in catalogue(LAB1) if m.task == "matmul")
    lab2_mistake = catalogue(LAB2)[0]
    roster = {"ada": {LAB1: [], LAB2: []}, "bo": {LAB1: [lab1_mistake], LAB2: [lab2_mistake]}, "cy": {LAB1: None}}
    build_class(roster, tmp_path / "submitted")
    out = tmp_path / "out"
    first = grade_run(tmp_path / "submitted", out)
    assert (first.summary.new, first.summary.kept, first.summary.regraded) == (5, 0, {})
    points = {(s.student_id, s.lab_id): s.points for s in first.submissions}
    assert points[("ada", LAB1)] == 5 and points[("bo", LAB1)] == 3 and points[("cy", LAB1)] == 0
    lab1_before, lab2_before = results_of(out, LAB1), results_of(out, LAB2)

    started = []
    run_jobs = autograder.pipeline.run.run_jobs

    def counting_run_jobs(jobs, *args):
        started.extend((job.student_id, job.lab_id) for job in jobs)
        return run_jobs(jobs, *args)

    monkeypatch.setattr(autograder.pipeline.run, "run_jobs", counting_run_jobs)
    with comment_appended(ROOT / "autograder" / "judging" / "hidden_cases" / "lab01.py"):
        capsys.readouterr()
        assert main(["grade", str(tmp_path / "submitted"), "--out", str(out)]) == 0
        printed = capsys.readouterr().out
        summary = printed[printed.index("this run:"):].splitlines()[:2]
        assert (summary, sorted(started)) == (
            ["this run: 0 graded for the first time, 3 regraded, 2 kept from the previous run",
             f"  regraded 3: {JUDGES_CHANGED}"], [("ada", LAB1), ("bo", LAB1), ("cy", LAB1)])
        assert results_of(out, LAB2) == lab2_before
        assert results_of(out, LAB1).keys() == lab1_before.keys()
        for path in lab1_before:  # graded again, with the same points: the comment changes no grade
            assert json.loads(path.read_bytes())["points"] == json.loads(lab1_before[path])["points"]
        report = (out / "report.html").read_text()
        assert JUDGES_CHANGED in report and "3 regraded, 2 kept from the previous run" in report

        started.clear()
        lab1_regraded = results_of(out, LAB1)
        again = grade_run(tmp_path / "submitted", out)
        assert (again.summary.kept, again.summary.regraded, started) == (5, {}, [])
        assert results_of(out, LAB1) == lab1_regraded and results_of(out, LAB2) == lab2_before

        path = out / "results" / "bo" / f"{LAB2}.json"  # a results file of another form: no fingerprint
        old = json.loads(path.read_text())
        del old["fingerprint"]
        path.write_text(json.dumps(old))
        older = grade_run(tmp_path / "submitted", out)
        assert started == [("bo", LAB2)]
        assert older.summary.regraded == {OLDER_FORM: 1}
        assert json.loads(path.read_text())["points"] == old["points"] and "fingerprint" in json.loads(path.read_text())
