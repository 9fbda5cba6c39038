"""The public check: an exercise examined on its public cases against the recorded fixture.

Each lab's check module (`lab01.py`, ...) declares its exercises (`labutils.examine.Exercise`)
and makes their checks with `checks`:
`check_product_shape, check_matmul, check_ffnn_forward = checks(LAB, EXERCISES)`. The right
outcome of each public case, and the outcome of each known mistake on it, are recorded in
`fixtures/<lab_id>.json` by `python -m autograder release` from the solution and the mistake
catalogue (instructor space): this package holds answers to public examples, never code
that computes them.

On success a check prints one line. On failure it raises `CheckFailed` (an AssertionError)
naming the case, the input, expected vs actual (shapes first) and, when the answer is one a
known mistake gives, that mistake and a hint. An exception raised by the student's code
goes up unchanged, with a note saying which case triggered it.
"""
from __future__ import annotations

import functools
import importlib
import inspect
import json
from pathlib import Path
from typing import Callable, Sequence

from labutils.call_outcomes import Case, Outcome, Raised, best_match, decode_outcome
from labutils.examine import Examination, Exercise, KnownMistake, LocalSubject, examine, source_rules
from labutils.harnesses import notebook_of

FIXTURES = Path(__file__).parent / "fixtures"


class CheckFailed(AssertionError):
    """A check's verdict: the student's function gave a wrong answer."""


@functools.lru_cache(maxsize=None)
def load_fixture(lab_id: str) -> dict:
    path = FIXTURES / f"{lab_id}.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RuntimeError(f"{path} is missing: run `python -m autograder release`") from None


class FixtureOracle:
    """The public check's oracle: what the release recorded for a lab's public cases."""

    reveal = True  # public cases: show their inputs and expected values
    strict_source = False  # where Python kept no source, the judge reads it from the notebook

    def __init__(self, lab_id: str):
        self.lab_id = lab_id

    def _recorded(self, task: str, case: Case) -> dict:
        try:
            return load_fixture(self.lab_id)["tasks"][task]["cases"][case.label]
        except KeyError:
            raise RuntimeError(
                f"{FIXTURES / (self.lab_id + '.json')} has no record of {task} on {case.label!r}: "
                "the fixtures are out of date, run `python -m autograder release`") from None

    def expected(self, exercise: Exercise, case: Case) -> Outcome:
        return decode_outcome(self._recorded(exercise.task, case)["expected"])

    def mistake(self, exercise: Exercise, case: Case, actual: Outcome, expected: Outcome) -> KnownMistake | None:
        candidates = [(entry["name"], decode_outcome(entry["outcome"]))
                      for entry in self._recorded(exercise.task, case)["mistakes"]]
        name = best_match(actual, candidates, case)
        return None if name is None else self.named(exercise, name)

    def named(self, exercise: Exercise, name: str) -> KnownMistake:
        return KnownMistake(name, load_fixture(self.lab_id)["hints"][exercise.task][name])

    def wrong_on(self, exercise: Exercise, case: Case) -> set[str]:
        return {entry["name"] for entry in self._recorded(exercise.task, case)["mistakes"]}


def passed_line(task: str, count: int) -> str:
    return f"✔ {task}: " + ("the public case passes" if count == 1 else f"all {count} public cases pass")


def checker(lab_id: str, exercise: Exercise) -> Callable[..., None]:
    """The exercise's public check, `check_<task>(function, *others)`: prints one line when
    every public case passes, else raises `CheckFailed` (or the student's own exception)."""
    names = (exercise.callee, *exercise.others)

    def check(*functions: Callable) -> None:
        if len(functions) != len(names):
            raise TypeError(f"check_{exercise.task} takes {len(names)} function(s): {', '.join(names)}")
        for name, function in zip(names, functions):
            if not callable(function):
                raise CheckFailed(f"{name} should be a function; got {type(function).__name__}")
        subject = LocalSubject(dict(zip(names, functions)))
        verdict = examine(exercise, subject, exercise.cases, FixtureOracle(lab_id))
        for note in subject.warned:
            print(f"note: {note}")
        if source_rules(exercise) and subject.source(exercise.callee) is None:
            print(f"note: {exercise.callee}'s source could not be read here; the grader reads it from your notebook")
        if not verdict.passed:
            stub = verdict.raised is not None and verdict.raised.type_name == "NotImplementedError"
            blamed = None if stub else failing_helper(lab_id, exercise, functions[0])  # a stub names its task
            raise failure(verdict) if blamed is None else helper_failure(exercise, verdict, *blamed)
        blamed = failing_helper(lab_id, exercise, functions[0]) if exercise.integration else None
        if blamed is not None:
            raise helper_failure(exercise, verdict, *blamed)
        print(passed_line(exercise.task, verdict.cases_run))

    check.__name__ = check.__qualname__ = f"check_{exercise.task}"
    check.__doc__ = f"{exercise.callee}: {exercise.contract}"
    check.__signature__ = inspect.Signature(  # help(check_<task>) names the functions it takes
        [inspect.Parameter(name, inspect.Parameter.POSITIONAL_ONLY) for name in names], return_annotation=None)
    return check


def checks(lab_id: str, exercises: Sequence[Exercise]) -> list[Callable[..., None]]:
    """The public checks of a lab's exercises, in their order."""
    return [checker(lab_id, exercise) for exercise in exercises]


def helper_exercise(lab_id: str, name: str) -> tuple[str, Exercise] | None:
    """The exercise whose function is `name`, in lab `lab_id` or the latest earlier lab that has
    one (lab 07's train_mlp calls lab 06's layers), with the id of its lab."""
    number = int(lab_id[:2])
    for earlier in range(number, 0, -1):
        try:
            module = importlib.import_module(f"labutils.checks.lab{earlier:02d}")
        except ModuleNotFoundError:
            continue
        for exercise in module.EXERCISES:
            if exercise.callee == name:
                return module.LAB, exercise
    return None


def failing_helper(lab_id: str, exercise: Exercise, function: Callable) -> tuple[str, Examination] | None:
    """The first of the exercise's helpers, as the student's notebook defines them, that fails its
    own public check: (its name, its verdict); None when each passes or none is defined."""
    try:
        namespace = notebook_of(function)
    except TypeError:
        return None
    for name in exercise.helpers:
        found = helper_exercise(lab_id, name)
        if found is None or not callable(namespace.get(name)):
            continue
        helper_lab, helper = found
        functions = {n: namespace[n] for n in (helper.callee, *helper.others) if callable(namespace.get(n))}
        verdict = examine(helper, LocalSubject(functions), helper.cases, FixtureOracle(helper_lab))
        if not verdict.passed:
            return name, verdict
    return None


def helper_failure(exercise: Exercise, verdict: Examination, helper: str, helper_verdict: Examination) -> CheckFailed:
    """The check's failure when a helper fails its own check: that helper is where to look first."""
    said = "\n".join("  " + line for line in helper_verdict.report(reveal=True).splitlines()[:4])
    if exercise.integration:
        return CheckFailed(
            f"{exercise.task}: your pipeline uses your {helper}, which fails its own check:\n{said}\n"
            f"This exercise is your functions working together: fix {helper} first (check_{helper} says more). "
            "The grader fails this exercise where such a mistake changes what the pipeline learns.")
    where = verdict.case.label if verdict.case else "its cases"
    return CheckFailed(
        f"{verdict.task} fails on {where}, but it calls your {helper}, which fails its own check:\n{said}\n"
        f"Fix {helper} first (check_{helper} says more), then run this check again. The grader judges "
        f"{verdict.task} with right building blocks, so {helper}'s mistake costs {helper}'s points only.")


def failure(verdict: Examination) -> BaseException:
    """What a failed check raises: the student's own exception when nothing else explains it
    (with a note naming the case), else `CheckFailed` with the report."""
    raised = verdict.raised.exception if isinstance(verdict.raised, Raised) else None
    if verdict.unexpected and raised is not None:
        raised.add_note(f"(raised while checking {verdict.task} on {verdict.case.label})")
        return raised
    error = CheckFailed(verdict.report(reveal=True))
    error.__cause__ = raised
    return error
