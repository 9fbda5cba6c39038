"""Scores and comments given by hand in formgrader to autograded cells stick (issue 28, part 4).

nbgrader keeps them apart from the grader's: `Grade.manual_score` (and `extra_credit`) beside
`auto_score`, `Comment.manual_comment` beside `auto_comment`. The tests give them as formgrader
does, through nbgrader's gradebook API, then grade again: with the same code (another per-cell
time limit regrades every submission), they stand as given; with new code (a new hand-in),
they are kept and marked for review: the score "needs manual grade" (nbgrader's mark, which
formgrader clears when the score is saved), and the report lists them under "to review".
"""
from __future__ import annotations

import shutil

import pytest
from nbgrader.api import Gradebook

from autograder.demo.synthetic_class import completed_notebook, write_submission
from autograder.grading.gradebook import NotebookGrades, SubmissionGrades, merge_grades, overrides
from autograder.grading.regrade import RESUBMITTED, code_unchanged
from autograder.judging.mistakes import catalogue
from autograder.outputs.export import read_class_grades
from autograder.pipeline.run import grade_run

LAB = "01_matrix_shapes"
CELL, ANSWER = "test_matmul", "matmul"  # the graded cell of matmul's exercise, and its answer cell
COMMENT = "Right idea; the shapes were only transposed. Full marks by hand."
TIMEOUT = 10


def run(submitted, out, timeout=TIMEOUT):
    return grade_run(submitted, out, labs=[LAB], timeout=timeout)


def db(out) -> str:
    return f"sqlite:///{out / 'gradebook.db'}"


def give_by_hand(out, student_id: str, score: float | None, comment: str | None) -> None:
    """What formgrader's save does (nbgrader's formgrader API handlers): the manual score, and
    "needs manual grade" cleared once a score is given; the manual comment."""
    with Gradebook(db(out)) as gb:
        if score is not None:
            grade = gb.find_grade(CELL, LAB, LAB, student_id)
            grade.manual_score = score
            grade.needs_manual_grade = False
        if comment is not None:
            gb.find_comment(ANSWER, LAB, LAB, student_id).manual_comment = comment
        gb.db.commit()


def cell_state(out, student_id: str) -> tuple:
    """(manual score, auto score, needs manual grade, manual comment, the submission's score)."""
    with Gradebook(db(out)) as gb:
        grade = gb.find_grade(CELL, LAB, LAB, student_id)
        comment = gb.find_comment(ANSWER, LAB, LAB, student_id)
        return (grade.manual_score, grade.auto_score, grade.needs_manual_grade, comment.manual_comment,
                gb.find_submission(LAB, student_id).score)


def report_rows(out) -> str:
    page = (out / "report.html").read_text(encoding="utf-8")
    start = page.find("<h2>Given by hand in formgrader</h2>")
    return page[start:page.index("<h2>", start + 10)] if start >= 0 else ""


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """ada's matmul has a catalogued mistake (test_matmul scores 0), bo's lab is right; the
    instructor then gives ada's test_matmul full marks by hand and comments on her answer."""
    root = tmp_path_factory.mktemp("overrides")
    submitted, out = root / "submitted", root / "graded"
    mistake = next(m for m in catalogue(LAB) if m.task == ANSWER)
    write_submission(submitted, "ada", LAB, completed_notebook(LAB, [mistake]))
    write_submission(submitted, "bo", LAB, completed_notebook(LAB))
    first = {r.student_id: r for r in run(submitted, out).submissions}
    assert first["ada"].cells[CELL].points == 0 < first["ada"].cells[CELL].max_points
    with Gradebook(db(out)) as gb:
        full = gb.find_grade(CELL, LAB, LAB, "ada").max_score
    give_by_hand(out, "ada", full, COMMENT)
    return {"root": root, "submitted": submitted, "out": out, "full": full, "first": first}


def copy_of(graded, tmp_path):
    """The graded class, copied: each test grades its own copy again."""
    shutil.copytree(graded["submitted"], tmp_path / "submitted")
    shutil.copytree(graded["out"], tmp_path / "graded")
    return tmp_path / "submitted", tmp_path / "graded"


def test_what_was_given_by_hand_stands_when_the_same_code_is_graded_again(graded, tmp_path):
    (submitted, out), full = copy_of(graded, tmp_path), graded["full"]
    before = cell_state(out, "ada")
    assert before == (full, 0.0, False, COMMENT, graded["first"]["ada"].points + full)
    again = run(submitted, out, timeout=TIMEOUT + 1)  # another time limit: every submission is regraded
    # (other sessions' edits of the tree may add reasons; none says the code changed)
    assert all("the per-cell time limit changed" in d.reason and code_unchanged(d.reason)
               for d in again.summary.decisions)
    assert cell_state(out, "ada") == before  # by hand: kept, and not sent back for review
    with Gradebook(db(out)) as gb:
        grade = read_class_grades(gb).grade("ada", LAB)
    assert (grade.score, grade.pending) == (before[-1], 0.0)  # the LMS exports carry it, not held
    rows = report_rows(out)
    assert f"{full:g} of {full:g} points (the grader gives 0)" in rows and COMMENT in rows
    assert rows.count("stands: the code is unchanged") == 2 and "to review" not in rows


def test_new_code_keeps_what_was_given_by_hand_and_asks_for_a_review(graded, tmp_path):
    (submitted, out), full = copy_of(graded, tmp_path), graded["full"]
    write_submission(submitted, "ada", LAB, completed_notebook(LAB))  # a new hand-in: matmul fixed
    again = run(submitted, out)
    reasons = {d.student_id: d.reason for d in again.summary.decisions}
    assert reasons["ada"] == RESUBMITTED and code_unchanged(reasons["bo"])
    manual, auto, needs_review, comment, _ = cell_state(out, "ada")
    assert (manual, auto, needs_review, comment) == (full, full, True, COMMENT)  # kept, marked for review
    with Gradebook(db(out)) as gb:
        assert read_class_grades(gb).grade("ada", LAB).pending > 0  # the LMS exports hold the lab until then
    rows = report_rows(out)
    assert rows.count("to review: the code changed since") == 2 and COMMENT in rows
    assert "given to code that has changed since" in rows

    give_by_hand(out, "ada", full, None)  # reviewed in formgrader: the score saved again
    quiet = run(submitted, out)
    assert all(code_unchanged(d.reason) for d in quiet.summary.decisions)  # kept (or regraded, same code)
    manual, _, needs_review, comment, _ = cell_state(out, "ada")
    assert (manual, needs_review, comment) == (full, False, COMMENT)
    assert "to review" not in report_rows(out)


@pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")  # nbgrader's own session, adding a submission
def test_the_merge_never_writes_what_a_person_gave(tmp_path):
    """The merge alone, on a released gradebook: the grader's fields change, the person's never;
    a worker's "needs manual grade" (set because its copy held the manual score) is not taken
    for the same code, and is set for other code."""
    from autograder.course.config import quiet_nbgrader
    from autograder.course.student_version import generate_student_version

    quiet_nbgrader()
    url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    generate_student_version(LAB, tmp_path / "release", url)
    with Gradebook(url) as gb:
        cells = {cell.name: cell.max_score for cell in gb.find_notebook(LAB, LAB).grade_cells}

    def grades(auto: float, needs_manual: bool) -> SubmissionGrades:
        return SubmissionGrades("2026-11-01T10:00:00", [NotebookGrades(
            LAB, 0.0, [(name, auto if name == CELL else cells[name], needs_manual and name == CELL)
                       for name in cells], [(ANSWER, None)])])

    merge_grades(url, grades(0.0, False), "cy", LAB)
    with Gradebook(url) as gb:
        grade = gb.find_grade(CELL, LAB, LAB, "cy")
        grade.manual_score, grade.extra_credit, grade.needs_manual_grade = 1.0, 0.5, False
        gb.find_comment(ANSWER, LAB, LAB, "cy").manual_comment = COMMENT
        gb.db.commit()
    for same_code, auto, expected_review in ((True, 2.0, False), (False, 0.0, True)):
        merge_grades(url, grades(auto, True), "cy", LAB, same_code=same_code)
        with Gradebook(url) as gb:
            grade = gb.find_grade(CELL, LAB, LAB, "cy")
            state = (grade.auto_score, grade.manual_score, grade.extra_credit, grade.needs_manual_grade,
                     gb.find_comment(ANSWER, LAB, LAB, "cy").manual_comment)
        assert state == (auto, 1.0, 0.5, expected_review, COMMENT)
    merge_grades(url, None, "cy", LAB, same_code=False)  # the new hand-in could not be read: 0, kept, to review
    found = overrides(url, [LAB])
    assert [(o.kind, o.to_review) for o in found] == [("score", True), ("comment", False)]
    assert found[0].given == "1 + 0.5 extra credit of 2 points (the grader gives 0)"
    assert [o.to_review for o in overrides(url, [LAB], {("cy", LAB)})] == [True, True]
