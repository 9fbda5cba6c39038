"""A named mistake is the student's mistake (issue 31): wrong answers of our own, which the
catalogue does not hold, spread over the eight labs. Each fails its check and its judge, and
none is given a mistake name: not in the check's message, not in the judge's verdict (which the
feedback and the report's "Most frequent mistakes" read)."""
import functools
import linecache

import pytest

from autograder.course.labs import checks_module
from autograder.judging.judges import LocalSubject, judges_for, run_judge
from autograder.judging.reference import build_namespace

WRONG = [  # (lab, task, what is wrong, the student's definition)
    ("01_matrix_shapes", "product_shape", "the result's shape transposed", """
def product_shape(shape_a, shape_b):
    (m, n), (n2, p) = shape_a, shape_b
    if n != n2:
        raise ValueError(f"shapes {shape_a} and {shape_b} do not align")
    return (p, m)
"""),
    ("01_matrix_shapes", "matmul", "the sums started at 1", """
def matmul(A, B):
    (m, n), (n2, p) = A.shape, B.shape
    if n != n2:
        raise ValueError(f"cannot multiply {A.shape} by {B.shape}")
    C = np.ones((m, p))
    for i in range(m):
        for j in range(p):
            for k in range(n):
                C[i, j] += A[i, k] * B[k, j]
    return C
"""),
    ("01_matrix_shapes", "ffnn_forward", "the activation applied to the input", """
def ffnn_forward(x, W2, b2, W3, g=np.tanh):
    return (g(x) @ W2 + b2) @ W3
"""),
    ("02_activations", "compose_linear", "the offset b + d", """
def compose_linear(A, b, C, d):
    return A @ C, b + d
"""),
    ("02_activations", "sigmoid", "e^x / (1 + e^x), which overflows the other way", """
def sigmoid(x):
    x = np.asarray(x, dtype=float)
    return np.exp(x) / (1 + np.exp(x))
"""),
    ("02_activations", "relu_grad", "the sign of x", """
def relu_grad(x):
    return np.sign(x)
"""),
    ("02_activations", "dead_relu_fraction", "a count, not a fraction", """
def dead_relu_fraction(X, W, b):
    return float(np.sum(np.all(X @ W + b <= 0, axis=0)))
"""),
    ("03_softmax", "softmax", "normalised over the whole array", """
def softmax(z, axis=-1):
    z = np.asarray(z, dtype=float)
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum()
"""),
    ("03_softmax", "predict", "the index into the flattened array", """
def predict(scores):
    return int(np.asarray(scores).argmax())
"""),
    ("04_cross_entropy", "cross_entropy", "an epsilon inside the log", """
def cross_entropy(P, y):
    return float(-np.mean(np.log(P[np.arange(len(y)), y] + 1e-3)))
"""),
    ("04_cross_entropy", "binary_cross_entropy", "log base 2", """
def binary_cross_entropy(p, y):
    return float(-np.mean(y * np.log2(p) + (1 - y) * np.log2(1 - p)))
"""),
    ("04_cross_entropy", "quality_mean", "the harmonic mean", """
def quality_mean(P, y):
    return float(len(y) / np.sum(1.0 / P[np.arange(len(y)), y]))
"""),
    ("05_gradient_descent", "step_decay", "the rate lowered by subtraction", """
def step_decay(step, lr0=2.5, drop=0.5, every=10):
    return lr0 - drop * (step // every)
"""),
    ("05_gradient_descent", "adam", "the step without the square root", """
def adam(w, dw, config=None):
    config = dict(config or {})
    for name, default in {"learning_rate": 1e-3, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8}.items():
        config.setdefault(name, default)
    t = config.get("t", 0) + 1
    m = config["beta1"] * config.get("m", np.zeros_like(w)) + (1 - config["beta1"]) * dw
    v = config["beta2"] * config.get("v", np.zeros_like(w)) + (1 - config["beta2"]) * dw ** 2
    config.update(m=m, v=v, t=t)
    m_hat, v_hat = m / (1 - config["beta1"] ** t), v / (1 - config["beta2"] ** t)
    return w - config["learning_rate"] * m_hat / (v_hat + config["epsilon"]), config
"""),
    ("05_gradient_descent", "numerical_gradient", "every weight nudged at once", """
def numerical_gradient(f, w, h=1e-5):
    w = np.asarray(w, dtype=float)
    return np.full(w.shape, (f(w + h) - f(w - h)) / (2 * h))
"""),
    ("06_backprop", "linear_backward", "db as the mean over the batch", """
def linear_backward(dout, cache):
    x, W, b = cache
    return dout @ W.T, x.T @ dout, dout.mean(axis=0)
"""),
    ("06_backprop", "relu_backward", "dout times the input", """
def relu_backward(dout, cache):
    return dout * cache
"""),
    ("07_dropout", "l2_penalty", "the half-lambda convention (lam/2 times the squares)", """
def l2_penalty(params, lam):
    weights = [name for name in params if name.startswith("W")]
    penalty = lam / 2 * sum(float(np.sum(params[name] ** 2)) for name in weights)
    return penalty, {name: lam * v if name in weights else np.zeros_like(v) for name, v in params.items()}
"""),
    ("08_training_loop", "build_vocab", "words in alphabetical order, not by frequency", """
def build_vocab(texts, min_freq=1):
    counts = Counter(token for text in texts for token in tokenize(text))
    words = sorted(word for word, count in counts.items() if count >= min_freq)
    return {"<pad>": 0, "<unk>": 1, **{word: i for i, word in enumerate(words, start=2)}}
"""),
    ("08_training_loop", "encode", "unknown words as <pad>", """
def encode(text, vocab):
    return [vocab.get(token, 0) for token in tokenize(text)]
"""),
]


@functools.lru_cache(maxsize=None)
def exercise(lab_id, task):
    return next(e for e in checks_module(lab_id).EXERCISES if e.task == task)


def notebook_with(lab_id, source):
    """The solution's namespace with `source` run in it as a notebook cell is: its source
    readable by inspect, as IPython keeps a cell's (linecache)."""
    namespace = build_namespace(lab_id)
    filename = f"<cell of {lab_id}: {abs(hash(source))}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
    exec(compile(source, filename, "exec"), namespace)
    return namespace


@pytest.mark.parametrize("lab_id, task, what, source", WRONG, ids=[f"{t}: {w}" for _, t, w, _ in WRONG])
def test_a_wrong_answer_the_catalogue_does_not_hold_is_given_no_mistake_name(lab_id, task, what, source):
    namespace = notebook_with(lab_id, source)
    found = exercise(lab_id, task)
    check = getattr(checks_module(lab_id), f"check_{task}")
    with pytest.raises(Exception) as failure:
        check(namespace[found.callee], *(namespace[name] for name in found.others))
    assert "Likely mistake" not in str(failure.value), str(failure.value)
    judge = judges_for(lab_id)[found.grade_id]
    for seed in range(3):
        verdict = run_judge(lab_id, found.grade_id, judge, LocalSubject(namespace), seed)
        assert not verdict.passed, f"seed {seed}: passed the judge"
        assert verdict.mistake is None and "Likely mistake" not in verdict.message, verdict.message


def test_the_answers_are_spread_over_every_lab():
    assert len(WRONG) >= 15 and {lab for lab, *_ in WRONG} == {
        "01_matrix_shapes", "02_activations", "03_softmax", "04_cross_entropy", "05_gradient_descent",
        "06_backprop", "07_dropout", "08_training_loop"}


def test_a_mistake_is_not_named_when_it_would_have_failed_a_case_the_answer_passed():
    """On "a (3, 3) batch" this softmax gives what 'normalized over the wrong axis' gives; but on the
    (2, 4) batch before it, where that mistake is wrong too, it was right: not that mistake."""
    namespace = notebook_with("03_softmax", """
def softmax(z, axis=-1):
    z = np.asarray(z, dtype=float)
    if z.shape == (3, 3):
        axis = 0
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)
""")
    from autograder.judging.mistakes import mistakes_for
    from labutils.checks import lab03
    with pytest.raises(Exception) as failure:
        lab03.check_softmax(namespace["softmax"])
    said = str(failure.value)
    assert "fails on a (3, 3) batch" in said and "Likely mistake" not in said, said
    wrong = next(m for m in mistakes_for("03_softmax", "softmax") if m.name == "normalized over the wrong axis")
    with pytest.raises(Exception, match="Likely mistake: normalized over the wrong axis"):
        lab03.check_softmax(wrong.function("03_softmax"))  # the mistake itself is still named


# -- One rule for warnings: an overflow costs the same, shown or silenced ----------------------------

NAIVE_SIGMOID = "def sigmoid(x):\n    return 1 / (1 + np.exp(-np.asarray(x, dtype=float)))\n"
SILENCED_SIGMOID = ("def sigmoid(x):\n    with np.errstate(over='ignore'):\n"
                    "        return 1 / (1 + np.exp(-np.asarray(x, dtype=float)))\n")
STABLE_SIGMOID = ("def sigmoid(x):\n    x = np.asarray(x, dtype=float)\n    e = np.exp(-np.abs(x))\n"
                  "    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))\n")


@pytest.mark.parametrize("source, said", [(NAIVE_SIGMOID, "warned RuntimeWarning: overflow"),
                                          (SILENCED_SIGMOID, "silences floating-point warnings (np.errstate)")],
                         ids=["warning shown", "warning silenced"])
def test_an_overflow_costs_the_same_whether_its_warning_shows_or_is_silenced(source, said):
    from labutils.checks import lab02
    namespace = notebook_with("02_activations", source)
    with pytest.raises(Exception, match="the values are right, but it") as failure:
        lab02.check_sigmoid(namespace["sigmoid"])
    assert said in str(failure.value)
    judge = judges_for("02_activations")["test_sigmoid"]
    verdict = run_judge("02_activations", "test_sigmoid", judge, LocalSubject(namespace, {"sigmoid": source}), 0)
    assert not verdict.passed and said in verdict.message, verdict.message


def test_a_sigmoid_that_never_overflows_passes_check_and_judge(capsys):
    from labutils.checks import lab02
    namespace = notebook_with("02_activations", STABLE_SIGMOID)
    lab02.check_sigmoid(namespace["sigmoid"])
    assert "✔ sigmoid" in capsys.readouterr().out
    judge = judges_for("02_activations")["test_sigmoid"]
    assert run_judge("02_activations", "test_sigmoid", judge,
                     LocalSubject(namespace, {"sigmoid": STABLE_SIGMOID}), 0).passed


# -- One rule for precision: NumPy contracts ask float64; float32 is named, everywhere -----------------

@pytest.mark.parametrize("lab_id, task, source", [
    ("02_activations", "sigmoid", "def sigmoid(x):\n    x = np.asarray(x, dtype=np.float32)\n"
                                  "    e = np.exp(-np.abs(x))\n    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))\n"),
    ("03_softmax", "softmax", "def softmax(z, axis=-1):\n    z = np.asarray(z, dtype=np.float32)\n"
                              "    e = np.exp(z - z.max(axis=axis, keepdims=True))\n"
                              "    return e / e.sum(axis=axis, keepdims=True)\n"),
    ("04_cross_entropy", "cross_entropy", "def cross_entropy(P, y):\n"
                                          "    P = np.asarray(P, dtype=np.float32)\n"
                                          "    return -np.mean(np.log(P[np.arange(len(y)), y]))\n"),
], ids=["sigmoid", "softmax", "cross_entropy"])
def test_a_float32_answer_to_a_float64_contract_is_named_as_such_everywhere(lab_id, task, source):
    namespace = notebook_with(lab_id, source)
    check = getattr(checks_module(lab_id), f"check_{task}")
    with pytest.raises(Exception, match="computed in float32: the contract asks float64"):
        check(namespace[task])
    judge = judges_for(lab_id)[f"test_{task}"]
    verdict = run_judge(lab_id, f"test_{task}", judge, LocalSubject(namespace, {task: source}), 0)
    assert not verdict.passed and "computed in float32" in verdict.message, verdict.message


def test_the_same_answers_in_float64_pass(capsys):
    for lab_id, task, source in [
            ("02_activations", "sigmoid", "def sigmoid(x):\n    x = np.asarray(x, dtype=np.float64)\n"
             "    e = np.exp(-np.abs(x))\n    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))\n"),
            ("04_cross_entropy", "cross_entropy", "def cross_entropy(P, y):\n"
             "    return float(-np.mean(np.log(P[np.arange(len(y)), y])))\n")]:
        getattr(checks_module(lab_id), f"check_{task}")(notebook_with(lab_id, source)[task])
        assert f"✔ {task}" in capsys.readouterr().out


def test_float32_on_both_sides_is_no_difference():
    import numpy as np

    from labutils.compare import difference
    assert difference(np.ones(3, np.float32), np.ones(3, np.float32)) is None
    assert "computed in float32" in difference(np.ones(3, np.float32), np.ones(3))
