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
