"""Extensions (issue 28, part 2): `python -m autograder extend`, stored as nbgrader's own
(`SubmittedAssignment.extension`, through `Gradebook.grant_extension`), applied by nbgrader's
late penalty in the worker, shown in the feedback and the report, and part of the submission's
fingerprint: a new extension regrades that student's submission of that lab, and nothing else.

The class, lab 01 (due 2026-09-21 23:59 UTC, 1 point per day begun, at most 3): ada hands in
2 days late, bo 2 days late, cy on time, and ada hands in lab 02 late too. dora has not handed
in yet. A second class grades into a gradebook that is not OUT_DIR/gradebook.db (`--db`; the
workers' template is then made apart from it, as for PostgreSQL).
"""
from __future__ import annotations

import csv
import json
from datetime import timedelta
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from autograder.__main__ import main
from autograder.course.config import course_config
from autograder.demo.synthetic_class import completed_notebook, write_submission, write_timestamp
from autograder.grading.late import ExtensionError, Grant, due_date, granted_extensions, parse_until, read_grants
from autograder.outputs.export import export, read_class_grades
from autograder.pipeline.run import grade_run

LAB1, LAB2 = "01_matrix_shapes", "02_activations"
DAY = 86400
REASON = f"the student's extension for {LAB1} changed"


def hand_in(submitted: Path, student_id: str, lab_id: str, late_by: float) -> None:
    write_submission(submitted, student_id, lab_id, completed_notebook(lab_id))
    write_timestamp(submitted, student_id, lab_id, due_date(course_config(), lab_id) + timedelta(seconds=late_by))


def results(run) -> dict:
    return {(r.student_id, r.lab_id): r for r in run.submissions}


def regraded(run) -> dict:
    return {(d.student_id, d.lab_id): d.reason for d in run.summary.decisions if d.reason is not None}


def page(out: Path, student_id: str, lab_id: str = LAB1) -> str:
    return (out / "feedback" / student_id / f"{lab_id}.html").read_text(encoding="utf-8")


def late_table(out: Path) -> str:
    report = (out / "report.html").read_text(encoding="utf-8")
    return report[report.index("<h2>Late submissions"):report.index("<h2>Slowest")]


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("extensions")
    submitted, out = root / "submitted", root / "graded"
    for student_id, lab_id, late_by in (("ada", LAB1, 2 * DAY - 60), ("bo", LAB1, 2 * DAY - 60),
                                        ("cy", LAB1, -3600), ("ada", LAB2, DAY)):
        hand_in(submitted, student_id, lab_id, late_by)
    first = grade_run(submitted, out, timeout=10)
    return {"root": root, "submitted": submitted, "out": out, "first": results(first)}


def test_without_extensions_the_penalty_counts_from_the_due_date(graded):
    first = graded["first"]
    assert [(first["ada", LAB1].late_penalty, first["bo", LAB1].late_penalty, first["cy", LAB1].late_penalty)] \
        == [(2.0, 2.0, 0.0)]
    assert first["ada", LAB1].extended_due == ""


def test_an_extension_regrades_that_submission_alone_and_its_penalty_counts_from_it(graded, capsys):
    submitted, out = graded["submitted"], graded["out"]
    assert main(["extend", "ada", LAB1, "--days", "3", "--graded", str(out)]) == 0
    said = capsys.readouterr().out
    assert f"ada {LAB1}: 3 days, due 2026-09-24 23:59 UTC instead of 2026-09-21 23:59 UTC" in said
    grants = out.parent / "extensions.csv"
    with grants.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([["student_id", "lab_id", "days", "hours", "until"],
                                      ["bo", LAB1, "", "24", ""], ["dora", LAB1, "", "", "2026-09-25 12:00 UTC"]])
    assert main(["extend", "--csv", str(grants), "--graded", str(out)]) == 0
    said = capsys.readouterr().out
    assert f"bo {LAB1}: 1 day, due 2026-09-22 23:59 UTC" in said and "dora" in said and "no hand-in yet" in said
    with Gradebook(f"sqlite:///{out / 'gradebook.db'}") as gb:  # nbgrader's own extension
        assert gb.find_submission(LAB1, "ada").extension == timedelta(days=3)

    second = grade_run(submitted, out, timeout=10)
    assert regraded(second) == {("ada", LAB1): REASON, ("bo", LAB1): REASON}  # cy, and ada's lab 02, kept
    now = results(second)
    ada, bo = now["ada", LAB1], now["bo", LAB1]
    assert (ada.seconds_late, ada.late_penalty, ada.score, ada.extended_due) == \
        (0.0, 0.0, ada.max_points, "2026-09-24 23:59 UTC")
    assert (bo.late_penalty, bo.score) == (1.0, bo.max_points - 1)  # a day late after the extended due date
    assert now["ada", LAB2].late_penalty == graded["first"]["ada", LAB2].late_penalty > 0
    assert "Extension to 2026-09-24 23:59 UTC; on time." in page(out, "ada")
    assert "Extension to 2026-09-22 23:59 UTC; submitted 23 hours 59 minutes after the extended due date; " \
           "1 point(s) taken for lateness" in page(out, "bo")
    table = late_table(out)
    assert "extension to 2026-09-24 23:59 UTC; on time" in table
    assert "extension to 2026-09-22 23:59 UTC; 23 hours 59 minutes after the extended due date" in table
    rows = {row[0]: row for row in csv.reader((out / "grades.csv").open(encoding="utf-8"))}
    assert rows["ada"][1] == f"{ada.max_points:g}" and rows["bo"][1] == f"{bo.score:g}"
    assert json.loads((out / "results" / "ada" / f"{LAB1}.json").read_text())["extended_due"] == ada.extended_due

    # dora has not handed in: the empty submission that holds her extension is no grade
    with Gradebook(f"sqlite:///{out / 'gradebook.db'}") as gb:
        assert read_class_grades(gb).grade("dora", LAB1) is None
    roster = out.parent / "roster.csv"
    roster.write_text("Student,ID,SIS User ID,SIS Login ID,Section\nCurie,7,S7,dora,NN\n", encoding="utf-8")
    unmatched = export(out, "canvas", out.parent / "canvas.csv", roster)
    assert f"in the roster, no submission (grade left empty): dora ({LAB1}, {LAB2})" in unmatched

    # she hands in 3 days late, within her extension
    hand_in(submitted, "dora", LAB1, 3 * DAY)
    third = grade_run(submitted, out, timeout=10)
    assert set(regraded(third)) == {("dora", LAB1)}
    assert (results(third)["dora", LAB1].late_penalty, results(third)["dora", LAB1].extended_due) == \
        (0.0, "2026-09-25 12:00 UTC")

    # an extension taken back (--days 0): ada's penalty comes back, nothing else is graded
    assert main(["extend", "ada", LAB1, "--days", "0", "--graded", str(out)]) == 0
    assert f"ada {LAB1}: no extension, due 2026-09-21 23:59 UTC" in capsys.readouterr().out
    fourth = grade_run(submitted, out, timeout=10)
    assert regraded(fourth) == {("ada", LAB1): REASON}
    assert (results(fourth)["ada", LAB1].late_penalty, results(fourth)["ada", LAB1].extended_due) == (2.0, "")
    assert "Submitted 1 day 23 hours after the due date" in page(out, "ada")


def test_an_extension_reaches_the_workers_when_the_gradebook_is_not_out_dir_s(tmp_path, capsys):
    """With --db (PostgreSQL, or any gradebook but OUT_DIR/gradebook.db) the workers' template is
    released apart from the class gradebook: the extension has to be carried into it."""
    submitted, out, url = tmp_path / "submitted", tmp_path / "graded", f"sqlite:///{tmp_path / 'class.db'}"
    hand_in(submitted, "eve", LAB1, 2 * DAY - 60)
    assert results(grade_run(submitted, out, timeout=10, db_url=url))["eve", LAB1].late_penalty == 2.0
    assert main(["extend", "eve", LAB1, "--until", "2026-09-24T01:59:00+02:00", "--db", url]) == 0
    assert f"eve {LAB1}: 2 days, due 2026-09-23 23:59 UTC" in capsys.readouterr().out
    assert granted_extensions(url) == {("eve", LAB1): timedelta(days=2)}
    again = grade_run(submitted, out, timeout=10, db_url=url)
    assert regraded(again) == {("eve", LAB1): REASON}
    eve = results(again)["eve", LAB1]
    assert (eve.seconds_late, eve.late_penalty) == (0.0, 0.0)
    with Gradebook(url) as gb:  # the merge kept the class gradebook's extension, and its penalty is 0
        submission = gb.find_submission(LAB1, "eve")
        assert (submission.extension, submission.late_submission_penalty) == (timedelta(days=2), 0.0)


def test_extensions_that_cannot_be_granted_are_refused_and_nothing_is_written(tmp_path, capsys):
    out = tmp_path / "graded"
    assert main(["extend", "ada", LAB1, "--until", "2026-09-20 12:00 UTC", "--graded", str(out)]) == 1
    assert "is not after the due date, 2026-09-21 23:59 UTC" in capsys.readouterr().err
    assert main(["extend", "ada", "99_nothing", "--days", "1", "--graded", str(out)]) == 1
    assert "unknown lab id 99_nothing" in capsys.readouterr().err
    bad = tmp_path / "bad.csv"
    bad.write_text(f"student_id,lab_id,days,hours\nada,{LAB1},1,\nbo,{LAB1},1,2\ncy,{LAB1},soon,\n", encoding="utf-8")
    assert main(["extend", "--csv", str(bad), "--graded", str(out)]) == 1
    err = capsys.readouterr().err
    assert "nothing granted" in err and "line 3: fill one of days, hours, until (not 2)" in err and "line 4" in err
    assert not (out / "gradebook.db").exists()
    with pytest.raises(SystemExit):
        main(["extend", "ada", "--days", "1", "--graded", str(out)])  # no lab
    with pytest.raises(SystemExit):
        main(["extend", "ada", LAB1, "--days", "1"])  # no gradebook


def test_a_grant_counts_from_the_due_date():
    due = parse_until("2026-09-21 23:59 UTC")
    assert Grant("ada", LAB1, days=2).extension(due) == timedelta(days=2)
    assert Grant("ada", LAB1, hours=36).extension(due) == timedelta(hours=36)
    assert Grant("ada", LAB1, until=parse_until("2026-09-23 01:59 Europe/Berlin")).extension(due) == timedelta(days=1)
    assert Grant("ada", LAB1, days=0).extension(due) is None
    with pytest.raises(ExtensionError, match="has no due date"):
        Grant("ada", "99_nothing", days=1).extension(None)
    with pytest.raises(ExtensionError, match="cannot be negative"):
        Grant("ada", LAB1, hours=-1).extension(due)


def test_an_extensions_file_is_read_whole(tmp_path):
    good = tmp_path / "good.csv"
    good.write_text(f"\ufeffstudent_id,lab_id,until,days\nada,{LAB1},2026-09-30 12:00 UTC,\nbo,{LAB2},,1.5\n",
                    encoding="utf-8")
    assert read_grants(good) == [Grant("ada", LAB1, until=parse_until("2026-09-30 12:00 UTC")),
                                 Grant("bo", LAB2, days=1.5)]
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("name,lab\nada,01\n", encoding="utf-8")
    with pytest.raises(ExtensionError, match="needs the columns student_id, lab_id"):
        read_grants(wrong)


def test_the_grade_table_shows_the_score_after_the_penalty_as_grades_csv_has_it(capsys):
    from autograder.grading.results import Status, SubmissionResult
    from autograder.outputs.console import print_table

    late = SubmissionResult("carl", LAB1, Status.GRADED, points=5.0, max_points=5.0, late_penalty=2.0)
    on_time = SubmissionResult("ada", "08_training_loop", Status.GRADED, points=12.0, max_points=12.0,
                               manual_points=2.0)
    print_table([late, on_time])
    rows = capsys.readouterr().out.splitlines()
    assert "3 / 5 (5 - 2 late)" in rows[2] and "5 / 5" not in rows[2]
    assert "12 / 12 (+2 by hand)" in rows[3]
