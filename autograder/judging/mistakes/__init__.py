"""The mistake catalogue: named, realistic wrong answers to each exercise.

Each `Mistake` is the code a student might write, with the message that student should
see. The catalogue serves three purposes:
- tests of the tests: every mistake must fail its judge, and its public check with
  its name (tests/test_catalogue.py);
- feedback: checks and judges name the mistake a wrong answer matches;
- the demo's synthetic class: students whose notebooks contain these mistakes.
"""
from __future__ import annotations

import importlib
import textwrap
from dataclasses import dataclass
from typing import Callable

from autograder.course.labs import is_solution_cell, lab_number, read_notebook, solution_code, source_path
from autograder.judging.reference import build_namespace
from labutils.call_outcomes import Case, Outcome, call, same_outcome
from labutils.examine import Exercise
from labutils.source_rules import function_source


@dataclass(frozen=True)
class Mistake:
    task: str     # the exercise function it gets wrong, e.g. "matmul"
    name: str     # what a student is told: "transposed indexing"
    hint: str     # how to fix it, without the answer
    source: str   # the wrong definition of the task's function, as a student writes it

    @property
    def code(self) -> str:
        return textwrap.dedent(self.source).strip() + "\n"

    def namespace(self, lab_id: str) -> dict:
        """The lab's solution with this mistake's definition in place of the right one, as in a
        student's notebook: the other functions call the mistaken one (lab 08's fit calls
        a mistaken train_epoch)."""
        namespace = build_namespace(lab_id)
        exec(compile(self.code, f"<mistake {self.name!r}>", "exec"), namespace)
        return namespace

    def function(self, lab_id: str) -> Callable:
        """The wrong function."""
        return self.namespace(lab_id)[self.task]


def reference_with(lab_id: str, task: str, right: str, wrong: str) -> str:
    """The solution's `def task` with `right` (found in exactly one of its lines) replaced by
    `wrong`, whose further lines keep that line's indent: a mistake one line away from a long
    reference. Raises if the solution no longer has it."""
    cells = [cell.source for cell in read_notebook(source_path(lab_id)).cells if is_solution_cell(cell)]
    lines = solution_code(function_source(cells, task) or "").splitlines()
    found = [index for index, line in enumerate(lines) if right in line]
    if len(found) != 1:
        raise LookupError(f"{len(found)} lines of the solution's {task} hold {right!r}; the mistake needs one")
    line = lines[found[0]]
    indent = line[:len(line) - len(line.lstrip())]
    lines[found[0]] = line.replace(right, wrong.replace("\n", "\n" + indent))
    return "\n".join(lines) + "\n"


def catalogue(lab_id: str) -> list[Mistake]:
    module = importlib.import_module(f"autograder.judging.mistakes.lab{lab_number(lab_id)}")
    return list(module.MISTAKES)


def mistakes_for(lab_id: str, task: str) -> list[Mistake]:
    return [m for m in catalogue(lab_id) if m.task == task]


def wrong_outcomes(lab_id: str, exercise: Exercise, case: Case, expected: Outcome) -> list[tuple[Mistake, Outcome]]:
    """Each catalogued mistake of the exercise with its outcome on `case`, where that outcome is
    not `expected` (a mistake that gives the right answer on a case says nothing there). The
    release records them for the public check; the judge matches a student's answer with them."""
    found = []
    for mistake in mistakes_for(lab_id, exercise.task):
        namespace = mistake.namespace(lab_id)
        outcome = call(namespace[exercise.callee], case, lookup=namespace.__getitem__)
        if not same_outcome(outcome, expected, case):
            found.append((mistake, outcome))
    return found
