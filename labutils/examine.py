"""One examination for public checks and hidden judges: call, compare, name the mistake.

An `Exercise` is declared once, in its lab's check module (`labutils.checks.labNN`): the task,
the contract, the public cases, how a call is made, and how a wrong answer is recognised.
`examine(exercise, subject, cases, oracle)` runs the subject's function on each case and
stops at the first one it gets wrong. Checks and judges differ only in what they pass:

- the public check (`Exercise.check`, in the student's kernel): the public cases, the
  student's functions in this process, and the fixture the release recorded as oracle
  (`labutils.checks.engine.FixtureOracle`);
- the judge (`autograder.judging.judges`, in the grader): hidden cases from a secret seed, the
  student's live kernel, and the reference solution with the mistake catalogue as oracle.

The verdict (`Examination`) says which case failed, what was wrong and, when the answer is
the one a catalogued mistake gives, that mistake; `Examination.report` words it.
"""
from __future__ import annotations

import inspect
import re
from dataclasses import dataclass, field, replace
from typing import Callable, Mapping, Protocol, Sequence

from labutils.call_outcomes import (
    Case,
    Outcome,
    Raised,
    Returned,
    call,
    decode_outcome,
    encode_outcome,
    outcome_difference,
)
from labutils.harnesses import resolve_harness
from labutils.source_rules import silences_warnings

Found = tuple[str, str | None] | None
# A diagnosis of an outcome with no single right value (a shuffle, a dropout mask): None when
# it has every property asked, else (what is wrong, the catalogued mistake's name or None).
# It gets the examination's oracle and subject for the rare task that needs them (lab 08).
Diagnosis = Callable[[Outcome, Case, "Context"], Found]
# Whether an outcome a diagnosis passed can still be held against the recorded right one, given
# (actual, expected, case): a phrase saying on what ground (it prefixes the difference found),
# or None where it cannot (lab 08's FFNN: only a network that started from the same weights).
Ground = Callable[[Outcome, Outcome, Case], "str | None"]
# What is wrong with how a function is written, given its source; None when nothing is.
SourceRule = Callable[[str], "str | None"]


@dataclass(frozen=True)
class KnownMistake:
    name: str  # what the student is told: "transposed indexing"
    hint: str  # how to think about the fix, never the code


class Oracle(Protocol):
    """What the right outcome of a case is, and which known mistake gives a wrong one."""

    reveal: bool  # may messages show the case's inputs and the expected values (public cases)
    strict_source: bool  # a function whose source cannot be read fails its source rule

    def expected(self, exercise: Exercise, case: Case) -> Outcome:
        """The right outcome of `case`."""

    def mistake(self, exercise: Exercise, case: Case, actual: Outcome, expected: Outcome) -> KnownMistake | None:
        """The catalogued mistake whose outcome on `case` is `actual`, if any."""

    def named(self, exercise: Exercise, name: str) -> KnownMistake:
        """The catalogued mistake called `name` (a diagnosis names it)."""

    def wrong_on(self, exercise: Exercise, case: Case) -> set[str]:
        """The names of the catalogued mistakes whose outcome on `case` is not the right one."""


class Subject(Protocol):
    """The student's code, wherever it runs."""

    last_failure: str | None  # why the last `call` brought back nothing

    def call(self, function: str, case: Case) -> Outcome | None:
        """The outcome of `function` on `case`, or None if none came back."""

    def source(self, function: str) -> str | None:
        """The source of the student's `def function`, or None."""


@dataclass(frozen=True)
class Context:
    """What a diagnosis may consult besides the outcome."""
    exercise: Exercise
    oracle: Oracle
    subject: Subject


@dataclass(frozen=True)
class Exercise:
    """One graded exercise, declared once.

    task: the exercise's name, as in its stub, its check (`check_<task>`), its judge's
        grade id (`test_<task>`), its fixture and its catalogue entries.
    contract: one line a student reads (`help(check_<task>)`).
    cases: the public cases; the release records the reference's and the mistakes' outcomes.
    function: the student function called, when not the task (lab 08's end-to-end calls fit).
    others: the student's other functions a case's harness needs, in the order the check takes
        them after the function (a backward pass needs its forward pass).
    diagnose: for outcomes with no single right value, judged by their properties.
    recorded: with `diagnose`, the release still records the public outcomes (a seeded network).
    compared_on: with `recorded`, an outcome the diagnosis passed is then compared with the
        record like any other, where this gives a ground for it (see `Ground`).
    source_rule: what is wrong with how the function is written (loops asked, a library call used).
    helpers: the graded functions of this lab or an earlier one that the function calls (an MLP
        calls the layers). Its judge lends it the reference's (`labutils.harnesses.lent`), so it
        is graded on its own code; its check, when it fails, first asks whether one of the
        student's helpers fails its own check, and if so names that one as the place to look.
    integration: the exercise is the student's functions working together (lab 08's end to end):
        its judge fails it when one of its helpers is broken in a way that changes the result,
        naming that one, and its check fails it when one of them fails its own check.
    result_names: what the parts of an outcome are called, by their path in it: {"[1][1]": "dW"}.
        A difference found at such a path is said by that name ("dW: value at index [0, 2] ...",
        not "[1][1]: ..."); "[0]" of a round trip names the student's forward as the cause.
    """

    task: str
    contract: str
    cases: Sequence[Case]
    function: str | None = None
    others: tuple[str, ...] = ()
    diagnose: Diagnosis | None = None
    recorded: bool = False
    compared_on: Ground | None = None
    source_rule: SourceRule | None = None
    helpers: tuple[str, ...] = ()
    integration: bool = False
    result_names: Mapping[str, str] = field(default_factory=dict)

    @property
    def callee(self) -> str:
        return self.function or self.task

    @property
    def grade_id(self) -> str:
        return f"test_{self.task}"

    @property
    def by_properties(self) -> bool:
        """Judged by `diagnose` with nothing recorded but the hints."""
        return self.diagnose is not None and not self.recorded


@dataclass(frozen=True)
class Examination:
    """The verdict on one exercise: passed, or the first case it failed on and why."""
    task: str
    cases_run: int
    case: Case | None = None
    problem: str | None = None
    mistake: KnownMistake | None = None
    raised: Raised | None = field(default=None, compare=False)  # what the student's code raised, if it did
    unexpected: bool = False  # it raised where a value was due, and no known mistake explains it
    call: str | None = field(default=None, compare=False)  # the failed call in the contract's words (`described_call`)
    case_passed: tuple[bool, ...] = field(default=(), compare=False)  # per case run, with `keep_going`

    @property
    def passed(self) -> bool:
        return self.problem is None

    def report(self, reveal: bool) -> str:
        """The failure in words; `reveal` shows the call with its inputs (public cases only)."""
        if self.case is None:
            return f"{self.task}: {self.problem}"
        lines = [f"{self.task} fails on {self.case.label}."]
        if reveal:
            called = self.call or f"called {self.task}({self.case.describe_inputs()})"
            lines.append(f"  {called}")
        lines.append(f"  {self.problem}")
        if self.mistake is not None:
            lines.append(f"  Likely mistake: {self.mistake.name}. {self.mistake.hint}")
        return "\n".join(lines)


def examine(exercise: Exercise, subject: Subject, cases: Sequence[Case], oracle: Oracle,
            diagnose: Diagnosis | None = None, keep_going: bool = False) -> Examination:
    """Call the subject's function on each case, compare with the oracle, stop at the first
    wrong answer; then the exercise's source rule. `diagnose` replaces the exercise's diagnosis
    and its comparison with the record (a judge that knows more than the public check: lab 08
    scores on sentences the kernel never sees). `keep_going`: go on after a wrong answer, to
    count the cases passed (partial credit, `Examination.case_passed`); the verdict is still the
    first wrong answer's. A call that brings nothing back (a kernel that ended) stops it."""
    compared_on = exercise.compared_on if diagnose is None and exercise.recorded else None
    context = Context(exercise, oracle, subject)
    first: Examination | None = None
    passed: list[bool] = []
    for index, case in enumerate(cases):
        actual = subject.call(exercise.callee, case)
        if actual is None:
            why = subject.last_failure or "the function is missing"
            failed = Examination(exercise.task, len(cases), problem=f"no result came back on {case.label}: {why}")
            return replace(first or failed, case_passed=tuple(passed) + (False,) * (len(cases) - index))
        found = _case_verdict(exercise, cases, index, actual, oracle, context, diagnose or exercise.diagnose,
                              compared_on)
        passed.append(found is None)
        if found is not None and first is None:
            first = found
            if not keep_going:
                return found
    if first is not None:
        return replace(first, case_passed=tuple(passed))
    rules = source_rules(exercise)
    if rules:
        source = subject.source(exercise.callee)
        if source is None and oracle.strict_source:
            return Examination(exercise.task, len(cases), problem=(
                f"no `def {exercise.callee}` was found in the notebook, so how it is written cannot be checked"))
        problem = next((found for rule in rules if (found := rule(source))), None) if source is not None else None
        if problem:
            return Examination(exercise.task, len(cases), problem=f"the values are right, but it {problem}")
    return Examination(exercise.task, len(cases), case_passed=tuple(passed) if keep_going else ())


def _case_verdict(exercise: Exercise, cases: Sequence[Case], index: int, actual: Outcome, oracle: Oracle,
                  context: Context, diagnose: Diagnosis | None, compared_on: Ground | None) -> Examination | None:
    """The failure of case `index`, whose outcome is `actual`; None when it passed."""
    case = cases[index]
    ground = None
    if diagnose is not None:
        found = diagnose(actual, case, context)
        if found is None and isinstance(actual, Raised):
            return _failed(exercise, cases, case, f"raised {actual.type_name}: {actual.message}", None, actual,
                           unexpected=True)
        if found is not None:
            problem, name = found
            mistake = oracle.named(exercise, name) if name else None
            return _failed(exercise, cases, case, problem, mistake, actual)
        if compared_on is None:
            return None
    expected = oracle.expected(exercise, case)
    if compared_on is not None:
        ground = compared_on(actual, expected, case)
        if ground is None:
            return None
    problem = outcome_difference(actual, expected, case, reveal=oracle.reveal)
    if problem is None:
        return None
    problem = named_result(problem, exercise.result_names)
    mistake = consistent(oracle.mistake(exercise, case, actual, expected), exercise, cases[:index], oracle)
    unexpected = mistake is None and isinstance(actual, Raised) and isinstance(expected, Returned)
    problem = f"{ground}: {problem}" if ground else problem
    return _failed(exercise, cases, case, problem, mistake, actual, unexpected)


def source_rules(exercise: Exercise) -> list[SourceRule]:
    """How the exercise's function must be written: its own rule, and, where its contract asks
    that nothing overflows (quiet cases), that no warning is silenced: one grade whether an
    overflow's warning shows or is hidden."""
    rules = [exercise.source_rule] if exercise.source_rule else []
    if any(case.quiet for case in exercise.cases):
        rules.append(silences_warnings)
    return rules


def consistent(mistake: KnownMistake | None, exercise: Exercise, passed: Sequence[Case],
               oracle: Oracle) -> KnownMistake | None:
    """`mistake` if it is the student's on the evidence: it gives the student's answer on the case
    failed (the oracle matched it there) and, like the student, the right one on every case
    passed before it; a mistake that would have failed an earlier case is not this one."""
    if mistake is None or not any(mistake.name in oracle.wrong_on(exercise, case) for case in passed):
        return mistake
    return None


def _failed(exercise: Exercise, cases: Sequence[Case], case: Case, problem: str, mistake: KnownMistake | None,
            actual: Outcome, unexpected: bool = False) -> Examination:
    raised = actual if isinstance(actual, Raised) else None
    return Examination(exercise.task, len(cases), case, problem, mistake, raised, unexpected,
                       described_call(exercise, case))


def named_result(problem: str, names: Mapping[str, str]) -> str:
    """`problem` with the path it starts with ("[1][1]: ...") said by its name ("dW: ..."),
    the longest named prefix of that path first."""
    path = re.match(r"(?:\[[^\]]+\])+", problem)
    if not path:
        return problem
    for prefix in sorted(names, key=len, reverse=True):
        if path.group(0).startswith(prefix):
            rest = path.group(0)[len(prefix):]
            return f"{names[prefix]}{rest}{problem[path.end():]}"
    return problem


def contract_parameters(exercise: Exercise) -> list[str]:
    """The parameter names of the contract's own signature, "linear_backward(dout, cache) -> ..."
    -> ["dout", "cache"]; [] where the contract gives none."""
    match = re.match(rf"{re.escape(exercise.callee)}\(([^)]*)\)", exercise.contract)
    if not match or "..." in match.group(1):
        return []
    names = [part.split("=")[0].strip().lstrip("*") for part in match.group(1).split(",")]
    return [name for name in names if name.isidentifier()]


def described_call(exercise: Exercise, case: Case) -> str:
    """The failed call as the contract names it: "called linear_forward(x=..., W=..., b=...)"
    (a harness that only calls the function, perhaps more than once, changes nothing of it); or,
    through a harness that takes arguments of its own (a forward then a backward pass), what
    the harness does and its arguments by their names."""
    harness = resolve_harness(case.harness) if case.harness else None
    parameters = list(inspect.signature(harness).parameters.values())[2:] if harness else []
    if harness is None or any(p.kind is p.VAR_POSITIONAL for p in parameters):
        return f"called {exercise.callee}({case.describe_inputs(names=contract_parameters(exercise))})"
    doc = " ".join((harness.__doc__ or "").split("\n\n")[0].split())
    does = re.split(r"(?<=[.;:])\s", doc.removeprefix("Harness: "))[0].rstrip(".;:")
    names = [p.name for p in parameters]
    return f"checked with {harness.__name__} ({does}): {case.describe_inputs(names=names)}"


class LocalSubject:
    """Functions in this process: the student's in a check, the catalogue's and the reference's
    in the grader. `wire`: outcomes make the round trip through the wire format, as a kernel's do."""

    def __init__(self, functions: dict[str, Callable], sources: dict[str, str] | None = None, wire: bool = False):
        self.functions = functions
        self.sources = sources or {}
        self.wire = wire
        self.last_failure: str | None = None
        self.warned: list[str] = []  # "matmul on <case> warned RuntimeWarning: ...", for the check to print

    def call(self, function: str, case: Case) -> Outcome | None:
        if function not in self.functions:
            self.last_failure = f"no function named {function!r} is defined"
            return None
        outcome = call(self.functions[function], case, lookup=self.functions.__getitem__)
        self.warned += [f"{function} on {case.label} warned {warning}" for warning in outcome.warnings]
        return decode_outcome(encode_outcome(outcome)) if self.wire else outcome

    def source(self, function: str) -> str | None:
        if function in self.sources:
            return self.sources[function]
        try:
            return inspect.getsource(self.functions[function])
        except (KeyError, OSError, TypeError):  # defined where Python keeps no source (exec, a C function)
            return None
