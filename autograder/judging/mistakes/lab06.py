"""Mistake catalogue of lab 06, backpropagation."""
from autograder.judging.mistakes import Mistake

MISTAKES = [
    # --- graph_forward_backward --------------------------------------------------
    Mistake(
        "graph_forward_backward", "dfda missing the factor x",
        "At a product node, each input's local derivative is the other input: the gradient reaching a must "
        "carry the factor x.",
        """
        def graph_forward_backward(x, a, b):
            v = x * a + b
            df_dv = 2 * v
            return v ** 2, df_dv * a, df_dv, df_dv
        """),
    Mistake(
        "graph_forward_backward", "forgot the 2 of the square",
        "The local derivative of the square v² is 2v, not v: every gradient below the square node carries the "
        "factor 2.",
        """
        def graph_forward_backward(x, a, b):
            v = x * a + b
            return v ** 2, v * a, v * x, v
        """),
    Mistake(
        "graph_forward_backward", "the product node's local derivatives swapped",
        "At the product node u = x a, moving x by a little moves u by a times as much: the local derivative "
        "with respect to one input is the other input, not the input itself.",
        """
        def graph_forward_backward(x, a, b):
            v = x * a + b
            df_dv = 2 * v
            return v ** 2, df_dv * x, df_dv * a, df_dv
        """),
    # --- linear_forward ----------------------------------------------------------
    Mistake(
        "linear_forward", "bias missing",
        "The linear layer's output includes the bias, added to every example (row) of the batch.",
        """
        def linear_forward(x, W, b):
            return x @ W, (x, W, b)
        """),
    # --- linear_backward ---------------------------------------------------------
    Mistake(
        "linear_backward", "db not summed over the batch",
        "b is added to every example's row, so its gradient collects the upstream gradients of all the examples: "
        "one number per unit, shape (h,), like b, not one row per example.",
        """
        def linear_backward(dout, cache):
            x, W, b = cache
            return dout @ W.T, x.T @ dout, dout
        """),
    Mistake(
        "linear_backward", "dW transposed",
        "dW must have the shape of W, (d, h); yours is its transpose. Let the shapes decide which factor of the "
        "product comes first.",
        """
        def linear_backward(dout, cache):
            x, W, b = cache
            return dout @ W.T, dout.T @ x, dout.sum(axis=0)
        """),
    Mistake(
        "linear_backward", "dW missing x",
        "Each weight W_kj multiplies the inputs x_ik, so its gradient weighs the upstream gradient by the layer's "
        "input: the input is missing from yours.",
        """
        def linear_backward(dout, cache):
            x, W, b = cache
            return dout @ W.T, np.tile(dout.sum(axis=0), (W.shape[0], 1)), dout.sum(axis=0)
        """),
    Mistake(
        "linear_backward", "dx using W instead of W^T",
        "dx must have the shape of x, (n, d): each input x_ik reaches out_ij through W_kj, so the weights enter "
        "transposed, not as they are.",
        """
        def linear_backward(dout, cache):
            x, W, b = cache
            return dout @ W, x.T @ dout, dout.sum(axis=0)
        """),
    # --- relu_forward, relu_backward ---------------------------------------------
    Mistake(
        "relu_forward", "relu forward returns the mask",
        "The forward output is max(0, x); the 0/1 mask belongs to the backward pass.",
        """
        def relu_forward(x):
            return (x > 0).astype(float), x
        """),
    Mistake(
        "relu_backward", "gradient passed where the input was 0",
        "ReLU has no derivative at an input of exactly 0; the convention (lab 02, PyTorch) is 0 there: only "
        "strictly positive inputs pass gradient.",
        """
        def relu_backward(dout, cache):
            return dout * (cache >= 0)
        """),
    Mistake(
        "relu_backward", "gradient passed where the input was negative",
        "Units that were off in the forward pass (input 0 or below) pass no gradient: their local derivative is 0.",
        """
        def relu_backward(dout, cache):
            return dout.copy()
        """),
    Mistake(
        "relu_backward", "dout ignored (the local derivative only)",
        "The chain rule: the gradient of the input is the local derivative (0 or 1) times the upstream gradient "
        "dout, not the local derivative alone.",
        """
        def relu_backward(dout, cache):
            return (cache > 0).astype(float)
        """),
    # --- softmax_cross_entropy ---------------------------------------------------
    Mistake(
        "softmax_cross_entropy", "dlogits missing the 1/n",
        "The loss is a mean over the n examples, so each example's contribution to the gradient carries the "
        "factor 1/n too.",
        """
        def softmax_cross_entropy(logits, y):
            n = len(y)
            shifted = logits - logits.max(axis=1, keepdims=True)
            log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
            dlogits = np.exp(log_probs)
            dlogits[np.arange(n), y] -= 1.0
            return float(-log_probs[np.arange(n), y].mean()), dlogits
        """),
    Mistake(
        "softmax_cross_entropy", "dlogits missing the -1 at the correct class",
        "The loss of an example is -z_y plus the log-sum-exp of its logits: the softmax probabilities come from "
        "the second term, and the first adds -1 at the correct class.",
        """
        def softmax_cross_entropy(logits, y):
            n = len(y)
            shifted = logits - logits.max(axis=1, keepdims=True)
            log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
            return float(-log_probs[np.arange(n), y].mean()), np.exp(log_probs) / n
        """),
    Mistake(
        "softmax_cross_entropy", "no max subtraction (overflow)",
        "exp of a logit above about 709.78 overflows to inf (inf / inf is nan). Shift each row by its largest "
        "logit first: softmax does not change.",
        """
        def softmax_cross_entropy(logits, y):
            n = len(y)
            P = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
            loss = -np.mean(np.log(P[np.arange(n), y]))
            dlogits = P.copy()
            dlogits[np.arange(n), y] -= 1.0
            return float(loss), dlogits / n
        """),
    Mistake(
        "softmax_cross_entropy", "log of the softmax (log 0 is -inf)",
        "A correct class far below the best logit has a probability that rounds to 0 (exp underflows below "
        "about -745), and log(0) = -inf: an infinite loss. Its log-probability comes straight from the "
        "shifted logits (the log-softmax), without forming the probability.",
        """
        def softmax_cross_entropy(logits, y):
            n = len(y)
            shifted = logits - logits.max(axis=1, keepdims=True)
            P = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
            loss = -np.mean(np.log(P[np.arange(n), y]))
            dlogits = P.copy()
            dlogits[np.arange(n), y] -= 1.0
            return float(loss), dlogits / n
        """),
    Mistake(
        "softmax_cross_entropy", "one maximum for the whole batch, not one per row",
        "Each row is a softmax of its own: shift each row by its own largest logit. With one maximum for "
        "the whole batch, a row far below it has every exponential rounded to 0.",
        """
        def softmax_cross_entropy(logits, y):
            n = len(y)
            shifted = logits - logits.max()
            P = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
            loss = -np.mean(np.log(P[np.arange(n), y]))
            dlogits = P.copy()
            dlogits[np.arange(n), y] -= 1.0
            return float(loss), dlogits / n
        """),
    # --- mlp_loss_and_grads ------------------------------------------------------
    Mistake(
        "mlp_loss_and_grads", "ReLU skipped in the backward pass",
        "Backward goes through every layer of the forward pass, in reverse: relu_backward sits between "
        "the two linear_backward calls. Only the first layer's gradients were wrong.",
        """
        def mlp_loss_and_grads(params, X, y):
            a1, linear1 = linear_forward(X, params["W1"], params["b1"])
            h1, relu1 = relu_forward(a1)
            scores, linear2 = linear_forward(h1, params["W2"], params["b2"])
            loss, dscores = softmax_cross_entropy(scores, y)
            dh1, dW2, db2 = linear_backward(dscores, linear2)
            _, dW1, db1 = linear_backward(dh1, linear1)
            return loss, {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}
        """),
    Mistake(
        "mlp_loss_and_grads", "second layer's cache built from the pre-activation",
        "The second linear layer's input is the ReLU output h1, so its cache (and dW2) must use h1, "
        "not the pre-activation a1. Only the second layer's weight gradient was wrong.",
        """
        def mlp_loss_and_grads(params, X, y):
            a1, linear1 = linear_forward(X, params["W1"], params["b1"])
            h1, relu1 = relu_forward(a1)
            scores, _ = linear_forward(h1, params["W2"], params["b2"])
            loss, dscores = softmax_cross_entropy(scores, y)
            _, linear2 = linear_forward(a1, params["W2"], params["b2"])
            dh1, dW2, db2 = linear_backward(dscores, linear2)
            da1 = relu_backward(dh1, relu1)
            _, dW1, db1 = linear_backward(da1, linear1)
            return loss, {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}
        """),
    # --- init_weights ------------------------------------------------------------
    Mistake(
        "init_weights", "He without its factor 2",
        "A ReLU passes only the positive half of its input, so it halves the second moment at every layer; "
        "He's variance makes up for that halving, which Xavier's derivation for tanh does not have.",
        """
        def init_weights(shapes, scheme, rng):
            weights = []
            for fan_in, fan_out in shapes:
                variance = {"zeros": 0.0, "xavier": 2 / (fan_in + fan_out), "he": 1 / fan_in}[scheme]
                weights.append(rng.normal(0.0, np.sqrt(variance), size=(fan_in, fan_out)))
            return weights
        """),
    Mistake(
        "init_weights", "fan_out in place of fan_in",
        "In the forward pass each output sums fan_in products: the number of inputs per unit is what the "
        "variance of the forward signal scales with.",
        """
        def init_weights(shapes, scheme, rng):
            weights = []
            for fan_in, fan_out in shapes:
                variance = {"zeros": 0.0, "xavier": 2 / (fan_in + fan_out), "he": 2 / fan_out}[scheme]
                weights.append(rng.normal(0.0, np.sqrt(variance), size=(fan_in, fan_out)))
            return weights
        """),
    Mistake(
        "init_weights", "Xavier with fan_in alone",
        "Glorot and Bengio keep the variance of the signal forward (which asks 1 / fan_in) and of the gradient "
        "backward (1 / fan_out); a layer whose fans differ cannot have both, and Xavier takes a compromise "
        "between the two.",
        """
        def init_weights(shapes, scheme, rng):
            weights = []
            for fan_in, fan_out in shapes:
                variance = {"zeros": 0.0, "xavier": 1 / fan_in, "he": 2 / fan_in}[scheme]
                weights.append(rng.normal(0.0, np.sqrt(variance), size=(fan_in, fan_out)))
            return weights
        """),
    Mistake(
        "init_weights", "the schemes swapped",
        "Xavier is derived for activations that are linear around 0 (tanh), He for ReLU, which zeroes half "
        "of its inputs: each scheme's variance belongs to its own kind of activation.",
        """
        def init_weights(shapes, scheme, rng):
            weights = []
            for fan_in, fan_out in shapes:
                variance = {"zeros": 0.0, "he": 2 / (fan_in + fan_out), "xavier": 2 / fan_in}[scheme]
                weights.append(rng.normal(0.0, np.sqrt(variance), size=(fan_in, fan_out)))
            return weights
        """),
    Mistake(
        "init_weights", "the variance used as the standard deviation",
        "The schemes give a variance; a normal distribution's scale parameter is the standard deviation, its "
        "square root.",
        """
        def init_weights(shapes, scheme, rng):
            weights = []
            for fan_in, fan_out in shapes:
                variance = {"zeros": 0.0, "xavier": 2 / (fan_in + fan_out), "he": 2 / fan_in}[scheme]
                weights.append(rng.normal(0.0, variance, size=(fan_in, fan_out)))
            return weights
        """),
    Mistake(
        "init_weights", "the uniform bound used as the standard deviation",
        "A uniform distribution on [-a, a] has variance a² / 3: the bound a of a uniform draw is not the "
        "standard deviation of a normal one.",
        """
        def init_weights(shapes, scheme, rng):
            weights = []
            for fan_in, fan_out in shapes:
                variance = {"zeros": 0.0, "xavier": 2 / (fan_in + fan_out), "he": 2 / fan_in}[scheme]
                weights.append(rng.normal(0.0, np.sqrt(3 * variance), size=(fan_in, fan_out)))
            return weights
        """),
    Mistake(
        "init_weights", "weights not centred on 0",
        "The derivation of the variance assumes weights of mean 0, half of them negative: a uniform draw must "
        "be symmetric around 0.",
        """
        def init_weights(shapes, scheme, rng):
            weights = []
            for fan_in, fan_out in shapes:
                variance = {"zeros": 0.0, "xavier": 2 / (fan_in + fan_out), "he": 2 / fan_in}[scheme]
                weights.append(rng.uniform(0.0, np.sqrt(12 * variance), size=(fan_in, fan_out)))
            return weights
        """),
    Mistake(
        "init_weights", "one value for every weight",
        "Weights that are all equal make every hidden unit of a layer compute the same output and receive the "
        "same gradient, so they stay equal: the draws must be random.",
        """
        def init_weights(shapes, scheme, rng):
            weights = []
            for fan_in, fan_out in shapes:
                variance = {"zeros": 0.0, "xavier": 2 / (fan_in + fan_out), "he": 2 / fan_in}[scheme]
                weights.append(np.full((fan_in, fan_out), np.sqrt(variance)))
            return weights
        """),
    Mistake(
        "init_weights", "numpy's global generator instead of rng",
        "Draw from the generator you are given: that is what makes the same seed give the same network.",
        """
        def init_weights(shapes, scheme, rng):
            weights = []
            for fan_in, fan_out in shapes:
                variance = {"zeros": 0.0, "xavier": 2 / (fan_in + fan_out), "he": 2 / fan_in}[scheme]
                weights.append(np.random.normal(0.0, np.sqrt(variance), size=(fan_in, fan_out)))
            return weights
        """),
    Mistake(
        "init_weights", "a generator of its own instead of rng",
        "A generator made inside the function ignores the caller's seed: two runs with the same seed get "
        "different networks, and no experiment can be repeated. Draw from the generator you are given.",
        """
        def init_weights(shapes, scheme, rng):
            own = np.random.default_rng()
            weights = []
            for fan_in, fan_out in shapes:
                variance = {"zeros": 0.0, "xavier": 2 / (fan_in + fan_out), "he": 2 / fan_in}[scheme]
                weights.append(own.normal(0.0, np.sqrt(variance), size=(fan_in, fan_out)))
            return weights
        """),
    Mistake(
        "init_weights", "a fixed seed of its own",
        "A seed fixed inside the function gives every call, and every seed the caller chooses, the same "
        "weights: training from several seeds would compare one network with itself.",
        """
        def init_weights(shapes, scheme, rng):
            own = np.random.default_rng(0)
            weights = []
            for fan_in, fan_out in shapes:
                variance = {"zeros": 0.0, "xavier": 2 / (fan_in + fan_out), "he": 2 / fan_in}[scheme]
                weights.append(own.normal(0.0, np.sqrt(variance), size=(fan_in, fan_out)))
            return weights
        """),
]
