"""Mistake catalogue of lab 03, softmax."""
from autograder.judging.mistakes import Mistake

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
        "smaller (exp underflows to exactly 0.0 below about -745: exp(-1000) = 0, then 0 / 0). Subtract "
        "each row's own maximum, one per example along the class axis.",
        """
        def softmax(z, axis=-1):
            exp_z = np.exp(z - np.max(z))
            return exp_z / np.sum(exp_z, axis=axis, keepdims=True)
        """),
    Mistake(
        "softmax", "sum without keepdims",
        "Summing along the class axis without keeping it drops that axis, so a (3, 3) batch is divided "
        "column-wise by the row sums, silently, and a (2, 4) batch cannot broadcast. The sum must keep "
        "the reduced axis, with length 1.",
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
        "The exponential of a large score overflows to inf (above about 709). Factor the largest score m "
        "out of the sum: LSE is m plus the log-sum-exp of the scores shifted by m, whose exponents are all <= 0.",
        """
        def logsumexp(z, axis=-1):
            return np.log(np.sum(np.exp(z), axis=axis))
        """),
    Mistake(
        "logsumexp", "forgot to add the max back",
        "After shifting the scores by their maximum m, the log of the sum of exponentials is LSE minus m: "
        "the result is off by the maximum until m is added back.",
        """
        def logsumexp(z, axis=-1):
            m = np.max(z, axis=axis, keepdims=True)
            return np.log(np.sum(np.exp(z - m), axis=axis))
        """),
    # --- log_softmax -------------------------------------------------------------
    Mistake(
        "log_softmax", "log(softmax(z)) gives -inf",
        "A score far below its row's best has a probability that rounds to 0 (exp underflows below about "
        "-745), and log(0) = -inf. Subtract the log-sum-exp from the scores: the tiny probability is never "
        "formed.",
        """
        def log_softmax(z, axis=-1):
            return np.log(softmax(z, axis=axis))
        """),
    Mistake(
        "log_softmax", "subtracted the max, not the log-sum-exp",
        "Subtracting only the largest score leaves out the log of the sum of the shifted exponentials: "
        "log-softmax subtracts the whole log-sum-exp, so that the exponentials of each row sum to 1.",
        """
        def log_softmax(z, axis=-1):
            return z - np.max(z, axis=axis, keepdims=True)
        """),
    # --- predict -----------------------------------------------------------------
    Mistake(
        "predict", "argmax over the wrong axis",
        "One prediction per example: take the argmax along the class axis (the last), not down the examples.",
        """
        def predict(scores):
            return np.argmax(scores, axis=0)
        """),
    Mistake(
        "predict", "returned the best score, not its index",
        "The largest score is not the prediction: the predicted class is the position of the largest score.",
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
