"""Mistake catalogue of lab 02, activations."""
from autograder.judging.mistakes import Mistake

MISTAKES = [
    # --- compose_linear ----------------------------------------------------------
    Mistake(
        "compose_linear", "composed in the wrong order (C A)",
        "g is applied first, so its matrix acts first: f(g(x)) = A (C x + d) + b, with A on the left.",
        """
        def compose_linear(A, b, C, d):
            return C @ A, A @ d + b
        """),
    Mistake(
        "compose_linear", "forgot A d",
        "Expand A (C x + d) + b: the constant part is A d + b, the inner bias goes through A too.",
        """
        def compose_linear(A, b, C, d):
            return A @ C, b
        """),
    # --- sigmoid -----------------------------------------------------------------
    Mistake(
        "sigmoid", "naive sigmoid overflows",
        "The form with the exponential of minus x exponentiates a huge positive number when x is very "
        "negative (e to the 10000 for x = -1e4) and overflows. On the negative side use the equivalent form "
        "whose exponent is x itself, so that exp only ever sees -|x|, never a positive number.",
        """
        def sigmoid(x):
            return 1.0 / (1.0 + np.exp(-x))
        """),
    Mistake(
        "sigmoid", "sign of the exponent flipped",
        "The sigmoid is increasing: large positive inputs give values near 1 and large negative ones values "
        "near 0. With the sign of the exponent flipped, each form computes the mirror image, 1 - sigma.",
        """
        def sigmoid(x):
            x = np.asarray(x, dtype=float)
            out = np.empty_like(x)
            negative = x < 0
            out[negative] = 1.0 / (1.0 + np.exp(x[negative]))
            exp_minus_x = np.exp(-x[~negative])
            out[~negative] = exp_minus_x / (1.0 + exp_minus_x)
            return out
        """),
    # --- tanh --------------------------------------------------------------------
    Mistake(
        "tanh", "tanh as 2 sigmoid(x) - 1 (missing the 2x)",
        "In the identity between tanh and the sigmoid the input is doubled too, not only the output: "
        "tanh x = 2 sigma(2x) - 1.",
        """
        def tanh(x):
            return 2.0 * sigmoid(x) - 1.0
        """),
    Mistake(
        "tanh", "tanh as sigmoid(2x) (missing the scale and shift)",
        "sigmoid(2x) lies in (0, 1); tanh lies in (-1, 1): scale by 2 and shift by -1.",
        """
        def tanh(x):
            return sigmoid(2.0 * x)
        """),
    Mistake(
        "tanh", "naive tanh overflows",
        "(exp(2x) - 1) / (exp(2x) + 1) is inf / inf = nan for x > 355. Build it from your stable sigmoid.",
        """
        def tanh(x):
            e = np.exp(2.0 * x)
            return (e - 1.0) / (e + 1.0)
        """),
    # --- hard_tanh, relu ---------------------------------------------------------
    Mistake(
        "hard_tanh", "clipped only from above",
        "Hard-tanh clips on both sides: -1 below -1 as well as 1 above 1.",
        """
        def hard_tanh(x):
            return np.minimum(np.asarray(x, dtype=float), 1.0)
        """),
    Mistake(
        "relu", "relu returns a mask",
        "ReLU passes positive inputs through unchanged, max(0, x); the 0/1 mask is its derivative.",
        """
        def relu(x):
            return (np.asarray(x) > 0).astype(float)
        """),
    Mistake(
        "relu", "relu changes its input in place",
        "Writing zeros into the input changes the caller's array (a layer's pre-activations, still needed "
        "by the backward pass). Leave the input as it was and return a new array.",
        """
        def relu(x):
            x[x < 0] = 0
            return x
        """),
    # --- derivatives -------------------------------------------------------------
    Mistake(
        "sigmoid_grad", "s(x)(1 + s(x))",
        "The sign is wrong: the slope of the sigmoid is largest at 0 (1/4) and falls to 0 on both sides, "
        "so the factor beside sigma must shrink as sigma grows toward 1. Derive it again, or compare "
        "with a centred difference.",
        """
        def sigmoid_grad(x):
            s = sigmoid(x)
            return s * (1.0 + s)
        """),
    Mistake(
        "sigmoid_grad", "derivative written with the input instead of the output",
        "The formula you derived is in terms of the sigmoid's output, not of its input: evaluate the "
        "sigmoid first and use that value in place of x.",
        """
        def sigmoid_grad(x):
            return x * (1.0 - x)
        """),
    Mistake(
        "tanh_grad", "1 - x**2 (input instead of output)",
        "The derivative of tanh is written with tanh's output, not with its input: square the value of "
        "tanh, not x.",
        """
        def tanh_grad(x):
            return 1.0 - np.asarray(x, dtype=float) ** 2
        """),
    Mistake(
        "tanh_grad", "1 - tanh(x) (square missing)",
        "The slope of tanh is the same at x and -x and at most 1; without the square it is lopsided and "
        "exceeds 1 for negative x. Derive it again with the quotient rule.",
        """
        def tanh_grad(x):
            return 1.0 - tanh(x)
        """),
    Mistake(
        "relu_grad", "relu_grad is 1 at 0",
        "At exactly 0 ReLU has no derivative; the convention here, as in PyTorch, is 0 there, so the "
        "comparison with 0 must be strict.",
        """
        def relu_grad(x):
            return (np.asarray(x) >= 0).astype(float)
        """),
    Mistake(
        "relu_grad", "relu_grad flattens its input",
        "The derivative has the shape of x: compute it on the whole array at once (an elementwise "
        "comparison keeps the shape); a flat list loses the rows and columns.",
        """
        def relu_grad(x):
            return np.array([1.0 if value > 0 else 0.0 for value in np.ravel(x)])
        """),
    # --- dead_relu_fraction ------------------------------------------------------
    Mistake(
        "dead_relu_fraction", "dead if inactive on any example",
        "A unit is dead only if it is <= 0 for every example, not for at least one: a single example "
        "where it is active still gives it a gradient.",
        """
        def dead_relu_fraction(X, W, b):
            return float(np.mean(np.any(X @ W + b <= 0, axis=0)))
        """),
    Mistake(
        "dead_relu_fraction", "counted entries, not units",
        "Decide per unit (a column) first whether it is <= 0 on every example, then take the fraction of "
        "units, not the fraction of (example, unit) entries.",
        """
        def dead_relu_fraction(X, W, b):
            return float(np.mean(X @ W + b <= 0))
        """),
    Mistake(
        "dead_relu_fraction", "forgot the bias",
        "The pre-activation is X W + b: a very negative bias is exactly what kills units.",
        """
        def dead_relu_fraction(X, W, b):
            return float(np.mean(np.all(X @ W <= 0, axis=0)))
        """),
    Mistake(
        "dead_relu_fraction", "dead only if strictly negative",
        "ReLU outputs 0 for a pre-activation of exactly 0 too (a unit whose weights and bias are all 0): "
        "a unit is dead when it is <= 0 on every example.",
        """
        def dead_relu_fraction(X, W, b):
            Z = X @ W + b
            return float(np.mean(np.all(Z < 0, axis=0)))
        """),
]
