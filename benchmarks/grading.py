"""Stock `nbgrader autograde` against this grader, on the same synthetic class, in one run.

    .venv/bin/python benchmarks/grading.py [--labs ID ...] [--students N] [--workers N] [--stages]
    .venv/bin/python benchmarks/grading.py --solution-times

Grades the whole course (every lab, unless --labs) one lab at a time, as an instructor
does, and prints per lab and overall, in seconds per submission:
- stock:  nbgrader's own Autograde (serial, unsandboxed, no judges), as `nbgrader autograde`;
- ours:   `autograder.pipeline.run.grade` (parallel workers, bubblewrap sandbox, kernels forked
          from a pre-imported fork server, cells tagged skip-when-grading not run, judges);
- floor:  the solution notebooks' own execution time (kernel start included, plain
          kernel) divided by the cores, for the whole notebook and for the cells the
          grader runs: what any grader of these notebooks must spend;
the ratios stock / ours and ours / floor (as graded), and the peak memory (proportional
set size, so pages a forked kernel shares with its fork server count once) of one worker with
everything it started, against stock's one process and its kernel.

--stages also prints, per lab, where our run's wall time went, in seconds from its start: intake,
the template gradebook's release, each worker's fork server ready, the class gradebook's release
(while the workers grade), the first and the last result, and the outputs (grades.csv,
similarity, report).
"""
from __future__ import annotations

import argparse
import contextlib
import logging
import os
import shutil
import tempfile
import threading
import time
import warnings
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import nbgrader.api
import psutil
import sqlalchemy
from nbclient import NotebookClient
from nbgrader.converters import Autograde
from nbgrader.coursedir import CourseDirectory
from sqlalchemy.exc import SAWarning

from autograder.course.config import course_config, quiet_nbgrader
from autograder.course.labs import available_labs, is_skipped_when_grading, read_notebook, source_path
from autograder.course.student_version import generate_student_version
from autograder.demo.synthetic_class import build_class, synthetic_class
import autograder.pipeline.run
import autograder.sandbox.fork_server
from autograder.pipeline.run import grade
from autograder.sandbox.bubblewrap import confinement


@contextmanager
def nbgrader_as_shipped() -> Iterator[None]:
    """nbgrader's gradebooks each with an engine of their own, as shipped: `grade` makes them
    share one per URL in this process (`autograder.grading.gradebook.share_engines`)."""
    shared = nbgrader.api.create_engine
    nbgrader.api.create_engine = sqlalchemy.create_engine
    try:
        yield
    finally:
        nbgrader.api.create_engine = shared


def stock_autograde(submitted: Path, course: Path, labs: list[str]) -> float:
    """nbgrader's autograde, as shipped, over every submission; seconds."""
    with nbgrader_as_shipped():
        return timed_autograde(submitted, course, labs)


def timed_autograde(submitted: Path, course: Path, labs: list[str]) -> float:
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


class PeakMemory:
    """Samples, until stopped, the proportional set size of each child process of this one
    together with everything it started, and keeps the largest (MiB)."""

    def __init__(self, include_self: bool = False, interval: float = 0.25) -> None:
        self.include_self, self.interval, self.peak_mib = include_self, interval, 0.0
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self.sample, daemon=True)

    def __enter__(self) -> PeakMemory:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopped.set()
        self.thread.join()

    @staticmethod
    def tree_mib(process: psutil.Process) -> float:
        total = 0
        for member in [process, *process.children(recursive=True)]:
            try:
                total += member.memory_full_info().pss
            except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
                pass
        return total / 2**20

    def sample(self) -> None:
        me = psutil.Process()
        while not self.stopped.wait(self.interval):
            try:
                roots = [me] if self.include_self else me.children()
                sizes = [self.tree_mib(root) for root in roots]
            except psutil.Error:
                continue
            self.peak_mib = max([self.peak_mib, *sizes])


class Stages:
    """Where one of our runs' wall time goes (`--stages`): the pipeline's steps wrapped while it
    runs, each worker's fork server start noted in a file (workers are forks of this process, so
    they carry the wrapper)."""

    STEPS = ("take_in", "prepare_template", "prepare_class_gradebook", "run_jobs")

    def __init__(self, scratch: Path) -> None:
        self.ready_file = scratch / "fork-servers-ready"
        self.marks: dict[str, list[float]] = {}

    def mark(self, name: str) -> None:
        self.marks.setdefault(name, []).append(time.time())

    @contextmanager
    def timing(self) -> Iterator[None]:
        run, fork_server = autograder.pipeline.run, autograder.sandbox.fork_server
        originals = {name: getattr(run, name) for name in self.STEPS}
        started_server = fork_server.ForkServer.__init__
        ready_file = self.ready_file

        def step(name, function):
            def timed(*args, **kwargs):
                self.mark(f"{name} start")
                try:
                    return function(*args, **kwargs)
                finally:
                    self.mark(f"{name} end")
            return timed

        def results(*args, **kwargs):
            for item in originals["run_jobs"](*args, **kwargs):
                self.mark("result")
                yield item
            self.mark("results end")

        def server(server_self, *args, **kwargs):
            started_server(server_self, *args, **kwargs)
            with ready_file.open("a") as handle:
                handle.write(f"{time.time()}\n")

        for name in self.STEPS[:-1]:
            setattr(run, name, step(name, originals[name]))
        run.run_jobs = results
        fork_server.ForkServer.__init__ = server
        self.ready_file.unlink(missing_ok=True)
        self.marks = {}
        self.mark("start")
        try:
            yield
        finally:
            self.mark("end")
            for name, function in originals.items():
                setattr(run, name, function)
            fork_server.ForkServer.__init__ = started_server

    def line(self) -> str:
        t0 = self.marks["start"][0]
        ready = [float(t) for t in self.ready_file.read_text().split()] if self.ready_file.exists() else []

        def at(name: str, which: int = 0) -> str:
            times = self.marks.get(name)
            return f"{times[which] - t0:.2f}" if times else "-"

        return (f"intake {at('take_in start')}-{at('take_in end')}, template {at('prepare_template start')}-"
                f"{at('prepare_template end')}, fork servers ready {', '.join(f'{t - t0:.2f}' for t in sorted(ready)) or '-'}, "
                f"class gradebook {at('prepare_class_gradebook start')}-{at('prepare_class_gradebook end')}, "
                f"results {at('result')}-{at('result', -1)}, outputs {at('results end')}-{at('end')}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--labs", nargs="+", default=None, help="lab ids (default: every lab)")
    parser.add_argument("--students", type=int, default=6)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--stages", action="store_true", help="also print where our run's wall time went, per lab")
    parser.add_argument("--solution-times", action="store_true",
                        help="only time every lab's solution notebook, one run each, against the 15 s budget")
    args = parser.parse_args()
    if args.solution_times:
        print_solution_times()
        return
    quiet_nbgrader()
    warnings.filterwarnings("ignore", category=SAWarning)  # stock nbgrader's own, harmless
    labs = args.labs or available_labs()
    cores = os.cpu_count() or 1
    scratch = Path(tempfile.mkdtemp(prefix="grading-benchmark-"))
    try:
        submitted = scratch / "submitted"
        roster = build_class(synthetic_class(labs, students=args.students), submitted)
        count = {lab: sum(lab in submitted_labs for submitted_labs in roster.values()) for lab in labs}
        print(f"{len(roster)} students x {len(labs)} labs = {sum(count.values())} submissions on {cores} cores, "
              f"{args.workers or cores} workers, graded one lab at a time")
        print(f"kernels (ours): {confinement()}")

        solution_seconds(labs[0])  # warm the disk cache and the imports, so the first lab is not charged for them
        rows, stages = [], Stages(scratch)
        for lab in labs:
            whole, as_graded = solution_seconds(lab), solution_seconds(lab, as_graded=True)
            with PeakMemory(include_self=True) as stock_memory:
                stock = stock_autograde(submitted, scratch / "stock", [lab])
            with PeakMemory() as our_memory, stages.timing() if args.stages else contextlib.nullcontext():
                started = time.monotonic()
                grade(submitted, scratch / "ours" / lab, labs=[lab], workers=args.workers, demo_secret=True)
                ours = time.monotonic() - started
            rows.append((lab, count[lab], stock, ours, count[lab] * whole / cores, count[lab] * as_graded / cores,
                         stock_memory.peak_mib, our_memory.peak_mib))
            print(f"  graded {lab}" + (f" (ours, s from start: {stages.line()})" if args.stages else ""), flush=True)

        print()
        print("seconds per submission; floor = solution notebook / cores, whole and as graded; "
              "peak MiB = one worker with its kernels (stock: its process and kernel)")
        header = f"{'lab':<22}{'n':>3}{'stock':>8}{'ours':>7}{'stock/ours':>12}{'floor':>7}{'graded':>8}"\
                 f"{'ours/floor':>12}{'peak MiB stock':>16}{'ours':>6}"
        print(header)
        print("-" * len(header))
        for lab, n, stock, ours, floor, graded_floor, stock_mib, our_mib in rows:
            print(f"{lab:<22}{n:>3}{stock / n:>8.2f}{ours / n:>7.2f}{stock / ours:>11.2f}x{floor / n:>7.2f}"
                  f"{graded_floor / n:>8.2f}{ours / graded_floor:>11.2f}x{stock_mib:>16.0f}{our_mib:>6.0f}")
        n, stock, ours, floor, graded_floor = (sum(row[k] for row in rows) for k in range(1, 6))
        print("-" * len(header))
        print(f"{'whole course':<22}{n:>3}{stock / n:>8.2f}{ours / n:>7.2f}{stock / ours:>11.2f}x{floor / n:>7.2f}"
              f"{graded_floor / n:>8.2f}{ours / graded_floor:>11.2f}x{max(r[6] for r in rows):>16.0f}"
              f"{max(r[7] for r in rows):>6.0f}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
