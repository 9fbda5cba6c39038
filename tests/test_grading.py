"""End to end through nbgrader: a synthetic class and hostile submissions, graded once.

The class is the demo's (solution, untouched, one student per catalogued mistake, two
with two mistakes) plus students who attack the checks, write to stderr, loop forever
or kill their kernel. Each test reads the one grading run.
"""
import csv
import json
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell

from autograder.classroom import build_class, completed_notebook, one_student_per_mistake, write_submission
from autograder.grading import autograde_config, grade
from autograder.labs import read_notebook, student_path
from autograder.mistakes import catalogue

LAB = "01_matrix_shapes"
TIMEOUT = 5


def insert_after(nb, cell_id: str, code: str):
    index = next(i for i, cell in enumerate(nb.cells) if cell.get("id") == cell_id)
    nb.cells.insert(index + 1, new_code_cell(code))
    return nb


def first_mistake(task):
    return next(m for m in catalogue(LAB) if m.task == task)


WRONG_EVERYWHERE = [first_mistake("product_shape"), first_mistake("matmul"), first_mistake("ffnn_forward")]

HOSTILE = {
    # Replaces the check of matmul with one that always succeeds.
    "patches-the-check": (
        [first_mistake("matmul")], "setup",
        "import labutils.checks.lab01 as lab01\n"
        "lab01.check_matmul = lambda fn: print('✔ matmul: all public cases pass')\n"),
    # Disarms the check engine and the assertion machinery.
    "patches-the-engine": (
        WRONG_EVERYWHERE, "setup",
        "import builtins, labutils.checks.engine as engine, labutils.checks.lab01 as lab01\n"
        "engine.run_check = lab01.run_check = lambda *args, **kwargs: None\n"
        "lab01.CheckFailed = engine.CheckFailed = type('Never', (Exception,), {})\n"
        "builtins.AssertionError = type('Never', (Exception,), {})\n"),
    # Rewrites every later cell, test cells and the grader's probes included, to `pass`.
    "input-transformer": (
        None, "setup",
        "get_ipython().input_transformers_cleanup.append(lambda lines: ['pass\\n'])\n"),
    # Hides every traceback.
    "hides-tracebacks": (
        WRONG_EVERYWHERE, "setup",
        "import sys\n"
        "get_ipython().showtraceback = lambda *args, **kwargs: None\n"
        "sys.excepthook = lambda *args: None\n"),
    # Right answers, noisy on stderr: a warning must cost nothing.
    "warns-on-stderr": (
        [], "setup",
        "import sys, warnings\n"
        "_matmul_loops = None\n"
        "def noisy(fn):\n"
        "    def wrapper(*args, **kwargs):\n"
        "        warnings.warn('loops in Python are slow', RuntimeWarning)\n"
        "        print('debug: called', fn.__name__, file=sys.stderr)\n"
        "        return fn(*args, **kwargs)\n"
        "    return wrapper\n"),
    # Right answers, then a cell that never ends.
    "loops-after-answering": ([], "summary", "while True:\n    pass\n"),
    # The kernel ends itself before any answer is checked.
    "exits-the-kernel": ([], "setup", "import os\nos._exit(1)\n"),
}


BROKEN_FILES = [
    ("corrupt-json", f"{LAB}.ipynb", b'{"cells": [{"cell_type": "code", '),
    ("empty-file", f"{LAB}.ipynb", b""),
    ("latin-1", f"{LAB}.ipynb", '{"caf\u00e9": 1}'.encode("latin-1")),
    ("wrong-name", "lab1.ipynb", (Path(__file__).parent.parent / "labs" / LAB / f"{LAB}.ipynb").read_bytes()),
]


def hostile_notebook(student_id):
    mistakes, after, code = HOSTILE[student_id]
    nb = read_notebook(student_path(LAB)) if mistakes is None else completed_notebook(LAB, mistakes)
    nb = insert_after(nb, after, code)
    if student_id == "warns-on-stderr":
        for cell in nb.cells:
            if cell.get("id") in ("product_shape", "matmul", "ffnn_forward"):
                cell.source = "@noisy\n" + cell.source
    return nb


def looping_matmul_notebook():
    nb = completed_notebook(LAB)
    for cell in nb.cells:
        if cell.get("id") == "matmul":
            cell.source = "def matmul(A, B):\n    while True:\n        pass\n"
    return nb


@pytest.fixture(scope="session")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("class")
    submitted = root / "submitted"
    expected = build_class(one_student_per_mistake(LAB), submitted)
    for student_id in HOSTILE:
        write_submission(submitted, student_id, LAB, hostile_notebook(student_id))
    write_submission(submitted, "loops-in-matmul", LAB, looping_matmul_notebook())
    for student_id, name, content in BROKEN_FILES:
        path = submitted / student_id / LAB / name
        path.parent.mkdir(parents=True)
        path.write_bytes(content)
    results = grade(submitted, root / "out", timeout=TIMEOUT)
    return {"root": root, "expected": expected, "results": {r.student_id: r for r in results}}


def points(graded, student_id):
    return graded["results"][student_id].points


def cell_points(graded, student_id):
    return {grade_id: cell["points"] for grade_id, cell in graded["results"][student_id].cells.items()}


def test_the_solution_scores_full_marks_and_the_untouched_version_zero(graded):
    assert points(graded, "solution") == 5
    assert points(graded, "untouched") == 0
    for cell in graded["results"]["untouched"].cells.values():
        assert "task" in cell["check_message"] and cell["judge"]["task"] in cell["check_message"]


def test_each_mistake_costs_exactly_its_cell_and_the_judge_names_it(graded):
    task_of_cell = {"test_product_shape": "product_shape", "test_matmul": "matmul",
                    "test_ffnn_forward": "ffnn_forward"}
    for student_id, labs in graded["expected"].items():
        mistakes = labs[LAB]
        if not mistakes:
            continue
        wrong_tasks = {m.task: m.name for m in mistakes}
        for grade_id, cell in graded["results"][student_id].cells.items():
            task = task_of_cell[grade_id]
            if task in wrong_tasks:
                assert cell["points"] == 0, (student_id, grade_id)
                assert cell["judge"]["mistake"] == wrong_tasks[task], (student_id, cell["judge"])
                assert wrong_tasks[task] in cell["check_message"], (student_id, cell["check_message"])
            else:
                assert cell["points"] == cell["max_points"], (student_id, grade_id, cell)


def test_patching_the_check_passes_the_check_but_not_the_judge(graded):
    cells = graded["results"]["patches-the-check"].cells
    assert cells["test_matmul"]["check_passed"]
    assert not cells["test_matmul"]["judge"]["passed"]
    assert cell_points(graded, "patches-the-check") == {
        "test_product_shape": 1, "test_matmul": 0, "test_ffnn_forward": 2}


def test_disarming_the_engine_and_assertions_scores_nothing(graded):
    cells = graded["results"]["patches-the-engine"].cells
    assert all(cell["check_passed"] for cell in cells.values())
    assert points(graded, "patches-the-engine") == 0


def test_an_input_transformer_that_silences_later_cells_scores_nothing(graded):
    result = graded["results"]["input-transformer"]
    assert points(graded, "input-transformer") == 0
    assert all("no result came back" in cell["judge"]["message"] for cell in result.cells.values())


def test_hidden_tracebacks_still_fail(graded):
    assert points(graded, "hides-tracebacks") == 0
    assert not any(cell["check_passed"] for cell in graded["results"]["hides-tracebacks"].cells.values())


def test_warnings_and_stderr_cost_nothing(graded):
    assert points(graded, "warns-on-stderr") == 5
    notebook = graded["root"] / "out" / "autograded" / "warns-on-stderr" / LAB / f"{LAB}.ipynb"
    outputs = [o for cell in nbformat.read(notebook, as_version=4).cells for o in cell.get("outputs", [])]
    assert any(o.get("name") == "stderr" for o in outputs), "the submission did write to stderr"


def test_an_infinite_loop_times_out_and_grading_goes_on(graded):
    assert points(graded, "loops-after-answering") == 5
    assert cell_points(graded, "loops-in-matmul") == {
        "test_product_shape": 1, "test_matmul": 0, "test_ffnn_forward": 2}
    execution = graded["results"]["loops-in-matmul"]
    assert execution.seconds < 6 * TIMEOUT


def test_a_kernel_that_exits_scores_zero_with_a_reason_and_others_are_graded(graded):
    result = graded["results"]["exits-the-kernel"]
    assert result.points == 0
    assert "died" in result.status
    assert points(graded, "solution") == 5


@pytest.mark.parametrize("student_id, reason", [
    ("corrupt-json", "not valid JSON"), ("empty-file", "empty"), ("latin-1", "not UTF-8"),
    ("wrong-name", "no 01_matrix_shapes.ipynb was submitted (found lab1.ipynb)")])
def test_unreadable_submissions_get_a_clear_status_and_zero(graded, student_id, reason):
    result = graded["results"][student_id]
    assert result.status.startswith("error") and reason in result.status
    assert result.points == 0 and result.max_points == 5


def test_grading_again_changes_nothing(graded, tmp_path):
    before = (graded["root"] / "out" / "grades.csv").read_text()
    again = grade(graded["root"] / "submitted", graded["root"] / "out", timeout=TIMEOUT)
    assert (graded["root"] / "out" / "grades.csv").read_text() == before
    assert {r.student_id: r.points for r in again} == {s: r.points for s, r in graded["results"].items()}


def test_grades_csv_has_a_row_per_student_and_a_total(graded):
    rows = list(csv.DictReader((graded["root"] / "out" / "grades.csv").open()))
    by_student = {row["student_id"]: row for row in rows}
    assert set(by_student) == set(graded["results"])
    assert by_student["solution"][LAB] == "5" and by_student["solution"]["total"] == "5"
    assert by_student["untouched"]["total"] == "0"


def test_results_go_into_nbgraders_gradebook_and_its_feedback_works(graded):
    from nbgrader.api import Gradebook
    from nbgrader.converters import GenerateFeedback
    from nbgrader.coursedir import CourseDirectory

    out = graded["root"] / "out"
    with Gradebook(f"sqlite:///{out / 'gradebook.db'}") as gb:
        assert gb.find_submission(LAB, "solution").score == 5
        assert gb.find_submission(LAB, "mistake-matmul-transposed-indexing").score == 3
    config = autograde_config(graded["root"] / "submitted", out, None)
    config.CourseDirectory.feedback_directory = str(out / "feedback")
    coursedir = CourseDirectory(config=config)
    coursedir.assignment_id, coursedir.student_id = LAB, "mistake-matmul-transposed-indexing"
    GenerateFeedback(coursedir=coursedir, config=config).start()
    html = next((out / "feedback").rglob("*.html")).read_text()
    assert "transposed indexing" in html and "HiddenTestsFailed" in html


def test_each_submission_has_a_results_file(graded):
    for student_id in graded["results"]:
        path = graded["root"] / "out" / "results" / student_id / f"{LAB}.json"
        result = json.loads(path.read_text())
        assert result["lab"] == LAB and graded["results"][student_id].status.startswith(result["status"])
        if result["status"] == "graded":
            assert set(result["cells"]) == {"test_product_shape", "test_matmul", "test_ffnn_forward"}
