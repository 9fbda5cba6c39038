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

from autograder.labs import lab_number
from autograder.reference import build_namespace
from labutils.examine import Exercise
from labutils.outcomes import Case, Outcome, call, same_outcome


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


def catalogue(lab_id: str) -> list[Mistake]:
    module = importlib.import_module(f"autograder.mistakes.lab{lab_number(lab_id)}")
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
