"""Where the course's labs live, and how to read their notebooks."""
from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]  # the checkout: autograder/course/labs.py
SOLUTIONS = ROOT / "solutions"
LABS = ROOT / "labs"
FIXTURES = ROOT / "labutils" / "checks" / "fixtures"

# A lab's id is NN_name: its number sets the teaching order.
LAB_ID = re.compile(r"\d\d_[a-z0-9_]+")


def available_labs() -> list[str]:
    """The course's labs, in teaching order: each folder `solutions/NN_name/` holding `NN_name.ipynb`."""
    return sorted(folder.name for folder in SOLUTIONS.iterdir()
                  if LAB_ID.fullmatch(folder.name) and source_path(folder.name).exists())


def source_path(lab_id: str) -> Path:
    return SOLUTIONS / lab_id / f"{lab_id}.ipynb"


def student_path(lab_id: str) -> Path:
    return LABS / lab_id / f"{lab_id}.ipynb"


def lab_number(lab_id: str) -> str:
    return lab_id.split("_", 1)[0]


def checks_module(lab_id: str):
    """The lab's student-facing check module, `labutils.checks.labNN`."""
    return importlib.import_module(f"labutils.checks.lab{lab_number(lab_id)}")


def read_notebook(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def nbgrader_meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def is_test_cell(cell) -> bool:
    """An autograded test cell: graded, not a solution."""
    meta = nbgrader_meta(cell)
    return cell.cell_type == "code" and meta.get("grade", False) and not meta.get("solution", False)


def is_solution_cell(cell) -> bool:
    return cell.cell_type == "code" and nbgrader_meta(cell).get("solution", False)


def is_written_answer_cell(cell) -> bool:
    """A manually graded answer in words: a markdown cell that is nbgrader's solution."""
    return cell.cell_type == "markdown" and nbgrader_meta(cell).get("solution", False)


# The tag an instructor puts on a demo cell (a figure, a table, an experiment) that no judge
# needs: the grader does not run it. Intake rebuilds released cells from the release, so the
# tag is always the instructor's.
SKIP_WHEN_GRADING = "skip-when-grading"


def is_skipped_when_grading(cell) -> bool:
    return cell.cell_type == "code" and SKIP_WHEN_GRADING in cell.get("metadata", {}).get("tags", [])


def is_setup_cell(cell) -> bool:
    return cell.cell_type == "code" and "setup" in cell.get("metadata", {}).get("tags", [])


# nbgrader's solution markers, as the course's solution cells write them.
SOLUTION_MARKER = re.compile(r"^[ \t]*### (BEGIN|END) SOLUTION[ \t]*$", re.M)


def solution_code(source: str) -> str:
    """A solution cell's code without nbgrader's solution markers."""
    return "\n".join(line for line in source.splitlines() if not SOLUTION_MARKER.fullmatch(line))


def solution_bodies(source: str) -> list[str]:
    """The code between each pair of solution markers: what the release replaces with a stub."""
    parts = SOLUTION_MARKER.split(source)  # text, BEGIN, body, END, text, ...
    return [parts[i + 1] for i in range(1, len(parts) - 1, 2) if parts[i] == "BEGIN"]


def test_cells(nb) -> dict[str, dict]:
    """{grade_id: cell} of the notebook's autograded test cells, in order."""
    return {nbgrader_meta(cell)["grade_id"]: cell for cell in nb.cells if is_test_cell(cell)}


def defined_functions(source: str) -> list[str]:
    """Names of the top-level functions and classes a cell defines."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    return [node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.ClassDef))]


def task_of_test_cell(cell) -> str:
    """The function a test cell checks: `lab01.check_matmul(matmul)` -> "matmul"."""
    match = re.search(r"\.check_(\w+)\(", cell.source)
    if not match:
        raise ValueError(f"test cell {nbgrader_meta(cell).get('grade_id')!r} calls no check_<task>(...)")
    return match.group(1)


def max_points(lab_id: str) -> float:
    """The points of the lab's autograded test cells, from the source notebook."""
    return float(sum(nbgrader_meta(cell).get("points", 0) for cell in test_cells(read_notebook(source_path(lab_id))).values()))


def manual_points(lab_id: str) -> float:
    """The points of the lab's written answers, graded by hand in formgrader, from the source notebook."""
    return float(sum(nbgrader_meta(cell).get("points", 0) for cell in read_notebook(source_path(lab_id)).cells
                     if is_written_answer_cell(cell) and nbgrader_meta(cell).get("grade", False)))
