"""The Gradescope autograder (autograder/platforms/gradescope.py): the zip, and its run_autograder
on a simulated /autograder tree, graded the way Gradescope's containers grade (no user
namespaces: a `bwrap` that cannot make them is first on PATH).

The zip's run_autograder runs from a clean folder, with only what the zip holds and the installed
environment: `python -I`, no PYTHONPATH, a working directory outside the checkout, and the grader
it reports is the unzipped one.
"""
from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import jsonschema
import nbformat
import pytest

from autograder.__main__ import main as cli
from autograder.course.labs import ROOT, manual_points, max_points, student_path
from autograder.demo.synthetic_class import completed_notebook
from autograder.grading.results import CellResult, Status, SubmissionResult
from autograder.judging.judges import Verdict
from autograder.judging.mistakes import catalogue
from autograder.platforms import gradescope
from autograder.platforms.gradescope import GradescopeError, build_zip, needed_labs, results_json, submitter
from tests.conftest import LAB01

SECRET = "test secret of the gradescope zip"
USER_ID = 4242
VISIBILITY = ["hidden", "after_due_date", "after_published", "visible"]
FORMATS = ["text", "html", "simple_format", "md", "ansi"]

# results.json as Gradescope's autograder specification describes it
# (gradescope-autograders.readthedocs.io/en/latest/specs/), with what this grader always writes required.
TEST_SCHEMA = {
    "type": "object",
    "properties": {
        "score": {"type": "number"}, "max_score": {"type": "number"},
        "status": {"enum": ["passed", "failed"]}, "name": {"type": "string"},
        "name_format": {"enum": FORMATS}, "number": {"type": "string"}, "output": {"type": "string"},
        "output_format": {"enum": FORMATS}, "tags": {"type": "array", "items": {"type": "string"}},
        "visibility": {"enum": VISIBILITY}, "extra_data": {"type": "object"},
    },
    "required": ["name", "score", "max_score", "output", "visibility"],
    "additionalProperties": False,
}
RESULTS_SCHEMA = {
    "type": "object",
    "properties": {
        "score": {"type": "number", "minimum": 0}, "execution_time": {"type": "number", "minimum": 0},
        "output": {"type": "string"}, "output_format": {"enum": FORMATS},
        "test_output_format": {"enum": FORMATS}, "test_name_format": {"enum": FORMATS},
        "visibility": {"enum": VISIBILITY}, "stdout_visibility": {"enum": VISIBILITY},
        "extra_data": {"type": "object"}, "tests": {"type": "array", "items": TEST_SCHEMA},
        "leaderboard": {"type": "array"},
    },
    "required": ["score", "output", "tests"],
    "additionalProperties": False,
}


def valid(results: dict) -> dict:
    jsonschema.validate(results, RESULTS_SCHEMA)
    return results


@pytest.fixture(scope="module")
def secret():
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NNLABS_COURSE_SECRET", SECRET)
        yield SECRET


@pytest.fixture(scope="module")
def zip_path(secret, tmp_path_factory) -> Path:
    return build_zip(LAB01, tmp_path_factory.mktemp("zip"))


@pytest.fixture(scope="module")
def autograder_root(zip_path, tmp_path_factory) -> Path:
    """/autograder as Gradescope builds it: the zip unpacked into source/ (with its files' modes)."""
    root = tmp_path_factory.mktemp("gradescope") / "autograder"
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(root / "source")
        for info in archive.infolist():
            (root / "source" / info.filename).chmod(info.external_attr >> 16 & 0o777)
    return root


@pytest.fixture(scope="module")
def no_namespaces(tmp_path_factory) -> Path:
    """A folder whose `bwrap` fails as it does in a container without user namespaces."""
    folder = tmp_path_factory.mktemp("bin")
    (folder / "bwrap").write_text("#!/bin/sh\necho 'bwrap: No permissions to create new namespace' >&2\nexit 1\n")
    (folder / "bwrap").chmod(0o755)
    return folder


def hand_in(root: Path, files: dict[str, bytes], users=({"id": USER_ID, "email": "ada@example.org",
                                                          "name": "Ada"},)) -> None:
    """What Gradescope's harness puts in /autograder for one submission."""
    for old in (root / "submission", root / "results"):
        if old.exists():
            for path in sorted(old.rglob("*"), reverse=True):
                path.rmdir() if path.is_dir() else path.unlink()
    (root / "submission").mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (root / "submission" / name).write_bytes(data)
    (root / "submission_metadata.json").write_text(json.dumps({
        "id": 123456, "created_at": "2026-12-07T14:22:32.365935-07:00", "assignment": {"title": LAB01},
        "submission_method": "upload", "users": list(users), "previous_submissions": []}))


def run_zip(root: Path, bin_dir: Path, python: str = sys.executable) -> tuple[dict, str]:
    """Run the unpacked run_autograder as Gradescope does (in /autograder), with a clean
    environment; (results.json, its stdout)."""
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(root.parent), "LANG": "C.UTF-8",
           "NNLABS_GRADESCOPE_ROOT": str(root), "NNLABS_GRADESCOPE_PYTHON": python}
    run = subprocess.run(["bash", str(root / "source" / "run_autograder")], cwd=root, env=env,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    return valid(json.loads((root / "results" / "results.json").read_text())), run.stdout + run.stderr


def notebook_bytes(nb) -> bytes:
    return nbformat.writes(nb).encode()


# the zip -------------------------------------------------------------------------------------

def test_the_zip_holds_the_grader_the_lab_and_the_secret(zip_path):
    with zipfile.ZipFile(zip_path) as archive:
        names = set(archive.namelist())
        modes = {info.filename: info.external_attr >> 16 & 0o777 for info in archive.infolist()}
        setup = archive.read("setup.sh").decode()
        assert archive.read("course_secret.txt").decode().strip() == SECRET
        requirements = archive.read("requirements.txt").decode()
        manifest = json.loads(archive.read("gradescope.json"))
    assert {"setup.sh", "run_autograder", "grader/gradescope_main.py", "grader/nbgrader_config.py",
            "grader/autograder/platforms/gradescope.py", "grader/autograder/judging/hidden_cases/lab01.py",
            "grader/labutils/checks/fixtures/01_matrix_shapes.json", f"grader/labs/{LAB01}/{LAB01}.ipynb",
            f"grader/solutions/{LAB01}/{LAB01}.ipynb"} <= names
    assert not [name for name in names if "__pycache__" in name or name.endswith(".pyc")]
    assert {name.split("/")[2] for name in names if name.startswith("grader/solutions/")} == {LAB01}
    assert modes["setup.sh"] == modes["run_autograder"] == 0o755 and modes["course_secret.txt"] == 0o600
    assert "python3.11" in setup and "--index-url https://download.pytorch.org/whl/cpu" in setup
    assert '"torch==2.13.0"' in setup and "torch==2.13.0" in requirements and "nbgrader==" in requirements
    assert manifest["lab"] == LAB01 and manifest["visibility"] == "visible" and not manifest["demo_secret"]


def test_a_lab_carries_the_solutions_its_judges_read():
    assert needed_labs(LAB01) == [LAB01]
    assert needed_labs("07_dropout") == ["05_gradient_descent", "06_backprop", "07_dropout"]


def test_the_demo_secret_is_refused_unless_allowed(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("NNLABS_COURSE_SECRET", raising=False)
    with pytest.raises(GradescopeError, match="demo secret is public.*--allow-demo-secret"):
        build_zip(LAB01, tmp_path)
    assert cli(["gradescope", LAB01, "--out", str(tmp_path)]) == 1
    assert "--allow-demo-secret" in capsys.readouterr().err and not list(tmp_path.iterdir())
    assert cli(["gradescope", LAB01, "--out", str(tmp_path), "--allow-demo-secret"]) == 0
    assert gradescope.zip_manifest(tmp_path / f"gradescope-{LAB01}.zip")["demo_secret"]


# run_autograder: the zip's, from a clean folder ------------------------------------------------

def test_a_correct_submission_earns_every_point_from_the_zip_alone(autograder_root, no_namespaces):
    hand_in(autograder_root, {f"{LAB01}.ipynb": notebook_bytes(completed_notebook(LAB01))})
    results, stdout = run_zip(autograder_root, no_namespaces)
    grader = autograder_root / "source" / "grader"
    # the grader and labutils are the unzipped ones, not the checkout's (installed editable in the venv)
    assert f"grader: {grader / 'autograder'}, labutils: {grader / 'labutils'}" in stdout
    assert str(ROOT) not in stdout.replace(sys.executable, "")
    assert f"student id '{USER_ID}'" in stdout
    assert results["score"] == max_points(LAB01) == sum(test["max_score"] for test in results["tests"])
    assert [test["name"] for test in results["tests"]] == ["product_shape", "matmul", "ffnn_forward"]
    assert all(test["status"] == "passed" and "Hidden tests: " in test["output"] for test in results["tests"])
    assert results["extra_data"]["student"] == str(USER_ID)
    # no namespaces: kernels ran with the resource limits only, and the students are told
    assert "NOT SANDBOXED" in results["output"] and "resource limits only" in results["output"]


def test_a_mistake_costs_its_exercise_and_is_named(autograder_root, no_namespaces):
    mistake = next(m for m in catalogue(LAB01) if m.task == "matmul")
    hand_in(autograder_root, {"my lab.ipynb": notebook_bytes(completed_notebook(LAB01, [mistake]))})
    results, _ = run_zip(autograder_root, no_namespaces)
    by_name = {test["name"]: test for test in results["tests"]}
    assert by_name["matmul"]["score"] == 0 and by_name["matmul"]["status"] == "failed"
    assert mistake.name in by_name["matmul"]["output"] and "Hidden tests: failed" in by_name["matmul"]["output"]
    assert results["score"] == max_points(LAB01) - by_name["matmul"]["max_score"]
    assert results["extra_data"]["mistakes"] == [mistake.name]
    # intake graded the one notebook under its own name, and says so
    assert "the notebook was named my lab.ipynb" in results["output"]


def test_the_untouched_release_scores_zero(autograder_root, no_namespaces):
    hand_in(autograder_root, {f"{LAB01}.ipynb": student_path(LAB01).read_bytes()})
    results, _ = run_zip(autograder_root, no_namespaces)
    assert results["score"] == 0 and len(results["tests"]) == 3
    assert all(test["status"] == "failed" and test["max_score"] > 0 for test in results["tests"])
    assert all("NotImplementedError" in test["output"] for test in results["tests"])


def test_run_autograder_writes_results_when_python_cannot_start(autograder_root, no_namespaces):
    hand_in(autograder_root, {f"{LAB01}.ipynb": b"{}"})
    results, _ = run_zip(autograder_root, no_namespaces, python="/nonexistent/python")
    assert results["score"] == 0 and "tell the course staff" in results["output"]


# run_autograder in this process: what cannot be graded ------------------------------------------

@pytest.fixture
def checkout_root(tmp_path, secret) -> Path:
    """/autograder for the checkout's own grader: source/ holds the zip's manifest and secret."""
    root = tmp_path / "autograder"
    (root / "source").mkdir(parents=True)
    (root / "source" / "gradescope.json").write_text(json.dumps({"lab": LAB01, "visibility": "after_due_date"}))
    (root / "source" / "course_secret.txt").write_text(SECRET + "\n")
    return root


@pytest.mark.parametrize("files, why", [
    ({f"{LAB01}.ipynb": b'{"cells": [{"cell_type": "code", "sour'}, "not valid JSON"),
    ({f"{LAB01}.ipynb": b'{"hello": "world"}'}, "cannot be read"),
    ({"answers.py": b"def matmul(A, B): ...\n"}, f"no {LAB01}.ipynb was submitted"),
])
def test_a_broken_submission_scores_zero_and_says_why(checkout_root, files, why):
    hand_in(checkout_root, files)
    results = valid(gradescope.run_autograder(checkout_root))
    assert results == json.loads((checkout_root / "results" / "results.json").read_text())
    assert results["score"] == 0 and why in results["output"] and "Status: error:" in results["output"]
    assert [test["max_score"] for test in results["tests"]] == [1, 2, 2]
    assert all(test["score"] == 0 and test["output"].startswith("Not graded: error:") for test in results["tests"])
    assert results["visibility"] == "after_due_date" == results["tests"][0]["visibility"]


def test_a_failing_grader_still_writes_results(checkout_root):
    (checkout_root / "source" / "gradescope.json").unlink()
    hand_in(checkout_root, {f"{LAB01}.ipynb": b"{}"})
    results = valid(gradescope.run_autograder(checkout_root))
    assert results["score"] == 0 and results["output"] == gradescope.GRADER_FAILED
    assert "FileNotFoundError" in results["extra_data"]["error"]


# the parts ---------------------------------------------------------------------------------------

def test_the_seed_is_the_submitters_gradescope_id(tmp_path):
    metadata = tmp_path / "submission_metadata.json"
    metadata.write_text(json.dumps({"users": [{"id": 98765, "email": "b@x", "name": "B"},
                                              {"id": 1234, "email": "a@x", "name": "A"}]}))
    assert submitter(metadata) == ("1234", "Gradescope user 1234, the first of the group 1234, 98765")
    metadata.write_text(json.dumps({"users": [{"id": 5, "email": "e@x", "name": "E"}]}))
    assert submitter(metadata)[0] == "5"
    assert submitter(tmp_path / "missing.json")[0] == gradescope.UNKNOWN_STUDENT


def test_written_answers_are_left_to_manual_grading():
    lab = "08_training_loop"
    exercises = gradescope.lab_exercises(lab)
    result = SubmissionResult("4242", lab, status=Status.GRADED, max_points=max_points(lab),
                              manual_points=manual_points(lab))
    grade_id, task, points = exercises[0]
    result.cells[grade_id] = CellResult(True, None, Verdict(grade_id, task, True, f"{task}: passed 2 hidden cases"),
                                        points=points, max_points=points)
    result.points = points
    written = [("spread_answer", manual_points(lab), "The spread shrinks as the batch grows.")]
    results = valid(results_json(result, exercises, 12.3, written=written))
    graded = [test for test in results["tests"] if test["visibility"] != "hidden"]
    assert sum(test["max_score"] for test in graded) == max_points(lab) and results["score"] == points
    assert "graded by hand by the course staff on Gradescope" in results["output"]
    assert f"{manual_points(lab):g} more points to be graded by hand" in results["output"]
    [answer] = [test for test in results["tests"] if test["visibility"] == "hidden"]
    assert answer["max_score"] == answer["score"] == 0 and "batch grows" in answer["output"]
