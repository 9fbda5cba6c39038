"""Plain-data encoding of values passed between the grader and a student's kernel.

The grader sends a judge's inputs to the student's kernel and gets the results back
in this format: JSON whose arrays are `.npy` bytes (base64) read with
`allow_pickle=False`. Decoding it cannot execute code, whatever the kernel sent.

    encode(np.eye(2))  -> {"ndarray": "k05VTVBZ..."}
    decode(encode(x))  -> a copy of x

Supported: None, bool, int, float, str, numpy arrays and scalars, torch tensors
(decoded as numpy arrays), tuples, lists and dicts with str keys of these, numpy
random Generators (their state), named functions (`np.tanh`) and methods of the test
functions of `labutils.objectives` (`Quadratic(A, c).grad`); functions and methods are
only rebuilt by `decode(..., allow_functions=True)`.
Anything else encodes as {"object": type name, "repr": short repr}: it can be
reported, never rebuilt.
"""
from __future__ import annotations

import base64
import importlib
import io
import json
from typing import Any

import numpy as np

from labutils import objectives

# The MIME type of a probe's result in the kernel's display output.
MIME = "application/vnd.nnlabs.outcome+json"

# Modules whose functions may travel as arguments (by name, never as code).
FUNCTION_MODULES = ("numpy", "math")


def _array_to_text(array: np.ndarray) -> str:
    buffer = io.BytesIO()
    np.save(buffer, np.asarray(array), allow_pickle=False)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _array_from_text(text: str) -> np.ndarray:
    return np.load(io.BytesIO(base64.b64decode(text)), allow_pickle=False)


def _function_name(fn: Any) -> str | None:
    name = getattr(fn, "__name__", None)
    if isinstance(fn, np.ufunc):
        return f"numpy.{name}"
    module = getattr(fn, "__module__", None) or ""
    if name and module.split(".")[0] in FUNCTION_MODULES:
        return f"{module.split('.')[0]}.{name}"
    return None


def encode(value: Any) -> Any:
    """Encode `value` as JSON-compatible plain data (see the module docstring)."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (np.ndarray, np.generic)):  # before float: np.float64 is a float
        if value.dtype.hasobject:
            return {"object": "ndarray of objects", "repr": repr(value)[:200]}
        kind = "ndarray" if isinstance(value, np.ndarray) else "npscalar"
        return {kind: _array_to_text(np.asarray(value))}
    if isinstance(value, int):
        return {"int": str(value)}  # str: Python ints have no size limit
    if isinstance(value, float):
        return {"float": repr(float(value))}  # repr keeps nan, inf and every bit
    if type(value).__module__.startswith("torch") and hasattr(value, "detach"):
        return {"tensor": _array_to_text(value.detach().cpu().numpy())}
    if isinstance(value, tuple):
        return {"tuple": [encode(item) for item in value]}
    if isinstance(value, list):
        return {"list": [encode(item) for item in value]}
    if isinstance(value, dict) and all(isinstance(key, str) for key in value):
        return {"dict": {key: encode(item) for key, item in value.items()}}
    if isinstance(value, np.random.Generator):
        return {"generator": json.loads(json.dumps(value.bit_generator.state))}
    if callable(value) and _function_name(value):
        return {"function": _function_name(value)}
    owner = getattr(value, "__self__", None)
    if owner is not None and objectives.TRAVELLING.get(type(owner).__name__) is type(owner):
        fields = {name: encode(getattr(owner, name)) for name in owner.__dataclass_fields__}
        return {"method": {"class": type(owner).__name__, "fields": fields, "name": value.__name__}}
    return {"object": type(value).__name__, "repr": repr(value)[:200]}


def decode(data: Any, *, allow_functions: bool = False) -> Any:
    """Rebuild a value from `encode`'s output. Functions only when allowed."""
    if data is None or isinstance(data, (bool, str)):
        return data
    if not isinstance(data, dict) or len(data) not in (1, 2):
        raise ValueError(f"not an encoded value: {str(data)[:80]}")
    kind = next(iter(data))
    if kind == "int":
        return int(data["int"])
    if kind == "float":
        return float(data["float"])
    if kind in ("ndarray", "tensor"):
        return _array_from_text(data[kind])
    if kind == "npscalar":
        return _array_from_text(data[kind])[()]
    if kind == "tuple":
        return tuple(decode(item, allow_functions=allow_functions) for item in data["tuple"])
    if kind == "list":
        return [decode(item, allow_functions=allow_functions) for item in data["list"]]
    if kind == "dict":
        return {key: decode(item, allow_functions=allow_functions) for key, item in data["dict"].items()}
    if kind == "function":
        if not allow_functions:
            raise ValueError("refusing to resolve a function from untrusted data")
        module_name, _, name = data["function"].rpartition(".")
        if module_name not in FUNCTION_MODULES:
            raise ValueError(f"functions from {module_name!r} cannot travel")
        return getattr(importlib.import_module(module_name), name)
    if kind == "generator":
        state = data["generator"]
        if state.get("bit_generator") != "PCG64":
            raise ValueError("only PCG64 generators can travel")
        generator = np.random.Generator(np.random.PCG64())
        generator.bit_generator.state = state
        return generator
    if kind == "method":
        if not allow_functions:
            raise ValueError("refusing to resolve a function from untrusted data")
        spec = data["method"]
        cls = objectives.TRAVELLING[spec["class"]]
        if spec["name"] not in ("value", "grad"):
            raise ValueError(f"{spec['class']}.{spec['name']} cannot travel")
        owner = cls(**{name: decode(item) for name, item in spec["fields"].items()})
        return getattr(owner, spec["name"])
    if kind == "object":
        return Unencodable(data["object"], data.get("repr", ""))
    raise ValueError(f"unknown encoded kind {kind!r}")


class Unencodable:
    """Stands for a value the kernel could not send as data (a generator, say)."""

    def __init__(self, type_name: str, text: str):
        self.type_name = type_name
        self.text = text

    def __repr__(self) -> str:
        return f"<{self.type_name}: {self.text}>"


def dumps(value: Any) -> str:
    return json.dumps(encode(value), allow_nan=False)


def loads(text: str, *, allow_functions: bool = False) -> Any:
    return decode(json.loads(text), allow_functions=allow_functions)
