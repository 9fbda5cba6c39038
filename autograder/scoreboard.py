"""The score table printed after grading: a row per submission."""
from __future__ import annotations

from typing import Iterable


def shorten(text: str, width: int = 70) -> str:
    return text if len(text) <= width else text[:width - 3] + "..."


def print_table(results: Iterable) -> None:
    rows = [("student", "lab", "points", "status", "seconds", "mistakes the judges recognised")]
    for r in results:
        found = [cell["judge"]["mistake"] for cell in r.cells.values() if cell["judge"].get("mistake")]
        rows.append((r.student_id, r.lab_id, f"{r.points:g} / {r.max_points:g}", r.status,
                     f"{r.seconds:.1f}", shorten("; ".join(found) or "-")))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for index, row in enumerate(rows):
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
        if index == 0:
            print("  ".join("-" * width for width in widths))
