"""What a call of an exercise function did, and how two such outcomes differ.

A `Case` is one call to make (`args`, `kwargs`) with a label a student understands.
`call(fn, case)` runs it and returns an outcome: `Returned(value)` or
`Raised(type_name, ...)`. Checks (in the student's kernel) and judges (in the grader)
both compare outcomes with `outcome_difference`, and recognise a known mistake when the
student's outcome is `same_outcome` as that mistake's.
"""
from __future__ import annotations

import copy
import functools
import re
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence, TypeVar

import numpy as np

from labutils import plain_data
from labutils.compare import DEFAULT_TOLERANCE, difference
from labutils.harnesses import harness_path, resolve_harness

T = TypeVar("T")


@dataclass(frozen=True)
class Case:
    """One call of an exercise function.

    shapes_in_message: when the expected outcome is an exception, its message must
    name each of these shapes (as "(2, 3)" or "2x3").
    quiet: the call must raise no warning (an overflow in np.exp, say), even when
    the values it returns are right.
    harness: a function of labutils that runs the call (a forward then a backward pass, two
    calls in a row), given as the function or its path (`labutils.harnesses.harness_path`);
    kept as the path, which travels to a kernel. None for `fn(*args)`.
    held_out: data for the diagnosis only (a dev set a trained network is scored on); it
    never travels to a kernel, which gets `args`, `kwargs` and `harness` alone.
    """

    label: str
    args: tuple = ()
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    shapes_in_message: tuple[tuple[int, ...], ...] = ()
    tolerance: float = DEFAULT_TOLERANCE
    quiet: bool = False
    harness: str | Callable | None = None
    held_out: Any = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if callable(self.harness):
            object.__setattr__(self, "harness", harness_path(self.harness))

    def describe_inputs(self, reveal: bool = True, names: Sequence[str] = ()) -> str:
        """The arguments, shown in full when small and `reveal`, else by shape; the positional
        ones named by `names` (the contract's parameters), as far as it goes."""
        parts = [(f"{names[index]}=" if index < len(names) else "") + _describe_argument(arg, reveal)
                 for index, arg in enumerate(self.args)]
        parts += [f"{name}={_describe_argument(arg, reveal)}" for name, arg in self.kwargs.items()]
        return ", ".join(parts)


SHORT = 120  # characters: an argument shown whole up to this long, else summarised


def _describe_argument(arg: Any, reveal: bool, compact: bool = False) -> str:
    """An argument as a student can read it: small ones whole; a large array by its shape,
    dtype, first entries and mean; a container item by item, its arrays by their shapes when
    whole they would be too long, and by its size when even that is too long."""
    if isinstance(arg, np.ndarray):
        if reveal and arg.size <= 12 and not compact:
            return np.array2string(arg, precision=4, separator=", ").replace("\n", "")
        if compact or not reveal or arg.size == 0 or arg.dtype.kind not in "biuf":
            return f"<array of shape {arg.shape}>"
        first = ", ".join(f"{v:.4g}" for v in arg.ravel()[:3].astype(float))
        return f"<array of shape {arg.shape}, {arg.dtype}: {first}, ...; mean {arg.mean():.4g}>"
    if isinstance(arg, np.random.Generator):
        return "a numpy Generator"
    if callable(arg):
        return getattr(arg, "__name__", "a function")
    if isinstance(arg, (tuple, list, dict)):
        for inner_compact in (compact, True):
            if isinstance(arg, dict):
                inner = ", ".join(f"{key!r}: {_describe_argument(value, reveal, inner_compact)}"
                                  for key, value in arg.items())
                text = "{" + inner + "}"
            else:
                inner = ", ".join(_describe_argument(item, reveal, inner_compact) for item in arg)
                text = f"({inner}{',' if len(arg) == 1 else ''})" if isinstance(arg, tuple) else f"[{inner}]"
            if len(text) <= SHORT:
                return text
        if isinstance(arg, dict):
            return f"<a dict of {len(arg)} keys: {', '.join(map(repr, list(arg)[:8]))}>"
        return f"<a {type(arg).__name__} of {len(arg)} items>"
    text = repr(arg)
    return text if len(text) <= SHORT else text[:SHORT - 3] + "..."


@dataclass(frozen=True)
class Returned:
    value: Any
    warnings: tuple[str, ...] = field(default=(), compare=False)
    modified: tuple[int, ...] = ()  # positions of the array arguments changed in place


@dataclass(frozen=True)
class Raised:
    type_name: str
    bases: tuple[str, ...] = ()  # names of the exception's classes, itself first
    message: str = ""
    exception: BaseException | None = field(default=None, compare=False, repr=False)
    warnings: tuple[str, ...] = field(default=(), compare=False)


Outcome = Returned | Raised


def call(fn: Callable, case: Case, lookup: Callable[[str], Callable] | None = None) -> Outcome:
    """Call `fn(*case.args, **case.kwargs)` (through the case's harness, if it names one);
    record its value or exception, its warnings, and which array arguments it modified.

    Only `Exception`s are caught: KeyboardInterrupt and SystemExit go on up.
    The function gets copies of the case's arrays, so it cannot spoil the next case.
    NumPy's floating-point errors are set to warn for the call, whatever the caller set.
    lookup: finds the student's other functions by name, for harnesses.
    """
    args = tuple(_fresh(a) for a in case.args)
    kwargs = {name: _fresh(value) for name, value in case.kwargs.items()}
    runner = fn
    if case.harness is not None:
        harness = resolve_harness(case.harness)
        runner = functools.partial(harness, fn, lookup or _no_lookup)
    with warnings.catch_warnings(record=True) as caught, np.errstate(all="warn", under="ignore"):
        warnings.simplefilter("always")
        try:
            value = runner(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - the outcome records it, nothing is hidden
            outcome: Outcome = raised_from(exc)
        else:
            modified = tuple(i for i, (given, original) in enumerate(zip(args, case.args))
                             if isinstance(original, np.ndarray) and not _same_array(given, original))
            outcome = Returned(value, modified=modified)
    if caught:
        notes = tuple(f"{w.category.__name__}: {w.message}" for w in caught)
        outcome = _with_warnings(outcome, notes)
    return outcome


def _fresh(value: Any) -> Any:
    """A copy of an array or a random generator (its state), so calls cannot share them."""
    if isinstance(value, (np.ndarray, np.random.Generator)):
        return copy.deepcopy(value)
    return value


def _no_lookup(name: str) -> Callable:
    raise NameError(f"{name} is not defined")


def _same_array(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and bool(np.all((a == b) | (np.isnan(a) & np.isnan(b))))


def raised_from(exc: BaseException) -> Raised:
    bases = tuple(cls.__name__ for cls in type(exc).__mro__)
    return Raised(type(exc).__name__, bases, str(exc), exception=exc)


def _with_warnings(outcome: Outcome, notes: tuple[str, ...]) -> Outcome:
    if isinstance(outcome, Returned):
        return Returned(outcome.value, notes, outcome.modified)
    return Raised(outcome.type_name, outcome.bases, outcome.message, outcome.exception, notes)


_SHAPE_SEPARATOR = r"\s*(?:,|x|×|\*)\s*"


def mentions_shape(message: str, shape: tuple[int, ...]) -> bool:
    """True if `message` names `shape` as "(2, 3)", "2x3", "2 x 3" or "2×3"."""
    pattern = _SHAPE_SEPARATOR.join(str(n) for n in shape)
    return re.search(rf"(?<!\d){pattern}(?!\d)", message) is not None


def outcome_difference(actual: Outcome, expected: Outcome, case: Case, *, reveal: bool = True) -> str | None:
    """None if `actual` is acceptable where `expected` is right, else what is wrong."""
    if isinstance(expected, Returned):
        if isinstance(actual, Raised):
            return f"raised {actual.type_name}: {actual.message}"
        problem = difference(actual.value, expected.value, tolerance=case.tolerance, reveal=reveal)
        if problem is None and actual.modified:
            return f"it changed its argument number {actual.modified[0] + 1} in place; leave inputs unchanged"
        if problem is None and case.quiet and actual.warnings:
            return f"the values are right, but it warned {actual.warnings[0]}"
        return problem
    if isinstance(actual, Returned):
        return f"returned a value instead of raising {expected.type_name}"
    if expected.type_name not in actual.bases:
        return f"raised {actual.type_name} ({actual.message}), expected {expected.type_name}"
    missing = [shape for shape in case.shapes_in_message if not mentions_shape(actual.message, shape)]
    if missing:
        shapes = " and ".join(str(s) for s in case.shapes_in_message)
        return (f"the {expected.type_name} should say which shapes clash ({shapes}); "
                f"its message was {actual.message!r}")
    return None


def same_outcome(a: Outcome, b: Outcome, case: Case, *, same_message: bool = False) -> bool:
    """True if two outcomes are indistinguishable on `case`: the same value (and, for a
    quiet case, both warning or both not), or the same exception type (and, with
    `same_message`, the same message)."""
    if isinstance(a, Returned) and isinstance(b, Returned):
        if case.quiet and bool(a.warnings) != bool(b.warnings):
            return False
        return a.modified == b.modified and difference(a.value, b.value, tolerance=case.tolerance) is None
    if isinstance(a, Raised) and isinstance(b, Raised):
        return a.type_name == b.type_name and (not same_message or a.message == b.message)
    return False


def best_match(actual: Outcome, candidates: Sequence[tuple[T, Outcome]], case: Case) -> T | None:
    """The candidate whose outcome is `actual`'s: the first with the same value, or the same
    exception with the same message. Another exception of the same type is no evidence (a
    wrong offset and a wrong order both raise ValueError, with other messages)."""
    for item, outcome in candidates:
        if same_outcome(actual, outcome, case, same_message=True):
            return item
    return None


def encode_outcome(outcome: Outcome) -> dict:
    data: dict[str, Any] = {"warnings": [w[:300] for w in outcome.warnings[:5]]} if outcome.warnings else {}
    if isinstance(outcome, Returned):
        modified = {"modified": list(outcome.modified)} if outcome.modified else {}
        return data | modified | {"returns": plain_data.encode(outcome.value)}
    return data | {"raises": {"type": outcome.type_name, "bases": list(outcome.bases),
                              "message": outcome.message[:2000]}}


def decode_outcome(data: dict) -> Outcome:
    notes = tuple(str(w) for w in data.get("warnings", ()))
    if "returns" in data:
        return Returned(plain_data.decode(data["returns"]), notes, tuple(int(i) for i in data.get("modified", ())))
    raised = data["raises"]
    return Raised(str(raised["type"]), tuple(str(b) for b in raised["bases"]), str(raised["message"]),
                  warnings=notes)
