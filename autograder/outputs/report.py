"""OUT_DIR/report.html: the class at a glance, for the instructor (a writer over
`autograder.grading.results.SubmissionResult`).

What this run graded, regraded (and why) and kept from the previous run; score
distribution per lab, pass rate per exercise, the most frequent mistakes, the
submissions that did not end normally (timeouts, kills, crashes, unreadable files),
flagged submissions and the slowest ones, and every student's score per lab. Figures are
matplotlib PNGs inside the page, their size the same for a class of 10 or 300 (histograms and
one bar per exercise or mistake, never one per student); every table shows its first
`ROWS_SHOWN` rows and folds the rest under a `<details>` (a class of 300 stays a page to read,
and every student and row is still in it).
"""
from __future__ import annotations

import base64
import io
import math
from collections import Counter, defaultdict
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402 (after choosing the backend)

from autograder.grading.late import timeliness
from autograder.grading.results import Status, SubmissionResult
from autograder.judging.judges import DEMO_SECRET_SAID, secret_said
from autograder.outputs.similarity import SimilarPair, ranking_table
from autograder.sandbox.kernels import FORKED

if TYPE_CHECKING:
    from autograder.grading.gradebook import Override
    from autograder.grading.regrade import RunSummary

STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; max-width: 70rem; margin: 2rem auto; color: #222; }
table { border-collapse: collapse; } td, th { padding: .3rem .6rem; border-bottom: 1px solid #ddd;
  text-align: left; vertical-align: top; } img { max-width: 100%; }
td:first-child, summary { white-space: nowrap; }
.warn { background: #fde8e8; border-left: 5px solid #b42318; padding: .6rem .9rem; font-weight: 600; }
.info { background: #eef4ff; border-left: 5px solid #2e5bff; padding: .6rem .9rem; }
"""


def figure_tag(fig, alt: str) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return f'<img alt="{escape(alt)}" src="data:image/png;base64,{base64.b64encode(buffer.getvalue()).decode()}">'


def score_distribution(submissions: list[SubmissionResult]) -> str:
    by_lab = defaultdict(list)
    for s in submissions:
        by_lab[s.lab_id].append(100 * s.points / s.max_points if s.max_points else 0)
    labs = sorted(by_lab)
    columns = min(4, len(labs))  # four labs a row: eight stay readable
    rows = math.ceil(len(labs) / columns)
    fig, axes = plt.subplots(rows, columns, figsize=(max(4, 2.6 * columns), 2.6 * rows), sharey=True, squeeze=False)
    for ax, lab in zip(axes.flat, labs):
        ax.hist(by_lab[lab], bins=[0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100.01], color="#2e5bff")
        ax.set_title(lab, fontsize=9)
        ax.set_xlabel("% of points")
    for ax in axes.flat[len(labs):]:
        ax.set_visible(False)
    for row in axes:
        row[0].set_ylabel("submissions")
    return figure_tag(fig, "score distribution per lab")


def pass_rates(submissions: list[SubmissionResult]) -> tuple[str, dict]:
    passed, total = Counter(), Counter()
    for s in submissions:
        for cell in s.cells.values():
            key = f"{s.lab_id} · {cell.task}"
            total[key] += 1
            passed[key] += cell.full_marks
    keys = sorted(total)
    rates = {k: passed[k] / total[k] for k in keys}
    if not keys:
        return "<p>No exercise was graded.</p>", rates
    fig, ax = plt.subplots(figsize=(7, 0.28 * len(keys) + 0.8))
    ax.barh(keys[::-1], [100 * rates[k] for k in keys[::-1]], color="#1a7f37")
    ax.set_xlim(0, 100)
    ax.set_xlabel("% of graded submissions with full points")
    ax.tick_params(axis="y", labelsize=8)
    return figure_tag(fig, "pass rate per exercise"), rates


def frequent_mistakes(submissions: list[SubmissionResult], top: int = 15) -> tuple[str, list]:
    counts = Counter(f"{s.lab_id} · {cell.task}: {cell.judge.mistake}"
                     for s in submissions for cell in s.cells.values() if cell.judge.mistake)
    common = counts.most_common(top)
    if not common:
        return "<p>No catalogued mistake was recognised.</p>", common
    fig, ax = plt.subplots(figsize=(7, 0.3 * len(common) + 0.8))
    ax.barh([name for name, _ in common][::-1], [n for _, n in common][::-1], color="#b42318")
    ax.set_xlabel("submissions")
    ax.tick_params(axis="y", labelsize=8)
    return figure_tag(fig, "most frequent mistakes"), common


class Html(str):
    """A table cell that is HTML already (a link the report builds), not text to escape."""


ROWS_SHOWN = 20  # a table's rows shown; the rest are folded under a <details>


def table(headers: list[str | Html], rows: list[list], shown: int = ROWS_SHOWN, what: str = "rows") -> str:
    """A table of its first `shown` rows, the others folded under a <details> ("12 more rows")."""
    if not rows:
        return "<p>None.</p>"
    head = "".join(f"<th>{h if isinstance(h, Html) else escape(h)}</th>" for h in headers)

    def rows_html(part: list[list]) -> str:
        body = "".join("<tr>" + "".join(f"<td>{v if isinstance(v, Html) else escape(str(v))}</td>" for v in row)
                       + "</tr>" for row in part)
        return f"<table><tr>{head}</tr>{body}</table>"

    if len(rows) <= shown:
        return rows_html(rows)
    return (f"{rows_html(rows[:shown])}<details><summary>{len(rows) - shown} more {escape(what)}</summary>"
            f"{rows_html(rows[shown:])}</details>")


def students_section(submissions: list[SubmissionResult]) -> str:
    """A row per student: the total and each lab's score (after late penalties), linked to its
    feedback page; the lowest totals first, where a person is most needed."""
    if not submissions:
        return ""
    labs = sorted({s.lab_id for s in submissions})
    by_student: dict[str, dict[str, SubmissionResult]] = defaultdict(dict)
    for s in submissions:
        by_student[s.student_id][s.lab_id] = s
    totals = {student: (sum(s.score for s in done.values()), sum(s.max_points for s in done.values()))
              for student, done in by_student.items()}
    rows = []
    for student in sorted(by_student, key=lambda student: (totals[student][0], student)):
        done = by_student[student]
        cells = [Html(f'<a href="feedback/{escape(quote(student))}/{escape(quote(lab))}.html">{done[lab].score:g}</a>')
                 if lab in done else "" for lab in labs]
        rows.append([student, f"{totals[student][0]:g} / {totals[student][1]:g}", *cells])
    return ("<h2>Students</h2><p>Each student's points per lab after late penalties, lowest total first; "
            "a score opens the student's feedback page (a lab's number: hover it for its name).</p>"
            + table(["student", "total", *(Html(f'<abbr title="{escape(lab)}">{escape(lab.split("_")[0])}</abbr>')
                                           for lab in labs)], rows, what="students"))


def this_run(summary: RunSummary | None) -> str:
    """What the run graded, regraded (a row per reason) and kept from the previous run."""
    if summary is None:
        return ""
    headline, *_ = summary.lines()
    rows = [[reason, count] for reason, count in summary.regraded.items()]
    regraded = table(["regraded because", "submissions"], rows) if rows else ""
    return f"<h2>This run</h2><p>{escape(headline)}.</p>{regraded}"


def partial_credit_section(submissions: list[SubmissionResult]) -> str:
    """With partial credit on: per exercise, how many submissions earned all, part or none of its
    points, and the partial points given."""
    counted = [(s.lab_id, cell) for s in submissions for cell in s.cells.values()
               if cell.judge.cases_counted is not None]
    if not counted:
        return ""
    by_exercise: dict[str, list] = defaultdict(list)
    for lab_id, cell in counted:
        by_exercise[f"{lab_id} · {cell.task}"].append(cell)
    rows = []
    for key in sorted(by_exercise):
        cells = by_exercise[key]
        partial = sorted(cell.points for cell in cells if 0 < cell.points < cell.max_points)
        rows.append([key, sum(cell.full_marks for cell in cells), len(partial),
                     sum(cell.points == 0 for cell in cells),
                     ", ".join(f"{points:g}" for points in partial[:12]) + (" ..." if len(partial) > 12 else "")])
    return ("<h2>Partial credit</h2><p>Each exercise's points are its share of the hidden cases that count "
            "(those a trivial answer passes do not), rounded down (Scoring.step).</p>"
            + table(["exercise", "full points", "partial", "none", "partial points given"], rows))


def hand_grading_note(submissions: list[SubmissionResult]) -> str:
    """Which labs have points still to be graded by hand: the scores above leave them out."""
    waiting = Counter()
    points = {}
    for s in submissions:
        if s.manual_points:
            waiting[s.lab_id] += 1
            points[s.lab_id] = s.manual_points
    if not waiting:
        return ""
    parts = "; ".join(f"{lab}: {count} submission{'s' if count != 1 else ''}, {points[lab]:g} point"
                      f"{'s' if points[lab] != 1 else ''} each" for lab, count in sorted(waiting.items()))
    return (f'<p class="info">To be graded by hand in formgrader (written answers): {escape(parts)}. The scores '
            "here are the auto-graded points only; the LMS exports leave these labs' grades empty until then.</p>")


def kernel_starts_note(submissions: list[SubmissionResult]) -> str:
    """How the kernels started: forked from each worker's fork server, or cold, and why (issue 15)."""
    starts = Counter(s.execution.kernel_start for s in submissions if s.execution and s.execution.kernel_start)
    if not starts:
        return ""
    cold = {start: count for start, count in starts.items() if start != FORKED}
    css = "warn" if cold else "info"
    text = "; ".join(f"{count} {start}" for start, count in sorted(starts.items(), key=lambda item: -item[1]))
    return f'<p class="{css}">Kernel starts: {escape(text)}.</p>'


def similarity_section(similar: list[SimilarPair] | None) -> str:
    if similar is None:
        return ""
    return ("<h2>Similar answers</h2><p>Pairs whose own code looks alike, most similar first "
            "(<a href=\"similarity.html\">side by side in similarity.html</a>). They change no grade and set no flag.</p>"
            + ranking_table(similar, link="similarity.html", shown=ROWS_SHOWN))


def log_link(result: SubmissionResult) -> Html | str:
    """A link to nbgrader's log of a submission it could not grade (results/<student>/<lab>.log)."""
    if not result.detail.startswith("nbgrader could not grade it"):
        return ""
    path = f"results/{quote(result.student_id)}/{quote(result.lab_id)}.log"
    return Html(f'<a href="{escape(path)}">{escape(path)}</a>')


def overrides_section(overrides: list[Override] | None) -> str:
    """What was given by hand in formgrader to autograded cells: kept by every re-run; to review
    where the code changed since (`autograder.grading.gradebook.overrides`)."""
    if not overrides:
        return ""
    review = sum(o.to_review for o in overrides)
    note = (f'<p class="warn">{review} given to code that has changed since: look at them again in formgrader '
            "(saving a score there clears its \"needs manual grade\"; until then the LMS exports hold the lab "
            "as pending).</p>") if review else ""
    rows = [[o.student_id, o.lab_id, o.cell, o.kind, o.given,
             "to review: the code changed since" if o.to_review else "stands: the code is unchanged"]
            for o in overrides]
    return ("<h2>Given by hand in formgrader</h2><p>Scores and comments given by hand to autograded cells; a "
            "re-run never writes over them.</p>" + note
            + table(["student", "lab", "cell", "what", "given by hand", "status"], rows))


def report_html(submissions: list[SubmissionResult], confinement: str, summary: RunSummary | None = None,
                similar: list[SimilarPair] | None = None, overrides: list[Override] | None = None) -> str:
    submissions = list(submissions)
    kinds = Counter(s.status.value for s in submissions)
    sandbox_note = f'<p class="{"warn" if confinement.startswith("NOT") else "info"}">Kernels: {escape(confinement)}</p>'
    sandbox_note += kernel_starts_note(submissions)
    unusual = [[s.student_id, s.lab_id, s.status.value, s.sentence, f"{s.points:g}", log_link(s)]
               for s in submissions if s.status is not Status.GRADED]
    flagged = [[s.student_id, s.lab_id, "; ".join(s.flags)] for s in submissions if s.flags]
    noted = [[s.student_id, s.lab_id, "; ".join(s.notes)] for s in submissions if s.notes]
    slowest = [[s.student_id, s.lab_id, f"{s.seconds:.1f}", s.sentence]
               for s in sorted(submissions, key=lambda s: -s.seconds)[:10] if s.seconds]
    late = [[s.student_id, s.lab_id, timeliness(s.seconds_late, s.extended_due), f"{s.points:g}",
             f"{s.late_penalty:g}", f"{s.score:g}"]
            for s in sorted(submissions, key=lambda s: -s.seconds_late) if s.seconds_late or s.extended_due]
    rates_figure, _ = pass_rates(submissions)
    mistakes_figure, common_mistakes = frequent_mistakes(submissions)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Grading report</title><style>{STYLE}</style></head><body>
<h1>Grading report</h1>
{sandbox_note}
<p class="{'warn' if secret_said() == DEMO_SECRET_SAID else 'info'}">Hidden cases drawn with {escape(secret_said())}.</p>
<p>{len(submissions)} submissions from {len({s.student_id for s in submissions})} students:
{", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))}.</p>
{this_run(summary)}
{overrides_section(overrides)}
<h2>Scores per lab</h2>{score_distribution(submissions) if submissions else ""}{hand_grading_note(submissions)}
{students_section(submissions)}
<h2>Pass rate per exercise</h2>{rates_figure}
{partial_credit_section(submissions)}
<h2>Most frequent mistakes</h2>{mistakes_figure}
{table(["lab · exercise: mistake", "submissions"], [list(row) for row in common_mistakes])}
{similarity_section(similar)}
<h2>Submissions that did not end normally</h2>
{table(["student", "lab", "kind", "status", "points", "nbgrader's log"], unusual)}
<h2>Flagged: code that tampers with the checks or the kernel</h2>
<p>Flags change no points (the hidden tests decide those); they are set in nbgrader's gradebook too.</p>
{table(["student", "lab", "what was found"], flagged)}
<h2>What the grader changed before grading</h2>
{table(["student", "lab", "notes"], noted)}
<h2>Late submissions</h2>
<p>Penalties follow the course's policy (<code>LatePenalty</code> in nbgrader_config.py), from the extended due
date where a student has an extension (<code>python -m autograder extend</code>); the gradebook keeps the
points and the penalty apart, so a regrade never takes them twice.</p>
{table(["student", "lab", "when", "points", "penalty", "score"], late)}
<h2>Slowest submissions</h2>
{table(["student", "lab", "seconds", "status"], slowest)}
</body></html>
"""


def write_report(out_dir: Path, submissions: list[SubmissionResult], confinement: str, summary: RunSummary | None = None,
                 similar: list[SimilarPair] | None = None, overrides: list[Override] | None = None) -> Path:
    path = out_dir / "report.html"
    path.write_text(report_html(submissions, confinement, summary, similar, overrides), encoding="utf-8")
    return path
