"""Per student and lab, an HTML feedback page: OUT_DIR/feedback/<student>/<lab>.html.

A writer over `autograder.grading.results.SubmissionResult`: each exercise's points, the check's
message and, for a failed judge, its name, its message and the mistake it matched. Never the judges' code, their inputs or expected
outputs (nbgrader's own feedback shows hidden test cells; the judges here have none, and
their messages never reveal expected values).
"""
from __future__ import annotations

from html import escape
from pathlib import Path

from autograder.grading.late import lateness
from autograder.grading.results import CellResult, Status, SubmissionResult

STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; max-width: 52rem; margin: 2rem auto; color: #222; }
h1 { font-size: 1.4rem; } .score { font-size: 1.2rem; font-weight: 600; }
table { border-collapse: collapse; width: 100%; } td, th { padding: .45rem .6rem; vertical-align: top;
  border-bottom: 1px solid #ddd; text-align: left; } .ok { color: #1a7f37; } .bad { color: #b42318; }
pre { white-space: pre-wrap; margin: 0; font: 13px/1.4 ui-monospace, monospace; }
.status { background: #fff4e5; border-left: 4px solid #f79009; padding: .5rem .8rem; }
"""


def message_block(text: str | None) -> str:
    return f"<pre>{escape(text or '')}</pre>"


def exercise_row(cell: CellResult) -> str:
    if not cell.check_run:
        check = "not run when grading: the hidden tests alone decide its points"
    else:
        check = '<span class="ok">passed</span>' if cell.check_passed else message_block(cell.check_message)
    hidden = '<span class="ok">passed</span>' if cell.judge.passed else message_block(cell.judge.message)
    return (f"<tr><td><b>{escape(cell.task)}</b></td>"
            f"<td class=\"{'ok' if cell.full_marks else 'bad'}\">{escape(cell.points_said)}</td>"
            f"<td>{check}</td><td>{hidden}</td></tr>")


def score_line(result: SubmissionResult) -> str:
    """The points; for a late submission, how late, the penalty and the score left; with an
    extension, the extended due date ("Extension to 2026-09-24 23:59 UTC; on time.")."""
    score = f'<p class="score">{escape(result.points_text)}</p>'
    if not result.seconds_late:
        return score + (f"<p>Extension to {escape(result.extended_due)}; on time.</p>" if result.extended_due else "")
    taken = (f"{result.late_penalty:g} point(s) taken for lateness: {result.score:g} / {result.max_points:g}"
             if result.late_penalty else "no points taken for it")
    late = lateness(result.seconds_late)
    when = (f"Extension to {escape(result.extended_due)}; submitted {late} after the extended due date"
            if result.extended_due else f"Submitted {late} after the due date")
    return score + f'<p class="status">{when}; {taken}.</p>'


def feedback_html(result: SubmissionResult) -> str:
    banner = "" if result.status is Status.GRADED else f'<p class="status">{escape(result.sentence)}</p>'
    notes = "".join(f"<li>{escape(note)}</li>" for note in result.notes)
    rows = "".join(exercise_row(cell) for cell in result.cells.values())
    table = ("<table><tr><th>exercise</th><th>points</th><th>check in your notebook</th>"
             f"<th>hidden tests</th></tr>{rows}</table>") if rows else ""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(result.lab_id)}: feedback</title>
<style>{STYLE}</style></head><body>
<h1>{escape(result.lab_id)} — feedback for {escape(result.student_id)}</h1>
{score_line(result)}
{banner}
{f'<p>What the grader did with your notebook:</p><ul>{notes}</ul>' if notes else ''}
{table}
<p>An exercise earns its points when the check in your notebook passes and the hidden tests
(the same function on other inputs) pass too.</p>
</body></html>
"""


def write_feedback(out_dir: Path, result: SubmissionResult) -> Path:
    path = out_dir / "feedback" / result.student_id / f"{result.lab_id}.html"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(feedback_html(result), encoding="utf-8")
    return path
