"""What the labs' prose claims, checked where the notebook computes it.

A solution notebook backs the numbers its prose states, and the comparisons it makes, with a
code cell tagged `claims` right after that prose:

    from autograder.authoring.claims import holds, says
    says("1.583", validation[-1], "the validation loss at epoch 300 without dropout")
    holds(abs(best_dropout - best_none) < 0.05, "the two minima are about the same")

`says(text, value, what)` passes when `value` rounds to `text` as written ("1.583", "21.6%",
"2e-08": half a unit of its last digit, and a hair for floats that differ between CPUs);
`holds(condition, claim)` when the comparison is true. `verify` runs each solution notebook
top to bottom with its own seeds (`claims_problems`, on the run `autograder.course.solution_runs`
keeps for the walk-through site too): a claim that no longer holds fails it,
naming the cell; so does a number in the prose just above a claims cell that no `says` backs,
and a `says` whose text that prose does not contain. The release leaves these cells out of
labs/ (TagRemovePreprocessor in nbgrader_config.py): a student's own functions may draw their
random numbers otherwise, and the claims are about the worked solution.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat

CLAIMS = "claims"
FLOAT_NOISE = 1e-9  # relative: what CPUs may differ by, far below any digit a text prints
_NUMBER = re.compile(r"^([+-]?\d+(?:\.(\d+))?)(?:[eE]([+-]?\d+))?(%?)$")
# A decimal number in prose (not in $math$ or `code`): 0.367, 21.6%, 1.5e-3.
_PROSE_NUMBER = re.compile(r"(?<![\w.])\d+\.\d+(?:[eE][+-]?\d+)?%?(?![\w.]*\d)")


class ClaimFailed(AssertionError):
    """A sentence of a lab that its own notebook no longer bears out."""


def _as_number(text: str) -> tuple[float, float]:
    """("21.6%") -> (21.6, half a unit of its last digit, 0.05), in the text's own scale."""
    match = _NUMBER.match(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not a number as prose writes one (1.583, 21.6%, 2e-08)")
    digits, decimals, exponent, _ = match.groups()
    scale = 10.0 ** int(exponent or 0)
    return float(digits) * scale, 0.5 * 10.0 ** -len(decimals or "") * scale


def says(text: str, value: float, what: str) -> None:
    """The prose writes `text` for `value`: passes when `value` rounds to it."""
    number, half_unit = _as_number(text)
    shown = float(value) * (100.0 if text.strip().endswith("%") else 1.0)
    if abs(shown - number) > half_unit + FLOAT_NOISE * max(1.0, abs(number)):
        raise ClaimFailed(f"the text says {text} for {what}; the notebook computes {shown:.6g}")


def holds(condition: bool, claim: str) -> None:
    """The prose claims `claim`: passes when `condition` is true."""
    if not condition:
        raise ClaimFailed(f"the text claims {claim}; the notebook's own numbers do not bear it out")


def is_claims_cell(cell) -> bool:
    return cell.cell_type == "code" and CLAIMS in cell.get("metadata", {}).get("tags", [])


def prose_before(nb, index: int) -> tuple[list[int], str]:
    """The markdown cells right before cell `index` (up to the code cell before them), and
    their text without $math$ and `code`."""
    cells = []
    while index - 1 >= 0 and nb.cells[index - 1].cell_type == "markdown":
        index -= 1
        cells.insert(0, index)
    text = "\n".join(nb.cells[i].source for i in cells)
    text = re.sub(r"\$\$.*?\$\$|\$[^$]*\$|`[^`]*`", " ", text, flags=re.S)
    return cells, text


def said_texts(source: str) -> list[str]:
    """The first arguments of the `says(...)` calls of a claims cell, where they are literals."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "says" and node.args \
                and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
            found.append(node.args[0].value)
    return found


def static_problems(nb) -> list[str]:
    """Each claims cell's says() texts are in the prose just above it, and each decimal number
    of that prose is said."""
    problems = []
    for index, cell in enumerate(nb.cells):
        if not is_claims_cell(cell):
            continue
        prose_cells, prose = prose_before(nb, index)
        if not prose_cells:
            problems.append(f"cell {index}: a claims cell must follow the prose whose claims it checks")
            continue
        where = f"cell {index} (the claims of cell{'s' if len(prose_cells) > 1 else ''} "
        where += ", ".join(map(str, prose_cells)) + ")"
        texts = said_texts(cell.source)
        problems += [f"{where}: says {text!r}, which the prose does not contain" for text in texts
                     if not re.search(rf"(?<![\w.]){re.escape(text)}(?![\w]|\.\d)", prose)]
        problems += [f"{where}: the prose states {number} and no says() backs it"
                     for number in dict.fromkeys(_PROSE_NUMBER.findall(prose)) if number not in texts]
    return problems


def claims_problems(lab_id: str, notebook: Path | None = None) -> list[str]:
    """What `verify` says of the lab's claims: the static rules, then each claims cell that fails
    when the solution notebook runs (and any other cell that raises, since what follows it
    cannot be trusted)."""
    from autograder.course.labs import solution_code, source_path
    from autograder.course.solution_runs import run_notebook, solution_run

    path = notebook or source_path(lab_id)
    nb = nbformat.read(path, as_version=4)
    if not any(is_claims_cell(cell) for cell in nb.cells):
        return []
    problems = static_problems(nb)
    if notebook is None:  # the lab's own solution: its run, shared with the walk-through site
        ran = solution_run(lab_id)
    else:
        for cell in nb.cells:
            cell.source = solution_code(cell.source)
        ran = run_notebook(nb, path.parent)
    for index, cell in enumerate(ran.cells):
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        if not errors:
            continue
        prose_cells, _ = prose_before(nb, index)
        what = f"cell {index}" + (f" (the claims of cell {', '.join(map(str, prose_cells))})"
                                  if is_claims_cell(cell) else "")
        problems.append(f"{what}: {errors[0]['ename']}: {errors[0]['evalue']}")
    return problems
