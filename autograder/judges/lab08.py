"""Judges of lab 08, the training loop: fresh data, seeds and models; the end-to-end judge
trains the student's own functions and computes the dev accuracy itself."""
from __future__ import annotations

import numpy as np
import torch

from autograder.judging import Judge
from autograder.reference import reference_function
from labutils.checks.lab08 import (END_TO_END_SETTINGS, diagnose_end_to_end, diagnose_ffnn, probe_data)
from labutils.outcomes import Case, Outcome, Returned

LAB = "08_training_loop"
WORDS = ["good", "bad", "phone", "movie", "food", "great", "awful", "service", "not", "very", "!", "price"]


def build_vocab_cases(rng: np.random.Generator) -> list[Case]:
    texts = [" ".join(rng.choice(WORDS, size=int(rng.integers(2, 8)))) for _ in range(int(rng.integers(5, 15)))]
    texts.append(f"a rare word{int(rng.integers(1000))} here")  # seen once: below any min_freq > 1
    return [Case("hidden texts", (texts,)), Case("hidden texts, min_freq=3", (texts,), {"min_freq": 3})]


def encode_cases(rng: np.random.Generator) -> list[Case]:
    known = list(rng.choice(WORDS, size=6, replace=False))
    vocab = {"<pad>": 0, "<unk>": 1, **{word: index for index, word in enumerate(known, start=2)}}
    text = " ".join(rng.choice(WORDS, size=8)).capitalize() + "!"
    return [Case("a hidden text and vocabulary", (text, vocab))]


def ffnn_cases(rng: np.random.Generator) -> list[Case]:
    vocab_size, embed_dim = int(rng.integers(10, 30)), int(rng.integers(3, 9))
    lengths = rng.integers(1, 6, size=4)
    tokens = rng.integers(1, vocab_size, size=int(lengths.sum()))
    tokens[rng.choice(len(tokens), size=2, replace=False)] = 0  # some <pad>
    offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    cases = []
    for activation, dropout in (("relu", 0.4), ("tanh", 0.0)):
        hidden = [int(h) for h in rng.integers(8, 17, size=int(rng.integers(1, 3)))]  # wide enough for dropout to show
        arguments = dict(vocab_size=vocab_size, embed_dim=embed_dim, hidden_sizes=hidden,
                         n_classes=int(rng.integers(2, 5)), activation=activation, dropout=dropout)
        cases.append(Case(f"a hidden FFNN({vocab_size}, {embed_dim}, {hidden}, ..., {activation!r})",
                          (arguments, tokens, offsets, int(rng.integers(1000))), harness="ffnn_outputs"))
    return cases


def same_function_as_reference(outcome: Outcome, case: Case) -> tuple[str, str | None] | None:
    """Load the student's parameters, in order, into the reference FFNN: same logits?"""
    found = diagnose_ffnn(outcome, case)
    if found is not None or not isinstance(outcome, Returned):
        return found
    arguments, tokens, offsets, _ = case.args
    reference = reference_function(LAB, "FFNN")(**arguments)
    with torch.no_grad():
        for parameter, value in zip(reference.parameters(), outcome.value["parameters"]):
            parameter.copy_(torch.as_tensor(value))
        reference.eval()
        expected = reference(torch.as_tensor(tokens), torch.as_tensor(offsets)).numpy()
    if not np.allclose(outcome.value["eval"], expected, rtol=1e-4, atol=1e-5):
        return ("with its own weights, the reference network computes other logits: check the mean of "
                "embeddings, the activation and the order of the layers", None)
    return None


def _data(rng: np.random.Generator) -> dict:
    chosen = rng.choice(2392, size=100, replace=False)
    return probe_data(chosen[:70], chosen[70:], batch_size=int(rng.integers(8, 20)))


def train_epoch_cases(rng: np.random.Generator) -> list[Case]:
    return [Case("one epoch on hidden data", (_data(rng), int(rng.integers(1000))), harness="one_epoch",
                 tolerance=1e-4)]


def evaluate_cases(rng: np.random.Generator) -> list[Case]:
    return [Case("hidden data, dropout 0.5 in the model", (_data(rng), int(rng.integers(1000))),
                 harness="evaluation", tolerance=1e-4)]


def fit_cases(rng: np.random.Generator) -> list[Case]:
    """Long enough to overfit, so that the best dev epoch is rarely the last one."""
    return [Case(f"fit on hidden data, {epochs} epochs, patience {patience}",
                 (_data(rng), int(rng.integers(1000)), epochs, patience), harness="fitting", tolerance=1e-4)
            for epochs, patience in ((10, 2), (12, 12), (12, 12))]


def end_to_end_cases(rng: np.random.Generator) -> list[Case]:
    settings = dict(END_TO_END_SETTINGS, seed=int(rng.integers(1000)))
    return [Case("the sentiment task, hidden seed", (settings,), harness="end_to_end")]


JUDGES = {
    "test_build_vocab": Judge("build_vocab", build_vocab_cases),
    "test_encode": Judge("encode", encode_cases),
    "test_FFNN": Judge("FFNN", ffnn_cases, diagnose=same_function_as_reference),
    "test_train_epoch": Judge("train_epoch", train_epoch_cases),
    "test_evaluate": Judge("evaluate", evaluate_cases),
    "test_fit": Judge("fit", fit_cases),
    "test_end_to_end": Judge("end_to_end", end_to_end_cases, diagnose=diagnose_end_to_end, function="fit"),
}
