"""How the end-to-end threshold of lab 08 was chosen: the reference's accuracy over many
seeds, on the judge set (what grades) and on dev (what the public check sees), next to
broken training loops, with the judge's settings.

    .venv/bin/python benchmarks/end_to_end_threshold.py [SEEDS]
"""
from __future__ import annotations

import sys
import time

import numpy as np

from autograder.judging.hidden_cases.lab08 import judge_set_accuracy
from autograder.judging.judges import LocalSubject
from autograder.judging.mistakes import mistakes_for
from autograder.judging.reference import build_namespace, reference_namespace
from labutils.call_outcomes import Case
from labutils.checks.lab08 import END_TO_END_SETTINGS, END_TO_END_THRESHOLD, dev_accuracy, end_to_end

LAB = "08_training_loop"


def accuracies(namespace: dict, seed: int) -> tuple[float, float, float]:
    """(judge-set accuracy, dev accuracy, seconds) of the functions in `namespace`."""
    settings = dict(END_TO_END_SETTINGS, seed=seed)
    outcome = LocalSubject(namespace).call("fit", Case("end to end", (settings,), harness=end_to_end))
    result = outcome.value
    return (judge_set_accuracy(result, settings), dev_accuracy(result, settings, namespace["FFNN"], namespace["encode"]),
            result["seconds"])


def spread(values: np.ndarray) -> str:
    return (f"min {values.min():.3f}, mean {values.mean():.3f} (sd {values.std(ddof=1):.3f}), "
            f"max {values.max():.3f}")


def main(seeds: int) -> None:
    reference = reference_namespace(LAB)
    started = time.time()
    runs = np.array([accuracies(reference, seed) for seed in range(seeds)])
    print(f"reference over {seeds} seeds ({runs[:, 2].mean():.1f} s per run, {time.time() - started:.0f} s in all)")
    print(f"  judge set: {spread(runs[:, 0])}")
    print(f"  dev:       {spread(runs[:, 1])}")
    for task in ("train_epoch", "fit"):
        for mistake in mistakes_for(LAB, task):
            judged, dev, _ = accuracies(mistake.namespace(LAB), 0)
            print(f"  {task}: {mistake.name}: judge set {judged:.3f}, dev {dev:.3f}")
    broken = build_namespace(LAB)
    exec("def train_epoch(model, batches, loss_fn, optimizer):\n"
         "    return sum(loss_fn(model(t, o), y).item() for t, o, y in batches)\n", broken)  # never learns
    judged, dev, _ = accuracies(broken, 0)
    print(f"  a loop that never steps: judge set {judged:.3f}, dev {dev:.3f}")
    print(f"threshold in use: {END_TO_END_THRESHOLD}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 30)
