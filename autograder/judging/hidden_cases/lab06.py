"""Judges of lab 06, backpropagation: random layers, batches and networks."""
from __future__ import annotations

import numpy as np

from autograder.judging.hidden_cases.sampling import distinct_ints
from autograder.judging.reference import reference_blocks
from labutils.call_outcomes import Case
from labutils.checks.lab06 import MLP_BLOCKS, linear_round_trip, relu_round_trip, with_blocks
from labutils.harnesses import first_output, seeded


def graph_cases(rng: np.random.Generator) -> list[Case]:
    return [Case("hidden x, a, b", tuple(float(v) for v in rng.uniform(-3, 3, size=3))) for _ in range(3)]


def _layer(rng: np.random.Generator):
    n, d, h = distinct_ints(rng, 3, 2, 8)
    return (rng.normal(size=(n, d)), rng.normal(size=(d, h)), rng.normal(size=h)), rng.normal(size=(n, h)), (n, d, h)


def linear_forward_cases(rng: np.random.Generator) -> list[Case]:
    """A batch, and a single example (n = 1)."""
    inputs, _, (n, d, h) = _layer(rng)
    _, W, b = inputs
    one = (rng.normal(size=(1, d)), W, b)
    return [Case(f"a hidden layer, x ({n}, {d}), W ({d}, {h})", inputs, harness=first_output),
            Case(f"a hidden layer, one example x (1, {d}), W ({d}, {h})", one, harness=first_output)]


def linear_backward_cases(rng: np.random.Generator) -> list[Case]:
    cases = []
    for _ in range(2):
        inputs, dout, (n, d, h) = _layer(rng)
        cases.append(Case(f"a hidden layer, x ({n}, {d}), W ({d}, {h})", (inputs, dout),
                          harness=linear_round_trip))
    return cases


def _relu_input(rng: np.random.Generator, dims: int = 2) -> np.ndarray:
    """Positive, negative and zero entries, in random places."""
    x = rng.normal(size=tuple(int(v) for v in rng.integers(2, 6, size=dims)))
    places = rng.choice(x.size, size=4, replace=False)
    x.flat[places[:2]] = 0.0  # the kink
    x.flat[places[2]] = -abs(x.flat[places[2]]) - 0.5
    x.flat[places[3]] = abs(x.flat[places[3]]) + 1.5
    return x


def relu_forward_cases(rng: np.random.Generator) -> list[Case]:
    return [Case(f"a hidden {x.shape} input", (x,), harness=first_output)
            for x in (_relu_input(rng), _relu_input(rng, dims=3))]


def relu_backward_cases(rng: np.random.Generator) -> list[Case]:
    """A matrix and a 3-D input, each with zeros, and an upstream gradient of random sign."""
    return [Case(f"a hidden {x.shape} input with zeros", ((x,), rng.normal(size=x.shape)),
                 harness=relu_round_trip)
            for x in (_relu_input(rng), _relu_input(rng, dims=3))]


def softmax_ce_cases(rng: np.random.Generator) -> list[Case]:
    """Moderate and large logits; then a row around +1000 (np.exp overflows unless the max is
    subtracted) and a correct class 1000 below its row's best (its probability rounds to 0)."""
    n, k = distinct_ints(rng, 2, 2, 8)
    cases = [Case(f"hidden logits ({n}, {k})", (rng.normal(scale=scale, size=(n, k)), rng.integers(0, k, size=n)))
             for scale in (1.0, 50.0)]
    logits, y = rng.normal(size=(n, k)), rng.integers(0, k, size=n)
    logits[0] += rng.uniform(800, 2000)
    logits[1, y[1]] -= rng.uniform(800, 2000)
    cases.append(Case(f"hidden logits ({n}, {k}), one row around +1000, one correct class far below", (logits, y)))
    return cases


def mlp_cases(rng: np.random.Generator) -> list[Case]:
    """Two networks of different sizes, some hidden units off for every example; the reference's
    layers and loss lent to the student's mlp_loss_and_grads, so it is judged on its own code."""
    cases = []
    for _ in range(2):
        n, d, h, k = distinct_ints(rng, 4, 2, 9)
        params = {"W1": rng.normal(size=(d, h)), "b1": np.linspace(-3, 3, h) + rng.normal(size=h),  # some units off
                  "W2": rng.normal(size=(h, k)), "b2": rng.normal(size=k)}
        cases.append(Case(f"a hidden network: {n} examples, {d} features, {h} hidden, {k} classes",
                          (reference_blocks(MLP_BLOCKS, ("06_backprop",)), params, rng.normal(size=(n, d)),
                           rng.integers(0, k, size=n)), harness=with_blocks))
    return cases


def _layer_widths(rng: np.random.Generator, n_layers: int) -> list[tuple[int, int]]:
    """Shapes of a chain of layers whose widths alternate wide and narrow, starting wide: at
    least 20 000 weights per matrix (see labutils.checks.lab06.INIT_CASES) and each wide width
    1.6 to 2.4 times the narrow one. The first layer, which the diagnosis reads first, then has
    fan_in / fan_out in a range where every catalogued mistake gives its own scale (a ratio of 3
    would make fan_out-for-fan_in look like the uniform bound, one of 1/2 like He's missing 2)."""
    narrow = int(rng.integers(120, 171))
    widths = [int(round(narrow * rng.uniform(1.6, 2.4))) if i % 2 == 0 else narrow for i in range(n_layers + 1)]
    return list(zip(widths[:-1], widths[1:]))


def init_weights_cases(rng: np.random.Generator) -> list[Case]:
    """Each scheme on hidden layer shapes, each with a generator seeded by the judge."""
    cases = []
    for scheme, n_layers in (("xavier", 3), ("he", 3), ("zeros", 2)):
        shapes = _layer_widths(rng, n_layers)
        cases.append(Case(f"{scheme}, hidden shapes {shapes}",
                          (shapes, scheme, np.random.default_rng(int(rng.integers(2**31)))), harness=seeded))
    return cases


HIDDEN_CASES = {
    "graph_forward_backward": graph_cases,
    "linear_forward": linear_forward_cases,
    "linear_backward": linear_backward_cases,
    "relu_forward": relu_forward_cases,
    "relu_backward": relu_backward_cases,
    "softmax_cross_entropy": softmax_ce_cases,
    "mlp_loss_and_grads": mlp_cases,
    "init_weights": init_weights_cases,
}
