"""Self-grading for learners: `python -m autograder selfgrade PATH/TO/NOTEBOOK.ipynb`.

Grades one notebook exactly as a class is graded (the checks in the notebook, then the
judges on hidden inputs, the kernel in the sandbox) in a scratch folder, and prints the
points and the messages of each exercise (`report`, a writer over `SubmissionResult`).
The lab is recognised from the file's name (`03_softmax.ipynb`) or folder.
"""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from autograder.course.labs import available_labs
from autograder.grading.results import Status, SubmissionResult
from autograder.judging.judges import secret_said
from autograder.pipeline.run import grade


def lab_of(path: Path) -> str:
    for name in (path.stem, path.parent.name):
        if name in available_labs():
            return name
    raise SystemExit(f"cannot tell which lab {path} is: name it like labs/<lab>/<lab>.ipynb "
                     f"({', '.join(available_labs())})")


def indented(title: str, message: str) -> str:
    first, *rest = message.strip().splitlines() or [""]
    return "\n".join([f"      {title}: {first}", *(f"        {line.strip()}" for line in rest)])


def report(result: SubmissionResult) -> str:
    """The points, then each exercise with the messages of what failed."""
    lines = [f"{result.lab_id}: {result.points_text}"
             + ("" if result.status is Status.GRADED else f"  [{result.sentence}]")]
    lines += [f"  note: {note}" for note in result.notes]
    for cell in result.cells.values():
        lines.append(f"  {'✔' if cell.full_marks else '✘'} {cell.task:<28} {cell.points_said}")
        if not cell.check_run:
            lines.append("      check: not run when grading; the hidden tests alone decide its points")
        elif not cell.check_passed:
            lines.append(indented("check", cell.check_message or ""))
        if not cell.judge.passed:
            lines.append(indented("hidden tests", cell.judge.message))
    lines.append(f"  (hidden cases drawn with {secret_said()}; your course's grader draws its own)")
    return "\n".join(lines)


def selfgrade(notebook: Path, timeout: int | None = None) -> SubmissionResult:
    """Grade one notebook as a class is graded (the course's limits; `timeout` per cell if given).
    A learner has no course secret: the hidden cases are drawn with the public demo secret (or
    NNLABS_COURSE_SECRET where it is set), and `report` says which."""
    notebook = notebook.resolve()
    if not notebook.exists():
        raise SystemExit(f"{notebook}: no such file")
    lab_id = lab_of(notebook)
    with tempfile.TemporaryDirectory(prefix="nnlabs-selfgrade-") as scratch:
        submitted = Path(scratch) / "submitted" / "me" / lab_id
        submitted.mkdir(parents=True)
        shutil.copy(notebook, submitted / f"{lab_id}.ipynb")
        (result,) = grade(submitted.parent.parent, Path(scratch) / "graded", labs=[lab_id],
                          timeout=timeout, workers=1, demo_secret=True)
    return result
