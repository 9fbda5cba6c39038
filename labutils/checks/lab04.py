"""Checks for lab 04, cross-entropy: one `check_<task>` per exercise."""
from __future__ import annotations

from typing import Callable

import numpy as np

from labutils.call_outcomes import Case
from labutils.checks.engine import checks
from labutils.examine import Exercise
from labutils.harnesses import Lookup

LAB = "04_cross_entropy"

# The CS5242 notes' table: 5 pictures, 4 classes, correct classes 3, 1, 2, 4, 2 (1-based), kept as the
# notes wrote it. Its rows 3 and 5 sum to 0.95 and 0.90 (ERRATA 13): not probability vectors, which the
# losses do not notice because they read only the correct-class entries. The case's name says so.
NOTES_P = np.array([[0.05, 0.05, 0.70, 0.20],
                    [0.80, 0.20, 0.00, 0.00],
                    [0.05, 0.60, 0.20, 0.10],
                    [0.05, 0.60, 0.05, 0.30],
                    [0.00, 0.40, 0.10, 0.40]])
NOTES_Y = np.array([2, 0, 1, 3, 1])
HALVES_P = np.full((2000, 2), 0.5)  # the product of 2000 halves, 2**-2000, underflows to 0.0
HALVES_Y = np.arange(2000) % 2
SMALL_P = np.array([[0.2, 0.5, 0.3], [0.6, 0.3, 0.1], [0.25, 0.25, 0.5]])
SMALL_Y = np.array([1, 0, 2])

PROBABILITY_CASES = [
    Case("the notes' table (its rows 3 and 5 sum to 0.95 and 0.90, see 'What else is wrong?')", (NOTES_P, NOTES_Y)),
    Case("3 examples, 3 classes", (SMALL_P, SMALL_Y)),
    Case("2000 examples with p = 0.5", (HALVES_P, HALVES_Y)),
]

LOGITS = np.array([[2.0, 1.0, 0.1, -1.0], [0.5, 2.5, 0.0, 0.3], [-1.0, 0.0, 1.0, 3.0]])
LOGITS_CASES = [
    Case("3 examples x 4 classes", (LOGITS, np.array([0, 1, 3])), quiet=True),
    Case("a (3, 3) batch", (LOGITS[:, :3], np.array([2, 1, 0])), quiet=True),
    Case("the same logits x 1000", (1000.0 * LOGITS, np.array([0, 2, 3])), quiet=True),
]

BINARY_CASES = [
    Case("4 examples", (np.array([0.9, 0.2, 0.6, 0.4]), np.array([1.0, 0.0, 1.0, 0.0]))),
    Case("confident and wrong", (np.array([0.01, 0.99]), np.array([1.0, 0.0]))),
]

BINARY_LOGIT_CASES = [
    Case("moderate logits", (np.array([-3.0, 0.0, 2.0, 0.5]), np.array([0.0, 1.0, 1.0, 0.0])), quiet=True),
    Case("logits of +-1000", (np.array([1000.0, -1000.0, 1000.0]), np.array([0.0, 1.0, 1.0])), quiet=True),
    Case("logits of +-1e4", (np.array([-1e4, 1e4]), np.array([0.0, 0.0])), quiet=True),
]

def on_tensors(pytorch_loss: Callable, lookup: Lookup, kind: str, outputs: np.ndarray, targets: np.ndarray) -> dict:
    """Harness: `pytorch_loss(kind, outputs, targets)` on float64 tensors (class indices as int64
    for the multiclass kinds), then backward. Returns the loss and the gradient that training gets
    from it: with respect to the outputs; for log-probabilities, with respect to the scores that a
    model's LogSoftmax turned into them: `outputs`, log-probabilities already, go through log_softmax,
    which leaves their values as they are (it subtracts log 1 = 0), and the gradient is read before
    it. CrossEntropyLoss, whose own log-softmax changes nothing there, then passes as NLLLoss does:
    the two differ only in the gradient with respect to the log-probabilities themselves, by a
    direction that a LogSoftmax's backward pass sends to 0, and they train a model alike. A loss
    built from torch operations is one training can use."""
    import torch  # here, not at import: the grader reads this module without needing torch

    through_log_softmax = kind == "multiclass log-probabilities"
    leaf = torch.tensor(outputs, dtype=torch.float64, requires_grad=True)
    output_tensor = torch.log_softmax(leaf, dim=1) if through_log_softmax else leaf
    target_tensor = torch.tensor(targets, dtype=torch.int64 if kind.startswith("multiclass") else torch.float64)
    loss = pytorch_loss(kind, output_tensor, target_tensor)
    if not isinstance(loss, torch.Tensor) or loss.ndim != 0:
        raise TypeError(f"expected a loss that is a tensor holding one number, got {type(loss).__name__} "
                        f"{getattr(loss, 'shape', '')}".rstrip())
    if not loss.requires_grad:
        raise TypeError("the loss is not connected to the outputs (requires_grad is False): it must be computed "
                        "from them with torch operations, or training could not backpropagate through it")
    loss.backward()
    gradient = ("gradient with respect to the scores before the model's LogSoftmax" if through_log_softmax
                else "gradient with respect to the outputs")
    return {"loss": loss.item(), gradient: leaf.grad.numpy()}


PYTORCH_LOSS_CASES = [
    Case("binary probabilities", ("binary probabilities", np.array([0.9, 0.2, 0.6, 0.4]),
                                  np.array([1.0, 0.0, 1.0, 0.0])), harness=on_tensors),
    Case("binary logits, two of them +-40", ("binary logits", np.array([-3.0, 0.5, 40.0, -40.0]),
                                             np.array([0.0, 1.0, 0.0, 1.0])), harness=on_tensors),
    Case("multiclass log-probabilities, 3 examples x 4 classes",
         ("multiclass log-probabilities", np.log(np.array([[0.1, 0.2, 0.3, 0.4], [0.7, 0.1, 0.1, 0.1],
                                                           [0.25, 0.25, 0.25, 0.25]])), np.array([3, 1, 0])),
         harness=on_tensors),
    Case("multiclass logits, 3 examples x 4 classes", ("multiclass logits", LOGITS, np.array([0, 1, 3])),
         harness=on_tensors),
]

EXERCISES = (
    Exercise("quality_mean", "quality_mean(P, y): geometric mean of the correct-class probabilities, no underflow.",
             PROBABILITY_CASES),
    Exercise("cross_entropy", "cross_entropy(P, y): mean of -ln P[i, y_i].", PROBABILITY_CASES),
    Exercise("cross_entropy_from_logits", "cross_entropy_from_logits(Z, y): stable, equal to F.cross_entropy.",
             LOGITS_CASES),
    Exercise("binary_cross_entropy", "binary_cross_entropy(p, y): mean of -(y ln p + (1 - y) ln(1 - p)).",
             BINARY_CASES),
    Exercise("bce_with_logits", "bce_with_logits(z, y): stable for |z| up to 1e4, equal to "
             "F.binary_cross_entropy_with_logits.",
             BINARY_LOGIT_CASES),
    Exercise("pytorch_loss", "pytorch_loss(kind, outputs, targets) -> the mean loss as a torch scalar, with the "
             "PyTorch loss that fits the model's outputs: kind is \"binary probabilities\", \"binary logits\", "
             "\"multiclass log-probabilities\" or \"multiclass logits\"; targets are 0./1. for the binary "
             "kinds, class indices for the multiclass ones. Judged by the loss and the gradient training gets: "
             "with respect to the outputs, and for log-probabilities with respect to the scores before the "
             "model's LogSoftmax.",
             PYTORCH_LOSS_CASES),
)
(check_quality_mean, check_cross_entropy, check_cross_entropy_from_logits, check_binary_cross_entropy,
 check_bce_with_logits, check_pytorch_loss) = checks(LAB, EXERCISES)
