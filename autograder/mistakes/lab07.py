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
            "Inverted dropout scales the kept units by 1 / (1 - p), so that the expected activation stays x "
            "and nothing has to change at eval time.",
            _forward("rng.random(x.shape) >= p", "1.0")),
    Mistake("dropout_forward", "scaling by p",
            "p is the probability of dropping. Kept units are divided by the keep probability, 1 - p.",
            _forward("rng.random(x.shape) >= p", "p")),
    Mistake("dropout_forward", "scaling by (1 - p)",
            "Multiplying by the keep probability is the notes' test-time rule (ERRATA 6). Inverted dropout "
            "divides by it during training instead: x / (1 - p).",
            _forward("rng.random(x.shape) >= p", "1 - p")),
    Mistake("dropout_forward", "p used as the keep probability",
            "In nn.Dropout(p), p is the probability of dropping a unit: keep it when rng.random() >= p.",
            _forward("rng.random(x.shape) < p", "1 / p")),
    Mistake("dropout_forward", "dropping at eval time",
            "At eval time (train=False) dropout is the identity: return x unchanged.",
            _forward("rng.random(x.shape) >= p", "1 / (1 - p)", eval_line="if p == 0:")),
    Mistake("dropout_forward", "a mask that is not redrawn",
            "Draw the mask from the rng you are given; a generator created inside the function restarts "
            "at each call and drops the same units every time.",
            _forward("rng.random(x.shape) >= p", "1 / (1 - p)", header="rng = np.random.default_rng(0)")),
    Mistake("dropout_forward", "nan at p = 1",
            "With p = 1 the keep probability is 0 and 0 / 0 is nan: return zeros when p == 1.",
            """
            def dropout_forward(x, p, train, rng):
                if not train or p == 0:
                    return x, (None, p)
                mask = (rng.random(x.shape) >= p) / (1 - p)
                return x * mask, (mask, p)
            """),
    Mistake("dropout_forward", "numpy's global generator instead of rng",
            "Draw the mask from the rng you are given (rng.random). np.random's functions use NumPy's "
            "global generator: the caller's seed then decides nothing and a run cannot be reproduced.",
            _forward("np.random.random(x.shape) >= p", "1 / (1 - p)")),
    Mistake("dropout_forward", "a generator of its own instead of rng",
            "Draw the mask from the rng you are given: a generator made inside the function ignores the "
            "caller's seed, so the same seed does not give the same mask.",
            _forward("rng.random(x.shape) >= p", "1 / (1 - p)", header="rng = np.random.default_rng()")),
    Mistake("dropout_forward", "scaling at eval time",
            "Inverted dropout already divides by 1 - p during training, so eval time needs no correction: "
            "with train=False return x itself. Multiplying by 1 - p there is the notes' rule for "
            "dropout without the training-time scaling (ERRATA 6).",
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
            "x *= mask overwrites the caller's activations (which the backward pass of the layer below may "
            "still need). Return a new array: x * mask.",
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
            "Dropped units did not contribute to the output, so they get no gradient: dx = dout * mask.",
            """
            def dropout_backward(dout, cache):
                mask, p = cache
                if mask is None:
                    return dout
                return dout / (1 - p)
            """),
    Mistake("dropout_backward", "backward ignoring the scale",
            "The forward pass multiplied kept units by 1 / (1 - p); the backward pass multiplies their "
            "gradient by the same factor.",
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
]
