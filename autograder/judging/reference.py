"""The reference answers: the solution code of `solutions/<lab>/<lab>.ipynb`, run here.

One source of truth: judges compare students with these functions, and the release
records their outcomes on the public cases. This runs in the grader's own process
(instructor code) and never enters a student's kernel.
"""
from __future__ import annotations

import contextlib
import functools
import io
from typing import Any

from autograder.course.labs import is_setup_cell, is_solution_cell, read_notebook, source_path
from labutils.source_rules import function_source


@functools.lru_cache(maxsize=None)
def reference_namespace(lab_id: str) -> dict[str, Any]:
    """The reference's globals, built once (`build_namespace`); do not modify them."""
    return build_namespace(lab_id)


def build_namespace(lab_id: str) -> dict[str, Any]:
    """Run the lab's setup cells (tag "setup") and solution cells in a new namespace, in the
    notebook's folder, as Jupyter does (lab 07's setup carries functions from ../06_backprop)."""
    namespace: dict[str, Any] = {"__name__": f"reference_{lab_id}"}
    path = source_path(lab_id)
    with contextlib.chdir(path.parent), contextlib.redirect_stdout(io.StringIO()):
        for index, cell in enumerate(read_notebook(path).cells):
            if is_setup_cell(cell) or is_solution_cell(cell):
                exec(compile(cell.source, f"{path.name}:cell{index}", "exec"), namespace)
    return namespace


def reference_function(lab_id: str, name: str):
    try:
        return reference_namespace(lab_id)[name]
    except KeyError:
        raise KeyError(f"the solution of {lab_id} defines no {name}()") from None


@functools.lru_cache(maxsize=None)
def reference_blocks(names: tuple[str, ...], labs: tuple[str, ...]) -> str:
    """The reference's functions `names`, each from the first of `labs` that defines it, as source
    code: what a judge lends the kernel (`labutils.harnesses.lent`) for the calls of an exercise
    built on others (sent to the grading sandbox only, never in what students are given)."""
    sources = {lab: [cell.source for cell in read_notebook(source_path(lab)).cells if cell.cell_type == "code"]
               for lab in labs}
    found = {}
    for name in names:
        found[name] = next((source for lab in labs if (source := function_source(sources[lab], name))), None)
        if found[name] is None:
            raise LookupError(f"none of the solutions of {', '.join(labs)} defines {name}()")
    return "import numpy as np\n\n" + "\n\n".join(found[name] for name in names) + "\n"
