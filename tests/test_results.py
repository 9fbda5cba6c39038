"""Typed results (`autograder.grading.results`): the status of each kind of end, the one JSON form,
an older results file regraded with its reason, and merging into the class's gradebook.
Fast: no kernel runs."""
import json

import pytest
from nbgrader.api import Gradebook

from autograder.course.config import quiet_nbgrader
from autograder.course.student_version import generate_student_version
from autograder.grading.gradebook import NotebookGrades, SubmissionGrades, merge_grades
from autograder.grading.regrade import NEW, OLDER_FORM, UNREADABLE, Decision, RunSummary, recorded_result
from autograder.grading.results import (
    CellResult,
    Execution,
    KernelDeath,
    Status,
    SubmissionResult,
    read_result,
    result_path,
    status_of,
    status_sentence,
    write_result,
)
from autograder.judging.judges import Verdict

LAB = "01_matrix_shapes"
# nbgrader's own session warnings when a submission is created: harmless
NBGRADER_SESSION = pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")
SEGFAULT = "a segmentation fault (SIGSEGV)"
IGNORED = "ran past the 30 s limit and ignored the interrupt"
WALL = "the notebook ran past the wall-clock limit of 60 s"


# The status of each kind of end ---------------------------------------------------------

@pytest.mark.parametrize("execution, status, sentence", [
    (Execution(), Status.GRADED, "graded"),
    (Execution(timed_out_cells=[3, 5]), Status.TIMED_OUT,
     "timed out (cell 3, 5 interrupted at the time limit; the rest graded)"),
    (Execution(flooded="cell 2 printed more than 40 MB and was interrupted"), Status.INTERRUPTED,
     "interrupted (cell 2 printed more than 40 MB and was interrupted; the rest graded)"),
    (Execution(kernel_deaths=[KernelDeath("crashed", SEGFAULT, cell=7, restarted=True)]), Status.CRASHED,
     f"crashed in cell 7 ({SEGFAULT}); graded without it"),
    (Execution(kernel_deaths=[KernelDeath("killed", IGNORED, judge="test_matmul", task="matmul", restarted=True)]),
     Status.KILLED, f"killed in matmul's hidden test ({IGNORED}); the kernel was restarted"),
    (Execution(kernel_deaths=[KernelDeath("crashed", SEGFAULT, judge="test_matmul", task="matmul")]),
     Status.CRASHED, f"crashed in matmul's hidden test ({SEGFAULT})"),
    (Execution(kernel_deaths=[KernelDeath("crashed", SEGFAULT, cell=2, restarted=True)], timed_out_cells=[4]),
     Status.CRASHED, f"crashed in cell 2 ({SEGFAULT}); graded without it; "
                     "then timed out (cell 4 interrupted at the time limit; the rest graded)"),
    (Execution(kernel_deaths=[KernelDeath("crashed", SEGFAULT, cell=2, restarted=True)],
               fatal=KernelDeath("crashed", SEGFAULT, cell=5),
               not_restarted="the kernel had already been restarted 3 times"), Status.CRASHED,
     f"crashed in cell 5 ({SEGFAULT}); not restarted (the kernel had already been restarted 3 times), "
     f"so what was left scored 0 (before that: crashed in cell 2 ({SEGFAULT}); graded without it)"),
    (Execution(fatal=KernelDeath("killed", WALL, cell=3), not_restarted="the wall clock had run out"),
     Status.KILLED, f"killed in cell 3 ({WALL}); not restarted (the wall clock had run out), "
                    "so what was left scored 0"),
    (Execution(fatal=KernelDeath("killed", WALL), not_restarted="the wall clock had run out"),
     Status.KILLED, f"killed in the hidden tests ({WALL}); not restarted (the wall clock had run out), "
                    "so what was left scored 0"),
], ids=["nothing happened", "timeouts", "output flood", "crash in a cell", "kill in a judge, restarted",
        "crash in the last judge", "crash then timeout", "fatal crash after a recovered one", "wall clock in a cell",
        "wall clock after the cells"])
def test_the_status_of_each_kind_of_end(execution, status, sentence):
    found, detail = status_of(execution)
    assert found is status
    assert status_sentence(found, detail) == sentence


def test_an_error_says_why_and_scores_nothing():
    result = SubmissionResult("ada", LAB, points=3.0, cells={"test_matmul": cell(True)})
    result.fail("the notebook is not valid JSON")
    assert (result.status, result.sentence, result.points, result.cells) == (
        Status.ERROR, "error: the notebook is not valid JSON", 0.0, {})


# One JSON form ----------------------------------------------------------------------------

def cell(passed: bool, mistake: str | None = None) -> CellResult:
    verdict = Verdict("test_matmul", "matmul", passed, "passed" if passed else "wrong on 3 of 5 inputs", mistake)
    return CellResult(check_passed=True, check_message=None, judge=verdict, points=3.0 if passed else 0.0,
                      max_points=3.0)


def a_result() -> SubmissionResult:
    execution = Execution(seconds=4.2, timed_out_cells=[4], output_dropped=True,
                          kernel_deaths=[KernelDeath("crashed", SEGFAULT, cell=2, restarted=True, log="Fatal")])
    status, detail = status_of(execution)
    failed = cell(False, "transposed the second factor")
    failed.check_passed, failed.check_message = False, "AssertionError: Lab 01, task 2: matmul: ..."
    return SubmissionResult("ada", LAB, status, detail, points=2.0, max_points=5.0, seconds=6.5, execution=execution,
                            cells={"test_product_shape": CellResult(True, None, Verdict(
                                "test_product_shape", "product_shape", True, "passed"), 2.0, 2.0),
                                   "test_matmul": failed},
                            notes=["converted from nbformat 3 to 4"], flags=["cell 3, line 1: assigns to c.x"],
                            digest="abc", fingerprint={"judges": "0" * 64})


def test_a_submission_result_survives_its_json_form(tmp_path):
    result = a_result()
    path = result_path(tmp_path, "ada", LAB)
    write_result(path, result)
    assert read_result(path) == result
    data = json.loads(path.read_text())
    assert (data["student"], data["lab"], data["status"], data["points"]) == ("ada", LAB, "crashed", 2.0)
    assert data["cells"]["test_matmul"]["judge"]["mistake"] == "transposed the second factor"
    assert not path.with_suffix(".partial").exists()


def test_an_unfinished_submission_has_no_execution_in_its_json_form(tmp_path):
    result = SubmissionResult("bo", LAB)
    result.fail("no LAB.ipynb was submitted")
    path = result_path(tmp_path, "bo", LAB)
    write_result(path, result)
    assert read_result(path) == result and json.loads(path.read_text())["execution"] is None


# An older results file is regraded, saying why ---------------------------------------------

OLD_FORM = {  # as the grader wrote it before results were typed: a status sentence, no form
    "student": "ada", "lab": LAB, "status": "graded", "points": 5.0, "max_points": 5.0, "seconds": 3.1,
    "execution": {"kernel": "ok", "kernel_deaths": []}, "cells": {}, "notes": [], "flags": [],
    "digest": "abc", "fingerprint": {"judges": "0" * 64}}


def test_an_old_form_results_file_is_regraded_with_its_reason(tmp_path):
    path = result_path(tmp_path, "ada", LAB)
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(OLD_FORM))
    assert recorded_result(path) == (None, OLDER_FORM)
    summary = RunSummary((Decision("ada", LAB, OLDER_FORM),))
    assert summary.lines()[1] == "regraded 1: its results file is in an older form"


def test_a_results_file_missing_a_field_or_broken_is_regraded(tmp_path):
    path = result_path(tmp_path, "ada", LAB)
    assert recorded_result(path) == (None, NEW)
    write_result(path, a_result())
    data = json.loads(path.read_text())
    del data["fingerprint"]
    path.write_text(json.dumps(data))
    assert recorded_result(path) == (None, OLDER_FORM)
    path.write_text('{"form": 2, "student": "ada"')
    assert recorded_result(path) == (None, UNREADABLE)


# Merging into the class's gradebook ---------------------------------------------------------

@pytest.fixture(scope="module")
def released(tmp_path_factory):
    """A gradebook with LAB released, and LAB's graded cells {name: max_score}."""
    quiet_nbgrader()
    root = tmp_path_factory.mktemp("gradebook")
    db_url = f"sqlite:///{root / 'gradebook.db'}"
    generate_student_version(LAB, root / "release", db_url)
    with Gradebook(db_url) as gb:
        cells = {cell.name: cell.max_score for cell in gb.find_notebook(LAB, LAB).grade_cells
                 if cell.cell_type == "code"}
    return db_url, cells


def grades_of(cells: dict[str, float], earned: set[str]) -> SubmissionGrades:
    """Full points for the cells in `earned`, 0 for the others."""
    return SubmissionGrades("2026-11-01T10:00:00", [NotebookGrades(LAB, 0.0, [
        (name, max_score if name in earned else 0.0, False) for name, max_score in cells.items()], [])])


def gradebook_view(db_url: str, student_id: str) -> tuple[dict[str, float], bool]:
    """({cell: score}, flagged) of the student's LAB in the gradebook."""
    with Gradebook(db_url) as gb:
        notebook = gb.find_submission(LAB, student_id).notebooks[0]
        return {g.name: float(g.score) for g in notebook.grades if g.cell.cell_type == "code"}, notebook.flagged


@NBGRADER_SESSION
def test_merging_a_result_with_grades_records_its_points(released):
    db_url, cells = released
    first = sorted(cells)[0]
    merge_grades(db_url, grades_of(cells, {first}), "ada", LAB)
    scores, flagged = gradebook_view(db_url, "ada")
    assert scores == {name: (cells[name] if name == first else 0.0) for name in cells} and not flagged


@NBGRADER_SESSION
def test_merging_a_result_without_grades_records_zeros_over_an_old_score(released):
    db_url, cells = released
    merge_grades(db_url, grades_of(cells, set(cells)), "bo", LAB)
    assert sum(gradebook_view(db_url, "bo")[0].values()) == sum(cells.values()) > 0
    merge_grades(db_url, None, "bo", LAB)
    assert gradebook_view(db_url, "bo")[0] == {name: 0.0 for name in cells}
    merge_grades(db_url, None, "cy", LAB)  # never graded before: recorded with zeros
    assert gradebook_view(db_url, "cy")[0] == {name: 0.0 for name in cells}


@NBGRADER_SESSION
def test_a_flag_is_set_and_a_re_merge_overwrites_points_and_flag(released):
    db_url, cells = released
    merge_grades(db_url, grades_of(cells, set(cells)), "dora", LAB, flagged=True)
    assert gradebook_view(db_url, "dora") == ({name: cells[name] for name in cells}, True)
    merge_grades(db_url, grades_of(cells, set()), "dora", LAB, flagged=False)
    assert gradebook_view(db_url, "dora") == ({name: 0.0 for name in cells}, False)


def test_a_check_not_run_when_grading_is_said_so_not_called_passed(tmp_path):
    """Lab 07's train_mlp check is tagged skip-when-grading: the feedback and the self-grade
    report say it was not run and that the hidden tests decide, never that it passed."""
    from autograder.learners.selfgrade import report
    from autograder.outputs.feedback import feedback_html

    skipped = CellResult(True, None, Verdict("test_train_mlp", "train_mlp", True, "passed"), 3.0, 3.0,
                         check_run=False)
    result = SubmissionResult("ada", "07_dropout", Status.GRADED, points=3.0, max_points=3.0,
                              cells={"test_train_mlp": skipped})
    page = feedback_html(result)
    row = page[page.index("<b>train_mlp</b>"):]
    row = row[:row.index("</tr>")]
    assert "not run when grading" in row and row.count("passed") == 1  # the hidden tests' column only
    assert "not run when grading" in report(result)
    path = result_path(tmp_path, "ada", "07_dropout")
    write_result(path, result)
    assert read_result(path).cells["test_train_mlp"].check_run is False


def test_points_waiting_for_a_person_are_shown_wherever_a_total_is():
    """Lab 08's written answer (2 points) is graded by hand: its auto-graded 12 / 12 is not all."""
    from autograder.course.labs import manual_points
    from autograder.learners.selfgrade import report
    from autograder.outputs.feedback import feedback_html

    assert manual_points("08_training_loop") == 2 and manual_points(LAB) == 0
    pending = SubmissionResult("ada", "08_training_loop", Status.GRADED, points=12.0, max_points=12.0,
                               manual_points=2.0)
    said = "12 / 12 auto-graded points; 2 more points to be graded by hand (14 in all)"
    assert pending.points_text == said
    assert said in feedback_html(pending) and said in report(pending)
    from autograder.outputs.report import report_html
    page = report_html([pending], "bubblewrap")
    assert "To be graded by hand in formgrader (written answers): 08_training_loop: 1 submission, 2 points each" \
        in page
    assert "To be graded by hand" not in report_html([SubmissionResult("ada", LAB, Status.GRADED, points=3.0,
                                                                        max_points=5.0)], "bubblewrap")
    assert SubmissionResult("ada", LAB, Status.GRADED, points=3.0, max_points=5.0).points_text == "3 / 5 points"
    assert read_result_round_trip(pending).manual_points == 2.0


def read_result_round_trip(result: SubmissionResult) -> SubmissionResult:
    return SubmissionResult.from_json(json.loads(json.dumps(result.to_json())))


def test_an_exception_keeps_the_note_that_names_the_case_in_what_the_grader_records(tmp_path):
    """A check re-raises the student's exception with a note naming the case; a real kernel puts
    the note after the error in the traceback, and the text the results, the feedback and the
    self-grade show keeps it."""
    import nbformat

    from autograder.course.solution_runs import run_notebook as executed
    from autograder.grading.execution import error_text, first_error
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "error = IndexError('index 2 is out of bounds for axis 0 with size 2')\n"
        "error.add_note(\"(raised while checking matmul on the notes' (2, 2) x (2, 3) example)\")\n"
        "raise error")])
    said = error_text(first_error(executed(nb, tmp_path).cells[0]))
    assert said == ("IndexError: index 2 is out of bounds for axis 0 with size 2 "
                    "(raised while checking matmul on the notes' (2, 2) x (2, 3) example)")
