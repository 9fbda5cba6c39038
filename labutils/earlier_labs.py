"""Your own answers from an earlier lab, carried into this one.

Lab 07 trains a network built from what you wrote in labs 05 and 06. Instead of pasting that code
again, a cell of lab 07 runs

    carry("06_backprop", "linear_forward", "linear_backward", into=globals())

which reads your notebook `../06_backprop/06_backprop.ipynb` (the lab folders sit side by side),
runs its setup cells and the answer cells that define those functions, and puts the functions in
`into`. Save the earlier notebook first: what is carried is what is on disk. Each function carried
is then put through its own lab's public check, and one line says whether it passes: a network
built from a failing layer cannot learn, and that is not the new exercise's fault.

The grader does not use this: it judges each exercise on its own, and gives the exercise that
builds on earlier ones the reference building blocks, so that an earlier mistake is paid for
once, where it was made.
"""
from __future__ import annotations

import ast
import contextlib
import importlib
import io
import json
from pathlib import Path
from typing import Any


class CarryError(RuntimeError):
    """The earlier lab's notebook, or a function asked for, could not be carried."""


def notebook_of(lab_id: str, labs_dir: Path | None = None) -> Path:
    """Where lab `lab_id`'s notebook is: beside this lab's folder (the working directory)."""
    labs_dir = Path.cwd().parent if labs_dir is None else Path(labs_dir)
    return labs_dir / lab_id / f"{lab_id}.ipynb"


def _defines(source: str) -> set[str]:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    return {node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.ClassDef))}


def _code_cells(path: Path) -> list[dict]:
    try:
        notebook = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CarryError(f"{path} was not found: carry() reads the earlier lab's notebook from the folder "
                         "beside this lab's (open this notebook from its own folder)") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as problem:
        raise CarryError(f"{path} cannot be read as a notebook: {problem}") from None
    cells = []
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") == "code":
            source = cell.get("source", "")
            cells.append({"source": "".join(source) if isinstance(source, list) else source,
                          "metadata": cell.get("metadata", {})})
    return cells


def load(lab_id: str, names: tuple[str, ...], labs_dir: Path | None = None) -> dict[str, Any]:
    """The functions `names` as the notebook of `lab_id` defines them, run in a namespace of their own."""
    path = notebook_of(lab_id, labs_dir)
    namespace: dict[str, Any] = {"__name__": f"carried_{lab_id}"}
    wanted = set(names)
    for index, cell in enumerate(_code_cells(path)):
        is_setup = "setup" in cell["metadata"].get("tags", [])
        is_answer = bool(cell["metadata"].get("nbgrader", {}).get("solution"))
        if is_setup or (is_answer and _defines(cell["source"]) & wanted):
            try:
                exec(compile(cell["source"], f"{path.name}:cell{index}", "exec"), namespace)
            except Exception as problem:  # noqa: BLE001 - reported with where it happened
                raise CarryError(f"cell {index} of {path} raised {type(problem).__name__}: {problem}") from problem
    missing = [name for name in names if not callable(namespace.get(name))]
    if missing:
        raise CarryError(f"{path} defines no {', '.join(missing)} in its answer cells")
    return {name: namespace[name] for name in names}


def check_line(lab_id: str, name: str, functions: dict[str, Any]) -> str:
    """One line: does `name` pass its own lab's public check?"""
    module = importlib.import_module(f"labutils.checks.lab{lab_id[:2]}")
    exercise = next((e for e in module.EXERCISES if e.callee == name), None)
    if exercise is None:
        return f"  {name}"
    others = [functions.get(other) for other in exercise.others]
    if any(other is None for other in others):
        return f"  {name} (its check needs {', '.join(exercise.others)}: carry them too)"
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            getattr(module, f"check_{exercise.task}")(functions[name], *others)
    except NotImplementedError:
        return f"✘ {name}: still the stub; answer it in lab {lab_id[:2]} first"
    except Exception as problem:  # noqa: BLE001 - a failed check (CheckFailed) or the code's own error
        first = str(problem).splitlines()[0] if str(problem) else type(problem).__name__
        return f"✘ {name} fails its lab {lab_id[:2]} check ({first}); fix it there first"
    return f"✔ {name} passes its lab {lab_id[:2]} check"


def carry(lab_id: str, *names: str, into: dict[str, Any], labs_dir: Path | None = None,
          quiet: bool = False) -> list[str] | None:
    """Put your functions `names` from lab `lab_id`'s notebook into `into` (this notebook's
    `globals()`), each checked by its own lab's public check. Prints a line for each; with
    `quiet`, prints nothing and returns the lines instead (a notebook cell shows a returned
    value again, under the printed lines)."""
    functions = load(lab_id, names, labs_dir)
    lines = [f"from your {notebook_of(lab_id, labs_dir).name}:"]
    lines += [check_line(lab_id, name, functions) for name in names]
    into.update(functions)
    if quiet:
        return lines
    print("\n".join(lines))
    return None
