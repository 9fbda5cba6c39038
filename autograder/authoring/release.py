"""Release: `solutions/` -> `labs/` (nbgrader's generate_assignment) and the check fixtures.

    python -m autograder release [LAB_ID ...]

For each lab, nbgrader writes the student version into `labs/<lab>/` with the course's
configuration (`nbgrader_config.py`, read by `autograder.course.config`), whose stub names the task
(`NotImplementedError("Lab 01, task 2: matmul")`, see `NameTheTask`). Then the public
check cases of `labutils.checks.labNN` are run through the reference solution and every
catalogued mistake, and their outcomes are written to `labutils/checks/fixtures/<lab>.json`
(`autograder.authoring.public_outcomes`; a fixture that agrees by value with the recorded one is left as it is).
"""
from __future__ import annotations

import json

from autograder.authoring.public_outcomes import build_fixture, fixture_drift, fixture_text
from autograder.course.config import quiet_nbgrader
from autograder.course.labs import FIXTURES, ROOT, available_labs
from autograder.course.student_version import generate_student_version


def release(lab_ids: list[str] | None = None) -> list[str]:
    """Release each lab (default: every lab) into labs/ and record its fixture."""
    quiet_nbgrader()
    lab_ids = lab_ids or available_labs()
    FIXTURES.mkdir(parents=True, exist_ok=True)
    for lab_id in lab_ids:
        generate_student_version(lab_id, ROOT / "labs")
        print(f"released {lab_id}: labs/{lab_id}/, {write_fixture(lab_id)}")
    return lab_ids


def write_fixture(lab_id: str) -> str:
    """Record the lab's fixture, unless the recorded one agrees with it by value (another
    CPU's rounding is no change: the file stays as it is). Says what it did."""
    path = FIXTURES / f"{lab_id}.json"
    fresh = build_fixture(lab_id)
    if path.exists() and not fixture_drift(lab_id, json.loads(path.read_text(encoding="utf-8")), fresh):
        return f"{path.relative_to(ROOT)} (unchanged: it agrees by value)"
    path.write_text(fixture_text(fresh), encoding="utf-8")
    return f"{path.relative_to(ROOT)} (written)"
