"""Release: `solutions/` -> `labs/` (nbgrader's generate_assignment) and the check fixtures.

    python -m autograder release [LAB_ID ...]

For each lab, nbgrader writes the student version into `labs/<lab>/` with the course's
configuration (`nbgrader_config.py`), whose stub names the task
(`NotImplementedError("Lab 01, task 2: matmul")`, see `NameTheTask`). Then the public
check cases of `labutils.checks.labNN` are run through the reference solution and every
catalogued mistake, and their outcomes are written to `labutils/checks/fixtures/<lab>.json`.
"""
from __future__ import annotations

import functools
import json
import logging
import os
import sys
import tempfile
from pathlib import Path

import nbgrader
import nbgrader.api
from nbgrader.coursedir import CourseDirectory
from nbgrader.converters import GenerateAssignment
from nbgrader.preprocessors import ClearSolutions
from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

from autograder.labs import (FIXTURES, ROOT, available_labs, checks_module, defined_functions,
                             is_solution_cell, lab_number)
from autograder.judges import judges_for
from autograder.mistakes import catalogue
from autograder.reference import reference_namespace
from labutils.outcomes import Case, call, encode_outcome, same_outcome

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


def course_config() -> Config:
    """The course's nbgrader configuration, read from `nbgrader_config.py`.

    Also puts this interpreter's bin/ on PATH: nbgrader runs `alembic` from there
    when it opens a gradebook, and `.venv/bin/python -m autograder` is not "activated".
    """
    bin_dir = str(Path(sys.executable).parent)
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")
    return PyFileConfigLoader("nbgrader_config.py", path=str(ROOT)).load_config()


def quiet_nbgrader() -> None:
    """Quieter logs, and no `alembic` subprocess each time nbgrader creates a gradebook."""
    for name in ("nbgrader", "traitlets", "GenerateAssignment", "Autograde"):
        logging.getLogger(name).setLevel(logging.WARNING)
    nbgrader.api.get_alembic_version = alembic_head


@functools.cache
def alembic_head() -> str:
    """The schema version nbgrader stamps on a new gradebook, read in-process.

    nbgrader runs `alembic heads` in a subprocess for every new gradebook (about a
    second each: a release, a grading run); the answer is a constant of the installed
    nbgrader, read here with alembic's own API.
    """
    from alembic.config import Config as AlembicConfig
    from alembic.script import ScriptDirectory

    alembic_config = AlembicConfig()
    alembic_config.set_main_option("script_location", str(Path(nbgrader.__file__).parent / "alembic"))
    return ScriptDirectory.from_config(alembic_config).get_current_head()


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


def public_cases(lab_id: str) -> dict[str, list[Case]]:
    return checks_module(lab_id).PUBLIC_CASES


def build_fixture(lab_id: str) -> dict:
    """Outcomes of the reference and of each catalogued mistake on the lab's public cases,
    and the hints of the mistakes (all a check needs for tasks checked by properties)."""
    mistakes = catalogue(lab_id)
    by_properties = {judge.task for judge in judges_for(lab_id).values() if judge.diagnose is not None}
    tasks = {}
    reference = reference_namespace(lab_id)
    for task, cases in public_cases(lab_id).items():
        records = {}
        if task in by_properties:  # checked by properties: only the hints are needed
            tasks[task] = {"cases": records}
            continue
        for case in cases:
            expected = call(reference[task], case, lookup=reference.__getitem__)
            wrong = []
            for mistake in (m for m in mistakes if m.task == task):
                namespace = mistake.namespace(lab_id)
                outcome = call(namespace[task], case, lookup=namespace.__getitem__)
                if not same_outcome(outcome, expected, case):
                    wrong.append({"name": mistake.name, "outcome": encode_outcome(outcome)})
            records[case.label] = {"expected": encode_outcome(expected), "mistakes": wrong}
        tasks[task] = {"cases": records}
    return {
        "lab": lab_id,
        "written_by": "python -m autograder release (do not edit)",
        "tasks": tasks,
        "hints": {task: {m.name: m.hint for m in mistakes if m.task == task} for task in tasks},
    }


def fixture_text(lab_id: str) -> str:
    return json.dumps(build_fixture(lab_id), indent=1, ensure_ascii=False) + "\n"


def release(lab_ids: list[str] | None = None) -> list[str]:
    quiet_nbgrader()
    lab_ids = lab_ids or available_labs()
    FIXTURES.mkdir(parents=True, exist_ok=True)
    for lab_id in lab_ids:
        generate_student_version(lab_id, ROOT / "labs")
        (FIXTURES / f"{lab_id}.json").write_text(fixture_text(lab_id), encoding="utf-8")
        print(f"released {lab_id}: labs/{lab_id}/, labutils/checks/fixtures/{lab_id}.json")
    return lab_ids
