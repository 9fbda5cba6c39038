"""Release and verify: labs/ and the fixtures are what the solutions produce, stubs name
their task, labutils holds no solution code."""
import ast
import re
import shutil

import nbformat
import pytest

from autograder.authoring import verify
from autograder.course.labs import (
    LABS,
    ROOT,
    available_labs,
    is_solution_cell,
    nbgrader_meta,
    read_notebook,
    solution_bodies,
    solution_code,
    source_path,
    student_path,
)
from autograder.course.student_version import generate_student_version

LABS_AVAILABLE = available_labs()


@pytest.mark.parametrize("lab_id", LABS_AVAILABLE)
def test_release_reproduces_labs_and_fixtures(lab_id):
    assert verify.release_problems(lab_id) == []


def test_verify_notices_a_hand_edited_student_notebook(monkeypatch, tmp_path):
    lab_id = LABS_AVAILABLE[0]
    edited_labs = tmp_path / "labs"
    shutil.copytree(LABS, edited_labs)
    path = edited_labs / lab_id / f"{lab_id}.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells[0].source += "\nEdited by hand."
    nbformat.write(nb, path)
    monkeypatch.setattr(verify, "student_path", lambda lab: edited_labs / lab / f"{lab}.ipynb")
    assert any("differs from a fresh release" in p for p in verify.release_problems(lab_id))


@pytest.mark.parametrize("lab_id", LABS_AVAILABLE)
def test_the_student_version_has_no_solution_and_names_each_task(lab_id, tmp_path):
    released = read_notebook(generate_student_version(lab_id, tmp_path) / f"{lab_id}.ipynb")
    stubs = [cell.source for cell in released.cells if is_solution_cell(cell)]
    assert stubs and all("### BEGIN SOLUTION" not in s for s in stubs)
    for number, stub in enumerate(stubs, start=1):
        assert f'raise NotImplementedError("Lab {lab_id[:2]}, task {number}: ' in stub


def function_bodies(source: str) -> list[str]:
    """The bodies (without docstrings) of the functions a piece of code defines."""
    bodies = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef):
            body = node.body[1:] if ast.get_docstring(node) else node.body
            bodies.append("\n".join(ast.unparse(statement) for statement in body))
    return bodies


@pytest.mark.parametrize("lab_id", LABS_AVAILABLE)
def test_no_solution_body_appears_in_labutils_or_labs(lab_id):
    solutions = [b for cell in read_notebook(source_path(lab_id)).cells if is_solution_cell(cell)
                 for b in function_bodies(solution_code(cell.source))]
    shipped = [b for path in (ROOT / "labutils").rglob("*.py") for b in function_bodies(path.read_text())]
    shipped += [b for cell in read_notebook(student_path(lab_id)).cells if cell.cell_type == "code"
                for b in function_bodies(cell.source)]
    assert solutions
    for body in solutions:
        assert body not in shipped


def test_labutils_never_imports_the_instructors_pipeline():
    for path in (ROOT / "labutils").rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            assert not any(name.split(".")[0] == "autograder" for name in names), path


def hint_block(nb, index: int) -> str:
    """The markdown cells right before cell `index` (where an exercise's hints sit)."""
    block = []
    while index > 0 and nb.cells[index - 1].cell_type == "markdown":
        index -= 1
        block.append(nb.cells[index].source)
    return "\n".join(reversed(block))


@pytest.mark.parametrize("lab_id", available_labs())
def test_every_exercise_has_two_or_three_collapsed_hints_that_are_not_the_code(lab_id):
    nb = read_notebook(student_path(lab_id))
    solutions = {nbgrader_meta(c)["grade_id"]: c.source for c in read_notebook(source_path(lab_id)).cells
                 if is_solution_cell(c)}
    for index, cell in enumerate(nb.cells):
        if not is_solution_cell(cell):
            continue
        block = hint_block(nb, index)
        levels = re.findall(r"<details><summary>\s*Hint.*?</details>", block, re.S)
        grade_id = nbgrader_meta(cell)["grade_id"]
        assert 2 <= len(levels) <= 3, f"{lab_id}: {grade_id} has {len(levels)} hint levels"
        body = "".join(solution_bodies(solutions[grade_id]))
        for line in (line.strip() for line in body.splitlines()):
            assert len(line) < 20 or not any(line in hint for hint in levels), \
                f"{lab_id}: a hint of {grade_id} gives away {line!r}"
