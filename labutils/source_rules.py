"""Rules about how an exercise is written: read from its source, and watched while it runs.

    library_products(source) -> ["the @ operator", "np.dot"]   # what the code uses
    explicit_loops(source)   -> what is wrong, or None          # an exercise's source rule
    products_watched, tanh_watched                              # harnesses: the same rule, run

An exercise names its source rule (`labutils.examine.Exercise.source_rule`); the public check
applies it in the student's kernel, the judge to the source read from the submitted notebook
(`function_source`: what the name is bound to last, a `def` or a later `matmul = ...`).

A rule read from the source alone misses what the source hides: a product reached through
`getattr(np, "mat" + "mul")`, a `from numpy import tanh as t` in another cell. So the cases of
such an exercise run through a harness (`products_watched`, `tanh_watched`) that, in whatever
process the function runs (the student's kernel for the check and the judge), first resolves
what the function's code names (`shortcuts_named`: its attributes, imports and operators, its
globals resolved to the objects they are now, the notebook's functions it calls, through the
same look-ups), then calls it on arrays that note the library routines called on them
(`WatchedArray`: np.matmul and the @ operator by `__array_ufunc__`, np.dot or np.einsum by
`__array_function__`, `ndarray.dot`). Either finding raises `LibraryShortcut`, which fails the
case, so the function loses the exercise's points whatever route it took.
"""
from __future__ import annotations

import ast
import dis
import functools
import types
from typing import Any, Callable, Iterable

import numpy as np

# Calls that multiply matrices for you; an exercise that asks for loops forbids them.
PRODUCT_FUNCTIONS = ("dot", "matmul", "einsum", "tensordot", "inner", "vdot", "mm", "bmm", "mv", "multi_dot",
                     "vecdot", "matvec", "vecmat")
PRODUCT_METHODS = ("__matmul__", "__rmatmul__", "__imatmul__")
LOOPS_ASKED = "explicit loops over rows, columns and the inner index"
TANH_FUNCTIONS = ("tanh",)
EXPONENTIALS_ASKED = "exponentials"
# Look-ups that hide what is called behind a string (getattr(np, "mat" + "mul")).
DYNAMIC_BUILTINS = ("getattr", "eval", "exec", "compile", "__import__", "globals", "vars")
DYNAMIC_ATTRIBUTES = ("__dict__", "__getattribute__", "import_module", "attrgetter", "methodcaller")


def _parsed(source: str) -> tuple[ast.Module, str] | None:
    """The syntax tree of `source` and the Python it was read from: IPython's syntax (`%time`,
    `!ls`) made Python first where there is some; None where it is not Python even then."""
    try:
        return ast.parse(source), source
    except SyntaxError:
        pass
    try:
        from IPython.core.inputtransformer2 import TransformerManager
        python = TransformerManager().transform_cell(source)
        return ast.parse(python), python
    except Exception:  # noqa: BLE001 - no IPython here, or no Python
        return None


def _parse(source: str) -> ast.Module | None:
    parsed = _parsed(source)
    return parsed[0] if parsed else None


def _locally_bound(tree: ast.AST) -> set[str]:
    """The names `tree` binds itself (arguments, assignments, loop targets): its own variables."""
    bound = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)}
    return bound | {node.arg for node in ast.walk(tree) if isinstance(node, ast.arg)}


def library_calls(source: str, names: tuple[str, ...], *, qualified_only: bool = False) -> list[str]:
    """Where `source` refers to any of `names` (`np.tanh`, `from numpy import tanh`, `tanh`), in
    order of appearance.

    qualified_only: count only `module.name` and imported forms (a bare `tanh` may be the student's
    own); a bare name the source binds itself (a variable `dot`) never counts.
    """
    tree = _parse(source)
    if tree is None:
        return []
    own = _locally_bound(tree)
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in names:
            owner = node.value.id if isinstance(node.value, ast.Name) else ""  # np.dot, or .__matmul__
            found.append(f"{owner}.{node.attr}")
        elif isinstance(node, ast.ImportFrom):
            found += [f"{node.module or '.'}.{alias.name}" for alias in node.names if alias.name in names]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "getattr" \
                and len(node.args) > 1 and isinstance(node.args[1], ast.Constant) and node.args[1].value in names:
            found.append(f"getattr(..., {node.args[1].value!r})")
        elif isinstance(node, ast.Name) and node.id in names and not qualified_only and node.id not in own:
            found.append(node.id)
    return list(dict.fromkeys(found))


def hidden_lookups(source: str) -> list[str]:
    """The run-time look-ups in `source` that hide what it calls: getattr, eval, __dict__, ..."""
    tree = _parse(source)
    if tree is None:
        return []
    found = [node.id for node in ast.walk(tree)
             if isinstance(node, ast.Name) and node.id in DYNAMIC_BUILTINS and isinstance(node.ctx, ast.Load)]
    found += [node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute) and node.attr in DYNAMIC_ATTRIBUTES]
    return list(dict.fromkeys(found))


def library_products(source: str) -> list[str]:
    """The matrix-product shortcuts `source` uses, in order of appearance."""
    tree = _parse(source)
    if tree is None:
        return []
    operator = any(isinstance(node, (ast.BinOp, ast.AugAssign)) and isinstance(node.op, ast.MatMult)
                   for node in ast.walk(tree))
    return (["the @ operator"] if operator else []) + library_calls(source, PRODUCT_FUNCTIONS + PRODUCT_METHODS)


def _hidden_said(lookups: list[str]) -> str:
    return (f"looks names up at run time ({', '.join(lookups)}), which hides what it calls; the grader cannot "
            "tell it from a library shortcut")


def explicit_loops(source: str) -> str | None:
    """The rule of an exercise that asks for loops: no library matrix product."""
    shortcuts = library_products(source)
    if shortcuts:
        return f"uses {', '.join(shortcuts)}, where the exercise asks for {LOOPS_ASKED}"
    lookups = hidden_lookups(source)
    if lookups:
        return f"{_hidden_said(lookups)}; the exercise asks for {LOOPS_ASKED}"
    return None


def built_from_exponentials(source: str) -> str | None:
    """The rule of an exercise that asks for a function built from exponentials: no library tanh."""
    calls = library_calls(source, TANH_FUNCTIONS, qualified_only=True)
    if calls:
        return f"calls {', '.join(calls)}, where the exercise asks for {EXPONENTIALS_ASKED}"
    lookups = hidden_lookups(source)
    if lookups:
        return f"{_hidden_said(lookups)}; the exercise asks for {EXPONENTIALS_ASKED}"
    return None


def _statements(body: list[ast.stmt]) -> Iterable[ast.stmt]:
    """The statements run at a cell's top level, those inside if, for, while, with and try
    included, those of function and class bodies not."""
    for node in body:
        yield node
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        for field in ("body", "orelse", "finalbody", "handlers", "cases"):
            inner = getattr(node, field, None)
            if isinstance(inner, list):
                yield from _statements([n for n in inner if isinstance(n, ast.stmt)]
                                       + [s for h in inner if isinstance(h, (ast.ExceptHandler, ast.match_case))
                                          for s in h.body])


def _own_expressions(node: ast.stmt) -> list[ast.AST]:
    """The parts of a statement run where it stands: a compound statement's header, not its body."""
    if isinstance(node, (ast.If, ast.While)):
        return [node.test]
    if isinstance(node, (ast.For, ast.AsyncFor)):
        return [node.iter]
    if isinstance(node, (ast.With, ast.AsyncWith)):
        return [item.context_expr for item in node.items]
    if isinstance(node, (ast.Try, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) or \
            type(node).__name__ in ("TryStar", "Match"):
        return []
    return [node]


def _binds(node: ast.stmt, name: str) -> bool:
    """Whether the statement (its header, for a compound one) binds `name`."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return node.name == name
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return any((alias.asname or alias.name.split(".")[0]) == name for alias in node.names)
    targets: list[ast.AST] = []
    if isinstance(node, ast.Assign):
        targets = node.targets
    elif isinstance(node, (ast.AnnAssign, ast.AugAssign, ast.For, ast.AsyncFor)):
        targets = [node.target]
    elif isinstance(node, (ast.With, ast.AsyncWith)):
        targets = [item.optional_vars for item in node.items if item.optional_vars is not None]
    stored = any(isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Store)
                 for target in targets for n in ast.walk(target))
    walrus = any(isinstance(n, ast.NamedExpr) and n.target.id == name
                 for part in _own_expressions(node) for n in ast.walk(part))
    return stored or walrus


def _segment(source: str, node: ast.stmt) -> str | None:
    """The statement's source (a compound statement's header), a function's decorators included:
    a decorator may replace it."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.decorator_list:
        lines = source.splitlines(keepends=True)
        first = min(d.lineno for d in node.decorator_list) - 1
        return "".join(lines[first:node.end_lineno]).rstrip("\n")
    if isinstance(node, (ast.For, ast.AsyncFor)):
        return f"for {ast.unparse(node.target)} in {ast.unparse(node.iter)}: ..."
    if isinstance(node, (ast.With, ast.AsyncWith)):
        return f"with {', '.join(ast.unparse(item) for item in node.items)}: ..."
    if isinstance(node, (ast.If, ast.While)):
        return f"({ast.unparse(node.test)})"
    return ast.get_source_segment(source, node)


def function_source(cell_sources: list[str], name: str, _seen: frozenset[str] = frozenset()) -> str | None:
    """The source of what `name` is last bound to at the top level of the cells, or None: its
    `def name(...)` or `class name` (with their decorators), or a later statement that binds it
    again (`name = lambda ...`, `from numpy import tanh`, `for name in ...`). A plain alias,
    `name = other`, is followed to `other`'s source."""
    found = None
    for source in cell_sources:
        parsed = _parsed(source)
        if parsed is None:
            continue
        tree, python = parsed
        for node in _statements(tree.body):
            if _binds(node, name):
                found = (python, node)
    if found is None:
        return None
    python, node = found
    segment = _segment(python, node)
    if isinstance(node, ast.Assign) and isinstance(node.value, ast.Name) and node.value.id not in _seen | {name}:
        aliased = function_source(cell_sources, node.value.id, _seen | {name})
        if aliased:
            return f"{segment}\n{aliased}"
    return segment


# What hides NumPy's floating-point warnings, or Python's, from a caller.
SILENCERS = ("errstate", "seterr", "filterwarnings", "simplefilter", "catch_warnings")


def silences_warnings(source: str) -> str | None:
    """The rule of an exercise whose contract asks that nothing overflows (its cases are quiet):
    an overflow costs the same whether its warning shows or is silenced."""
    calls = library_calls(source, SILENCERS)
    if calls:
        return (f"silences floating-point warnings ({', '.join(calls)}): the contract asks that nothing "
                "overflows, and a silenced overflow is still one; compute only what cannot overflow")
    return None


# --- the same rules, while the function runs ------------------------------------------------------

class LibraryShortcut(Exception):
    """An exercise's function reached a library routine its exercise forbids."""


_WATCHES: list[tuple[set[str], list[str]]] = []  # (the routines watched for, those seen), per call


def _note(name: str) -> None:
    name = name.split(" ")[0]  # np.vectorize(math.tanh) is the ufunc "tanh (vectorized)"
    for watched, seen in _WATCHES:
        if name in watched and name not in seen:
            seen.append(name)


def _plain(value: Any) -> Any:
    if isinstance(value, WatchedArray):
        return value.view(np.ndarray)
    return type(value)(_plain(item) for item in value) if isinstance(value, (tuple, list)) else value


def _watched(value: Any) -> Any:
    if type(value) is np.ndarray:
        return value.view(WatchedArray)
    if isinstance(value, tuple):
        return tuple(_watched(item) for item in value)
    return value


class WatchedArray(np.ndarray):
    """An array that notes the library routines called on it, whichever way they are reached:
    ufuncs (np.matmul, the @ operator, `__matmul__`, np.tanh), array functions (np.dot,
    np.einsum, np.linalg.multi_dot) and `ndarray.dot`. What it computes is unchanged, and
    what comes out of it is watched too."""

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        _note(ufunc.__name__)
        if "out" in kwargs:
            kwargs["out"] = _plain(kwargs["out"])
        result = getattr(ufunc, method)(*_plain(inputs), **kwargs)
        return _watched(result)

    def __array_function__(self, func, types, args, kwargs):
        _note(func.__name__)
        return super().__array_function__(func, types, args, kwargs)

    def dot(self, *args, **kwargs):
        _note("dot")
        return super().dot(*args, **kwargs)


_NAME_OPS = {"LOAD_GLOBAL", "LOAD_NAME"}
_ATTRIBUTE_OPS = {"LOAD_ATTR", "LOAD_METHOD", "LOAD_SUPER_ATTR", "IMPORT_FROM"}


def _routine_name(value: Any) -> str:
    return str(getattr(value, "__name__", "")).split(" ")[0]


def shortcuts_named(fn: Callable, names: tuple[str, ...], *, operator: bool = False) -> list[str]:
    """What the code of `fn` names among the forbidden routines `names`, resolved as the function
    would find them now: attributes and imports of those names (`np.tanh`, `x.dot`,
    `.__matmul__`, `from numpy import tanh`), globals bound to such a routine (`t` after
    `from numpy import tanh as t`), run-time look-ups (getattr, eval, ...), with `operator` the @
    operator; in `fn`, the functions nested in it or wrapped by it, and the notebook's functions
    it calls. `fn` itself may be such a routine (`matmul = np.matmul`)."""
    found: list[str] = []
    seen: set[int] = set()
    namespace = getattr(fn, "__globals__", None)

    def visit(function: Any) -> None:
        if isinstance(function, functools.partial):
            visit(function.func)
            return
        wrapped = getattr(function, "__wrapped__", None)
        if wrapped is not None and wrapped is not function:
            visit(wrapped)
        if not (isinstance(function, types.FunctionType) and function.__globals__ is namespace):
            if callable(function) and not isinstance(function, type) and _routine_name(function) in names:
                found.append(f"{getattr(function, '__module__', None) or 'a library'}.{_routine_name(function)}")
            return  # a library's own code is not the student's
        if id(function.__code__) in seen:
            return
        seen.add(id(function.__code__))
        builtins = function.__globals__.get("__builtins__", {})
        builtins = builtins if isinstance(builtins, dict) else vars(builtins)
        codes = [function.__code__]
        while codes:
            code = codes.pop()
            codes += [const for const in code.co_consts if isinstance(const, types.CodeType)]
            for instruction in dis.get_instructions(code):
                op, argument = instruction.opname, instruction.argval
                if op == "BINARY_OP" and operator and instruction.argrepr in ("@", "@="):
                    found.append("the @ operator")
                elif op in _ATTRIBUTE_OPS and argument in names:
                    found.append(f"{'from ... import ' if op == 'IMPORT_FROM' else '.'}{argument}")
                elif op in _ATTRIBUTE_OPS and argument in DYNAMIC_ATTRIBUTES:
                    found.append(f".{argument} (a run-time look-up)")
                elif op in _NAME_OPS and isinstance(argument, str) and argument in namespace:
                    visit(namespace[argument])  # a notebook's function, or what the name is bound to
                elif op in _NAME_OPS and argument in DYNAMIC_BUILTINS and argument in builtins:
                    found.append(f"{argument} (a run-time look-up)")

    visit(fn)
    return list(dict.fromkeys(found))


def watched_call(fn: Callable, args: tuple, kwargs: dict, names: tuple[str, ...], asks: str,
                 operator: bool = False) -> Any:
    """`fn(*args, **kwargs)` unless its code names one of the routines `names` (`shortcuts_named`),
    its arrays watched (`WatchedArray`); `LibraryShortcut` where a routine of `names` was
    named or called, saying which and what the exercise asks for instead."""
    named = shortcuts_named(fn, names, operator=operator)
    if named and not isinstance(fn, types.FunctionType):  # `matmul = np.matmul`
        raise LibraryShortcut(f"the function is {named[0]}, where the exercise asks for {asks}")
    if named:
        raise LibraryShortcut(f"{_called_by(fn)} uses {', '.join(named)}, where the exercise asks for {asks}")
    seen: list[str] = []
    _WATCHES.append((set(names), seen))
    try:
        try:
            value = fn(*_watched(tuple(args)), **{key: _watched(item) for key, item in kwargs.items()})
        except Exception as error:
            if seen:
                raise LibraryShortcut(_called(seen, asks)) from error
            raise
    finally:
        _WATCHES.pop()
    if seen:
        raise LibraryShortcut(_called(seen, asks))
    return _plain(value)


def _called_by(fn: Callable) -> str:
    name = getattr(fn, "__name__", "")
    return f"{name}'s code" if name.isidentifier() else "the function's code"


def _called(seen: list[str], asks: str) -> str:
    said = {"matmul": "np.matmul (the @ operator, np.matmul or __matmul__)", "dot": "np.dot or .dot"}
    routines = ", ".join(said.get(name, f"np.{name}") for name in seen)
    return f"it computes with {routines}, where the exercise asks for {asks}"


def products_watched(fn: Callable, lookup: Callable, *args: Any, **kwargs: Any) -> Any:
    """Harness: `fn(*args)` with no library matrix product, however reached (`watched_call`)."""
    return watched_call(fn, args, kwargs, PRODUCT_FUNCTIONS + PRODUCT_METHODS, LOOPS_ASKED, operator=True)


def tanh_watched(fn: Callable, lookup: Callable, *args: Any, **kwargs: Any) -> Any:
    """Harness: `fn(*args)` with no library tanh, however reached (`watched_call`)."""
    return watched_call(fn, args, kwargs, TANH_FUNCTIONS, EXPONENTIALS_ASKED)
