"""Checks for lab 06, backpropagation: one `check_<task>` per exercise.

Backward passes are checked through the student's own forward pass and cache:
`check_linear_backward(linear_backward, linear_forward)`.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from labutils.call_outcomes import Case, Outcome, Returned
from labutils.checks.engine import checks
from labutils.checks.randomness import SEEDED_KEYS, seeded_problem
from labutils.examine import Context, Exercise, Found
from labutils.harnesses import Lookup, first_output, lent, notebook_of, round_trip, seeded

LAB = "06_backprop"


def linear_round_trip(backward: Callable, lookup: Lookup, inputs: tuple, dout: Any) -> tuple:
    """Harness: your linear_forward on `inputs`, then `backward(dout, cache)` on its cache."""
    return round_trip("linear_forward", backward, lookup, inputs, dout)


def relu_round_trip(backward: Callable, lookup: Lookup, inputs: tuple, dout: Any) -> tuple:
    """Harness: your relu_forward on `inputs`, then `backward(dout, cache)` on its cache."""
    return round_trip("relu_forward", backward, lookup, inputs, dout)


# The functions mlp_loss_and_grads builds the network from, by the names it calls them.
MLP_BLOCKS = ("linear_forward", "relu_forward", "softmax_cross_entropy", "linear_backward", "relu_backward")


def with_blocks(mlp: Callable, lookup: Lookup, blocks_source: str | None, params: dict, X: Any, y: Any) -> tuple:
    """Harness: your mlp_loss_and_grads(params, X, y), with the grader's layers and loss (the
    code `blocks_source`) lent to it for the call, so it is judged on its own code."""
    with lent(notebook_of(mlp), MLP_BLOCKS, blocks_source):
        return mlp(params, X, y)


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
    # Before "large logits": there, one maximum for the whole batch fails as the log of the softmax does.
    Case("rows on different scales", (np.array([[1000.0, 998.0], [0.5, -0.5]]), np.array([0, 1]))),
    Case("large logits", (np.array([[1000.0, 0.0], [0.0, 1000.0]]), np.array([1, 1]))),
]

_PARAMS = {"W1": np.round(_rng.normal(size=(3, 5)), 2), "b1": np.round(_rng.normal(size=5), 2),
           "W2": np.round(_rng.normal(size=(5, 2)), 2), "b2": np.array([0.1, -0.1])}
MLP_CASES = [Case("4 examples, 3 features, 5 hidden units, 2 classes",
                  (_PARAMS, np.round(_rng.normal(size=(4, 3)), 2), np.array([0, 1, 1, 0])))]

# init_weights is judged by properties (any distribution of the right mean and variance will
# do): matrices of at least 20 000 entries, so that a sample standard deviation is within
# about 0.5 % of the true one, and a 3 % tolerance is six of those; fan_in and fan_out at
# least 1.5 apart, so that swapping them, or one scheme for the other, shows.
STD_TOLERANCE = 0.03
INIT_CASES = [
    Case("xavier, shapes (400, 100), (100, 300)", ([(400, 100), (100, 300)], "xavier", np.random.default_rng(0)),
         harness=seeded),
    Case("he, shapes (300, 120), (120, 250)", ([(300, 120), (120, 250)], "he", np.random.default_rng(1)),
         harness=seeded),
    Case("zeros, shapes (3, 4), (4, 2)", ([(3, 4), (4, 2)], "zeros", np.random.default_rng(2)), harness=seeded),
]


def scheme_std(scheme: str, fan_in: int, fan_out: int) -> float:
    """The standard deviation each scheme asks of the weights of a layer."""
    variance = {"xavier": 2 / (fan_in + fan_out), "he": 2 / fan_in, "zeros": 0.0}[scheme]
    return float(np.sqrt(variance))


def _wrong_scales(scheme: str, fan_in: int, fan_out: int) -> dict[str, float]:
    """The standard deviations the catalogued mistakes give, by the mistake's name."""
    right = scheme_std(scheme, fan_in, fan_out)
    scales = {"the variance used as the standard deviation": right ** 2,
              "the uniform bound used as the standard deviation": right * np.sqrt(3)}
    if scheme == "he":
        scales.update({"fan_out in place of fan_in": np.sqrt(2 / fan_out),
                       "He without its factor 2": np.sqrt(1 / fan_in),
                       "the schemes swapped": scheme_std("xavier", fan_in, fan_out)})
    else:
        scales.update({"Xavier with fan_in alone": np.sqrt(1 / fan_in),
                       "the schemes swapped": scheme_std("he", fan_in, fan_out)})
    return scales


def _matrix_problem(W: np.ndarray, shape: tuple[int, int], scheme: str, layer: int) -> Found:
    where = f"layer {layer}, shape {shape}"
    if W.shape != tuple(shape):
        return f"{where}: the matrix has shape {W.shape}", None
    fan_in, fan_out = shape
    want = scheme_std(scheme, fan_in, fan_out)
    if scheme == "zeros":
        return None if not W.any() else (f"{where}: the zeros scheme gives weights that are all 0", None)
    std, mean = float(W.std()), float(W.mean())
    if W.size > 1 and np.all(W == W.flat[0]):
        return (f"{where}: every weight is {mean:g}: identical weights make every hidden unit compute, and "
                "learn, the same thing", "one value for every weight")
    if abs(mean) > 6 * want / np.sqrt(W.size):
        return f"{where}: the weights' mean is {mean:.3g}, not about 0", "weights not centred on 0"
    if abs(std / want - 1) <= STD_TOLERANCE:
        return None
    message = (f"{where}: the weights' standard deviation is {std:.4g}; {scheme} asks for {want:.4g} "
               f"(fan_in = {fan_in}, fan_out = {fan_out})")
    named = [name for name, scale in _wrong_scales(scheme, fan_in, fan_out).items()
             if abs(std / scale - 1) <= STD_TOLERANCE]
    return message, named[0] if named else None


def diagnose_init_weights(outcome: Outcome, case: Case, context: Context) -> Found:
    """What is wrong with `seeded(init_weights, shapes, scheme, rng)`: the weights' shapes, mean
    and standard deviation layer by layer, then how the rng was used."""
    shapes, scheme, _ = case.args
    if not isinstance(outcome, Returned):
        return None
    runs = outcome.value
    if not isinstance(runs, dict) or set(runs) != set(SEEDED_KEYS):
        return "no result came back from the three calls", None
    weights = runs["first"]
    if not isinstance(weights, (list, tuple)) or len(weights) != len(shapes):
        return f"expected a list of {len(shapes)} weight matrices, one per shape", None
    for layer, (W, shape) in enumerate(zip(weights, shapes)):
        problem = _matrix_problem(np.asarray(W, dtype=float), shape, scheme, layer)
        if problem:
            return problem
    if scheme == "zeros":
        return None
    return seeded_problem(runs, case, same_every_call="a fixed seed of its own")


EXERCISES = (
    Exercise("graph_forward_backward", "graph_forward_backward(x, a, b) -> (f, df/dx, df/da, df/db) for f = (x a + "
             "b)^2.",
             GRAPH_CASES, result_names={"[0]": "f", "[1]": "df/dx", "[2]": "df/da", "[3]": "df/db"}),
    Exercise("linear_forward", "linear_forward(x, W, b) -> (x W + b, cache).", LINEAR_FORWARD_CASES),
    Exercise("linear_backward", "linear_backward(dout, cache) -> (dx, dW, db), with the cache of your linear_forward.",
             LINEAR_BACKWARD_CASES, others=('linear_forward',),
             result_names={"[0]": "the output of your linear_forward (so the cause is there, not in linear_backward)",
                           "[1][0]": "dx", "[1][1]": "dW", "[1][2]": "db", "[1]": "what linear_backward returned"}),
    Exercise("relu_forward", "relu_forward(x) -> (max(0, x), cache).", RELU_FORWARD_CASES),
    Exercise("relu_backward", "relu_backward(dout, cache) -> dx, with the cache of your relu_forward.",
             RELU_BACKWARD_CASES, others=('relu_forward',),
             result_names={"[0]": "the output of your relu_forward (so the cause is there, not in relu_backward)",
                           "[1]": "dx"}),
    Exercise("softmax_cross_entropy", "softmax_cross_entropy(logits, y) -> (mean loss, its gradient with respect to "
             "the logits).",
             SOFTMAX_CE_CASES, result_names={"[0]": "the loss", "[1]": "dlogits"}),
    Exercise("mlp_loss_and_grads", "mlp_loss_and_grads(params, X, y) -> (loss, grads) for linear-relu-linear-softmax- "
             "CE.",
             MLP_CASES, helpers=MLP_BLOCKS, result_names={"[0]": "the loss", "[1]": "grads"}),
    Exercise("init_weights", "init_weights(shapes, scheme, rng) -> a list of weight matrices, one per (fan_in, "
             "fan_out) in shapes, for the scheme \"zeros\", \"xavier\" (Glorot) or \"he\": mean 0, the variance "
             "the scheme asks, drawn from rng.",
             INIT_CASES, diagnose=diagnose_init_weights),
)
(check_graph_forward_backward, check_linear_forward, check_linear_backward, check_relu_forward,
 check_relu_backward, check_softmax_cross_entropy, check_mlp_loss_and_grads,
 check_init_weights) = checks(LAB, EXERCISES)
