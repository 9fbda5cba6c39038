"""Test functions that judges and checks pass to students' code, e.g. a gradient to descend.

They travel between grader and kernel as data (`labutils.plain_data` encodes a bound method
of these classes by its class name and arrays), never as code.

    bowl = Quadratic(A, c)      # f(w) = 1/2 (w - c) . A (w - c), for w of any shape
    bowl.value(w), bowl.grad(w)
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Quadratic:
    """f(w) = 1/2 (w - c) . A (w - c) on the flattened w; A symmetric positive definite."""

    A: np.ndarray
    c: np.ndarray

    def value(self, w: np.ndarray) -> float:
        d = np.ravel(w) - np.ravel(self.c)
        return float(0.5 * d @ self.A @ d)

    def grad(self, w: np.ndarray) -> np.ndarray:
        d = np.ravel(w) - np.ravel(self.c)
        return (self.A @ d).reshape(np.shape(w))


@dataclass(frozen=True)
class Wavy:
    """f(w) = sum(1/2 (w - c)^2 + sin(a w)): smooth, not quadratic (its curvature varies)."""

    a: np.ndarray
    c: np.ndarray

    def value(self, w: np.ndarray) -> float:
        w = np.asarray(w, dtype=float)
        return float(np.sum(0.5 * (w - self.c) ** 2 + np.sin(self.a * w)))

    def grad(self, w: np.ndarray) -> np.ndarray:
        w = np.asarray(w, dtype=float)
        return (w - self.c) + self.a * np.cos(self.a * w)


# The classes whose methods may travel, by name.
TRAVELLING = {cls.__name__: cls for cls in (Quadratic, Wavy)}
