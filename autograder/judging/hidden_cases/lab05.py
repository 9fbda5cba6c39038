"""Judges of lab 05, gradient descent: random bowls, wavy functions, batches and schedules."""
from __future__ import annotations

import numpy as np

from labutils.call_outcomes import Case
from labutils.checks.lab05 import descent_with
from labutils.harnesses import seeded
from labutils.objectives import Quadratic, Wavy


def random_bowl(rng: np.random.Generator, shape: tuple[int, ...]) -> Quadratic:
    size = int(np.prod(shape))
    Q = rng.normal(size=(size, size))
    return Quadratic(A=Q @ Q.T / size + np.eye(size), c=rng.normal(size=shape))


def gradient_descent_cases(rng: np.random.Generator) -> list[Case]:
    cases = []
    for shape in ((int(rng.integers(2, 5)),), (2, int(rng.integers(2, 4)))):
        bowl = random_bowl(rng, shape)
        lr, steps = float(rng.uniform(0.05, 0.3)), int(rng.integers(3, 12))
        cases.append(Case(f"a hidden bowl over {shape} weights, lr {lr:.2f}, {steps} steps",
                          (bowl.grad, rng.normal(size=shape), lr, steps)))
    return cases


def step_decay_cases(rng: np.random.Generator) -> list[Case]:
    every = int(rng.integers(2, 15))
    lr0, drop = float(rng.uniform(0.1, 5)), float(rng.uniform(0.1, 0.9))
    steps = sorted({0, every - 1, every, 2 * every - 1, 2 * every, int(rng.integers(0, 5 * every))})
    cases = [Case(f"step {s}, hidden schedule", (s,), {"lr0": lr0, "drop": drop, "every": every}) for s in steps]
    cases.append(Case("step 25 with the default schedule", (25,)))
    return cases


def numerical_gradient_cases(rng: np.random.Generator) -> list[Case]:
    """Wavy functions of a vector and of a (2, 3) or (3, 2) matrix with the default h, one
    with a larger h given (the step it is given, not one of its own), and a bowl whose weights
    interact (a nudge left on one weight shows in the next one's slope)."""
    rows = int(rng.integers(2, 4))
    shapes = ((int(rng.integers(2, 6)),), (rows, 5 - rows), (int(rng.integers(2, 6)),))
    cases = []
    for shape, h in zip(shapes, (None, None, float(rng.uniform(0.01, 0.05)))):
        wave = Wavy(a=rng.uniform(0.5, 3, size=shape), c=rng.normal(size=shape))
        label = f"a hidden wavy function of {shape} weights" + (f", h = {h:.3f}" if h else "")
        cases.append(Case(label, (wave.value, rng.normal(size=shape)), {"h": h} if h else {}, tolerance=1e-7))
    size = int(rng.integers(2, 6))  # weights that interact: each slope depends on the other weights
    bowl, h = random_bowl(rng, (size,)), float(rng.uniform(0.01, 0.05))
    cases.append(Case(f"a hidden bowl of {size} interacting weights, h = {h:.3f}", (bowl.value, rng.normal(size=size)),
                      {"h": h}, tolerance=1e-7))
    return cases


def softmax_regression_cases(rng: np.random.Generator) -> list[Case]:
    """Moderate and larger templates, and a constant feature whose weights near +1000 push every
    score past what np.exp can hold (the max must be subtracted)."""
    cases = []
    for scale in (1.0, 20.0, 1.0):
        k, d, n = int(rng.integers(2, 5)), int(rng.integers(5, 8)), int(rng.integers(8, 30))
        W, X, y = scale * rng.normal(size=(k, d)), rng.normal(size=(n, d)), rng.integers(0, k, size=n)
        label = f"hidden data: {k} classes, {d} features, {n} examples"
        if len(cases) == 2:
            X[:, 0] = 1.0
            W[:, 0] += rng.uniform(800, 1500)
            label += ", scores around +1000"
        cases.append(Case(label, (W, X, y)))
    return cases


def minibatches_cases(rng: np.random.Generator) -> list[Case]:
    """Three sizes (two with a smaller last batch, one that batch_size divides), each from its
    own seed: two epochs, and the first again from a generator with the same seed. At least
    10 indices, so that a correct shuffle is never the identity or the same twice by chance."""
    cases = []
    for partial in (True, False, True):
        batch_size = int(rng.integers(3, 10))
        n = batch_size * int(rng.integers(3, 7)) + (int(rng.integers(1, batch_size)) if partial else 0)
        seed = int(rng.integers(2**31))
        cases.append(Case(f"n = {n}, batch_size = {batch_size}: two epochs, and again from the same seed",
                          (n, batch_size, np.random.default_rng(seed)), harness=seeded))
    return cases


def update_rule_cases(rng: np.random.Generator, hyperparameters, faint: bool) -> list[Case]:
    """Descent on hidden bowls with an update rule: hidden hyperparameters, once with only the
    learning rate given (the rest take their defaults), once with config None; with `faint`, a
    bowl whose gradients are about 1e-6 (where epsilon's place in the denominator shows)."""
    cases = []
    for kind in ("hidden", "learning rate only", "defaults") + (("faint",) if faint else ()):
        shape = (int(rng.integers(2, 5)),) if kind != "learning rate only" else (2, int(rng.integers(2, 4)))
        bowl = random_bowl(rng, shape)
        if kind == "faint":
            bowl = Quadratic(A=bowl.A * 1e-6, c=bowl.c)
        config = {"hidden": hyperparameters(rng), "faint": hyperparameters(rng),
                  "learning rate only": {"learning_rate": float(rng.uniform(0.01, 0.3))}, "defaults": None}[kind]
        steps = int(rng.integers(3, 9))
        cases.append(Case(f"a hidden {'faint ' if kind == 'faint' else ''}bowl over {shape} weights, {kind} config, "
                          f"{steps} steps", (bowl.grad, rng.normal(size=shape), config, steps), harness=descent_with))
    return cases


def sgd_momentum_cases(rng: np.random.Generator) -> list[Case]:
    return update_rule_cases(rng, lambda r: {"learning_rate": float(r.uniform(0.05, 0.5)),
                                             "momentum": float(r.uniform(0.5, 0.95))}, faint=False)


def rmsprop_cases(rng: np.random.Generator) -> list[Case]:
    return update_rule_cases(rng, lambda r: {"learning_rate": float(r.uniform(0.01, 0.2)),
                                             "decay_rate": float(r.uniform(0.8, 0.99)), "epsilon": 1e-8},
                             faint=True)


def adam_cases(rng: np.random.Generator) -> list[Case]:
    return update_rule_cases(rng, lambda r: {"learning_rate": float(r.uniform(0.01, 0.3)),
                                             "beta1": float(r.uniform(0.5, 0.95)),
                                             "beta2": float(r.uniform(0.9, 0.999))}, faint=True)


HIDDEN_CASES = {
    "gradient_descent": gradient_descent_cases,
    "step_decay": step_decay_cases,
    "numerical_gradient": numerical_gradient_cases,
    "softmax_regression_grad": softmax_regression_cases,
    "minibatches": minibatches_cases,
    "sgd_momentum": sgd_momentum_cases,
    "rmsprop": rmsprop_cases,
    "adam": adam_cases,
}
