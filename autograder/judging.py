"""Judges decide the points, outside the student's kernel, on inputs students never see.

A `Judge` makes random cases from a seed the student cannot know (`judge_seed`: an
HMAC of a course secret, the student, the lab and the cell, so a regrade gives the
same result). For each case it asks a `Subject` (the student's code, wherever it runs)
for its outcome, computes the reference's outcome here, and compares them here. When
the student's outcome is the one a catalogued mistake gives, the verdict names it.
Verdicts never show the hidden inputs' expected values.
"""
from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import asdict, dataclass
from typing import Callable, Protocol

import numpy as np

from autograder.mistakes import mistakes_for
from autograder.reference import reference_function, reference_namespace
from labutils.outcomes import (Case, Outcome, Raised, best_match, call, decode_outcome, encode_outcome,
                               outcome_difference, same_outcome)

DEMO_SECRET = "nn-training-labs demo secret: set NNLABS_COURSE_SECRET for a real class"


def course_secret() -> str:
    return os.environ.get("NNLABS_COURSE_SECRET") or DEMO_SECRET


def judge_seed(secret: str, student_id: str, lab_id: str, grade_id: str) -> int:
    message = f"{student_id}/{lab_id}/{grade_id}".encode()
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big")


@dataclass(frozen=True)
class Judge:
    """How to judge one graded cell.

    cases: random cases from a numpy Generator.
    source_rule: optional; given the source of the student's function (or None when
        it cannot be found), returns what is wrong with how it is written, or None.
    function: the student's function to call (default: the task); the end-to-end judge
        of lab 08 calls `fit` through a harness that uses the others.
    diagnose: optional; for outcomes with no single right value (a shuffle, a dropout
        mask), judges the outcome by its properties instead of comparing it with the
        reference's: None, or (what is wrong, the catalogued mistake's name or None).
        The same function serves the public check (`labutils.checks`).
    recorded: with `diagnose`, the release still records the public cases' outcomes
        (the reference's and each mistake's) for the check to compare with.
    """

    task: str
    cases: Callable[[np.random.Generator], list[Case]]
    source_rule: Callable[[str | None], str | None] | None = None
    diagnose: Callable | None = None
    function: str | None = None  # the student function to call, when not named like the task
    recorded: bool = False  # a diagnosed task whose public outcomes are still a function of the
    # case (a seeded network): the release records them, so that the public check can compare


@dataclass
class Verdict:
    grade_id: str
    task: str
    passed: bool
    message: str
    mistake: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)


class Subject(Protocol):
    """The student's code as a judge sees it."""

    last_failure: str | None  # why the last `call` returned None

    def call(self, function: str, case: Case) -> Outcome | None:
        """The outcome of `function(*case.args, **case.kwargs)`, or None if none came back."""

    def source(self, function: str) -> str | None:
        """The source of the student's `def function`, or None."""


class LocalSubject:
    """Functions in this process (catalogue mistakes, the reference, tests).

    Outcomes make the same round trip through the wire format as a kernel's do.
    """

    def __init__(self, functions: dict[str, Callable], sources: dict[str, str] | None = None):
        self.functions = functions
        self.sources = sources or {}
        self.last_failure: str | None = None

    def call(self, function: str, case: Case) -> Outcome | None:
        if function not in self.functions:
            self.last_failure = f"no function named {function!r} is defined"
            return None
        outcome = call(self.functions[function], case, lookup=self.functions.__getitem__)
        return decode_outcome(encode_outcome(outcome))

    def source(self, function: str) -> str | None:
        return self.sources.get(function)


def identify_mistake(lab_id: str, task: str, case: Case, actual: Outcome, expected: Outcome):
    """The first catalogued mistake whose outcome on `case` is `actual`, if any."""
    candidates = []
    for mistake in mistakes_for(lab_id, task):
        namespace = mistake.namespace(lab_id)
        candidates.append((mistake, call(namespace[task], case, lookup=namespace.__getitem__)))
    wrong = [(m, outcome) for m, outcome in candidates if not same_outcome(outcome, expected, case)]
    return best_match(actual, wrong, case)


def run_judge(lab_id: str, grade_id: str, judge: Judge, subject: Subject, seed: int) -> Verdict:
    rng = np.random.default_rng(seed)
    namespace = reference_namespace(lab_id)
    function = judge.function or judge.task
    reference = reference_function(lab_id, function)
    cases = judge.cases(rng)

    def failed(message: str, mistake=None) -> Verdict:
        text = f"{judge.task}: {message}"
        if mistake is not None:
            text += f"\nLikely mistake: {mistake.name}. {mistake.hint}"
        return Verdict(grade_id, judge.task, False, text, mistake.name if mistake else None)

    for case in cases:
        expected = None if judge.diagnose else call(reference, case, lookup=namespace.__getitem__)
        actual = subject.call(function, case)
        if actual is None:
            why = getattr(subject, "last_failure", None) or "the function is missing"
            return failed(f"no result came back on {case.label}: {why}")
        if judge.diagnose is not None:
            found = judge.diagnose(actual, case)
            if found is None and isinstance(actual, Raised):
                found = (f"raised {actual.type_name}: {actual.message}", None)
            if found is not None:
                problem, name = found
                mistake = next((m for m in mistakes_for(lab_id, judge.task) if m.name == name), None)
                return failed(f"fails on {case.label}: {problem}", mistake)
            continue
        problem = outcome_difference(actual, expected, case, reveal=False)
        if problem:
            mistake = identify_mistake(lab_id, judge.task, case, actual, expected)
            return failed(f"fails on {case.label}: {problem}", mistake)
    if judge.source_rule is not None:
        problem = judge.source_rule(subject.source(judge.task))
        if problem:
            return failed(problem)
    return Verdict(grade_id, judge.task, True, f"{judge.task}: passed {len(cases)} hidden cases")
