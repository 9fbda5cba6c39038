"""Checks for lab 05, gradient descent: one `check_<task>` per exercise."""
from __future__ import annotations

import copy
from typing import Callable

import numpy as np

from labutils.call_outcomes import Case, Outcome, Returned
from labutils.checks.engine import checks
from labutils.checks.randomness import SEEDED_KEYS, seeded_problem
from labutils.examine import Context, Exercise, Found
from labutils.harnesses import Lookup, seeded
from labutils.objectives import Quadratic, Wavy

LAB = "05_gradient_descent"

BOWL = Quadratic(A=np.array([[2.0, 0.5], [0.5, 1.0]]), c=np.array([1.0, -1.0]))
MATRIX_BOWL = Quadratic(A=np.diag([1.0, 2.0, 3.0, 0.5, 1.5, 2.5]), c=np.arange(6.0).reshape(2, 3))
GRADIENT_DESCENT_CASES = [
    Case("a 2-D bowl, lr 0.1, 3 steps", (BOWL.grad, np.array([0.0, 0.0]), 0.1, 3)),
    Case("a bowl over (2, 3) matrices, lr 0.2, 5 steps", (MATRIX_BOWL.grad, np.ones((2, 3)), 0.2, 5)),
    Case("0 steps", (BOWL.grad, np.array([3.0, 4.0]), 0.1, 0)),
]

STEP_DECAY_CASES = [Case(f"step {step} of the notes' schedule", (step,)) for step in (0, 1, 9, 10, 19, 20, 35)]
STEP_DECAY_CASES.append(Case("step 7 with lr0=1, drop=0.1, every=3", (7,), {"lr0": 1.0, "drop": 0.1, "every": 3}))

WAVE = Wavy(a=np.array([1.0, 2.0, 3.0]), c=np.array([0.5, -0.5, 1.0]))
NUMERICAL_GRADIENT_CASES = [
    Case("a wavy function of 3 weights", (WAVE.value, np.array([0.3, -1.2, 2.0])), tolerance=1e-7),
    Case("a bowl over (2, 3) matrices", (MATRIX_BOWL.value, np.full((2, 3), 0.5)), tolerance=1e-7),
    Case("the wavy function with h = 0.01", (WAVE.value, np.array([0.3, -1.2, 2.0])), {"h": 0.01}, tolerance=1e-7),
    # A bowl whose weights interact: the slope along one weight depends on where the others are.
    Case("a 2-D bowl whose weights interact, h = 0.01", (BOWL.value, np.array([0.3, -0.7])), {"h": 0.01},
         tolerance=1e-7),
]

_rng = np.random.default_rng(5)
SOFTMAX_REGRESSION_CASES = [
    Case("3 classes, 4 features, 6 examples",
         (np.round(_rng.normal(size=(3, 4)), 2), np.round(_rng.normal(size=(6, 4)), 2), np.array([0, 1, 2, 2, 1, 0]))),
    Case("2 classes, 3 features, 5 examples, large scores",
         (np.round(30 * _rng.normal(size=(2, 3)), 2), np.round(_rng.normal(size=(5, 3)), 2), np.array([1, 0, 0, 1, 1]))),
    Case("3 classes, a constant feature weighted about 1000: scores around +1000",
         (np.array([[1000.0, 0.5, -1.0], [1001.0, -0.5, 0.0], [999.0, 1.0, 1.0]]),
          np.array([[1.0, 0.2, -1.3], [1.0, -0.7, 0.4], [1.0, 1.1, 0.9], [1.0, 0.0, -0.5]]), np.array([0, 2, 1, 2]))),
]

MINIBATCHES_CASES = [
    Case("n = 10, batch_size = 4: two epochs, and again from the same seed", (10, 4, np.random.default_rng(0)),
         harness=seeded),
    Case("n = 12, batch_size = 3: two epochs, and again from the same seed", (12, 3, np.random.default_rng(1)),
         harness=seeded),
]


def diagnose_minibatches(outcome: Outcome, case: Case, context: Context) -> Found:
    """What is wrong with mini-batches drawn by the `seeded` harness (two epochs, and the first
    again from the same seed), judged by their properties."""
    if not isinstance(outcome, Returned):
        return None
    runs = outcome.value
    if not isinstance(runs, dict) or set(runs) != set(SEEDED_KEYS):
        return "no result came back from the three calls", None
    n, batch_size = case.args[0], case.args[1]
    for epoch in (runs["first"], runs["same_seed"], runs["next"]):
        if not isinstance(epoch, list) or not all(isinstance(b, np.ndarray) and b.dtype.kind in "iu" for b in epoch):
            return "it should return a list of integer index arrays", None
    first = np.concatenate(runs["first"]) if runs["first"] else np.array([], dtype=int)
    missing = np.setdiff1d(np.arange(n), first)
    if len(missing) and len(missing) == n % batch_size and len(first) == n - n % batch_size:
        return f"{len(missing)} indices never appear: the last, smaller batch is missing", "dropped the last partial batch"
    if len(first) != n or len(missing):
        return f"every index of range({n}) should appear exactly once; got {len(first)} indices, {len(missing)} missing", None
    sizes = [len(b) for b in runs["first"]]
    expected_sizes = [batch_size] * (n // batch_size) + ([n % batch_size] if n % batch_size else [])
    if sizes == expected_sizes + [0]:
        return f"batch sizes should be {expected_sizes}, got {sizes}: an empty batch at the end", "an empty last batch"
    if sizes != expected_sizes:
        return f"batch sizes should be {expected_sizes}, got {sizes}", None
    if np.array_equal(first, np.arange(n)):
        return "the batches follow the order 0, 1, 2, ...: nothing is shuffled", "batches without shuffling"
    return seeded_problem(runs, case, same_every_call="the same order every epoch")


def _same_config(a: dict | None, b: dict | None) -> bool:
    if a is None or b is None:
        return a is b
    return a.keys() == b.keys() and all(np.array_equal(a[key], b[key]) for key in a)


def descent_with(update: Callable, lookup: Lookup, grad: Callable, w0: np.ndarray, config: dict | None,
                 n_steps: int) -> dict:
    """Descent with an update rule, as a training loop runs it: at each of `n_steps` steps, the
    gradient at the current weights, then `w, config = update(w, dw, config)`, each call given the
    config the previous one returned (the first gets a copy of `config`). Returns the weights
    after each step, stacked ("trajectory"), whether every call left the array of weights it
    was given as it was ("weights_kept"), and the config dict it was given ("config_kept")."""
    w, config = np.array(w0, dtype=float), copy.deepcopy(config)
    trajectory, kept, config_kept = [], True, True
    for _ in range(n_steps):
        given, given_config = w.copy(), copy.deepcopy(config)
        next_w, next_config = update(w, grad(w), config)
        kept = kept and bool(np.array_equal(w, given))
        config_kept = config_kept and _same_config(config, given_config)
        w, config = np.array(next_w, dtype=float), next_config
        trajectory.append(w.copy())
    return {"trajectory": np.array(trajectory).reshape(n_steps, *np.shape(w0)), "weights_kept": kept,
            "config_kept": config_kept}


RAVINE = Quadratic(A=np.diag([1.0, 0.01]), c=np.array([1.0, 1.0]))
FAINT = Quadratic(A=np.diag([1e-6, 4e-6]), c=np.array([1.0, -1.0]))  # gradients of about 1e-6
MOMENTUM_CASES = [
    Case("the ravine, lr 0.5, momentum 0.8, 6 steps",
         (RAVINE.grad, np.array([-1.5, -2.5]), {"learning_rate": 0.5, "momentum": 0.8}, 6), harness=descent_with),
    Case("a bowl over (2, 3) matrices, the default config (None), 4 steps",
         (MATRIX_BOWL.grad, np.ones((2, 3)), None, 4), harness=descent_with),
]
RMSPROP_CASES = [
    Case("the ravine, lr 0.1, decay 0.9, 6 steps",
         (RAVINE.grad, np.array([-1.5, -2.5]), {"learning_rate": 0.1, "decay_rate": 0.9}, 6), harness=descent_with),
    Case("a bowl over (2, 3) matrices, the default config (None), 4 steps",
         (MATRIX_BOWL.grad, np.ones((2, 3)), None, 4), harness=descent_with),
    Case("gradients of about 1e-6, lr 0.01, 3 steps",
         (FAINT.grad, np.array([0.0, 0.0]), {"learning_rate": 0.01}, 3), harness=descent_with),
]
ADAM_CASES = [
    Case("the ravine, lr 0.3, 6 steps",
         (RAVINE.grad, np.array([-1.5, -2.5]), {"learning_rate": 0.3}, 6), harness=descent_with),
    Case("a bowl over (2, 3) matrices, the default config (None), 4 steps",
         (MATRIX_BOWL.grad, np.ones((2, 3)), None, 4), harness=descent_with),
    Case("gradients of about 1e-6, lr 0.01, beta1 0.5, beta2 0.9, 3 steps",
         (FAINT.grad, np.array([0.0, 0.0]), {"learning_rate": 0.01, "beta1": 0.5, "beta2": 0.9}, 3),
         harness=descent_with),
]

UPDATE_RULE = "(w, dw, config=None) -> (next_w, config); w and the config given are left as they were; the " \
              "config returned, a new dict, holds the hyperparameters (missing ones take their defaults) and the " \
              "state the next call needs."

EXERCISES = (
    Exercise("gradient_descent", "gradient_descent(grad, w0, lr, n_steps): trajectory of shape (n_steps + 1, "
             "*w0.shape).",
             GRADIENT_DESCENT_CASES),
    Exercise("step_decay", "step_decay(step, lr0=2.5, drop=0.5, every=10): lr0, multiplied by drop once per completed "
             "block of `every` steps.",
             STEP_DECAY_CASES),
    Exercise("numerical_gradient", "numerical_gradient(f, w, h=1e-5): centred differences; w unchanged.",
             NUMERICAL_GRADIENT_CASES),
    Exercise("softmax_regression_grad", "softmax_regression_grad(W, X, y) -> (loss, dW), dW of shape (K, d).",
             SOFTMAX_REGRESSION_CASES, result_names={"[0]": "the loss", "[1]": "dW"}),
    Exercise("minibatches", "minibatches(n, batch_size, rng): a fresh permutation from rng cut into batches, every "
             "index once; the same seed gives the same batches.",
             MINIBATCHES_CASES, diagnose=diagnose_minibatches),
    Exercise("sgd_momentum", "sgd_momentum" + UPDATE_RULE + " Defaults: learning_rate 1e-2, momentum 0.9; "
             "state: velocity, zeros at first.",
             MOMENTUM_CASES),
    Exercise("rmsprop", "rmsprop" + UPDATE_RULE + " Defaults: learning_rate 1e-2, decay_rate 0.99, epsilon 1e-8; "
             "state: cache, the running mean of squared gradients, zeros at first.",
             RMSPROP_CASES),
    Exercise("adam", "adam" + UPDATE_RULE + " Defaults: learning_rate 1e-3, beta1 0.9, beta2 0.999, "
             "epsilon 1e-8; state: m, v (zeros at first) and the step count t (0 at first), with bias "
             "correction.",
             ADAM_CASES),
)
(check_gradient_descent, check_step_decay, check_numerical_gradient, check_softmax_regression_grad,
 check_minibatches, check_sgd_momentum, check_rmsprop, check_adam) = checks(LAB, EXERCISES)
