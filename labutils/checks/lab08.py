"""Checks for lab 08, the training loop: one `check_<task>` per exercise.

The loop's functions are checked on `labutils.sentence_batches.BagOfWords`, a tiny model that
records how it was called, with data hashed into token ids (no vocabulary of yours
needed); `check_end_to_end` trains your own FFNN on the sentiment task and measures its
dev accuracy. (The grader does that on sentences of its own that never reach your
notebook: the vocabulary and the trained weights are all it takes from it.)
"""
from __future__ import annotations

import zlib
from typing import Callable

import numpy as np

from labutils.call_outcomes import Case, Outcome, Returned
from labutils.checks.engine import checks
from labutils.checks.pipeline_watch import pipeline_problem
from labutils.compare import difference
from labutils.data import split
from labutils.examine import Context, Exercise, Found
from labutils.harnesses import Lookup, notebook_of
from labutils.sentence_batches import tokenize

LAB = "08_training_loop"
HASHED_VOCAB = 500


def hashed_ids(text: str) -> list[int]:
    """Token ids without a vocabulary: 2 + a hash of the token (0 and 1 stay <pad>, <unk>)."""
    return [2 + zlib.crc32(token.encode()) % (HASHED_VOCAB - 2) for token in tokenize(text)]


def probe_data(indices: np.ndarray, dev_indices: np.ndarray, batch_size: int = 16, dev_batch_size: int = 16) -> dict:
    """A small, plain-data training set for the loop's functions, from the sentiment task's
    train split: batches of `batch_size` to train, of `dev_batch_size` to evaluate."""
    train, _, _ = split("sentiment")
    return {"vocab_size": HASHED_VOCAB, "n_classes": 2, "batch_size": batch_size, "dev_batch_size": dev_batch_size,
            "train_tokens": [hashed_ids(train[i][0]) for i in indices], "train_labels": [train[i][1] for i in indices],
            "dev_tokens": [hashed_ids(train[i][0]) for i in dev_indices],
            "dev_labels": [train[i][1] for i in dev_indices]}


# -- Harnesses: how the checks and the judges run your training code --------------------------
# (module-level functions of labutils, named by their path in a case: nothing to register)

def _parameters(model) -> list:
    return [parameter.detach().cpu().numpy().copy() for parameter in model.parameters()]


def _probe_model(data: dict, seed: int, dropout: float):
    import torch

    from labutils.sentence_batches import BagOfWords, Batches
    torch.manual_seed(seed)
    model = BagOfWords(data["vocab_size"], data["n_classes"], dropout=dropout)
    train = Batches(data["train_tokens"], data["train_labels"], batch_size=data["batch_size"], seed=seed)
    dev = Batches(data["dev_tokens"], data["dev_labels"], batch_size=data["dev_batch_size"], shuffle=False)
    return model, train, dev


def ffnn_outputs(ffnn_class: Callable, lookup: Lookup, arguments: dict, tokens, offsets, seed: int) -> dict:
    """Your FFNN(**arguments), built from `seed`: its parameters (in order), its
    logits on one batch in eval mode, and twice in train mode (dropout on); whether its
    embedding bag is `model.embedding`, the name later cells load GloVe vectors through."""
    import torch
    torch.manual_seed(seed)
    model = ffnn_class(**arguments)
    tokens, offsets = torch.as_tensor(tokens), torch.as_tensor(offsets)
    model.eval()
    with torch.no_grad():
        logits = model(tokens, offsets).numpy()
        model.train()
        train_logits = [model(tokens, offsets).numpy() for _ in range(2)]
    return {"parameters": _parameters(model), "eval": logits, "train": train_logits,
            "embedding": isinstance(getattr(model, "embedding", None), torch.nn.EmbeddingBag)}


def one_epoch(train_epoch: Callable, lookup: Lookup, data: dict, seed: int) -> dict:
    """One call of your `train_epoch` on a BagOfWords with SGD, left in eval mode as an
    evaluation leaves it; what it returned, the parameters after it, and the modes of the forward passes."""
    import torch
    model, train, _ = _probe_model(data, seed, dropout=0.2)
    model.eval()  # as an evaluation leaves it: the epoch must switch training mode back on
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    loss = train_epoch(model, train, torch.nn.CrossEntropyLoss(), optimizer)
    return {"loss": float(loss), "parameters": _parameters(model),
            "training": [c[0] for c in model.calls], "grad_enabled": [c[1] for c in model.calls]}


def evaluation(evaluate: Callable, lookup: Lookup, data: dict, seed: int) -> dict:
    """Your `evaluate` called twice on a BagOfWords with dropout 0.5."""
    import torch
    model, _, dev = _probe_model(data, seed, dropout=0.5)
    loss_fn = torch.nn.CrossEntropyLoss()
    first, second = evaluate(model, dev, loss_fn), evaluate(model, dev, loss_fn)
    return {"first": {key: float(first[key]) for key in ("loss", "accuracy")},
            "second": {key: float(second[key]) for key in ("loss", "accuracy")},
            "training": any(c[0] for c in model.calls), "grad_enabled": any(c[1] for c in model.calls)}


class _ScriptBatches:
    """A stand-in for a `Batches` object in a scripted fit: only its identity matters."""

    def __init__(self, name: str):
        self.name = name

    def __iter__(self):
        return iter(())


def scripted_fit(fit: Callable, lookup: Lookup, accuracies: list[float], epochs: int, patience: int,
                 untrained_accuracy: float = 0.0) -> dict:
    """Your `fit`, judged on its own code: its `train_epoch` and `evaluate` are
    scripted for the call (and given back after it), so no other exercise can cost it points.

    The model has one weight, 0 untrained. The scripted `train_epoch` sets it to the number
    of the epoch (1, 2, ...) and records which batches it was given ("train", "dev", or "a
    copy" of either); the scripted `evaluate` reports the accuracy `accuracies[w - 1]` of the
    model whose weight is w (`untrained_accuracy` for w = 0) and a loss of 1 - accuracy. So
    the weight left in the model says which epoch's weights `fit` kept.
    """
    import torch
    model = torch.nn.Linear(1, 1, bias=False)
    with torch.no_grad():
        model.weight.zero_()
    train, dev = _ScriptBatches("train"), _ScriptBatches("dev")
    epoch_count, trained_on = [0], []

    def train_epoch(model, batches, loss_fn, optimizer):
        epoch_count[0] += 1
        trained_on.append(batches.name if batches is train or batches is dev else "a copy")
        with torch.no_grad():
            model.weight.fill_(epoch_count[0])
        return 1.0 / epoch_count[0]

    def evaluate(model, batches, loss_fn):
        epoch = int(round(model.weight.item()))
        accuracy = accuracies[epoch - 1] if 1 <= epoch <= len(accuracies) else untrained_accuracy
        return {"loss": 1.0 - accuracy, "accuracy": accuracy}

    namespace, absent = fit.__globals__, object()
    saved = {name: namespace.get(name, absent) for name in ("train_epoch", "evaluate")}
    namespace.update(train_epoch=train_epoch, evaluate=evaluate)
    try:
        history = fit(model, train, dev, torch.nn.CrossEntropyLoss(), torch.optim.SGD(model.parameters(), lr=0.0),
                      epochs, patience)
    finally:
        for name, value in saved.items():
            if value is absent:
                namespace.pop(name, None)
            else:
                namespace[name] = value
    return {"history": {key: [float(v) for v in history[key]] for key in ("train_loss", "dev_loss", "dev_accuracy")},
            "kept": int(round(model.weight.item())), "trained_on": trained_on}


def end_to_end(fit: Callable, lookup: Lookup, settings: dict) -> dict:
    """Train your FFNN on the sentiment task with your build_vocab,
    encode and fit, under the judge's settings (train split to learn, dev split to stop).

    The training runs under a `PipelineWatch` (labutils/checks/pipeline_watch.py) on your
    train_epoch and evaluate. Returns what the student's code produced: the vocabulary, the
    trained parameters (in order), the dev sentences as encoded, the trained model's eval-time
    logits for the first 256 of them, what the watch saw, and the seconds it took. It scores
    nothing the grade rests on: the grader rebuilds the model in its own process and scores it
    on sentences no kernel ever sees.
    """
    import time

    import torch

    from labutils.checks.pipeline_watch import PipelineWatch
    from labutils.sentence_batches import Batches
    started = time.monotonic()
    train, dev, _ = split("sentiment")
    vocab = lookup("build_vocab")([text for text, _ in train])
    encode = lookup("encode")
    torch.manual_seed(settings["seed"])
    model = lookup("FFNN")(len(vocab), settings["embed_dim"], settings["hidden_sizes"], 2,
                           activation="relu", dropout=settings["dropout"])
    optimizer = torch.optim.Adam(model.parameters(), lr=settings["lr"])
    train_batches = Batches([encode(t, vocab) for t, _ in train], [y for _, y in train],
                            batch_size=32, seed=settings["seed"])
    dev_encoded = [[int(i) for i in encode(t, vocab)] for t, _ in dev]
    dev_batches = Batches(dev_encoded, [y for _, y in dev], batch_size=256, shuffle=False)
    watch = PipelineWatch(model, optimizer, train_batches, dev_batches)
    namespace, absent = notebook_of(fit), object()
    saved = {name: namespace.get(name, absent) for name in ("train_epoch", "evaluate")}
    namespace.update({name: watch.watching(name, value) for name, value in saved.items() if value is not absent})
    try:
        fit(model, train_batches, dev_batches, torch.nn.CrossEntropyLoss(), optimizer, settings["epochs"],
            settings["patience"])
    finally:
        for name, value in saved.items():
            if value is not absent:
                namespace[name] = value
    model.eval()
    with torch.no_grad():
        tokens, offsets, _ = next(iter(dev_batches))
        logits = model(tokens, offsets).numpy()
    return {"vocab": dict(vocab), "parameters": _parameters(model), "dev_encoded": dev_encoded,
            "dev_logits": logits, "watched": watch.summary(watch.counted_accuracy(), settings),
            "seconds": time.monotonic() - started}


# -- Public cases --------------------------------------------------------------------------

TEXTS = ["Great phone!", "Bad phone.", "great GREAT value", "Not bad at all", "bad, bad, bad service"]
BUILD_VOCAB_CASES = [Case("five short reviews", (TEXTS,)), Case("five short reviews, min_freq=2", (TEXTS,), {"min_freq": 2})]
VOCAB = {"<pad>": 0, "<unk>": 1, "great": 2, "phone": 3, "bad": 4, "value": 5}
ENCODE_CASES = [Case("known words", ("Great value", VOCAB)),
                Case("unknown words", ("a great, awful phone!", VOCAB)),
                Case("an empty text", ("", VOCAB))]

_TOKENS = np.array([5, 6, 7, 0, 0, 8, 9, 10, 11, 0])
_OFFSETS = np.array([0, 5, 6])  # three sentences; the first padded with two <pad>
FFNN_CASES = [
    Case("FFNN(12, 6, [5], 3, dropout=0.5) on three sentences",
         (dict(vocab_size=12, embed_dim=6, hidden_sizes=[5], n_classes=3, activation="relu", dropout=0.5),
          _TOKENS, _OFFSETS, 0), harness=ffnn_outputs, tolerance=1e-5),
    Case("FFNN(12, 4, [6, 3], 2, 'tanh') on three sentences",
         (dict(vocab_size=12, embed_dim=4, hidden_sizes=[6, 3], n_classes=2, activation="tanh", dropout=0.0),
          _TOKENS, _OFFSETS, 1), harness=ffnn_outputs, tolerance=1e-5),
    Case("FFNN(12, 5, [8], 2, 'tanh', dropout=0.5) on three sentences",
         (dict(vocab_size=12, embed_dim=5, hidden_sizes=[8], n_classes=2, activation="tanh", dropout=0.5),
          _TOKENS, _OFFSETS, 2), harness=ffnn_outputs, tolerance=1e-5),
]

_DATA = probe_data(np.arange(0, 60), np.arange(60, 100))
TRAIN_EPOCH_CASES = [Case("one epoch of 60 sentences, batches of 16", (_DATA, 0), harness=one_epoch, tolerance=1e-4)]
EVALUATE_CASES = [Case("40 sentences in batches of 16, 16 and 8, dropout 0.5 in the model", (_DATA, 0),
                       harness=evaluation, tolerance=1e-4)]
# fit, with train_epoch and evaluate scripted (`scripted_fit`): each case, the dev accuracy of
# every epoch's model.
FIT_CASES = [
    Case("dev accuracy 0.5, 0.4, 0.6, 0.55, 0.58, 0.7 by epoch; 6 epochs, patience 2",
         ([0.5, 0.4, 0.6, 0.55, 0.58, 0.7], 6, 2), harness=scripted_fit),
    Case("dev accuracy 0.5, 0.6, 0.6, 0.55, 0.5, 0.7 (a tie at epoch 3); 6 epochs, patience 2",
         ([0.5, 0.6, 0.6, 0.55, 0.5, 0.7], 6, 2), harness=scripted_fit),
    Case("the untrained model scores 0.9, epochs 0.6, 0.7, 0.65, 0.62, 0.8; 5 epochs, patience 2",
         ([0.6, 0.7, 0.65, 0.62, 0.8], 5, 2), {"untrained_accuracy": 0.9}, harness=scripted_fit),
    Case("dev accuracy rising 0.5, 0.6, 0.7, 0.8, 0.9; 4 epochs, patience 2",
         ([0.5, 0.6, 0.7, 0.8, 0.9], 4, 2), harness=scripted_fit),
]

# The end-to-end check: your functions, trained with these settings, on the sentiment task.
END_TO_END_SETTINGS = dict(seed=0, embed_dim=64, hidden_sizes=[64], dropout=0.3, lr=3e-3, epochs=10, patience=3)
END_TO_END_THRESHOLD = 0.62   # reference over 20 seeds: 0.69-0.82 on the judge set, mean 0.76 (sd 0.04); broken loops 0.52
# (benchmarks/end_to_end_threshold.py)
END_TO_END_SECONDS = 120
END_TO_END_CASES = [Case("the sentiment task, the judge's settings", (END_TO_END_SETTINGS,), harness=end_to_end)]


def expected_parameter_shapes(arguments: dict) -> list[tuple[int, ...]]:
    shapes, width = [(arguments["vocab_size"], arguments["embed_dim"])], arguments["embed_dim"]
    for size in arguments["hidden_sizes"]:
        shapes += [(size, width), (size,)]
        width = size
    return shapes + [(arguments["n_classes"], width), (arguments["n_classes"],)]


def diagnose_ffnn(outcome: Outcome, case: Case, context: Context | None = None) -> Found:
    """The FFNN's structure: its parameters, the shape of its logits, <pad> and dropout."""
    if not isinstance(outcome, Returned):
        return None
    arguments, _, offsets, _ = case.args
    result = outcome.value
    shapes = [tuple(p.shape) for p in result["parameters"]]
    expected = expected_parameter_shapes(arguments)
    if shapes != expected:
        return (f"its parameters have shapes {shapes}; expected {expected} (embedding, then each linear "
                "layer's weight and bias, created in that order)", None)
    if not result.get("embedding"):
        return ("its embedding bag is not `self.embedding`: section 6 loads GloVe vectors into "
                "`model.embedding`, which your network would never use"), "embedding bag under another name"
    if result["eval"].shape != (len(offsets), arguments["n_classes"]):
        return f"logits of shape {result['eval'].shape}, expected {(len(offsets), arguments['n_classes'])}", None
    if np.any(result["parameters"][0][0] != 0):
        return "the embedding of <pad> (row 0) is not zero: padding would count in the mean", \
            "padding index counted in the mean"
    first, second = result["train"]
    if arguments["dropout"] > 0 and np.array_equal(first, second):
        return "in train mode, two calls give the same logits: no dropout is applied", "dropout missing"
    if arguments["dropout"] == 0 and not np.allclose(first, result["eval"]):
        return "with dropout=0, train and eval modes should give the same logits", None
    return None


def diagnose_trained(outcome: Outcome, case: Case, context: Context | None = None) -> Found:
    """What the end-to-end harness brought back, by its form: a vocabulary with <pad> 0 and
    <unk> 1, parameters of the shapes an FFNN of the case's settings has, in time."""
    if not isinstance(outcome, Returned):
        return None
    settings, result = case.args[0], outcome.value
    vocab = result.get("vocab") if isinstance(result, dict) else None
    if not isinstance(vocab, dict) or vocab.get("<pad>") != 0 or vocab.get("<unk>") != 1:
        return "the vocabulary should map <pad> to 0 and <unk> to 1", None
    if not all(isinstance(index, (int, np.integer)) and 0 <= index < len(vocab) for index in vocab.values()):
        return f"the vocabulary's indices should run from 0 to {len(vocab) - 1}", None
    arguments = dict(vocab_size=len(vocab), embed_dim=settings["embed_dim"],
                     hidden_sizes=settings["hidden_sizes"], n_classes=2)
    shapes = [tuple(np.shape(p)) for p in result.get("parameters", [])]
    if shapes != expected_parameter_shapes(arguments):
        return (f"the trained model's parameters have shapes {shapes}; expected "
                f"{expected_parameter_shapes(arguments)}"), None
    if result["seconds"] > END_TO_END_SECONDS:
        return f"training took {result['seconds']:.0f} s, more than {END_TO_END_SECONDS} s", None
    return None


def accuracy_verdict(accuracy: float, where: str, part: str | None = None) -> Found:
    """The end-to-end verdict: the accuracy the trained network reached on `where`, and `part`,
    what was found wrong in one of the pipeline's functions (`pipeline_problem`), if anything.
    Either fails the exercise: it is the one about your functions working together."""
    if accuracy < END_TO_END_THRESHOLD:
        said = f"accuracy {accuracy:.3f} on {where}, below {END_TO_END_THRESHOLD}"
        if part:
            return f"{said}. The cause found: {part}", None
        return f"{said}: the network did not learn enough (is every batch used, the gradient zeroed, the step taken?)", \
            None
    if part:
        return (f"{part}. The network still reached {accuracy:.3f} on {where}, but this exercise is your functions "
                "working together as their contracts say"), None
    return None


def dev_accuracy(result: dict, settings: dict, FFNN: Callable, encode: Callable) -> float:  # noqa: N803
    """The dev accuracy of the trained parameters, loaded into your own FFNN."""
    import torch

    from labutils.sentence_batches import Batches
    vocab = result["vocab"]
    model = FFNN(len(vocab), settings["embed_dim"], settings["hidden_sizes"], 2, activation="relu",
                 dropout=settings["dropout"])
    with torch.no_grad():
        for parameter, value in zip(model.parameters(), result["parameters"]):
            parameter.copy_(torch.as_tensor(value))
    model.eval()
    _, dev, _ = split("sentiment")
    batches = Batches([encode(text, vocab) for text, _ in dev], [label for _, label in dev], batch_size=256,
                      shuffle=False)
    with torch.no_grad():
        right = sum(int((model(tokens, offsets).argmax(1) == labels).sum()) for tokens, offsets, labels in batches)
    return right / len(dev)


def same_starting_weights(actual: Outcome, expected: Outcome, case: Case) -> str | None:
    """An FFNN that created the reference's layers in the reference's order from the same seed
    starts from the same weights: then its logits must be the reference's, in eval and in train
    mode (the same dropout masks). One created otherwise is judged by its structure alone."""
    if not isinstance(actual, Returned) or not isinstance(expected, Returned):
        return None
    same = difference(actual.value["parameters"], expected.value["parameters"], tolerance=case.tolerance) is None
    return "with the reference's starting weights, other logits" if same else None


def diagnose_trained_on_dev(outcome: Outcome, case: Case, context: Context) -> Found:
    """The form of what training brought back (`diagnose_trained`), then what the watch saw go
    wrong in your functions, and the accuracy on the dev split of the trained weights, loaded
    into your own FFNN and encoded with your encode (the subject's functions)."""
    found = diagnose_trained(outcome, case)
    if found is not None or not isinstance(outcome, Returned):
        return found
    functions = context.subject.functions
    return accuracy_verdict(dev_accuracy(outcome.value, case.args[0], functions["FFNN"], functions["encode"]),
                            "the dev sentences", pipeline_problem(outcome.value.get("watched")))


EXERCISES = (
    Exercise("build_vocab", "build_vocab(texts, min_freq=1): <pad> 0, <unk> 1, then by decreasing frequency, "
             "ties alphabetical.", BUILD_VOCAB_CASES),
    Exercise("encode", "encode(text, vocab): token indices, <unk> for unknown tokens.", ENCODE_CASES),
    Exercise("FFNN", "FFNN(vocab_size, embed_dim, hidden_sizes, n_classes, activation, dropout), its embedding "
             "bag kept as self.embedding.", FFNN_CASES,
             diagnose=diagnose_ffnn, recorded=True, compared_on=same_starting_weights),
    Exercise("train_epoch", "train_epoch(model, batches, loss_fn, optimizer) -> mean loss per example.",
             TRAIN_EPOCH_CASES),
    Exercise("evaluate", 'evaluate(model, batches, loss_fn) -> {"loss", "accuracy"}, in eval mode, without '
             "gradients.", EVALUATE_CASES),
    Exercise("fit", "fit(model, train_batches, dev_batches, loss_fn, optimizer, epochs, patience) -> history: "
             "each epoch, your train_epoch on train_batches, then your evaluate on dev_batches; stops when the dev "
             "accuracy has not improved for `patience` epochs in a row (a tie is no improvement); restores the "
             "best epoch's weights (the first epoch always counts as an improvement).", FIT_CASES),
    Exercise("end_to_end", "fit(model, train_batches, dev_batches, loss_fn, optimizer, epochs, patience), your "
             "whole pipeline: your build_vocab and encode turn the sentiment task's sentences into token ids, your "
             "FFNN learns from them through your fit, train_epoch and evaluate, and reaches the accuracy "
             "threshold; each of these functions does what its contract says along the way (a mistake in any that "
             "changes what is learned fails this exercise too, naming that function).", END_TO_END_CASES, function="fit", others=("build_vocab", "encode", "FFNN"),
             helpers=("build_vocab", "encode", "FFNN", "train_epoch", "evaluate"), integration=True,
             diagnose=diagnose_trained_on_dev),
)
(check_build_vocab, check_encode, check_FFNN, check_train_epoch, check_evaluate, check_fit,
 check_end_to_end) = checks(LAB, EXERCISES)
