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
]
