"""The class archive as Canvas and Moodle hand it out, collected by nbgrader's zip_collect
(autograder.intake.lms): names, ids through the rosters, several files per student, a
resubmission, a student the roster lacks, times and the late penalty, unsafe archives.

The archives are tests/data/lms/class_archives.py's (README there), built with lab 01 answered:
Canvas: ada on time, blaise LATE, Carl with a mistake then a resubmission (-1) and two stray
files, dora with a PDF only, emmy (Canvas user 1005) missing from the roster. Moodle: the same
people by participant id, times from the grading worksheet (Europe/London), emmy in the
worksheet but not in the grades export.
"""
from __future__ import annotations

import importlib.util
import re
import zipfile
from datetime import timedelta
from pathlib import Path

import nbformat
import pytest
from nbgrader.utils import parse_utc

from autograder.__main__ import main
from autograder.course.config import course_config
from autograder.demo.synthetic_class import completed_notebook
from autograder.grading.late import due_date, late_policy
from autograder.grading.results import Status
from autograder.intake import archives
from autograder.intake.lms import NAMED_REGEXPS, ArchiveError, LmsOptions, collect_class_archives
from autograder.intake.rosters import RosterError
from autograder.judging.mistakes import catalogue
from autograder.pipeline.run import grade_run

LAB = "01_matrix_shapes"
DATA = Path(__file__).parent / "data" / "lms"
CANVAS_ROSTER = DATA / "canvas_gradebook_export.csv"
MOODLE_WORKSHEET, MOODLE_GRADES = DATA / "moodle_grading_worksheet.csv", DATA / "moodle_grades_export.csv"
MISTAKE = next(m for m in catalogue(LAB) if m.task == "matmul")  # 3 of 5 points

spec = importlib.util.spec_from_file_location("class_archives", DATA / "class_archives.py")
samples = importlib.util.module_from_spec(spec)
spec.loader.exec_module(samples)


@pytest.fixture(scope="module")
def contents():
    solution = nbformat.writes(completed_notebook(LAB)).encode()
    mistake = nbformat.writes(completed_notebook(LAB, [MISTAKE])).encode()
    return {**samples.sample_contents(solution), "mistake": mistake}


@pytest.fixture(scope="module")
def canvas(tmp_path_factory, contents):
    root = tmp_path_factory.mktemp("canvas")
    archive = samples.build(root / "nn-labs-01_matrix_shapes_submissions.zip", samples.CANVAS, contents)
    collected = collect_class_archives(archive, root / "collected", LmsOptions("canvas", (CANVAS_ROSTER,)), [LAB])
    return {"archive": archive, "collected": collected, "root": root}


@pytest.fixture(scope="module")
def moodle(tmp_path_factory, contents):
    root = tmp_path_factory.mktemp("moodle")
    archive = samples.build(root / "NN-Lab 01-4242.zip", samples.MOODLE, contents)
    options = LmsOptions("moodle", (MOODLE_WORKSHEET, MOODLE_GRADES), timezone="Europe/London")
    return {"archive": archive, "collected": collect_class_archives(archive, root / "collected", options, [LAB, "02_activations"])}


def timestamp(collected, student_id: str):
    path = collected.folder / student_id / LAB / "timestamp.txt"
    return parse_utc(path.read_text()) if path.exists() else None


@pytest.mark.parametrize(("name", "groups"), [
    ("lovelaceada_1001_6021877_01_matrix_shapes.ipynb",
     {"name": "lovelaceada", "late": None, "student_id": "1001", "attachment_id": "6021877",
      "file_id": "01_matrix_shapes.ipynb"}),
    ("pascalblaise_LATE_1002_6021901_01_matrix_shapes-1.ipynb",
     {"name": "pascalblaise", "late": "LATE", "student_id": "1002", "file_id": "01_matrix_shapes-1.ipynb"}),
    ("vonneumannjohn_anon_Xk3Qp_6021999_my_lab_2.ipynb", {"student_id": "anon_Xk3Qp", "file_id": "my_lab_2.ipynb"}),
])
def test_the_canvas_preset_reads_canvas_file_names(name, groups):
    match = re.match(NAMED_REGEXPS["canvas"], name)
    assert match is not None and groups.items() <= match.groupdict().items()


@pytest.mark.parametrize("name", [
    "Ada Lovelace_3011_assignsubmission_file/01_matrix_shapes.ipynb",  # Moodle 4.1 on
    "Ada Lovelace_3011_assignsubmission_file_/01_matrix_shapes.ipynb",  # before 4.1
    "Ada Lovelace_3011_assignsubmission_file_01_matrix_shapes.ipynb",  # not downloaded in folders
    "Ada Lovelace_3011_assignsubmission_file/work/01_matrix_shapes.ipynb",  # a folder of the submission
])
def test_the_moodle_preset_reads_moodle_paths(name):
    groups = re.match(NAMED_REGEXPS["moodle"], name).groupdict()
    assert (groups["name"], groups["student_id"], groups["file_id"]) == ("Ada Lovelace", "3011", f"{LAB}.ipynb")
    assert re.match(NAMED_REGEXPS["moodle"], "Ada Lovelace_3011_assignsubmission_onlinetext/onlinetext.html") is None


def test_canvas_ids_become_course_ids_through_the_gradebook_export(canvas):
    folder = canvas["collected"].folder
    assert sorted(p.name for p in folder.iterdir()) == ["Carl", "_ignored", "ada", "blaise", "canvas-1005", "dora"]
    for student_id in ("ada", "blaise", "Carl", "canvas-1005"):
        assert sorted(p.name for p in (folder / student_id / LAB).iterdir() if p.suffix == ".ipynb") == [f"{LAB}.ipynb"]
    assert "canvas_submissions" not in str(canvas["collected"].lines)
    assert canvas["collected"].lines[0].startswith(f"{canvas['archive'].name}: {LAB}, 5 students")


def test_canvas_late_marker_not_the_entry_date_decides_lateness(canvas):
    """Every entry is dated the download (after the due date): ada, without LATE, is on time;
    blaise, LATE, counts as handed in just after the due date: the least penalty."""
    due = due_date(course_config(), LAB)
    collected = canvas["collected"]
    assert timestamp(collected, "ada") is None and timestamp(collected, "Carl") is None
    assert timestamp(collected, "blaise") == due + timedelta(seconds=1)
    assert any("Canvas marks it LATE" in note for note in collected.notes[("blaise", LAB)])
    assert late_policy(course_config()).late_submission_penalty("blaise", 5.0, 1.0) == 1.0


def test_the_resubmission_is_graded_and_the_other_files_are_ignored_with_a_note(canvas, contents):
    collected = canvas["collected"]
    assert (collected.folder / "Carl" / LAB / f"{LAB}.ipynb").read_bytes() == contents["solution"]
    notes = collected.notes[("Carl", LAB)]
    assert notes[0] == (f"from Canvas's class archive {canvas['archive'].name}: "
                        f"jacobicarl_1003_6021950_{LAB}-1.ipynb (the latest of 2 named {LAB}.ipynb)")
    assert notes[1] == (f"ignored: jacobicarl_1003_6021850_{LAB}.ipynb, jacobicarl_1003_6021951_scratch.ipynb, "
                        "jacobicarl_1003_6021952_notes.txt")
    ignored = collected.folder / "_ignored" / "Carl" / LAB
    assert sorted(p.name for p in ignored.iterdir()) == [f"jacobicarl_1003_6021850_{LAB}.ipynb",
                                                        "jacobicarl_1003_6021951_scratch.ipynb",
                                                        "jacobicarl_1003_6021952_notes.txt"]
    assert (ignored / f"jacobicarl_1003_6021850_{LAB}.ipynb").read_bytes() == contents["mistake"]


def test_a_student_missing_from_the_roster_is_reported_and_graded_never_dropped(canvas, moodle):
    for collected, stand_in, who in ((canvas["collected"], "canvas-1005", "Canvas user 1005 (noetheremmy)"),
                                     (moodle["collected"], "moodle-3015", "Moodle participant 3015 (Emmy Noether)")):
        assert (collected.folder / stand_in / LAB / f"{LAB}.ipynb").exists()
        assert f"  not in the roster: {who}, graded as {stand_in}" in collected.lines
        assert any(note.startswith(f"{who} is not in the roster") for note in collected.notes[(stand_in, LAB)])


def test_a_student_without_a_notebook_gets_a_folder_so_intake_says_why(canvas):
    collected = canvas["collected"]
    assert list((collected.folder / "dora" / LAB).iterdir()) == []
    assert collected.notes[("dora", LAB)] == [(f"nothing in Canvas's class archive {canvas['archive'].name} to "
                                               f"grade as {LAB}.ipynb: tannerdora_1004_6021970_answers.pdf")]
    assert any("lovelaceada_1001_text.html" in line for line in collected.lines)  # an online text entry


def test_moodle_participants_are_placed_by_the_grading_worksheet_and_its_times(moodle, contents):
    """The worksheet shows no ID number: its emails find the ids in the grades export. Its times are
    Europe/London (BST): carl's 12:30 AM on the 22nd is 23:30 UTC on the 21st, on time."""
    collected = moodle["collected"]
    due = due_date(course_config(), LAB)
    assert sorted(p.name for p in collected.folder.iterdir()) == ["_ignored", "ada", "blaise", "carl", "moodle-3015"]
    assert timestamp(collected, "ada") == parse_utc("2026-09-21 22:30 UTC") < due
    assert timestamp(collected, "carl") == parse_utc("2026-09-21 23:30 UTC") < due
    late = (timestamp(collected, "blaise") - due).total_seconds()
    assert late == 32 * 3600 + 60
    assert late_policy(course_config()).late_submission_penalty("blaise", 5.0, late) == 2.0  # two days begun
    assert (collected.folder / "carl" / LAB / f"{LAB}.ipynb").read_bytes() == contents["solution"]  # "(1)": later
    assert collected.notes[("carl", LAB)][1] == f"ignored: {LAB}.ipynb, notes.txt"


def test_a_worksheet_with_id_numbers_needs_no_grades_export(tmp_path, moodle):
    """Where the site shows ID numbers (showuseridentity), the worksheet alone places everyone."""
    header, *lines = MOODLE_WORKSHEET.read_text().splitlines()
    rows = [header.replace("Full name,", "Full name,ID number,")]
    rows += [re.sub(r"^(Participant \d+,[^,]+),", rf"\1,s{i},", line) for i, line in enumerate(lines, 1)]
    worksheet = tmp_path / "worksheet.csv"
    worksheet.write_text("\n".join(rows) + "\n")
    collected = collect_class_archives(moodle["archive"], tmp_path / "c", LmsOptions("moodle", (worksheet,)), [LAB])
    assert sorted(p.name for p in collected.folder.iterdir()) == ["_ignored", "s1", "s2", "s3", "s5"]


def test_moodle_without_its_grading_worksheet_is_refused_clearly(tmp_path, moodle):
    with pytest.raises(RosterError, match="grading worksheet"):
        collect_class_archives(moodle["archive"], tmp_path / "c", LmsOptions("moodle", (MOODLE_GRADES,)), [LAB])
    with pytest.raises(RosterError, match="needs --roster"):
        collect_class_archives(moodle["archive"], tmp_path / "c", LmsOptions("canvas"), [LAB])


def test_unsafe_class_archives_are_refused(tmp_path, contents, monkeypatch):
    outside = samples.build(tmp_path / "outside.zip", [(f"../{LAB}.ipynb", "solution")], contents)
    with pytest.raises(ArchiveError, match="holds a path outside itself"):
        collect_class_archives(outside, tmp_path / "a", LmsOptions("canvas", (CANVAS_ROSTER,)), [LAB])
    (tmp_path / "broken.zip").write_bytes(b"not a zip")
    with pytest.raises(ArchiveError, match="cannot be unpacked"):
        collect_class_archives(tmp_path / "broken.zip", tmp_path / "b", LmsOptions("canvas", (CANVAS_ROSTER,)), [LAB])
    monkeypatch.setattr(archives, "MAX_CLASS_ARCHIVE_MB", 0)
    big = samples.build(tmp_path / "big.zip", samples.CANVAS, contents)
    with pytest.raises(ArchiveError, match="more than 0 MB"):
        collect_class_archives(big, tmp_path / "c", LmsOptions("canvas", (CANVAS_ROSTER,)), [LAB])


def test_an_archive_inside_the_class_archive_is_not_opened(tmp_path, contents):
    inner = tmp_path / "inner.zip"
    with zipfile.ZipFile(inner, "w") as zf:
        zf.writestr(f"../../{LAB}.ipynb", contents["solution"])
    entries = [(f"lovelaceada_1001_6021877_{LAB}.ipynb", "solution"), ("pascalblaise_1002_6021878_lab.zip", "zip")]
    archive = samples.build(tmp_path / "class.zip", entries, {**contents, "zip": inner.read_bytes()})
    collected = collect_class_archives(archive, tmp_path / "c", LmsOptions("canvas", (CANVAS_ROSTER,)), [LAB])
    assert collected.notes[("blaise", LAB)][0].endswith(": pascalblaise_1002_6021878_lab.zip")
    assert (collected.folder / "_ignored" / "blaise" / LAB / "pascalblaise_1002_6021878_lab.zip").exists()
    unpacked = [p for p in tmp_path.rglob("*.ipynb") if p.read_bytes() == contents["solution"]]
    assert sorted(p.name for p in unpacked) == [f"{LAB}.ipynb", f"lovelaceada_1001_6021877_{LAB}.ipynb"]  # ada's


def test_a_custom_named_regexp_takes_its_ids_and_times_as_nbgrader_does(tmp_path, contents):
    entries = [(f"ps/ada/{LAB}.ipynb", "solution"), (f"ps/blaise/2026-09-25 10:00 UTC/{LAB}.ipynb", "solution")]
    archive = samples.build(tmp_path / "hand-made.zip", entries, contents)
    regexp = r"ps/(?P<student_id>[^/]+)/(?:(?P<timestamp>[^/]+)/)?(?P<file_id>[^/]+\.ipynb)$"
    collected = collect_class_archives(archive, tmp_path / "c", LmsOptions(named_regexp=regexp), [LAB])
    assert timestamp(collected, "ada") is None
    assert timestamp(collected, "blaise") == parse_utc("2026-09-25 10:00 UTC")
    for wrong, says in ((r"ps/(?P<student_id>[^/]+)/", "needs the groups"), ("(?P<student_id", "does not compile")):
        with pytest.raises(ArchiveError, match=says):
            collect_class_archives(archive, tmp_path / "d", LmsOptions(named_regexp=wrong), [LAB])


def test_the_lab_comes_from_the_file_names_else_the_archive_name(tmp_path, contents):
    entries = [("lovelaceada_1001_6021877_lab.ipynb", "solution")]
    options = LmsOptions("canvas", (CANVAS_ROSTER,))
    named = samples.build(tmp_path / "course-02_activations submissions.zip", entries, contents)
    assert collect_class_archives(named, tmp_path / "a", options, [LAB, "02_activations"]).lines[0].startswith(
        f"{named.name}: 02_activations")
    anonymous = samples.build(tmp_path / "submissions.zip", entries, contents)
    with pytest.raises(ArchiveError, match="cannot tell which lab"):
        collect_class_archives(anonymous, tmp_path / "b", options, [LAB, "02_activations"])
    twice = tmp_path / "twice"
    samples.build(twice / "one.zip", samples.CANVAS, contents)
    samples.build(twice / "two.zip", samples.CANVAS, contents)
    with pytest.raises(ArchiveError, match="both archives of 01_matrix_shapes"):
        collect_class_archives(twice, tmp_path / "c", options, [LAB])


def test_the_intake_command_writes_the_submitted_layout_and_says_who_is_who(tmp_path, canvas, capsys):
    out = tmp_path / "submitted"
    assert main(["intake", str(canvas["archive"]), "--lms", "canvas", "--roster", str(CANVAS_ROSTER),
                 "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "not in the roster: Canvas user 1005 (noetheremmy), graded as canvas-1005" in printed
    assert (out / "blaise" / LAB / "timestamp.txt").exists() and (out / "Carl" / LAB / f"{LAB}.ipynb").exists()
    assert main(["intake", str(canvas["archive"]), "--lms", "moodle", "--roster", str(CANVAS_ROSTER),
                 "--out", str(tmp_path / "other")]) == 1
    assert "grading worksheet" in capsys.readouterr().err


def test_grade_takes_the_canvas_class_archive_and_applies_the_late_penalty(canvas, tmp_path):
    """End to end on lab 01: ids, the resubmission, LATE's penalty, the stand-in, the student without a notebook."""
    run = grade_run(canvas["archive"], tmp_path / "graded", labs=[LAB], timeout=10,
                    lms=LmsOptions("canvas", (CANVAS_ROSTER,)))
    results = {r.student_id: r for r in run.submissions}
    assert sorted(results) == ["Carl", "ada", "blaise", "canvas-1005", "dora"]
    assert {s: (r.points, r.late_penalty) for s, r in results.items() if r.status is Status.GRADED} == {
        "ada": (5.0, 0.0), "blaise": (5.0, 1.0), "Carl": (5.0, 0.0), "canvas-1005": (5.0, 0.0)}
    assert results["blaise"].score == 4.0 and results["blaise"].seconds_late == 1.0
    assert "no 01_matrix_shapes.ipynb was submitted" in results["dora"].detail
    assert any("is not in the roster" in note for note in results["canvas-1005"].notes)
    assert results["Carl"].notes[0].endswith(f"(the latest of 2 named {LAB}.ipynb)")
    assert run.collected is not None and run.collected.lines == canvas["collected"].lines
