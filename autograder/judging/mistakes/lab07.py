"""Mistake catalogue of lab 07, dropout."""
from autograder.judging.mistakes import Mistake, reference_with

# train_mlp's mistakes are one or two lines away from a 30-line reference: each is written as
# the lines it changes in the solution's own train_mlp, which stays in one place.
FIRST_LINE = "sizes = [X.shape[1], *hidden, int(y.max()) + 1]"


def train_mlp_with(right: str, wrong: str) -> str:
    return reference_with("07_dropout", "train_mlp", right, wrong)


def _forward(mask: str, scale: str, eval_line: str = "if not train or p == 0:", header: str = "") -> str:
    """A dropout_forward with the given mask and scale expressions (mistakes differ there)."""
    return f"""
        def dropout_forward(x, p, train, rng):
            {header}
            {eval_line}
                return x, (None, p)
            if p == 1:
                return np.zeros_like(x), (np.zeros_like(x), p)
            mask = ({mask}) * ({scale})
            return x * mask, (mask, p)
        """


MISTAKES = [
    Mistake("dropout_forward", "no rescaling",
            "Inverted dropout divides the kept units by the keep probability during training, so that the "
            "expected activation stays x and nothing has to change at eval time.",
            _forward("rng.random(x.shape) >= p", "1.0")),
    Mistake("dropout_forward", "scaling by p",
            "p is the probability of dropping, not of keeping: kept units are divided by the keep probability, "
            "one minus p.",
            _forward("rng.random(x.shape) >= p", "p")),
    Mistake("dropout_forward", "scaling by the keep probability",
            "Multiplying by the keep probability is the notes' test-time rule (ERRATA 6): it shrinks the kept "
            "units instead of making up for the dropped ones. Inverted dropout divides by it during training.",
            _forward("rng.random(x.shape) >= p", "1 - p")),
    Mistake("dropout_forward", "p used as the keep probability",
            "In nn.Dropout(p), p is the probability of dropping a unit: about a fraction p of the entries must "
            "come out 0, not a fraction one minus p.",
            _forward("rng.random(x.shape) < p", "1 / p")),
    Mistake("dropout_forward", "dropping at eval time",
            "At eval time (train=False) dropout is the identity: nothing is dropped.",
            _forward("rng.random(x.shape) >= p", "1 / (1 - p)", eval_line="if p == 0:")),
    Mistake("dropout_forward", "a mask that is not redrawn",
            "Draw the mask from the rng you are given; a generator created inside the function restarts "
            "at each call and drops the same units every time.",
            _forward("rng.random(x.shape) >= p", "1 / (1 - p)", header="rng = np.random.default_rng(0)")),
    Mistake("dropout_forward", "nan at p = 1",
            "With p = 1 the keep probability is 0 and dividing by it gives nan: every unit is dropped, so the "
            "output is all zeros; deal with that case before dividing.",
            """
            def dropout_forward(x, p, train, rng):
                if not train or p == 0:
                    return x, (None, p)
                mask = (rng.random(x.shape) >= p) / (1 - p)
                return x * mask, (mask, p)
            """),
    Mistake("dropout_forward", "numpy's global generator instead of rng",
            "Draw the mask from the generator you are given. np.random's functions use NumPy's "
            "global generator: the caller's seed then decides nothing and a run cannot be reproduced.",
            _forward("np.random.random(x.shape) >= p", "1 / (1 - p)")),
    Mistake("dropout_forward", "a generator of its own instead of rng",
            "Draw the mask from the rng you are given: a generator made inside the function ignores the "
            "caller's seed, so the same seed does not give the same mask.",
            _forward("rng.random(x.shape) >= p", "1 / (1 - p)", header="rng = np.random.default_rng()")),
    Mistake("dropout_forward", "scaling at eval time",
            "Inverted dropout already divides by 1 - p during training, so eval time needs no correction: "
            "with train=False the output is x itself. Multiplying by the keep probability there is the notes' "
            "rule for dropout without the training-time scaling (ERRATA 6).",
            """
            def dropout_forward(x, p, train, rng):
                if not train:
                    return x * (1 - p), (None, p)
                if p == 0:
                    return x, (None, p)
                if p == 1:
                    return np.zeros_like(x), (np.zeros_like(x), p)
                mask = (rng.random(x.shape) >= p) / (1 - p)
                return x * mask, (mask, p)
            """),
    Mistake("dropout_forward", "one mask shared by the whole batch",
            "Each entry is dropped independently: draw a mask of x's full shape, so that every example "
            "loses its own units, not the same ones.",
            _forward("rng.random(x.shape[-1]) >= p", "1 / (1 - p)")),
    Mistake("dropout_forward", "dropout applied to x in place",
            "Modifying x in place overwrites the caller's activations (which the backward pass of the layer "
            "below may still need): the output must be a new array.",
            """
            def dropout_forward(x, p, train, rng):
                if not train or p == 0:
                    return x, (None, p)
                if p == 1:
                    return np.zeros_like(x), (np.zeros_like(x), p)
                mask = (rng.random(x.shape) >= p) / (1 - p)
                x *= mask
                return x, (mask, p)
            """),
    Mistake("dropout_backward", "backward ignoring the mask",
            "Dropped units did not contribute to the output, so they get no gradient: their local derivative is 0.",
            """
            def dropout_backward(dout, cache):
                mask, p = cache
                if mask is None:
                    return dout
                return dout / (1 - p)
            """),
    Mistake("dropout_backward", "backward ignoring the scale",
            "The forward pass multiplied kept units by the inverse of the keep probability: that factor is their "
            "local derivative, so it multiplies their gradient too.",
            """
            def dropout_backward(dout, cache):
                mask, p = cache
                if mask is None:
                    return dout
                return dout * (mask != 0)
            """),
    Mistake("dropout_backward", "a mask of None not handled",
            "At eval time (or p = 0) the forward pass drops nothing and caches no mask (None): the "
            "gradient then passes unchanged.",
            """
            def dropout_backward(dout, cache):
                mask, p = cache
                return dout * mask
            """),

    # --- l2_penalty --------------------------------------------------------------
    Mistake("l2_penalty", "biases penalised too",
            "The penalty is on the weights: biases only shift a unit's output, do not make the function wigglier, "
            "and are left free by convention (and by the contract).",
            """
            def l2_penalty(params, lam):
                weights = [name for name in params if name.startswith("W")]
                penalty = lam * sum(np.sum(value ** 2) for value in params.values())
                grads = {name: 2 * lam * value for name, value in params.items()}
                return penalty, grads
            """),
    Mistake("l2_penalty", "the gradient without its factor 2",
            "Differentiate the scalar case first: the derivative of lam times w squared carries the power down as "
            "a factor.",
            """
            def l2_penalty(params, lam):
                weights = [name for name in params if name.startswith("W")]
                penalty = lam * sum(np.sum(params[name] ** 2) for name in weights)
                grads = {name: (lam * value if name in weights else np.zeros_like(value)) for name, value in params.items()}
                return penalty, grads
            """),
    Mistake("l2_penalty", "the norm, not its square",
            "L2 regularisation adds the squared norm: the sum of the squares itself, with no square root (the "
            "root would make its gradient blow up near 0 and change its shape).",
            """
            def l2_penalty(params, lam):
                weights = [name for name in params if name.startswith("W")]
                penalty = lam * np.sqrt(sum(np.sum(params[name] ** 2) for name in weights))
                grads = {name: (2 * lam * value if name in weights else np.zeros_like(value)) for name, value in params.items()}
                return penalty, grads
            """),
    Mistake("l2_penalty", "only the first weight matrix",
            "Every weight matrix of the network is penalised: the sum runs over all the entries whose name starts "
            "with W, in every layer.",
            """
            def l2_penalty(params, lam):
                weights = [name for name in params if name.startswith("W")]
                penalty = lam * np.sum(params[weights[0]] ** 2)
                grads = {name: (2 * lam * value if name == weights[0] else np.zeros_like(value)) for name, value in params.items()}
                return penalty, grads
            """),
    Mistake("l2_penalty", "the penalty's gradient with the wrong sign",
            "The penalty grows with every weight's size, so its gradient points away from 0, the same sign as the "
            "weight; descent then subtracts it and shrinks the weight.",
            """
            def l2_penalty(params, lam):
                weights = [name for name in params if name.startswith("W")]
                penalty = lam * sum(np.sum(params[name] ** 2) for name in weights)
                grads = {name: (-2 * lam * value if name in weights else np.zeros_like(value)) for name, value in params.items()}
                return penalty, grads
            """),
    Mistake("l2_penalty", "no gradient for the biases",
            "grads must have every key of params, so that a training loop can update every parameter the same "
            "way: a parameter the penalty does not touch has a gradient of zeros.",
            """
            def l2_penalty(params, lam):
                weights = [name for name in params if name.startswith("W")]
                penalty = lam * sum(np.sum(params[name] ** 2) for name in weights)
                grads = {name: 2 * lam * params[name] for name in weights}
                return penalty, grads
            """),
    Mistake("train_mlp", "parameters moved up the gradient",
            "The gradient points where the loss grows fastest; a descent step, Adam's included, goes the opposite "
            "way. Compare the sign of what the optimizer is given with what lab 05's update rules expect.",
            train_mlp_with("adam(params[name], grads[name], states[name])",
                           "adam(params[name], -grads[name], states[name])")),
    Mistake("train_mlp", "the penalty's gradient left out",
            "The objective is the mean loss plus the penalty, so the gradient every parameter follows is the sum of "
            "both gradients; a penalty that only enters the reported loss changes no weight.",
            train_mlp_with("_, grads = l2_penalty(params, lam)",
                           "grads = {name: np.zeros_like(value) for name, value in params.items()}")),
    Mistake("train_mlp", "dropout left out",
            "Dropout belongs to every training step's forward pass, after each hidden ReLU, with the drop "
            "probability given; its backward pass then uses that same step's mask.",
            train_mlp_with("h, drop = dropout_forward(h, p_drop, True, rng)", "drop = (None, p_drop)")),
    Mistake("train_mlp", "one optimizer state for every parameter",
            "Adam's running means have the shape of the parameter they follow, and its step count is that "
            "parameter's: each parameter needs a state of its own, kept from one step to the next.",
            train_mlp_with("params[name], states[name] = adam(params[name], grads[name], states[name])",
                           'params[name], states["W1"] = adam(params[name], grads[name], states["W1"])')),
    Mistake("train_mlp", "numpy's global generator instead of rng",
            "Everything random in the training (the initial weights, the shuffles, the masks) must come from the "
            "rng given, so that the same seed gives the same network; NumPy's global generator is shared by all "
            "code.",
            train_mlp_with(FIRST_LINE, "rng = np.random.default_rng(np.random.randint(2**31))\n" + FIRST_LINE)),
    Mistake("train_mlp", "a generator of its own instead of rng",
            "A generator made inside the function starts from a seed the caller cannot set, so two trainings from "
            "the same seed differ: draw from the rng given.",
            train_mlp_with(FIRST_LINE, "rng = np.random.default_rng()\n" + FIRST_LINE)),
    Mistake("train_mlp", "a fixed seed of its own",
            "A seed fixed inside the function makes every training the same, whatever generator the caller "
            "passes: the caller's rng decides the initial weights, the shuffles and the masks.",
            train_mlp_with(FIRST_LINE, "rng = np.random.default_rng(0)\n" + FIRST_LINE)),
    Mistake("train_mlp", "the class count taken from the labels present",
            "The network needs one score per class the task has, and a class can be absent from the training "
            "examples (a rare one, a small split): the labels run from 0 to the largest, whether or not each "
            "appears.",
            train_mlp_with(FIRST_LINE, "sizes = [X.shape[1], *hidden, len(np.unique(y))]")),
    Mistake("train_mlp", "on_epoch counting from 1",
            "The contract numbers the epochs as Python numbers the items of a range: the first epoch is epoch 0, and the "
            "last of `epochs` is epochs - 1.",
            train_mlp_with("on_epoch(epoch, params)", "on_epoch(epoch + 1, params)")),
    Mistake("train_mlp", "the last, smaller minibatch skipped",
            "An epoch is one pass over every training example; when batch_size does not divide their number, the "
            "last minibatch is smaller, and its examples still take part.",
            train_mlp_with("for batch in minibatches(len(X), batch_size, rng):",
                           "for batch in minibatches(len(X), batch_size, rng)[:len(X) // batch_size]:")),
    Mistake("train_mlp", "one shuffle for every epoch",
            "Stochastic gradient descent draws a new order of the examples every epoch, from the rng given; the "
            "same minibatches every epoch make the same steps in the same order.",
            train_mlp_with("for batch in minibatches(len(X), batch_size, rng):",
                           "batches = batches if epoch else minibatches(len(X), batch_size, rng)\n"
                           "for batch in batches:")),
    Mistake("train_mlp", "dropout's backward pass left out",
            "The units a step's forward pass dropped gave nothing to its output, so they get no gradient: on the "
            "way back, the gradient goes through each hidden layer's dropout as well as its ReLU, with that "
            "step's own mask.",
            train_mlp_with("dh, dW, db = linear_backward(relu_backward(dropout_backward(dh, drop), relu), linear)",
                           "dh, dW, db = linear_backward(relu_backward(dh, relu), linear)")),
    Mistake("train_mlp", "the optimizer's state started again every step",
            "Adam's running means and step count are what make it Adam: each call returns the parameter's new "
            "state, and the next step of that parameter starts from it.",
            train_mlp_with("params[name], states[name] = adam(params[name], grads[name], states[name])",
                           "params[name], _ = adam(params[name], grads[name], states[name])")),
]
