"""Self-grading for learners: `python -m autograder selfgrade PATH/TO/NOTEBOOK.ipynb`.

Grades one notebook exactly as a class is graded (the checks in the notebook, then the
judges on hidden inputs, the kernel in the sandbox) in a scratch folder, and prints the
points and the messages of each exercise. The lab is recognised from the file's name (`03_softmax.ipynb`) or folder.
"""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from autograder.grading import Submission, grade
from autograder.labs import LAB_IDS, available_labs


def lab_of(path: Path) -> str:
    for name in (path.stem, path.parent.name):
        if name in LAB_IDS:
            if name not in available_labs():
                raise SystemExit(f"{name} is not released yet; the labs are {', '.join(available_labs())}")
            return name
    raise SystemExit(f"cannot tell which lab {path} is: name it like labs/<lab>/<lab>.ipynb "
                     f"({', '.join(available_labs())})")


def indented(title: str, message: str) -> str:
    first, *rest = message.strip().splitlines() or [""]
    return "\n".join([f"      {title}: {first}", *(f"        {line.strip()}" for line in rest)])


def report(result: Submission) -> str:
    lines = [f"{result.lab_id}: {result.points:g} / {result.max_points:g} points"
             + ("" if result.status == "graded" else f"  [{result.status}]")]
    lines += [f"  note: {note}" for note in result.notes]
    for cell in result.cells.values():
        passed = cell["points"] == cell["max_points"]
        lines.append(f"  {'✔' if passed else '✘'} {cell['judge']['task']:<28} "
                     f"{cell['points']:g} / {cell['max_points']:g}")
        if not cell["check_passed"]:
            lines.append(indented("check", cell["check_message"] or ""))
        if not cell["judge"]["passed"]:
            lines.append(indented("hidden tests", cell["judge"]["message"]))
    return "\n".join(lines)


def selfgrade(notebook: Path, timeout: int | None = None) -> Submission:
    notebook = notebook.resolve()
    if not notebook.exists():
        raise SystemExit(f"{notebook}: no such file")
    lab_id = lab_of(notebook)
    with tempfile.TemporaryDirectory(prefix="nnlabs-selfgrade-") as scratch:
        submitted = Path(scratch) / "submitted" / "me" / lab_id
        submitted.mkdir(parents=True)
        shutil.copy(notebook, submitted / f"{lab_id}.ipynb")
        (result,) = grade(submitted.parent.parent, Path(scratch) / "graded", labs=[lab_id],
                          timeout=timeout, workers=1)
    return result
