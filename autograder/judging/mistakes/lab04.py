"""Mistake catalogue of lab 04, cross-entropy."""
from autograder.judging.mistakes import Mistake

MISTAKES = [
    # --- quality_mean ------------------------------------------------------------
    Mistake(
        "quality_mean", "arithmetic mean instead of geometric",
        "Q_mean is the geometric mean: the N-th root of the product of the N probabilities, which logs turn "
        "into the exponential of the mean log. The arithmetic mean is a different, larger quantity.",
        """
        def quality_mean(P, y):
            return float(np.mean(P[np.arange(len(y)), y]))
        """),
    Mistake(
        "quality_mean", "the product underflows",
        "A product of many probabilities below 1 shrinks past the smallest float64 (about 1e-308, 5e-324 "
        "at the very least) and rounds to 0, and its root is 0 too. The root of a product is the "
        "exponential of the mean of the logs: work with the logs.",
        """
        def quality_mean(P, y):
            correct = P[np.arange(len(y)), y]
            return float(np.prod(correct) ** (1.0 / len(correct)))
        """),
    Mistake(
        "quality_mean", "product without the 1/N root",
        "The quality is a mean: the N-th root of the product (equivalently, the mean of the logs), so that it "
        "does not shrink as N grows.",
        """
        def quality_mean(P, y):
            return float(np.prod(P[np.arange(len(y)), y]))
        """),
    # --- cross_entropy -----------------------------------------------------------
    Mistake(
        "cross_entropy", "sum instead of mean",
        "The loss is the mean over the N examples, the 1/N in front of the sum: a sum grows with N.",
        """
        def cross_entropy(P, y):
            return float(-np.sum(np.log(P[np.arange(len(y)), y])))
        """),
    Mistake(
        "cross_entropy", "log10 instead of ln",
        "Cross-entropy uses the natural log; base 10 divides the loss by ln 10 (about 2.3).",
        """
        def cross_entropy(P, y):
            return float(-np.mean(np.log10(P[np.arange(len(y)), y])))
        """),
    Mistake(
        "cross_entropy", "probability of the predicted class instead of the correct one",
        "The loss reads the probability given to the correct class y_i, not the largest probability of the row.",
        """
        def cross_entropy(P, y):
            return float(-np.mean(np.log(np.max(P, axis=1))))
        """),
    Mistake(
        "cross_entropy", "one-hot / index confusion (P[:, y])",
        "Indexing with the labels alone takes whole columns: an (n, n) matrix. Each row must be paired with its "
        "own label: row i, column y_i.",
        """
        def cross_entropy(P, y):
            return float(-np.mean(np.log(P[:, y])))
        """),
    Mistake(
        "cross_entropy", "mean over all n K entries, not over examples",
        "With one-hot labels Y, the loss of an example is the sum over its classes of -Y ln P (one nonzero "
        "term); then average over the n examples. Averaging all n K entries also divides by K.",
        """
        def cross_entropy(P, y):
            Y = np.eye(P.shape[1])[y]
            return float(-np.mean(Y * np.log(P)))
        """),
    # --- cross_entropy_from_logits -----------------------------------------------
    Mistake(
        "cross_entropy_from_logits", "softmax over the wrong axis",
        "Each example is a row: normalize over its classes (along the row), not over the examples (down a column).",
        """
        def cross_entropy_from_logits(Z, y):
            m = np.max(Z, axis=0, keepdims=True)
            log_probs = Z - m - np.log(np.sum(np.exp(Z - m), axis=0, keepdims=True))
            return float(-np.mean(log_probs[np.arange(len(y)), y]))
        """),
    Mistake(
        "cross_entropy_from_logits", "unstable log(softmax)",
        "exp of large logits overflows, and the log of a probability rounded to 0 is -inf. Compute the "
        "log-probabilities directly: each score minus the log-sum-exp of its row, with the row's largest "
        "score subtracted before exponentiating.",
        """
        def cross_entropy_from_logits(Z, y):
            P = np.exp(Z) / np.sum(np.exp(Z), axis=1, keepdims=True)
            return float(-np.mean(np.log(P[np.arange(len(y)), y])))
        """),
    Mistake(
        "cross_entropy_from_logits", "one max for the whole batch, not one per row",
        "Subtract each row's own maximum: with the batch's maximum, a row far below it underflows to "
        "exp(...) = 0 everywhere and its log is -inf.",
        """
        def cross_entropy_from_logits(Z, y):
            Z = np.asarray(Z, dtype=float)
            m = np.max(Z)
            log_probs = Z - m - np.log(np.sum(np.exp(Z - m), axis=1, keepdims=True))
            return float(-np.mean(log_probs[np.arange(len(y)), y]))
        """),
    # --- binary_cross_entropy ----------------------------------------------------
    Mistake(
        "binary_cross_entropy", "the sign error of 003 (loss < 0)",
        "log p < 0 for p in (0, 1), so the loss needs a minus in front to be positive; a negative "
        "cross-entropy is always a bug.",
        """
        def binary_cross_entropy(p, y):
            return float(np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))
        """),
    Mistake(
        "binary_cross_entropy", "y and 1 - y swapped",
        "p is the probability of class 1: label 1 goes with the log of p, label 0 with the log of one minus p.",
        """
        def binary_cross_entropy(p, y):
            return float(-np.mean((1 - y) * np.log(p) + y * np.log(1 - p)))
        """),
    Mistake(
        "binary_cross_entropy", "sum instead of mean",
        "Average over the examples, as PyTorch's default reduction (\"mean\") does: a sum grows with n.",
        """
        def binary_cross_entropy(p, y):
            return float(-np.sum(y * np.log(p) + (1 - y) * np.log(1 - p)))
        """),
    # --- bce_with_logits ---------------------------------------------------------
    Mistake(
        "bce_with_logits", "unstable: sigmoid, then log",
        "sigmoid(1000) rounds to 1.0 and the log of one minus it is -inf. Write the loss as a function of the "
        "logit itself, in which only non-positive numbers (minus the absolute logit) are exponentiated.",
        """
        def bce_with_logits(z, y):
            p = 1.0 / (1.0 + np.exp(-z))
            return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))
        """),
    Mistake(
        "bce_with_logits", "forgot the sigmoid (logits used as probabilities)",
        "z is a logit, any real number; the probability is sigmoid(z). Use the loss written as a function of "
        "the logit.",
        """
        def bce_with_logits(z, y):
            return float(-np.mean(y * np.log(z) + (1 - y) * np.log(1 - z)))
        """),

    # --- pytorch_loss ------------------------------------------------------------
    Mistake(
        "pytorch_loss", "softmax before CrossEntropyLoss (a double softmax)",
        "CrossEntropyLoss takes logits and applies log-softmax itself: probabilities given to it are pushed "
        "through a second softmax, which squeezes them towards uniform, and the loss can no longer approach "
        "0.",
        """
        def pytorch_loss(kind, outputs, targets):
            if kind == "binary probabilities":
                return F.binary_cross_entropy(outputs, targets)
            if kind == "binary logits":
                return F.binary_cross_entropy_with_logits(outputs, targets)
            if kind == "multiclass log-probabilities":
                return F.nll_loss(outputs, targets)
            if kind == "multiclass logits":
                return F.cross_entropy(F.softmax(outputs, dim=1), targets)
            raise ValueError(kind)
        """),
    Mistake(
        "pytorch_loss", "sigmoid before BCEWithLogitsLoss",
        "BCEWithLogitsLoss applies the sigmoid itself, inside its stable formula: its input must be the "
        "logit, any real number, not a probability.",
        """
        def pytorch_loss(kind, outputs, targets):
            if kind == "binary probabilities":
                return F.binary_cross_entropy(outputs, targets)
            if kind == "binary logits":
                return F.binary_cross_entropy_with_logits(torch.sigmoid(outputs), targets)
            if kind == "multiclass log-probabilities":
                return F.nll_loss(outputs, targets)
            if kind == "multiclass logits":
                return F.cross_entropy(outputs, targets)
            raise ValueError(kind)
        """),
    Mistake(
        "pytorch_loss", "sigmoid then BCELoss instead of BCEWithLogitsLoss",
        "Right in exact arithmetic, wrong in floating point: once the sigmoid rounds to 1 (from a logit of "
        "about 37 in float64, 17 in PyTorch's default float32), BCELoss clamps the log of 0 at -100. The loss "
        "on logits is computed from the logit directly (lab 04, section 5).",
        """
        def pytorch_loss(kind, outputs, targets):
            if kind == "binary probabilities":
                return F.binary_cross_entropy(outputs, targets)
            if kind == "binary logits":
                return F.binary_cross_entropy(torch.sigmoid(outputs), targets)
            if kind == "multiclass log-probabilities":
                return F.nll_loss(outputs, targets)
            if kind == "multiclass logits":
                return F.cross_entropy(outputs, targets)
            raise ValueError(kind)
        """),
    Mistake(
        "pytorch_loss", "BCELoss on logits",
        "BCELoss expects probabilities in [0, 1]; a logit is any real number. Pick the loss made for logits.",
        """
        def pytorch_loss(kind, outputs, targets):
            if kind == "binary probabilities":
                return F.binary_cross_entropy(outputs, targets)
            if kind == "binary logits":
                return F.binary_cross_entropy(outputs, targets)
            if kind == "multiclass log-probabilities":
                return F.nll_loss(outputs, targets)
            if kind == "multiclass logits":
                return F.cross_entropy(outputs, targets)
            raise ValueError(kind)
        """),
    Mistake(
        "pytorch_loss", "NLLLoss on probabilities instead of log-probabilities",
        "NLLLoss only picks the correct class's entry and negates it: it must be given log-probabilities "
        "(what LogSoftmax outputs) for the result to be a cross-entropy.",
        """
        def pytorch_loss(kind, outputs, targets):
            if kind == "binary probabilities":
                return F.binary_cross_entropy(outputs, targets)
            if kind == "binary logits":
                return F.binary_cross_entropy_with_logits(outputs, targets)
            if kind == "multiclass log-probabilities":
                return F.nll_loss(torch.exp(outputs), targets)
            if kind == "multiclass logits":
                return F.cross_entropy(outputs, targets)
            raise ValueError(kind)
        """),
    Mistake(
        "pytorch_loss", "one-hot targets where class indices are expected",
        "NLLLoss and CrossEntropyLoss take the correct class of each example as an integer index, one per "
        "example, not a one-hot row.",
        """
        def pytorch_loss(kind, outputs, targets):
            if kind == "binary probabilities":
                return F.binary_cross_entropy(outputs, targets)
            if kind == "binary logits":
                return F.binary_cross_entropy_with_logits(outputs, targets)
            if kind == "multiclass log-probabilities":
                return F.nll_loss(outputs, F.one_hot(targets, outputs.shape[1]))
            if kind == "multiclass logits":
                return F.cross_entropy(outputs, targets)
            raise ValueError(kind)
        """),
    Mistake(
        "pytorch_loss", "the loss summed, not averaged",
        "Lab 04's losses are means over the examples, like PyTorch's default reduction: a sum grows with the "
        "batch size and changes the effective learning rate.",
        """
        def pytorch_loss(kind, outputs, targets):
            if kind == "binary probabilities":
                return F.binary_cross_entropy(outputs, targets)
            if kind == "binary logits":
                return F.binary_cross_entropy_with_logits(outputs, targets)
            if kind == "multiclass log-probabilities":
                return F.nll_loss(outputs, targets)
            if kind == "multiclass logits":
                return F.cross_entropy(outputs, targets, reduction="sum")
            raise ValueError(kind)
        """),
]
