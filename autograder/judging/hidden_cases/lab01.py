"""Judges of lab 01, matrix shapes: random shapes and values from the judge's seed."""
from __future__ import annotations

import numpy as np

from autograder.judging.hidden_cases.sampling import distinct_ints
from labutils.call_outcomes import Case
from labutils.source_rules import products_watched


def matmul_cases(rng: np.random.Generator) -> list[Case]:
    """Each call through `products_watched`: a library product, however reached, fails the case."""
    m = int(rng.integers(2, 4))
    n = int(rng.integers(m + 2, 8))  # A wider than tall: an inner loop over A's rows stops short
    p = int(rng.choice([v for v in range(2, 8) if v not in (m, n)]))
    cases = [Case(f"a hidden ({m}, {n}) x ({n}, {p}) product", (rng.normal(size=(m, n)), rng.normal(size=(n, p))),
                  harness=products_watched)]
    for _ in range(3):
        m, n, p = distinct_ints(rng, 3, 1, 7)
        cases.append(Case(f"a hidden ({m}, {n}) x ({n}, {p}) product",
                          (rng.normal(size=(m, n)), rng.normal(size=(n, p))), harness=products_watched))
    m, n, p = distinct_ints(rng, 3, 2, 7)  # no dimension of 1: every index mistake shows
    cases.append(Case(f"a hidden ({m}, {n}) x ({n}, {p}) product",
                      (rng.normal(size=(m, n)), rng.normal(size=(n, p))), harness=products_watched))
    m, n, extra, p = distinct_ints(rng, 4, 1, 8)
    for rows_b in (n + extra, max(1, n - extra) if n > 1 else n + 1):
        shape_a, shape_b = (m, n), (rows_b, p)
        cases.append(Case(f"hidden shapes that clash, {shape_a} x {shape_b}",
                          (rng.normal(size=shape_a), rng.normal(size=shape_b)),
                          shapes_in_message=(shape_a, shape_b), harness=products_watched))
    return cases


def product_shape_cases(rng: np.random.Generator) -> list[Case]:
    cases = []
    for _ in range(3):
        m, n, p = distinct_ints(rng, 3, 1, 60)
        cases.append(Case(f"hidden shapes ({m}, {n}) x ({n}, {p})", ((m, n), (n, p))))
    m, n, n2, p = distinct_ints(rng, 4, 1, 60)
    cases.append(Case(f"hidden shapes that clash, ({m}, {n}) x ({n2}, {p})", ((m, n), (n2, p))))
    return cases


ACTIVATIONS = (np.tanh, np.sin, np.arctan)


def ffnn_forward_cases(rng: np.random.Generator) -> list[Case]:
    """One example and a batch, each with both bias shapes; the activations taken in a random
    order, so that every one of them is used (a g ignored for tanh shows)."""
    cases = []
    d_in, hidden, d_out = distinct_ints(rng, 3, 2, 7)
    batch = distinct_ints(rng, 1, 7, 12)[0]  # differs from every width
    order = rng.permutation(len(ACTIVATIONS))
    for n in (1, batch):
        for bias_shape in ((hidden,), (1, hidden)):
            g = ACTIVATIONS[int(order[len(cases) % len(ACTIVATIONS)])]
            args = (rng.normal(size=(n, d_in)), rng.normal(size=(d_in, hidden)),
                    rng.normal(size=bias_shape), rng.normal(size=(hidden, d_out)), g)
            cases.append(Case(f"a hidden network: x ({n}, {d_in}), b2 {bias_shape}, "
                              f"W3 ({hidden}, {d_out}), g = {g.__name__}", args))
    return cases


HIDDEN_CASES = {
    "matmul": matmul_cases,
    "product_shape": product_shape_cases,
    "ffnn_forward": ffnn_forward_cases,
}
