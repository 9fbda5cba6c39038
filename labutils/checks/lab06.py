"""Checks for lab 06, backpropagation: one `check_<task>` per exercise.

Backward passes are checked through the student's own forward pass and cache:
`check_linear_backward(linear_backward, linear_forward)`.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from labutils.checks.engine import run_check
from labutils.outcomes import Case

LAB = "06_backprop"

GRAPH_CASES = [
    Case("x = 2, a = -1.5, b = 4", (2.0, -1.5, 4.0)),
    Case("x = 0.5, a = 3, b = -1", (0.5, 3.0, -1.0)),
]

_rng = np.random.default_rng(6)
_X = np.round(_rng.normal(size=(2, 3)), 2)
_W = np.round(_rng.normal(size=(3, 4)), 2)
_B = np.array([0.5, -1.0, 0.0, 2.0])
_DOUT = np.round(_rng.normal(size=(2, 4)), 2)
LINEAR_FORWARD_CASES = [Case("x (2, 3), W (3, 4), b (4,)", (_X, _W, _B), harness="first_output")]
LINEAR_BACKWARD_CASES = [Case("x (2, 3), W (3, 4), b (4,), dout (2, 4)", ((_X, _W, _B), _DOUT),
                              harness="round_trip(linear_forward)")]

_Z = np.array([[-2.0, 0.0, 1.5], [0.5, -0.5, 0.0]])
RELU_FORWARD_CASES = [Case("a (2, 3) input with a 0", (_Z,), harness="first_output")]
RELU_BACKWARD_CASES = [Case("a (2, 3) input with a 0", ((_Z,), np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])),
                            harness="round_trip(relu_forward)")]

SOFTMAX_CE_CASES = [
    Case("3 examples x 4 classes", (np.array([[2.0, 1.0, 0.1, -1.0], [0.5, 2.5, 0.0, 0.3], [-1.0, 0.0, 1.0, 3.0]]),
                                    np.array([0, 1, 3]))),
    Case("large logits", (np.array([[1000.0, 0.0], [0.0, 1000.0]]), np.array([1, 1]))),
]

_PARAMS = {"W1": np.round(_rng.normal(size=(3, 5)), 2), "b1": np.round(_rng.normal(size=5), 2),
           "W2": np.round(_rng.normal(size=(5, 2)), 2), "b2": np.array([0.1, -0.1])}
MLP_CASES = [Case("4 examples, 3 features, 5 hidden units, 2 classes",
                  (_PARAMS, np.round(_rng.normal(size=(4, 3)), 2), np.array([0, 1, 1, 0])))]

PUBLIC_CASES = {
    "graph_forward_backward": GRAPH_CASES,
    "linear_forward": LINEAR_FORWARD_CASES,
    "linear_backward": LINEAR_BACKWARD_CASES,
    "relu_forward": RELU_FORWARD_CASES,
    "relu_backward": RELU_BACKWARD_CASES,
    "softmax_cross_entropy": SOFTMAX_CE_CASES,
    "mlp_loss_and_grads": MLP_CASES,
}


def check_graph_forward_backward(graph_forward_backward: Callable) -> None:
    """graph_forward_backward(x, a, b) -> (f, df/dx, df/da, df/db) for f = (x a + b)^2."""
    run_check(LAB, "graph_forward_backward", graph_forward_backward, GRAPH_CASES)


def check_linear_forward(linear_forward: Callable) -> None:
    """linear_forward(x, W, b) -> (x W + b, cache)."""
    run_check(LAB, "linear_forward", linear_forward, LINEAR_FORWARD_CASES)


def check_linear_backward(linear_backward: Callable, linear_forward: Callable) -> None:
    """linear_backward(dout, cache) -> (dx, dW, db), with the cache of your linear_forward."""
    run_check(LAB, "linear_backward", linear_backward, LINEAR_BACKWARD_CASES,
              others={"linear_forward": linear_forward})


def check_relu_forward(relu_forward: Callable) -> None:
    """relu_forward(x) -> (max(0, x), cache)."""
    run_check(LAB, "relu_forward", relu_forward, RELU_FORWARD_CASES)


def check_relu_backward(relu_backward: Callable, relu_forward: Callable) -> None:
    """relu_backward(dout, cache) -> dx, with the cache of your relu_forward."""
    run_check(LAB, "relu_backward", relu_backward, RELU_BACKWARD_CASES, others={"relu_forward": relu_forward})


def check_softmax_cross_entropy(softmax_cross_entropy: Callable) -> None:
    """softmax_cross_entropy(logits, y) -> (mean loss, its gradient with respect to the logits)."""
    run_check(LAB, "softmax_cross_entropy", softmax_cross_entropy, SOFTMAX_CE_CASES)


def check_mlp_loss_and_grads(mlp_loss_and_grads: Callable) -> None:
    """mlp_loss_and_grads(params, X, y) -> (loss, grads) for linear-relu-linear-softmax-CE."""
    run_check(LAB, "mlp_loss_and_grads", mlp_loss_and_grads, MLP_CASES)
