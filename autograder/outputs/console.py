"""What `grade` prints: a row per submission (`SubmissionResult`), its points after any late
penalty as grades.csv has them, then what the run graded, regraded and kept."""
from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from autograder.grading.results import SubmissionResult

if TYPE_CHECKING:
    from autograder.grading.regrade import RunSummary


def shorten(text: str, width: int = 70) -> str:
    return text if len(text) <= width else text[:width - 3] + "..."


def points_cell(result: SubmissionResult) -> str:
    """The score as grades.csv has it, after any late penalty: '3 / 5 (5 - 2 late)', '5 / 5 (+2 by hand)'."""
    late = f" ({result.points:g} - {result.late_penalty:g} late)" if result.late_penalty else ""
    by_hand = f" (+{result.manual_points:g} by hand)" if result.manual_points else ""
    return f"{result.score:g} / {result.max_points:g}{late}{by_hand}"


def print_table(results: Iterable[SubmissionResult]) -> None:
    rows = [("student", "lab", "points", "status", "seconds", "mistakes the judges recognised")]
    for r in results:
        rows.append((r.student_id, r.lab_id, points_cell(r), r.sentence,
                     f"{r.seconds:.1f}", shorten("; ".join(r.mistakes()) or "-")))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for index, row in enumerate(rows):
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
        if index == 0:
            print("  ".join("-" * width for width in widths))


def print_summary(summary: RunSummary) -> None:
    """`this run: 2 graded for the first time, 4 regraded, 6 kept ...`, then a line per reason."""
    headline, *reasons = summary.lines()
    print(f"this run: {headline}")
    for line in reasons:
        print(f"  {line}")
