"""report.html for a class of 300 (issue 29): a page a person can read, in which every student
is still found. Built from typed results made without grading (benchmarks/class_scale.py's
synthetic_results: 300 students x every lab, some timed out, crashed, flagged, noted, late)."""
from __future__ import annotations

import base64
import re
import struct

import pytest

from autograder.course.labs import available_labs
from autograder.grading.results import Status
from autograder.outputs.report import ROWS_SHOWN, report_html
from autograder.outputs.similarity import ExerciseOverlap, SimilarPair
from benchmarks.class_scale import synthetic_results

LABS = available_labs()
PAIRS = 150  # similar pairs listed: more than a table shows


def similar(students: list[str]) -> list[SimilarPair]:
    first = [k % (len(students) - 1) for k in range(PAIRS)]
    return [SimilarPair(LABS[k % len(LABS)], (students[i], students[i + 1]),
                        [ExerciseOverlap("matmul", (0.9, 0.8), (150, 160), ("<pre>a</pre>", "<pre>b</pre>"))])
            for k, i in enumerate(first)]


def page_of(students: int) -> tuple[list, list[SimilarPair], str]:
    results = synthetic_results(students, LABS)
    pairs = similar(sorted({r.student_id for r in results}))
    return results, pairs, report_html(results, "bubblewrap", similar=pairs)


@pytest.fixture(scope="module")
def class_of_300():
    return page_of(300)


def figures(page: str) -> list[tuple[int, int]]:
    """Each figure's width and height in pixels (from its PNG header)."""
    found = re.findall(r'src="data:image/png;base64,([^"]+)"', page)
    return [struct.unpack(">II", base64.b64decode(data)[16:24]) for data in found]


def test_the_page_stays_small(class_of_300):
    _, _, page = class_of_300
    assert len(page.encode()) < 1_000_000, len(page.encode())


def test_figures_do_not_grow_with_the_class(class_of_300):
    """Histograms per lab, a bar per exercise or mistake: never a bar per student, so the figures
    of 300 students are as large as those of 20."""
    _, _, page = class_of_300
    large, small = figures(page), figures(page_of(20)[2])
    assert len(large) == len(small) == 3
    for (width, height), (small_width, small_height) in zip(large, small):  # tick labels' widths aside
        assert abs(width - small_width) <= 0.1 * small_width and abs(height - small_height) <= 0.1 * small_height
        assert width < 2000 and height < 2000


def test_every_table_shows_its_first_rows_and_folds_the_rest(class_of_300):
    _, _, page = class_of_300
    visible = re.sub(r"<details>.*?</details>", "", page, flags=re.S)
    tables = re.findall(r"<table>.*?</table>", visible, flags=re.S)
    assert tables and all(table.count("<tr>") <= ROWS_SHOWN + 1 for table in tables)
    assert visible.count("<tr>") < 12 * (ROWS_SHOWN + 1)
    assert f"{300 - ROWS_SHOWN} more students" in page and f"{PAIRS - ROWS_SHOWN} more pairs" in page


def test_every_student_and_submission_is_still_in_the_page(class_of_300):
    results, pairs, page = class_of_300
    students = page[page.index("<h2>Students</h2>"):page.index("<h2>Pass rate")]
    for r in results:  # each score links its feedback page
        assert f'<a href="feedback/{r.student_id}/{r.lab_id}.html">{r.score:g}</a>' in students, r
    unusual = page[page.index("<h2>Submissions that did not end normally"):page.index("<h2>Flagged")]
    missing = [(r.student_id, r.lab_id) for r in results if r.status is not Status.GRADED
               and f"<tr><td>{r.student_id}</td><td>{r.lab_id}</td>" not in unusual]
    assert not missing and sum(r.status is not Status.GRADED for r in results) > ROWS_SHOWN
    late = page[page.index("<h2>Late submissions"):page.index("<h2>Slowest")]
    assert all(f"<tr><td>{r.student_id}</td><td>{r.lab_id}</td>" in late for r in results if r.seconds_late)
    assert all(f'href="similarity.html#pair-{rank}"' in page for rank in range(1, len(pairs) + 1))


def test_the_lowest_totals_come_first(class_of_300):
    results, _, page = class_of_300
    totals: dict[str, float] = {}
    for r in results:
        totals[r.student_id] = totals.get(r.student_id, 0.0) + r.score
    students = page[page.index("<h2>Students</h2>"):page.index("<h2>Pass rate")]
    order = re.findall(r"<tr><td>(student-\d+)</td>", students)
    assert len(order) == 300 and [totals[s] for s in order] == sorted(totals.values())
