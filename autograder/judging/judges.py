"""Judges decide the points, outside the student's kernel, on inputs students never see.

A `Judge` is an exercise (`labutils.examine.Exercise`, declared in its lab's check module)
plus a generator of hidden cases, which a lab's judge module (`autograder/judging/hidden_cases/labNN.py`)
supplies as `HIDDEN_CASES`. Cases come from a seed the student cannot know (`judge_seed`: an
HMAC of a course secret, the student, the lab and the cell, so a regrade gives the same
result). The examination is the public check's (`labutils.examine.examine`), with another
oracle: the reference solution, run here, and the mistake catalogue (`ReferenceOracle`).
Verdicts never show the hidden inputs or their expected values.
"""
from __future__ import annotations

import hashlib
import hmac
import importlib
import os
from dataclasses import asdict, dataclass
from typing import Callable

import numpy as np

from autograder.course.labs import checks_module, lab_number
from autograder.judging.mistakes import mistakes_for, wrong_outcomes
from autograder.judging.reference import reference_namespace
from labutils import examine as examination
from labutils.call_outcomes import Case, Outcome, best_match, call
from labutils.examine import Diagnosis, Exercise, KnownMistake, Subject, examine

DEMO_SECRET = "nn-training-labs demo secret: set NNLABS_COURSE_SECRET for a real class"
SECRET_VARIABLE = "NNLABS_COURSE_SECRET"
# "1": a class may be graded with the demo secret when no course secret is set, as with
# `grade --demo-secret`; the test session sets it (tests/conftest.py), a course never should.
DEMO_SECRET_VARIABLE = "NNLABS_ALLOW_DEMO_SECRET"
DEMO_SECRET_SAID = "the public demo secret: anyone with the repository can compute the hidden cases"
COURSE_SECRET_SAID = "the course secret"


class SecretMissing(RuntimeError):
    """A class to grade, no course secret, and no leave to use the public demo secret."""


def course_secret() -> str:
    """NNLABS_COURSE_SECRET, else the public demo secret (`grading_secret` says who may grade with it)."""
    return os.environ.get(SECRET_VARIABLE) or DEMO_SECRET


def demo_secret_allowed(demo_secret: bool = False) -> bool:
    """Whether the demo secret may grade: asked for (`--demo-secret`), or NNLABS_ALLOW_DEMO_SECRET=1."""
    return demo_secret or os.environ.get(DEMO_SECRET_VARIABLE, "").strip() not in ("", "0")


def grading_secret(demo_secret: bool = False) -> str:
    """The secret a class is graded with: NNLABS_COURSE_SECRET; the public demo secret only when
    asked for (`demo_secret`, `demo_secret_allowed`), else `SecretMissing`, which says what to set."""
    if os.environ.get(SECRET_VARIABLE):
        return os.environ[SECRET_VARIABLE]
    if demo_secret_allowed(demo_secret):
        return DEMO_SECRET
    raise SecretMissing(
        f"{SECRET_VARIABLE} is not set. The hidden cases of each student are drawn from it; without it they "
        "would come from the public demo secret, and anyone with the repository could compute every "
        f"student's hidden inputs and expected values. Set {SECRET_VARIABLE} to the course's own secret "
        "(keep it, a regrade needs the same one), or, for a trial run no grade comes from, pass --demo-secret "
        f"(grade(..., demo_secret=True), or {DEMO_SECRET_VARIABLE}=1).")


def secret_said(secret: str | None = None) -> str:
    """Which kind of secret `secret` (default: the one grading would use now) is, in words."""
    return DEMO_SECRET_SAID if (secret if secret is not None else course_secret()) == DEMO_SECRET \
        else COURSE_SECRET_SAID


def judge_seed(secret: str, student_id: str, lab_id: str, grade_id: str) -> int:
    message = f"{student_id}/{lab_id}/{grade_id}".encode()
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big")


@dataclass(frozen=True)
class Judge:
    """How to judge one graded cell: its exercise, on hidden cases drawn from a Generator.

    diagnose: replaces the exercise's own, for a judge that knows more than the public check
    can (lab 08 loads the student's weights into the reference network; scores on sentences
    no kernel sees).
    """

    exercise: Exercise
    cases: Callable[[np.random.Generator], list[Case]]
    override: Diagnosis | None = None

    @property
    def task(self) -> str:
        return self.exercise.task

    @property
    def diagnose(self) -> Diagnosis | None:
        return self.override or self.exercise.diagnose


@dataclass
class Verdict:
    grade_id: str
    task: str
    passed: bool
    message: str
    mistake: str | None = None
    cases_passed: int | None = None  # with partial credit: the hidden cases that count, passed ...
    cases_counted: int | None = None  # ... of those that count (a trivial answer passes none of them)

    @property
    def partial(self) -> str | None:
        """"7 of 10 hidden tests", where partial credit counted them."""
        if self.cases_counted is None or self.cases_passed is None:
            return None
        return f"{self.cases_passed} of {self.cases_counted} hidden test{'s' if self.cases_counted != 1 else ''}"

    def to_dict(self) -> dict:
        return asdict(self)


class ReferenceOracle:
    """The judge's oracle: the lab's reference solution and its mistake catalogue, run here."""

    reveal = False  # hidden cases: their inputs and expected values stay hidden
    strict_source = True  # the source comes from the notebook: a function not found there fails the rule

    def __init__(self, lab_id: str):
        self.lab_id = lab_id

    def expected(self, exercise: Exercise, case: Case) -> Outcome:
        namespace = reference_namespace(self.lab_id)
        return call(namespace[exercise.callee], case, lookup=namespace.__getitem__)

    def mistake(self, exercise: Exercise, case: Case, actual: Outcome, expected: Outcome) -> KnownMistake | None:
        candidates = [(KnownMistake(m.name, m.hint), outcome)
                      for m, outcome in wrong_outcomes(self.lab_id, exercise, case, expected)]
        return best_match(actual, candidates, case)

    def named(self, exercise: Exercise, name: str) -> KnownMistake:
        mistake = next(m for m in mistakes_for(self.lab_id, exercise.task) if m.name == name)
        return KnownMistake(mistake.name, mistake.hint)

    def wrong_on(self, exercise: Exercise, case: Case) -> set[str]:
        expected = self.expected(exercise, case)
        return {mistake.name for mistake, _ in wrong_outcomes(self.lab_id, exercise, case, expected)}


class LocalSubject(examination.LocalSubject):
    """Functions in the grader's process (the catalogue's, the reference's, the tests'), whose
    outcomes make the same round trip through the wire format as a kernel's do."""

    def __init__(self, functions: dict[str, Callable], sources: dict[str, str] | None = None):
        super().__init__(functions, sources, wire=True)


def run_judge(lab_id: str, grade_id: str, judge: Judge, subject: Subject, seed: int,
              partial_credit: bool = False) -> Verdict:
    """The judge's verdict on `subject` for the hidden cases of `seed`. With `partial_credit`,
    every case is run (not only up to the first wrong one) and the verdict counts those passed
    among the cases that count: the ones no trivial answer passes (`trivially_passed`)."""
    cases = judge.cases(np.random.default_rng(seed))
    oracle = ReferenceOracle(lab_id)
    verdict = examine(judge.exercise, subject, cases, oracle, judge.override, keep_going=partial_credit)
    counted = passed = None
    if partial_credit:
        trivial = trivially_passed(lab_id, judge, cases, oracle)
        counted = len(cases) - len(trivial)
        passed = sum(ok for index, ok in enumerate(verdict.case_passed) if index not in trivial)
    if verdict.passed:
        return Verdict(grade_id, judge.task, True, f"{judge.task}: passed {len(cases)} hidden cases",
                       cases_passed=passed, cases_counted=counted)
    return Verdict(grade_id, judge.task, False, verdict.report(reveal=False),
                   verdict.mistake.name if verdict.mistake else None, cases_passed=passed, cases_counted=counted)


def _answers_zeros(*args, **kwargs):
    return np.zeros_like(np.asarray(args[0], dtype=float)) if args else 0.0


def _raises(*args, **kwargs):
    raise NotImplementedError("a trivial answer")


# Answers that know nothing of the task: partial credit gives nothing for the cases they pass.
TRIVIAL_ANSWERS: dict[str, Callable] = {
    "a constant": lambda *args, **kwargs: 0.0,
    "None": lambda *args, **kwargs: None,
    "the input returned": lambda *args, **kwargs: args[0] if args else None,
    "zeros of the input's shape": _answers_zeros,
    "NotImplementedError": _raises,
}


class PassOnlyOracle(ReferenceOracle):
    """The reference, asked only whether a case passed: no mistake is looked for (running the
    catalogue on every wrong case of a trivial answer would cost more than the grading)."""

    def mistake(self, exercise: Exercise, case: Case, actual: Outcome, expected: Outcome) -> KnownMistake | None:
        return None

    def wrong_on(self, exercise: Exercise, case: Case) -> set[str]:
        return set()


def trivially_passed(lab_id: str, judge: Judge, cases: list[Case], oracle: ReferenceOracle) -> set[int]:
    """The indexes of the cases one of `TRIVIAL_ANSWERS` passes (the reference's functions
    stand in for the exercise's others, as in a notebook that has them right)."""
    found: set[int] = set()
    oracle = PassOnlyOracle(lab_id)
    reference = reference_namespace(lab_id)
    for answer in TRIVIAL_ANSWERS.values():
        functions = {**reference, judge.exercise.callee: answer}
        verdict = examine(judge.exercise, examination.LocalSubject(functions), cases, oracle, judge.override,
                          keep_going=True)  # in this process, no wire: a trivial answer may return a function
        found |= {index for index, ok in enumerate(verdict.case_passed) if ok}
    return found


def judge_module(lab_id: str):
    return importlib.import_module(f"autograder.judging.hidden_cases.lab{lab_number(lab_id)}")


def judges_for(lab_id: str) -> dict[str, Judge]:
    """{grade_id: Judge} of every exercise of the lab, in the order the lab declares them."""
    module = judge_module(lab_id)
    hidden, diagnoses = module.HIDDEN_CASES, getattr(module, "DIAGNOSES", {})
    exercises = checks_module(lab_id).EXERCISES
    missing = [exercise.task for exercise in exercises if exercise.task not in hidden]
    if missing:
        raise LookupError(f"{module.__name__}.HIDDEN_CASES has no hidden cases for {', '.join(missing)}")
    return {exercise.grade_id: Judge(exercise, hidden[exercise.task], diagnoses.get(exercise.task))
            for exercise in exercises}
