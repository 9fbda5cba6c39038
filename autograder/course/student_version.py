"""The student version of a lab: nbgrader's generate_assignment with the course's configuration.

    generate_student_version("01_matrix_shapes", release_root)   -> release_root/01_matrix_shapes/

The configured stub (`nbgrader_config.py`) contains "<task>"; `NameTheTask` makes it name the
lab, the task and the function (`NotImplementedError("Lab 01, task 2: matmul")`). The release
(`autograder.authoring.release`) writes `labs/` with it; grading writes each lab into the
class gradebook with it, so nbgrader knows the lab's cells and points.
"""
from __future__ import annotations

import logging
import tempfile
from pathlib import Path

from nbgrader.converters import GenerateAssignment
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import ClearSolutions

from autograder.course.config import course_config
from autograder.course.labs import ROOT, defined_functions, is_solution_cell, lab_number

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
