"""Command line: python -m autograder {release,verify,grade,selfgrade,demo} ..."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from autograder.labs import LAB_IDS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    release = commands.add_parser("release", help="regenerate labs/ and the check fixtures from solutions/")
    release.add_argument("labs", nargs="*", metavar="LAB_ID")

    verify = commands.add_parser("verify", help="prove each lab's solution, stubs, judges and release agree")
    verify.add_argument("labs", nargs="*", metavar="LAB_ID")

    grade = commands.add_parser("grade", help="grade SUBMITTED_DIR/<student>/<lab>/<lab>.ipynb")
    grade.add_argument("submitted", type=Path, metavar="SUBMITTED_DIR")
    grade.add_argument("--out", type=Path, required=True, metavar="OUT_DIR")
    grade.add_argument("--labs", nargs="+", metavar="ID")
    grade.add_argument("--timeout", type=int, metavar="SECONDS", help="per-cell execution limit")
    grade.add_argument("--workers", type=int, metavar="N", help="parallel submissions (default: the cores)")

    selfgrade = commands.add_parser("selfgrade", help="grade your own notebook with the hidden tests")
    selfgrade.add_argument("notebook", type=Path, metavar="NOTEBOOK")
    selfgrade.add_argument("--timeout", type=int, metavar="SECONDS", help="per-cell execution limit")

    demo = commands.add_parser("demo", help="release, build a synthetic class, grade it, print the table")
    demo.add_argument("--out", type=Path, default=None, metavar="OUT_DIR")

    args = parser.parse_args(argv)
    unknown = [lab for lab in getattr(args, "labs", None) or [] if lab not in LAB_IDS]
    if unknown:
        parser.error(f"unknown lab id {', '.join(unknown)}; the labs are {', '.join(LAB_IDS)}")
    if args.command == "release":
        from autograder.release import release as run_release
        run_release(args.labs or None)
        return 0
    if args.command == "verify":
        from autograder.verify import verify as run_verify
        return 0 if run_verify(args.labs or None) else 1
    if args.command == "grade":
        from autograder.grading import grade as run_grade
        from autograder.scoreboard import print_table
        results = run_grade(args.submitted, args.out, labs=args.labs, timeout=args.timeout, workers=args.workers)
        print_table(results)
        print(f"grades: {(args.out / 'grades.csv').resolve()}")
        return 0
    if args.command == "selfgrade":
        from autograder.selfgrade import report, selfgrade
        print(report(selfgrade(args.notebook, timeout=args.timeout)))
        return 0
    if args.command == "demo":
        from autograder.demo import demo as run_demo
        return run_demo(args.out)
    return 2


if __name__ == "__main__":
    sys.exit(main())
