"""A class of 30, 100 and 300: does grading stay as fast per notebook, and small, as a class grows?

    NNLABS_ALLOW_DEMO_SECRET=1 .venv/bin/python benchmarks/class_scale.py [--sizes 30 100 300]
        [--labs ID ...] [--workers 2] [--stock]

For each size, a synthetic class (`autograder.demo.synthetic_class`: right answers and the
catalogue's mistakes) is graded from scratch with `grade`, and the table prints per size: seconds
per notebook, the peak memory of the grading process (its own resident set) and of the busiest
worker with everything it started (proportional set size, sampled every 0.2 s), the time of the
similarity report and of report.html built again from the results, and report.html's size. With
`--stock`, stock `nbgrader autograde` grades the smallest class too (benchmarks/grading.py's
timing), for the same labs. Targets (issue 29): seconds per notebook flat within 15% from 30 to
300; the grading process under 1 GB at 300; similarity for 300 students x 8 labs under 60 s.
"""
from __future__ import annotations

import argparse
import resource
import shutil
import tempfile
import threading
import time
from pathlib import Path

import psutil

from autograder.course.labs import available_labs
from autograder.demo.synthetic_class import build_class, synthetic_class
from autograder.outputs.report import report_html
from autograder.outputs.similarity import similar_pairs
from autograder.pipeline.run import grade
from autograder.sandbox.bubblewrap import confinement


class PeakWorker:
    """The largest proportional set size of one child of this process with all it started."""

    def __init__(self) -> None:
        self.peak_mb = 0.0
        self.running = True
        threading.Thread(target=self.sample, daemon=True).start()

    def sample(self) -> None:
        me = psutil.Process()
        while self.running:
            for child in me.children():
                try:
                    tree = [child, *child.children(recursive=True)]
                    mb = sum(p.memory_full_info().pss for p in tree) / 2**20
                except (psutil.NoSuchProcess, psutil.AccessDenied):
                    continue
                self.peak_mb = max(self.peak_mb, mb)
            time.sleep(0.2)


def one_size(students: int, labs: list[str], workers: int, scratch: Path) -> dict:
    submitted, out = scratch / f"class-{students}", scratch / f"graded-{students}"
    build_class(synthetic_class(labs, students=students), submitted)
    watch = PeakWorker()
    started = time.monotonic()
    results = grade(submitted, out, labs=labs, workers=workers, demo_secret=True)
    seconds = time.monotonic() - started
    watch.running = False
    started = time.monotonic()
    pairs = similar_pairs(out, labs)
    similarity = time.monotonic() - started
    started = time.monotonic()
    page = report_html(results, confinement(), similar=pairs)
    report = time.monotonic() - started
    return {"students": students, "notebooks": len(results), "per_notebook": seconds / max(1, len(results)),
            "grading_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "worker_mb": watch.peak_mb,
            "similarity": similarity, "report": report, "report_kb": len(page.encode()) / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[30, 100, 300])
    parser.add_argument("--labs", nargs="+", default=None)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--stock", action="store_true", help="stock nbgrader autograde on the smallest class too")
    args = parser.parse_args()
    labs = args.labs or available_labs()
    scratch = Path(tempfile.mkdtemp(prefix="class-scale-"))
    try:
        rows = [one_size(size, labs, args.workers, scratch) for size in args.sizes]
        print(f"labs: {', '.join(labs)}; {args.workers} workers; {psutil.cpu_count()} cores")
        print(f"{'students':>8} {'notebooks':>9} {'s/notebook':>10} {'grading MB':>10} {'worker MB':>9} "
              f"{'similarity s':>12} {'report s':>8} {'report KB':>9}")
        for row in rows:
            print(f"{row['students']:>8} {row['notebooks']:>9} {row['per_notebook']:>10.2f} {row['grading_mb']:>10.0f} "
                  f"{row['worker_mb']:>9.0f} {row['similarity']:>12.1f} {row['report']:>8.1f} {row['report_kb']:>9.0f}")
        flat = max(r["per_notebook"] for r in rows) / min(r["per_notebook"] for r in rows)
        print(f"s/notebook, largest over smallest: {flat:.2f} (target: within 1.15)")
        if args.stock:
            from benchmarks.grading import stock_autograde  # noqa: PLC0415 - only with --stock
            smallest = min(args.sizes)
            seconds = stock_autograde(scratch / f"class-{smallest}", scratch / "stock", labs)
            print(f"stock nbgrader autograde, {smallest} students: "
                  f"{seconds / (smallest * len(labs)):.2f} s/notebook")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
