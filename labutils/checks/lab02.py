"""Checks for lab 02, activations: one `check_<task>` per exercise."""
from __future__ import annotations

import numpy as np

from labutils.call_outcomes import Case
from labutils.checks.engine import checks
from labutils.examine import Exercise
from labutils.source_rules import built_from_exponentials, tanh_watched

LAB = "02_activations"

SMALL = np.array([-3.0, -1.0, -0.25, 0.0, 0.25, 1.0, 3.0])
LARGE = np.array([-1e4, -800.0, -40.0, 40.0, 800.0, 1e4])
GRID = np.array([[-2.0, -1.0, -0.5], [0.0, 0.5, 1.0], [1.5, 2.0, 4.0]]).reshape(3, 3)
BATCH = np.linspace(-6.0, 6.0, 12).reshape(2, 3, 2)


def _elementwise_cases(quiet: bool, harness=None) -> list[Case]:
    return [
        Case("small inputs around 0", (SMALL,), quiet=quiet, harness=harness),
        Case("a (3, 3) matrix", (GRID,), quiet=quiet, harness=harness),
        Case("a (2, 3, 2) array", (BATCH,), quiet=quiet, harness=harness),
        Case("large inputs, |x| up to 1e4", (LARGE,), quiet=quiet, harness=harness),
    ]


_rng = np.random.default_rng(2)
COMPOSE_LINEAR_CASES = [
    Case("square (2, 2) maps", (np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([1.0, -1.0]),
                                np.array([[0.5, 0.0], [1.0, 2.0]]), np.array([2.0, 3.0]))),
    Case("A (2, 3), C (3, 4)", (np.round(_rng.normal(size=(2, 3)), 2), np.round(_rng.normal(size=2), 2),
                                np.round(_rng.normal(size=(3, 4)), 2), np.round(_rng.normal(size=3), 2))),
    Case("A (3, 4), C (4, 3)", (np.round(_rng.normal(size=(3, 4)), 2), np.round(_rng.normal(size=3), 2),
                                np.round(_rng.normal(size=(4, 3)), 2), np.round(_rng.normal(size=4), 2))),
]

_X = np.array([[1.0, -2.0], [0.5, 1.0], [-1.0, 0.0], [2.0, 1.0]])
_W = np.array([[1.0, -1.0, 0.5, 0.0, -2.0], [0.0, 1.0, -1.0, 0.25, -1.0]])
DEAD_RELU_FRACTION_CASES = [
    Case("4 examples, 5 units, zero bias", (_X, _W, np.zeros(5))),
    Case("4 examples, 5 units, bias (-3, 0, 1, -1, 0)", (_X, _W, np.array([-3.0, 0.0, 1.0, -1.0, 0.0]))),
    Case("4 examples, 5 units, bias -10 everywhere", (_X, _W, np.full(5, -10.0))),
    Case("4 examples, 5 units, unit 2 with zero weights and bias, the others with bias 3",
         (_X, _W * np.array([1.0, 1.0, 0.0, 1.0, 1.0]), np.array([3.0, 3.0, 0.0, 3.0, 3.0]))),
]


EXERCISES = (
    Exercise("compose_linear", "compose_linear(A, b, C, d) -> (M, v) with A(Cx + d) + b = Mx + v.",
             COMPOSE_LINEAR_CASES),
    Exercise("sigmoid", "sigmoid(x): elementwise, any shape, nothing overflowing for |x| up to 1e4 (an overflow "
             "whose warning is silenced still overflows).",
             _elementwise_cases(quiet=True)),
    Exercise("tanh", "tanh(x) from exponentials (not np.tanh), stable for |x| up to 1e4.",
             _elementwise_cases(quiet=True, harness=tanh_watched),  # np.tanh, however reached, fails a case
             source_rule=built_from_exponentials),
    Exercise("hard_tanh", "hard_tanh(x): -1 below -1, x in between, 1 above 1.", _elementwise_cases(quiet=False)),
    Exercise("relu", "relu(x) = max(0, x), elementwise.", _elementwise_cases(quiet=False)),
    Exercise("sigmoid_grad", "sigmoid_grad(x): the derivative of the sigmoid at x, same shape.",
             _elementwise_cases(quiet=True)),
    Exercise("tanh_grad", "tanh_grad(x): the derivative of tanh at x, same shape.", _elementwise_cases(quiet=True)),
    Exercise("relu_grad", "relu_grad(x): 1 where x > 0, else 0 (0 at 0), same shape.",
             _elementwise_cases(quiet=False)),
    Exercise("dead_relu_fraction", "dead_relu_fraction(X, W, b): fraction of units <= 0 on every example.",
             DEAD_RELU_FRACTION_CASES),
)
(check_compose_linear, check_sigmoid, check_tanh, check_hard_tanh, check_relu, check_sigmoid_grad,
 check_tanh_grad, check_relu_grad, check_dead_relu_fraction) = checks(LAB, EXERCISES)
