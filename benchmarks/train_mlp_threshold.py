"""How the train_mlp threshold of lab 07 was chosen: the reference's dev accuracy on the judge's
hidden cases over many seeds, next to broken training (the catalogue's, and two the accuracy
alone must catch: a ReLU skipped in the backward pass, dropout without its rescaling).

    .venv/bin/python benchmarks/train_mlp_threshold.py [SEEDS]
"""
from __future__ import annotations

import sys
import time

import numpy as np

from autograder.judging.hidden_cases.lab07 import dev_accuracy, reference_blocks, training_cases
from autograder.judging.mistakes import mistakes_for
from autograder.judging.reference import build_namespace, reference_namespace
from labutils.checks.lab07 import BUILDING_BLOCKS, TRAIN_MLP_THRESHOLD
from labutils.harnesses import lent, notebook_of

LAB = "07_dropout"
BROKEN_BLOCKS = {
    "the ReLU skipped in the backward pass": "def relu_backward(dout, cache):\n    return dout\n",
    "dropout without rescaling": (
        "def dropout_forward(x, p, train, rng):\n"
        "    if not train or p == 0:\n        return x, (None, p)\n"
        "    mask = (rng.random(x.shape) >= p) * 1.0\n    return x * mask, (mask, p)\n"),
}


def accuracies(train_mlp, seed: int, blocks: str) -> list[float]:
    """The dev accuracy of the first network of each hidden case of `seed` (no harness: one run)."""
    found = []
    for case in training_cases(np.random.default_rng(seed)):
        _, X, y, settings, rng, _ = case.args
        with lent(notebook_of(train_mlp), BUILDING_BLOCKS, blocks):
            params = train_mlp(X, y, **settings, rng=rng)
        found.append(dev_accuracy(params, *case.held_out))
    return found


def spread(values: np.ndarray) -> str:
    return (f"min {values.min():.3f}, mean {values.mean():.3f} (sd {values.std(ddof=1):.3f}), "
            f"max {values.max():.3f}")


def main(seeds: int) -> None:
    reference = reference_namespace(LAB)["train_mlp"]
    started = time.time()
    runs = np.array([accuracies(reference, seed, reference_blocks()) for seed in range(seeds)])
    print(f"reference over {seeds} seeds ({time.time() - started:.0f} s in all), dev accuracy of each hidden case:")
    print(f"  one hidden layer, dropout:  {spread(runs[:, 0])}")
    print(f"  two hidden layers, L2:      {spread(runs[:, 1])}")
    for mistake in mistakes_for(LAB, "train_mlp"):
        try:
            found = accuracies(mistake.namespace(LAB)["train_mlp"], 0, reference_blocks())
            print(f"  {mistake.name}: " + ", ".join(f"{a:.3f}" for a in found))
        except (ValueError, IndexError) as error:
            print(f"  {mistake.name}: raises {type(error).__name__} ({str(error)[:60]})")
    for name, code in BROKEN_BLOCKS.items():
        broken = reference_blocks() + "\n" + code  # the later def replaces the reference's
        found = accuracies(build_namespace(LAB)["train_mlp"], 0, broken)
        print(f"  {name}: " + ", ".join(f"{a:.3f}" for a in found))
    print(f"threshold in use: {TRAIN_MLP_THRESHOLD} (the reference's minimum: {runs.min():.3f})")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50)
