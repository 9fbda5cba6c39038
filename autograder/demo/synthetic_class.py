"""A synthetic class: notebooks a student could hand in, made from solutions and mistakes.

    build_class(synthetic_class(["01_matrix_shapes"], students=30), submitted_dir)

Each student starts from the released student notebook and fills every exercise with
the solution's code, except the exercises listed in its mistakes, which get the
catalogue's wrong code. Used by the demo, the tests of the tests and benchmarks.
"""
from __future__ import annotations

import random
import re
from datetime import datetime
from pathlib import Path

import nbformat

from autograder.course.labs import (
    defined_functions,
    is_solution_cell,
    nbgrader_meta,
    read_notebook,
    solution_code,
    source_path,
    student_path,
)
from autograder.judging.mistakes import Mistake, catalogue


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


# A roster: {student_id: {lab_id: mistakes}}, where [] is the solution and None the
# untouched student version.
Roster = dict[str, dict[str, list[Mistake] | None]]

NAMES = ("ada", "blaise", "carl", "dora", "emmy", "fermat", "grace", "hedy", "ida", "john", "katherine", "leonhard",
         "maryam", "niels", "olga", "pierre", "quentin", "rosalind", "sofia", "tim", "ursula", "vera", "wanda",
         "xiao", "yusuf", "zhenya")


def one_student_per_mistake(lab_id: str) -> Roster:
    """The solution, the untouched version, and one student per catalogued mistake."""
    roster: Roster = {"solution": {lab_id: []}, "untouched": {lab_id: None}}
    for mistake in catalogue(lab_id):
        roster[f"mistake-{slug(mistake.task)}-{slug(mistake.name)}"] = {lab_id: [mistake]}
    return roster


def synthetic_class(lab_ids: list[str], students: int = 30, seed: int = 0) -> Roster:
    """A class of `students` who submit every lab: the first gets everything right, the
    second changes nothing, the others make 0 to 2 catalogued mistakes per lab, drawn with
    `seed` (tests/test_catalogue.py covers every mistake; a class shows a realistic mix)."""
    rng = random.Random(seed)
    names = [*NAMES, *(f"student-{k:03d}" for k in range(len(NAMES), students))][:students]
    roster: Roster = {}
    for index, name in enumerate(names):
        roster[name] = {}
        for lab_id in lab_ids:
            by_task: dict[str, list[Mistake]] = {}
            for mistake in catalogue(lab_id):
                by_task.setdefault(mistake.task, []).append(mistake)
            count = rng.choice([0, 1, 1, 2])
            tasks = rng.sample(sorted(by_task), min(count, len(by_task)))
            roster[name][lab_id] = [] if index == 0 else None if index == 1 else \
                [rng.choice(by_task[task]) for task in tasks]
    return roster


def write_submission(submitted_dir: Path, student_id: str, lab_id: str, nb) -> Path:
    path = submitted_dir / student_id / lab_id / f"{lab_id}.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def write_timestamp(submitted_dir: Path, student_id: str, lab_id: str, at: datetime) -> Path:
    """The submission's timestamp.txt, as nbgrader's exchange writes it (UTC)."""
    path = submitted_dir / student_id / lab_id / "timestamp.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(at.strftime("%Y-%m-%d %H:%M:%S.%f UTC"), encoding="utf-8")
    return path


def build_class(roster: Roster, submitted_dir: Path) -> Roster:
    """Write every submission of `roster` under `submitted_dir`; return the roster."""
    for student_id, labs in roster.items():
        for lab_id, mistakes in labs.items():
            nb = read_notebook(student_path(lab_id)) if mistakes is None else completed_notebook(lab_id, mistakes)
            write_submission(submitted_dir, student_id, lab_id, nb)
    return roster
