"""Judges of lab 07, dropout: random activations and drop probabilities, judged by properties."""
from __future__ import annotations

import numpy as np

from labutils.checks.lab07 import dropout_round_trip
from labutils.harnesses import seeded_outputs
from labutils.outcomes import Case


def _activations(rng: np.random.Generator, three_d: bool = False) -> np.ndarray:
    """Values away from 0 (dropped and kept entries are told apart): a (batch, units) matrix, or a
    (batch, steps, units) array, where every example must get its own mask."""
    if three_d:
        shape = (int(rng.integers(4, 9)), int(rng.integers(10, 20)), int(rng.integers(30, 50)))
    else:
        shape = (int(rng.integers(40, 80)), int(rng.integers(50, 90)))
    return rng.choice([-1.0, 1.0], size=shape) * rng.uniform(0.5, 3.0, size=shape)


def _drop_probabilities(rng: np.random.Generator) -> tuple[float, float]:
    """One low and one high drop probability, in random order: away from 0.5, where dropping
    with p and keeping with p look alike."""
    low, high = float(rng.uniform(0.1, 0.4)), float(rng.uniform(0.6, 0.9))
    return (low, high) if rng.random() < 0.5 else (high, low)


def _generator(rng: np.random.Generator) -> np.random.Generator:
    return np.random.default_rng(int(rng.integers(2**31)))


def forward_cases(rng: np.random.Generator) -> list[Case]:
    """Two training cases (a matrix and a 3-D array, a low and a high p), eval time, p = 0 and
    p = 1; each through `seeded_outputs`: the output, again from the same seed, and the next."""
    x, x3 = _activations(rng), _activations(rng, three_d=True)
    p, other_p = _drop_probabilities(rng)
    return [
        Case(f"hidden activations {x.shape}, p = {p:.2f}, training", (x, p, True, _generator(rng)),
             harness=seeded_outputs),
        Case(f"hidden activations {x3.shape}, p = {other_p:.2f}, training", (x3, other_p, True, _generator(rng)),
             harness=seeded_outputs),
        Case(f"hidden activations {x.shape}, at eval time", (x, p, False, _generator(rng)), harness=seeded_outputs),
        Case("hidden activations, p = 0", (x, 0.0, True, _generator(rng)), harness=seeded_outputs),
        Case("hidden activations, p = 1", (x, 1.0, True, _generator(rng)), harness=seeded_outputs),
    ]


def backward_cases(rng: np.random.Generator) -> list[Case]:
    """Through the student's own forward pass: two training cases (a matrix and a 3-D array, a
    low and a high p) and eval time."""
    x, x3 = _activations(rng), _activations(rng, three_d=True)
    p, other_p = _drop_probabilities(rng)
    settings = ((x, p, True, f"p = {p:.2f}, training"), (x3, other_p, True, f"p = {other_p:.2f}, training"),
                (x, p, False, "at eval time"))
    return [Case(f"hidden activations {inputs.shape}, {label}",
                 ((inputs, drop, train, _generator(rng)), rng.normal(size=inputs.shape)),
                 harness=dropout_round_trip)
            for inputs, drop, train, label in settings]


def l2_cases(rng: np.random.Generator) -> list[Case]:
    """Networks of one to three layers of hidden sizes and a hidden lam; then lam = 0."""
    cases = []
    for n_layers in (3, 1, 2):
        widths = [int(w) for w in rng.integers(2, 7, size=n_layers + 1)]
        params = {}
        for layer in range(1, n_layers + 1):
            params[f"W{layer}"] = rng.normal(size=(widths[layer - 1], widths[layer]))
            params[f"b{layer}"] = rng.normal(size=widths[layer])
        lam = float(rng.uniform(0.01, 2.0)) if n_layers != 2 else 0.0
        cases.append(Case(f"a hidden {n_layers}-layer network, lam = {lam:.3g}", (params, lam)))
    return cases


HIDDEN_CASES = {
    "dropout_forward": forward_cases,
    "dropout_backward": backward_cases,
    "l2_penalty": l2_cases,
}
