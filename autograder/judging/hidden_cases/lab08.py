"""Judges of lab 08, the training loop: fresh data, seeds and models.

The end-to-end judge has the student's functions train a network in the kernel and takes
back only what they produced (the vocabulary and the trained weights); it rebuilds the
model here and scores it on the judge set (`autograder.judging.held_out`), sentences no kernel
ever sees, so nothing in the kernel can answer for them.
"""
from __future__ import annotations

import numpy as np
import torch

from autograder.judging.held_out import judge_set
from autograder.judging.mistakes import mistakes_for
from autograder.judging.reference import reference_function
from labutils.call_outcomes import Case, Outcome, Returned
from labutils.checks.lab08 import (
    END_TO_END_SETTINGS,
    accuracy_verdict,
    diagnose_ffnn,
    diagnose_trained,
    end_to_end,
    evaluation,
    ffnn_outputs,
    one_epoch,
    scripted_fit,
    probe_data,
)
from labutils.checks.pipeline_watch import pipeline_problem
from labutils.data import split
from labutils.examine import Context, Found
from labutils.sentence_batches import Batches

LAB = "08_training_loop"
WORDS = ["good", "bad", "phone", "movie", "food", "great", "awful", "service", "not", "very", "!", "price"]


def build_vocab_cases(rng: np.random.Generator) -> list[Case]:
    texts = [" ".join(rng.choice(WORDS, size=int(rng.integers(2, 8)))) for _ in range(int(rng.integers(5, 15)))]
    texts.append(f"a rare word{int(rng.integers(1000))} here")  # seen once: below any min_freq > 1
    return [Case("hidden texts", (texts,)), Case("hidden texts, min_freq=3", (texts,), {"min_freq": 3})]


def encode_cases(rng: np.random.Generator) -> list[Case]:
    """Known and unknown words, capitals and punctuation glued to words, an empty text, and a
    vocabulary whose indices are not in its insertion order."""
    known = list(rng.choice(WORDS, size=6, replace=False))
    vocab = {"<pad>": 0, "<unk>": 1, **{word: index for index, word in enumerate(known, start=2)}}
    shuffled = dict(sorted(vocab.items(), key=lambda item: -item[1]))
    words = rng.choice(WORDS, size=8)
    return [Case("a hidden text and vocabulary", (" ".join(words).capitalize() + "!", vocab)),
            Case("a hidden text with commas and capitals", (", ".join(w.upper() for w in words[:4]) + ".", shuffled)),
            Case("an empty text", ("", vocab))]


def ffnn_cases(rng: np.random.Generator) -> list[Case]:
    vocab_size, embed_dim = int(rng.integers(10, 30)), int(rng.integers(3, 9))
    lengths = rng.integers(1, 6, size=4)
    tokens = rng.integers(1, vocab_size, size=int(lengths.sum()))
    tokens[rng.choice(len(tokens), size=2, replace=False)] = 0  # some <pad>
    offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    cases = []
    for activation, dropout in (("relu", 0.4), ("tanh", 0.0), ("tanh", 0.5)):
        hidden = [int(h) for h in rng.integers(8, 17, size=int(rng.integers(1, 3)))]  # wide enough for dropout to show
        arguments = dict(vocab_size=vocab_size, embed_dim=embed_dim, hidden_sizes=hidden,
                         n_classes=int(rng.integers(2, 5)), activation=activation, dropout=dropout)
        cases.append(Case(f"a hidden FFNN({vocab_size}, {embed_dim}, {hidden}, ..., {activation!r})",
                          (arguments, tokens, offsets, int(rng.integers(1000))), harness=ffnn_outputs))
    return cases


def same_function_as_reference(outcome: Outcome, case: Case, context: Context) -> Found:
    """Load the student's parameters, in order, into the reference FFNN: same logits in eval
    mode? And when the student's network started from the reference's own weights (the same
    layers created in the same order from the same seed), the same logits in train mode,
    where the dropout masks are drawn in the same order?"""
    found = diagnose_ffnn(outcome, case)
    if found is not None or not isinstance(outcome, Returned):
        return found
    arguments, tokens, offsets, seed = case.args
    torch.manual_seed(seed)
    reference = reference_function(LAB, "FFNN")(**arguments)
    same_start = all(np.array_equal(p.detach().numpy(), value)
                     for p, value in zip(reference.parameters(), outcome.value["parameters"]))
    with torch.no_grad():
        for parameter, value in zip(reference.parameters(), outcome.value["parameters"]):
            parameter.copy_(torch.as_tensor(value))
        reference.eval()
        expected = reference(torch.as_tensor(tokens), torch.as_tensor(offsets)).numpy()
        if not np.allclose(outcome.value["eval"], expected, rtol=1e-4, atol=1e-5):
            return ("with its own weights, the reference network computes other logits: check the mean of "
                    "embeddings, the activation and the order of the layers", mistake_computing(outcome, case))
        if not same_start or arguments["dropout"] == 0:
            return None
        reference.train()
        expected_train = [reference(torch.as_tensor(tokens), torch.as_tensor(offsets)).numpy() for _ in range(2)]
    if not all(np.allclose(a, e, rtol=1e-4, atol=1e-5) for a, e in zip(outcome.value["train"], expected_train)):
        return ("in train mode, with the same weights and the same dropout masks, the reference computes "
                "other logits: dropout belongs after the activation", "dropout before the activation")
    return None


def mistake_computing(outcome: Outcome, case: Case) -> str | None:
    """The catalogued FFNN mistake whose network, given the student's weights, computes the
    student's eval logits."""
    arguments, tokens, offsets, _ = case.args
    for mistake in mistakes_for(LAB, "FFNN"):
        network = mistake.function(LAB)(**arguments)
        shapes = [tuple(p.shape) for p in network.parameters()]
        if shapes != [np.shape(value) for value in outcome.value["parameters"]]:
            continue
        with torch.no_grad():
            for parameter, value in zip(network.parameters(), outcome.value["parameters"]):
                parameter.copy_(torch.as_tensor(value))
            network.eval()
            logits = network(torch.as_tensor(tokens), torch.as_tensor(offsets)).numpy()
        if np.allclose(outcome.value["eval"], logits, rtol=1e-4, atol=1e-5):
            return mistake.name
    return None


def _data(rng: np.random.Generator) -> dict:
    """70 training and 30 dev sentences; batch sizes that leave a smaller last batch."""
    chosen = rng.choice(len(split("sentiment")[0]), size=100, replace=False)
    batch_size = int(rng.choice([b for b in range(8, 20) if 70 % b]))
    dev_batch_size = int(rng.choice([b for b in range(4, 13) if 30 % b]))
    return probe_data(chosen[:70], chosen[70:], batch_size=batch_size, dev_batch_size=dev_batch_size)


def train_epoch_cases(rng: np.random.Generator) -> list[Case]:
    return [Case(f"one epoch on hidden data ({index})", (_data(rng), int(rng.integers(1000))), harness=one_epoch,
                 tolerance=1e-4) for index in (1, 2)]


def evaluate_cases(rng: np.random.Generator) -> list[Case]:
    return [Case(f"hidden data in several batches, dropout 0.5 in the model ({index})",
                 (_data(rng), int(rng.integers(1000))), harness=evaluation, tolerance=1e-4) for index in (1, 2)]


def scripted_accuracies(rng: np.random.Generator, moves: str) -> list[float]:
    """Dev accuracies, one per epoch, that move against the best so far as `moves` says:
    "u" a new best, "d" below the best, "t" a tie with it; by random amounts."""
    accuracies, best = [], float(rng.uniform(0.2, 0.4))
    for move in moves:
        if move == "u":
            best = round(best + float(rng.uniform(0.01, 0.05)), 4)
            accuracies.append(best)
        else:
            accuracies.append(best if move == "t" else round(best - float(rng.uniform(0.01, 0.1)), 4))
    return accuracies


def fit_cases(rng: np.random.Generator) -> list[Case]:
    """fit with its helpers scripted (`scripted_fit`), on hidden accuracy sequences: improvements
    between runs of no improvement shorter than the patience (the count must start again), a
    tie, an untrained model better than every epoch, and a run that ends at `epochs`."""
    patience = int(rng.integers(2, 4))
    wait = "d" * (patience - 1)
    reset = f"u{wait}u{wait}u{'d' * patience}uu"
    tie = f"uut{'d' * (patience - 1)}uu"
    untrained = f"uu{'d' * patience}u"
    rising = "u" * int(rng.integers(4, 7))
    cases = [(reset, len(reset), {}), (tie, len(tie), {}), (untrained, len(untrained), {"untrained_accuracy": 0.95}),
             (rising, len(rising) - 1, {})]
    return [Case(f"fit with scripted helpers, hidden dev accuracies ({len(moves)} epochs' worth), "
                 f"{epochs} epochs, patience {patience}",
                 (scripted_accuracies(rng, moves), epochs, patience), options, harness=scripted_fit)
            for moves, epochs, options in cases]


def end_to_end_cases(rng: np.random.Generator) -> list[Case]:
    settings = dict(END_TO_END_SETTINGS, seed=int(rng.integers(1000)))
    return [Case("the sentiment task, hidden seed", (settings,), harness=end_to_end)]


def reference_model(result: dict, settings: dict) -> torch.nn.Module:
    """The reference FFNN with the student's trained weights loaded, in eval mode."""
    vocab = result["vocab"]
    model = reference_function(LAB, "FFNN")(len(vocab), settings["embed_dim"], settings["hidden_sizes"], 2,
                                            activation="relu", dropout=settings["dropout"])
    with torch.no_grad():
        for parameter, value in zip(model.parameters(), result["parameters"]):
            parameter.copy_(torch.as_tensor(value))
    return model.eval()


def judge_set_accuracy(result: dict, settings: dict) -> float:
    """The trained weights, loaded into the reference FFNN, scored on the judge set, whose
    sentences are encoded here with the student's vocabulary."""
    model, vocab = reference_model(result, settings), result["vocab"]
    encode = reference_function(LAB, "encode")
    sentences = judge_set("sentiment")
    batches = Batches([encode(text, vocab) for text, _ in sentences], [label for _, label in sentences],
                      batch_size=256, shuffle=False)
    with torch.no_grad():
        right = sum(int((model(tokens, offsets).argmax(1) == labels).sum()) for tokens, offsets, labels in batches)
    return right / len(sentences)


LOGITS_TOLERANCE = 1e-4


def pipeline_part_problem(result: dict, settings: dict) -> str | None:
    """Which of the student's functions broke the pipeline, checked here against the contract's
    own where the data allows (the vocabulary of the training sentences, the dev sentences'
    token ids, the logits of the trained weights), then from what the watch in the kernel saw."""
    train, dev, _ = split("sentiment")
    vocab = result["vocab"]
    right_vocab = reference_function(LAB, "build_vocab")([text for text, _ in train])
    if vocab != right_vocab:
        other = sorted(set(vocab) ^ set(right_vocab))
        said = (f"{len(other)} words differ, e.g. {other[0]!r}" if other
                else "the same words, with other indices")
        return (f"your build_vocab gave a vocabulary of {len(vocab)} entries for the training sentences, where the "
                f"contract's gives {len(right_vocab)} ({said})")
    encode, encoded = reference_function(LAB, "encode"), result.get("dev_encoded")
    if not isinstance(encoded, list) or len(encoded) != len(dev):
        return "the dev sentences' token ids did not come back, so the pipeline cannot be judged"
    wrong = [index for index, ((text, _), ids) in enumerate(zip(dev, encoded)) if list(ids) != encode(text, vocab)]
    if wrong:
        return (f"your encode gave {len(wrong)} of the {len(dev)} dev sentences other token ids than the contract's "
                "encode does with the same vocabulary")
    batch = Batches(encoded[:256], [label for _, label in dev[:256]], batch_size=256, shuffle=False)
    tokens, offsets, _ = next(iter(batch))
    with torch.no_grad():
        right_logits = reference_model(result, settings)(tokens, offsets).numpy()
    logits = np.asarray(result.get("dev_logits"), dtype=float)
    if logits.shape != right_logits.shape or not np.allclose(logits, right_logits, rtol=LOGITS_TOLERANCE,
                                                              atol=LOGITS_TOLERANCE):
        return ("your FFNN, with its trained weights, gives other logits for the dev sentences than the contract's "
                "network with the same weights (eval mode)")
    return pipeline_problem(result.get("watched"))


def scored_on_the_judge_set(outcome: Outcome, case: Case, context: Context) -> Found:
    found = diagnose_trained(outcome, case)
    if found is not None or not isinstance(outcome, Returned):
        return found
    settings = case.args[0]
    return accuracy_verdict(judge_set_accuracy(outcome.value, settings), "sentences held out for grading",
                            pipeline_part_problem(outcome.value, settings))


HIDDEN_CASES = {
    "build_vocab": build_vocab_cases,
    "encode": encode_cases,
    "FFNN": ffnn_cases,
    "train_epoch": train_epoch_cases,
    "evaluate": evaluate_cases,
    "fit": fit_cases,
    "end_to_end": end_to_end_cases,
}
DIAGNOSES = {
    "FFNN": same_function_as_reference,
    "end_to_end": scored_on_the_judge_set,
}
