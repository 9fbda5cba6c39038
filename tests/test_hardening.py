"""Issue 29, part 2: what students hand in cannot reach the instructor through the outputs, slip
past a source rule, or be graded with a secret nobody chose.

- CSV cells a spreadsheet would run as formulas are written as text (autograder.outputs.export);
- students' HTML, SVG and script outputs are sanitised in the graded notebooks, so nbgrader's
  feedback pages hold no student script (autograder.grading.sanitize);
- lab 01's matmul and lab 02's tanh are judged on what they call, however they reach it
  (labutils.source_rules: the rule on the notebook's source, and the watched harness);
- grade refuses a class without NNLABS_COURSE_SECRET unless the demo secret is asked for.

One small class of lab 01 is graded once for the first two and the matmul bypasses.
"""
from __future__ import annotations

import csv
import json
import linecache
import os
import re
from html.parser import HTMLParser

import nbformat
import numpy as np
import pytest
from nbformat.v4 import new_code_cell

from autograder.course.labs import is_setup_cell, is_solution_cell, read_notebook, source_path
from autograder.demo.synthetic_class import completed_notebook, write_submission
from autograder.grading.results import Status
from autograder.grading.sanitize import clean_data, clean_metadata
from autograder.grading.worker import autograde_config
from autograder.judging.judges import (
    COURSE_SECRET_SAID,
    DEMO_SECRET_SAID,
    DEMO_SECRET_VARIABLE,
    SECRET_VARIABLE,
    LocalSubject,
    SecretMissing,
    judges_for,
    run_judge,
)
from autograder.judging.reference import build_namespace
from autograder.outputs.export import export, safe_cell
from autograder.outputs.report import report_html
from autograder.pipeline.run import grade_run
from labutils.source_rules import (
    LibraryShortcut,
    built_from_exponentials,
    explicit_loops,
    function_source,
    products_watched,
)

LAB1, LAB2 = "01_matrix_shapes", "02_activations"
FORMULA_ID = "=2+5"

# The named bypasses of the source rules, each as the cells a student adds after the solution.
MATMUL_BYPASSES = {
    "dunder": ("def matmul(A, B):\n    return np.asarray(A).__matmul__(B)\n", "__matmul__"),
    "getattr": ('def matmul(A, B):\n    return getattr(np, "mat" + "mul")(A, B)\n', "getattr"),
    "rebinds": ("matmul = lambda A, B: A @ B\n", "@ operator"),
}
TANH_BYPASSES = {
    "imports": ("from numpy import tanh\n", "tanh"),
    "imports-as": ("from numpy import tanh as np_tanh\n\ndef tanh(x):\n    return np_tanh(x)\n", "tanh"),
}

DISPLAYS = """\
from IPython.display import HTML, SVG, Javascript, display
display(HTML('<b>ok</b><script>alert(1)</script><table><tr><td>cell</td></tr></table>'))
display(SVG('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10" onload="alert(2)">'
            '<rect width="5" height="5" fill="red"/></svg>'))
display(Javascript('alert(3)'))
display({"image/png": 'x" onerror="alert(4)', "text/plain": "an image"}, raw=True)
display({"application/vnd.jupyter.widget-view+json": {"model_id": "x"}, "text/plain": "a widget"}, raw=True)
"""


# --- part 1: CSV formula injection -----------------------------------------------------------------

@pytest.mark.parametrize("value, written", [
    ("=2+5", "'=2+5"), ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'), ("@SUM(1+9)", "'@SUM(1+9)"),
    ("+1+1", "'+1+1"), ("-cmd", "'-cmd"), ("\tx", "'\tx"), ("\rx", "'\rx"),
    ("-0.5", "-0.5"), ("+3", "+3"), ("1e-3", "1e-3"), ("ada", "ada"), ("", ""), (-0.5, -0.5), (3, 3),
])
def test_a_cell_a_spreadsheet_would_run_is_text_and_a_number_stays_a_number(value, written):
    assert safe_cell(value) == written


# --- part 3: source rules, in process (the kernel's harness and the notebook's source) -------------

def notebook(lab_id: str, added: str) -> tuple[dict, list[str]]:
    """The solution's namespace with `added` run after it as a later cell (its source readable as
    IPython keeps a cell's), and the code cells' sources as the grader reads them."""
    namespace = build_namespace(lab_id)
    filename = f"<cell of {lab_id}: {abs(hash(added))}>"
    linecache.cache[filename] = (len(added), None, added.splitlines(keepends=True), filename)
    exec(compile(added, filename, "exec"), namespace)
    cells = [cell.source for cell in read_notebook(source_path(lab_id)).cells
             if is_setup_cell(cell) or is_solution_cell(cell)]
    return namespace, [*cells, added]


def judged(lab_id: str, task: str, namespace: dict, cells: list[str], seed: int = 7):
    judge = judges_for(lab_id)[f"test_{task}"]
    return run_judge(lab_id, f"test_{task}", judge, LocalSubject(namespace, {task: function_source(cells, task)}), seed)


@pytest.mark.parametrize("bypass", MATMUL_BYPASSES, ids=list(MATMUL_BYPASSES))
def test_a_matmul_that_reaches_a_library_product_fails_check_rule_and_judge(bypass):
    from labutils.checks import lab01
    added, route = MATMUL_BYPASSES[bypass]
    namespace, cells = notebook(LAB1, added)
    with pytest.raises(Exception) as failure:
        lab01.check_matmul(namespace["matmul"])
    said = str(failure.value)
    assert "explicit loops" in said and route in said, said
    rule = explicit_loops(function_source(cells, "matmul"))  # the judge's reading of the notebook
    assert rule is not None and route in rule, rule
    verdict = judged(LAB1, "matmul", namespace, cells)
    assert not verdict.passed and "explicit loops" in verdict.message, verdict.message


@pytest.mark.parametrize("bypass", TANH_BYPASSES, ids=list(TANH_BYPASSES))
def test_a_tanh_that_reaches_numpys_fails_check_and_judge(bypass):
    from labutils.checks import lab02
    added, route = TANH_BYPASSES[bypass]
    namespace, cells = notebook(LAB2, added)
    with pytest.raises(Exception) as failure:
        lab02.check_tanh(namespace["tanh"])
    said = str(failure.value)
    assert "exponentials" in said and route in said, said
    verdict = judged(LAB2, "tanh", namespace, cells)
    assert not verdict.passed and "exponentials" in verdict.message, verdict.message


def test_from_numpy_import_tanh_after_the_def_fails_the_rule_on_the_notebooks_source():
    _, cells = notebook(LAB2, TANH_BYPASSES["imports"][0])
    assert function_source(cells, "tanh") == "from numpy import tanh"
    assert "numpy.tanh" in built_from_exponentials(function_source(cells, "tanh"))


@pytest.mark.parametrize("lab_id, task", [(LAB1, "matmul"), (LAB2, "tanh")])
def test_the_right_answer_keeps_full_marks(lab_id, task, capsys):
    from autograder.course.labs import checks_module
    namespace, cells = notebook(lab_id, "x_unused = 0\n")
    getattr(checks_module(lab_id), f"check_{task}")(namespace[task])
    assert f"✔ {task}" in capsys.readouterr().out
    assert judged(lab_id, task, namespace, cells).passed


def test_a_variable_named_like_a_routine_is_no_shortcut():
    source = ("def matmul(A, B):\n    C = np.zeros((A.shape[0], B.shape[1]))\n    for i in range(A.shape[0]):\n"
              "        for j in range(B.shape[1]):\n            dot = 0.0\n            for k in range(A.shape[1]):\n"
              "                dot += A[i, k] * B[k, j]\n            C[i, j] = dot\n    return C\n")
    assert explicit_loops(source) is None
    namespace, _ = notebook(LAB1, source)
    assert np.allclose(products_watched(namespace["matmul"], None, np.ones((2, 3)), np.ones((3, 2))), 3.0)


def test_a_product_the_code_does_not_name_is_seen_on_the_arrays():
    """A function whose code names no product (it calls one from elsewhere: here, code with
    globals of its own, as a library's) is caught by the watched arrays."""
    elsewhere = {"np": np}
    exec("def product(A, B):\n    return np.matmul(A, B)\n", elsewhere)
    matmul = eval(compile("lambda A, B: product(A, B)", "<cell>", "eval"), {"product": elsewhere["product"]})
    with pytest.raises(LibraryShortcut, match=r"computes with np\.matmul"):
        products_watched(matmul, None, np.ones((2, 3)), np.ones((3, 2)))


# --- part 2: outputs sanitised ------------------------------------------------------------------------

def test_html_svg_and_scripts_are_cleaned_and_readable_outputs_kept():
    data, dropped = clean_data({
        "text/html": '<b>ok</b><script>alert(1)</script><img src="data:image/png;base64,iVBORw0KGgo=" onerror="x">'
                     '<table class="dataframe"><tr><td style="color: red; position: fixed">1</td></tr></table>'
                     '<a href="javascript:alert(2)">link</a><iframe src="http://x"></iframe>',
        "image/svg+xml": '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(3)"><script>alert(4)</script>'
                         '<rect width="1" height="1" onclick="x"/><foreignObject><b>f</b></foreignObject></svg>',
        "application/javascript": "alert(5)", "application/vnd.bokehjs_exec.v0+json": {},
        "image/png": 'x" onerror="alert(6)', "image/jpeg": "iVBORw0KGgo=\n", "text/plain": "text",
    })
    html, svg = data["text/html"], data["image/svg+xml"]
    assert "<b>ok</b>" in html and '<td style="color:red">1</td>' in html.replace("color: red", "color:red")
    assert 'src="data:image/png;base64,iVBORw0KGgo="' in html
    for bad in ("<script", "onerror", "javascript:", "iframe", "position"):
        assert bad not in html, (bad, html)
    assert "<rect" in svg and not re.search(r"script|onload|onclick|foreignObject", svg), svg
    assert set(dropped) == {"application/javascript", "application/vnd.bokehjs_exec.v0+json", "image/png"}
    assert data["image/jpeg"] == "iVBORw0KGgo=\n" and data["text/plain"] == "text"
    assert clean_metadata({"image/png": {"width": "1 onerror=alert(1)", "height": 30},
                           "filenames": {"image/png": "http://x"}}) == {"image/png": {"height": 30}}


def test_the_preprocessor_cleans_a_notebooks_outputs_and_drops_its_widget_state():
    from autograder.grading.sanitize import SanitizeOutputs
    nb = nbformat.v4.new_notebook(metadata={"widgets": {"application/vnd.jupyter.widget-state+json": {}}})
    cell = new_code_cell("x")
    cell.outputs = [nbformat.v4.new_output("display_data", {"text/html": "<b>ok</b><script>alert(1)</script>"}),
                    nbformat.v4.new_output("execute_result", {"application/javascript": "alert(2)"}, execution_count=1),
                    nbformat.v4.new_output("stream", name="stdout", text="<script>printed</script>")]
    nb.cells.append(cell)
    nb, _ = SanitizeOutputs()(nb, {})
    html, script, stream = nb.cells[0].outputs
    assert html.data == {"text/html": "<b>ok</b>"} and "widgets" not in nb.metadata
    assert list(script.data) == ["text/plain"] and "application/javascript" in script.data["text/plain"]
    assert stream.text == "<script>printed</script>"  # text: nbconvert escapes it


# --- part 4: the secret ------------------------------------------------------------------------------

def test_grade_refuses_a_class_without_the_course_secret(tmp_path, monkeypatch, capsys):
    from autograder.__main__ import main
    monkeypatch.delenv(SECRET_VARIABLE, raising=False)
    monkeypatch.delenv(DEMO_SECRET_VARIABLE, raising=False)
    (tmp_path / "submitted").mkdir()
    with pytest.raises(SecretMissing, match=f"{SECRET_VARIABLE} is not set.*--demo-secret"):
        grade_run(tmp_path / "submitted", tmp_path / "out", labs=[LAB1])
    assert not (tmp_path / "out").exists()  # refused before anything was done
    assert main(["grade", str(tmp_path / "submitted"), "--out", str(tmp_path / "out")]) == 1
    assert SECRET_VARIABLE in capsys.readouterr().err


def test_the_report_says_which_secret_graded_the_class(monkeypatch):
    monkeypatch.delenv(SECRET_VARIABLE, raising=False)
    assert DEMO_SECRET_SAID in report_html([], "bubblewrap")
    monkeypatch.setenv(SECRET_VARIABLE, "a course's own secret")
    page = report_html([], "bubblewrap")
    assert COURSE_SECRET_SAID in page and DEMO_SECRET_SAID not in page


# --- one graded class of lab 01 ------------------------------------------------------------------------

def with_cell_after_setup(nb, code: str):
    index = next(i for i, cell in enumerate(nb.cells) if is_setup_cell(cell))
    nb.cells.insert(index + 1, new_code_cell(code))
    return nb


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("hardened")
    submitted, out = root / "submitted", root / "out"
    write_submission(submitted, FORMULA_ID, LAB1, completed_notebook(LAB1))
    write_submission(submitted, "shows-html", LAB1, with_cell_after_setup(completed_notebook(LAB1), DISPLAYS))
    for bypass, (added, _) in MATMUL_BYPASSES.items():
        nb = completed_notebook(LAB1)
        index = next(i for i, cell in enumerate(nb.cells) if cell.get("id") == "matmul")
        nb.cells.insert(index + 1, new_code_cell(added))  # a later cell than the loops' def
        write_submission(submitted, f"matmul-{bypass}", LAB1, nb)
    run = grade_run(submitted, out, labs=[LAB1], timeout=10)
    return {"root": root, "submitted": submitted, "out": out, "results": {r.student_id: r for r in run.submissions}}


def read_csv(path):
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def test_grades_csv_writes_a_formula_id_as_text_and_scores_as_numbers(graded):
    result = graded["results"][FORMULA_ID]
    assert (result.status, result.points) == (Status.GRADED, result.max_points)
    rows = {row[0]: row for row in read_csv(graded["out"] / "grades.csv")}
    assert f"'{FORMULA_ID}" in rows and FORMULA_ID not in rows
    assert rows[f"'{FORMULA_ID}"][1:3] == [f"{result.max_points:g}"] * 2


def test_lms_exports_write_roster_formulas_as_text(graded, tmp_path):
    canvas = tmp_path / "canvas_roster.csv"
    canvas.write_text('Student,ID,SIS User ID,SIS Login ID,Section,01_matrix_shapes (1)\n'
                      '    Points Possible,,,,,5.00\n'
                      f'"=HYPERLINK(""http://x"",""y"")",@SUM(1+9),-1,{FORMULA_ID},+cmd,\n', encoding="utf-8")
    export(graded["out"], "canvas", tmp_path / "canvas.csv", canvas)
    row = read_csv(tmp_path / "canvas.csv")[2]
    assert row[:5] == ['\'=HYPERLINK("http://x","y")', "'@SUM(1+9)", "-1", f"'{FORMULA_ID}", "'+cmd"]
    assert float(row[5]) == graded["results"][FORMULA_ID].score
    moodle = tmp_path / "moodle_roster.csv"
    moodle.write_text("First name,Last name,ID number,Email address\n"
                      f"=1+1,@SUM(1+9),{FORMULA_ID},-x@example.edu\n", encoding="utf-8")
    export(graded["out"], "moodle", tmp_path / "moodle.csv", moodle)
    row = read_csv(tmp_path / "moodle.csv")[1]
    assert row[:4] == ["'=1+1", "'@SUM(1+9)", f"'{FORMULA_ID}", "'-x@example.edu"]
    assert float(row[4]) == graded["results"][FORMULA_ID].score


def output_text(path) -> str:
    nb = nbformat.read(path, as_version=4)
    return json.dumps([cell.get("outputs", []) for cell in nb.cells])


def test_the_graded_notebook_holds_no_student_script(graded):
    path = graded["out"] / "autograded" / "shows-html" / LAB1 / f"{LAB1}.ipynb"
    outputs = output_text(path)
    assert "<b>ok</b>" in outputs and "<rect" in outputs  # still readable
    for bad in ("<script", "onload", "onerror", "alert(3)", "widget-view"):
        assert bad not in outputs, bad
    result = graded["results"]["shows-html"]
    assert result.points == result.max_points


class Elements(HTMLParser):
    """A page's script elements' text and its elements' event-handler attributes (the code cells'
    sources are in the page too, as escaped text: they are neither)."""

    def __init__(self):
        super().__init__()
        self.scripts, self.handlers, self.in_script = [], [], False

    def handle_starttag(self, tag, attrs):
        self.in_script = tag == "script"
        self.handlers += [(tag, name) for name, _ in attrs if name.startswith("on")]

    def handle_endtag(self, tag):
        self.in_script = False

    def handle_data(self, data):
        if self.in_script:
            self.scripts.append(data)


def test_nbgraders_feedback_page_holds_no_student_script(graded):
    from nbgrader.converters import GenerateFeedback
    from nbgrader.coursedir import CourseDirectory

    out = graded["out"]
    config = autograde_config(graded["submitted"], out, None)
    config.CourseDirectory.feedback_directory = str(out / "nbgrader-feedback")
    coursedir = CourseDirectory(config=config)
    coursedir.assignment_id, coursedir.student_id = LAB1, "shows-html"
    GenerateFeedback(coursedir=coursedir, config=config).start()
    page = next((out / "nbgrader-feedback" / "shows-html").rglob("*.html")).read_text(encoding="utf-8")
    assert "<b>ok</b>" in page
    elements = Elements()
    elements.feed(page)
    assert not [script for script in elements.scripts if "alert(" in script], "a student's script reached the page"
    assert not elements.handlers, f"event handlers reached the page: {elements.handlers}"


@pytest.mark.parametrize("bypass", MATMUL_BYPASSES, ids=list(MATMUL_BYPASSES))
def test_a_bypass_loses_matmuls_points_when_graded(graded, bypass):
    result = graded["results"][f"matmul-{bypass}"]
    cells = {cell.task: cell for cell in result.cells.values()}
    assert cells["matmul"].points == 0 and "explicit loops" in cells["matmul"].judge.message
    assert all(cell.points == cell.max_points for task, cell in cells.items() if task != "matmul")


@pytest.mark.skipif(bool(os.environ.get(SECRET_VARIABLE)), reason="a course secret is set here")
def test_the_report_says_the_demo_secret_graded_the_test_class(graded):
    assert DEMO_SECRET_SAID in (graded["out"] / "report.html").read_text(encoding="utf-8")
