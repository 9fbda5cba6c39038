"""Stock `nbgrader autograde` against this grader, on the same synthetic class, in one run.

    .venv/bin/python benchmarks/grading.py [--labs ID ...] [--students N] [--workers N]

Prints seconds per submission for
- stock:  nbgrader's own Autograde (serial, unsandboxed, no judges), as `nbgrader autograde`;
- ours:   `autograder.grading.grade` (parallel workers, bubblewrap sandbox, judges);
- floor:  the solution notebooks' own execution time (kernel start included, plain
          kernel) divided by the cores: what any grader of these notebooks must spend;
and the ratios stock / ours and ours / floor.
"""
from __future__ import annotations

import argparse
import logging
import os
import shutil
import tempfile
import time
import warnings
from pathlib import Path

from nbclient import NotebookClient
from nbgrader.converters import Autograde
from nbgrader.coursedir import CourseDirectory
from sqlalchemy.exc import SAWarning

from autograder.classroom import build_class, synthetic_class
from autograder.course import course_config, quiet_nbgrader
from autograder.grading import grade
from autograder.labs import available_labs, is_skipped_when_grading, read_notebook, source_path
from autograder.release import generate_student_version
from autograder.sandbox import confinement


def stock_autograde(submitted: Path, course: Path, labs: list[str]) -> float:
    """nbgrader's autograde, as shipped, over every submission; seconds."""
    course.mkdir(parents=True, exist_ok=True)
    db_url = f"sqlite:///{course / 'gradebook.db'}"
    for lab_id in labs:
        generate_student_version(lab_id, course / "release", db_url)
    started = time.monotonic()
    for lab_id in labs:
        config = course_config()
        config.CourseDirectory.root = str(course)
        config.CourseDirectory.source_directory = str(source_path(lab_id).parent.parent)
        config.CourseDirectory.submitted_directory = str(submitted)
        config.CourseDirectory.autograded_directory = str(course / "autograded")
        config.CourseDirectory.db_url = db_url
        coursedir = CourseDirectory(config=config)
        coursedir.assignment_id = lab_id
        app = Autograde(coursedir=coursedir, config=config)
        app.log.setLevel(logging.CRITICAL)
        app.force = True
        app.start()
    return time.monotonic() - started


def solution_seconds(lab_id: str, as_graded: bool = False) -> float:
    """One top-to-bottom run of the lab's solution notebook, kernel start included;
    as_graded: without the cells tagged skip-when-grading, as the grader runs it."""
    nb = read_notebook(source_path(lab_id))
    if as_graded:
        nb.cells = [cell for cell in nb.cells if not is_skipped_when_grading(cell)]
    started = time.monotonic()
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(source_path(lab_id).parent)}}).execute()
    return time.monotonic() - started


SOLUTION_BUDGET_S = 15.0  # each lab's solution, top to bottom, on 2 CPU cores (issue 14)


def print_solution_times() -> None:
    """Each lab's solution notebook run once, kernel start included, beside the budget."""
    print(f"solution notebooks on {os.cpu_count()} cores, one run each, kernel start included "
          f"(budget {SOLUTION_BUDGET_S:g} s):")
    print(f"  {'lab':<22}{'whole':>8}{'as graded':>12}")
    for lab_id in available_labs():
        whole, graded = solution_seconds(lab_id), solution_seconds(lab_id, as_graded=True)
        verdict = "within" if whole <= SOLUTION_BUDGET_S else "graded run within" if graded <= SOLUTION_BUDGET_S else "OVER"
        print(f"  {lab_id:<22}{whole:>6.1f} s{graded:>10.1f} s  {verdict} budget")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--labs", nargs="+", default=["01_matrix_shapes", "04_cross_entropy"])
    parser.add_argument("--students", type=int, default=10)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--solution-times", action="store_true",
                        help="only time every lab's solution notebook, one run each, against the 15 s budget")
    args = parser.parse_args()
    if args.solution_times:
        print_solution_times()
        return
    quiet_nbgrader()
    warnings.filterwarnings("ignore", category=SAWarning)  # stock nbgrader's own, harmless
    cores = os.cpu_count() or 1
    scratch = Path(tempfile.mkdtemp(prefix="grading-benchmark-"))
    try:
        submitted = scratch / "submitted"
        roster = build_class(synthetic_class(args.labs, students=args.students), submitted)
        count = sum(len(labs) for labs in roster.values())
        print(f"{len(roster)} students x {len(args.labs)} labs = {count} submissions on {cores} cores")
        print(f"kernels (ours): {confinement()}")

        solution = {lab_id: solution_seconds(lab_id) for lab_id in args.labs}
        floor = sum(solution[lab] for labs in roster.values() for lab in labs) / cores
        stock = stock_autograde(submitted, scratch / "stock", args.labs)
        started = time.monotonic()
        grade(submitted, scratch / "ours", labs=args.labs, workers=args.workers)
        ours = time.monotonic() - started

        print()
        print("solution notebooks, one run each: " + ", ".join(f"{lab} {s:.1f} s" for lab, s in solution.items()))
        print(f"{'':<34}{'total s':>9}{'s / submission':>16}")
        for name, seconds in (("stock nbgrader autograde (serial)", stock),
                              (f"this grader ({args.workers or cores} workers)", ours),
                              ("floor (solutions / cores)", floor)):
            print(f"{name:<34}{seconds:>9.1f}{seconds / count:>16.2f}")
        print()
        print(f"stock / ours  = {stock / ours:.2f}x faster")
        print(f"ours / floor  = {ours / floor:.2f}x the floor")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
