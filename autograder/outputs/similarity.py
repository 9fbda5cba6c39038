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

Both settings live in nbgrader_config.py (`c.Similarity.threshold`, `c.Similarity.min_size`).
"""
from __future__ import annotations

import io
import itertools
import warnings
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

from copydetect import CodeFingerprint, compare_files
from copydetect.utils import highlight_overlap
from traitlets import Float, Int
from traitlets.config import Configurable

from autograder.course.labs import is_solution_cell, nbgrader_meta, read_notebook, source_path, student_path
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


def fingerprint(code: str, boilerplate: list[int] | None = None) -> CodeFingerprint:
    return CodeFingerprint("answer.py", NOISE, GUARANTEE - NOISE + 1, boilerplate=boilerplate, fp=io.StringIO(code))


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


def staged_answers(out_dir: Path, lab_id: str, exercises: set[str]) -> dict[str, dict[str, str]]:
    """{student: {grade_id: answer cell source}} from the notebooks intake rebuilt."""
    answers: dict[str, dict[str, str]] = {}
    for path in sorted((out_dir / "staged").glob(f"*/{lab_id}/{lab_id}.ipynb")):
        try:
            cells = read_notebook(path).cells
        except (OSError, ValueError):  # intake stages only what it could read; skip anything else
            continue
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


def lab_pairs(out_dir: Path, lab_id: str, settings: Similarity) -> list[SimilarPair]:
    """Every pair of students of one lab with an exercise that counts, similarity unfiltered."""
    boilerplate = boilerplate_hashes(lab_id)
    answers = staged_answers(out_dir, lab_id, set(boilerplate))
    prints = {(student, grade_id): fingerprint(code, boilerplate[grade_id])
              for student, by_exercise in answers.items() for grade_id, code in by_exercise.items()}
    pairs = []
    for first, second in itertools.combinations(sorted(answers), 2):
        pair = SimilarPair(lab_id, (first, second))
        for grade_id in boilerplate:
            a, b = prints.get((first, grade_id)), prints.get((second, grade_id))
            if a is None or b is None or min(a.token_coverage, b.token_coverage) < settings.min_size:
                continue
            _, shares, (slices_a, slices_b) = compare_files(a, b)
            pair.exercises.append(ExerciseOverlap(
                grade_id, (float(shares[0]), float(shares[1])), (int(a.token_coverage), int(b.token_coverage)),
                (highlighted(a.raw_code, slices_a), highlighted(b.raw_code, slices_b))))
        if pair.exercises:
            pairs.append(pair)
    return pairs


def similar_pairs(out_dir: Path, labs: list[str], settings: Similarity | None = None) -> list[SimilarPair]:
    """The pairs at or above the threshold, most similar first."""
    settings = settings or Similarity()
    found = [pair for lab_id in labs for pair in lab_pairs(out_dir, lab_id, settings)
             if pair.similarity >= settings.threshold]
    return sorted(found, key=lambda pair: (-pair.similarity, pair.lab_id, pair.students))


STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; max-width: 80rem; margin: 2rem auto; color: #222; }
table { border-collapse: collapse; } td, th { padding: .35rem .6rem; border-bottom: 1px solid #ddd; text-align: left; }
.side { display: grid; grid-template-columns: 1fr 1fr; gap: 1rem; }
pre { white-space: pre-wrap; font: 13px/1.4 ui-monospace, monospace; background: #f6f8fa; padding: .6rem; margin: 0; }
mark { background: #ffe08a; }
"""


def ranking_table(pairs: list[SimilarPair], link: str = "") -> str:
    """The ranked pairs, for similarity.html and report.html."""
    if not pairs:
        return "<p>No pair reached the threshold.</p>"
    rows = "".join(
        f"<tr><td>{rank}</td><td><a href=\"{link}#pair-{rank}\">{escape(p.students[0])} · {escape(p.students[1])}</a>"
        f"</td><td>{escape(p.lab_id)}</td><td>{100 * p.similarity:.0f}%</td>"
        f"<td>{escape(', '.join(e.grade_id for e in p.exercises))}</td></tr>"
        for rank, p in enumerate(pairs, 1))
    return ("<table><tr><th>#</th><th>students</th><th>lab</th><th>similarity</th><th>exercises compared</th></tr>"
            f"{rows}</table>")


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
