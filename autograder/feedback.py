"""Per student and lab, an HTML feedback page: OUT_DIR/feedback/<student>/<lab>.html.

Each exercise's points, the check's message and, for a failed judge, its name, its
message and the mistake it matched. Never the judges' code, their inputs or expected
outputs (nbgrader's own feedback shows hidden test cells; the judges here have none, and
their messages never reveal expected values).
"""
from __future__ import annotations

from html import escape
from pathlib import Path

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


def exercise_row(cell: dict) -> str:
    judge = cell["judge"]
    full = cell.get("points", 0) == cell.get("max_points", 0)
    check = '<span class="ok">passed</span>' if cell["check_passed"] else message_block(cell["check_message"])
    if judge["passed"]:
        hidden = '<span class="ok">passed</span>'
    else:
        hidden = message_block(judge["message"])
    return (f"<tr><td><b>{escape(judge['task'])}</b></td>"
            f"<td class=\"{'ok' if full else 'bad'}\">{cell.get('points', 0):g} / {cell.get('max_points', 0):g}</td>"
            f"<td>{check}</td><td>{hidden}</td></tr>")


def feedback_html(result: dict) -> str:
    status = result["status"]
    banner = "" if status == "graded" else f'<p class="status">{escape(status)}</p>'
    notes = "".join(f"<li>{escape(note)}</li>" for note in result.get("notes", []))
    rows = "".join(exercise_row(cell) for cell in result.get("cells", {}).values())
    table = ("<table><tr><th>exercise</th><th>points</th><th>check in your notebook</th>"
             f"<th>hidden tests</th></tr>{rows}</table>") if rows else ""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(result['lab'])}: feedback</title>
<style>{STYLE}</style></head><body>
<h1>{escape(result['lab'])} — feedback for {escape(result['student'])}</h1>
<p class="score">{result['points']:g} / {result['max_points']:g} points</p>
{banner}
{f'<p>What the grader did with your notebook:</p><ul>{notes}</ul>' if notes else ''}
{table}
<p>An exercise earns its points when the check in your notebook passes and the hidden tests
(the same function on other inputs) pass too.</p>
</body></html>
"""


def write_feedback(out_dir: Path, result: dict) -> Path:
    path = out_dir / "feedback" / result["student"] / f"{result['lab']}.html"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(feedback_html(result), encoding="utf-8")
    return path
