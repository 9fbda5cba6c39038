"""Mistake catalogue of lab 05, gradient descent."""
from autograder.mistakes import Mistake

MISTAKES = [
    # --- gradient_descent --------------------------------------------------------
    Mistake(
        "gradient_descent", "+ instead of - (gradient ascent)",
        "The gradient points uphill; descent steps against it: w - lr * grad(w).",
        """
        def gradient_descent(grad, w0, lr, n_steps):
            w = np.array(w0, dtype=float)
            trajectory = [w.copy()]
            for _ in range(n_steps):
                w = w + lr * grad(w)
                trajectory.append(w.copy())
            return np.array(trajectory)
        """),
    Mistake(
        "gradient_descent", "updating w0 in place",
        "w = w0 makes w another name for the caller's array, and w -= ... changes it. Start from a "
        "copy: w = np.array(w0, dtype=float).",
        """
        def gradient_descent(grad, w0, lr, n_steps):
            w = w0
            trajectory = [w.copy()]
            for _ in range(n_steps):
                w -= lr * grad(w)
                trajectory.append(w.copy())
            return np.array(trajectory)
        """),
    Mistake(
        "gradient_descent", "trajectory without w0",
        "The trajectory starts with w0: n_steps steps give n_steps + 1 points.",
        """
        def gradient_descent(grad, w0, lr, n_steps):
            w = np.array(w0, dtype=float)
            trajectory = []
            for _ in range(n_steps):
                w = w - lr * grad(w)
                trajectory.append(w.copy())
            return np.array(trajectory).reshape(n_steps, *np.shape(w0))
        """),
    Mistake(
        "gradient_descent", "one step short",
        "Take n_steps steps: range(n_steps), which with w0 gives n_steps + 1 points.",
        """
        def gradient_descent(grad, w0, lr, n_steps):
            w = np.array(w0, dtype=float)
            trajectory = [w.copy()]
            for _ in range(n_steps - 1):
                w = w - lr * grad(w)
                trajectory.append(w.copy())
            return np.array(trajectory)
        """),
    # --- step_decay --------------------------------------------------------------
    Mistake(
        "step_decay", "halving at step 9 (off by one)",
        "Steps are counted from 0: steps 0 to 9 are the first block of 10. Use step // every.",
        """
        def step_decay(step, lr0=2.5, drop=0.5, every=10):
            return lr0 * drop ** ((step + 1) // every)
        """),
    Mistake(
        "step_decay", "halving at step 0",
        "The first block uses lr0 itself: drop ** 0 = 1. Use drop ** (step // every).",
        """
        def step_decay(step, lr0=2.5, drop=0.5, every=10):
            return lr0 * drop ** (step // every + 1)
        """),
    # --- numerical_gradient ------------------------------------------------------
    Mistake(
        "numerical_gradient", "forward differences instead of centred",
        "(f(w + h) - f(w)) / h has an error of order h; (f(w + h) - f(w - h)) / (2h) of order h**2.",
        """
        def numerical_gradient(f, w, h=1e-5):
            w = np.array(w, dtype=float)
            gradient = np.zeros_like(w)
            f_w = f(w)
            for index in np.ndindex(w.shape):
                original = w[index]
                w[index] = original + h
                gradient[index] = (f(w) - f_w) / h
                w[index] = original
            return gradient
        """),
    Mistake(
        "numerical_gradient", "w left perturbed",
        "Restore each entry after nudging it (or work on a copy): the caller's w must be unchanged.",
        """
        def numerical_gradient(f, w, h=1e-5):
            gradient = np.zeros_like(w, dtype=float)
            for index in np.ndindex(w.shape):
                original = w[index]
                w[index] = original + h
                f_plus = f(w)
                w[index] = original - h
                f_minus = f(w)
                gradient[index] = (f_plus - f_minus) / (2 * h)
            return gradient
        """),
    Mistake(
        "numerical_gradient", "divided by h instead of 2h",
        "The two points w + h and w - h are 2h apart: divide by 2 * h.",
        """
        def numerical_gradient(f, w, h=1e-5):
            w = np.array(w, dtype=float)
            gradient = np.zeros_like(w)
            for index in np.ndindex(w.shape):
                original = w[index]
                w[index] = original + h
                f_plus = f(w)
                w[index] = original - h
                f_minus = f(w)
                w[index] = original
                gradient[index] = (f_plus - f_minus) / h
            return gradient
        """),
    # --- softmax_regression_grad -------------------------------------------------
    Mistake(
        "softmax_regression_grad", "missing 1/n",
        "The loss is a mean over the n examples, so is its gradient: -(1/n) E^T X.",
        """
        def softmax_regression_grad(W, X, y):
            n = len(y)
            scores = X @ W.T
            scores = scores - scores.max(axis=1, keepdims=True)
            P = np.exp(scores)
            P /= P.sum(axis=1, keepdims=True)
            loss = -np.mean(np.log(P[np.arange(n), y]))
            Y = np.zeros_like(P)
            Y[np.arange(n), y] = 1.0
            return float(loss), -((Y - P).T @ X)
        """),
    Mistake(
        "softmax_regression_grad", "E = P - Y (sign)",
        "E is the error Y - P, one-hot labels minus probabilities, and the gradient is -(1/n) E^T X.",
        """
        def softmax_regression_grad(W, X, y):
            n = len(y)
            scores = X @ W.T
            scores = scores - scores.max(axis=1, keepdims=True)
            P = np.exp(scores)
            P /= P.sum(axis=1, keepdims=True)
            loss = -np.mean(np.log(P[np.arange(n), y]))
            Y = np.zeros_like(P)
            Y[np.arange(n), y] = 1.0
            return float(loss), -((P - Y).T @ X) / n
        """),
    Mistake(
        "softmax_regression_grad", "dW transposed",
        "A gradient has the shape of its parameter: W is (K, d), so dW = -(1/n) E^T X is (K, d), not (d, K).",
        """
        def softmax_regression_grad(W, X, y):
            n = len(y)
            scores = X @ W.T
            scores = scores - scores.max(axis=1, keepdims=True)
            P = np.exp(scores)
            P /= P.sum(axis=1, keepdims=True)
            loss = -np.mean(np.log(P[np.arange(n), y]))
            Y = np.zeros_like(P)
            Y[np.arange(n), y] = 1.0
            return float(loss), -(X.T @ (Y - P)) / n
        """),
    # --- minibatches -------------------------------------------------------------
    Mistake(
        "minibatches", "batches without shuffling",
        "Draw a new order each epoch with rng.permutation(n); range(n) keeps the data's order.",
        """
        def minibatches(n, batch_size, rng):
            order = np.arange(n)
            return [order[start:start + batch_size] for start in range(0, n, batch_size)]
        """),
    Mistake(
        "minibatches", "dropped the last partial batch",
        "Keep the last, smaller batch: range(0, n, batch_size) gives its start too.",
        """
        def minibatches(n, batch_size, rng):
            order = rng.permutation(n)
            return [order[start:start + batch_size] for start in range(0, n - batch_size + 1, batch_size)]
        """),
    Mistake(
        "minibatches", "the same order every epoch",
        "Use the generator you are given, rng.permutation(n): its state moves on between calls, so "
        "every epoch gets a new order. A generator made inside the function restarts each time.",
        """
        def minibatches(n, batch_size, rng):
            order = np.random.default_rng(0).permutation(n)
            return [order[start:start + batch_size] for start in range(0, n, batch_size)]
        """),
]
