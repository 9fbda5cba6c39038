"""Mistake catalogue of lab 04, cross-entropy."""
from autograder.mistakes import Mistake

MISTAKES = [
    # --- quality_mean ------------------------------------------------------------
    Mistake(
        "quality_mean", "arithmetic mean instead of geometric",
        "Q_mean is the geometric mean, (product of the N probabilities) ** (1/N) = exp(mean(log p)).",
        """
        def quality_mean(P, y):
            return float(np.mean(P[np.arange(len(y)), y]))
        """),
    Mistake(
        "quality_mean", "the product underflows",
        "The product of thousands of probabilities is below 1e-308 and rounds to 0.0. Average the "
        "logs instead: exp(mean(log p)).",
        """
        def quality_mean(P, y):
            correct = P[np.arange(len(y)), y]
            return float(np.prod(correct) ** (1.0 / len(correct)))
        """),
    Mistake(
        "quality_mean", "product without the 1/N root",
        "The quality is a mean: take the N-th root of the product (or the mean of the logs).",
        """
        def quality_mean(P, y):
            return float(np.prod(P[np.arange(len(y)), y]))
        """),
    # --- cross_entropy -----------------------------------------------------------
    Mistake(
        "cross_entropy", "sum instead of mean",
        "The loss is the mean over the N examples, -(1/N) sum ln p: divide by N (np.mean).",
        """
        def cross_entropy(P, y):
            return float(-np.sum(np.log(P[np.arange(len(y)), y])))
        """),
    Mistake(
        "cross_entropy", "log10 instead of ln",
        "Cross-entropy uses the natural log, np.log; np.log10 divides the loss by ln 10.",
        """
        def cross_entropy(P, y):
            return float(-np.mean(np.log10(P[np.arange(len(y)), y])))
        """),
    Mistake(
        "cross_entropy", "probability of the predicted class instead of the correct one",
        "Use the probability given to the correct class y_i, P[i, y[i]], not the largest probability.",
        """
        def cross_entropy(P, y):
            return float(-np.mean(np.log(np.max(P, axis=1))))
        """),
    Mistake(
        "cross_entropy", "one-hot / index confusion (P[:, y])",
        "P[:, y] takes whole columns: an (n, n) matrix. Pair each row with its own label: "
        "P[np.arange(n), y].",
        """
        def cross_entropy(P, y):
            return float(-np.mean(np.log(P[:, y])))
        """),
    Mistake(
        "cross_entropy", "mean over all n K entries, not over examples",
        "With one-hot labels Y, the loss of an example is the sum over its classes of -Y ln P; then "
        "average over the n examples. np.mean of the whole (n, K) product also divides by K.",
        """
        def cross_entropy(P, y):
            Y = np.eye(P.shape[1])[y]
            return float(-np.mean(Y * np.log(P)))
        """),
    # --- cross_entropy_from_logits -----------------------------------------------
    Mistake(
        "cross_entropy_from_logits", "softmax over the wrong axis",
        "Each example is a row: normalize over the classes, axis=1, not over the examples.",
        """
        def cross_entropy_from_logits(Z, y):
            m = np.max(Z, axis=0, keepdims=True)
            log_probs = Z - m - np.log(np.sum(np.exp(Z - m), axis=0, keepdims=True))
            return float(-np.mean(log_probs[np.arange(len(y)), y]))
        """),
    Mistake(
        "cross_entropy_from_logits", "unstable log(softmax)",
        "exp of large logits overflows and log of a probability rounded to 0 is -inf. Use the "
        "log-sum-exp form: Z - m - log(sum(exp(Z - m))).",
        """
        def cross_entropy_from_logits(Z, y):
            P = np.exp(Z) / np.sum(np.exp(Z), axis=1, keepdims=True)
            return float(-np.mean(np.log(P[np.arange(len(y)), y])))
        """),
    Mistake(
        "cross_entropy_from_logits", "one max for the whole batch, not one per row",
        "Subtract each row's own maximum (axis=1, keepdims=True): with the batch's maximum, a row far "
        "below it underflows to exp(...) = 0 everywhere and its log is -inf.",
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
        "log p < 0 for p in (0, 1), so the loss needs a minus to be positive: "
        "-(y log p + (1 - y) log(1 - p)).",
        """
        def binary_cross_entropy(p, y):
            return float(np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))
        """),
    Mistake(
        "binary_cross_entropy", "y and 1 - y swapped",
        "p is the probability of class 1, so y = 1 goes with log p and y = 0 with log(1 - p).",
        """
        def binary_cross_entropy(p, y):
            return float(-np.mean((1 - y) * np.log(p) + y * np.log(1 - p)))
        """),
    Mistake(
        "binary_cross_entropy", "sum instead of mean",
        "Average over the examples (np.mean), as PyTorch's default reduction does.",
        """
        def binary_cross_entropy(p, y):
            return float(-np.sum(y * np.log(p) + (1 - y) * np.log(1 - p)))
        """),
    # --- bce_with_logits ---------------------------------------------------------
    Mistake(
        "bce_with_logits", "unstable: sigmoid, then log",
        "sigmoid(1000) rounds to 1.0 and log(1 - 1.0) = -inf. Work with the logit: "
        "max(z, 0) - z y + log1p(exp(-|z|)).",
        """
        def bce_with_logits(z, y):
            p = 1.0 / (1.0 + np.exp(-z))
            return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))
        """),
    Mistake(
        "bce_with_logits", "forgot the sigmoid (logits used as probabilities)",
        "z is a logit, any real number; the probability is sigmoid(z). Use the stable formula "
        "max(z, 0) - z y + log1p(exp(-|z|)).",
        """
        def bce_with_logits(z, y):
            return float(-np.mean(y * np.log(z) + (1 - y) * np.log(1 - z)))
        """),
]
