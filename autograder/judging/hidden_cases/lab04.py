"""Judges of lab 04, cross-entropy: random probabilities, labels and logits."""
from __future__ import annotations

import numpy as np

from autograder.judging.hidden_cases.sampling import distinct_ints
from labutils.call_outcomes import Case
from labutils.checks.lab04 import on_tensors


def _probabilities(rng: np.random.Generator, n: int, k: int) -> np.ndarray:
    logits = rng.normal(scale=1.5, size=(n, k))
    exp = np.exp(logits - logits.max(axis=1, keepdims=True))
    return exp / exp.sum(axis=1, keepdims=True)


def probability_cases(rng: np.random.Generator) -> list[Case]:
    n, k = distinct_ints(rng, 2, 3, 12)
    big = int(rng.integers(2000, 4000))
    return [
        Case(f"hidden probabilities, {n} examples x {k} classes",
             (_probabilities(rng, n, k), rng.integers(0, k, size=n))),
        Case(f"hidden probabilities, {k} examples x {k} classes",
             (_probabilities(rng, k, k), rng.integers(0, k, size=k))),
        Case(f"hidden probabilities, {big} examples x 2 classes",
             (np.clip(_probabilities(rng, big, 2), 0.2, 0.8), rng.integers(0, 2, size=big))),
    ]


def logits_cases(rng: np.random.Generator) -> list[Case]:
    n, k = distinct_ints(rng, 2, 3, 10)
    scale = rng.uniform(300, 2000)
    shifted = rng.normal(scale=2, size=(n, k))
    shifted[int(rng.integers(n))] += rng.uniform(800, 2000)  # the batch's max is far above the other rows
    return [
        Case(f"hidden logits, {n} examples x {k} classes",
             (rng.normal(scale=2, size=(n, k)), rng.integers(0, k, size=n)), quiet=True),
        Case(f"hidden logits, {k} examples x {k} classes",
             (rng.normal(scale=2, size=(k, k)), rng.integers(0, k, size=k)), quiet=True),
        Case(f"hidden large logits, {n} examples x {k} classes",
             (rng.normal(scale=scale, size=(n, k)), rng.integers(0, k, size=n)), quiet=True),
        Case(f"hidden logits, {n} examples x {k} classes, one row around +1000",
             (shifted, rng.integers(0, k, size=n)), quiet=True),
    ]


def binary_cases(rng: np.random.Generator) -> list[Case]:
    """Two batches of different sizes, both labels in each; the second with confident
    probabilities, close to 0 and 1."""
    cases = []
    for low, high in ((0.02, 0.98), (0.001, 0.2)):
        n = int(rng.integers(5, 40))
        y = rng.integers(0, 2, size=n).astype(float)
        y[:2] = (0.0, 1.0)  # both labels present
        p = rng.uniform(low, high, size=n)
        if low < 0.01:
            p = np.where(rng.random(n) < 0.5, p, 1 - p)  # near 0 or near 1
        cases.append(Case(f"hidden probabilities of {n} examples", (p, y)))
    return cases


def binary_logit_cases(rng: np.random.Generator) -> list[Case]:
    n = int(rng.integers(5, 40))
    y = rng.integers(0, 2, size=n).astype(float)
    y[:2] = (0.0, 1.0)
    large = rng.uniform(500, 1e4, size=4) * np.array([-1.0, -1.0, 1.0, 1.0])
    return [
        Case(f"hidden logits of {n} examples", (rng.normal(scale=3, size=n), y), quiet=True),
        Case("hidden logits of |z| up to 1e4", (large, np.array([0.0, 1.0, 0.0, 1.0])), quiet=True),
    ]


def pytorch_loss_cases(rng: np.random.Generator) -> list[Case]:
    """Each kind of output once, on hidden sizes; binary logits include two of size 30 to 60 on the
    wrong side (where a sigmoid rounds to 0 or 1 and a loss on probabilities clamps its log).
    Log-probabilities are judged as the check judges them (`on_tensors`), by the gradient that
    reaches the scores before the model's LogSoftmax: NLLLoss and CrossEntropyLoss both pass there,
    as they train a model alike."""
    n, k = distinct_ints(rng, 2, 3, 9)
    labels = rng.integers(0, k, size=n)
    binary_labels = rng.integers(0, 2, size=n).astype(float)
    logits = rng.normal(scale=2.0, size=n)
    far = rng.uniform(30, 60, size=2)
    logits[:2] = np.where(binary_labels[:2] == 1, -far, far)
    scores = rng.normal(scale=2.0, size=(n, k))
    return [
        Case(f"binary probabilities, {n} examples", ("binary probabilities", rng.uniform(0.02, 0.98, size=n),
                                                      binary_labels), harness=on_tensors),
        Case(f"binary logits, {n} examples, two far on the wrong side", ("binary logits", logits, binary_labels),
             harness=on_tensors),
        Case(f"multiclass log-probabilities, {n} examples x {k} classes",
             ("multiclass log-probabilities", np.log(_probabilities(rng, n, k)), labels), harness=on_tensors),
        Case(f"multiclass logits, {n} examples x {k} classes", ("multiclass logits", scores, labels),
             harness=on_tensors),
    ]


HIDDEN_CASES = {
    "quality_mean": probability_cases,
    "cross_entropy": probability_cases,
    "cross_entropy_from_logits": logits_cases,
    "binary_cross_entropy": binary_cases,
    "bce_with_logits": binary_logit_cases,
    "pytorch_loss": pytorch_loss_cases,
}
