"""Lab 04's pytorch_loss: for log-probabilities, CrossEntropyLoss is NLLLoss in value and in what it
trains (a log-softmax of log-probabilities changes nothing), so the check and the judge accept both; they
differ only in the gradient with respect to the log-probabilities themselves, which no model's weight
sees through its LogSoftmax."""
import numpy as np
import torch
import torch.nn.functional as F

from autograder.judging.judges import LocalSubject, judges_for, run_judge
from labutils.checks import lab04

SOURCE = '''
def pytorch_loss(kind, outputs, targets):
    losses = {"binary probabilities": F.binary_cross_entropy,
              "binary logits": F.binary_cross_entropy_with_logits,
              "multiclass log-probabilities": F.cross_entropy,
              "multiclass logits": F.cross_entropy}
    return losses[kind](outputs, targets)
'''


def cross_entropy_everywhere():
    namespace = {"F": F, "torch": torch}
    exec(SOURCE, namespace)
    return namespace["pytorch_loss"]


def test_cross_entropy_on_log_probabilities_trains_as_nll_loss():
    scores = torch.tensor(np.random.default_rng(0).normal(scale=2, size=(5, 4)), requires_grad=True)
    labels = torch.tensor([0, 3, 1, 1, 2])
    results = []
    for loss_fn in (F.nll_loss, F.cross_entropy):
        scores.grad = None
        log_probabilities = torch.log_softmax(scores, dim=1)
        log_probabilities.retain_grad()
        loss = loss_fn(log_probabilities, labels)
        loss.backward()
        results.append((loss.item(), log_probabilities.grad.clone(), scores.grad.clone()))
    (nll, nll_outputs, nll_scores), (cross, cross_outputs, cross_scores) = results
    assert abs(nll - cross) < 1e-12
    assert torch.allclose(nll_scores, cross_scores, rtol=0, atol=1e-12)
    assert not torch.allclose(nll_outputs, cross_outputs, atol=1e-3)  # where the old check told them apart


def test_the_check_and_the_judge_accept_cross_entropy_on_log_probabilities(capsys):
    lab04.check_pytorch_loss(cross_entropy_everywhere())
    assert "✔ pytorch_loss" in capsys.readouterr().out
    grade_id, judge = next((g, j) for g, j in judges_for("04_cross_entropy").items() if j.task == "pytorch_loss")
    subject = LocalSubject({"pytorch_loss": cross_entropy_everywhere()}, {"pytorch_loss": SOURCE})
    for seed in range(20):
        verdict = run_judge("04_cross_entropy", grade_id, judge, subject, seed)
        assert verdict.passed, f"seed {seed}: {verdict.message}"
