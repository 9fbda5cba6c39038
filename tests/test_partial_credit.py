"""Partial credit (issue 28): with `Scoring.partial_credit`, an exercise earns its share of the
hidden cases that count, rounded down to a multiple of `Scoring.step`; a case a trivial answer
passes does not count, so a trivial answer earns nothing anywhere."""
from __future__ import annotations

import csv

import pytest

from autograder.course.labs import available_labs
from autograder.demo.synthetic_class import completed_notebook, write_submission
from autograder.grading.scoring import Scoring, exercise_points
from autograder.judging.judges import TRIVIAL_ANSWERS, judges_for, run_judge
from autograder.judging.mistakes import mistakes_for
from autograder.judging.reference import build_namespace, reference_namespace
from labutils.examine import LocalSubject


def scoring(partial_credit: bool, step: float = 0.5) -> Scoring:
    return Scoring(partial_credit=partial_credit, step=step)


@pytest.mark.parametrize("passed, counted, check_passed, judge_passed, expected", [
    (7, 10, True, False, 1.0),     # 2 x 0.7 = 1.4, rounded down to a multiple of 0.5
    (9, 10, True, False, 1.5),     # 1.8 -> 1.5
    (10, 10, True, True, 2.0),     # every case and the check: full points
    (10, 10, False, True, 1.5),    # every hidden case, but the check failed: one step below full
    (0, 10, True, False, 0.0),
    (3, 0, True, False, 0.0),      # nothing counts: all or nothing
])
def test_the_share_is_rounded_down_and_full_points_need_the_check(passed, counted, check_passed, judge_passed,
                                                                   expected):
    assert exercise_points(2.0, check_passed, judge_passed, passed, counted, scoring(True)) == expected


def test_without_partial_credit_an_exercise_is_all_or_nothing():
    assert exercise_points(2.0, True, False, 9, 10, scoring(False)) == 0.0
    assert exercise_points(2.0, True, True, 10, 10, scoring(False)) == 2.0


@pytest.mark.parametrize("lab_id", available_labs())
def test_every_exercise_has_hidden_cases_no_trivial_answer_passes(lab_id):
    """Partial credit counts only the cases no trivial answer passes (the judge works them out for
    each student's cases): every exercise must keep some, or it could only be all or nothing."""
    reference = reference_namespace(lab_id)
    for grade_id, judge in judges_for(lab_id).items():
        subject = LocalSubject({**reference, judge.exercise.callee: TRIVIAL_ANSWERS["the input returned"]})
        verdict = run_judge(lab_id, grade_id, judge, subject, seed=0, partial_credit=True)
        assert verdict.cases_counted >= 1, f"{grade_id}: every hidden case is passed by a trivial answer"
        assert verdict.cases_passed == 0


@pytest.mark.parametrize("name", list(TRIVIAL_ANSWERS))
def test_a_trivial_answer_earns_nothing(name):
    """Each trivial answer, on every exercise of labs 02 and 03 (elementwise functions, where a
    hidden case may be passed by zeros or by the input itself)."""
    for lab_id in ("02_activations", "03_softmax"):
        reference = reference_namespace(lab_id)
        for grade_id, judge in judges_for(lab_id).items():
            subject = LocalSubject({**reference, judge.exercise.callee: TRIVIAL_ANSWERS[name]})
            verdict = run_judge(lab_id, grade_id, judge, subject, seed=1, partial_credit=True)
            assert verdict.cases_passed == 0, f"{grade_id}: {name} passes {verdict.partial}"
            assert exercise_points(2.0, True, verdict.passed, verdict.cases_passed, verdict.cases_counted,
                                   scoring(True)) == 0.0


def test_an_answer_right_on_some_hidden_cases_earns_their_share():
    """A softmax that ignores `axis` is right wherever the axis is the last one."""
    namespace = build_namespace("03_softmax")
    exec("def softmax(z, axis=-1):\n    z = np.asarray(z, dtype=float)\n"
         "    e = np.exp(z - z.max(axis=-1, keepdims=True))\n    return e / e.sum(axis=-1, keepdims=True)\n",
         namespace)
    judge = judges_for("03_softmax")["test_softmax"]
    verdict = run_judge("03_softmax", "test_softmax", judge, LocalSubject(namespace), seed=0, partial_credit=True)
    assert not verdict.passed and 0 < verdict.cases_passed < verdict.cases_counted, verdict.partial
    assert verdict.partial == f"{verdict.cases_passed} of {verdict.cases_counted} hidden tests"
    without = run_judge("03_softmax", "test_softmax", judge, LocalSubject(namespace), seed=0)
    assert (without.cases_passed, without.message) == (None, verdict.message)  # the same first failure said


def test_partial_points_reach_the_gradebook_feedback_and_grades_csv(tmp_path):
    """Lab 01 graded with partial credit on: a matmul without its shape check passes the hidden
    products and fails only the cases whose shapes clash."""
    from autograder.pipeline.run import grade
    lab = "01_matrix_shapes"
    mistake = next(m for m in mistakes_for(lab, "matmul") if m.name == "no shape check")
    write_submission(tmp_path / "submitted", "ada", lab, completed_notebook(lab, [mistake]))
    result, = grade(tmp_path / "submitted", tmp_path / "out", labs=[lab], timeout=20, partial_credit=True)
    matmul = result.cells["test_matmul"]
    assert 0 < matmul.points < matmul.max_points, matmul
    assert f"of {matmul.judge.cases_counted} hidden tests" in matmul.points_said
    page = (tmp_path / "out" / "feedback" / "ada" / f"{lab}.html").read_text(encoding="utf-8")
    assert matmul.points_said in page
    row, = csv.DictReader((tmp_path / "out" / "grades.csv").open())
    assert float(row[lab]) == result.points == 3.0 + matmul.points
    assert "Partial credit" in (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
