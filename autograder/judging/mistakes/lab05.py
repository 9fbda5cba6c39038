"""Mistake catalogue of lab 05, gradient descent.

Over 400 lines because it is one lab's catalogue, a few mistakes for each of its exercises,
each the whole code a student might write and the message that student should read.
"""
from autograder.judging.mistakes import Mistake

MISTAKES = [
    # --- gradient_descent --------------------------------------------------------
    Mistake(
        "gradient_descent", "+ instead of - (gradient ascent)",
        "The gradient points uphill; descent steps against it, subtracting lr times the gradient. Adding it "
        "climbs (gradient ascent).",
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
        "Assigning w0 to a new name does not copy it: an in-place update then changes the caller's array. "
        "Start from a float copy of w0.",
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
        "gradient_descent", "every row of the trajectory is one array",
        "A list holds references: appending w, then changing w in place, changes every entry already "
        "appended, so all the rows end up as the last point. Keep a copy of each point.",
        """
        def gradient_descent(grad, w0, lr, n_steps):
            w = np.array(w0, dtype=float)
            trajectory = [w]
            for _ in range(n_steps):
                w -= lr * grad(w)
                trajectory.append(w)
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
        "Take n_steps steps; with w0 in front the trajectory has n_steps + 1 points.",
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
        "Steps are counted from 0: steps 0 to 9 are the first block of 10, so the rate first changes at "
        "step 10.",
        """
        def step_decay(step, lr0=2.5, drop=0.5, every=10):
            return lr0 * drop ** ((step + 1) // every)
        """),
    Mistake(
        "step_decay", "halving at step 0",
        "The first block uses lr0 itself (drop to the power 0 is 1): the exponent counts the blocks completed "
        "before this step, 0 during the first.",
        """
        def step_decay(step, lr0=2.5, drop=0.5, every=10):
            return lr0 * drop ** (step // every + 1)
        """),
    Mistake(
        "step_decay", "smooth exponential decay instead of steps",
        "A step schedule keeps the rate constant for `every` steps, then multiplies it by drop: the "
        "exponent is the number of whole blocks done, an integer, not step / every.",
        """
        def step_decay(step, lr0=2.5, drop=0.5, every=10):
            return lr0 * drop ** (step / every)
        """),
    Mistake(
        "step_decay", "the schedule's arguments ignored",
        "lr0, drop and every are arguments: the notes' values are only their defaults. Use the "
        "values the caller gives.",
        """
        def step_decay(step, lr0=2.5, drop=0.5, every=10):
            return 2.5 * 0.5 ** (step // 10)
        """),
    # --- numerical_gradient ------------------------------------------------------
    Mistake(
        "numerical_gradient", "forward differences instead of centred",
        "The one-sided difference, from w to w + h, has an error of order h; the centred one, from w - h to "
        "w + h, divided by their distance 2h, has an error of order h squared.",
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
        "numerical_gradient", "each weight left nudged while the next is measured",
        "Each partial derivative moves one weight and holds all the others where they were: put every "
        "weight back before you nudge the next one. A function whose weights interact shows the difference.",
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
                gradient[index] = (f_plus - f_minus) / (2 * h)
            return gradient
        """),
    Mistake(
        "numerical_gradient", "divided by h instead of 2h",
        "The two points w + h and w - h are 2h apart: the slope divides by that distance.",
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
    Mistake(
        "numerical_gradient", "the step h it is given ignored",
        "h is an argument: perturb each weight by the h the caller gives (1e-5 is only its default), "
        "and divide by 2h with that same h.",
        """
        def numerical_gradient(f, w, h=1e-5):
            w = np.array(w, dtype=float)
            gradient = np.zeros_like(w)
            for index in np.ndindex(w.shape):
                original = w[index]
                w[index] = original + 1e-5
                f_plus = f(w)
                w[index] = original - 1e-5
                f_minus = f(w)
                w[index] = original
                gradient[index] = (f_plus - f_minus) / 2e-5
            return gradient
        """),
    # --- softmax_regression_grad -------------------------------------------------
    Mistake(
        "softmax_regression_grad", "missing 1/n",
        "The loss is a mean over the n examples, so is its gradient: the sum over the examples is divided by n.",
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
        "softmax_regression_grad", "gradient of the wrong sign",
        "The gradient has the wrong sign. Raising the correct class's score lowers the loss, so the loss's "
        "derivative with respect to that score is negative (its probability minus 1), and the notes' E, the "
        "error, is the one-hot labels minus the probabilities. A numerical gradient shows the sign.",
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
        "A gradient has the shape of its parameter: W is (K, d), so dW must be (K, d) too, not (d, K).",
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
    Mistake(
        "softmax_regression_grad", "no max subtraction (overflow)",
        "Scores of a few hundred overflow the exponential (inf / inf is nan). Subtract each row's largest "
        "score before exponentiating: the probabilities do not change.",
        """
        def softmax_regression_grad(W, X, y):
            n = len(y)
            P = np.exp(X @ W.T)
            P /= P.sum(axis=1, keepdims=True)
            loss = -np.mean(np.log(P[np.arange(n), y]))
            Y = np.zeros_like(P)
            Y[np.arange(n), y] = 1.0
            return float(loss), -((Y - P).T @ X) / n
        """),
    # --- minibatches -------------------------------------------------------------
    Mistake(
        "minibatches", "batches without shuffling",
        "Draw a new random order of the n indices each epoch, from the generator you are given; taking the "
        "indices in their natural order keeps the data's order.",
        """
        def minibatches(n, batch_size, rng):
            order = np.arange(n)
            return [order[start:start + batch_size] for start in range(0, n, batch_size)]
        """),
    Mistake(
        "minibatches", "dropped the last partial batch",
        "Keep the last, smaller batch: the batch starts must run all the way up to n, not stop at the last "
        "full batch.",
        """
        def minibatches(n, batch_size, rng):
            order = rng.permutation(n)
            return [order[start:start + batch_size] for start in range(0, n - batch_size + 1, batch_size)]
        """),
    Mistake(
        "minibatches", "the same order every epoch",
        "Use the generator you are given: its state moves on between calls, so every epoch gets a new "
        "order. A generator made inside the function restarts each time.",
        """
        def minibatches(n, batch_size, rng):
            order = np.random.default_rng(0).permutation(n)
            return [order[start:start + batch_size] for start in range(0, n, batch_size)]
        """),
    Mistake(
        "minibatches", "numpy's global generator instead of rng",
        "Draw the permutation from the generator you are given. The functions of np.random use NumPy's "
        "global generator: the caller's seed then decides nothing and runs cannot be reproduced.",
        """
        def minibatches(n, batch_size, rng):
            order = np.random.permutation(n)
            return [order[start:start + batch_size] for start in range(0, n, batch_size)]
        """),
    Mistake(
        "minibatches", "a generator of its own instead of rng",
        "Draw the permutation from the rng you are given: a generator made inside the function ignores "
        "the caller's seed, so the same seed does not give the same batches.",
        """
        def minibatches(n, batch_size, rng):
            order = np.random.default_rng().permutation(n)
            return [order[start:start + batch_size] for start in range(0, n, batch_size)]
        """),
    Mistake(
        "minibatches", "an empty last batch",
        "When batch_size divides n there is no smaller batch, and one batch more ends with an empty one. Let "
        "the batch starts run from 0 up to, not including, n, in steps of batch_size.",
        """
        def minibatches(n, batch_size, rng):
            order = rng.permutation(n)
            return [order[i * batch_size:(i + 1) * batch_size] for i in range(n // batch_size + 1)]
        """),
    # --- sgd_momentum -------------------------------------------------------------
    Mistake(
        "sgd_momentum", "momentum with the wrong sign",
        "The velocity keeps a fraction `momentum` of itself, with its own sign, and adds the new downhill "
        "step: with the sign flipped, the previous velocity is taken away and the walk brakes where it "
        "should build up speed.",
        """
        def sgd_momentum(w, dw, config=None):
            config = dict(config or {})
            config.setdefault("learning_rate", 1e-2)
            config.setdefault("momentum", 0.9)
            v = config.get("velocity", np.zeros_like(w))
            v = -config["momentum"] * v - config["learning_rate"] * dw
            config["velocity"] = v
            return w + v, config
        """),
    Mistake(
        "sgd_momentum", "velocity restarted at zero every call",
        "The velocity is the state that carries from one step to the next: read it from config, and put the "
        "new one back. Started at zero on every call, it never builds up, and the rule is plain descent.",
        """
        def sgd_momentum(w, dw, config=None):
            config = dict(config or {})
            config.setdefault("learning_rate", 1e-2)
            config.setdefault("momentum", 0.9)
            v = config["momentum"] * np.zeros_like(w) - config["learning_rate"] * dw
            config["velocity"] = v
            return w + v, config
        """),
    Mistake(
        "sgd_momentum", "the step taken with the old velocity",
        "Update the velocity first, with this step's gradient, then move by the new velocity: moving by "
        "the old one lags a step behind (the first step does not move at all).",
        """
        def sgd_momentum(w, dw, config=None):
            config = dict(config or {})
            config.setdefault("learning_rate", 1e-2)
            config.setdefault("momentum", 0.9)
            v = config.get("velocity", np.zeros_like(w))
            next_w = w + v
            config["velocity"] = config["momentum"] * v - config["learning_rate"] * dw
            return next_w, config
        """),
    Mistake(
        "sgd_momentum", "the update applied to w in place",
        "The rule returns new weights and leaves the array it was given as it was: an in-place update "
        "changes the caller's array too (a saved copy of the weights, the previous step kept for a plot).",
        """
        def sgd_momentum(w, dw, config=None):
            config = dict(config or {})
            config.setdefault("learning_rate", 1e-2)
            config.setdefault("momentum", 0.9)
            v = config["momentum"] * config.get("velocity", np.zeros_like(w)) - config["learning_rate"] * dw
            config["velocity"] = v
            w += v
            return w, config
        """),
    Mistake(
        "sgd_momentum", "the config given changed in place",
        "The rule returns a new config and leaves the one it was given as it was: the caller may keep it "
        "(the settings of a run, the state before a step). Fill in the defaults and the new state on a copy.",
        """
        def sgd_momentum(w, dw, config=None):
            config = {} if config is None else config
            config.setdefault("learning_rate", 1e-2)
            config.setdefault("momentum", 0.9)
            v = config["momentum"] * config.get("velocity", np.zeros_like(w)) - config["learning_rate"] * dw
            config["velocity"] = v
            return w + v, config
        """),
    # --- rmsprop ------------------------------------------------------------------
    Mistake(
        "rmsprop", "epsilon inside the square root",
        "Epsilon guards the division: it is added to the root of the running mean, not under the root. "
        "Under the root it is as large as a squared gradient of 1e-4, and small gradients take steps far "
        "smaller than they should.",
        """
        def rmsprop(w, dw, config=None):
            config = dict(config or {})
            config.setdefault("learning_rate", 1e-2)
            config.setdefault("decay_rate", 0.99)
            config.setdefault("epsilon", 1e-8)
            cache = config.get("cache", np.zeros_like(w))
            cache = config["decay_rate"] * cache + (1 - config["decay_rate"]) * dw ** 2
            config["cache"] = cache
            return w - config["learning_rate"] * dw / np.sqrt(cache + config["epsilon"]), config
        """),
    Mistake(
        "rmsprop", "the gradient averaged, not its square",
        "RMSprop scales each step by the root of the mean *square* of recent gradients, a size that is "
        "never negative; a running mean of the gradients themselves can be negative, or near zero, and "
        "its root is no size.",
        """
        def rmsprop(w, dw, config=None):
            config = dict(config or {})
            config.setdefault("learning_rate", 1e-2)
            config.setdefault("decay_rate", 0.99)
            config.setdefault("epsilon", 1e-8)
            cache = config.get("cache", np.zeros_like(w))
            cache = config["decay_rate"] * cache + (1 - config["decay_rate"]) * np.abs(dw)
            config["cache"] = cache
            return w - config["learning_rate"] * dw / (np.sqrt(cache) + config["epsilon"]), config
        """),
    Mistake(
        "rmsprop", "a running sum, not a running mean",
        "A running mean weighs the new squared gradient by 1 - decay_rate, so that the weights add up to "
        "1; adding it whole makes the cache a sum that grows, and the steps shrink.",
        """
        def rmsprop(w, dw, config=None):
            config = dict(config or {})
            config.setdefault("learning_rate", 1e-2)
            config.setdefault("decay_rate", 0.99)
            config.setdefault("epsilon", 1e-8)
            cache = config.get("cache", np.zeros_like(w))
            cache = config["decay_rate"] * cache + dw ** 2
            config["cache"] = cache
            return w - config["learning_rate"] * dw / (np.sqrt(cache) + config["epsilon"]), config
        """),
    Mistake(
        "rmsprop", "the cache restarted every call",
        "The cache is state: read it from config and put the new one back. Restarted at zero on every "
        "call, it holds only this step's gradient, and every step has the size of the learning rate.",
        """
        def rmsprop(w, dw, config=None):
            config = dict(config or {})
            config.setdefault("learning_rate", 1e-2)
            config.setdefault("decay_rate", 0.99)
            config.setdefault("epsilon", 1e-8)
            cache = (1 - config["decay_rate"]) * dw ** 2
            config["cache"] = cache
            return w - config["learning_rate"] * dw / (np.sqrt(cache) + config["epsilon"]), config
        """),
    # --- adam ---------------------------------------------------------------------
    Mistake(
        "adam", "no bias correction",
        "m and v start at zero, so their first values are a fraction (1 - beta) of what they estimate: "
        "divide each by 1 - beta to the power t, the step count, before using them.",
        """
        def adam(w, dw, config=None):
            config = dict(config or {})
            for key, value in {"learning_rate": 1e-3, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8}.items():
                config.setdefault(key, value)
            m = config["beta1"] * config.get("m", np.zeros_like(w)) + (1 - config["beta1"]) * dw
            v = config["beta2"] * config.get("v", np.zeros_like(w)) + (1 - config["beta2"]) * dw ** 2
            config.update(m=m, v=v, t=config.get("t", 0) + 1)
            return w - config["learning_rate"] * m / (np.sqrt(v) + config["epsilon"]), config
        """),
    Mistake(
        "adam", "epsilon inside the square root",
        "Epsilon guards the division: it is added to the root of the corrected second moment, not under "
        "the root, where it outweighs squared gradients below about 1e-4 and shrinks their steps.",
        """
        def adam(w, dw, config=None):
            config = dict(config or {})
            for key, value in {"learning_rate": 1e-3, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8}.items():
                config.setdefault(key, value)
            t = config.get("t", 0) + 1
            m = config["beta1"] * config.get("m", np.zeros_like(w)) + (1 - config["beta1"]) * dw
            v = config["beta2"] * config.get("v", np.zeros_like(w)) + (1 - config["beta2"]) * dw ** 2
            config.update(m=m, v=v, t=t)
            m_hat, v_hat = m / (1 - config["beta1"] ** t), v / (1 - config["beta2"] ** t)
            return w - config["learning_rate"] * m_hat / np.sqrt(v_hat + config["epsilon"]), config
        """),
    Mistake(
        "adam", "the step count not carried between calls",
        "t counts the steps taken so far, across calls: it is state like m and v. Restarted every call, "
        "the bias correction of the first step is applied at every step and inflates m and v once they "
        "are no longer biased.",
        """
        def adam(w, dw, config=None):
            config = dict(config or {})
            for key, value in {"learning_rate": 1e-3, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8}.items():
                config.setdefault(key, value)
            t = 1
            m = config["beta1"] * config.get("m", np.zeros_like(w)) + (1 - config["beta1"]) * dw
            v = config["beta2"] * config.get("v", np.zeros_like(w)) + (1 - config["beta2"]) * dw ** 2
            config.update(m=m, v=v)
            m_hat, v_hat = m / (1 - config["beta1"] ** t), v / (1 - config["beta2"] ** t)
            return w - config["learning_rate"] * m_hat / (np.sqrt(v_hat) + config["epsilon"]), config
        """),
    Mistake(
        "adam", "the update applied to w in place",
        "The rule returns new weights and leaves the array it was given as it was: an in-place update "
        "changes the caller's array too.",
        """
        def adam(w, dw, config=None):
            config = dict(config or {})
            for key, value in {"learning_rate": 1e-3, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8}.items():
                config.setdefault(key, value)
            t = config.get("t", 0) + 1
            m = config["beta1"] * config.get("m", np.zeros_like(w)) + (1 - config["beta1"]) * dw
            v = config["beta2"] * config.get("v", np.zeros_like(w)) + (1 - config["beta2"]) * dw ** 2
            config.update(m=m, v=v, t=t)
            m_hat, v_hat = m / (1 - config["beta1"] ** t), v / (1 - config["beta2"] ** t)
            w -= config["learning_rate"] * m_hat / (np.sqrt(v_hat) + config["epsilon"])
            return w, config
        """),
]
