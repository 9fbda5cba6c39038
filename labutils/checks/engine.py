"""Run a student's function on public cases and explain the first failure.

Each lab's check module (`lab01.py`, ...) lists its public cases. The right outcome of
each case, and the outcome of each known mistake on it, are recorded in
`fixtures/<lab_id>.json` by `python -m autograder release` from the solution and the
mistake catalogue (instructor space): this package holds answers to public examples,
never code that computes them.

On success a check prints one line. On failure it raises `CheckFailed` (an
AssertionError) naming the case, the input, expected vs actual (shapes first) and, when
the answer is one a known mistake gives, that mistake and a hint. An exception raised by
the student's code goes up unchanged, with a note saying which case triggered it.
"""
from __future__ import annotations

import functools
import inspect
import json
import textwrap
from pathlib import Path
from typing import Callable, Sequence

from labutils.outcomes import (Case, Outcome, Raised, Returned, best_match, call, decode_outcome,
                               outcome_difference)

FIXTURES = Path(__file__).parent / "fixtures"


def passed_line(task: str, count: int) -> str:
    return f"✔ {task}: " + ("the public case passes" if count == 1 else f"all {count} public cases pass")


class CheckFailed(AssertionError):
    """A check's verdict: the student's function gave a wrong answer."""


@functools.lru_cache(maxsize=None)
def load_fixture(lab_id: str) -> dict:
    path = FIXTURES / f"{lab_id}.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RuntimeError(f"{path} is missing: run `python -m autograder release`") from None


def _recorded(lab_id: str, task: str, case: Case) -> dict:
    try:
        return load_fixture(lab_id)["tasks"][task]["cases"][case.label]
    except KeyError:
        raise RuntimeError(
            f"{FIXTURES / (lab_id + '.json')} has no record of {task} on {case.label!r}: "
            "the fixtures are out of date, run `python -m autograder release`") from None


def recorded_outcome(lab_id: str, task: str, case: Case) -> Outcome:
    """The reference's outcome on a public case, as the release recorded it."""
    return decode_outcome(_recorded(lab_id, task, case)["expected"])


def known_mistake(lab_id: str, task: str, case: Case, actual: Outcome) -> dict | None:
    """The catalogue entry ({"name", "hint"}) whose outcome on `case` is `actual`'s."""
    candidates = [(entry["name"], decode_outcome(entry["outcome"]))
                  for entry in _recorded(lab_id, task, case)["mistakes"]]
    name = best_match(actual, candidates, case)
    return None if name is None else {"name": name, "hint": load_fixture(lab_id)["hints"][task][name]}


def failure_message(task: str, case: Case, problem: str, mistake: dict | None) -> str:
    lines = [f"{task} fails on {case.label}.",
             f"  called {task}({case.describe_inputs()})",
             f"  {problem}"]
    if mistake:
        lines.append(f"  Likely mistake: {mistake['name']}. {mistake['hint']}")
    return "\n".join(lines)


def run_check(lab_id: str, task: str, fn: Callable, cases: Sequence[Case],
              others: dict[str, Callable] | None = None) -> None:
    """Check `fn` on `cases`; print one line on success, raise on the first failure.

    others: the student's other functions a case's harness needs, by name
    (a backward pass needs its forward pass).
    """
    for name, function in {task: fn, **(others or {})}.items():
        if not callable(function):
            raise CheckFailed(f"{name} should be a function; got {type(function).__name__}")
    lookup = {task: fn, **(others or {})}.__getitem__
    for case in cases:
        expected = recorded_outcome(lab_id, task, case)
        actual = call(fn, case, lookup)
        for warning in actual.warnings:
            print(f"note: {task} on {case.label} warned {warning}")
        problem = outcome_difference(actual, expected, case)
        if problem is None:
            continue
        mistake = known_mistake(lab_id, task, case, actual)
        if mistake is None and isinstance(actual, Raised) and isinstance(expected, Returned):
            actual.exception.add_note(f"(raised while checking {task} on {case.label})")
            raise actual.exception
        raise CheckFailed(failure_message(task, case, problem, mistake)) from (
            actual.exception if isinstance(actual, Raised) else None)
    print(passed_line(task, len(cases)))


# A diagnosis of an outcome that has no single right value (a shuffle, a dropout mask):
# None when it has every property asked, else (what is wrong, the mistake's name or None).
Diagnosis = Callable[[Outcome, Case], "tuple[str, str | None] | None"]


def run_property_check(lab_id: str, task: str, fn: Callable, cases: Sequence[Case], diagnose: Diagnosis,
                       others: dict[str, Callable] | None = None) -> None:
    """Like `run_check`, for outcomes judged by their properties rather than equality."""
    lookup = {task: fn, **(others or {})}.__getitem__
    for case in cases:
        actual = call(fn, case, lookup)
        found = diagnose(actual, case)
        if found is None and isinstance(actual, Raised):
            actual.exception.add_note(f"(raised while checking {task} on {case.label})")
            raise actual.exception
        if found is not None:
            problem, name = found
            mistake = {"name": name, "hint": load_fixture(lab_id)["hints"][task][name]} if name else None
            raise CheckFailed(failure_message(task, case, problem, mistake)) from (
                actual.exception if isinstance(actual, Raised) else None)
    print(passed_line(task, len(cases)))


def source_of(fn: Callable, task: str) -> str | None:
    """The source of the student's function, or None (with a note) where Python kept none."""
    try:
        return textwrap.dedent(inspect.getsource(fn))
    except (OSError, TypeError):  # defined where Python keeps no source (exec, a C function)
        print(f"note: {task}'s source could not be read here; the grader reads it from your notebook")
        return None
