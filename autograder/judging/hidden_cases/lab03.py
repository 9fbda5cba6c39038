"""Judges of lab 03, softmax: random batches, axes, large and unevenly scaled scores."""
from __future__ import annotations

import numpy as np

from autograder.judging.hidden_cases.sampling import distinct_ints
from labutils.call_outcomes import Case


def score_cases(rng: np.random.Generator) -> list[Case]:
    n, k = distinct_ints(rng, 2, 2, 7)
    cases = [
        Case(f"a hidden vector of {k} scores", (rng.normal(scale=3, size=k),), quiet=True),
        Case(f"a hidden ({n}, {k}) batch", (rng.normal(scale=3, size=(n, k)),), quiet=True),
        Case(f"a hidden ({k}, {k}) batch", (rng.normal(size=(k, k)),), quiet=True),
        Case(f"a hidden ({n}, {k}) batch, axis=0", (rng.normal(size=(n, k)),), {"axis": 0}, quiet=True),
        Case(f"a hidden (2, {n}, {k}) array, axis=1", (rng.normal(size=(2, n, k)),), {"axis": 1}, quiet=True),
    ]
    uneven = rng.normal(size=(n, k))
    uneven[0] += rng.uniform(800, 2000)  # one row of scores around +1000
    cases.append(Case(f"a hidden ({n}, {k}) batch with one row around +1000", (uneven,), quiet=True))
    spread = rng.uniform(1500, 5000)  # centring on the mean leaves exponents of +750 and more
    cases.append(Case("a hidden pair of scores far below 0", (np.array([-spread, 0.0]) - rng.uniform(0, 100),),
                      quiet=True))
    gap = rng.uniform(800, 5000)
    cases.append(Case("a hidden pair of scores far apart", (np.array([0.0, gap]),), quiet=True))
    return cases


def predict_cases(rng: np.random.Generator) -> list[Case]:
    """Real scores, and small integer scores where every row has tied top scores (the first wins,
    as np.argmax and torch's argmax)."""
    n, k = distinct_ints(rng, 2, 2, 9)
    ties = rng.integers(-2, 3, size=(n, max(k, 3))) + 0.5  # no score is a class index
    for row in ties:
        row[rng.choice(len(row), size=2, replace=False)] = row.max() + 1
    return [Case(f"hidden ({n}, {k}) scores", (rng.normal(size=(n, k)),)),
            Case(f"hidden ({k}, {k}) scores", (rng.normal(size=(k, k)),)),
            Case(f"hidden {ties.shape} scores with ties", (ties,))]


HIDDEN_CASES = {
    "softmax": score_cases,
    "logsumexp": score_cases,
    "log_softmax": score_cases,
    "predict": predict_cases,
}
