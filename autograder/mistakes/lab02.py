"""Mistake catalogue of lab 02, activations."""
from autograder.mistakes import Mistake

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
        "1 / (1 + exp(-x)) computes exp(10000) for x = -1e4 and overflows. Use exp(x) / (1 + exp(x)) "
        "where x < 0, so that exp only ever sees -|x|.",
        """
        def sigmoid(x):
            return 1.0 / (1.0 + np.exp(-x))
        """),
    Mistake(
        "sigmoid", "sign of the exponent flipped",
        "sigmoid(x) = 1 / (1 + exp(-x)): large positive x gives values near 1, not near 0.",
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
        "tanh(x) = 2 sigmoid(2x) - 1: the input is doubled too, not only the output.",
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
        "x[x < 0] = 0 overwrites the caller's array (a layer's pre-activations, still needed by the "
        "backward pass). Return a new array: np.maximum(0, x).",
        """
        def relu(x):
            x[x < 0] = 0
            return x
        """),
    # --- derivatives -------------------------------------------------------------
    Mistake(
        "sigmoid_grad", "s(x)(1 + s(x))",
        "The derivative of the sigmoid is s (1 - s), with a minus: it is largest (1/4) at 0.",
        """
        def sigmoid_grad(x):
            s = sigmoid(x)
            return s * (1.0 + s)
        """),
    Mistake(
        "sigmoid_grad", "derivative written with the input instead of the output",
        "s (1 - s) uses the sigmoid's output s = sigmoid(x), not x itself.",
        """
        def sigmoid_grad(x):
            return x * (1.0 - x)
        """),
    Mistake(
        "tanh_grad", "1 - x**2 (input instead of output)",
        "tanh'(x) = 1 - tanh(x)**2: square the output of tanh, not x.",
        """
        def tanh_grad(x):
            return 1.0 - np.asarray(x, dtype=float) ** 2
        """),
    Mistake(
        "tanh_grad", "1 - tanh(x) (square missing)",
        "tanh'(x) = 1 - tanh(x)**2: the square makes it symmetric and at most 1.",
        """
        def tanh_grad(x):
            return 1.0 - tanh(x)
        """),
    Mistake(
        "relu_grad", "relu_grad is 1 at 0",
        "Take the derivative at 0 to be 0, as PyTorch does: use x > 0, not x >= 0.",
        """
        def relu_grad(x):
            return (np.asarray(x) >= 0).astype(float)
        """),
    Mistake(
        "relu_grad", "relu_grad flattens its input",
        "The derivative has the shape of x: compare the whole array at once, (x > 0).astype(float).",
        """
        def relu_grad(x):
            return np.array([1.0 if value > 0 else 0.0 for value in np.ravel(x)])
        """),
    # --- dead_relu_fraction ------------------------------------------------------
    Mistake(
        "dead_relu_fraction", "dead if inactive on any example",
        "A unit is dead only if it is <= 0 for every example: np.all over the examples, not np.any.",
        """
        def dead_relu_fraction(X, W, b):
            return float(np.mean(np.any(X @ W + b <= 0, axis=0)))
        """),
    Mistake(
        "dead_relu_fraction", "counted entries, not units",
        "Decide per unit (column) first, then take the fraction of units: np.all(..., axis=0), then the mean.",
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
