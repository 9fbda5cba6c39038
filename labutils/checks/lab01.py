"""Lab 01, matrix shapes: its exercises and their checks, `check_product_shape`, `check_matmul`,
`check_ffnn_forward`."""
from __future__ import annotations

import numpy as np

from labutils.call_outcomes import Case
from labutils.checks.engine import checks
from labutils.examine import Exercise
from labutils.source_rules import explicit_loops, products_watched

LAB = "01_matrix_shapes"

# The example of the course notes (002): A (2 x 2) times B (2 x 3).
NOTES_A = np.array([[1.0, 2.0], [3.0, 4.0]])
NOTES_B = np.array([[5.0, 6.0, 7.0], [8.0, 9.0, 10.0]])

# Each call through `products_watched`: a library product, however reached, fails the case.
MATMUL_CASES = [
    Case("the notes' (2, 2) x (2, 3) example", (NOTES_A, NOTES_B), harness=products_watched),
    Case("a (1, 4) row times a (4, 3) matrix",
         (np.array([[1.0, -2.0, 0.5, 3.0]]), np.arange(12.0).reshape(4, 3) - 5), harness=products_watched),
    Case("a (3, 2) x (2, 1) product", (np.arange(6.0).reshape(3, 2), np.array([[2.0], [-1.0]])),
         harness=products_watched),
    Case("(2, 3) x (2, 3): inner dimensions differ", (np.ones((2, 3)), np.ones((2, 3))),
         shapes_in_message=((2, 3), (2, 3)), harness=products_watched),
    Case("(2, 2) x (3, 4): inner dimensions differ", (np.ones((2, 2)), np.ones((3, 4))),
         shapes_in_message=((2, 2), (3, 4)), harness=products_watched),
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


EXERCISES = (
    Exercise("product_shape", "the shape of A @ B for shapes (m, n) and (n, p), or ValueError if they clash.",
             PRODUCT_SHAPE_CASES),
    Exercise("matmul", "the product with explicit loops; ValueError naming both shapes if they clash.",
             MATMUL_CASES, source_rule=explicit_loops),
    Exercise("ffnn_forward", "g(x W2 + b2) W3 in the row convention.", FFNN_FORWARD_CASES),
)
check_product_shape, check_matmul, check_ffnn_forward = checks(LAB, EXERCISES)
