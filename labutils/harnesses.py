"""Ways to exercise a student's function beyond one call, shared by checks and judges.

A `Case` may name a harness; then, instead of `fn(*args)`, the call is
`harness(fn, lookup, *args)`, where `lookup(name)` finds another of the student's
functions (a backward pass needs the student's own forward pass and its cache).
Harnesses only call the student's functions; they compute nothing themselves.

A harness is any module-level function of `labutils`: the generic ones are here, a lab's own
live in its check module (`labutils.checks.lab08.fitting`). A case names it by its path,
"module:function" (`harness_path`), which travels to the kernel with the case and is found
there again (`resolve_harness`): nothing to register.
"""
from __future__ import annotations

import contextlib
import copy
import importlib
import inspect
from typing import Any, Callable, Iterator, Sequence

import numpy as np

Lookup = Callable[[str], Callable]


def harness_path(harness: Callable) -> str:
    """"labutils.harnesses:first_output": where `resolve_harness` finds `harness` again."""
    path = f"{harness.__module__}:{harness.__qualname__}"
    if not path.startswith("labutils.") or not harness.__qualname__.isidentifier():
        raise ValueError(f"a harness must be a module-level function of labutils; {path} is not")
    resolve_harness(path)  # raises when the module has no such function
    return path


def resolve_harness(path: str) -> Callable:
    """The harness function at `path` ("labutils.checks.lab08:fitting")."""
    module, _, name = path.partition(":")
    if not module.startswith("labutils.") or not name.isidentifier():
        raise ValueError(f"{path!r} is not the path of a labutils harness")
    harness = getattr(importlib.import_module(module), name, None)
    if not callable(harness):
        raise ValueError(f"{module} has no harness {name!r}")
    return harness


def round_trip(forward_name: str, backward: Callable, lookup: Lookup, inputs: tuple, dout: Any,
               **forward_options: Any) -> tuple:
    """A backward pass on the cache of the student's own forward pass: run the forward
    `forward_name` on `inputs` (and `forward_options`, its keyword arguments), then
    `backward(dout, cache)`. Returns (forward output, backward output), so both can be
    compared. A lab's harness for a backward pass calls this."""
    try:
        out, cache = lookup(forward_name)(*inputs, **forward_options)
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


def _generators(args: tuple, kwargs: dict) -> list:
    return [value for value in (*args, *kwargs.values()) if isinstance(value, np.random.Generator)]


def seeded_calls(keep: Callable[[Any], Any], fn: Callable, args: tuple, kwargs: dict) -> dict:
    pristine_args, pristine_kwargs = copy.deepcopy((args, kwargs))
    global_before = np.random.get_state(legacy=False)
    first = keep(fn(*args, **kwargs))
    global_after = np.random.get_state(legacy=False)
    generators = copy.deepcopy(_generators(args, kwargs))
    same_seed = keep(fn(*pristine_args, **pristine_kwargs))
    following = keep(fn(*args, **kwargs))
    return {"first": first, "same_seed": same_seed, "next": following, "generators": generators,
            "global_before": global_before, "global_after": global_after}


def seeded(fn: Callable, lookup: Lookup, *args: Any, **kwargs: Any) -> dict:
    """For a function that takes a random generator: is its result a function of it?

    Calls `fn` three times: with the arguments given ("first"); with copies of them as they
    were, whose generators restart from the same seeds ("same_seed"); and once more with the
    generators as the first call left them, as the next epoch would ("next"). Returns each
    result, the generators among the arguments as the first call left them ("generators"), and
    the state of NumPy's global generator before and after the first call ("global_before",
    "global_after"). Compares nothing: the check and the judge do.
    """
    return seeded_calls(lambda result: result, fn, args, kwargs)


def seeded_outputs(fn: Callable, lookup: Lookup, *args: Any, **kwargs: Any) -> dict:
    """`seeded`, keeping the first item of each result: a forward pass's output, not its cache."""
    return seeded_calls(lambda result: result[0], fn, args, kwargs)


def first_output(fn: Callable, lookup: Lookup, *args: Any, **kwargs: Any) -> Any:
    """The first item of what `fn` returns: the output of a forward pass, not its cache."""
    return fn(*args, **kwargs)[0]


def notebook_of(fn: Callable) -> dict[str, Any]:
    """The namespace `fn` finds the other functions it calls in: the notebook's (through decorators)."""
    namespace = getattr(inspect.unwrap(fn), "__globals__", None)
    if namespace is None:
        raise TypeError(f"{getattr(fn, '__name__', fn)!r} should be a function defined with def in the notebook")
    return namespace


@contextlib.contextmanager
def lent(namespace: dict[str, Any], names: Sequence[str], blocks_source: str | None) -> Iterator[None]:
    """With `blocks_source` (the grader's code of the functions `names`), those functions stand in
    `namespace` for the calls, and the notebook's own are back afterwards; with None, the
    notebook's are used. So a judge grades a function that calls others of the lab on its own
    code: a mistake in one of them costs that exercise's points, not this one's."""
    if blocks_source is None:
        yield
        return
    blocks: dict[str, Any] = {"__name__": "building_blocks"}
    exec(compile(blocks_source, "<building blocks>", "exec"), blocks)
    saved = {name: namespace[name] for name in names if name in namespace}
    namespace.update({name: blocks[name] for name in names})
    try:
        yield
    finally:
        for name in names:
            namespace.pop(name, None)
        namespace.update(saved)
