"""A mistake costs points once, on the exercise at fault (issue 26): an exercise whose check
calls another of the student's functions is examined with that function scripted, so a
broken helper never fails it. In-process: the mistake catalogue's notebooks, no kernel."""
import pytest

from autograder.judging.mistakes import mistakes_for
from labutils.checks import lab08
from labutils.checks.engine import CheckFailed

LAB = "08_training_loop"


def mistake(task: str, name: str):
    return next(m for m in mistakes_for(LAB, task) if m.name == name)


@pytest.mark.parametrize("helper, name", [
    ("train_epoch", "model.train() missing"),
    ("train_epoch", "missing zero_grad"),
    ("evaluate", "missing model.eval()"),
    ("evaluate", "only the last batch counted"),
])
def test_a_right_fit_passes_its_check_whatever_its_helpers_do(helper, name):
    """The notebook of a student whose `helper` has the mistake, and whose fit is right."""
    notebook = mistake(helper, name).namespace(LAB)
    with pytest.raises(CheckFailed):  # the helper itself fails its own check ...
        getattr(lab08, f"check_{helper}")(notebook[helper])
    lab08.check_fit(notebook["fit"])  # ... and fit, right, passes its own


@pytest.mark.parametrize("name", ["the patience count not started again after an improvement",
                                  "the untrained model kept as the best"])
def test_the_subtle_fit_mistakes_fail_the_check_by_name(name):
    with pytest.raises(CheckFailed, match=f"Likely mistake: {name}"):
        lab08.check_fit(mistake("fit", name).function(LAB))


def test_the_scripted_helpers_are_given_back_after_the_call():
    notebook = mistake("train_epoch", "missing zero_grad").namespace(LAB)
    helpers = notebook["train_epoch"], notebook["evaluate"]
    lab08.check_fit(notebook["fit"])
    assert (notebook["train_epoch"], notebook["evaluate"]) == helpers


# -- lab 07: train_mlp, watched through its building blocks --------------------------------------

TRAIN_MLP_WRITTEN_OTHERWISE = '''
def train_mlp(X, y, hidden, epochs, batch_size, lr, p_drop, lam, rng, on_epoch=None):
    """Right, but not the reference's way: its own shuffle, copies of the optimizer states, the
    loss computed once more before each update, the layers kept in lists."""
    sizes = [X.shape[1]] + list(hidden) + [int(np.max(y)) + 1]
    Ws = init_weights([(sizes[i], sizes[i + 1]) for i in range(len(sizes) - 1)], "he", rng)
    bs = [np.zeros(W.shape[1]) for W in Ws]
    states = [[{"learning_rate": lr}, {"learning_rate": lr}] for _ in Ws]
    for epoch in range(epochs):
        order = rng.permutation(len(X))
        for start in range(0, len(X), batch_size):
            batch = order[start:start + batch_size]
            h, caches = X[batch], []
            for i in range(len(Ws) - 1):
                a, c1 = linear_forward(h, Ws[i], bs[i])
                r, c2 = relu_forward(a)
                h, c3 = dropout_forward(r, p_drop, True, rng)
                caches.append((c1, c2, c3))
            scores, last = linear_forward(h, Ws[-1], bs[-1])
            softmax_cross_entropy(scores, y[batch])  # the loss, looked at
            _, dscores = softmax_cross_entropy(scores, y[batch])
            params = {f"W{i + 1}": W for i, W in enumerate(Ws)}
            params.update({f"b{i + 1}": b for i, b in enumerate(bs)})
            _, penalty = l2_penalty(params, lam)
            dh, dW, db = linear_backward(dscores, last)
            grads = [(dW, db)]
            for i in reversed(range(len(Ws) - 1)):
                c1, c2, c3 = caches[i]
                dh, dW, db = linear_backward(relu_backward(dropout_backward(dh, c3), c2), c1)
                grads.insert(0, (dW, db))
            for i, (dW, db) in enumerate(grads):
                Ws[i], new_w = adam(Ws[i], dW + penalty[f"W{i + 1}"], states[i][0])
                bs[i], new_b = adam(bs[i], db + penalty[f"b{i + 1}"], states[i][1])
                states[i] = [dict(new_w), dict(new_b)]
        if on_epoch is not None:
            on_epoch(epoch, {**{f"W{i + 1}": W for i, W in enumerate(Ws)}, **{f"b{i + 1}": b for i, b in enumerate(bs)}})
    return {**{f"W{i + 1}": W for i, W in enumerate(Ws)}, **{f"b{i + 1}": b for i, b in enumerate(bs)}}
'''


def test_a_right_train_mlp_written_otherwise_passes_its_check_and_judge():
    """The watch on train_mlp's building blocks asks what the contract says, not the reference's
    way of doing it: another shuffle, copied states, an extra loss call pass."""
    from autograder.judging.judges import LocalSubject, judges_for, run_judge
    from autograder.judging.reference import build_namespace
    from labutils.checks import lab07
    namespace = build_namespace("07_dropout")
    exec(TRAIN_MLP_WRITTEN_OTHERWISE, namespace)
    lab07.check_train_mlp(namespace["train_mlp"])
    judge = judges_for("07_dropout")["test_train_mlp"]
    for seed in range(2):
        verdict = run_judge("07_dropout", "test_train_mlp", judge, LocalSubject(namespace), seed)
        assert verdict.passed, f"seed {seed}: {verdict.message}"


@pytest.mark.parametrize("name, said", [
    ("dropout's backward pass left out", "the backward passes were given 0 of them back"),
    ("the optimizer's state started again every step", "adam was given states that had taken no step"),
    ("one shuffle for every epoch", "every epoch saw the examples in the same order"),
    ("the last, smaller minibatch skipped", "the last minibatch, of 20, was left out"),
    ("on_epoch counting from 1", "on_epoch was given the epochs 1 to 60"),
    ("the class count taken from the labels present", "only 3 have an example here"),
])
def test_each_behaviour_train_mlp_promises_is_checked_by_name(name, said):
    """Most of these train a network that reaches the accuracy asked (benchmarks/train_mlp_threshold.py):
    only the watch on its building blocks (or a class with no example) tells them from a right train_mlp."""
    from labutils.checks import lab07
    with pytest.raises(CheckFailed) as failure:
        lab07.check_train_mlp(next(m for m in mistakes_for("07_dropout", "train_mlp") if m.name == name)
                              .function("07_dropout"))
    assert said in str(failure.value) and f"Likely mistake: {name}." in str(failure.value)


# -- lab 06: mlp_loss_and_grads, judged with the reference's layers --------------------------------

@pytest.mark.parametrize("helper, name, shows_in_public_case", [
    ("softmax_cross_entropy", "log of the softmax (log 0 is -inf)", False),
    ("softmax_cross_entropy", "dlogits missing the 1/n", True),
    ("linear_backward", "dW transposed", True),
    ("relu_backward", "gradient passed where the input was 0", False),
    ("linear_forward", "bias missing", True),
])
def test_a_right_mlp_keeps_its_points_whatever_its_layers_do(helper, name, shows_in_public_case, capsys):
    """A notebook whose `helper` has the mistake and whose mlp_loss_and_grads is right: the helper
    fails its own judge, the MLP passes its judge (the reference's layers are lent to it), and the
    MLP's check, which runs on the student's own layers, sends the student to the helper where
    the mistake changes the MLP's answer on the public case (and passes where it does not)."""
    from autograder.judging.judges import LocalSubject, judges_for, run_judge
    from labutils.checks import lab06
    lab = "06_backprop"
    notebook = next(m for m in mistakes_for(lab, helper) if m.name == name).namespace(lab)
    judges = judges_for(lab)
    for seed in range(3):
        assert not run_judge(lab, f"test_{helper}", judges[f"test_{helper}"], LocalSubject(notebook), seed).passed
        verdict = run_judge(lab, "test_mlp_loss_and_grads", judges["test_mlp_loss_and_grads"],
                            LocalSubject(notebook), seed)
        assert verdict.passed, verdict.message
    if not shows_in_public_case:
        lab06.check_mlp_loss_and_grads(notebook["mlp_loss_and_grads"])
        assert "✔ mlp_loss_and_grads" in capsys.readouterr().out
        return
    with pytest.raises(CheckFailed) as failure:
        lab06.check_mlp_loss_and_grads(notebook["mlp_loss_and_grads"])
    said = str(failure.value)
    assert f"it calls your {helper}, which fails its own check" in said and f"Fix {helper} first" in said, said
    assert "Likely mistake" not in said.splitlines()[0]


def test_a_wrong_mlp_with_right_layers_is_told_its_own_mistake():
    from labutils.checks import lab06
    wrong = next(m for m in mistakes_for("06_backprop", "mlp_loss_and_grads")).function("06_backprop")
    with pytest.raises(CheckFailed) as failure:
        lab06.check_mlp_loss_and_grads(wrong)
    assert "which fails its own check" not in str(failure.value)
    assert "Likely mistake" in str(failure.value)


# -- lab 08: the end-to-end exercise is the one about the functions working together -------------

BREAKS_THE_PIPELINE = [  # (function, catalogued mistake, what the end-to-end judge says)
    ("build_vocab", "ties in order of first appearance", "your build_vocab gave a vocabulary"),
    ("encode", "split on spaces instead of tokenize", "your encode gave"),
    ("FFNN", "activation missing", "your FFNN, with its trained weights, gives other logits"),
    ("FFNN", "dropout missing", "your FFNN gave the same logits twice in training mode"),
    ("train_epoch", "missing zero_grad", "your train_epoch added"),
    ("train_epoch", "model.train() missing", "your train_epoch ran the model in eval mode"),
    ("train_epoch", "optimizer.step() before backward()", "your train_epoch took an optimizer step"),
    ("evaluate", "missing model.eval()", "your evaluate ran the model in training mode"),
    ("evaluate", "only the last batch counted", "your evaluate reported a dev accuracy"),
    ("fit", "early stopping keeps the last weights, not the best", "fit restores the weights of the best epoch"),
    ("fit", "trained on the dev set too", "your fit gave the dev batches to train_epoch"),
    ("fit", "no shuffling between epochs", "your fit gave train_epoch other batches"),
]


def end_to_end_verdict(notebook, seed=0):
    from autograder.judging.judges import LocalSubject, judges_for, run_judge
    return run_judge(LAB, "test_end_to_end", judges_for(LAB)["test_end_to_end"], LocalSubject(notebook), seed)


@pytest.mark.parametrize("task, name, said", BREAKS_THE_PIPELINE, ids=[f"{t}: {n}" for t, n, _ in BREAKS_THE_PIPELINE])
def test_a_function_that_breaks_the_pipeline_fails_the_end_to_end_judge_by_name(task, name, said):
    """Several of these still clear the accuracy bar (0.67-0.82): only the checks of the pipeline's
    parts (outside the kernel) and the watch on its training (inside) see them."""
    verdict = end_to_end_verdict(mistake(task, name).namespace(LAB))
    assert not verdict.passed and said in verdict.message, verdict.message


@pytest.mark.parametrize("task, name", [("train_epoch", "returned the summed loss, not the mean"),
                                        ("evaluate", "evaluating with gradients on"),
                                        ("FFNN", "padding index counted in the mean")])
def test_a_mistake_that_changes_nothing_learned_costs_its_own_exercise_only(task, name):
    """The reported loss, a graph built during evaluation, <pad> in a pipeline that pads nothing:
    the network learned is the same, so the end-to-end exercise keeps its points."""
    from autograder.judging.judges import LocalSubject, judges_for, run_judge
    notebook = mistake(task, name).namespace(LAB)
    own = run_judge(LAB, f"test_{task}", judges_for(LAB)[f"test_{task}"], LocalSubject(notebook), 0)
    assert not own.passed
    verdict = end_to_end_verdict(notebook)
    assert verdict.passed, verdict.message


@pytest.mark.parametrize("task, name", [("encode", "<unk> not used for unknown tokens"),
                                        ("train_epoch", "missing zero_grad"),
                                        ("evaluate", "only the last batch counted")])
def test_the_end_to_end_check_names_the_function_that_breaks_the_pipeline(task, name):
    notebook = mistake(task, name).namespace(LAB)
    with pytest.raises(CheckFailed) as failure:
        lab08.check_end_to_end(notebook["fit"], notebook["build_vocab"], notebook["encode"], notebook["FFNN"])
    assert f"your {task}" in str(failure.value), str(failure.value)
