"""Judges of lab 05, gradient descent: random bowls, wavy functions, batches and schedules."""
from __future__ import annotations

import numpy as np

from autograder.judging import Judge
from labutils.checks.lab05 import diagnose_minibatches
from labutils.functions import Quadratic, Wavy
from labutils.outcomes import Case


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
    cases = []
    for shape in ((int(rng.integers(2, 6)),), (2, 2)):
        wave = Wavy(a=rng.uniform(0.5, 3, size=shape), c=rng.normal(size=shape))
        cases.append(Case(f"a hidden wavy function of {shape} weights", (wave.value, rng.normal(size=shape)),
                          tolerance=1e-7))
    return cases


def softmax_regression_cases(rng: np.random.Generator) -> list[Case]:
    cases = []
    for scale in (1.0, 20.0):
        k, d, n = int(rng.integers(2, 5)), int(rng.integers(5, 8)), int(rng.integers(8, 30))
        cases.append(Case(f"hidden data: {k} classes, {d} features, {n} examples",
                          (scale * rng.normal(size=(k, d)), rng.normal(size=(n, d)), rng.integers(0, k, size=n))))
    return cases


def minibatches_cases(rng: np.random.Generator) -> list[Case]:
    cases = []
    for _ in range(2):
        batch_size = int(rng.integers(2, 9))
        n = batch_size * int(rng.integers(2, 6)) + int(rng.integers(1, batch_size))  # a partial last batch
        seed = int(rng.integers(2**31))
        cases.append(Case(f"n = {n}, batch_size = {batch_size}, two epochs",
                          (n, batch_size, np.random.default_rng(seed)), harness="twice"))
    return cases


JUDGES = {
    "test_gradient_descent": Judge("gradient_descent", gradient_descent_cases),
    "test_step_decay": Judge("step_decay", step_decay_cases),
    "test_numerical_gradient": Judge("numerical_gradient", numerical_gradient_cases),
    "test_softmax_regression_grad": Judge("softmax_regression_grad", softmax_regression_cases),
    "test_minibatches": Judge("minibatches", minibatches_cases, diagnose=diagnose_minibatches),
}
