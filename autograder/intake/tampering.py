"""Code in a submission that tampers with the checks or with the kernel's error reporting.

    suspicious_code(["import labutils.checks.lab01 as c\\nc.check_matmul = print"])
    -> ["cell 1, line 2: assigns to c.check_matmul (labutils.checks.lab01)"]

A flag never changes points (the judges decide those, outside the kernel); it marks the
submission in nbgrader's gradebook and in the report so an instructor looks at it.
"""
from __future__ import annotations

import ast

# Modules whose attributes a student has no reason to replace.
GUARDED_MODULES = ("labutils", "builtins", "sys", "IPython", "numpy.testing", "unittest", "nbgrader")
# Methods that change a container in place: called on an object of labutils (the harnesses'
# registry, a check's recorded cases), they rewrite what the checks and judges' probes run.
MUTATING_METHODS = {"update", "setdefault", "pop", "popitem", "clear", "__setitem__", "__delitem__",
                    "append", "extend", "insert", "remove"}
# Attributes that hide errors or rewrite what later cells (and the grader's probes) run.
GUARDED_ATTRIBUTES = {
    "showtraceback", "showsyntaxerror", "excepthook", "set_custom_exc", "input_transformers_cleanup",
    "input_transformers_post", "ast_transformers", "displayhook", "run_cell", "run_cell_async",
    "AssertionError", "__builtins__",
}


def imported_modules(tree: ast.AST) -> dict[str, str]:
    """{local name: module} for every import in `tree`."""
    names = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                names[alias.asname or alias.name.split(".")[0]] = alias.name if alias.asname else alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return names


def dotted(node: ast.AST) -> str | None:
    parts = []
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        parts.append(node.attr if isinstance(node, ast.Attribute) else "[]")
        node = node.value
    if isinstance(node, ast.Name):
        return ".".join([node.id, *reversed(parts)])
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):  # get_ipython().x
        return ".".join([f"{node.func.id}()", *reversed(parts)])
    return None


def guarded(name: str, modules: dict[str, str]) -> str | None:
    """Why assigning to `name` is suspicious, or None."""
    root, *rest = name.split(".")
    module = modules.get(root, "")
    if rest and any(module == g or module.startswith(g + ".") for g in GUARDED_MODULES):
        return module
    if root == "get_ipython()" or set(rest) & GUARDED_ATTRIBUTES or root in GUARDED_ATTRIBUTES:
        return "the kernel's error reporting or input handling"
    return None


def cell_flags(number: int, source: str) -> list[str]:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []  # IPython syntax (magics) or a plain error: the run shows it
    modules = imported_modules(tree)
    flags = []

    def flag(node: ast.AST, what: str, name: str, why: str) -> None:
        flags.append(f"cell {number}, line {node.lineno}: {what} {name} ({why})")

    for node in ast.walk(tree):
        targets = []
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete)):
            targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
        for target in targets:
            name = dotted(target)
            why = name and "." in name and guarded(name, modules)
            if why:
                flag(node, "deletes" if isinstance(node, ast.Delete) else "assigns to", name, why)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("setattr", "delattr") \
                and node.args:
            name = dotted(node.args[0])
            why = name and guarded(name + ".x", modules)
            if why:
                flag(node, f"{node.func.id} on", name, why)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in MUTATING_METHODS:
            container = node.func.value
            if isinstance(container, ast.Call) and isinstance(container.func, ast.Name) \
                    and container.func.id == "vars" and container.args:  # vars(module).update(...)
                inner = dotted(container.args[0])
                name = inner and f"vars({inner})"
                why = inner and guarded(inner + ".x", modules)
                if why and why.startswith("labutils"):
                    flag(node, f"calls {node.func.attr} on", name, why)
                continue
            name = dotted(container)
            why = name and guarded(name + ".x", modules)
            if why and why.startswith("labutils"):
                flag(node, f"calls {node.func.attr} on", name, why)
        if isinstance(node, ast.Attribute) and node.attr in GUARDED_ATTRIBUTES - {"AssertionError"}:
            name = dotted(node)
            if name and not any(name in f for f in flags):
                flag(node, "uses", name, "the kernel's error reporting or input handling")
    return flags


def suspicious_code(sources: list[str]) -> list[str]:
    """Flags for every cell in `sources` (the student's own code), numbered from 1."""
    return [flag for number, source in enumerate(sources, start=1) for flag in cell_flags(number, source)]
