"""How the end-to-end threshold of lab 08 was chosen: the reference's dev accuracy over
many seeds, next to broken training loops, with the judge's settings.

    .venv/bin/python benchmarks/end_to_end_threshold.py [SEEDS]
"""
from __future__ import annotations

import sys
import time

import numpy as np

from autograder.judging import LocalSubject
from autograder.mistakes import mistakes_for
from autograder.reference import build_namespace, reference_namespace
from labutils.checks.lab08 import END_TO_END_SETTINGS, END_TO_END_THRESHOLD, dev_labels
from labutils.outcomes import Case

LAB = "08_training_loop"


def dev_accuracy(namespace: dict, seed: int) -> tuple[float, float]:
    case = Case("end to end", (dict(END_TO_END_SETTINGS, seed=seed),), harness="end_to_end")
    outcome = LocalSubject(namespace).call("fit", case)
    value = outcome.value
    return float(np.mean(np.array(value["predictions"]) == np.array(dev_labels()))), value["seconds"]


def main(seeds: int) -> None:
    reference = reference_namespace(LAB)
    started = time.time()
    runs = [dev_accuracy(reference, seed) for seed in range(seeds)]
    accuracies = np.array([accuracy for accuracy, _ in runs])
    print(f"reference over {seeds} seeds: dev accuracy min {accuracies.min():.3f}, mean {accuracies.mean():.3f}, "
          f"max {accuracies.max():.3f}; {np.mean([s for _, s in runs]):.1f} s per run "
          f"({time.time() - started:.0f} s in all)")
    for task in ("train_epoch", "fit"):
        for mistake in mistakes_for(LAB, task):
            accuracy, _ = dev_accuracy(mistake.namespace(LAB), 0)
            print(f"  {task}: {mistake.name}: dev accuracy {accuracy:.3f}")
    broken = build_namespace(LAB)
    exec("def train_epoch(model, batches, loss_fn, optimizer):\n"
         "    return sum(loss_fn(model(t, o), y).item() for t, o, y in batches)\n", broken)  # never learns
    print(f"  a loop that never steps: dev accuracy {dev_accuracy(broken, 0)[0]:.3f}")
    print(f"threshold in use: {END_TO_END_THRESHOLD}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 30)
