"""`make demo`: the instructor's main job, end to end, on embedded defaults.

Builds a synthetic class (the solution, the untouched student version, and students
made of catalogue mistakes), releases the labs into a scratch course and grades the
class there, then prints the score table and the path of grades.csv. Writes only
under `.scratch/`.
"""
from __future__ import annotations

import shutil
import time
from pathlib import Path

from autograder.classroom import build_class, demo_roster
from autograder.grading import grade
from autograder.labs import ROOT, available_labs
from autograder.release import quiet_nbgrader
from autograder.scoreboard import print_table


def demo(out_dir: Path | None = None) -> int:
    quiet_nbgrader()
    started = time.monotonic()
    out_dir = (out_dir or ROOT / ".scratch" / "demo").resolve()
    if out_dir.exists():
        shutil.rmtree(out_dir)
    labs = available_labs()
    submitted = out_dir / "submitted"
    students = build_class(demo_roster(labs), submitted)
    count = sum(len(labs_of_student) for labs_of_student in students.values())
    print(f"built a class of {len(students)} students ({count} submissions) in {submitted}; grading...")
    results = grade(submitted, out_dir / "graded")
    print(f"released {', '.join(labs)} into {out_dir / 'graded' / 'course' / 'release'} and graded them")
    print()
    print_table(results)
    print()
    print(f"grades:    {out_dir / 'graded' / 'grades.csv'}")
    print(f"gradebook: {out_dir / 'graded' / 'gradebook.db'} (nbgrader; formgrader and export work on it)")
    print(f"done in {time.monotonic() - started:.0f} s")
    return 0
