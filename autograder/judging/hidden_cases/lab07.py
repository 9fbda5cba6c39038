"""Judges of lab 07: dropout judged by properties on random activations and drop probabilities;
the L2 penalty on hidden networks; train_mlp by what its network learned.

train_mlp is judged alone: the kernel gets the reference building blocks (labs 05 to 07) for the
judge's calls, so a mistake in an earlier exercise costs that exercise only. Its trained weights
come back as data and are scored here, on dev points drawn in the grader that never reach the
kernel.
"""
from __future__ import annotations

import numpy as np

from autograder.judging import reference
from labutils.call_outcomes import Case, Outcome
from labutils.checks.lab07 import (
    BUILDING_BLOCKS,
    diagnose_training,
    dropout_round_trip,
    spirals,
    training,
    without_class,
)
from labutils.examine import Context, Found
from labutils.harnesses import seeded_outputs

BLOCKS_FROM = ("05_gradient_descent", "06_backprop", "07_dropout")


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


def reference_blocks() -> str:
    """The reference's building blocks of train_mlp (labs 05 to 07), for the kernel to run during
    the judge's calls."""
    return reference.reference_blocks(BUILDING_BLOCKS, BLOCKS_FROM)


def training_cases(rng: np.random.Generator) -> list[Case]:
    """Three spirals drawn here, from the hidden seed: one hidden layer with dropout (then the same
    seed without it), two hidden layers with L2 (then without it) and one class with no example;
    batch sizes that leave a smaller last batch. The dev points are held out: they never reach the kernel."""
    cases = []
    for layers in (1, 2):
        n = int(rng.integers(220, 300))
        X, y = spirals(n, rng)
        X_dev, y_dev = spirals(600, rng)
        batch_size = int(rng.choice([b for b in range(24, 48) if n % b]))
        if layers == 1:
            hidden = [int(rng.integers(32, 49))]
            settings = dict(hidden=hidden, epochs=60, batch_size=batch_size, lr=0.02,
                            p_drop=round(float(rng.uniform(0.1, 0.3)), 2), lam=1e-5)
            contrast, label = {"p_drop": 0.0}, f"hidden spirals, one hidden layer, dropout {settings['p_drop']}"
        else:
            hidden = [int(h) for h in rng.integers(20, 33, size=2)]
            settings = dict(hidden=hidden, epochs=50, batch_size=batch_size, lr=0.02, p_drop=0.0,
                            lam=float(rng.choice([1e-4, 3e-4])))
            contrast, label = {"lam": 0.0}, f"hidden spirals, two hidden layers, lam {settings['lam']:g}"
            missing = int(rng.integers(0, 3))  # a class with no example: the class count is y.max() + 1
            y, y_dev = without_class(y, missing), without_class(y_dev, missing)
            label += f", no example of class {missing}"
        generator = np.random.default_rng(int(rng.integers(2**31)))
        cases.append(Case(label, (reference_blocks(), X, y, settings, generator, contrast),
                          harness=training, held_out=(X_dev, y_dev)))
    return cases


def dev_accuracy(params: dict, X: np.ndarray, y: np.ndarray) -> float:
    """The trained network scored here, at eval time: ReLU layers, then the linear scores."""
    layers = len(params) // 2
    h = X
    for layer in range(1, layers):
        h = np.maximum(0.0, h @ params[f"W{layer}"] + params[f"b{layer}"])
    scores = h @ params[f"W{layers}"] + params[f"b{layers}"]
    return float(np.mean(scores.argmax(axis=1) == y))


def scored_on_held_out_points(outcome: Outcome, case: Case, context: Context) -> Found:
    X_dev, y_dev = case.held_out
    return diagnose_training(outcome, case, lambda params: dev_accuracy(params, X_dev, y_dev))


HIDDEN_CASES = {
    "dropout_forward": forward_cases,
    "dropout_backward": backward_cases,
    "l2_penalty": l2_cases,
    "train_mlp": training_cases,
}
DIAGNOSES = {
    "train_mlp": scored_on_held_out_points,
}
