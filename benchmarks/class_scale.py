"""A class of 30, 100 and 300: does grading stay as fast per notebook, and small, as a class grows?

    NNLABS_ALLOW_DEMO_SECRET=1 .venv/bin/python benchmarks/class_scale.py [--sizes 30 100 300]
        [--labs ID ...] [--workers 2] [--stock]
    .venv/bin/python benchmarks/class_scale.py --similarity-only [--sizes 300] [--labs ID ...]

For each size, a synthetic class (`autograder.demo.synthetic_class`: right answers and the
catalogue's mistakes) is graded from scratch with `grade`, and the table prints per size: seconds
per notebook, the peak memory of the grading process (its own resident set) and of the busiest
worker with everything it started (proportional set size, sampled every 0.2 s), the time of the
similarity report and of report.html built again from the results, and report.html's size. With
`--stock`, stock `nbgrader autograde` grades the smallest class too (benchmarks/grading.py's
timing), for the same labs. Targets (issue 29): seconds per notebook flat within 15% from 30 to
300; the grading process under 1 GB at 300; similarity for 300 students x 8 labs under 60 s.

`--similarity-only` grades nothing: each size's class is built with answers of their own
(`varied_class`: the reference or a catalogued mistake with renamed variables, extra statements,
comments and helpers in another order, and about one student in ten copying a classmate's lab),
staged through intake only, and the similarity report (indexed by fingerprint) and report.html
(from synthetic results, `synthetic_results`) are timed, beside the all-pairs comparison the index
replaces, measured in the same run: on every lab where that is quick, else on the lab with the most
pairs of answers that count, scaled to every lab's pairs, plus every lab's fingerprinting (the
output says which).
"""
from __future__ import annotations

import argparse
import io
import math
import os
import random
import re
import resource
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil
from copydetect import CodeFingerprint

from autograder.course.labs import (
    available_labs,
    defined_functions,
    is_solution_cell,
    nbgrader_meta,
    read_notebook,
    solution_code,
    source_path,
    student_path,
)
from autograder.demo.synthetic_class import (
    build_class,
    completed_notebook,
    synthetic_class,
    write_submission,
)
from autograder.grading.results import CellResult, Execution, Status, SubmissionResult
from autograder.intake.submissions import take_in
from autograder.judging.judges import Verdict
from autograder.judging.mistakes import catalogue
from autograder.outputs.report import report_html
from autograder.outputs.similarity import (
    GUARANTEE,
    NOISE,
    Similarity,
    all_pairs,
    boilerplate_hashes,
    lab_answers,
    similar_pairs,
    staged_notebooks,
)
from autograder.pipeline.run import grade
from autograder.sandbox.bubblewrap import confinement
from autograder.sandbox.kernels import FORKED


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


# Statements a student adds of their own (debug lines, intermediate names, checks): {name} is a
# name of theirs, {a} {b} {c} numbers, {op} an operator, {word} a word. Each breaks the reference's
# k-grams around it, and numbers and operators make two students' statements unlikely to match.
FILLERS = ("{name} = {a} {op} {b}", "{name} = len(str({a})) {op} {b}", "print(\"{word}\", {a}, {b})",
           "assert {a} {op} {b} != {c}, \"{word}\"", "{name} = [{a}, {b}] * {c}", "{name} = {{\"{word}\": ({a}, {b})}}",
           "{name} = ({a} {op} {b}, {c})", "# {word}: {word}", "if {a} {op} {b} > {c}:\n{indent}    {name} = {a}")
WORDS = ("check", "debug", "shape", "todo", "here", "ok", "step", "why", "test", "again")


def bracket_depth(text: str) -> int:
    text = re.sub(r"(\"[^\"]*\"|'[^']*')", "", text)
    return sum(text.count(c) for c in "([{") - sum(text.count(c) for c in ")]}")


def block_starts(lines: list[str]) -> list[int]:
    """Lines a statement may go before: the first line of a block, or a return, outside brackets
    and docstrings."""
    starts, depth, in_doc = [], 0, False
    for i, line in enumerate(lines):
        stripped = line.strip()
        if i and not in_doc and depth == 0 and stripped and line[0] == " " and (
                lines[i - 1].rstrip().endswith(":") or stripped.startswith(("return ", "for ", "if "))):
            starts.append(i)
        if line.count('"""') % 2:
            in_doc = not in_doc
        if not in_doc:
            depth += bracket_depth(line.split("#")[0])
    return starts


def vary(code: str, rng: random.Random) -> str:
    """The same answer as a student would write it: names of their own, two to six statements
    of their own, a comment, helpers defined in another order."""
    blocks = re.split(r"\n(?=def |class )", code.strip("\n"))
    if len(blocks) > 1 and rng.random() < 0.5:
        i = rng.randrange(len(blocks) - 1)
        blocks[i], blocks[i + 1] = blocks[i + 1], blocks[i]
    lines = "\n".join(blocks).splitlines()
    starts = block_starts(lines)
    for at in sorted((rng.choice(starts) for _ in range(rng.randint(2, 6) if starts else 0)), reverse=True):
        indent = lines[at][: len(lines[at]) - len(lines[at].lstrip())]
        numbers = {key: rng.randint(0, 999) for key in "abc"}
        filler = rng.choice(FILLERS).format(name=f"{rng.choice(WORDS)}_{rng.randint(0, 9)}", op=rng.choice("+-*%"),
                                            word=rng.choice(WORDS), indent=indent, **numbers)
        lines.insert(at, indent + filler)
    text = "\n".join(lines) + "\n"
    return rename(text, rng) if rng.random() < 0.7 else text


def rename(code: str, rng: random.Random) -> str:
    """Local names renamed as a student would (copydetect makes every name alike, so this hides nothing)."""
    names = sorted(set(re.findall(r"^\s+(\w+) = ", code, flags=re.M)) - {"self"})
    suffix = rng.choice(("_", "2", "_val", "_my"))
    for name in names:
        code = re.sub(rf"\b{name}\b", name + suffix, code)
    return code


def varied_class(labs: list[str], students: int, submitted: Path, seed: int = 0,
                 copiers: float = 0.1) -> dict[tuple[str, str], str]:
    """A class whose answers are each the student's own (see the module doc), written under
    `submitted` in nbgrader's layout; about `copiers` of the students hand in a classmate's lab,
    names renamed and a comment added. Returns the copies: {(copier, lab_id): whose lab}."""
    rng = random.Random(seed)
    copies: dict[tuple[str, str], str] = {}
    answered: dict[str, list[str]] = {lab_id: [] for lab_id in labs}  # who answered each lab, in order
    for student_id, by_lab in synthetic_class(labs, students=students, seed=seed).items():
        for lab_id, mistakes in by_lab.items():
            if mistakes is None:  # the student who hands in the released notebook untouched
                write_submission(submitted, student_id, lab_id, read_notebook(student_path(lab_id)))
                continue
            copied = bool(answered[lab_id]) and rng.random() < copiers
            if copied:
                copies[student_id, lab_id] = original = rng.choice(answered[lab_id])
                nb = read_notebook(submitted / original / lab_id / f"{lab_id}.ipynb")
            else:
                nb = completed_notebook(lab_id, mistakes)
            for cell in nb.cells:
                if is_solution_cell(cell):
                    cell.source = "# worked on this a long time\n" + rename(cell.source, rng) if copied \
                        else vary(cell.source, rng)
            answered[lab_id].append(student_id)
            write_submission(submitted, student_id, lab_id, nb)
    return copies


def synthetic_results(students: int, labs: list[str], seed: int = 0) -> list[SubmissionResult]:
    """Typed results of a class as grading might leave them, made without grading: each lab's
    exercises passed, or failed with one of the catalogue's mistakes; a few submissions timed
    out, crashed or could not be graded, some flagged, noted or late."""
    rng = random.Random(seed)
    exercises = {lab_id: [(nbgrader_meta(cell)["grade_id"], (defined_functions(solution_code(cell.source)) or ["?"])[0])
                          for cell in read_notebook(source_path(lab_id)).cells if is_solution_cell(cell)]
                 for lab_id in labs}
    results = []
    for k in range(students):
        student_id = f"student-{k:03d}"
        skill = rng.random()
        for lab_id in labs:
            mistakes = catalogue(lab_id)
            cells = {}
            for grade_id, task in exercises[lab_id]:
                mistake = None if rng.random() < 0.4 + 0.6 * skill else rng.choice(mistakes)
                passed = mistake is None
                cells[grade_id] = CellResult(passed, None if passed else "AssertionError: not yet", Verdict(
                    grade_id, task, passed, "" if passed else "wrong", None if passed else mistake.name),
                    points=1.0 if passed else 0.0, max_points=1.0)
            status, detail, draw = Status.GRADED, "", rng.random()
            if draw < 0.03:
                status, detail = Status.TIMED_OUT, "cell 4 interrupted at the time limit; the rest graded"
            elif draw < 0.05:
                status, detail = Status.CRASHED, "in cell 7 (a segmentation fault (SIGSEGV)); graded without it"
            elif draw < 0.06:
                status, detail, cells = Status.ERROR, "nbgrader could not grade it (the kernel died)", {}
            late = rng.random() < 0.1
            results.append(SubmissionResult(
                student_id, lab_id, status, detail, points=sum(c.points for c in cells.values()),
                max_points=float(len(exercises[lab_id])), seconds=rng.uniform(2, 30),
                execution=Execution(kernel_start=FORKED), cells=cells,
                notes=["a released cell restored"] if rng.random() < 0.05 else [],
                flags=["patches a check"] if rng.random() < 0.01 else [],
                seconds_late=rng.uniform(60, 3 * 86400) if late else 0.0, late_penalty=1.0 if late else 0.0))
    return results


def copydetect_fingerprints(out: Path, lab_id: str) -> float:
    """Seconds to read a lab's staged answers and fingerprint each with copydetect itself, as the
    similarity report did before its index (nbformat's reader, copydetect's CodeFingerprint)."""
    started = time.monotonic()
    boilerplate = boilerplate_hashes(lab_id)
    for path in staged_notebooks(out, lab_id):
        for cell in read_notebook(path).cells:
            grade_id = nbgrader_meta(cell).get("grade_id")
            if is_solution_cell(cell) and grade_id in boilerplate:
                CodeFingerprint("answer.py", NOISE, GUARANTEE - NOISE + 1, boilerplate=boilerplate[grade_id],
                                fp=io.StringIO(cell.source))
    return time.monotonic() - started


def similarity_only(students: int, labs: list[str], scratch: Path) -> dict:
    """The similarity report and report.html of a class staged by intake, nothing graded: the
    indexed similarity beside the way before it, every pair compared (see the module doc)."""
    submitted, out = scratch / f"class-{students}", scratch / f"staged-{students}"
    varied_class(labs, students, submitted)
    started = time.monotonic()
    take_in(submitted, out / "staged", labs)
    intake = time.monotonic() - started
    started = time.monotonic()
    pairs = similar_pairs(out, labs)
    similarity = time.monotonic() - started
    started = time.monotonic()
    similar_pairs(out, labs, workers=1)
    one_process = time.monotonic() - started
    settings, by_exercise, fingerprints = Similarity(), {}, {}
    for lab_id in labs:
        started = time.monotonic()
        by_exercise[lab_id] = lab_answers(out, lab_id)
        fingerprints[lab_id] = time.monotonic() - started
    before = sum(copydetect_fingerprints(out, lab_id) for lab_id in labs)
    counting = {lab_id: sum(math.comb(sum(a.tokens >= settings.min_size for a in answers.values()), 2)
                            for answers in by_exercise[lab_id].values()) for lab_id in labs}
    measured = labs if sum(counting.values()) <= 20_000 else [max(labs, key=counting.get)]
    started = time.monotonic()
    listed = sum(pair.similarity >= settings.threshold for lab_id in measured
                 for pair in all_pairs(out, lab_id, settings))
    comparing = time.monotonic() - started - sum(fingerprints[lab_id] for lab_id in measured)
    plain = before + comparing * sum(counting.values()) / sum(counting[lab_id] for lab_id in measured)
    how = (f"copydetect's own fingerprints of every lab {before:.0f} s; comparing "
           + ("measured on every lab" if measured == labs else
              f"measured on {measured[0]} only ({counting[measured[0]]} pairs of answers that count, "
              f"{comparing:.0f} s) and scaled to all labs' {sum(counting.values())} pairs"))
    results = synthetic_results(students, labs)
    started = time.monotonic()
    page = report_html(results, confinement(), similar=pairs)
    report = time.monotonic() - started
    return {"students": students, "notebooks": students * len(labs), "intake": intake, "similarity": similarity,
            "one_process": one_process, "pairs": len(pairs), "all_pairs": plain, "all_pairs_how": how,
            "all_pairs_listed": listed, "measured": measured, "report": report, "report_kb": len(page.encode()) / 1024}


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


def print_similarity_only(rows: list[dict], labs: list[str]) -> None:
    print(f"labs: {', '.join(labs)}; similarity only (intake, nothing graded); {psutil.cpu_count()} cores, "
          f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(f"{'students':>8} {'notebooks':>9} {'intake s':>8} {'indexed s':>9} {'1 process s':>11} {'pairs':>5} "
          f"{'all pairs s':>11} {'speed-up':>8} {'report s':>8} {'report KB':>9}")
    for row in rows:
        print(f"{row['students']:>8} {row['notebooks']:>9} {row['intake']:>8.1f} {row['similarity']:>9.1f} "
              f"{row['one_process']:>11.1f} {row['pairs']:>5} {row['all_pairs']:>11.1f} "
              f"{row['all_pairs'] / row['similarity']:>7.1f}x {row['report']:>8.1f} {row['report_kb']:>9.0f}")
    for row in rows:
        print(f"{row['students']} students, all pairs: {row['all_pairs_how']}; it lists "
              f"{row['all_pairs_listed']} pairs on {', '.join(row['measured'])}")
    print("indexed: similar_pairs as grade runs it (a process per core); 1 process: the same in this process; "
          "all pairs: the way before the index, one process: copydetect's own fingerprints, every pair compared. "
          "report: report.html from synthetic results of the class. "
          "Target (issue 29): similarity for 300 students x 8 labs under 60 s on 2 cores.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=None,
                        help="default: 30 100 300; 300 with --similarity-only")
    parser.add_argument("--labs", nargs="+", default=None)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--stock", action="store_true", help="stock nbgrader autograde on the smallest class too")
    parser.add_argument("--similarity-only", action="store_true",
                        help="no grading: time the similarity report and report.html on classes staged by intake")
    args = parser.parse_args()
    labs = args.labs or available_labs()
    scratch = Path(tempfile.mkdtemp(prefix="class-scale-"))
    try:
        if args.similarity_only:
            print_similarity_only([similarity_only(size, labs, scratch) for size in args.sizes or [300]], labs)
            return
        sizes = args.sizes or [30, 100, 300]
        rows = [one_size(size, labs, args.workers, scratch) for size in sizes]
        print(f"labs: {', '.join(labs)}; {args.workers} workers; {psutil.cpu_count()} cores")
        print(f"{'students':>8} {'notebooks':>9} {'s/notebook':>10} {'grading MB':>10} {'worker MB':>9} "
              f"{'similarity s':>12} {'report s':>8} {'report KB':>9}")
        for row in rows:
            print(f"{row['students']:>8} {row['notebooks']:>9} {row['per_notebook']:>10.2f} {row['grading_mb']:>10.0f} "
                  f"{row['worker_mb']:>9.0f} {row['similarity']:>12.1f} {row['report']:>8.1f} {row['report_kb']:>9.0f}")
        flat = max(r["per_notebook"] for r in rows) / min(r["per_notebook"] for r in rows)
        print(f"s/notebook, largest over smallest: {flat:.2f} (target: within 1.15)")
        if args.stock:
            sys.path.insert(0, str(Path(__file__).resolve().parent))  # run as a script: its neighbour
            from grading import stock_autograde  # noqa: PLC0415 - benchmarks/grading.py, only with --stock
            smallest = min(sizes)
            seconds = stock_autograde(scratch / f"class-{smallest}", scratch / "stock", labs)
            print(f"stock nbgrader autograde, {smallest} students: "
                  f"{seconds / (smallest * len(labs)):.2f} s/notebook")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

if __name__ == "__main__":
    main()
