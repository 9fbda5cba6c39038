"""`make demo`: the instructor's main job, end to end, on embedded defaults.

Builds a synthetic class of 30 students from the solutions and the mistake catalogues
(plus three who hand in trouble: an endless loop, a corrupt file, a patched check; two
who copied one another's lab 01 and two who wrote a short answer alike on their own; two
who hand in late), grades it in parallel in the sandbox, exports the grades for Canvas
and prints a summary and where the report, grades, Canvas file, similarity report,
feedback and gradebook are. Writes only under `.scratch/demo`.
"""
from __future__ import annotations

import shutil
import statistics
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import nbformat

from autograder.course.config import course_config, quiet_nbgrader
from autograder.course.labs import ROOT, is_solution_cell, nbgrader_meta, read_notebook, student_path
from autograder.demo.synthetic_class import (
    build_class,
    completed_notebook,
    synthetic_class,
    write_submission,
    write_timestamp,
)
from autograder.grading.late import due_date
from autograder.grading.results import SubmissionResult
from autograder.judging.judges import secret_said
from autograder.outputs.export import csv_writer, export
from autograder.pipeline.run import grade
from autograder.sandbox.bubblewrap import confinement

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


# Two students who wrote lab 01's matmul together: the second renamed every variable and
# put the helper functions in the other order. Their code is their own, not the reference's.
COPIED_MATMUL = ("""\
    def check_inner(shape_left, shape_right):
        if shape_left[1] != shape_right[0]:
            raise ValueError(f"shapes {shape_left} and {shape_right} do not chain")

    def row_times_column(row, column):
        total = 0.0
        for position in range(len(row)):
            total = total + row[position] * column[position]
        return total

    check_inner(A.shape, B.shape)
    rows, cols = A.shape[0], B.shape[1]
    result = np.empty((rows, cols))
    for r in range(rows):
        for c in range(cols):
            result[r, c] = row_times_column(A[r, :], B[:, c])
    return result
""", """\
    def combine(u, v):
        acc = 0.0
        for t in range(len(u)):
            acc = acc + u[t] * v[t]
        return acc

    def shapes_ok(sa, sb):
        if sa[1] != sb[0]:
            raise ValueError(f"shapes {sa} and {sb} do not chain")

    shapes_ok(A.shape, B.shape)
    n_rows, n_cols = A.shape[0], B.shape[1]
    out = np.empty((n_rows, n_cols))
    for i in range(n_rows):
        for j in range(n_cols):
            out[i, j] = combine(A[i, :], B[:, j])
    return out
""")
# Two students who each wrote product_shape alone: short, right, and alike, as short answers are.
OWN_PRODUCT_SHAPE = ("""\
    if shape_a[1] != shape_b[0]:
        raise ValueError(f"inner dimensions differ: {shape_a} and {shape_b}")
    return (shape_a[0], shape_b[1])
""", """\
    if shape_a[1] != shape_b[0]:
        raise ValueError(f"cannot multiply {shape_a} by {shape_b}")
    return (shape_a[0], shape_b[1])
""")
COPIERS = {"copy-first": ("matmul", COPIED_MATMUL[0]), "copy-renamed": ("matmul", COPIED_MATMUL[1]),
           "alone-first": ("product_shape", OWN_PRODUCT_SHAPE[0]), "alone-second": ("product_shape", OWN_PRODUCT_SHAPE[1])}
SIMILARITY_LAB = "01_matrix_shapes"


def with_own_answer(lab_id: str, grade_id: str, body: str) -> nbformat.NotebookNode:
    """The solution, but for one exercise, whose stub gets `body` in place of its raise."""
    nb = completed_notebook(lab_id)
    stub = next(cell for cell in read_notebook(student_path(lab_id)).cells
                if is_solution_cell(cell) and nbgrader_meta(cell)["grade_id"] == grade_id)
    cell = next(cell for cell in nb.cells if is_solution_cell(cell) and nbgrader_meta(cell)["grade_id"] == grade_id)
    kept = [line for line in stub.source.splitlines() if "raise NotImplementedError" not in line]
    cell.source = "\n".join(kept) + "\n" + body
    return nb


def add_copiers(submitted: Path) -> None:
    """The similarity report's pairs: two who copied one another, two who did not."""
    for student_id, (grade_id, body) in COPIERS.items():
        write_submission(submitted, student_id, SIMILARITY_LAB, with_own_answer(SIMILARITY_LAB, grade_id, body))


# Seconds after the due date each demo student handed in: two are late, the rest a day early.
LATE_BY = {"ada": 5 * 3600, "carl": int(2.5 * 86400)}


def stamp_submissions(submitted: Path) -> None:
    """A timestamp.txt for every submission, against its lab's due date (nbgrader_config.py)."""
    config = course_config()
    for lab_dir in sorted(path for path in submitted.glob("*/*") if path.is_dir()):
        student_id, lab_id = lab_dir.parent.name, lab_dir.name
        due = due_date(config, lab_id)
        if due is not None:
            write_timestamp(submitted, student_id, lab_id, due + timedelta(seconds=LATE_BY.get(student_id, -86400)))


def build_demo_class(submitted: Path, labs: list[str] | None = None, students: int = STUDENTS) -> None:
    """The demo's class: `students` synthetic students and the three troublemakers, per lab,
    each submission stamped with the time it was handed in."""
    labs = labs or DEMO_LABS
    build_class(synthetic_class(labs, students=students), submitted)
    for lab_id in labs:
        add_troublemakers(submitted, lab_id)
    if SIMILARITY_LAB in labs:
        add_copiers(submitted)
    stamp_submissions(submitted)


def write_canvas_roster(path: Path, students: list[str]) -> Path:
    """The class as Canvas's gradebook export lists it (Grades > Export): the roster the
    Canvas exporter maps student ids with (tests/data/lms/README.md describes the form)."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv_writer(handle)
        writer.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section"])
        writer.writerow(["    Points Possible", "", "", "", ""])
        for number, student_id in enumerate(students, 1001):
            writer.writerow([f"{student_id.title()}, Demo", number, f"S{number}", student_id, "NN Training Labs"])
    return path


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
    print(f"built a class of {sum(1 for _ in submitted.iterdir())} students ({count} submissions of {', '.join(labs)}) in {submitted}")
    print(f"kernels: {confinement()}")
    # A demo grades with the public demo secret unless NNLABS_COURSE_SECRET is set, and says which.
    print(f"secret:  {secret_said()}")
    graded = out_dir / "graded"
    results = grade(submitted, graded, labs=labs, timeout=10, progress=True, demo_secret=True)
    print()
    print("\n".join(summary(results)))
    print()
    roster = write_canvas_roster(out_dir / "canvas_gradebook_export.csv", sorted({r.student_id for r in results}))
    canvas = graded / "canvas.csv"
    unmatched = export(graded, "canvas", canvas, roster)
    print(f"report:    {graded / 'report.html'}")
    print(f"grades:    {graded / 'grades.csv'}")
    print(f"canvas:    {canvas} (import into Canvas; roster {roster}; {len(unmatched)} notes in canvas.csv.unmatched.txt)")
    print(f"similar:   {graded / 'similarity.html'} (pairs whose answers look alike; no grade changed)")
    print(f"feedback:  {graded / 'feedback'}/<student>/<lab>.html")
    print(f"gradebook: {graded / 'gradebook.db'} (nbgrader's; formgrader and export work on it)")
    print(f"done in {time.monotonic() - started:.0f} s ({len(results)} submissions)")
    return 0
