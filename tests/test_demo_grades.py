"""The demo class grades as recorded: a change to the grading code must not move one point.

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

from nbgrader.api import Gradebook

from autograder.demo import DEMO_LABS, build_demo_class
from autograder.grading import grade

RECORDED = Path(__file__).parent / "data" / "demo_grades.json"


def demo_class_grades(work: Path) -> dict[str, dict]:
    """{"student/lab": {"status": kind, "cells": {grade_id: points}}} of the demo class."""
    build_demo_class(work / "submitted")
    results = grade(work / "submitted", work / "graded", labs=DEMO_LABS, timeout=10)
    grades: dict[str, dict] = {}
    with Gradebook(f"sqlite:///{work / 'graded' / 'gradebook.db'}") as gb:
        for result in results:
            notebook = gb.find_submission(result.lab_id, result.student_id).notebooks[0]
            grades[f"{result.student_id}/{result.lab_id}"] = {
                "status": result.status.value,
                "cells": {g.name: float(g.score) for g in sorted(notebook.grades, key=lambda g: g.name)}}
    return dict(sorted(grades.items()))


def test_the_demo_class_gets_the_recorded_grades(tmp_path):
    recorded = json.loads(RECORDED.read_text(encoding="utf-8"))
    graded = demo_class_grades(tmp_path)
    assert graded.keys() == recorded.keys()
    changed = {key: (recorded[key], graded[key]) for key in recorded if graded[key] != recorded[key]}
    assert not changed, f"{len(changed)} submissions graded differently: {changed}"


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        RECORDED.write_text(json.dumps(demo_class_grades(Path(scratch)), indent=1) + "\n", encoding="utf-8")
    print(f"wrote {RECORDED}", file=sys.stderr)
