"""Checks for lab 01, matrix shapes: `check_matmul`, `check_product_shape`, `check_ffnn_forward`."""
from __future__ import annotations

from typing import Callable

import numpy as np

from labutils.checks.engine import CheckFailed, run_check, source_of
from labutils.outcomes import Case
from labutils.source_rules import library_products

LAB = "01_matrix_shapes"

# The example of the course notes (002): A (2 x 2) times B (2 x 3).
NOTES_A = np.array([[1.0, 2.0], [3.0, 4.0]])
NOTES_B = np.array([[5.0, 6.0, 7.0], [8.0, 9.0, 10.0]])

MATMUL_CASES = [
    Case("the notes' (2, 2) x (2, 3) example", (NOTES_A, NOTES_B)),
    Case("a (1, 4) row times a (4, 3) matrix",
         (np.array([[1.0, -2.0, 0.5, 3.0]]), np.arange(12.0).reshape(4, 3) - 5)),
    Case("a (3, 2) x (2, 1) product", (np.arange(6.0).reshape(3, 2), np.array([[2.0], [-1.0]]))),
    Case("(2, 3) x (2, 3): inner dimensions differ", (np.ones((2, 3)), np.ones((2, 3))),
         shapes_in_message=((2, 3), (2, 3))),
    Case("(2, 2) x (3, 4): inner dimensions differ", (np.ones((2, 2)), np.ones((3, 4))),
         shapes_in_message=((2, 2), (3, 4))),
]

PRODUCT_SHAPE_CASES = [
    Case("the notes' (2, 2) x (2, 3) example", ((2, 2), (2, 3))),
    Case("the notes' (2, 4) x (4, 3) example", ((2, 4), (4, 3))),
    Case("a (1, 12) input times a (12, 3) weight matrix", ((1, 12), (12, 3))),
    Case("(1, 3) x (1, 3): inner dimensions differ", ((1, 3), (1, 3))),
    Case("(3, 1) x (3, 1): inner dimensions differ", ((3, 1), (3, 1))),
]

_rng = np.random.default_rng(1)  # fixed: these cases are public and recorded
_X1 = np.round(_rng.normal(size=(1, 4)), 2)
_X5 = np.round(_rng.normal(size=(5, 4)), 2)
_W2 = np.round(_rng.normal(size=(4, 3)), 2)
_B2 = np.array([0.5, -1.0, 0.25])
_W3 = np.round(_rng.normal(size=(3, 2)), 2)
FFNN_FORWARD_CASES = [
    Case("one example (n = 1), tanh, b2 of shape (3,)", (_X1, _W2, _B2, _W3, np.tanh)),
    Case("a batch of 5 examples, tanh, b2 of shape (3,)", (_X5, _W2, _B2, _W3, np.tanh)),
    Case("a batch of 5 examples, sin, b2 of shape (1, 3)", (_X5, _W2, _B2.reshape(1, 3), _W3, np.sin)),
]


def check_matmul(matmul: Callable) -> None:
    """matmul(A, B): the product with explicit loops; ValueError naming both shapes if they clash."""
    run_check(LAB, "matmul", matmul, MATMUL_CASES)
    source = source_of(matmul, "matmul")
    shortcuts = library_products(source) if source else []
    if shortcuts:
        raise CheckFailed(
            f"matmul gives the right numbers but uses {', '.join(shortcuts)}: this exercise "
            "asks for explicit loops over rows, columns and the inner index.")


def check_product_shape(product_shape: Callable) -> None:
    """product_shape(shape_a, shape_b): the shape of A @ B, or ValueError if they clash."""
    run_check(LAB, "product_shape", product_shape, PRODUCT_SHAPE_CASES)


def check_ffnn_forward(ffnn_forward: Callable) -> None:
    """ffnn_forward(x, W2, b2, W3, g) = g(x W2 + b2) W3 in the row convention."""
    run_check(LAB, "ffnn_forward", ffnn_forward, FFNN_FORWARD_CASES)

# Every public case, by exercise: the release records their outcomes in the fixtures.
PUBLIC_CASES = {
    "product_shape": PRODUCT_SHAPE_CASES,
    "matmul": MATMUL_CASES,
    "ffnn_forward": FFNN_FORWARD_CASES,
}
