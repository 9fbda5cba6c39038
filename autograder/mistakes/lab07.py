"""Mistake catalogue of lab 07, dropout."""
from autograder.mistakes import Mistake


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
]
