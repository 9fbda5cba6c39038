"""Ways to exercise a student's function beyond one call, shared by checks and judges.

A `Case` may name a harness; then, instead of `fn(*args)`, the call is
`harness(fn, lookup, *args)`, where `lookup(name)` finds another of the student's
functions (a backward pass needs the student's own forward pass and its cache).
Harnesses only call the student's functions; they compute nothing themselves.
"""
from __future__ import annotations

import copy
from typing import Any, Callable

import numpy as np

Lookup = Callable[[str], Callable]


def round_trip(forward_name: str) -> Callable:
    """Harness for a backward pass: run the student's forward, then `fn(dout, cache)`.

    Returns (forward output, backward output), so both can be compared.
    """
    def harness(backward: Callable, lookup: Lookup, inputs: tuple, dout: Any) -> tuple:
        try:
            out, cache = lookup(forward_name)(*inputs)
        except NotImplementedError as missing_forward:
            # If the backward pass is still a stub too, let its own message name its task.
            try:
                backward(dout, None)
            except NotImplementedError:
                raise
            except Exception:  # noqa: BLE001 - a real backward cannot run on a None cache; expected
                pass
            raise missing_forward
        return out, backward(dout, cache)
    harness.__name__ = f"round_trip({forward_name})"
    return harness


def _generators(args: tuple, kwargs: dict) -> list:
    return [value for value in (*args, *kwargs.values()) if isinstance(value, np.random.Generator)]


def seeded(keep: Callable[[Any], Any]) -> Callable:
    """Harness for a function that takes a random generator: is its result a function of it?

    Calls `fn` three times: with the arguments given ("first"); with copies of them as they
    were, whose generators restart from the same seeds ("same_seed"); and once more with the
    generators as the first call left them, as the next epoch would ("next"). Returns
    `keep(result)` of each call, the generators among the arguments as the first call left
    them ("generators"), and the state of NumPy's global generator before and after the
    first call ("global_before", "global_after"). Compares nothing: the check and the judge do.
    """
    def harness(fn: Callable, lookup: Lookup, *args: Any, **kwargs: Any) -> dict:
        pristine_args, pristine_kwargs = copy.deepcopy((args, kwargs))
        global_before = np.random.get_state(legacy=False)
        first = keep(fn(*args, **kwargs))
        global_after = np.random.get_state(legacy=False)
        generators = copy.deepcopy(_generators(args, kwargs))
        same_seed = keep(fn(*pristine_args, **pristine_kwargs))
        following = keep(fn(*args, **kwargs))
        return {"first": first, "same_seed": same_seed, "next": following, "generators": generators,
                "global_before": global_before, "global_after": global_after}
    return harness


def first_output(fn: Callable, lookup: Lookup, *args: Any) -> Any:
    """The first item of what `fn` returns: the output of a forward pass, not its cache."""
    return fn(*args)[0]


def _parameters(model) -> list:
    return [parameter.detach().cpu().numpy().copy() for parameter in model.parameters()]


def _probe_model(data: dict, seed: int, dropout: float):
    import torch

    from labutils.text import Batches, BagOfWords
    torch.manual_seed(seed)
    model = BagOfWords(data["vocab_size"], data["n_classes"], dropout=dropout)
    train = Batches(data["train_tokens"], data["train_labels"], batch_size=data["batch_size"], seed=seed)
    dev = Batches(data["dev_tokens"], data["dev_labels"], batch_size=data["dev_batch_size"], shuffle=False)
    return model, train, dev


def ffnn_outputs(ffnn_class: Callable, lookup: Lookup, arguments: dict, tokens, offsets, seed: int) -> dict:
    """Build the student's FFNN(**arguments) from `seed`; its parameters (in order), its
    logits on one batch in eval mode, and twice in train mode (dropout on)."""
    import torch
    torch.manual_seed(seed)
    model = ffnn_class(**arguments)
    tokens, offsets = torch.as_tensor(tokens), torch.as_tensor(offsets)
    model.eval()
    with torch.no_grad():
        logits = model(tokens, offsets).numpy()
        model.train()
        train_logits = [model(tokens, offsets).numpy() for _ in range(2)]
    return {"parameters": _parameters(model), "eval": logits, "train": train_logits}


def one_epoch(train_epoch: Callable, lookup: Lookup, data: dict, seed: int) -> dict:
    """One call of the student's `train_epoch` on a BagOfWords with SGD; what it returned,
    the parameters after it, and the modes of the forward passes."""
    import torch
    model, train, _ = _probe_model(data, seed, dropout=0.2)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    loss = train_epoch(model, train, torch.nn.CrossEntropyLoss(), optimizer)
    return {"loss": float(loss), "parameters": _parameters(model),
            "training": [c[0] for c in model.calls], "grad_enabled": [c[1] for c in model.calls]}


def evaluation(evaluate: Callable, lookup: Lookup, data: dict, seed: int) -> dict:
    """The student's `evaluate` called twice on a BagOfWords with dropout 0.5."""
    import torch
    model, _, dev = _probe_model(data, seed, dropout=0.5)
    loss_fn = torch.nn.CrossEntropyLoss()
    first, second = evaluate(model, dev, loss_fn), evaluate(model, dev, loss_fn)
    return {"first": {key: float(first[key]) for key in ("loss", "accuracy")},
            "second": {key: float(second[key]) for key in ("loss", "accuracy")},
            "training": any(c[0] for c in model.calls), "grad_enabled": any(c[1] for c in model.calls)}


def fitting(fit: Callable, lookup: Lookup, data: dict, seed: int, epochs: int, patience: int) -> dict:
    """The student's `fit` on a BagOfWords with Adam: its history, the predictions of the
    model it leaves behind on the dev batches, and the first batch seen in each epoch."""
    import torch
    model, train, dev = _probe_model(data, seed, dropout=0.2)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
    history = fit(model, train, dev, torch.nn.CrossEntropyLoss(), optimizer, epochs, patience)
    seen = [fingerprint for training, _, fingerprint in model.calls if training]
    model.calls.clear()
    model.eval()
    with torch.no_grad():
        predictions = [int(p) for tokens, offsets, _ in dev for p in model(tokens, offsets).argmax(1)]
    return {"history": {key: [float(v) for v in history[key]] for key in ("train_loss", "dev_loss", "dev_accuracy")},
            "predictions": predictions, "batches_seen": seen}


def end_to_end(fit: Callable, lookup: Lookup, settings: dict) -> dict:
    """Train the student's FFNN on the sentiment task with the student's build_vocab,
    encode and fit, under the judge's settings (train split to learn, dev split to stop).

    Returns only what the student's code produced: the vocabulary, the trained parameters
    (in order) and the seconds it took. It predicts and scores nothing: the grader rebuilds
    the model in its own process and scores it on sentences no kernel ever sees.
    """
    import time

    import torch

    from labutils.data import split
    from labutils.text import Batches
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
    dev_batches = Batches([encode(t, vocab) for t, _ in dev], [y for _, y in dev], batch_size=256, shuffle=False)
    fit(model, train_batches, dev_batches, torch.nn.CrossEntropyLoss(), optimizer, settings["epochs"],
        settings["patience"])
    return {"vocab": dict(vocab), "parameters": _parameters(model), "seconds": time.monotonic() - started}


HARNESSES: dict[str, Callable] = {
    "round_trip(linear_forward)": round_trip("linear_forward"),
    "round_trip(relu_forward)": round_trip("relu_forward"),
    "round_trip(dropout_forward)": round_trip("dropout_forward"),
    "seeded": seeded(lambda result: result),
    "seeded_outputs": seeded(lambda result: result[0]),
    "first_output": first_output,
    "ffnn_outputs": ffnn_outputs,
    "one_epoch": one_epoch,
    "evaluation": evaluation,
    "fitting": fitting,
    "end_to_end": end_to_end,
}
