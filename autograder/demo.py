"""`make demo`: the instructor's main job, end to end, on embedded defaults.

Builds a synthetic class of 30 students from the solutions and the mistake catalogues
(plus three who hand in trouble: an endless loop, a corrupt file, a patched check),
grades it in parallel in the sandbox, and prints a summary and where the report,
grades, feedback and gradebook are. Writes only under `.scratch/demo`.
"""
from __future__ import annotations

import shutil
import statistics
import time
from collections import Counter
from pathlib import Path

import nbformat

from autograder.classroom import build_class, completed_notebook, synthetic_class, write_submission
from autograder.course import quiet_nbgrader
from autograder.grading import grade
from autograder.labs import ROOT
from autograder.results import SubmissionResult
from autograder.sandbox import confinement

DEMO_LABS = ["01_matrix_shapes", "04_cross_entropy"]
STUDENTS = 30


def add_troublemakers(submitted: Path, lab_id: str) -> None:
    """Three students of the kind every class has, so the report has something to show."""
    looping = completed_notebook(lab_id)
    looping.cells.insert(2, nbformat.v4.new_code_cell("while True:\n    pass  # forgot the stopping rule"))
    write_submission(submitted, "trouble-endless-loop", lab_id, looping)
    corrupt = submitted / "trouble-corrupt-file" / lab_id / f"{lab_id}.ipynb"
    corrupt.parent.mkdir(parents=True, exist_ok=True)
    corrupt.write_text('{"cells": [{"cell_type": "code", "source": "def ', encoding="utf-8")
    patched = completed_notebook(lab_id)
    patched.cells.insert(2, nbformat.v4.new_code_cell(
        "import labutils.checks.engine as engine\n"
        "engine.examine = lambda *args, **kwargs: type('Passed', (), {'passed': True, 'cases_run': 1})()"))
    write_submission(submitted, "trouble-patched-check", lab_id, patched)


def build_demo_class(submitted: Path, labs: list[str] | None = None, students: int = STUDENTS) -> None:
    """The demo's class: `students` synthetic students and the three troublemakers, per lab."""
    labs = labs or DEMO_LABS
    build_class(synthetic_class(labs, students=students), submitted)
    for lab_id in labs:
        add_troublemakers(submitted, lab_id)


def summary(results: list[SubmissionResult]) -> list[str]:
    """A line per lab (submissions, mean score, how many of each status), then who was flagged."""
    lines = []
    for lab_id in sorted({r.lab_id for r in results}):
        graded = [r for r in results if r.lab_id == lab_id]
        scores = [r.points / r.max_points for r in graded if r.max_points]
        kinds = Counter(r.status.value for r in graded)
        lines.append(f"  {lab_id:<22} {len(graded):>3} submissions  mean {100 * statistics.mean(scores):5.1f}%  "
                     + ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items())))
    flagged = sorted({r.student_id for r in results if r.flags})
    if flagged:
        lines.append(f"  flagged for a look: {', '.join(flagged)}")
    return lines


def demo(out_dir: Path | None = None, labs: list[str] | None = None, students: int = STUDENTS) -> int:
    quiet_nbgrader()
    started = time.monotonic()
    out_dir = (out_dir or ROOT / ".scratch" / "demo").resolve()
    if out_dir.exists():
        shutil.rmtree(out_dir)
    labs = labs or DEMO_LABS
    submitted = out_dir / "submitted"
    build_demo_class(submitted, labs, students)
    count = sum(1 for _ in submitted.glob("*/*/"))
    print(f"built a class of {students + 3} students ({count} submissions of {', '.join(labs)}) in {submitted}")
    print(f"kernels: {confinement()}")
    graded = out_dir / "graded"
    results = grade(submitted, graded, labs=labs, timeout=10, progress=True)
    print()
    print("\n".join(summary(results)))
    print()
    print(f"report:    {graded / 'report.html'}")
    print(f"grades:    {graded / 'grades.csv'}")
    print(f"feedback:  {graded / 'feedback'}/<student>/<lab>.html")
    print(f"gradebook: {graded / 'gradebook.db'} (nbgrader's; formgrader and export work on it)")
    print(f"done in {time.monotonic() - started:.0f} s ({len(results)} submissions)")
    return 0
