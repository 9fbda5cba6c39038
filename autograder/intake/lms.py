"""A class archive as Canvas or Moodle hands it out -> nbgrader's submitted layout, by nbgrader's zip_collect.

    collected = collect_class_archives(DOWNLOADS, work_dir, LmsOptions("canvas", rosters=(roster,)), labs)
    collected.folder            # <student_id>/<lab_id>/<lab_id>.ipynb (+ timestamp.txt): what `take_in` reads
    collected.annotate(intakes) # each submission's notes: the file graded, the files ignored, its time
    collected.lines             # for the instructor: per archive, who is not in the roster, what was ignored

`DOWNLOADS` is the LMS's archive of one assignment (one lab), or a folder of them, one per lab.
Each goes through nbgrader's `ZipCollectApp` (`nbgrader zip_collect`) and two of its plugins:
`ClassArchiveExtractor` (`ExtractorPlugin`) refuses an archive with a member outside itself or
past `MAX_CLASS_ARCHIVE_MB` and opens no archive inside it; `LmsCollector` (`FileNameCollectorPlugin`)
matches the LMS's `named_regexp` preset against each path inside the archive, keeps `valid_ext`
(`.ipynb`), maps the LMS's student id to the course's (`autograder.intake.rosters.lms_people`)
and gives the submission's time, which `ZipCollectApp` writes to `timestamp.txt` for the late
penalties (`autograder.grading.late`). `--named-regexp` replaces a preset (nbgrader's groups
`student_id`, `file_id`, optional `timestamp`; here also `late`, `attachment_id`); without
`--lms`, its `student_id` is the course's, as in `nbgrader zip_collect`
(https://nbgrader.readthedocs.io/en/stable/plugins/zipcollect-plugin.html).

The LMSs' naming, as their source writes it:

- Canvas, Download Submissions (canvas-lms `lib/content_zipper.rb`: `get_filename`,
  `add_upload_submission`): one flat zip of `<name>[_LATE]_<user id>_<attachment id>_<file name>`;
  `<name>` is the sortable name ("Lovelace, Ada") lowercased without non-word characters
  (`lovelaceada`); `LATE` when Canvas counts the submission late (by the student's own due
  date, overrides included); the user id is `anon_<id>` under anonymous grading; the second
  number is the uploaded file's id (not the submission's), growing with each upload. A file
  handed in again under a name Canvas holds gets `-1`, `-2`... (`Attachment.make_unique_filename`).
  Only the current attempt's files are in the zip.
- Moodle, Download all submissions (moodle `mod/assign/classes/downloader.php`:
  `get_student_prefix`, `load_submissionplugin_filelist`): a folder per student,
  `<Full Name>_<participant id>_assignsubmission_file/` (`..._file_/` in older versions; flat
  `..._assignsubmission_file_<file name>` without "Download submissions in folders"). The
  participant id is per assignment (`assign::get_uniqueid_for_user`): the grading worksheet's
  "Participant 1234" (`gradingtable.php` `col_recordid`); under blind marking the name is
  "Participant". A file uploaded under a name the submission holds becomes `name (1).ext`.

Times: neither archive says when a file was handed in. Canvas's rubyzip and Moodle's ZipStream
stamp each entry with the moment the archive is built (`get_output_stream`,
`add_file_from_stored_file`: no time given), after every due date; taken as the submission time,
it would make everyone late. So:

- Canvas: `LATE` is Canvas's verdict. Without it, on time (no timestamp.txt); with it, handed in
  one second after the lab's due date (`c.LatePenalty.due_dates`): the least a late submission
  costs, since the archive cannot say by how much.
- Moodle: the grading worksheet's "Last modified (submission)", Moodle's `userdate` ("Monday,
  21 September 2026, 10:15 PM") in the timezone of the account that downloaded it (`timezone`,
  default UTC). Extensions granted in Moodle are not seen: the course's due date applies.
- a custom regexp's `timestamp` group, as nbgrader reads it (`nbgrader.utils.parse_utc`).

A student's files: the notebook named as the lab's (`<lab_id>.ipynb`, resubmission suffixes
aside; the latest, by attachment id then suffix, if several), else the only notebook, else the one
holding most of the lab's graded cells (the latest on a tie) is graded, as `<lab_id>.ipynb`; the
rest go to `_ignored/`, named in the submission's notes. A student the roster does not place is
graded as `canvas-<id>` / `moodle-<id>` and reported; one with no notebook gets a folder anyway,
so intake says why there is nothing to grade. Nobody in the archive is dropped.
"""
from __future__ import annotations

import logging
import re
import shutil
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import nbformat
from nbgrader.apps import ZipCollectApp
from nbgrader.coursedir import CourseDirectory
from nbgrader.plugins import ExtractorPlugin, FileNameCollectorPlugin
from nbgrader.utils import parse_utc
from traitlets import List
from traitlets.config import Config

from autograder.course.config import course_config
from autograder.course.labs import nbgrader_meta, student_path
from autograder.intake.archives import UNREADABLE, ArchiveRefused, Limits, unpack
from autograder.intake.rosters import LmsPeople, lms_people

# Presets, matched (re.match) against the path of a file inside the archive, '/'-separated.
NAMED_REGEXPS = {
    "canvas": r"(?P<name>[^/]+?)_(?:(?P<late>LATE)_)?(?P<student_id>\d+|anon_[A-Za-z0-9]+)_"
              r"(?P<attachment_id>\d+)_(?P<file_id>[^/]+)$",
    "moodle": r"(?P<name>[^/]+)_(?P<student_id>\d+)_assignsubmission_file(?:_?/(?:[^/]+/)*|_)(?P<file_id>[^/]+)$",
}
LMS_NAMES = {"canvas": "Canvas", "moodle": "Moodle"}
# `lab-1.ipynb` (Canvas), `lab (1).ipynb` (Moodle, browsers): the same file handed in again.
AGAIN = re.compile(r"^(?P<stem>.+?)(?:-(?P<dash>\d+)| \((?P<paren>\d+)\))?(?P<ext>\.[^./]+)$")


class ArchiveError(ValueError):
    """A class archive that cannot be collected: unsafe, unreadable, or of no known lab."""


@dataclass(frozen=True)
class LmsOptions:
    """Where a class archive comes from and how to read it (see the module doc)."""
    lms: str | None = None  # "canvas", "moodle", or None: a custom regexp whose student_id is the course's
    rosters: tuple[Path, ...] = ()
    named_regexp: str | None = None  # replaces the LMS's preset
    key: str | None = None  # the roster column with the course's student ids (default: the LMS's)
    timezone: str = "UTC"  # of the times in Moodle's grading worksheet

    def regexp(self) -> str:
        """The named regexp to collect with, once the options are checked."""
        regexp = self.named_regexp or NAMED_REGEXPS.get(self.lms or "")
        if regexp is None:
            raise ArchiveError("a class archive needs --lms canvas|moodle or --named-regexp")
        try:
            groups, _ = re.compile(regexp).groupindex, ZoneInfo(self.timezone)
        except re.error as exc:
            raise ArchiveError(f"the named regexp does not compile ({exc})") from exc
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ArchiveError(f"unknown timezone {self.timezone!r} (an IANA name, such as Europe/Paris)") from exc
        if not {"student_id", "file_id"} <= set(groups):
            raise ArchiveError("the named regexp needs the groups (?P<student_id>...) and (?P<file_id>...)")
        return regexp


@dataclass
class Collected:
    """What `collect_class_archives` made: the submitted layout, and what to tell."""
    folder: Path
    notes: dict[tuple[str, str], list[str]] = field(default_factory=dict)  # (student, lab) -> notes
    lines: list[str] = field(default_factory=list)

    def annotate(self, intakes) -> None:
        """Put each submission's collection notes first among its intake notes."""
        for intake in intakes:
            intake.notes[:0] = self.notes.get((intake.student_id, intake.lab_id), [])


@dataclass
class Found:
    """One file of the archive, as the collector placed it."""
    path: str  # inside the archive
    student_id: str  # the course's (or the stand-in's)
    file_id: str = ""  # its name in the submitted folder ("": not collected)
    base: str = ""  # its file name without a resubmission suffix
    order: tuple[int, int] = (-1, 0)  # (attachment id, suffix): higher is later

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]


@dataclass
class Lab:
    """The collection of one archive: the lab, who is who, when they handed in."""
    lab_id: str
    archive: str
    extracted: Path
    lms: str | None
    people: LmsPeople | None
    due: datetime | None
    timezone: str
    found: list[Found] = field(default_factory=list)
    stray: list[str] = field(default_factory=list)  # files the regexp names nobody for
    notes: dict[str, list[str]] = field(default_factory=dict)  # student -> notes
    unplaced: dict[str, str] = field(default_factory=dict)  # stand-in id -> how the LMS names them

    def note(self, student_id: str, text: str) -> None:
        if text not in self.notes.setdefault(student_id, []):
            self.notes[student_id].append(text)

    def student(self, groups: dict) -> str:
        """The course's id of the student the regexp's groups name."""
        lms_id = groups["student_id"]
        if self.people is None:
            return lms_id
        person = self.people.find(lms_id)
        if person is not None and person.student_id:
            return person.student_id
        stand_in = f"{self.lms}-{lms_id}"
        who = f"{LMS_NAMES[self.lms]} {'user' if self.lms == 'canvas' else 'participant'} {lms_id}"
        named = (person.name if person else "") or groups.get("name") or ""
        self.unplaced[stand_in] = f"{who}{f' ({named})' if named else ''}"
        self.note(stand_in, f"{self.unplaced[stand_in]} is not in the roster ({', '.join(self.people.sources)}"
                            f"{', which has no course id for them' if person else ''}): graded as {stand_in}; "
                            "add them to the LMS roster and grade again to file it under their id")
        return stand_in

    def submitted_at(self, student_id: str, groups: dict) -> datetime | str | None:
        """The submission's time for timestamp.txt (None: on time, or not known)."""
        if groups.get("timestamp"):
            return groups["timestamp"]  # nbgrader parses it (parse_utc)
        if self.lms == "canvas":
            if not groups.get("late"):
                return None
            if self.due is None:
                self.note(student_id, "Canvas marks it LATE; the lab has no due date here, so no penalty")
                return None
            self.note(student_id, "Canvas marks it LATE; its archive does not say when it was handed in, so it "
                                  "counts as handed in just after the due date (the least a late submission costs)")
            return self.due + timedelta(seconds=1)
        if self.lms == "moodle":
            person = self.people.find(groups["student_id"]) if self.people else None
            when, said = (person.submitted_utc(self.timezone), person.submitted) if person else (None, "")
            self.note(student_id, f"handed in {said} ({self.timezone}), as Moodle's grading worksheet says" if when
                      else f"Moodle's grading worksheet gives no readable submission time ({said!r}): not counted late")
            return when
        return None


class ClassArchiveExtractor(ExtractorPlugin):
    """nbgrader's extractor, made safe: each archive is unpacked by `autograder.intake.archives.unpack`
    under the class's limits (paths, files, bytes; no stored modes); an archive inside it stays a
    file (a student's own zip is not opened)."""
    zip_ext = List([".zip"]).tag(config=True)

    def extract(self, archive_path: str, extracted_path: str) -> None:
        for archive in sorted(Path(archive_path).iterdir()):
            try:
                unpack(archive, Path(extracted_path), Limits.class_archive())
            except (ArchiveRefused, *UNREADABLE) as exc:
                raise ArchiveError(f"the class archive {archive.name} cannot be unpacked ({exc})") from exc


class LmsCollector(FileNameCollectorPlugin):
    """nbgrader's file name collector with the LMS's preset: the regexp is matched against the
    path inside the archive; the student's id becomes the course's; the time is the LMS's."""
    lab: Lab  # set by `collect_class_archives` once `ZipCollectApp` made the plugin

    def collect(self, submitted_file: str) -> dict | None:
        lab = self.lab
        path = Path(submitted_file).relative_to(lab.extracted).as_posix()
        info = super().collect(path)  # nbgrader: valid_ext, then named_regexp
        if not info:  # not a notebook, or not named as the LMS names files
            match = re.match(self.named_regexp, path)
            if match and match.groupdict().get("student_id"):
                lab.found.append(Found(path, lab.student(match.groupdict())))
            else:
                lab.stray.append(path)
            return None
        student_id = lab.student(info)
        name = info["file_id"].rsplit("/", 1)[-1]
        again = AGAIN.match(name)
        base, suffix = (again["stem"] + again["ext"], int(again["dash"] or again["paren"] or 0)) if again else (name, 0)
        attachment = int(info["attachment_id"]) if (info.get("attachment_id") or "").isdigit() else -1
        taken = {f.file_id for f in lab.found if f.student_id == student_id}
        file_id = name if name not in taken else f"{attachment if attachment >= 0 else len(taken)}-{name}"
        lab.found.append(Found(path, student_id, file_id, base, (attachment, suffix)))
        return {"student_id": student_id, "file_id": file_id, "timestamp": lab.submitted_at(student_id, info)}


class ClassArchiveCollect(ZipCollectApp):
    """`nbgrader zip_collect`, run in this process: a failure raises instead of exiting."""
    def fail(self, msg, *args):
        raise ArchiveError(f"nbgrader's zip_collect stopped: {msg % args if args else msg}")


def collect_class_archives(source: Path, work: Path, options: LmsOptions, labs: list[str]) -> Collected:
    """Each class archive at `source` (a zip, or a folder of them) collected into `work`; see the module doc."""
    archives = [source] if source.is_file() else sorted(source.glob("*.zip"))
    if not archives:
        raise ArchiveError(f"{source}: no class archive (.zip) to collect")
    regexp = options.regexp()
    people = lms_people(options.lms, list(options.rosters), options.key) if options.lms else None
    if work.exists():
        shutil.rmtree(work)
    root = work / "zip_collect"
    collected = Collected(root / "submitted")
    by_lab: dict[str, str] = {}
    for archive in archives:
        lab_id = lab_of_archive(archive, regexp, labs)
        if lab_id in by_lab:
            raise ArchiveError(f"{by_lab[lab_id]} and {archive.name} are both archives of {lab_id}; give one per lab")
        by_lab[lab_id] = archive.name
        lab = collect_one(archive, lab_id, root, regexp, options, people)
        file_lab(lab, collected)
    return collected


def lab_of_archive(archive: Path, regexp: str, labs: list[str]) -> str:
    """The lab an archive is of: the lab whose notebook most of its files are named after, else
    the lab its own name holds, else the only lab asked for."""
    try:
        with zipfile.ZipFile(archive) as zf:
            names = zf.namelist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise ArchiveError(f"the class archive {archive.name} cannot be unpacked ({exc})") from exc
    counts = {lab: 0 for lab in labs}
    for name in names:
        match = re.match(regexp, name)
        again = AGAIN.match((match["file_id"] if match else name).rsplit("/", 1)[-1])
        base = (again["stem"] + again["ext"]) if again else name
        for lab in labs:
            counts[lab] += base.casefold() == f"{lab}.ipynb".casefold()
    best = max(counts.values(), default=0)
    if best and list(counts.values()).count(best) == 1:
        return max(counts, key=counts.get)
    squeezed = re.sub(r"[^a-z0-9]", "", archive.stem.casefold())
    named = [lab for lab in labs if re.sub(r"[^a-z0-9]", "", lab.casefold()) in squeezed]
    if len(named) == 1:
        return named[0]
    if len(labs) == 1:
        return labs[0]
    raise ArchiveError(f"{archive.name}: cannot tell which lab it is of (no file is named after a lab's notebook); "
                       "name the lab with --labs")


def collect_one(archive: Path, lab_id: str, root: Path, regexp: str, options: LmsOptions,
                people: LmsPeople | None) -> Lab:
    """nbgrader's ZipCollectApp over one archive, with this module's extractor and collector."""
    config = Config()
    config.Application.log_level = logging.ERROR
    config.ZipCollectApp.extractor_plugin = ClassArchiveExtractor
    config.ZipCollectApp.collector_plugin = LmsCollector
    config.FileNameCollectorPlugin.named_regexp = regexp
    config.FileNameCollectorPlugin.valid_ext = [".ipynb"]
    app = ClassArchiveCollect(config=config)
    app.coursedir = CourseDirectory(parent=app, root=str(root))
    app.coursedir.assignment_id = lab_id
    downloaded = Path(app._format_collect_path(app.archive_directory))
    downloaded.mkdir(parents=True)
    shutil.copy(archive, downloaded / archive.name)
    released = Path(app.coursedir.format_path(app.coursedir.release_directory, ".", lab_id))
    released.mkdir(parents=True, exist_ok=True)
    shutil.copy(student_path(lab_id), released / f"{lab_id}.ipynb")  # the names nbgrader checks against
    app.init_plugins()
    due = course_config().get("LatePenalty", {}).get("due_dates", {}).get(lab_id)  # c.LatePenalty.due_dates
    lab = Lab(lab_id, archive.name, Path(app._format_collect_path(app.extracted_directory)), options.lms, people,
              parse_utc(due) if due else None, options.timezone)
    app.collector_plugin_inst.lab = lab
    app.extract_archive_files()
    app.process_extracted_files()
    return lab


def file_lab(lab: Lab, collected: Collected) -> None:
    """Per student: the notebook to grade renamed `<lab_id>.ipynb`, the rest to `_ignored/`, the notes."""
    folder = collected.folder
    students = sorted({f.student_id for f in lab.found})
    cells = notebook_cells(student_path(lab.lab_id))
    source = f"{LMS_NAMES[lab.lms]}'s" if lab.lms else "the"
    ignored_count = 0
    for student_id in students:
        files = [f for f in lab.found if f.student_id == student_id]
        lab_dir = folder / student_id / lab.lab_id
        lab_dir.mkdir(parents=True, exist_ok=True)  # even with nothing to grade: intake says why
        chosen, why = choose(files, lab.lab_id, lab_dir, cells)
        others = [f for f in files if f is not chosen]
        # Kept for the instructor to look at; with nothing chosen, the notebooks stay for intake to list.
        for f in (f for f in others if chosen is not None or not f.file_id):
            target = folder / "_ignored" / student_id / lab.lab_id / f.name
            if target.exists():
                target = target.with_name(f"{len(list(target.parent.iterdir()))}-{f.name}")
            target.parent.mkdir(parents=True, exist_ok=True)
            if f.file_id:
                shutil.move(lab_dir / f.file_id, target)
            else:  # never collected: not a notebook
                shutil.copy(lab.extracted / f.path, target)
        if chosen is None:
            notes = [f"nothing in {source} class archive {lab.archive} to grade as {lab.lab_id}.ipynb"
                     + (f": {', '.join(f.name for f in others)}" if others else "")]
        else:
            notes = [f"from {source} class archive {lab.archive}: {chosen.path}{why}"]
            if chosen.file_id != f"{lab.lab_id}.ipynb":
                (lab_dir / chosen.file_id).rename(lab_dir / f"{lab.lab_id}.ipynb")
            if others:
                ignored_count += len(others)
                notes.append(f"ignored: {', '.join(f.name for f in others)}")
        collected.notes[(student_id, lab.lab_id)] = notes + lab.notes.get(student_id, [])
    collected.lines.append(f"{lab.archive}: {lab.lab_id}, {len(students)} student{'s' * (len(students) != 1)}, "
                           f"{len(lab.found)} files"
                           + (f" ({ignored_count} ignored)" if ignored_count else ""))
    collected.lines += [f"  not in the roster: {label}, graded as {stand_in}" for stand_in, label in lab.unplaced.items()]
    if lab.stray:
        shown = ", ".join(lab.stray[:5]) + (" ..." if len(lab.stray) > 5 else "")
        collected.lines.append(f"  named after nobody by the regexp ({len(lab.stray)}), not collected: {shown}")


def choose(files: list[Found], lab_id: str, lab_dir: Path, cells: set[str]) -> tuple[Found | None, str]:
    """The notebook to grade among a student's files, and why it (see the module doc)."""
    notebooks = [f for f in files if f.file_id]
    named = [f for f in notebooks if f.base.casefold() == f"{lab_id}.ipynb".casefold()]
    if named:
        chosen = max(named, key=lambda f: f.order)
        return chosen, f" (the latest of {len(named)} named {lab_id}.ipynb)" if len(named) > 1 else ""
    if len(notebooks) == 1:
        return notebooks[0], ""
    held = {f.file_id: len(notebook_cells(lab_dir / f.file_id) & cells) for f in notebooks}
    best = max(held.values(), default=0)
    if not best:
        return None, ""
    chosen = max((f for f in notebooks if held[f.file_id] == best), key=lambda f: f.order)
    return chosen, f" (none is named {lab_id}.ipynb; it holds the most of the lab's cells)"


def notebook_cells(path: Path) -> set[str]:
    """The nbgrader grade ids of a notebook's cells (none where it cannot be read)."""
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception:  # noqa: BLE001 - any unreadable notebook holds no cells of the lab
        return set()
    return {nbgrader_meta(cell).get("grade_id") for cell in nb.cells} - {None}
