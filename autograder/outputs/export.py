"""Grades out of the gradebook, in the files schools import: nbgrader export plugins.

    python -m autograder export GRADED_DIR --format canvas --roster canvas_gradebook.csv --out canvas.csv
    nbgrader export --exporter=autograder.outputs.export.CanvasExporter \\
        --CanvasExporter.roster=canvas_gradebook.csv --to canvas.csv

Every exporter reads the nbgrader gradebook, so grades given by hand in formgrader (lab 08's
written answer) are in it, and the score is after the late penalty (`autograder.grading.late`).
A lab whose written answers still wait for their hand grading is pending: the LMS exports leave
its grade empty (the LMS keeps what it had, and no partial total reaches students as if final),
and say so in the log and `<out>.unmatched.txt`; grades.csv keeps the auto-graded points and
says in its "notes" column how many points are still to be graded by hand.
- `CsvExporter`: `grades.csv`, a row per student, a column per lab, a total and notes.
- `CanvasExporter`: Canvas's gradebook import CSV: the identity columns as Canvas exports
  them (Student, ID, SIS User ID, SIS Login ID, Section), a column per lab (an assignment
  column the roster already has, such as "01_matrix_shapes (4821)", is kept so Canvas
  updates it) and the "Points Possible" row.
- `MoodleExporter`: a CSV for Moodle's grade import (Grades > Import > CSV file), mapped by
  the roster's identity column (ID number by default, or Email address), with a grade and a
  feedback column per lab: the points per exercise and the mistakes the judges named.

The roster is the LMS's own export (Canvas: Grades > Export; Moodle: Grades > Export > Plain
text file). Its `key` column holds the course's student ids (Canvas: SIS Login ID; Moodle:
ID number). Students graded but missing from the roster, and roster rows without a
submission, are written to the log and to `<out>.unmatched.txt`, never silently dropped;
a roster row without a submission gets an empty grade (the LMS leaves it as it was).

Every cell goes through `safe_cell` (`csv_writer`): a text cell that a spreadsheet would read as a
formula (it begins with =, +, -, @, a tab or a carriage return: a student id `=2+5`, a roster's
`=HYPERLINK(...)`) gets a leading single quote, OWASP's rule against CSV injection; a number,
-0.5 included, is written as it is.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.plugins import ExportPlugin
from traitlets import Unicode

from autograder.grading.gradebook import never_graded
from autograder.grading.results import ResultsFormError, Status, SubmissionResult, read_result, result_path
from autograder.intake.rosters import Roster, RosterError, RosterRow


@dataclass(frozen=True)
class LabGrade:
    """One student's lab as the gradebook holds it; score is after the late penalty."""
    raw_score: float
    penalty: float
    timestamp: str = ""
    pending: float = 0.0  # points of cells still to be graded by hand (formgrader)

    @property
    def score(self) -> float:
        return max(0.0, self.raw_score - self.penalty)


@dataclass
class ClassGrades:
    """The gradebook's labs, their points possible, and each submission's grade."""
    labs: list[str]
    max_scores: dict[str, float]
    students: list[str]
    grades: dict[tuple[str, str], LabGrade] = field(default_factory=dict)  # (student, lab)

    def grade(self, student_id: str, lab_id: str) -> LabGrade | None:
        return self.grades.get((student_id, lab_id))


def read_class_grades(gradebook: Gradebook, students: list[str] | None = None,
                      labs: list[str] | None = None) -> ClassGrades:
    """Every (or the named) lab and student of the gradebook, manual grades included."""
    lab_ids = [a.name for a in gradebook.assignments if not labs or a.name in labs]
    student_ids = [s.id for s in gradebook.students if not students or s.id in students]
    grades = ClassGrades(sorted(lab_ids), {}, sorted(student_ids))
    for lab_id in grades.labs:
        grades.max_scores[lab_id] = gradebook.find_assignment(lab_id).max_score
        for student_id in grades.students:
            try:
                submission = gradebook.find_submission(lab_id, student_id)
            except MissingEntry:
                continue
            if never_graded(submission):  # it holds an extension; nothing handed in yet
                continue
            pending = sum(grade.max_score for notebook in submission.notebooks for grade in notebook.grades
                          if grade.needs_manual_grade)
            grades.grades[(student_id, lab_id)] = LabGrade(
                submission.score, submission.late_submission_penalty or 0.0,
                submission.timestamp.isoformat() if submission.timestamp else "", pending)
    return grades


# What a spreadsheet takes for the start of a formula (OWASP, CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def safe_cell(value: object) -> object:
    """`value` as a CSV cell no spreadsheet runs: text beginning like a formula gets a leading
    single quote; a number (or the text of one, "-0.5") stays as it is."""
    if value is None or isinstance(value, (int, float)):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS) and not NUMBER.fullmatch(text):
        return "'" + text
    return text


class SafeWriter:
    """A csv.writer whose cells go through `safe_cell`."""

    def __init__(self, handle) -> None:
        self.writer = csv.writer(handle)

    def writerow(self, row) -> None:
        self.writer.writerow([safe_cell(cell) for cell in row])


def csv_writer(handle) -> SafeWriter:
    """Where every CSV of the project is written from (grades.csv, Canvas, Moodle)."""
    return SafeWriter(handle)


def format_points(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def pending_note(lab_id: str, grade: LabGrade) -> str:
    return f"{lab_id}: {format_points(grade.pending)} point{'s' if grade.pending != 1 else ''} to be graded by hand"


def final(grade: LabGrade | None) -> LabGrade | None:
    """The grade an LMS may show as the lab's: None while hand grading is pending."""
    return None if grade is None or grade.pending else grade


class Exporter(ExportPlugin):
    """What the three exporters share: the default file, the roster and the unmatched list."""
    default_to = "grades.csv"
    roster = Unicode("", help="the LMS's gradebook export (CSV) that maps student ids to LMS identities"
                     ).tag(config=True)
    key_column = Unicode("", help="the roster's column that holds the course's student ids").tag(config=True)
    results_dir = Unicode("", help="a grading OUT_DIR: feedback text from its results/ (Moodle)").tag(config=True)

    def destination(self) -> Path:
        return Path(self.to or self.default_to)

    def class_grades(self, gradebook: Gradebook) -> ClassGrades:
        return read_class_grades(gradebook, [str(s) for s in self.student] or None,
                                 [str(a) for a in self.assignment] or None)

    def report_unmatched(self, pairs: list[tuple[RosterRow, str | None]], unlisted: list[str],
                         grades: ClassGrades) -> list[str]:
        """Every student the export could not place, in the log and beside the file."""
        lines = [f"graded but not in the roster (not exported): {student_id}" for student_id in unlisted]
        for row, student_id in pairs:
            absent = grades.labs if student_id is None else \
                [lab for lab in grades.labs if grades.grade(student_id, lab) is None]
            if absent:
                lines.append(f"in the roster, no submission (grade left empty): {row.label} ({', '.join(absent)})")
            pending = [] if student_id is None else [pending_note(lab, grade) for lab in grades.labs
                                                     if (grade := grades.grade(student_id, lab)) and grade.pending]
            if pending:
                lines.append(f"hand grading pending (grade left empty): {row.label} ({'; '.join(pending)})")
        unmatched = self.destination().with_name(self.destination().name + ".unmatched.txt")
        if lines:
            unmatched.write_text("\n".join(lines) + "\n", encoding="utf-8")
            for line in lines:
                self.log.warning(line)
        elif unmatched.exists():
            unmatched.unlink()
        return lines

    def read_roster(self, default_key: str, required: tuple[str, ...]) -> Roster:
        if not self.roster:
            raise RosterError(f"{type(self).__name__} needs a roster (--roster): the LMS's gradebook export")
        return Roster.read(Path(self.roster), self.key_column or default_key, required)


class CsvExporter(Exporter):
    """grades.csv: student_id, a column per lab (points after any late penalty), total, and notes
    (the points of each lab still to be graded by hand)."""

    def export(self, gradebook: Gradebook) -> None:
        grades = self.class_grades(gradebook)
        with self.destination().open("w", newline="", encoding="utf-8") as handle:
            writer = csv_writer(handle)
            writer.writerow(["student_id", *grades.labs, "total", "notes"])
            for student_id in grades.students:
                found = [grades.grade(student_id, lab) or LabGrade(0.0, 0.0) for lab in grades.labs]
                scores = [grade.score for grade in found]
                notes = "; ".join(pending_note(lab, grade) for lab, grade in zip(grades.labs, found) if grade.pending)
                writer.writerow([student_id, *(f"{s:g}" for s in scores), f"{sum(scores):g}", notes])


CANVAS_IDENTITY = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")


class CanvasExporter(Exporter):
    """Canvas's gradebook import CSV (see the module docstring)."""
    default_to = "canvas.csv"

    def export(self, gradebook: Gradebook) -> None:
        roster = self.read_roster("SIS Login ID", ("Student", "ID"))
        grades = self.class_grades(gradebook)
        pairs, unlisted = roster.matched(grades)
        columns = {lab: next((name for name in roster.header if name.split(" (")[0].strip() == lab), lab)
                   for lab in grades.labs}
        identity = [name for name in CANVAS_IDENTITY if name in roster.header]
        with self.destination().open("w", newline="", encoding="utf-8") as handle:
            writer = csv_writer(handle)
            writer.writerow([*identity, *columns.values()])
            writer.writerow(["    Points Possible", *[""] * (len(identity) - 1),
                             *(format_points(grades.max_scores[lab]) for lab in grades.labs)])
            for row, student_id in pairs:
                cells = [row.columns.get(name, "") for name in identity]
                for lab in grades.labs:
                    grade = final(grades.grade(student_id, lab)) if student_id else None
                    cells.append("" if grade is None else format_points(grade.score))
                writer.writerow(cells)
        self.report_unmatched(pairs, unlisted, grades)


MOODLE_IDENTITY = ("First name", "Last name", "ID number", "Email address")


class MoodleExporter(Exporter):
    """A CSV for Moodle's grade import: identity, then a grade and a feedback column per lab."""
    default_to = "moodle.csv"

    def export(self, gradebook: Gradebook) -> None:
        roster = self.read_roster("ID number", ("Email address",))
        grades = self.class_grades(gradebook)
        pairs, unlisted = roster.matched(grades)
        identity = [name for name in MOODLE_IDENTITY if name in roster.header]
        with self.destination().open("w", newline="", encoding="utf-8") as handle:
            writer = csv_writer(handle)
            writer.writerow([*identity, *(name for lab in grades.labs for name in (lab, f"{lab} feedback"))])
            for row, student_id in pairs:
                cells = [row.columns.get(name, "") for name in identity]
                for lab in grades.labs:
                    grade = final(grades.grade(student_id, lab)) if student_id else None
                    cells += ["", ""] if grade is None else \
                        [format_points(grade.score), self.feedback(student_id, lab, grade, grades.max_scores[lab])]
                writer.writerow(cells)
        self.report_unmatched(pairs, unlisted, grades)

    def feedback(self, student_id: str, lab_id: str, grade: LabGrade, max_score: float) -> str:
        """'7/10. test_matmul 1/3 (transposed the product); ... Late: -2.' from the results file."""
        text = f"{format_points(grade.score)}/{format_points(max_score)}."
        result = self.result(student_id, lab_id)
        if result is not None:
            if result.status is not Status.GRADED:
                text += f" {result.sentence}."
            parts = []
            for cell in result.cells.values():
                part = f"{cell.task} {format_points(cell.points)}/{format_points(cell.max_points)}"
                if cell.judge.mistake:
                    part += f" ({cell.judge.mistake})"
                parts.append(part)
            if parts:
                text += " " + "; ".join(parts) + "."
        if grade.penalty:
            text += f" Late penalty: -{format_points(grade.penalty)}."
        return text

    def result(self, student_id: str, lab_id: str) -> SubmissionResult | None:
        if not self.results_dir:
            return None
        try:
            return read_result(result_path(Path(self.results_dir), student_id, lab_id))
        except (OSError, ValueError, ResultsFormError):
            return None


EXPORTERS: dict[str, type[Exporter]] = {"csv": CsvExporter, "canvas": CanvasExporter, "moodle": MoodleExporter}


def export(graded_dir: Path, fmt: str, out: Path, roster: Path | None = None, key_column: str | None = None,
           db_url: str | None = None) -> list[str]:
    """`python -m autograder export`: one exporter over a grading OUT_DIR's gradebook.
    Returns what could not be placed (also in `<out>.unmatched.txt`)."""
    exporter = EXPORTERS[fmt](to=str(out), roster=str(roster or ""), key_column=key_column or "",
                              results_dir=str(graded_dir))
    with Gradebook(db_url or f"sqlite:///{graded_dir.resolve() / 'gradebook.db'}") as gb:
        exporter.export(gb)
    unmatched = out.with_name(out.name + ".unmatched.txt")
    return unmatched.read_text(encoding="utf-8").splitlines() if unmatched.exists() else []
