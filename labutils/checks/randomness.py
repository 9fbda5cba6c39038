"""Is a result a function of the random generator it was given? Shared by the checks (and
judges) of the exercises that take an `rng`: lab 05's `minibatches`, lab 07's `dropout_forward`.

`labutils.harnesses.seeded` calls the student's function three times (as given, again from
the same seeds, then as the next epoch) and brings back the results with the states of the
generators; `seeded_problem` judges them, here or in the grader, never in a harness.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from labutils.call_outcomes import Case
from labutils.compare import difference

GLOBAL_GENERATOR = "numpy's global generator instead of rng"
OWN_GENERATOR = "a generator of its own instead of rng"
SEEDED_KEYS = ("first", "same_seed", "next", "generators", "global_before", "global_after")


def identical(a: Any, b: Any) -> bool:
    """The same structure and exactly the same values."""
    return difference(a, b, tolerance=0.0) is None


def _states(generators: Any) -> list:
    if not isinstance(generators, list):
        return []
    return [g.bit_generator.state if isinstance(g, np.random.Generator) else None for g in generators]


def generators_moved(runs: dict, case: Case) -> bool:
    """True if a generator among the case's arguments was drawn from by the first call."""
    given = [v for v in (*case.args, *case.kwargs.values()) if isinstance(v, np.random.Generator)]
    after = _states(runs["generators"])
    return len(after) != len(given) or any(g.bit_generator.state != a for g, a in zip(given, after))


def seeded_problem(runs: Any, case: Case, same_every_call: str) -> tuple[str, str | None] | None:
    """What is wrong with how the function used its generator, from the `seeded` harness's
    `runs`; None when the result comes from the generator given: the same seed gives the same
    result, the generator moves on, and the next call gives another result.

    same_every_call: the task's name for a result that never changes (a fixed seed of its own).
    """
    if not isinstance(runs, dict) or set(runs) != set(SEEDED_KEYS):
        return "no result came back from the three calls", None
    moved = generators_moved(runs, case)
    global_moved = not identical(runs["global_before"], runs["global_after"])
    reproducible = identical(runs["first"], runs["same_seed"])
    if not moved and global_moved:
        return ("it draws from NumPy's global generator (np.random), not from the rng it is given: "
                "the same seed does not give the same result", GLOBAL_GENERATOR)
    if not moved and reproducible:
        return "it never draws from the rng it is given: every call gives the same result", same_every_call
    if not moved:
        return ("it never draws from the rng it is given (it makes a generator of its own): "
                "the same seed does not give the same result", OWN_GENERATOR)
    if not reproducible:
        return ("two generators with the same seed gave different results: the result should "
                "depend on the rng it is given and nothing else", GLOBAL_GENERATOR if global_moved else None)
    if identical(runs["first"], runs["next"]):
        return "two calls in a row gave the same result: each call should draw anew from rng", same_every_call
    return None
