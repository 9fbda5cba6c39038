"""Ways to exercise a student's function beyond one call, shared by checks and judges.

A `Case` may name a harness; then, instead of `fn(*args)`, the call is
`harness(fn, lookup, *args)`, where `lookup(name)` finds another of the student's
functions (a backward pass needs the student's own forward pass and its cache).
Harnesses only call the student's functions; they compute nothing themselves.
"""
from __future__ import annotations

from typing import Any, Callable

Lookup = Callable[[str], Callable]


def round_trip(forward_name: str) -> Callable:
    """Harness for a backward pass: run the student's forward, then `fn(dout, cache)`.

    Returns (forward output, backward output), so both can be compared.
    """
    def harness(backward: Callable, lookup: Lookup, inputs: tuple, dout: Any) -> tuple:
        try:
            out, cache = lookup(forward_name)(*inputs)
        except NotImplementedError as missing_forward:
            # If the backward pass is still a stub too, let its own message name its task.
            try:
                backward(dout, None)
            except NotImplementedError:
                raise
            except Exception:  # noqa: BLE001 - a real backward cannot run on a None cache; expected
                pass
            raise missing_forward
        return out, backward(dout, cache)
    harness.__name__ = f"round_trip({forward_name})"
    return harness


def twice(fn: Callable, lookup: Lookup, *args: Any) -> tuple:
    """Call `fn(*args)` twice with the same arguments (a random generator goes on between
    the calls): two epochs of mini-batches, two dropout masks."""
    return fn(*args), fn(*args)


def outputs_twice(fn: Callable, lookup: Lookup, *args: Any) -> tuple:
    """The outputs (not the caches) of two forward passes in a row: two dropout masks."""
    return fn(*args)[0], fn(*args)[0]


def first_output(fn: Callable, lookup: Lookup, *args: Any) -> Any:
    """The first item of what `fn` returns: the output of a forward pass, not its cache."""
    return fn(*args)[0]


HARNESSES: dict[str, Callable] = {
    "round_trip(linear_forward)": round_trip("linear_forward"),
    "round_trip(relu_forward)": round_trip("relu_forward"),
    "round_trip(dropout_forward)": round_trip("dropout_forward"),
    "twice": twice,
    "outputs_twice": outputs_twice,
    "first_output": first_output,
}
