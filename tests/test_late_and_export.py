"""Late penalties (autograder.grading.late) and the exports for Canvas, Moodle and grades.csv
(autograder.outputs.export), on one small graded class of lab 01.

ada hands in on time, blaise 10 minutes late, carl 10 days late (the cap), dora without a
timestamp and with a mistake, emmy on time but missing from the LMS rosters. The rosters are
sample LMS exports in tests/data/lms (see its README).
"""
from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from autograder.course.config import course_config
from autograder.demo.synthetic_class import completed_notebook, write_submission, write_timestamp
from autograder.grading.late import LatePenalty, due_date, late_policy
from autograder.grading.results import Status
from autograder.judging.mistakes import catalogue
from autograder.outputs.export import RosterError, export, read_class_grades
from autograder.pipeline.run import grade_run

LAB = "01_matrix_shapes"
LMS = Path(__file__).parent / "data" / "lms"
CANVAS_ROSTER, MOODLE_ROSTER = LMS / "canvas_gradebook_export.csv", LMS / "moodle_grades_export.csv"
LATE_BY = {"ada": -3600.0, "blaise": 600.0, "carl": 10 * 86400.0, "emmy": -60.0}  # seconds after the due date


def read_csv(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("late-class")
    submitted, out = root / "submitted", root / "graded"
    due = due_date(course_config(), LAB)
    assert due is not None, "nbgrader_config.py gives lab 01 a due date"
    for student_id in ("ada", "blaise", "carl", "emmy"):
        write_submission(submitted, student_id, LAB, completed_notebook(LAB))
        write_timestamp(submitted, student_id, LAB, due + timedelta(seconds=LATE_BY[student_id]))
    mistake = catalogue(LAB)[0]
    write_submission(submitted, "dora", LAB, completed_notebook(LAB, [mistake]))
    run = grade_run(submitted, out, labs=[LAB], timeout=10)
    return {"root": root, "submitted": submitted, "out": out, "mistake": mistake,
            "results": {r.student_id: r for r in run.submissions}}


def test_the_policy_counts_each_period_begun_and_stops_at_its_cap():
    per_day = LatePenalty(penalty_method="per_day", points_per_period=1.0, max_penalty=3.0)
    assert [per_day.late_submission_penalty("s", 5.0, s) for s in (0, 1, 86400, 86401, 40 * 86400)] == \
        [None, 1.0, 1.0, 2.0, 3.0]
    per_hour = LatePenalty(penalty_method="per_hour", points_per_period=0.5, max_penalty=None)
    assert per_hour.late_submission_penalty("s", 5.0, 3 * 3600 + 1) == 2.0
    assert LatePenalty(penalty_method="zero").late_submission_penalty("s", 4.0, 10) == 4.0
    assert LatePenalty(penalty_method="none").late_submission_penalty("s", 4.0, 1e6) is None


def test_penalties_follow_the_timestamps(graded):
    results, policy = graded["results"], late_policy(course_config())
    assert policy.penalty_method == "per_day" and policy.max_penalty is not None
    full = results["ada"].max_points
    for student_id in ("ada", "blaise", "carl", "emmy"):
        assert (results[student_id].status, results[student_id].points) == (Status.GRADED, full)
    assert (results["ada"].seconds_late, results["ada"].late_penalty) == (0.0, 0.0)  # on time
    assert results["blaise"].seconds_late == pytest.approx(600, abs=1)
    assert results["blaise"].late_penalty == policy.points_per_period  # a day begun
    assert results["carl"].late_penalty == policy.max_penalty  # 10 days, capped
    assert results["carl"].score == full - policy.max_penalty
    assert (results["dora"].seconds_late, results["dora"].late_penalty) == (0.0, 0.0)  # no timestamp
    with Gradebook(f"sqlite:///{graded['out'] / 'gradebook.db'}") as gb:
        for student_id in ("blaise", "carl"):
            submission = gb.find_submission(LAB, student_id)
            assert (submission.score, submission.late_submission_penalty) == (full, results[student_id].late_penalty)


def test_a_penalty_shows_in_feedback_report_and_grades_csv(graded):
    out, carl = graded["out"], graded["results"]["carl"]
    feedback = (out / "feedback" / "carl" / f"{LAB}.html").read_text(encoding="utf-8")
    assert "Submitted 10 days after the due date" in feedback and f"{carl.score:g} / {carl.max_points:g}" in feedback
    assert "after the due date" not in (out / "feedback" / "ada" / f"{LAB}.html").read_text(encoding="utf-8")
    report = (out / "report.html").read_text(encoding="utf-8")
    late_section = report[report.index("<h2>Late submissions</h2>"):report.index("<h2>Slowest")]
    assert "carl" in late_section and "blaise" in late_section and "ada" not in late_section
    rows = {row[0]: row for row in read_csv(out / "grades.csv")}
    assert rows["carl"][1] == f"{carl.score:g}" and rows["ada"][1] == f"{carl.max_points:g}"


def test_a_regrade_never_takes_the_penalty_twice(graded):
    out, submitted = graded["out"], graded["submitted"]
    before = graded["results"]["carl"]
    (out / "results" / "carl" / f"{LAB}.json").unlink()  # graded again: its results file is gone
    run = grade_run(submitted, out, labs=[LAB], timeout=10)
    again = {r.student_id: r for r in run.submissions}["carl"]
    reasons = {d.student_id: d.reason for d in run.summary.decisions}
    assert reasons["carl"] is not None and reasons["ada"] is None  # carl regraded, ada kept
    assert (again.points, again.late_penalty, again.score) == (before.points, before.late_penalty, before.score)
    with Gradebook(f"sqlite:///{out / 'gradebook.db'}") as gb:
        submission = gb.find_submission(LAB, "carl")
        assert submission.score - submission.late_submission_penalty == before.score


def test_the_canvas_file_has_canvas_columns_points_possible_and_each_roster_row(graded, tmp_path):
    target = tmp_path / "canvas.csv"
    unmatched = export(graded["out"], "canvas", target, CANVAS_ROSTER)
    rows = read_csv(target)
    header, points_possible, students = rows[0], rows[1], rows[2:]
    assert header == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "01_matrix_shapes (48213)"]
    assert points_possible[0].strip() == "Points Possible" and float(points_possible[-1]) == \
        graded["results"]["ada"].max_points
    by_login = {row[3]: row for row in students}
    results = graded["results"]
    assert float(by_login["ada"][-1]) == results["ada"].score
    assert float(by_login["Carl"][-1]) == results["carl"].score  # matched case-blind, after the penalty
    assert float(by_login["dora"][-1]) == results["dora"].score < results["ada"].score
    assert by_login["ada"][:5] == ["Lovelace, Ada", "1001", "S1001", "ada", "NN Training Labs 2026"]
    assert by_login["fermat"][-1] == "" and by_login["blaise"][-1] != ""
    assert len(students) == 6  # every roster row, the test student included
    assert "graded but not in the roster (not exported): emmy" in unmatched
    assert "in the roster, no submission (grade left empty): fermat (01_matrix_shapes)" in unmatched
    assert any("Student, Test (no id in the roster)" in line for line in unmatched)
    assert (tmp_path / "canvas.csv.unmatched.txt").read_text(encoding="utf-8").splitlines() == unmatched


def test_the_moodle_file_has_a_grade_and_a_feedback_column_per_lab(graded, tmp_path):
    target = tmp_path / "moodle.csv"
    unmatched = export(graded["out"], "moodle", target, MOODLE_ROSTER)
    header, *students = read_csv(target)
    assert header == ["First name", "Last name", "ID number", "Email address", LAB, f"{LAB} feedback"]
    by_id = {row[2]: row for row in students}
    results, mistake = graded["results"], graded["mistake"]
    assert float(by_id["dora"][4]) == results["dora"].score
    assert mistake.name in by_id["dora"][5] and mistake.task in by_id["dora"][5]
    assert "Late penalty" in by_id["carl"][5] and "Late penalty" not in by_id["ada"][5]
    assert by_id["fermat"][4:] == ["", ""]
    assert "graded but not in the roster (not exported): emmy" in unmatched


def test_manual_grades_from_formgrader_reach_every_export(graded, tmp_path):
    copy = tmp_path / "graded"
    shutil.copytree(graded["out"], copy, ignore=shutil.ignore_patterns("autograded", "staged", "course"))
    with Gradebook(f"sqlite:///{copy / 'gradebook.db'}") as gb:
        grade = next(g for g in gb.find_submission(LAB, "dora").notebooks[0].grades if g.score < g.max_score)
        before = gb.find_submission(LAB, "dora").score
        grade.manual_score = grade.max_score  # the instructor overrides one cell by hand
        gb.db.commit()
        after = gb.find_submission(LAB, "dora").score
        assert after > before
        assert read_class_grades(gb).grade("dora", LAB).score == after
    export(copy, "canvas", tmp_path / "canvas.csv", CANVAS_ROSTER)
    export(copy, "csv", tmp_path / "grades.csv")
    assert {row[3]: row for row in read_csv(tmp_path / "canvas.csv")}["dora"][-1] == f"{after:g}"
    assert {row[0]: row for row in read_csv(tmp_path / "grades.csv")}["dora"][1] == f"{after:g}"


def test_grades_csv_is_the_csv_exporter(graded, tmp_path):
    export(graded["out"], "csv", tmp_path / "grades.csv")
    assert read_csv(tmp_path / "grades.csv") == read_csv(graded["out"] / "grades.csv")


def test_a_roster_that_is_not_an_lms_export_is_refused_clearly(graded, tmp_path):
    wrong = tmp_path / "roster.csv"
    wrong.write_text("name,mark\nada,3\n", encoding="utf-8")
    with pytest.raises(RosterError, match="no column 'SIS Login ID'"):
        export(graded["out"], "canvas", tmp_path / "canvas.csv", wrong)
    assert not (tmp_path / "canvas.csv").exists()


def test_nbgrader_export_runs_the_same_exporter(graded, tmp_path):
    target = tmp_path / "canvas.csv"
    done = subprocess.run(
        [sys.executable, "-m", "nbgrader", "export", "--exporter=autograder.outputs.export.CanvasExporter",
         f"--CanvasExporter.roster={CANVAS_ROSTER}", f"--to={target}",
         f"--CourseDirectory.db_url=sqlite:///{graded['out'] / 'gradebook.db'}"],
        cwd=Path(__file__).parent.parent, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    ours = tmp_path / "ours.csv"
    export(graded["out"], "canvas", ours, CANVAS_ROSTER)
    assert read_csv(target) == read_csv(ours)


def test_the_command_line_exports_and_lists_what_it_could_not_place(graded, tmp_path):
    target = tmp_path / "canvas.csv"
    done = subprocess.run([sys.executable, "-m", "autograder", "export", "--graded", str(graded["out"]),
                           "--format", "canvas", "--roster", str(CANVAS_ROSTER), "--out", str(target)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert f"canvas: {target}" in done.stdout and "emmy" in done.stdout and target.exists()


def test_a_lab_waiting_for_hand_grading_is_left_pending_in_every_export(graded, tmp_path):
    """A cell formgrader has still to grade (lab 08's written answer, here one of dora's cells
    flagged as nbgrader flags a manually graded cell): the LMS files leave the lab's grade empty
    and list it, grades.csv keeps the auto-graded points and notes the points still to come;
    once graded by hand, the grade goes out."""
    copy = tmp_path / "graded"
    shutil.copytree(graded["out"], copy, ignore=shutil.ignore_patterns("autograded", "staged", "course"))
    with Gradebook(f"sqlite:///{copy / 'gradebook.db'}") as gb:
        grade = gb.find_submission(LAB, "dora").notebooks[0].grades[0]
        grade.needs_manual_grade = True
        gb.db.commit()
        points = grade.max_score
    unmatched = export(copy, "canvas", tmp_path / "canvas.csv", CANVAS_ROSTER)
    assert {row[3]: row for row in read_csv(tmp_path / "canvas.csv")}["dora"][-1] == ""
    note = f"{LAB}: {points:g} point{'s' if points != 1 else ''} to be graded by hand"
    assert f"hand grading pending (grade left empty): dora ({note})" in unmatched
    export(copy, "moodle", tmp_path / "moodle.csv", MOODLE_ROSTER)
    moodle = read_csv(tmp_path / "moodle.csv")
    assert {row[2]: row for row in moodle[1:]}["dora"][4:] == ["", ""]
    export(copy, "csv", tmp_path / "grades.csv")
    rows = {row["student_id"]: row for row in csv.DictReader((tmp_path / "grades.csv").open())}
    assert rows["dora"]["notes"] == note and rows["ada"]["notes"] == ""
    assert float(rows["dora"][LAB]) == graded["results"]["dora"].points
    with Gradebook(f"sqlite:///{copy / 'gradebook.db'}") as gb:  # graded by hand: the grade goes out
        grade = gb.find_submission(LAB, "dora").notebooks[0].grades[0]
        grade.manual_score, grade.needs_manual_grade = grade.max_score, False
        gb.db.commit()
    export(copy, "canvas", tmp_path / "canvas.csv", CANVAS_ROSTER)
    assert {row[3]: row for row in read_csv(tmp_path / "canvas.csv")}["dora"][-1] != ""
