"""Judges of lab 02, activations: random arrays of random shapes, large magnitudes included."""
from __future__ import annotations

import numpy as np

from autograder.judging.hidden_cases.sampling import distinct_ints
from labutils.call_outcomes import Case
from labutils.source_rules import tanh_watched


def random_shape(rng: np.random.Generator, min_dims: int = 1) -> tuple[int, ...]:
    return tuple(int(n) for n in rng.integers(2, 6, size=int(rng.integers(min_dims, 4))))


def elementwise_cases(quiet: bool, harness=None):
    """Inputs of 1 to 3 dimensions: moderate values, exact 0 and +-1, and |x| up to 1e4; each
    call through `harness` if given."""
    def cases(rng: np.random.Generator) -> list[Case]:
        result = []
        for scale, min_dims in ((1.0, 2), (4.0, 1)):  # one input of 2 or more dimensions
            shape = random_shape(rng, min_dims)
            x = rng.normal(scale=scale, size=shape)
            x.flat[rng.integers(x.size)] = 0.0
            result.append(Case(f"a hidden {shape} input", (x,), quiet=quiet, harness=harness))
        specials = np.array([0.0, 1.0, -1.0])
        large = rng.uniform(500, 1e4, size=4) * np.array([-1.0, -1.0, 1.0, 1.0])  # both signs
        x = rng.permutation(np.concatenate([specials, large, rng.normal(size=3)]))
        result.append(Case("a hidden input with 0, +-1 and |x| up to 1e4", (x,), quiet=quiet, harness=harness))
        return result
    return cases


def compose_linear_cases(rng: np.random.Generator) -> list[Case]:
    cases = []
    for _ in range(3):
        p, q, r = distinct_ints(rng, 3, 2, 7)
        args = (rng.normal(size=(p, q)), rng.normal(size=p), rng.normal(size=(q, r)), rng.normal(size=q))
        cases.append(Case(f"hidden maps A ({p}, {q}), C ({q}, {r})", args))
    return cases


def dead_relu_fraction_cases(rng: np.random.Generator) -> list[Case]:
    """Units pushed down by their biases; then a batch where a few units have all-zero weights and
    bias (a pre-activation of exactly 0 everywhere: dead) and the others are biased up."""
    cases = []
    for zeroed in (0, 0, 0, int(rng.integers(1, 4))):
        n, d, h = int(rng.integers(5, 30)), int(rng.integers(2, 6)), int(rng.integers(6, 20))
        X = rng.normal(size=(n, d))
        W = rng.normal(size=(d, h))
        b = rng.normal(size=h) - rng.choice([0.0, 2.0, 5.0], size=h)  # some units pushed down
        label = f"a hidden batch of {n} examples, {h} units"
        if zeroed:  # the all-zero units are dead; the others are biased up
            b = rng.uniform(3, 5, size=h)
            units = rng.choice(h, size=zeroed, replace=False)
            W[:, units], b[units] = 0.0, 0.0
            label += f", {zeroed} of them all zero, the others biased up"
        cases.append(Case(label, (X, W, b)))
    return cases


HIDDEN_CASES = {
    "compose_linear": compose_linear_cases,
    "sigmoid": elementwise_cases(quiet=True),
    "tanh": elementwise_cases(quiet=True, harness=tanh_watched),  # np.tanh, however reached, fails a case
    "hard_tanh": elementwise_cases(quiet=False),
    "relu": elementwise_cases(quiet=False),
    "sigmoid_grad": elementwise_cases(quiet=True),
    "tanh_grad": elementwise_cases(quiet=True),
    "relu_grad": elementwise_cases(quiet=False),
    "dead_relu_fraction": dead_relu_fraction_cases,
}
