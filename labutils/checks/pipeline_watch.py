"""Lab 08's end-to-end exercise, watched: which of your functions broke the pipeline.

The end-to-end exercise is the one about your functions working together: your fit trains
your FFNN with your train_epoch and evaluate, on sentences your build_vocab and encode turned
into token ids. A mistake in any of them that changes what the pipeline learns fails it, and
the message names the function. The grader checks the vocabulary, the encodings and the
network's logits against the contract's own, outside your notebook; what happens during the
training it can only see from inside, so the `end_to_end` harness runs it under a
`PipelineWatch`:

- your fit gives train_epoch the training batches themselves (not the dev ones, not a copy);
- your FFNN drops units in training mode (two passes on the same batch differ);
- each forward pass during your train_epoch is in training mode, with gradients;
- each backward pass starts from cleared gradients, and each optimizer step follows one;
- each epoch of train_epoch changes the weights;
- each forward pass during your evaluate is in eval mode, and the dev accuracy it reports is
  the one the watch counts itself, batch by batch;
- fit stops when early stopping says, given the dev accuracies counted, and its model's dev
  accuracy is then the best any epoch reached (fit restores it).

Only what changes what is learned counts here (an evaluate with gradients on, or a loss
reported as a sum, learns the same network: their own exercises take their points). The
watch's findings only ever fail the exercise (`pipeline_problem`); a pass also needs the
accuracy on sentences held out for grading, measured outside the kernel.
"""
from __future__ import annotations

from typing import Any, Callable

ACCURACY_TOLERANCE = 1e-6


class PipelineWatch:
    """Hooks on one model, one optimizer and the dev batches, for the length of one fit."""

    def __init__(self, model: Any, optimizer: Any, train_batches: Any, dev_batches: Any):
        import torch
        self.model, self.train, self.dev = model, train_batches, dev_batches
        self.trained_on: list[str] = []  # per train_epoch call: "train", "dev" or "another" set of batches
        self.phase = "fit"  # "train_epoch" or "evaluate" while one of them runs
        self.modes: dict[str, set] = {"train_epoch": set(), "evaluate": set()}
        self.unchanged_epochs: list[int] = []
        self.stale_backward = self.backward = self.steps_without_backward = 0
        self.backward_since_step = 0
        self.evaluations: list[tuple[int, float, float]] = []  # (epochs trained, accuracy reported, counted)
        self.epochs = 0
        model.register_forward_pre_hook(self._forward)
        last = list(model.parameters())[-1]  # the output bias: every backward pass reaches it
        last.register_hook(lambda grad: self._backward(last))
        optimizer.register_step_pre_hook(lambda *args: self._step())
        self._torch = torch

    def _forward(self, module: Any, inputs: Any) -> None:
        if self.phase in self.modes:
            self.modes[self.phase].add((bool(module.training), bool(self._torch.is_grad_enabled())))

    def _backward(self, parameter: Any) -> None:
        self.backward += 1
        self.backward_since_step += 1
        if parameter.grad is not None and bool(parameter.grad.any()):
            self.stale_backward += 1

    def _step(self) -> None:
        if self.phase == "train_epoch" and self.backward_since_step == 0:
            self.steps_without_backward += 1
        self.backward_since_step = 0

    def counted_accuracy(self) -> float:
        """The dev accuracy of the model as it stands, counted here: eval mode, no gradients,
        every batch; the model's mode is given back afterwards."""
        was_training, phase = self.model.training, self.phase
        self.phase = "counting"
        self.model.eval()
        right = total = 0
        with self._torch.no_grad():
            for tokens, offsets, labels in self.dev:
                right += int((self.model(tokens, offsets).argmax(1) == labels).sum())
                total += len(labels)
        self.model.train(was_training)
        self.phase = phase
        return right / total

    def watching(self, name: str, function: Callable) -> Callable:
        """`function` (your train_epoch or evaluate), called under the watch."""
        def watched(*args: Any, **kwargs: Any) -> Any:
            before = [p.detach().clone() for p in self.model.parameters()]
            self.phase = name
            try:
                result = function(*args, **kwargs)
            finally:
                self.phase = "fit"
            if name == "train_epoch":
                self.epochs += 1
                batches = args[1] if len(args) > 1 else kwargs.get("batches")
                self.trained_on.append("train" if batches is self.train else "dev" if batches is self.dev
                                       else "another")
                if all(self._torch.equal(a, p.detach()) for a, p in zip(before, self.model.parameters())):
                    self.unchanged_epochs.append(self.epochs)
            elif isinstance(result, dict) and "accuracy" in result:
                self.evaluations.append((self.epochs, float(result["accuracy"]), self.counted_accuracy()))
            return result
        return watched

    def dropout_in_training(self) -> bool:
        """Whether two training-mode forward passes on the same dev batch differ (dropout on)."""
        was_training, phase = self.model.training, self.phase
        self.phase = "counting"
        self.model.train()
        tokens, offsets, _ = next(iter(self.dev))
        with self._torch.no_grad():
            differ = not self._torch.equal(self.model(tokens, offsets), self.model(tokens, offsets))
        self.model.train(was_training)
        self.phase = phase
        return differ

    def summary(self, final_accuracy: float, settings: dict) -> dict:
        dropout = settings["dropout"]
        return {"trained_on": self.trained_on, "epochs_allowed": settings["epochs"], "patience": settings["patience"],
                "dropout_missing": dropout > 0 and not self.dropout_in_training(),"train_modes": sorted(self.modes["train_epoch"]), "eval_modes": sorted(self.modes["evaluate"]),
                "backward": self.backward, "stale_backward": self.stale_backward,
                "steps_without_backward": self.steps_without_backward, "epochs": self.epochs,
                "unchanged_epochs": self.unchanged_epochs, "evaluations": self.evaluations,
                "final_accuracy": final_accuracy}


def pipeline_problem(watched: Any) -> str | None:
    """What the watch saw go wrong, naming your function at fault; None when nothing did."""
    if not isinstance(watched, dict):
        return "no record of how the pipeline trained came back, so it cannot be judged"
    if "dev" in watched["trained_on"]:
        return ("your fit gave the dev batches to train_epoch: the model learned the sentences that decide when to "
                "stop and which weights to keep; it trains on train_batches only")
    if "another" in watched["trained_on"]:
        return ("your fit gave train_epoch other batches than train_batches itself: the batches object draws a new "
                "order each time it is iterated, and a copy made once replays one order every epoch")
    if watched["dropout_missing"]:
        return ("your FFNN gave the same logits twice in training mode with dropout asked: its hidden layers "
                "drop no unit while it learns")
    if any(not training for training, _ in watched["train_modes"]):
        return ("your train_epoch ran the model in eval mode (dropout off) once an evaluation had left it there: "
                "train_epoch is where the model goes back into training mode")
    if watched["stale_backward"]:
        return (f"your train_epoch added {watched['stale_backward']} of its {watched['backward']} batches' gradients "
                "to those of earlier batches: each step must follow from its own batch's gradient alone")
    if watched["steps_without_backward"]:
        steps = watched["steps_without_backward"]
        return (f"your train_epoch took {'an optimizer step' if steps == 1 else f'{steps} optimizer steps'} with no "
                "backward pass since the step before: a step uses the gradient of the batch just seen")
    if watched["unchanged_epochs"]:
        return (f"your train_epoch left every weight unchanged in epoch {watched['unchanged_epochs'][0]}: "
                "no optimizer step was taken")
    if any(training for training, _ in watched["eval_modes"]):
        return "your evaluate ran the model in training mode: dropout was on while it measured"
    for epoch, reported, counted in watched["evaluations"]:
        if abs(reported - counted) > ACCURACY_TOLERANCE:
            when = f"after epoch {epoch}" if epoch else "before any training"
            return (f"{when}, your evaluate reported a dev accuracy of {reported:.4f}, but the model classified "
                    f"{counted:.4f} of the dev sentences right: every sentence of every batch counts once")
    by_epoch = {epoch: counted for epoch, _, counted in watched["evaluations"] if epoch >= 1}
    counted = [by_epoch[epoch] for epoch in sorted(by_epoch)]
    due = epochs_due(counted, watched["epochs_allowed"], watched["patience"])
    if watched["epochs"] != due:
        return (f"your fit ran {watched['epochs']} epochs; with the dev accuracies its epochs reached and patience "
                f"{watched['patience']}, early stopping ends the training after epoch {due} (a tie is no "
                "improvement; the count of epochs without one starts again at each improvement)")
    if counted and watched["final_accuracy"] < max(counted) - ACCURACY_TOLERANCE:
        best = counted.index(max(counted)) + 1
        return (f"your fit ended with a model of dev accuracy {watched['final_accuracy']:.4f}, but epoch {best}'s "
                f"reached {max(counted):.4f}: fit restores the weights of the best epoch")
    return None


def epochs_due(accuracies: list[float], epochs: int, patience: int) -> int:
    """How many epochs early stopping runs, given each epoch's dev accuracy as far as they go:
    it stops once `patience` epochs in a row have not beaten the best so far."""
    best, waited = float("-inf"), 0
    for epoch, accuracy in enumerate(accuracies[:epochs], start=1):
        if accuracy > best:
            best, waited = accuracy, 0
        else:
            waited += 1
            if waited >= patience:
                return epoch
    return epochs
