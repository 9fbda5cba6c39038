"""Rules about how an exercise is written, read from its source code (not run).

    library_products(source) -> ["the @ operator", "np.dot"]   # what the code uses
    explicit_loops(source)   -> what is wrong, or None          # an exercise's source rule

An exercise names its rule (`labutils.examine.Exercise.source_rule`); the public check applies it
in the student's kernel, the judge to the submitted notebook.
"""
from __future__ import annotations

import ast

# Calls that multiply matrices for you; an exercise that asks for loops forbids them.
PRODUCT_FUNCTIONS = ("dot", "matmul", "einsum", "tensordot", "inner", "vdot", "mm", "bmm")


def library_calls(source: str, names: tuple[str, ...], *, qualified_only: bool = False) -> list[str]:
    """Where `source` refers to any of `names` (`np.tanh`, `tanh`), in order of appearance.

    qualified_only: count only `module.name` forms (a bare `tanh` may be the student's own).
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in names:
            owner = node.value.id if isinstance(node.value, ast.Name) else "..."
            found.append(f"{owner}.{node.attr}")
        elif isinstance(node, ast.Name) and node.id in names and not qualified_only:
            found.append(node.id)
    return list(dict.fromkeys(found))


def library_products(source: str) -> list[str]:
    """The matrix-product shortcuts `source` uses, in order of appearance."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    operator = any(isinstance(node, (ast.BinOp, ast.AugAssign)) and isinstance(node.op, ast.MatMult)
                   for node in ast.walk(tree))
    return (["the @ operator"] if operator else []) + library_calls(source, PRODUCT_FUNCTIONS)


def explicit_loops(source: str) -> str | None:
    """The rule of an exercise that asks for loops: no library matrix product."""
    shortcuts = library_products(source)
    if shortcuts:
        return (f"uses {', '.join(shortcuts)}, where the exercise asks for explicit loops over rows, columns "
                "and the inner index")
    return None


def built_from_exponentials(source: str) -> str | None:
    """The rule of an exercise that asks for a function built from exponentials: no library tanh."""
    calls = library_calls(source, ("tanh",), qualified_only=True)
    return f"calls {', '.join(calls)}, where the exercise asks for exponentials" if calls else None


def function_source(cell_sources: list[str], name: str) -> str | None:
    """The source of the last top-level `def name(...)` or `class name` among cells, or None."""
    found = None
    for source in cell_sources:
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name == name:
                found = ast.get_source_segment(source, node)
    return found


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
