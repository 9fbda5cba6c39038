"""Checks for lab 07, dropout: `check_dropout_forward`, `check_dropout_backward`.

A dropout mask depends on how you draw random numbers, so there is no single right
output: these checks (and the judges) test its properties. Kept entries are scaled by
1 / (1 - p); about a fraction p is dropped, independently for every entry; the mask comes
from the rng given (the same seed gives the same mask, the next call a new one); nothing
changes at eval time; the backward pass is compared, entry by entry, with the gradient of
the forward pass's own output.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from labutils.checks.engine import checks
from labutils.checks.randomness import SEEDED_KEYS, seeded_problem
from labutils.examine import Context, Exercise, Found
from labutils.harnesses import Lookup, round_trip, seeded_outputs
from labutils.outcomes import Case, Outcome, Raised, Returned

LAB = "07_dropout"


def dropout_round_trip(backward: Callable, lookup: Lookup, inputs: tuple, dout: Any) -> tuple:
    """Harness: your dropout_forward on `inputs`, then `backward(dout, cache)` on its cache."""
    return round_trip("dropout_forward", backward, lookup, inputs, dout)


def _inputs(seed: int, shape: tuple[int, int]) -> np.ndarray:
    """Values away from 0, so that dropped (0) and kept (scaled) entries are told apart."""
    rng = np.random.default_rng(seed)
    return rng.choice([-1.0, 1.0], size=shape) * rng.uniform(0.5, 2.0, size=shape)


X = _inputs(7, (60, 70))
FORWARD_CASES = [
    Case("4200 activations, p = 0.3, training", (X, 0.3, True, np.random.default_rng(0)), harness=seeded_outputs),
    Case("4200 activations, p = 0.75, training", (X, 0.75, True, np.random.default_rng(1)), harness=seeded_outputs),
    Case("p = 0.5 at eval time (train=False)", (X, 0.5, False, np.random.default_rng(2)), harness=seeded_outputs),
    Case("p = 0, training", (X, 0.0, True, np.random.default_rng(3)), harness=seeded_outputs),
    Case("p = 1, training", (X, 1.0, True, np.random.default_rng(4)), harness=seeded_outputs),
]
DOUT = _inputs(8, (60, 70))
BACKWARD_CASES = [
    Case("p = 0.3, training", ((X, 0.3, True, np.random.default_rng(5)), DOUT), harness=dropout_round_trip),
    Case("p = 0.6, at eval time", ((X, 0.6, False, np.random.default_rng(6)), DOUT),
         harness=dropout_round_trip),
]


def _close(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=1e-9, atol=1e-12))


def _training_problem(first: np.ndarray, x: np.ndarray, p: float) -> Found:
    """What is wrong with one training-mode output for 0 < p < 1, judged by its properties."""
    kept = first != 0
    scale = first[kept] / x[kept]
    dropped = 1 - kept.mean()
    spread = 5 * np.sqrt(p * (1 - p) / x.size)
    if x.ndim > 1 and x.shape[0] > 1 and np.array_equal(np.broadcast_to(kept[:1], kept.shape), kept):
        return ("every example (row) lost the same units: each entry is dropped independently",
                "one mask shared by the whole batch")
    if abs(dropped - (1 - p)) < spread and abs(dropped - p) > spread:
        return f"{dropped:.0%} of the units were dropped, for p = {p}", "p used as the keep probability"
    if not np.allclose(scale, 1 / (1 - p)):
        named = {1.0: "no rescaling", p: "scaling by p", 1 - p: "scaling by the keep probability"}
        for factor, name in named.items():
            if np.allclose(scale, factor):
                return (f"kept units are multiplied by {factor:g}, not by the inverse of the keep probability, "
                        f"{1 / (1 - p):.4g}"), name
        return "kept units should be divided by the keep probability and dropped ones be 0", None
    if abs(dropped - p) > spread:
        return f"{dropped:.1%} of the units were dropped, for p = {p}", None
    return None


def diagnose_forward(outcome: Outcome, case: Case, context: Context) -> Found:
    """What is wrong with the forward passes of `seeded_outputs(dropout_forward, x, p, train, rng)`:
    the output, the output again from the same seed, and the next output."""
    x, p, train = case.args[0], case.args[1], case.args[2]
    if not isinstance(outcome, Returned):
        return None
    runs = outcome.value
    if not isinstance(runs, dict) or set(runs) != set(SEEDED_KEYS):
        return "no result came back from the three calls", None
    if 0 in outcome.modified:
        return "it changed its argument x in place: the caller's activations are lost", "dropout applied to x in place"
    first = np.asarray(runs["first"], dtype=float)
    if first.shape != x.shape:
        return f"shape: expected {x.shape}, got {first.shape}", None
    if np.isnan(first).any() or (p == 1 and outcome.warnings):
        return ("it returns nan" if np.isnan(first).any() else f"it warns {outcome.warnings[0]}"), \
            "nan at p = 1" if p == 1 else None
    if not train:
        if _close(first, x):
            return None
        if _close(first, x * (1 - p)):
            return ("at eval time (train=False) the output must be x itself, not x times the keep probability",
                    "scaling at eval time")
        return "at eval time (train=False) the output must be x itself", "dropping at eval time"
    if p == 0:
        return None if _close(first, x) else ("with p = 0 nothing is dropped: the output must be x", None)
    if p == 1:
        return None if not first.any() else ("with p = 1 every unit is dropped: the output must be zeros", None)
    return _training_problem(first, x, p) or seeded_problem(runs, case, same_every_call="a mask that is not redrawn")


def diagnose_backward(outcome: Outcome, case: Case, context: Context) -> Found:
    """What is wrong with `round_trip(dropout_backward)`: (forward output, dx)."""
    (x, p, train, _), dout = case.args
    if isinstance(outcome, Raised) and not train and outcome.type_name == "TypeError":
        return (f"at eval time it raised TypeError ({outcome.message}): there the forward pass's cache "
                "holds no mask (None)", "a mask of None not handled")
    if not isinstance(outcome, Returned):
        return None
    out, dx = (np.asarray(v, dtype=float) for v in outcome.value)
    if dx.shape != dout.shape:
        return f"shape: expected {dout.shape}, got {dx.shape}", None
    expected = dout * (out / x)  # the forward's own mask and scale, entry by entry
    if _close(dx, expected):
        return None
    if not train:
        return "at eval time the gradient passes unchanged", None
    if _close(dx, dout / (1 - p)):
        return "dropped units receive gradient too", "backward ignoring the mask"
    if _close(dx, dout * (out != 0)):
        return "kept units' gradient misses the factor their forward pass applied", "backward ignoring the scale"
    return "dx is not the gradient of your forward pass (compared entry by entry with its own mask)", None


_l2 = np.random.default_rng(70)
L2_CASES = [
    Case("a two-layer network's params, lam = 0.1",
         ({"W1": np.round(_l2.normal(size=(3, 2)), 2), "b1": np.array([0.5, -1.0]),
           "W2": np.round(_l2.normal(size=(2, 2)), 2), "b2": np.array([2.0, 0.25])}, 0.1)),
    Case("one layer's params, lam = 0.5", ({"W": np.round(_l2.normal(size=(2, 3)), 2), "b": np.ones(3)}, 0.5)),
]

EXERCISES = (
    Exercise("dropout_forward", "dropout_forward(x, p, train, rng) -> (out, cache): inverted dropout, drop probability "
             "p, the mask drawn from rng (the same seed gives the same mask).",
             FORWARD_CASES, diagnose=diagnose_forward),
    Exercise("dropout_backward", "dropout_backward(dout, cache) -> dx, with the cache of your dropout_forward.",
             BACKWARD_CASES, others=('dropout_forward',), diagnose=diagnose_backward),
    Exercise("l2_penalty", "l2_penalty(params, lam) -> (penalty, grads): penalty = lam times the sum of the squares "
             "of every weight matrix (the entries of params named W...; biases are not penalised); grads, for "
             "every key of params, the penalty's gradient (zeros for biases).",
             L2_CASES),
)
check_dropout_forward, check_dropout_backward, check_l2_penalty = checks(LAB, EXERCISES)
