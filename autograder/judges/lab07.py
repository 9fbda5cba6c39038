"""Judges of lab 07, dropout: random activations and drop probabilities, judged by properties."""
from __future__ import annotations

import numpy as np

from autograder.judging import Judge
from labutils.checks.lab07 import diagnose_backward, diagnose_forward
from labutils.outcomes import Case


def _activations(rng: np.random.Generator) -> np.ndarray:
    shape = (int(rng.integers(40, 80)), int(rng.integers(50, 90)))
    return rng.choice([-1.0, 1.0], size=shape) * rng.uniform(0.5, 3.0, size=shape)


def _drop_probability(rng: np.random.Generator) -> float:
    """Away from 0.5, where dropping with p and keeping with p look alike."""
    return float(rng.choice([rng.uniform(0.1, 0.4), rng.uniform(0.6, 0.9)]))


def _generator(rng: np.random.Generator) -> np.random.Generator:
    return np.random.default_rng(int(rng.integers(2**31)))


def forward_cases(rng: np.random.Generator) -> list[Case]:
    x, p = _activations(rng), _drop_probability(rng)
    return [
        Case(f"hidden activations {x.shape}, p = {p:.2f}, training", (x, p, True, _generator(rng)),
             harness="outputs_twice"),
        Case(f"hidden activations {x.shape}, at eval time", (x, p, False, _generator(rng)), harness="outputs_twice"),
        Case("hidden activations, p = 0", (x, 0.0, True, _generator(rng)), harness="outputs_twice"),
        Case("hidden activations, p = 1", (x, 1.0, True, _generator(rng)), harness="outputs_twice"),
    ]


def backward_cases(rng: np.random.Generator) -> list[Case]:
    x, p = _activations(rng), _drop_probability(rng)
    dout = rng.normal(size=x.shape)
    return [
        Case(f"hidden activations {x.shape}, p = {p:.2f}, training", ((x, p, True, _generator(rng)), dout),
             harness="round_trip(dropout_forward)"),
        Case(f"hidden activations {x.shape}, at eval time", ((x, p, False, _generator(rng)), dout),
             harness="round_trip(dropout_forward)"),
    ]


JUDGES = {
    "test_dropout_forward": Judge("dropout_forward", forward_cases, diagnose=diagnose_forward),
    "test_dropout_backward": Judge("dropout_backward", backward_cases, diagnose=diagnose_backward),
}
