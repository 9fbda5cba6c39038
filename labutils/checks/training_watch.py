"""What train_mlp (lab 07) does with its building blocks, watched while it trains.

A trained network's accuracy says little about how it was trained: a loop that skips dropout's
backward pass, starts Adam afresh every step, shuffles once, or drops the last minibatch still
learns three spirals. The `training` harness of `labutils.checks.lab07` wraps each building
block in use with a `TrainingWatch` for one call, and the diagnosis reads its summary
(`epochs_problem`, `blocks_problem`) against what the contract promises.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from labutils.examine import Found

EPOCHS_FROM_1 = "on_epoch counting from 1"
LAST_BATCH_SKIPPED = "the last, smaller minibatch skipped"
SAME_ORDER = "one shuffle for every epoch"
MASKS_NOT_USED = "dropout's backward pass left out"
STATE_RESET = "the optimizer's state started again every step"


class TrainingWatch:
    """What train_mlp does with its building blocks, watched during one call: every block in use
    is wrapped, and the wrapper notes what it was given before passing the call on.

    A step begins at a softmax_cross_entropy call (one per minibatch) and ends at its first adam
    call; an epoch ends at each on_epoch call. Noted per step: the minibatch's size and
    labels, how many dropout masks the forward pass drew (training, p > 0) and how many of
    those the backward pass was given back, and the step count `t` of each optimizer state adam
    was given. Plain data comes out (`summary`), for the diagnosis to read.
    """

    def __init__(self) -> None:
        self.steps: list[dict] = []
        self.epochs: list[int] = []  # the epoch numbers on_epoch was given
        self.epoch_ends: list[int] = []  # how many steps were taken when on_epoch was called
        self.masks: list[Any] = []  # the caches of the dropout masks drawn since the last update
        self.paused = False

    def wrap(self, name: str, block: Callable) -> Callable:
        def watched(*args: Any, **kwargs: Any) -> Any:
            result = block(*args, **kwargs)
            if not self.paused:
                self.saw(name, [*args, *kwargs.values()], result)
            return result
        watched.__name__ = getattr(block, "__name__", name)
        return watched

    def saw(self, name: str, args: list, result: Any) -> None:
        step = self.steps[-1] if self.steps else None
        if name == "softmax_cross_entropy" and len(args) >= 2:
            labels = np.asarray(args[1]).ravel()
            if step is None or step["adam_t"]:  # a second call before any update belongs to the same step
                self.steps.append({"masks": None, "restored": 0, "adam_t": []})
            self.steps[-1].update(size=int(labels.size), labels=labels.tolist())
        elif name == "dropout_forward" and len(args) >= 3 and args[2] and args[1] > 0:
            self.masks.append(result[1] if isinstance(result, tuple) and len(result) == 2 else None)
        elif name == "dropout_backward" and len(args) >= 2 and step is not None:
            step["restored"] += any(args[1] is cache for cache in self.masks if cache is not None)
        elif name == "adam" and step is not None:
            if step["masks"] is None:
                step["masks"], self.masks = len(self.masks), []
            config = args[2] if len(args) >= 3 else None
            step["adam_t"].append(int(config.get("t", 0)) if isinstance(config, dict) else 0)

    def epoch_done(self, epoch: Any) -> None:
        self.epochs.append(epoch if isinstance(epoch, int) else repr(epoch))
        self.epoch_ends.append(len(self.steps))

    def summary(self) -> dict:
        """Per epoch (as on_epoch cut them): the minibatch sizes, and whether the labels came in
        the same order as in the first epoch; over all steps: the dropout masks drawn and given
        back, and the optimizer step counts found."""
        bounds = list(zip([0, *self.epoch_ends], self.epoch_ends))
        orders = [[label for step in self.steps[a:b] for label in step["labels"]] for a, b in bounds]
        return {"epochs": self.epochs,
                "batch_sizes": [[step["size"] for step in self.steps[a:b]] for a, b in bounds],
                "steps": len(self.steps),
                "same_order": [order == orders[0] for order in orders[1:]],
                "masks": sum(step["masks"] or 0 for step in self.steps),
                "restored": sum(step["restored"] for step in self.steps),
                "adam_t": [sorted(set(step["adam_t"])) for step in self.steps]}


def _listed(values: list) -> str:
    return ", ".join(map(str, values)) if len(values) <= 6 else f"{values[0]}, {values[1]}, ..., {values[-1]}"


def epochs_problem(watched: dict, n: int, settings: dict) -> Found:
    """Exactly `epochs` epochs, numbered from 0 for on_epoch, each a pass over all n examples in
    minibatches of batch_size (the last one smaller), in a new order each epoch."""
    epochs, batch_size = settings["epochs"], settings["batch_size"]
    numbers, sizes = watched["epochs"], watched["batch_sizes"]
    if numbers == list(range(1, epochs + 1)):
        return (f"on_epoch was given the epochs 1 to {epochs}; the contract counts them from 0, so a training of "
                f"{epochs} epochs gives it 0 to {epochs - 1}", EPOCHS_FROM_1)
    if numbers != list(range(epochs)):
        return (f"on_epoch was called {len(numbers)} times (given {_listed(numbers)}); a training of {epochs} epochs "
                f"calls it once after each, given 0 to {epochs - 1}", None)
    if sum(map(len, sizes)) != watched["steps"]:
        return (f"it took {watched['steps'] - sum(map(len, sizes))} minibatch steps after the last epoch "
                "had been reported to on_epoch", None)
    last = n - (n - 1) // batch_size * batch_size
    for epoch, batches in enumerate(sizes):
        if sum(batches) == n:
            continue
        if last < batch_size and sum(batches) == n - last and all(size == batch_size for size in batches):
            return (f"epoch {epoch} trained on {n - last} of the {n} examples: the last minibatch, of {last}, "
                    "was left out; an epoch passes over every example once", LAST_BATCH_SKIPPED)
        return (f"epoch {epoch} trained on minibatches of {_listed(batches)} examples, {sum(batches)} in all; an "
                f"epoch passes over each of the {n} examples once, in minibatches of {batch_size}", None)
    if len(sizes) > 1 and all(watched["same_order"]):
        return ("every epoch saw the examples in the same order: one shuffle was made for the whole training, "
                "where each epoch draws a new one from rng", SAME_ORDER)
    return None


def blocks_problem(watched: dict, settings: dict) -> Found:
    """Each dropout mask of a step's forward pass used by its backward pass; each parameter's
    Adam state carried from one step to the next."""
    if settings["p_drop"] > 0 and watched["masks"] and watched["restored"] < watched["masks"]:
        said = (f"the forward passes drew {watched['masks']} dropout masks and the backward passes were given "
                f"{watched['restored']} of them back")
        if watched["restored"] == 0:
            return (f"{said}: the gradient flowed back into units the forward pass had dropped", MASKS_NOT_USED)
        return f"{said}: each step's backward pass goes back through that step's own masks", None
    for step, counts in enumerate(watched["adam_t"]):
        if not counts:
            return (f"at step {step + 1}, adam (lab 05) was not called: the parameters are updated with it, "
                    "one call per parameter", None)
        if counts != [step]:
            if step > 0 and counts == [0]:
                return (f"at step {step + 1}, adam was given states that had taken no step: each parameter's "
                        "state (its running means and step count) carries over from one step to the next",
                        STATE_RESET)
            return (f"at step {step + 1}, adam was given states that had taken {_listed(counts)} steps; after "
                    f"{step} steps, each parameter's state has taken {step}", None)
    return None
