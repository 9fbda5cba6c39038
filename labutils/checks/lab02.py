"""Checks for lab 02, activations: one `check_<task>` per exercise."""
from __future__ import annotations

from typing import Callable

import numpy as np

from labutils.checks.engine import CheckFailed, run_check, source_of
from labutils.outcomes import Case
from labutils.source_rules import library_calls

LAB = "02_activations"

SMALL = np.array([-3.0, -1.0, -0.25, 0.0, 0.25, 1.0, 3.0])
LARGE = np.array([-1e4, -800.0, -40.0, 40.0, 800.0, 1e4])
GRID = np.array([[-2.0, -1.0, -0.5], [0.0, 0.5, 1.0], [1.5, 2.0, 4.0]]).reshape(3, 3)
BATCH = np.linspace(-6.0, 6.0, 12).reshape(2, 3, 2)


def _elementwise_cases(quiet: bool) -> list[Case]:
    return [
        Case("small inputs around 0", (SMALL,), quiet=quiet),
        Case("a (3, 3) matrix", (GRID,), quiet=quiet),
        Case("a (2, 3, 2) array", (BATCH,), quiet=quiet),
        Case("large inputs, |x| up to 1e4", (LARGE,), quiet=quiet),
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

PUBLIC_CASES = {
    "compose_linear": COMPOSE_LINEAR_CASES,
    "sigmoid": _elementwise_cases(quiet=True),
    "tanh": _elementwise_cases(quiet=True),
    "hard_tanh": _elementwise_cases(quiet=False),
    "relu": _elementwise_cases(quiet=False),
    "sigmoid_grad": _elementwise_cases(quiet=True),
    "tanh_grad": _elementwise_cases(quiet=True),
    "relu_grad": _elementwise_cases(quiet=False),
    "dead_relu_fraction": DEAD_RELU_FRACTION_CASES,
}


def check_compose_linear(compose_linear: Callable) -> None:
    """compose_linear(A, b, C, d) -> (M, v) with A(Cx + d) + b = Mx + v."""
    run_check(LAB, "compose_linear", compose_linear, COMPOSE_LINEAR_CASES)


def check_sigmoid(sigmoid: Callable) -> None:
    """sigmoid(x): elementwise, any shape, no overflow warning for |x| up to 1e4."""
    run_check(LAB, "sigmoid", sigmoid, PUBLIC_CASES["sigmoid"])


def check_tanh(tanh: Callable) -> None:
    """tanh(x) from exponentials (not np.tanh), stable for |x| up to 1e4."""
    run_check(LAB, "tanh", tanh, PUBLIC_CASES["tanh"])
    source = source_of(tanh, "tanh")
    shortcuts = library_calls(source, ("tanh",), qualified_only=True) if source else []
    if shortcuts:
        raise CheckFailed(f"tanh gives the right numbers but calls {', '.join(shortcuts)}: "
                          "this exercise asks you to build it from exponentials (or your sigmoid).")


def check_hard_tanh(hard_tanh: Callable) -> None:
    """hard_tanh(x): -1 below -1, x in between, 1 above 1."""
    run_check(LAB, "hard_tanh", hard_tanh, PUBLIC_CASES["hard_tanh"])


def check_relu(relu: Callable) -> None:
    """relu(x) = max(0, x), elementwise."""
    run_check(LAB, "relu", relu, PUBLIC_CASES["relu"])


def check_sigmoid_grad(sigmoid_grad: Callable) -> None:
    """sigmoid_grad(x): the derivative of the sigmoid at x, same shape."""
    run_check(LAB, "sigmoid_grad", sigmoid_grad, PUBLIC_CASES["sigmoid_grad"])


def check_tanh_grad(tanh_grad: Callable) -> None:
    """tanh_grad(x): the derivative of tanh at x, same shape."""
    run_check(LAB, "tanh_grad", tanh_grad, PUBLIC_CASES["tanh_grad"])


def check_relu_grad(relu_grad: Callable) -> None:
    """relu_grad(x): 1 where x > 0, else 0 (0 at 0), same shape."""
    run_check(LAB, "relu_grad", relu_grad, PUBLIC_CASES["relu_grad"])


def check_dead_relu_fraction(dead_relu_fraction: Callable) -> None:
    """dead_relu_fraction(X, W, b): fraction of units <= 0 on every example."""
    run_check(LAB, "dead_relu_fraction", dead_relu_fraction, DEAD_RELU_FRACTION_CASES)
