"""Hints climb (the idea, the approach, the closest step) and never hand out code; check and
mistake messages name the misconception, never the code that fixes it.

"Code of the solution" is any run of 4 tokens of a solution cell (docstrings and comments
left out, layout normalised by the tokenizer) that also appears in a hint or a message.
"""
import ast
import re
from pathlib import Path

import pytest

from autograder.course.labs import (
    ROOT,
    available_labs,
    is_solution_cell,
    nbgrader_meta,
    read_notebook,
    solution_code,
    source_path,
    student_path,
)
from autograder.judging.mistakes import catalogue

LADDER = ("Hint 1: the idea", "Hint 2: the approach", "Hint 3: the closest step")
TOKEN = re.compile(r"[A-Za-z_][A-Za-z_0-9]*|\d+(?:\.\d+)?|\*\*|//|==|!=|<=|>=|[-+*/@%<>=()\[\]{},.:]")
RUN = 4


def tokens(text: str) -> list[str]:
    return TOKEN.findall(text)


def without_docstrings(code: str) -> str:
    """The code as the AST sees it: no comments, no docstrings, one layout."""
    tree = ast.parse(code)
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.Module)) and ast.get_docstring(node) is not None:
            node.body = node.body[1:] or [ast.Pass()]
    return ast.unparse(tree)


def runs(words: list[str]) -> set[tuple[str, ...]]:
    """Runs of RUN tokens that hold a name (a run of brackets and commas is no code)."""
    return {tuple(words[i:i + RUN]) for i in range(len(words) - RUN + 1)
            if any(re.match(r"[A-Za-z_]", word) for word in words[i:i + RUN])}


def solution_runs(lab_id: str) -> set[tuple[str, ...]]:
    """Runs of the solution cells' code, less those of the stubs students are given."""
    def code_runs(path) -> dict[str, set]:
        return {nbgrader_meta(cell)["grade_id"]: runs(tokens(without_docstrings(solution_code(cell.source))))
                for cell in read_notebook(path).cells if is_solution_cell(cell)}

    given = set().union(*code_runs(student_path(lab_id)).values())  # signatures, the stubs' lines
    return set().union(*code_runs(source_path(lab_id)).values()) - given


def hint_blocks(nb) -> dict[str, list[tuple[str, str]]]:
    """{grade_id of an exercise: [(summary, text) of each hint in the markdown right above it]}."""
    found, pending = {}, []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            pending += re.findall(r"<details><summary>\s*(.*?)\s*</summary>(.*?)</details>", cell.source, re.S)
        elif is_solution_cell(cell):
            found[nbgrader_meta(cell)["grade_id"]] = [(s, t) for s, t in pending if s.startswith("Hint")]
            pending = []
        else:
            pending = []
    return found


def shared_code(text: str, solution: set[tuple[str, ...]]) -> list[str]:
    return [" ".join(run) for run in sorted(runs(tokens(text)) & solution)]


def message_strings(path: Path) -> list[tuple[int, str]]:
    """The string constants of a module that can reach a student as a message (docstrings and
    each exercise's contract, which state the exercise, left out)."""
    tree = ast.parse(path.read_text())
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef)) and ast.get_docstring(node)}
    contracts = {id(part) for node in ast.walk(tree)
                 if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Exercise" and len(node.args) > 1
                 for part in ast.walk(node.args[1])}
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings | contracts]


@pytest.mark.parametrize("lab_id", available_labs())
def test_hints_climb_from_the_idea_to_the_closest_step(lab_id):
    for grade_id, hints in hint_blocks(read_notebook(student_path(lab_id))).items():
        summaries = tuple(summary for summary, _ in hints)
        assert summaries in (LADDER[:2], LADDER), f"{lab_id}: {grade_id}'s hints are {summaries}"


@pytest.mark.parametrize("lab_id", available_labs())
def test_no_hint_gives_code_of_the_solution(lab_id):
    solution = solution_runs(lab_id)
    for grade_id, hints in hint_blocks(read_notebook(student_path(lab_id))).items():
        for summary, text in hints:
            assert not shared_code(text, solution), \
                f"{lab_id}: {grade_id}, {summary!r} gives code: {shared_code(text, solution)}"


@pytest.mark.parametrize("lab_id", available_labs())
def test_no_mistake_hint_or_check_message_gives_code_of_the_solution(lab_id):
    solution = solution_runs(lab_id)
    messages = [(f"mistake {m.name!r}", m.hint) for m in catalogue(lab_id)]
    check_module = ROOT / "labutils" / "checks" / f"lab{lab_id[:2]}.py"
    messages += [(f"{check_module.name}, line {line}", text) for line, text in message_strings(check_module)]
    for where, text in messages:
        assert not shared_code(text, solution), f"{lab_id}: {where} gives code: {shared_code(text, solution)}"


@pytest.mark.parametrize("lab_id", available_labs())
def test_every_mistake_hint_is_short(lab_id):
    """A hint shown with a failure is read at once: one or two sentences on the misconception,
    no digression (the underflow hint ran to 430 characters on subnormal numbers)."""
    long = [(m.task, m.name, len(m.hint)) for m in catalogue(lab_id) if len(m.hint) > 300]
    assert not long, long
