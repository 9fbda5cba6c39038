"""Checks for lab 06, backpropagation: one `check_<task>` per exercise.

Backward passes are checked through the student's own forward pass and cache:
`check_linear_backward(linear_backward, linear_forward)`.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from labutils.checks.engine import checks
from labutils.examine import Exercise
from labutils.harnesses import Lookup, first_output, round_trip
from labutils.outcomes import Case

LAB = "06_backprop"


def linear_round_trip(backward: Callable, lookup: Lookup, inputs: tuple, dout: Any) -> tuple:
    """Harness: your linear_forward on `inputs`, then `backward(dout, cache)` on its cache."""
    return round_trip("linear_forward", backward, lookup, inputs, dout)


def relu_round_trip(backward: Callable, lookup: Lookup, inputs: tuple, dout: Any) -> tuple:
    """Harness: your relu_forward on `inputs`, then `backward(dout, cache)` on its cache."""
    return round_trip("relu_forward", backward, lookup, inputs, dout)


GRAPH_CASES = [
    Case("x = 2, a = -1.5, b = 4", (2.0, -1.5, 4.0)),
    Case("x = 0.5, a = 3, b = -1", (0.5, 3.0, -1.0)),
]

_rng = np.random.default_rng(6)
_X = np.round(_rng.normal(size=(2, 3)), 2)
_W = np.round(_rng.normal(size=(3, 4)), 2)
_B = np.array([0.5, -1.0, 0.0, 2.0])
_DOUT = np.round(_rng.normal(size=(2, 4)), 2)
LINEAR_FORWARD_CASES = [Case("x (2, 3), W (3, 4), b (4,)", (_X, _W, _B), harness=first_output)]
LINEAR_BACKWARD_CASES = [Case("x (2, 3), W (3, 4), b (4,), dout (2, 4)", ((_X, _W, _B), _DOUT),
                              harness=linear_round_trip)]

_Z = np.array([[-2.0, 0.0, 1.5], [0.5, -0.5, 0.0]])
RELU_FORWARD_CASES = [Case("a (2, 3) input with a 0", (_Z,), harness=first_output)]
RELU_BACKWARD_CASES = [Case("a (2, 3) input with a 0", ((_Z,), np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])),
                            harness=relu_round_trip)]

SOFTMAX_CE_CASES = [
    Case("3 examples x 4 classes", (np.array([[2.0, 1.0, 0.1, -1.0], [0.5, 2.5, 0.0, 0.3], [-1.0, 0.0, 1.0, 3.0]]),
                                    np.array([0, 1, 3]))),
    Case("large logits", (np.array([[1000.0, 0.0], [0.0, 1000.0]]), np.array([1, 1]))),
]

_PARAMS = {"W1": np.round(_rng.normal(size=(3, 5)), 2), "b1": np.round(_rng.normal(size=5), 2),
           "W2": np.round(_rng.normal(size=(5, 2)), 2), "b2": np.array([0.1, -0.1])}
MLP_CASES = [Case("4 examples, 3 features, 5 hidden units, 2 classes",
                  (_PARAMS, np.round(_rng.normal(size=(4, 3)), 2), np.array([0, 1, 1, 0])))]


EXERCISES = (
    Exercise("graph_forward_backward", "graph_forward_backward(x, a, b) -> (f, df/dx, df/da, df/db) for f = (x a + "
             "b)^2.",
             GRAPH_CASES),
    Exercise("linear_forward", "linear_forward(x, W, b) -> (x W + b, cache).", LINEAR_FORWARD_CASES),
    Exercise("linear_backward", "linear_backward(dout, cache) -> (dx, dW, db), with the cache of your linear_forward.",
             LINEAR_BACKWARD_CASES, others=('linear_forward',)),
    Exercise("relu_forward", "relu_forward(x) -> (max(0, x), cache).", RELU_FORWARD_CASES),
    Exercise("relu_backward", "relu_backward(dout, cache) -> dx, with the cache of your relu_forward.",
             RELU_BACKWARD_CASES, others=('relu_forward',)),
    Exercise("softmax_cross_entropy", "softmax_cross_entropy(logits, y) -> (mean loss, its gradient with respect to "
             "the logits).",
             SOFTMAX_CE_CASES),
    Exercise("mlp_loss_and_grads", "mlp_loss_and_grads(params, X, y) -> (loss, grads) for linear-relu-linear-softmax- "
             "CE.",
             MLP_CASES),
)
(check_graph_forward_backward, check_linear_forward, check_linear_backward, check_relu_forward,
 check_relu_backward, check_softmax_cross_entropy, check_mlp_loss_and_grads) = checks(LAB, EXERCISES)
