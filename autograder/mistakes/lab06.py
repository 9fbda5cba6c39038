"""Mistake catalogue of lab 06, backpropagation."""
from autograder.mistakes import Mistake

MISTAKES = [
    # --- graph_forward_backward --------------------------------------------------
    Mistake(
        "graph_forward_backward", "dfda missing the factor x",
        "At the node u = x a, the gradient flowing to a is multiplied by the other input: df/da = df/du * x.",
        """
        def graph_forward_backward(x, a, b):
            v = x * a + b
            df_dv = 2 * v
            return v ** 2, df_dv * a, df_dv, df_dv
        """),
    Mistake(
        "graph_forward_backward", "forgot the 2 of the square",
        "The local derivative of f = v**2 is 2 v: every gradient below the square carries the factor 2.",
        """
        def graph_forward_backward(x, a, b):
            v = x * a + b
            return v ** 2, v * a, v * x, v
        """),
    # --- linear_forward ----------------------------------------------------------
    Mistake(
        "linear_forward", "bias missing",
        "The linear layer is x W + b: add the bias (it broadcasts over the rows).",
        """
        def linear_forward(x, W, b):
            return x @ W, (x, W, b)
        """),
    # --- linear_backward ---------------------------------------------------------
    Mistake(
        "linear_backward", "db not summed over the batch",
        "b is added to every row, so its gradient is the sum of dout over the rows: dout.sum(axis=0), shape (h,).",
        """
        def linear_backward(dout, cache):
            x, W, b = cache
            return dout @ W.T, x.T @ dout, dout
        """),
    Mistake(
        "linear_backward", "dW transposed",
        "dW has the shape of W, (d, h): x.T @ dout, not dout.T @ x.",
        """
        def linear_backward(dout, cache):
            x, W, b = cache
            return dout @ W.T, dout.T @ x, dout.sum(axis=0)
        """),
    Mistake(
        "linear_backward", "dW missing x",
        "out = x W: the gradient of W multiplies dout by the layer's input, dW = x.T @ dout.",
        """
        def linear_backward(dout, cache):
            x, W, b = cache
            return dout @ W.T, np.tile(dout.sum(axis=0), (W.shape[0], 1)), dout.sum(axis=0)
        """),
    Mistake(
        "linear_backward", "dx using W instead of W^T",
        "dx has the shape of x, (n, d): dout (n, h) times W.T (h, d).",
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
        "ReLU's derivative is 0 at x = 0 (as in PyTorch): use x > 0, not x >= 0.",
        """
        def relu_backward(dout, cache):
            return dout * (cache >= 0)
        """),
    Mistake(
        "relu_backward", "gradient passed where the input was negative",
        "Units that were off in the forward pass (x <= 0) pass no gradient: multiply dout by the mask x > 0.",
        """
        def relu_backward(dout, cache):
            return dout.copy()
        """),
    Mistake(
        "relu_backward", "dout ignored (the local derivative only)",
        "relu_backward returns dL/dx = dL/dout times dout/dx: the 0/1 mask (the local derivative) "
        "multiplied by the upstream gradient dout, not the mask alone.",
        """
        def relu_backward(dout, cache):
            return (cache > 0).astype(float)
        """),
    # --- softmax_cross_entropy ---------------------------------------------------
    Mistake(
        "softmax_cross_entropy", "dlogits missing the 1/n",
        "The loss is a mean over the n examples: divide the gradient by n too, (P - Y) / n.",
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
        "The gradient is P - Y: subtract 1 at each example's correct class.",
        """
        def softmax_cross_entropy(logits, y):
            n = len(y)
            shifted = logits - logits.max(axis=1, keepdims=True)
            log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
            return float(-log_probs[np.arange(n), y].mean()), np.exp(log_probs) / n
        """),
    Mistake(
        "softmax_cross_entropy", "no max subtraction (overflow)",
        "exp of a logit above about 710 overflows (inf / inf is nan). Subtract each row's largest logit "
        "first: softmax does not change.",
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
        "A correct class far below the best logit gets a probability that rounds to 0, and log(0) is "
        "-inf: an infinite loss. Take the loss from the log-softmax, shifted - log(sum(exp(shifted))).",
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
]
