"""A synthetic class: notebooks a student could hand in, made from solutions and mistakes.

    build_class(["01_matrix_shapes"], submitted_dir) -> {student_id: what they got wrong}

Each student starts from the released student notebook and fills every exercise with
the solution's code, except the exercises listed in its mistakes, which get the
catalogue's wrong code. Used by the demo, the tests of the tests and benchmarks.
"""
from __future__ import annotations

import re
from pathlib import Path

import nbformat

from autograder.labs import (defined_functions, is_solution_cell, nbgrader_meta, read_notebook,
                             source_path, student_path)
from autograder.mistakes import Mistake, catalogue

MARKER = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$")


def solution_code(source: str) -> str:
    """A solution cell's code without nbgrader's solution markers."""
    return "\n".join(line for line in source.splitlines() if not MARKER.match(line))


def completed_notebook(lab_id: str, mistakes: list[Mistake] = ()) -> nbformat.NotebookNode:
    """The released notebook, answered with the solution except where `mistakes` say."""
    solutions = {nbgrader_meta(cell)["grade_id"]: solution_code(cell.source)
                 for cell in read_notebook(source_path(lab_id)).cells if is_solution_cell(cell)}
    wrong = {mistake.task: mistake.code for mistake in mistakes}
    nb = read_notebook(student_path(lab_id))
    for cell in nb.cells:
        if is_solution_cell(cell):
            code = solutions[nbgrader_meta(cell)["grade_id"]]
            tasks = [name for name in defined_functions(code) if name in wrong]
            cell.source = wrong[tasks[0]] if tasks else code
    return nb


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def class_roster(lab_id: str) -> dict[str, list[Mistake]]:
    """Student id -> mistakes: one student per catalogue entry, and two with two mistakes."""
    mistakes = catalogue(lab_id)
    roster = {f"mistake-{slug(m.task)}-{slug(m.name)}": [m] for m in mistakes}
    by_task: dict[str, Mistake] = {}
    for mistake in mistakes:
        by_task.setdefault(mistake.task, mistake)
    firsts = list(by_task.values())
    for a, b in zip(firsts, firsts[1:]):
        roster[f"two-mistakes-{slug(a.task)}-{slug(b.task)}"] = [a, b]
    return roster


def write_submission(submitted_dir: Path, student_id: str, lab_id: str, nb) -> Path:
    path = submitted_dir / student_id / lab_id / f"{lab_id}.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def build_class(lab_ids: list[str], submitted_dir: Path) -> dict[str, dict[str, list[Mistake]]]:
    """Write the synthetic class; return {student_id: {lab_id: mistakes}} (None: untouched)."""
    expected: dict[str, dict] = {}
    for lab_id in lab_ids:
        write_submission(submitted_dir, "solution", lab_id, completed_notebook(lab_id))
        expected.setdefault("solution", {})[lab_id] = []
        write_submission(submitted_dir, "untouched", lab_id, read_notebook(student_path(lab_id)))
        expected.setdefault("untouched", {})[lab_id] = None
        for student_id, mistakes in class_roster(lab_id).items():
            write_submission(submitted_dir, student_id, lab_id, completed_notebook(lab_id, mistakes))
            expected.setdefault(student_id, {})[lab_id] = mistakes
    return expected
