"""Release: `solutions/` -> `labs/` (nbgrader's generate_assignment) and the check fixtures.

    python -m autograder release [LAB_ID ...]

For each lab, nbgrader writes the student version into `labs/<lab>/` with the course's
configuration (`nbgrader_config.py`, read by `autograder.course`), whose stub names the task
(`NotImplementedError("Lab 01, task 2: matmul")`, see `NameTheTask`). Then the public
check cases of `labutils.checks.labNN` are run through the reference solution and every
catalogued mistake, and their outcomes are written to `labutils/checks/fixtures/<lab>.json`
(`autograder.fixtures`; a fixture that agrees by value with the recorded one is left as it is).
"""
from __future__ import annotations

import json
import logging
import tempfile
from pathlib import Path

from nbgrader.coursedir import CourseDirectory
from nbgrader.converters import GenerateAssignment
from nbgrader.preprocessors import ClearSolutions

from autograder.course import course_config, quiet_nbgrader
from autograder.fixtures import build_fixture, fixture_drift, fixture_text
from autograder.labs import FIXTURES, ROOT, available_labs, defined_functions, is_solution_cell, lab_number

TASK_PLACEHOLDER = "<task>"


class NameTheTask(ClearSolutions):
    """nbgrader's ClearSolutions, with a stub that names the lab, the task and the function.

    The configured stub contains "<task>"; in the k-th solution cell of lab NN that
    defines `fn`, it becomes "Lab NN, task k: fn".
    """

    def preprocess(self, nb, resources):
        self._lab_number = lab_number(resources["nbgrader"]["assignment"])
        self._task_count = 0
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, cell_index):
        label = None
        if is_solution_cell(cell):
            self._task_count += 1
            names = defined_functions(cell.source) or [cell.metadata["nbgrader"]["grade_id"]]
            label = f"Lab {self._lab_number}, task {self._task_count}: {names[0]}"
        cell, resources = super().preprocess_cell(cell, resources, cell_index)
        if label:
            cell.source = cell.source.replace(TASK_PLACEHOLDER, label)
        return cell, resources


def generate_student_version(lab_id: str, release_root: Path, db_url: str | None = None) -> Path:
    """Run nbgrader's generate_assignment for one lab into `release_root/<lab_id>/`.

    db_url: the gradebook that records the lab's cells (a throwaway one when None).
    """
    config = course_config()
    config.CourseDirectory.release_directory = str(release_root)
    config.CourseDirectory.source_directory = str(ROOT / "solutions")
    with tempfile.TemporaryDirectory() as scratch:
        config.CourseDirectory.db_url = db_url or f"sqlite:///{Path(scratch) / 'release.db'}"
        coursedir = CourseDirectory(config=config)
        coursedir.assignment_id = lab_id
        app = GenerateAssignment(coursedir=coursedir, config=config)
        app.log.setLevel(logging.WARNING)
        app.force = True
        app.create_assignment = True
        app.start()
    return release_root / lab_id


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
