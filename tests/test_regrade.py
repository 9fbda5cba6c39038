"""Re-running `grade` after the grading code changes: exactly the affected lab is regraded.

The fingerprint tests copy the parts of the tree a fingerprint reads into a temporary
folder and change one thing at a time (fast, no grading): a lab's own files, settings and
due date change its fingerprint alone (and those of the labs that build on it), a new lab's
files and due date change no other lab's, and what never decides a grade (a comment in
nbgrader_config.py, the report's code) changes none. The end-to-end test grades a
class of two labs, appends a comment to lab 01's judges in the real tree (the exact bytes
are put back afterwards, even on failure), and grades again.
"""
import json
import shutil
from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta
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
    submission_fingerprints,
    why_grade,
    with_extension,
)
from autograder.grading.results import SubmissionResult
from autograder.judging.mistakes import catalogue
from autograder.pipeline.run import grade_run
from autograder.sandbox.bubblewrap import Limits

LAB1, LAB2 = "01_matrix_shapes", "02_activations"
LABS = [LAB1, LAB2]
LAB5, LAB6, LAB7 = "05_gradient_descent", "06_backprop", "07_dropout"  # lab 07 builds on 05 and 06
BUILT_ON = [LAB5, LAB6, LAB7]
SETTINGS = Settings(timeout=30, limits=Limits(), secret="a course secret")
JUDGES_CHANGED = f"the judges of {LAB1} changed"
NEW_LAB = "09_new_lab"


# Fingerprints ------------------------------------------------------------------------

@pytest.fixture
def tree(tmp_path) -> Path:
    """A copy of what the fingerprints of LAB1, LAB2 and labs 05 to 07 read."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for lab_id in LABS + BUILT_ON:
        for folder in ("solutions", "labs"):
            shutil.copytree(ROOT / folder / lab_id, tmp_path / folder / lab_id, ignore=ignore)
    for folder in ("autograder", "labutils"):
        shutil.copytree(ROOT / folder, tmp_path / folder, ignore=ignore)
    shutil.copy(ROOT / "nbgrader_config.py", tmp_path)
    return tmp_path


def add_new_lab(root: Path) -> None:
    """A new lab 09 as docs/authoring.md adds one: its source and released notebooks, check module,
    fixture, judges, mistake catalogue, and a due date in nbgrader_config.py."""
    number = NEW_LAB[:2]
    for folder in ("solutions", "labs"):
        (root / folder / NEW_LAB).mkdir(parents=True)
        shutil.copy(root / folder / LAB1 / f"{LAB1}.ipynb", root / folder / NEW_LAB / f"{NEW_LAB}.ipynb")
    (root / "labutils" / "checks" / f"lab{number}.py").write_text(f'LAB = "{NEW_LAB}"\n')
    (root / "labutils" / "checks" / "fixtures" / f"{NEW_LAB}.json").write_text("{}")
    for folder in ("hidden_cases", "mistakes"):
        (root / "autograder" / "judging" / folder / f"lab{number}.py").write_text(f'LAB = "{NEW_LAB}"\n')
    append(root / "nbgrader_config.py", f'\nc.LatePenalty.due_dates["{NEW_LAB}"] = "2026-12-14 23:59 UTC"\n')


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
    (lambda root: append(root / "labutils" / "examine.py"), {(LAB1, "labutils"), (LAB2, "labutils")}),
    (lambda root: append(root / "labutils" / "checks" / "lab01.py"), {(LAB1, "checks")}),
    (lambda root: append(root / "labutils" / "checks" / "fixtures" / f"{LAB2}.json", " "), {(LAB2, "checks")}),
    (lambda root: append(root / "autograder" / "judging" / "hidden_cases" / "sampling.py"), {(LAB1, "grader"), (LAB2, "grader")}),
    (lambda root: append(root / "autograder" / "grading" / "execution.py"), {(LAB1, "grader"), (LAB2, "grader")}),
    (lambda root: append(root / "autograder" / "outputs" / "feedback.py"), {(LAB1, "grader"), (LAB2, "grader")}),
    (lambda root: append(root / "autograder" / "outputs" / "report.py"), set()),
    (lambda root: append(root / "autograder" / "outputs" / "console.py"), set()),
    (lambda root: append(root / "autograder" / "__main__.py"), set()),
    (lambda root: append(root / "autograder" / "authoring" / "verify.py"), set()),
    (lambda root: append(root / "nbgrader_config.py"), set()),
    (lambda root: append(root / "nbgrader_config.py", "\nc.Similarity.threshold = 0.9\n"), set()),
    (lambda root: append(root / "nbgrader_config.py", "\nc.JudgedExecute.max_restarts = 5\n"),
     {(LAB1, "config"), (LAB2, "config")}),
    (lambda root: append(root / "nbgrader_config.py", "\nc.Scoring.partial_credit = True\n"),
     {(LAB1, "config"), (LAB2, "config")}),
    (lambda root: append(root / "nbgrader_config.py", "\nc.SandboxedKernelManager.memory_mb = 2048\n"), set()),
    (lambda root: append(root / "nbgrader_config.py", "\nc.LatePenalty.max_penalty = 1.0\n"),
     {(LAB1, "late"), (LAB2, "late")}),
    (lambda root: append(root / "nbgrader_config.py", f'\nc.LatePenalty.due_dates["{LAB1}"] = "2030-01-01 00:00 UTC"\n'),
     {(LAB1, "late")}),
    (add_new_lab, set()),
], ids=["judges", "catalogue", "source notebook", "released notebook", "labutils data", "new labutils file",
        "shared labutils module", "a lab's check module", "a lab's fixture", "shared judge code", "grader code",
        "feedback code", "report code", "console code", "command line", "authoring code",
        "a comment in nbgrader config", "an option that decides no grade", "an option that decides grades",
        "partial credit", "a limit in nbgrader config (the limits part, as Settings has it)", "the late policy",
        "a due date", "a new lab with its due date"])
def test_each_file_changes_its_own_part_of_the_right_labs_fingerprint(tree, edit, expected):
    before = lab_fingerprints(LABS, SETTINGS, root=tree)
    edit(tree)
    assert changed_parts(before, lab_fingerprints(LABS, SETTINGS, root=tree)) == expected


def test_a_new_lab_has_its_own_fingerprint_and_changes_no_other_labs(tree):
    before = lab_fingerprints(LABS + BUILT_ON, SETTINGS, root=tree)
    add_new_lab(tree)
    after = lab_fingerprints(LABS + BUILT_ON + [NEW_LAB], SETTINGS, root=tree)
    assert all(after[lab_id] == before[lab_id] for lab_id in before)
    append(tree / "labutils" / "checks" / "lab09.py")  # the new lab's files are its own from then on
    append(tree / "nbgrader_config.py", f'\nc.LatePenalty.due_dates["{NEW_LAB}"] = "2026-12-21 23:59 UTC"\n')
    again = lab_fingerprints(LABS + BUILT_ON + [NEW_LAB], SETTINGS, root=tree)
    assert changed_parts(after, again) == {(NEW_LAB, "checks"), (NEW_LAB, "late")}


@pytest.mark.parametrize("edit, expected", [
    (lambda root: append(root / "labutils" / "checks" / "lab06.py"), {(LAB6, "checks"), (LAB7, "checks")}),
    (lambda root: append(root / "labutils" / "checks" / "fixtures" / f"{LAB5}.json", " "),
     {(LAB5, "checks"), (LAB7, "checks")}),
    (lambda root: append(root / "solutions" / LAB6 / f"{LAB6}.ipynb", " "), {(LAB6, "source"), (LAB7, "source")}),
    (lambda root: append(root / "autograder" / "judging" / "hidden_cases" / "lab06.py"), {(LAB6, "judges")}),
    (lambda root: append(root / "labutils" / "checks" / "lab07.py"), {(LAB7, "checks")}),
    (lambda root: append(root / "labs" / LAB5 / f"{LAB5}.ipynb", " "), {(LAB5, "release")}),
], ids=["06's checks", "05's fixture", "06's solution", "06's judges", "07's checks", "05's release"])
def test_a_lab_that_builds_on_earlier_ones_holds_what_it_uses_of_them(tree, edit, expected):
    """Lab 07's train_mlp check names a failing helper by lab 05's and 06's checks, and its judges
    lend the reference layers of their solutions; what lab 07 does not use of them changes nothing."""
    before = lab_fingerprints(BUILT_ON, SETTINGS, root=tree)
    edit(tree)
    assert changed_parts(before, lab_fingerprints(BUILT_ON, SETTINGS, root=tree)) == expected


def test_an_extension_is_part_of_its_submissions_fingerprint_alone(tree):
    extensions = {("ada", LAB1): timedelta(days=3)}
    pairs = [("ada", LAB1), ("ada", LAB2), ("bo", LAB1)]
    none = submission_fingerprints(pairs, SETTINGS, {}, root=tree)
    some = submission_fingerprints(pairs, SETTINGS, extensions, root=tree)
    assert {key for key in pairs if some[key] != none[key]} == {("ada", LAB1)}
    assert vars(some["ada", LAB1]).keys() == vars(none["ada", LAB1]).keys()
    assert [name for name, value in vars(some["ada", LAB1]).items() if value != vars(none["ada", LAB1])[name]] \
        == ["extension"]
    assert with_extension(none["ada", LAB1], timedelta(days=3)) == some["ada", LAB1]
    assert with_extension(some["ada", LAB1], None) == none["ada", LAB1]
    recorded = SubmissionResult("ada", LAB1, digest="abc", fingerprint=vars(none["ada", LAB1]))
    assert why_grade(recorded, "abc", some["ada", LAB1], LAB1) == f"the student's extension for {LAB1} changed"


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
    (replace(SETTINGS, partial_credit=True), "config"),  # grade(partial_credit=True), nbgrader_config.py saying off
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
    older = SubmissionResult("ada", LAB1, digest="abc",
                             fingerprint={k: v for k, v in vars(now).items() if k not in ("checks", "extension")})
    assert why_grade(older, "abc", now, LAB1) == "an older grader's fingerprint (without checks, extension)"


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


@pytest.mark.alone  # it edits the checkout's judge of lab 01 for a while: any test grading lab 01 beside it would see it
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
