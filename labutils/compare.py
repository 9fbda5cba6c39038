"""How two values differ, in words a student can act on.

    difference(actual, expected)  -> None when they agree, else one sentence,
                                     shapes first, then the first differing entry.

Numbers agree when `rel_error` (cs231n's: max over elements of
|x - y| / max(1e-8, |x| + |y|)) is at most `tolerance`; nan agrees with nan.
With `reveal=False` the sentence never shows an expected value (judges use it: their
inputs and answers stay hidden).
"""
from __future__ import annotations

from typing import Any

import numpy as np

DEFAULT_TOLERANCE = 1e-6


def elementwise_error(x: Any, y: Any) -> np.ndarray:
    """|x - y| / max(1e-8, |x| + |y|) per element; 0 where both are nan or the same infinity,
    inf where only one is nan or infinite."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    with np.errstate(invalid="ignore", over="ignore"):
        error = np.abs(x - y) / np.maximum(1e-8, np.abs(x) + np.abs(y))
    error = np.where(np.isnan(error), np.inf, error)
    return np.where((np.isnan(x) & np.isnan(y)) | (np.isinf(x) & (x == y)), 0.0, error)


def rel_error(x: Any, y: Any) -> float:
    """Max over elements of |x - y| / max(1e-8, |x| + |y|) (see `elementwise_error`)."""
    error = elementwise_error(x, y)
    return float(np.max(error)) if error.size else 0.0


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, np.number, np.bool_)) and not isinstance(value, bool)


def _type_name(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    return f"a {type(value).__name__}"


def _is_real(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))


def numbers_apart(expected: Any, actual: Any) -> str:
    """"expected -2.18384, got -2.18381, off by +3e-05": each number with the fewest
    significant digits (4 at least) that tell the two apart, then by how much they differ."""
    e, a = float(expected), float(actual)
    for digits in range(4, 18):
        shown_e, shown_a = f"{e:.{digits}g}", f"{a:.{digits}g}"
        if shown_e != shown_a:
            break
    if not (np.isfinite(e) and np.isfinite(a)):
        return f"expected {shown_e}, got {shown_a}"
    return f"expected {shown_e}, got {shown_a}, off by {a - e:+.2g}"


def _short(value: Any) -> str:
    text = np.array2string(np.asarray(value), precision=4, threshold=12, separator=", ")
    return text if len(text) <= 120 else text[:117] + "..."


def lower_precision(actual: Any, expected: Any) -> str | None:
    """One rule for precision: where the right answer is float64 (NumPy's default, what every
    NumPy contract of the labs asks), a float32 or float16 answer is named as such, however
    close its values come; the torch contracts' float32 is float32 on both sides."""
    actual_dtype = getattr(actual, "dtype", None)
    expected_dtype = np.dtype(np.float64) if isinstance(expected, float) else getattr(expected, "dtype", None)
    if expected_dtype == np.float64 and actual_dtype is not None and actual_dtype.kind == "f" \
            and actual_dtype.itemsize < 8:
        return (f"computed in {actual_dtype}: the contract asks float64, NumPy's default (float32 keeps about 7 "
                "significant digits, float64 about 16)")
    return None


def _array_difference(actual: np.ndarray, expected: np.ndarray, tolerance: float, reveal: bool) -> str | None:
    if actual.shape != expected.shape:
        return f"shape: expected {expected.shape}, got {actual.shape}"
    if expected.dtype.kind in "iu" and actual.dtype.kind not in "iu":
        return f"expected integers (indices), got an array of {actual.dtype}"
    lower = lower_precision(actual, expected)
    if lower:
        return lower
    if actual.dtype.kind not in "iubf" or expected.dtype.kind not in "iubf":
        if np.array_equal(actual, expected):
            return None
        return f"values differ (dtype {actual.dtype}, expected {expected.dtype})"
    bad = elementwise_error(actual, expected) > tolerance
    if not bad.any():
        return None
    where = tuple(int(i) for i in np.argwhere(bad)[0]) if bad.ndim else ()
    count = f"{int(bad.sum())} of {bad.size} entries differ"
    at = f" at index {list(where)}" if where else ""
    if reveal:
        expected_entry, actual_entry = expected[where], actual[where]
        if _is_real(expected_entry) and _is_real(actual_entry):
            return f"value{at}: {numbers_apart(expected_entry, actual_entry)} ({count})"
        return f"value{at}: expected {_short(expected_entry)}, got {_short(actual_entry)} ({count})"
    return f"values differ{at} ({count}; relative error {rel_error(actual, expected):.2g})"


def difference(actual: Any, expected: Any, *, tolerance: float = DEFAULT_TOLERANCE,
               reveal: bool = True, path: str = "") -> str | None:
    """None if `actual` agrees with `expected`, else what differs first (see module doc)."""
    where = f"{path}: " if path else ""
    if isinstance(expected, np.ndarray) or (_is_number(expected) and isinstance(actual, np.ndarray)):
        if not isinstance(actual, (np.ndarray, np.generic, int, float)) or isinstance(actual, bool):
            return f"{where}expected {_type_name(np.asarray(expected))}, got {_type_name(actual)}"
        problem = _array_difference(np.asarray(actual), np.asarray(expected), tolerance, reveal)
        return f"{where}{problem}" if problem else None
    if _is_number(expected):
        if not _is_number(actual):
            return f"{where}expected a number, got {_type_name(actual)}"
        lower = lower_precision(actual, expected)
        if lower:
            return f"{where}{lower}"
        if rel_error(actual, expected) <= tolerance:
            return None
        return f"{where}{numbers_apart(expected, actual)}" if reveal else f"{where}the number differs"
    if isinstance(expected, (tuple, list)):
        if type(actual) is not type(expected):
            return f"{where}expected a {type(expected).__name__}, got {_type_name(actual)}"
        if len(actual) != len(expected):
            return f"{where}expected {len(expected)} items, got {len(actual)}"
        for index, (a, e) in enumerate(zip(actual, expected)):
            problem = difference(a, e, tolerance=tolerance, reveal=reveal, path=f"{path}[{index}]")
            if problem:
                return problem
        return None
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return f"{where}expected a dict, got {_type_name(actual)}"
        if set(actual) != set(expected):
            return f"{where}expected the keys {sorted(expected)}, got {sorted(actual)}"
        for key in expected:
            problem = difference(actual[key], expected[key], tolerance=tolerance, reveal=reveal,
                                 path=f"{path}[{key!r}]")
            if problem:
                return problem
        return None
    if actual == expected and type(actual) is type(expected):
        return None
    if reveal:
        return f"{where}expected {expected!r}, got {actual!r}"
    return f"{where}expected {_type_name(expected)}, got {_type_name(actual)}"
