"""Checks for lab 07, dropout and regularization: `check_dropout_forward`, `check_dropout_backward`,
`check_l2_penalty`, `check_train_mlp`.

A dropout mask depends on how you draw random numbers, so there is no single right
output: these checks (and the judges) test its properties. Kept entries are scaled by
1 / (1 - p); about a fraction p is dropped, independently for every entry; the mask comes
from the rng given (the same seed gives the same mask, the next call a new one); nothing
changes at eval time; the backward pass is compared, entry by entry, with the gradient of
the forward pass's own output.
"""
from __future__ import annotations

import copy
from typing import Any, Callable

import numpy as np

from labutils.call_outcomes import Case, Outcome, Raised, Returned
from labutils.checks.engine import checks
from labutils.checks.randomness import SEEDED_KEYS, identical, seeded_problem
from labutils.examine import Context, Exercise, Found
from labutils.checks.training_watch import TrainingWatch, blocks_problem, epochs_problem
from labutils.harnesses import Lookup, lent, notebook_of, round_trip, seeded_calls, seeded_outputs

LAB = "07_dropout"


def dropout_round_trip(backward: Callable, lookup: Lookup, inputs: tuple, dout: Any) -> tuple:
    """Harness: your dropout_forward on `inputs`, then `backward(dout, cache)` on its cache."""
    return round_trip("dropout_forward", backward, lookup, inputs, dout)


def _inputs(seed: int, shape: tuple[int, int]) -> np.ndarray:
    """Values away from 0, so that dropped (0) and kept (scaled) entries are told apart."""
    rng = np.random.default_rng(seed)
    return rng.choice([-1.0, 1.0], size=shape) * rng.uniform(0.5, 2.0, size=shape)


X = _inputs(7, (60, 70))
FORWARD_CASES = [
    Case("4200 activations, p = 0.3, training", (X, 0.3, True, np.random.default_rng(0)), harness=seeded_outputs),
    Case("4200 activations, p = 0.75, training", (X, 0.75, True, np.random.default_rng(1)), harness=seeded_outputs),
    Case("p = 0.5 at eval time (train=False)", (X, 0.5, False, np.random.default_rng(2)), harness=seeded_outputs),
    Case("p = 0, training", (X, 0.0, True, np.random.default_rng(3)), harness=seeded_outputs),
    Case("p = 1, training", (X, 1.0, True, np.random.default_rng(4)), harness=seeded_outputs),
]
DOUT = _inputs(8, (60, 70))
BACKWARD_CASES = [
    Case("p = 0.3, training", ((X, 0.3, True, np.random.default_rng(5)), DOUT), harness=dropout_round_trip),
    Case("p = 0.6, at eval time", ((X, 0.6, False, np.random.default_rng(6)), DOUT),
         harness=dropout_round_trip),
]


def _close(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=1e-9, atol=1e-12))


def _training_problem(first: np.ndarray, x: np.ndarray, p: float) -> Found:
    """What is wrong with one training-mode output for 0 < p < 1, judged by its properties."""
    kept = first != 0
    scale = first[kept] / x[kept]
    dropped = 1 - kept.mean()
    spread = 5 * np.sqrt(p * (1 - p) / x.size)
    if x.ndim > 1 and x.shape[0] > 1 and np.array_equal(np.broadcast_to(kept[:1], kept.shape), kept):
        return ("every example (row) lost the same units: each entry is dropped independently",
                "one mask shared by the whole batch")
    if abs(dropped - (1 - p)) < spread and abs(dropped - p) > spread:
        return f"{dropped:.0%} of the units were dropped, for p = {p}", "p used as the keep probability"
    if not np.allclose(scale, 1 / (1 - p)):
        named = {1.0: "no rescaling", p: "scaling by p", 1 - p: "scaling by the keep probability"}
        for factor, name in named.items():
            if np.allclose(scale, factor):
                return (f"kept units are multiplied by {factor:g}, not by the inverse of the keep probability, "
                        f"{1 / (1 - p):.4g}"), name
        return "kept units should be divided by the keep probability and dropped ones be 0", None
    if abs(dropped - p) > spread:
        return f"{dropped:.1%} of the units were dropped, for p = {p}", None
    return None


def diagnose_forward(outcome: Outcome, case: Case, context: Context) -> Found:
    """What is wrong with the forward passes of `seeded_outputs(dropout_forward, x, p, train, rng)`:
    the output, the output again from the same seed, and the next output."""
    x, p, train = case.args[0], case.args[1], case.args[2]
    if not isinstance(outcome, Returned):
        return None
    runs = outcome.value
    if not isinstance(runs, dict) or set(runs) != set(SEEDED_KEYS):
        return "no result came back from the three calls", None
    if 0 in outcome.modified:
        return "it changed its argument x in place: the caller's activations are lost", "dropout applied to x in place"
    first = np.asarray(runs["first"], dtype=float)
    if first.shape != x.shape:
        return f"shape: expected {x.shape}, got {first.shape}", None
    if np.isnan(first).any() or (p == 1 and outcome.warnings):
        return ("it returns nan" if np.isnan(first).any() else f"it warns {outcome.warnings[0]}"), \
            "nan at p = 1" if p == 1 else None
    if not train:
        if _close(first, x):
            return None
        if _close(first, x * (1 - p)):
            return ("at eval time (train=False) the output must be x itself, not x times the keep probability",
                    "scaling at eval time")
        return "at eval time (train=False) the output must be x itself", "dropping at eval time"
    if p == 0:
        return None if _close(first, x) else ("with p = 0 nothing is dropped: the output must be x", None)
    if p == 1:
        return None if not first.any() else ("with p = 1 every unit is dropped: the output must be zeros", None)
    return _training_problem(first, x, p) or seeded_problem(runs, case, same_every_call="a mask that is not redrawn")


def diagnose_backward(outcome: Outcome, case: Case, context: Context) -> Found:
    """What is wrong with `round_trip(dropout_backward)`: (forward output, dx)."""
    (x, p, train, _), dout = case.args
    if isinstance(outcome, Raised) and not train and outcome.type_name == "TypeError":
        return (f"at eval time it raised TypeError ({outcome.message}): there the forward pass's cache "
                "holds no mask (None)", "a mask of None not handled")
    if not isinstance(outcome, Returned):
        return None
    out, dx = (np.asarray(v, dtype=float) for v in outcome.value)
    if dx.shape != dout.shape:
        return f"shape: expected {dout.shape}, got {dx.shape}", None
    expected = dout * (out / x)  # the forward's own mask and scale, entry by entry
    if _close(dx, expected):
        return None
    if not train:
        return "at eval time the gradient passes unchanged", None
    if _close(dx, dout / (1 - p)):
        return "dropped units receive gradient too", "backward ignoring the mask"
    if _close(dx, dout * (out != 0)):
        return "kept units' gradient misses the factor their forward pass applied", "backward ignoring the scale"
    return "dx is not the gradient of your forward pass (compared entry by entry with its own mask)", None


_l2 = np.random.default_rng(70)
L2_CASES = [
    Case("a two-layer network's params, lam = 0.1",
         ({"W1": np.round(_l2.normal(size=(3, 2)), 2), "b1": np.array([0.5, -1.0]),
           "W2": np.round(_l2.normal(size=(2, 2)), 2), "b2": np.array([2.0, 0.25])}, 0.1)),
    Case("one layer's params, lam = 0.5", ({"W": np.round(_l2.normal(size=(2, 3)), 2), "b": np.ones(3)}, 0.5)),
]

# -- train_mlp: the network of lab 06 trained, judged by what it learned ----------------------------

# The functions train_mlp builds the network from, by the names it calls them.
BUILDING_BLOCKS = ("init_weights", "minibatches", "adam", "linear_forward", "linear_backward", "relu_forward",
                   "relu_backward", "softmax_cross_entropy", "dropout_forward", "dropout_backward", "l2_penalty")
# Dev accuracy a trained network must reach on three interleaved spirals (a linear model
# reaches about 0.5). The reference over 50 seeds of the judge's cases: min 0.963, mean 0.989 and
# 0.996; descent uphill 0.33, a ReLU skipped in the backward pass 0.67 and 0.90
# (benchmarks/train_mlp_threshold.py).
TRAIN_MLP_THRESHOLD = 0.90
UPHILL = "parameters moved up the gradient"
PENALTY_LEFT_OUT = "the penalty's gradient left out"
DROPOUT_LEFT_OUT = "dropout left out"
SHARED_STATE = "one optimizer state for every parameter"
CLASSES_PRESENT = "the class count taken from the labels present"


def spirals(n: int, rng: np.random.Generator, classes: int = 3, noise: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """n points (n, 2) on `classes` interleaved spiral arms, and their arm (n,): no line separates them."""
    label = rng.integers(0, classes, n)
    radius = rng.uniform(0.05, 1.0, n)
    angle = label * 2 * np.pi / classes + radius * 1.5 * np.pi + rng.normal(scale=noise, size=n)
    return np.stack([radius * np.sin(angle), radius * np.cos(angle)], axis=1), label


def training(train_mlp: Callable, lookup: Lookup, blocks_source: str | None, X: np.ndarray, y: np.ndarray,
             settings: dict, rng: np.random.Generator, contrast: dict | None = None,
             X_eval: np.ndarray | None = None) -> dict:
    """Harness: `train_mlp(X, y, **settings, rng=rng)` as `seeded` calls it (as given, again from
    the same seed, then with the generator moved on); once more from the same seed with the
    settings in `contrast` changed, if any; the training loss after each epoch of the first
    call (through its on_epoch), and what that call did with its building blocks
    (`TrainingWatch`); and, given X_eval, the first network's eval-time scores for it. The
    building blocks are the notebook's, or those of `blocks_source` (the grader's)."""
    namespace = notebook_of(train_mlp)
    with lent(namespace, BUILDING_BLOCKS, blocks_source):
        blocks = {name: namespace[name] for name in BUILDING_BLOCKS if name in namespace}

        def scores_of(params: dict, inputs: np.ndarray) -> np.ndarray:
            """The network's eval-time scores (no dropout), through the blocks in use."""
            linear, relu = blocks["linear_forward"], blocks["relu_forward"]
            layers = len([name for name in params if name.startswith("W")])
            h = inputs
            for layer in range(1, layers):
                h = relu(linear(h, params[f"W{layer}"], params[f"b{layer}"])[0])[0]
            return linear(h, params[f"W{layers}"], params[f"b{layers}"])[0]

        losses: list[float] = []
        watch = TrainingWatch()
        given: list[dict] = []  # the parameters the last on_epoch call was given, as they were

        def record(epoch: int, params: dict) -> None:
            watch.paused = True
            watch.epoch_done(epoch)
            given[:] = [copy.deepcopy(params)]
            losses.append(float(blocks["softmax_cross_entropy"](scores_of(params, X), y)[0]))
            watch.paused = False

        calls: list[int] = []

        def train(*args: Any, **kwargs: Any) -> dict:
            """The first call is watched, and reports its epochs to `record`."""
            calls.append(1)
            if len(calls) > 1:
                return train_mlp(*args, **kwargs, on_epoch=None)
            namespace.update({name: watch.wrap(name, block) for name, block in blocks.items()})
            try:
                return train_mlp(*args, **kwargs, on_epoch=record)
            finally:
                namespace.update(blocks)

        pristine = copy.deepcopy(rng)
        runs = seeded_calls(lambda params: params, train, (X, y), dict(settings, rng=rng))
        other = train_mlp(X, y, **dict(settings, **contrast), rng=pristine) if contrast else None
        scores = scores_of(runs["first"], X_eval) if X_eval is not None and isinstance(runs["first"], dict) else None
    last_given = given[0] if given else None
    return {"runs": runs, "contrast": other, "losses": losses, "scores": scores, "watched": watch.summary(),
            "on_epoch_current": last_given is not None and identical(last_given, runs["first"])}


def _structure_problem(params: Any, inputs: int, hidden: list[int], y: np.ndarray) -> Found:
    classes = int(np.max(y)) + 1
    sizes = [inputs, *hidden, classes]
    expected = {}
    for layer, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        expected[f"W{layer}"], expected[f"b{layer}"] = (fan_in, fan_out), (fan_out,)
    if not isinstance(params, dict) or set(params) != set(expected):
        got = sorted(params) if isinstance(params, dict) else type(params).__name__
        return f"it should return the parameters as a dict with keys {sorted(expected)}; got {got}", None
    for name, shape in expected.items():
        if np.shape(params[name]) != shape:
            present = len(np.unique(y))
            if name == f"W{len(sizes) - 1}" and np.shape(params[name]) == (shape[0], present):
                return (f"{name} has shape {np.shape(params[name])}: {present} scores per example for the {present} "
                        f"labels present in y, but y's labels run up to {classes - 1}, so there are {classes} classes "
                        f"(one of them has no example here)", CLASSES_PRESENT)
            return f"{name} has shape {np.shape(params[name])}; a network of sizes {sizes} needs {shape}", None
        if not np.all(np.isfinite(params[name])):
            return f"{name} holds nan or inf: the training diverged", None
    return None


def diagnose_training(outcome: Outcome, case: Case, accuracy_of: Callable[[dict], float]) -> Found:
    """What is wrong with the `training` harness's result: the parameters' structure, how the rng
    is used, a setting that changes nothing, then what the network learned (`accuracy_of` its
    first parameters, on a dev set the diagnosis holds)."""
    if isinstance(outcome, Raised):
        if outcome.type_name == "ValueError" and "broadcast" in outcome.message:
            return (f"it raised ValueError ({outcome.message[:90]}): an optimizer step met the state of a "
                    "parameter of another shape", SHARED_STATE)
        y = case.args[2]
        classes, present = int(np.max(y)) + 1, len(np.unique(y))
        if outcome.type_name == "IndexError" and "out of bounds" in outcome.message and present < classes:
            return (f"it raised IndexError ({outcome.message[:90]}): the network gives fewer scores than there are "
                    f"classes; y's labels run up to {classes - 1}, so there are {classes} classes, though only "
                    f"{present} have an example here", CLASSES_PRESENT)
        return None
    if not isinstance(outcome, Returned) or not isinstance(outcome.value, dict):
        return "no result came back from the training runs", None
    _, X, y, settings, _, contrast = case.args[:6]
    runs = outcome.value["runs"]
    problem = _structure_problem(runs.get("first") if isinstance(runs, dict) else None, X.shape[1],
                                 settings["hidden"], y)
    if problem:
        return problem
    found = seeded_problem(runs, case, same_every_call="a fixed seed of its own")
    if found:
        return found
    if contrast and identical(runs["first"], outcome.value["contrast"]):
        if "lam" in contrast:
            return (f"with lam = {settings['lam']:g} it learned exactly the weights it learns with lam = 0, from "
                    "the same seed: the penalty never reaches the update", PENALTY_LEFT_OUT)
        return (f"with p_drop = {settings['p_drop']:g} it learned exactly the weights it learns with p_drop = 0, "
                "from the same seed: no unit was ever dropped", DROPOUT_LEFT_OUT)
    watched = outcome.value["watched"]
    found = epochs_problem(watched, len(y), settings) or blocks_problem(watched, settings)
    if found:
        return found
    if not outcome.value["on_epoch_current"]:
        return ("the parameters on_epoch was given after the last epoch are not the ones train_mlp returned: "
                "on_epoch is given the network as it stands after each epoch", None)
    accuracy = accuracy_of(runs["first"])
    if accuracy >= TRAIN_MLP_THRESHOLD:
        return None
    losses = outcome.value["losses"]
    said = f"the trained network classifies {accuracy:.1%} of the dev points right; it should reach " \
           f"{TRAIN_MLP_THRESHOLD:.0%}"
    if len(losses) >= 2 and losses[-1] > losses[0]:
        return (f"{said}, and its training loss rose from {losses[0]:.3g} after the first epoch to "
                f"{losses[-1]:.3g} after the last: each step went uphill", UPHILL)
    if len(losses) != settings["epochs"]:
        return f"{said} (and on_epoch was called {len(losses)} times for {settings['epochs']} epochs)", None
    return (f"{said}. Its training loss went from {losses[0]:.3g} to {losses[-1]:.3g}: check that every "
            "parameter gets its whole gradient (the loss's through every layer, plus the penalty's)", None)


def diagnose_train_mlp(outcome: Outcome, case: Case, context: Context) -> Found:
    """The public check's diagnosis: the accuracy of the scores your own building blocks gave
    for the public dev set."""
    labels = case.held_out

    def accuracy_of(params: dict) -> float:
        scores = np.asarray(outcome.value["scores"])
        return float(np.mean(scores.argmax(axis=1) == labels))
    return diagnose_training(outcome, case, accuracy_of)


def without_class(y: np.ndarray, missing: int) -> np.ndarray:
    """Labels y with `missing` skipped: the classes at and above it move up one, so that class
    `missing` has no example, as a rare class may have none in a small training set."""
    return np.where(y >= missing, y + 1, y)


def _public_training_case(label: str, seed: int, settings: dict, contrast: dict, missing: int | None = None) -> Case:
    data = np.random.default_rng(seed)
    X, y = spirals(200, data)
    X_dev, y_dev = spirals(600, data)
    if missing is not None:
        y, y_dev = without_class(y, missing), without_class(y_dev, missing)
    return Case(label, (None, X, y, settings, np.random.default_rng(seed + 1), contrast, X_dev),
                harness=training, held_out=y_dev)


TRAIN_MLP_CASES = [
    _public_training_case("three spirals, one hidden layer of 32, dropout 0.2, minibatches of 30 (the last of 20)", 71,
                          dict(hidden=[32], epochs=60, batch_size=30, lr=0.02, p_drop=0.2, lam=1e-5),
                          {"p_drop": 0.0}),
    _public_training_case("three spirals labelled 0, 1 and 3 (no example of class 2), two hidden layers of 24, "
                          "lam = 1e-4", 72,
                          dict(hidden=[24, 24], epochs=50, batch_size=40, lr=0.02, p_drop=0.0, lam=1e-4),
                          {"lam": 0.0}, missing=2),
]


EXERCISES = (
    Exercise("dropout_forward", "dropout_forward(x, p, train, rng) -> (out, cache): inverted dropout, drop probability "
             "p, the mask drawn from rng (the same seed gives the same mask).",
             FORWARD_CASES, diagnose=diagnose_forward),
    Exercise("dropout_backward", "dropout_backward(dout, cache) -> dx, with the cache of your dropout_forward.",
             BACKWARD_CASES, others=('dropout_forward',), diagnose=diagnose_backward),
    Exercise("l2_penalty", "l2_penalty(params, lam) -> (penalty, grads): penalty = lam times the sum of the squares "
             "of every weight matrix (the entries of params named W...; biases are not penalised); grads, for "
             "every key of params, the penalty's gradient (zeros for biases).",
             L2_CASES),
    Exercise("train_mlp", "train_mlp(X, y, hidden, epochs, batch_size, lr, p_drop, lam, rng, on_epoch=None) -> "
             "params: a ReLU network of hidden layer sizes `hidden` and K = y.max() + 1 classes (He initialization, "
             "dropout p_drop after each hidden ReLU, L2 of strength lam), trained for exactly `epochs` epochs, each "
             "a pass over every example in a fresh shuffle into minibatches of batch_size (the last one may be "
             "smaller), each parameter updated by adam at rate lr with a state of its own kept across steps; "
             "everything random drawn from rng; built from the building blocks of labs 05 to 07; params W1, b1, "
             "... as in lab 06; on_epoch(epoch, params), when given, called after each epoch with the network as "
             "it stands, epoch counting from 0.",
             TRAIN_MLP_CASES, diagnose=diagnose_train_mlp, helpers=BUILDING_BLOCKS),
)
check_dropout_forward, check_dropout_backward, check_l2_penalty, check_train_mlp = checks(LAB, EXERCISES)
