"""Which students' answers look alike: a ranked list for a person to read, never a penalty.

    python -m autograder similarity OUT_DIR [--threshold 0.5] [--min-size 120]

Per lab and exercise, each student's answer cell (as intake rebuilt it, under
OUT_DIR/staged/) is fingerprinted with copydetect (token k-grams after renaming every
variable and function, winnowed), so renamed variables and reordered functions still
match. What the course itself knows of is boilerplate and never counts: the released stub,
the reference solution (a student whose code is the reference has copied the course, not a
classmate) and the catalogued mistakes (common by definition: two students who make one
independently write it alike). An exercise counts for a pair only when both answers keep at
least `min_size` tokens of their own: short exercises, where every right answer looks
alike, are left out. A pair's similarity is the share of those tokens they have in common,
over the exercises that count; pairs at or above `threshold` go, ranked, into
OUT_DIR/similarity.html (the two answers side by side, shared spans highlighted) and a
section of report.html. Nothing here touches a grade or a flag.

Only pairs that share a fingerprint can reach a threshold above 0, so a lab's answers are
indexed by fingerprint (winnowed hash -> the students whose answer holds it) and only the pairs
found there are scored. The score comes from the fingerprints alone: the tokens of an answer a
pair shares are those its shared k-grams cover (each hash's k-grams kept as a bit mask), which
is what copydetect's `compare_files` counts; the pairs listed are then compared with
`compare_files` for the highlighted side by side, so a listed pair's numbers are those
`all_pairs` (every pair compared, the plain way, kept as what the index must equal) gives it.
In a large class, labs are scored in parallel, a process per core and a lab at a time.

Both settings live in nbgrader_config.py (`c.Similarity.threshold`, `c.Similarity.min_size`).

Over 400 lines: fingerprints made the same in every run, the index, the parallel scoring and the
two pages are one path from staged answers to a ranked list, read top to bottom.
"""
from __future__ import annotations

import itertools
import json
import multiprocessing
import os
import sys
import warnings
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

import nbformat
import numpy as np
from copydetect import CodeFingerprint, compare_files
from copydetect.utils import get_token_coverage, highlight_overlap, winnow
from pygments import lexers, token
from traitlets import Float, Int
from traitlets.config import Configurable

from autograder.course.labs import (
    is_solution_cell,
    nbgrader_meta,
    read_notebook,
    source_path,
    student_path,
)
from autograder.judging.mistakes import catalogue

NOISE, GUARANTEE = 25, 30  # copydetect's defaults: k-grams of 25 tokens, every match of 30 found


class Similarity(Configurable):
    threshold = Float(0.5, help="the least similarity (0 to 1) of a pair that is listed").tag(config=True)
    min_size = Int(120, help="the least tokens of its own an answer needs for its exercise to count").tag(config=True)


@dataclass(frozen=True)
class ExerciseOverlap:
    """One exercise of a pair: how much of each answer the other shares, highlighted."""
    grade_id: str
    shared: tuple[float, float]  # the share of each answer's own tokens found in the other
    tokens: tuple[int, int]  # each answer's own tokens (after the boilerplate)
    html: tuple[str, str]  # each answer, escaped, shared spans in <mark>


@dataclass
class SimilarPair:
    lab_id: str
    students: tuple[str, str]
    exercises: list[ExerciseOverlap] = field(default_factory=list)

    @property
    def similarity(self) -> float:
        """Shared tokens over own tokens, both answers, the exercises that count."""
        own = sum(sum(e.tokens) for e in self.exercises)
        shared = sum(e.shared[0] * e.tokens[0] + e.shared[1] * e.tokens[1] for e in self.exercises)
        return shared / own if own else 0.0


LEXER = lexers.get_lexer_by_name("python")  # the lexer copydetect finds for "answer.py"
ROLES: dict = {}  # token type -> its role in copydetect's filter_code


def role_of(kind) -> str:
    """What copydetect.utils.filter_code (0.5.0) does with a token of this type, in its order of tests."""
    if kind in {token.Name, token.Name.Variable, token.Name.Attribute}:
        return "V"
    for letter, family in (("F", token.Name.Function), ("O", token.Name.Class)):
        if kind in family:
            return letter
    if kind in (token.Comment.Preproc, token.Comment.Hashbang):
        return "P"
    if kind in token.Text or kind in token.Comment:
        return "dropped"
    return "string" if kind in token.Literal.String else "kept"


def filtered(code: str) -> tuple[str, np.ndarray]:
    """copydetect.utils.filter_code(code, "answer.py"), the same text and offsets, made faster:
    one lexer for every answer, each token type's role looked up once, the text joined once."""
    parts: list[str] = []
    length = offset = 0
    offsets = [[0, 0]]
    for kind, text in LEXER.get_tokens(code):
        role = ROLES.get(kind) or ROLES.setdefault(kind, role_of(kind))
        if role == "kept" or (role == "string" and text in ("'", '"')):
            kept = '"' if role == "string" else text
            parts.append(kept)
            length += len(kept)
        elif role == "dropped":
            offsets.append([length - 1, offset])
            offset += len(text)
        else:  # a name, a preprocessor line or a string's content: one letter
            parts.append("S" if role == "string" else role)
            length += 1
            offsets.append([length - 1, len(text) - 1 if role == "O" else offset])  # "O": as copydetect has it
            offset += len(text) - 1
    return "".join(parts), np.array(offsets)


def kgram_hashes(text: str, k: int) -> np.ndarray:
    """copydetect's `hashed_kgrams`, with a hash that is the same in every process: copydetect's
    is Python's `hash` of each k-gram, salted anew in each process (PYTHONHASHSEED), so winnowing
    kept other k-grams and a class's similarities changed from one run to the next. A polynomial
    hash of the k-gram's code points, modulo 2**64."""
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    count = len(codes) - k + 1
    if count <= 0:
        return np.array([], dtype=np.int64)
    hashes = np.zeros(count, dtype=np.uint64)
    for j in range(k):
        hashes = hashes * np.uint64(1_000_003) + codes[j:j + count]
    return hashes.view(np.int64)


def fingerprint(code: str, boilerplate: list[int] | None = None) -> CodeFingerprint:
    """copydetect's CodeFingerprint of `code` as a Python file, less the `boilerplate` hashes, as
    `get_document_fingerprints` makes it (winnowed, no duplicates removed) with `kgram_hashes`."""
    text, offsets = filtered(code)
    hashes, where = winnow(kgram_hashes(text, NOISE), window_size=GUARANTEE - NOISE + 1, remove_duplicates=False)
    if boilerplate is not None and len(boilerplate):
        _, common, _ = np.intersect1d(hashes, boilerplate, return_indices=True, assume_unique=True)
        hashes, where = np.delete(hashes, common), np.delete(where, common)
    hash_idx: dict = {}
    for value, index in zip(hashes, where):
        hash_idx.setdefault(value, []).append(index)
    found = CodeFingerprint.__new__(CodeFingerprint)  # its attributes, as its constructor sets them
    found.filename, found.raw_code, found.filtered_code, found.offsets = "answer.py", code, text, offsets
    found.hashes, found.hash_idx, found.k = set(hashes), hash_idx, NOISE
    found.token_coverage = get_token_coverage(hash_idx, NOISE, len(text))
    return found


@dataclass(frozen=True)
class Answer:
    """One answer, fingerprinted: the tokens each of its own hashes covers, as a bit mask."""
    fingerprint: CodeFingerprint
    covers: dict[int, int]  # winnowed hash -> bit i set where its k-grams cover filtered token i
    tokens: int  # its own tokens: copydetect's token_coverage, the popcount of all `covers`

    def shared(self, hashes) -> int:
        """The tokens of this answer that the k-grams of `hashes` cover (compare_files' token overlap)."""
        covered = 0
        for value in hashes:
            covered |= self.covers[value]
        return covered.bit_count()


def answer(code: str, boilerplate: list[int]) -> Answer:
    found = fingerprint(code, boilerplate)
    window = (1 << found.k) - 1
    covers = {}
    for value, starts in found.hash_idx.items():
        mask = 0
        for start in starts:
            mask |= window << int(start)
        covers[value] = mask
    return Answer(found, covers, int(found.token_coverage))


def boilerplate_hashes(lab_id: str) -> dict[str, list[int]]:
    """Per exercise: the fingerprints of its released stub and its reference solution, and
    of every mistake the lab's catalogue holds."""
    hashes: dict[str, set[int]] = {}
    for path in (student_path(lab_id), source_path(lab_id)):
        for cell in read_notebook(path).cells:
            if is_solution_cell(cell):
                hashes.setdefault(nbgrader_meta(cell)["grade_id"], set()).update(fingerprint(cell.source).hashes)
    mistakes = set().union(*(fingerprint(mistake.code).hashes for mistake in catalogue(lab_id)))
    return {grade_id: sorted(found | mistakes) for grade_id, found in hashes.items()}


def staged_cells(path: Path) -> list:
    """A staged notebook's cells. Intake wrote it with nbformat (version 4), so it is read as
    plain JSON, without nbformat validating it a second time (the most of reading it)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("nbformat") != 4:
        return read_notebook(path).cells
    cells = [nbformat.from_dict(cell) for cell in data["cells"]]
    for cell in cells:
        if isinstance(cell.get("source"), list):
            cell.source = "".join(cell.source)
    return cells


def staged_answers(out_dir: Path, lab_id: str, exercises: set[str]) -> dict[str, dict[str, str]]:
    """{student: {grade_id: answer cell source}} from the notebooks intake rebuilt."""
    answers: dict[str, dict[str, str]] = {}
    for path in staged_notebooks(out_dir, lab_id):
        try:
            cells = staged_cells(path)
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            continue  # intake stages only what it could read; skip anything else
        answers[path.parent.parent.name] = {nbgrader_meta(c)["grade_id"]: c.source for c in cells
                                            if is_solution_cell(c) and nbgrader_meta(c).get("grade_id") in exercises}
    return answers


def highlighted(code: str, slices) -> str:
    if slices.size == 0:
        return escape(code)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        text, _ = highlight_overlap(code, slices, "<mark>", "</mark>", escape_html=True)
    return text


def compared(grade_id: str, a: CodeFingerprint, b: CodeFingerprint) -> ExerciseOverlap:
    """One exercise of a pair, compared by copydetect, shared spans highlighted."""
    _, shares, (slices_a, slices_b) = compare_files(a, b)
    return ExerciseOverlap(grade_id, (float(shares[0]), float(shares[1])),
                           (int(a.token_coverage), int(b.token_coverage)),
                           (highlighted(a.raw_code, slices_a), highlighted(b.raw_code, slices_b)))


def lab_answers(out_dir: Path, lab_id: str) -> dict[str, dict[str, Answer]]:
    """{grade_id: {student: Answer}} for every exercise and every staged answer to it (one
    fingerprint per distinct answer text)."""
    boilerplate = boilerplate_hashes(lab_id)
    known: dict[tuple[str, str], Answer] = {}
    found: dict[str, dict[str, Answer]] = {grade_id: {} for grade_id in boilerplate}
    for student, by_exercise in staged_answers(out_dir, lab_id, set(boilerplate)).items():
        for grade_id, code in by_exercise.items():
            if (grade_id, code) not in known:
                known[grade_id, code] = answer(code, boilerplate[grade_id])
            found[grade_id][student] = known[grade_id, code]
    return found


def all_pairs(out_dir: Path, lab_id: str, settings: Similarity) -> list[SimilarPair]:
    """Every pair of students of one lab with an exercise that counts, each compared by
    copydetect, similarity unfiltered: the plain way, which the index must equal."""
    by_exercise = lab_answers(out_dir, lab_id)
    students = sorted({student for answers in by_exercise.values() for student in answers})
    pairs = []
    for first, second in itertools.combinations(students, 2):
        pair = SimilarPair(lab_id, (first, second))
        for grade_id, answers in by_exercise.items():
            a, b = answers.get(first), answers.get(second)
            if a is None or b is None or min(a.tokens, b.tokens) < settings.min_size:
                continue
            pair.exercises.append(compared(grade_id, a.fingerprint, b.fingerprint))
        if pair.exercises:
            pairs.append(pair)
    return pairs


def candidates(counting: dict[str, dict[str, Answer]]) -> set[tuple[str, str]]:
    """The pairs that share at least one hash in an exercise, from an index of hash -> students
    (each distinct list of students expanded into pairs once)."""
    groups: set[tuple[str, ...]] = set()
    for answers in counting.values():
        holders: dict[int, list[str]] = defaultdict(list)
        for student in sorted(answers):
            for value in answers[student].covers:
                holders[value].append(student)
        groups.update(tuple(group) for group in holders.values() if len(group) > 1)
    return {pair for group in groups for pair in itertools.combinations(group, 2)}


def scored(first: str, second: str, counting: dict[str, dict[str, Answer]]) -> tuple[list[str], float]:
    """A pair's exercises that count and its similarity, from the fingerprints alone."""
    exercises, shared, own = [], 0, 0
    for grade_id, answers in counting.items():
        a, b = answers.get(first), answers.get(second)
        if a is None or b is None:
            continue
        exercises.append(grade_id)
        own += a.tokens + b.tokens
        common = a.covers.keys() & b.covers.keys()
        if common:
            shared += a.shared(common) + b.shared(common)
    return exercises, shared / own if own else 0.0


def lab_pairs(out_dir: Path, lab_id: str, settings: Similarity) -> list[SimilarPair]:
    """The pairs of students of one lab at or above the threshold, found through the index of
    fingerprints, each compared by copydetect as `all_pairs` compares it. A threshold of 0 or
    less lists every pair with an exercise that counts: those are `all_pairs`."""
    if settings.threshold <= 0:
        return all_pairs(out_dir, lab_id, settings)
    by_exercise = lab_answers(out_dir, lab_id)
    counting = {grade_id: {student: a for student, a in answers.items() if a.tokens >= settings.min_size}
                for grade_id, answers in by_exercise.items()}
    pairs = []
    for first, second in sorted(candidates(counting)):
        exercises, similarity = scored(first, second, counting)
        if similarity < settings.threshold - 1e-9:  # the exact value is copydetect's, below
            continue
        pair = SimilarPair(lab_id, (first, second), [
            compared(grade_id, counting[grade_id][first].fingerprint,
                     counting[grade_id][second].fingerprint)
            for grade_id in exercises])
        if pair.similarity >= settings.threshold:
            pairs.append(pair)
    return pairs


def lab_pairs_of(out_dir: Path, lab_id: str, threshold: float, min_size: int) -> list[SimilarPair]:
    """`lab_pairs` in a worker process, given the settings as plain numbers."""
    return lab_pairs(out_dir, lab_id, Similarity(threshold=threshold, min_size=min_size))


PARALLEL_FROM = 200  # staged notebooks from which labs are scored in parallel by default


def staged_notebooks(out_dir: Path, lab_id: str) -> list[Path]:
    return sorted((out_dir / "staged").glob(f"*/{lab_id}/{lab_id}.ipynb"))


def similar_pairs(out_dir: Path, labs: list[str], settings: Similarity | None = None,
                  workers: int | None = None) -> list[SimilarPair]:
    """The pairs at or above the threshold, most similar first. `workers` processes score labs
    at once, at most one a lab (default: one per core from PARALLEL_FROM staged notebooks on,
    else 1: in this process)."""
    settings = settings or Similarity()
    sizes = {lab_id: sum(path.stat().st_size for path in staged_notebooks(out_dir, lab_id)) for lab_id in labs}
    if workers is None:
        staged = sum(len(staged_notebooks(out_dir, lab_id)) for lab_id in labs)
        workers = len(os.sched_getaffinity(0)) if staged >= PARALLEL_FROM else 1
    workers = 1 if multiprocessing.current_process().daemon else min(len(labs), workers)  # a daemon has no children
    if workers > 1:
        largest_first = sorted(labs, key=lambda lab_id: -sizes[lab_id])  # no large lab left for last
        # Forks of this process, as the grading workers are (autograder.pipeline.run.start_workers),
        # unless it has run torch, whose thread pool can hang a fork: then from a server process.
        context = multiprocessing.get_context("fork" if "torch" not in sys.modules else "forkserver")
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            by_lab = list(pool.map(lab_pairs_of, [out_dir] * len(labs), largest_first,
                                   [settings.threshold] * len(labs), [settings.min_size] * len(labs)))
    else:
        by_lab = [lab_pairs(out_dir, lab_id, settings) for lab_id in labs]
    found = [pair for pairs in by_lab for pair in pairs if pair.similarity >= settings.threshold]
    return sorted(found, key=lambda pair: (-pair.similarity, pair.lab_id, pair.students))


STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; max-width: 80rem; margin: 2rem auto; color: #222; }
table { border-collapse: collapse; } td, th { padding: .35rem .6rem; border-bottom: 1px solid #ddd; text-align: left; }
.side { display: grid; grid-template-columns: 1fr 1fr; gap: 1rem; }
pre { white-space: pre-wrap; font: 13px/1.4 ui-monospace, monospace; background: #f6f8fa; padding: .6rem; margin: 0; }
mark { background: #ffe08a; }
"""


def ranking_table(pairs: list[SimilarPair], link: str = "", shown: int | None = None) -> str:
    """The ranked pairs, for similarity.html and report.html; with `shown`, the pairs after the
    first `shown` are folded under a <details>."""
    if not pairs:
        return "<p>No pair reached the threshold.</p>"
    head = "<tr><th>#</th><th>students</th><th>lab</th><th>similarity</th><th>exercises compared</th></tr>"
    rows = [f"<tr><td>{rank}</td><td><a href=\"{link}#pair-{rank}\">{escape(p.students[0])} · {escape(p.students[1])}"
            f"</a></td><td>{escape(p.lab_id)}</td><td>{100 * p.similarity:.0f}%</td>"
            f"<td>{escape(', '.join(e.grade_id for e in p.exercises))}</td></tr>" for rank, p in enumerate(pairs, 1)]
    shown = len(rows) if shown is None else shown
    page = f"<table>{head}{''.join(rows[:shown])}</table>"
    if len(rows) > shown:
        page += (f"<details><summary>{len(rows) - shown} more pairs</summary><table>{head}{''.join(rows[shown:])}"
                 "</table></details>")
    return page


def similarity_html(pairs: list[SimilarPair], settings: Similarity) -> str:
    details = []
    for rank, pair in enumerate(pairs, 1):
        exercises = "".join(
            f"<h3>{escape(e.grade_id)}: {100 * e.shared[0]:.0f}% · {100 * e.shared[1]:.0f}% shared</h3>"
            f"<div class=\"side\"><pre>{e.html[0]}</pre><pre>{e.html[1]}</pre></div>" for e in pair.exercises)
        details.append(f"<h2 id=\"pair-{rank}\">{rank}. {escape(pair.students[0])} and {escape(pair.students[1])}, "
                       f"{escape(pair.lab_id)}: {100 * pair.similarity:.0f}%</h2>{exercises}")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Similar answers</title><style>{STYLE}</style></head><body>
<h1>Similar answers</h1>
<p>Pairs of students whose answers share at least {100 * settings.threshold:.0f}% of their own tokens
(variables and functions renamed alike, order ignored; the released stub and the reference solution
left out; exercises where an answer keeps fewer than {settings.min_size} tokens of its own not compared).
A lead for a conversation, not evidence: it changes no grade and sets no flag.</p>
{ranking_table(pairs)}
{''.join(details)}
</body></html>
"""


def write_similarity(out_dir: Path, labs: list[str], settings: Similarity | None = None) -> list[SimilarPair]:
    """OUT_DIR/similarity.html; returns the pairs listed there."""
    settings = settings or Similarity()
    pairs = similar_pairs(out_dir, labs, settings)
    (out_dir / "similarity.html").write_text(similarity_html(pairs, settings), encoding="utf-8")
    return pairs
