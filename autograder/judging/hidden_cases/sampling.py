"""Small helpers for drawing judges' random inputs."""
from __future__ import annotations

import numpy as np


def distinct_ints(rng: np.random.Generator, count: int, low: int, high: int) -> list[int]:
    """`count` different integers in [low, high): different sizes make transposes show."""
    return [int(v) for v in rng.choice(np.arange(low, high), size=count, replace=False)]
