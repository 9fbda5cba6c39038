"""The demo class grades as recorded: a change to the grading code must not move one point.
Also what the demo shows beyond grades: its copiers top the similarity list, its late
students lose points by the policy.

`tests/data/demo_grades.json` holds, per submission of the demo's class (`make demo`), the
points of each graded cell as nbgrader's gradebook has them and the kind of status. It was
recorded before the checks and judges were merged into one examination engine and the
results were typed (issue 13); re-record it only for a change that is meant to move grades:

    .venv/bin/python tests/test_demo_grades.py
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from autograder.course.config import course_config
from autograder.demo.instructor_demo import DEMO_LABS, LATE_BY, build_demo_class
from autograder.grading.late import late_policy
from autograder.outputs.similarity import Similarity, similar_pairs
from autograder.pipeline.run import grade

RECORDED = Path(__file__).parent / "data" / "demo_grades.json"


def demo_class_grades(work: Path) -> dict[str, dict]:
    """{"student/lab": {"status": kind, "cells": {grade_id: points}}} of the demo class."""
    build_demo_class(work / "submitted")
    results = grade(work / "submitted", work / "graded", labs=DEMO_LABS, timeout=10)
    return gradebook_grades(work, results)


def gradebook_grades(work: Path, results) -> dict[str, dict]:
    grades: dict[str, dict] = {}
    with Gradebook(f"sqlite:///{work / 'graded' / 'gradebook.db'}") as gb:
        for result in results:
            notebook = gb.find_submission(result.lab_id, result.student_id).notebooks[0]
            grades[f"{result.student_id}/{result.lab_id}"] = {
                "status": result.status.value,
                "cells": {g.name: float(g.score) for g in sorted(notebook.grades, key=lambda g: g.name)}}
    return dict(sorted(grades.items()))


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    work = tmp_path_factory.mktemp("demo")
    build_demo_class(work / "submitted")
    results = grade(work / "submitted", work / "graded", labs=DEMO_LABS, timeout=10)
    return {"work": work, "results": {(r.student_id, r.lab_id): r for r in results},
            "grades": gradebook_grades(work, results)}


def test_the_demo_class_gets_the_recorded_grades(demo):
    recorded = json.loads(RECORDED.read_text(encoding="utf-8"))
    graded = demo["grades"]
    assert graded.keys() == recorded.keys()
    changed = {key: (recorded[key], graded[key]) for key in recorded if graded[key] != recorded[key]}
    assert not changed, f"{len(changed)} submissions graded differently: {changed}"


def test_the_two_who_copied_top_the_similarity_list_and_the_two_alike_by_chance_do_not(demo):
    graded = demo["work"] / "graded"
    pairs = similar_pairs(graded, DEMO_LABS, Similarity(config=course_config()))
    assert pairs and pairs[0].students == ("copy-first", "copy-renamed"), [p.students for p in pairs[:3]]
    assert round(100 * pairs[0].similarity) == 90  # the README's figure
    assert all("alone-first" not in pair.students for pair in pairs)
    # their short answers are alike (the min size is what leaves them out) ...
    unlimited = similar_pairs(graded, ["01_matrix_shapes"], Similarity(min_size=0))
    alone = [pair for pair in unlimited if pair.students == ("alone-first", "alone-second")]
    assert alone and alone[0].similarity > 0.9
    assert alone[0].exercises[0].grade_id == "product_shape" and alone[0].exercises[0].tokens == (69, 69)  # README
    # ... and the listing changes no grade: the copiers score as their code earns
    copier = demo["results"][("copy-renamed", "01_matrix_shapes")]
    assert copier.points == copier.max_points and not copier.flags
    report = (graded / "report.html").read_text(encoding="utf-8")
    assert "Similar answers" in report and "copy-first · copy-renamed" in report
    assert "<mark>" in (graded / "similarity.html").read_text(encoding="utf-8")


def test_the_late_demo_students_lose_points_by_the_policy(demo):
    policy = late_policy(course_config())
    for student_id in LATE_BY:
        for lab_id in DEMO_LABS:
            result = demo["results"][(student_id, lab_id)]
            assert result.seconds_late == pytest.approx(LATE_BY[student_id], abs=1)
            assert result.late_penalty == min(result.points, policy.late_submission_penalty(
                student_id, result.points, LATE_BY[student_id]))
    on_time = demo["results"][("dora", "01_matrix_shapes")]
    assert (on_time.seconds_late, on_time.late_penalty) == (0.0, 0.0)


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        RECORDED.write_text(json.dumps(demo_class_grades(Path(scratch)), indent=1) + "\n", encoding="utf-8")
    print(f"wrote {RECORDED}", file=sys.stderr)
