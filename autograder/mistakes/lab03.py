"""Mistake catalogue of lab 03, softmax."""
from autograder.mistakes import Mistake

MISTAKES = [
    # --- softmax -----------------------------------------------------------------
    Mistake(
        "softmax", "no max subtraction (overflow)",
        "exp(1000) overflows to inf and inf / inf is nan. Softmax is shift invariant: subtract the "
        "per-row maximum before exponentiating.",
        """
        def softmax(z, axis=-1):
            exp_z = np.exp(z)
            return exp_z / np.sum(exp_z, axis=axis, keepdims=True)
        """),
    Mistake(
        "softmax", "normalized over the wrong axis",
        "Each example is a row: take the max and the sum along `axis` (the class axis), "
        "so that every row sums to 1.",
        """
        def softmax(z, axis=-1):
            exp_z = np.exp(z - np.max(z, axis=0, keepdims=True))
            return exp_z / np.sum(exp_z, axis=0, keepdims=True)
        """),
    Mistake(
        "softmax", "global max instead of the per-row max",
        "Subtracting the largest score of the whole batch underflows rows whose scores are much "
        "smaller (exp(-1000) = 0, then 0 / 0). Subtract each row's own maximum (keepdims=True).",
        """
        def softmax(z, axis=-1):
            exp_z = np.exp(z - np.max(z))
            return exp_z / np.sum(exp_z, axis=axis, keepdims=True)
        """),
    Mistake(
        "softmax", "sum without keepdims",
        "np.sum(..., axis=-1) drops the class axis, so a (3, 3) batch is divided column-wise by the "
        "row sums, and a (2, 4) batch cannot broadcast. Keep the axis: keepdims=True.",
        """
        def softmax(z, axis=-1):
            exp_z = np.exp(z - np.max(z, axis=axis, keepdims=True))
            return exp_z / np.sum(exp_z, axis=axis)
        """),
    Mistake(
        "softmax", "centred on the mean, not the max",
        "Subtracting the mean only moves the overflow: scores spread more than about 1400 apart still "
        "give exp(+700) and more. Subtract the largest score, so that every exponent is <= 0.",
        """
        def softmax(z, axis=-1):
            z = np.asarray(z, dtype=float)
            exp_z = np.exp(z - np.mean(z, axis=axis, keepdims=True))
            return exp_z / np.sum(exp_z, axis=axis, keepdims=True)
        """),
    # --- logsumexp ---------------------------------------------------------------
    Mistake(
        "logsumexp", "naive log-sum-exp overflows",
        "log(sum(exp(z))) overflows for large scores. Use m + log(sum(exp(z - m))) with m the maximum.",
        """
        def logsumexp(z, axis=-1):
            return np.log(np.sum(np.exp(z), axis=axis))
        """),
    Mistake(
        "logsumexp", "forgot to add the max back",
        "log(sum(exp(z - m))) is LSE(z) - m: add m back.",
        """
        def logsumexp(z, axis=-1):
            m = np.max(z, axis=axis, keepdims=True)
            return np.log(np.sum(np.exp(z - m), axis=axis))
        """),
    # --- log_softmax -------------------------------------------------------------
    Mistake(
        "log_softmax", "log(softmax(z)) gives -inf",
        "A probability below about 1e-308 rounds to 0.0 and log(0) = -inf. Compute z - logsumexp(z) "
        "instead: it never forms the tiny probability.",
        """
        def log_softmax(z, axis=-1):
            return np.log(softmax(z, axis=axis))
        """),
    Mistake(
        "log_softmax", "subtracted the max, not the log-sum-exp",
        "log softmax(z) = z - LSE(z); subtracting only max(z) leaves out log(sum(exp(z - max))).",
        """
        def log_softmax(z, axis=-1):
            return z - np.max(z, axis=axis, keepdims=True)
        """),
    # --- predict -----------------------------------------------------------------
    Mistake(
        "predict", "argmax over the wrong axis",
        "One prediction per example: take the argmax along the class axis (axis=-1), not over examples.",
        """
        def predict(scores):
            return np.argmax(scores, axis=0)
        """),
    Mistake(
        "predict", "returned the best score, not its index",
        "np.max gives the largest score; the predicted class is where it is: np.argmax.",
        """
        def predict(scores):
            return np.max(scores, axis=-1)
        """),
    Mistake(
        "predict", "ties go to the last index (>= in the comparison)",
        "With tied top scores np.argmax and torch's argmax return the first of them; a loop that keeps "
        "a new best on >= moves on to the last. Replace the best only on a strictly larger score.",
        """
        def predict(scores):
            best = np.zeros(len(scores), dtype=int)
            for i, row in enumerate(scores):
                for j in range(len(row)):
                    if row[j] >= row[best[i]]:
                        best[i] = j
            return best
        """),
]
