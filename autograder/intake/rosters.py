"""The LMS's own exports of who is in the class: read once, for intake and for the exports.

    roster = Roster.read(path, key_column="SIS Login ID", required=("Student", "ID"))
    people = lms_people("canvas", [canvas_gradebook.csv])          # Canvas user id -> student
    people = lms_people("moodle", [grading_worksheet.csv, grades.csv])  # participant id -> student

`Roster` is an LMS gradebook export (Canvas: Grades > Export; Moodle: Grades > Export > Plain
text file) whose `key` column holds the course's student ids (Canvas: SIS Login ID; Moodle: ID
number); `autograder.outputs.export` writes grades back through it.

`lms_people` maps the id an LMS puts in its class archive (`autograder.intake.lms`) to the
course's student id:

- Canvas: the archive names a student by Canvas user id, the gradebook export's `ID` column;
  the course id is that row's `SIS Login ID` (or `--key`).
- Moodle: the archive names a student by participant id, an id Moodle makes per assignment
  (`assign::get_uniqueid_for_user`, table `assign_user_mapping`), which the grades export does
  not hold. The assignment's grading worksheet (View all submissions > Download grading
  worksheet; it needs the "Offline grading worksheet" feedback type) does: its `Identifier`
  column reads "Participant 1234", the same number as the archive's folders, beside `Full name`,
  the identity fields the site shows (`Email address` by default), and `Last modified
  (submission)`. The course id is the worksheet's `ID number` (or `--key`) where the site shows
  it; otherwise the worksheet's `Email address` is looked up, case-blind, in the grades export
  (given as a second roster), whose `ID number` is the course id. A participant that neither
  places is "not in the roster": graded under a stand-in id and reported, never dropped.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo

import dateutil.parser
from nbgrader.utils import parse_utc


class RosterError(ValueError):
    """A roster file that is not the LMS export it should be."""


def read_csv_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """The header and rows of an LMS's CSV export (UTF-8, with or without a BOM)."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            header = list(reader.fieldnames or [])
            records = [{k: (v or "") for k, v in record.items() if k} for record in reader]
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise RosterError(f"{path}: cannot read the roster ({error})") from error
    return header, records


@dataclass(frozen=True)
class RosterRow:
    key: str  # the course's student id, as the roster's key column holds it ("" where it has none)
    columns: dict[str, str]  # the row as the LMS exported it

    @property
    def label(self) -> str:
        """How the export names the row to people: its id, else its name."""
        name = self.columns.get("Student") or " ".join(
            filter(None, (self.columns.get("First name"), self.columns.get("Last name"))))
        return self.key if self.key else f"{name or '?'} (no id in the roster)"


class HasStudents(Protocol):
    students: list[str]


@dataclass
class Roster:
    """An LMS export: its header, its student rows, the column that holds course student ids."""
    header: list[str]
    rows: list[RosterRow]
    key_column: str

    @classmethod
    def read(cls, path: Path, key_column: str, required: tuple[str, ...]) -> Roster:
        header, records = read_csv_rows(path)
        missing = [name for name in (key_column, *required) if name not in header]
        if missing:
            raise RosterError(f"{path}: no column {', '.join(repr(m) for m in missing)}; is it the LMS's "
                              f"gradebook export? (columns: {', '.join(header[:8])})")
        rows = [RosterRow(normal_id(record[key_column]), record)
                for record in records if not is_canvas_meta_row(record)]
        return cls(header, rows, key_column)

    def matched(self, grades: HasStudents) -> tuple[list[tuple[RosterRow, str | None]], list[str]]:
        """Each roster row with its student id in the gradebook (None: no submission at all),
        and the graded students the roster lacks."""
        by_key = {normal_id(student_id): student_id for student_id in grades.students}
        pairs = [(row, by_key.get(row.key) if row.key else None) for row in self.rows]
        keys = {row.key for row in self.rows}
        return pairs, [student_id for student_id in grades.students if normal_id(student_id) not in keys]


def normal_id(value: str | None) -> str:
    return (value or "").strip().casefold()


def is_canvas_meta_row(record: dict) -> bool:
    """Canvas's "Points Possible" (and, in older exports, "Muted") rows under the header."""
    return (record.get("Student") or "").strip() in {"Points Possible", "Muted"}


# The LMS's ids in its class archive -> the course's ----------------------------------------

DEFAULT_KEYS = {"canvas": "SIS Login ID", "moodle": "ID number"}
MOODLE_IDENTIFIER, MOODLE_SUBMITTED = "Identifier", "Last modified (submission)"


@dataclass(frozen=True)
class Person:
    """A student as the LMS's roster knows them."""
    student_id: str  # the course's id, as the roster spells it ("": a row without one)
    name: str
    submitted: str = ""  # Moodle's "Last modified (submission)", as the worksheet prints it

    def submitted_utc(self, timezone: str) -> datetime | None:
        """Moodle's "Monday, 21 September 2026, 10:15 PM" (its `userdate`, in the timezone of the
        account that downloaded the worksheet) as naive UTC, nbgrader's; None: none, or unreadable."""
        if not self.submitted or self.submitted == "-":
            return None
        try:
            local = dateutil.parser.parse(self.submitted)
        except (ValueError, OverflowError):
            return None
        return parse_utc(local if local.tzinfo else local.replace(tzinfo=ZoneInfo(timezone)))


@dataclass
class LmsPeople:
    """{LMS id: Person} for the ids of one LMS, and where that came from."""
    lms: str
    people: dict[str, Person] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)

    def find(self, lms_id: str) -> Person | None:
        return self.people.get(lms_id.strip())


def lms_people(lms: str, rosters: list[Path], key_column: str | None = None) -> LmsPeople:
    """The LMS id -> course student id map of `lms` ("canvas" or "moodle"); see the module doc."""
    key = key_column or DEFAULT_KEYS[lms]
    if not rosters:
        raise RosterError(f"--lms {lms} needs --roster: " + (
            "Canvas's gradebook export (Grades > Export)" if lms == "canvas" else
            "the assignment's grading worksheet (View all submissions > Download grading worksheet)"))
    return canvas_people(rosters, key) if lms == "canvas" else moodle_people(rosters, key)


def canvas_people(rosters: list[Path], key: str) -> LmsPeople:
    found = LmsPeople("canvas")
    for path in rosters:
        roster = Roster.read(path, key, ("Student", "ID"))
        found.sources.append(path.name)
        for row in roster.rows:
            canvas_id = row.columns.get("ID", "").strip()
            if canvas_id:  # the Test Student has no SIS login: found, but not placed
                found.people[canvas_id] = Person(row.columns.get(key, "").strip(), row.columns.get("Student", ""))
    return found


def moodle_people(rosters: list[Path], key: str) -> LmsPeople:
    """From the grading worksheet(s), with the grades export for the ids the worksheet lacks."""
    found = LmsPeople("moodle")
    read = [(path, *read_csv_rows(path)) for path in rosters]
    worksheets = [(path, header, rows) for path, header, rows in read if MOODLE_IDENTIFIER in header]
    if not worksheets:
        raise RosterError(f"{', '.join(str(p) for p in rosters)}: no column {MOODLE_IDENTIFIER!r}; --lms moodle "
                          "needs the assignment's grading worksheet (View all submissions > Download grading "
                          "worksheet), whose Identifier column holds the participant ids of the archive")
    by_email = {normal_id(row.get("Email address")): row[key].strip()
                for _, header, rows in read if key in header and MOODLE_IDENTIFIER not in header
                for row in rows if row.get(key, "").strip() and row.get("Email address", "").strip()}
    for path, header, rows in worksheets:
        found.sources.append(path.name)
        if key not in header and "Email address" not in header:
            raise RosterError(f"{path}: neither {key!r} nor 'Email address'; the worksheet shows the identity "
                              "fields of the site's showuseridentity setting, which must include one of them")
        for row in rows:
            participant = re.search(r"(\d+)\s*$", row.get(MOODLE_IDENTIFIER, ""))
            if participant is None:
                continue
            student_id = row.get(key, "").strip() or by_email.get(normal_id(row.get("Email address")), "")
            found.people[participant.group(1)] = Person(student_id, row.get("Full name", ""),
                                                        row.get(MOODLE_SUBMITTED, "").strip())
    return found
