"""Zips, one per student -> nbgrader's submitted layout, `<student_id>/<lab_id>/<lab_id>.ipynb`.

    archives = unpack_archives(SUBMITTED_DIR, unpacked_dir, labs)  # .folder, .problems, .notes

A folder holding one zip per student (`<student_id>.zip` or `<student_id>_<anything>.zip`) is
unpacked by `unpack` under `Limits`: every member's path stays inside the archive, the members
and the bytes actually written (not the sizes the archive claims) are counted against a cap per
student, encrypted members are refused, and no stored mode is applied (a setuid bit stays in the
zip). A zip inside the student's zip is unpacked under the same checks and the same budget,
one level deep; an archive inside that, or anything else compressed (`data.csv.gz`), stays a
file. An archive that breaks a rule is refused: its student gets a problem instead of a grade,
and everyone else is graded. The one archive of a whole class that Canvas or Moodle hands out
is `autograder.intake.lms`'s (`grade --lms`), unpacked by the same `unpack`, with the class's
limits and no archive inside it opened.

nbgrader's own `unzip` is not used here: it applies the members' stored modes and opens the
archives inside an archive without any check (`tree=True`).
"""
from __future__ import annotations

import re
import shutil
import stat
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

MAX_UNZIPPED_MB = 200  # one student's zip, with the zips inside it
MAX_MEMBERS = 2_000
MAX_CLASS_ARCHIVE_MB = 2_000  # the LMS's archive of a whole class
MAX_CLASS_MEMBERS = 50_000
CHUNK = 1 << 20


class ArchiveRefused(ValueError):
    """An archive that breaks a rule of `Limits`: the message says which, for the instructor."""


# what reading a broken or hostile zip can raise, besides ArchiveRefused
UNREADABLE = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError,
              OSError, ValueError)


@dataclass
class Limits:
    """What one archive may unpack to, nested archives included."""
    megabytes: int
    members: int
    nested: int = 1  # how many levels of zip inside the zip are opened

    @classmethod
    def student(cls) -> Limits:
        return cls(MAX_UNZIPPED_MB, MAX_MEMBERS)

    @classmethod
    def class_archive(cls) -> Limits:
        return cls(MAX_CLASS_ARCHIVE_MB, MAX_CLASS_MEMBERS, nested=0)


@dataclass
class Unpacked:
    """What `unpack` wrote: its running totals (the budget), and notes for the student's feedback."""
    limits: Limits
    members: int = 0
    written: int = 0
    notes: list[str] = field(default_factory=list)

    def count_member(self) -> None:
        self.members += 1
        if self.members > self.limits.members:
            raise ArchiveRefused(f"it holds more than {self.limits.members} files")

    def count_bytes(self, n: int) -> None:
        self.written += n
        if self.written > self.limits.megabytes * 2**20:
            raise ArchiveRefused(f"it unpacks to more than {self.limits.megabytes} MB")


def student_of_archive(path: Path) -> str:
    """`ada.zip`, `ada_attempt_2026-11-01.zip` -> "ada"."""
    return re.split(r"[_.]", path.name, maxsplit=1)[0]


def member_path(name: str) -> PurePosixPath:
    """The member's path inside the archive, or ArchiveRefused when it points outside it."""
    path = PurePosixPath(name.replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts or re.match(r"^[A-Za-z]:", name):
        raise ArchiveRefused(f"it holds a path outside itself: {name!r}")
    return path


def unpack(archive: Path, dest: Path, limits: Limits, budget: Unpacked | None = None, depth: int = 0) -> Unpacked:
    """`archive` written under `dest` (created), by the rules of the module doc; ArchiveRefused or
    one of UNREADABLE when it cannot be. Files get the default mode, whatever the zip says."""
    budget = budget or Unpacked(limits)
    with zipfile.ZipFile(archive) as zf:
        infos = zf.infolist()
        for info in infos:  # every rule a member's header can break, before anything is written
            member_path(info.filename)
            budget.count_member()
            if info.flag_bits & 0x1:
                raise ArchiveRefused(f"it holds an encrypted file: {info.filename!r}")
        if sum(info.file_size for info in infos) + budget.written > limits.megabytes * 2**20:
            raise ArchiveRefused(f"it unpacks to more than {limits.megabytes} MB")
        dest.mkdir(parents=True, exist_ok=True)
        for info in infos:
            target = dest.joinpath(*member_path(info.filename).parts)
            if info.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            if stat.S_ISLNK(info.external_attr >> 16):
                budget.notes.append(f"{info.filename} is a link in the archive: left out")
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(info) as source, open(target, "wb") as out:  # counts what is really written
                while chunk := source.read(CHUNK):
                    budget.count_bytes(len(chunk))
                    out.write(chunk)
            if target.suffix.lower() == ".zip":
                open_nested(target, limits, budget, depth)
    return budget


def open_nested(inner: Path, limits: Limits, budget: Unpacked, depth: int) -> None:
    """A zip found inside an archive: unpacked beside itself under the same budget, or left a file."""
    shown = inner.name
    if depth + 1 > limits.nested:
        if limits.nested:  # a class archive opens none, and its collector says what it left out
            budget.notes.append(f"{shown} is an archive {depth + 1} levels inside the archive: not opened")
        return
    try:
        unpack(inner, inner.with_name(inner.stem + "_unzipped"), limits, budget, depth + 1)
    except ArchiveRefused:
        raise
    except UNREADABLE as exc:
        budget.notes.append(f"{shown} inside the archive cannot be unpacked ({exc}): left as a file")


@dataclass
class Archives:
    """What `unpack_archives` made: the folder to grade from, and per student why their archive
    was refused (`problems`) or what was left out of it (`notes`)."""
    folder: Path
    problems: dict[str, str] = field(default_factory=dict)
    notes: dict[str, list[str]] = field(default_factory=dict)


def unpack_archives(submitted_dir: Path, unpacked_dir: Path, labs: list[str]) -> Archives:
    """`submitted_dir` itself, or, where it holds zip files, a folder in nbgrader's layout made from them."""
    archives = sorted(submitted_dir.glob("*.zip"))
    if not archives:
        return Archives(submitted_dir)
    made = Archives(unpacked_dir)
    for archive in archives:
        student_id = student_of_archive(archive)
        extracted = unpacked_dir / "_archives" / archive.stem
        try:
            unpacked = unpack(archive, extracted, Limits.student())
        except (ArchiveRefused, *UNREADABLE) as exc:
            made.problems[student_id] = f"the archive {archive.name} cannot be unpacked ({exc})"
            shutil.rmtree(extracted, ignore_errors=True)  # nothing of a refused archive is graded or kept
            continue
        if unpacked.notes:
            made.notes.setdefault(student_id, []).extend(f"{archive.name}: {note}" for note in unpacked.notes)
        for notebook in sorted(extracted.rglob("*.ipynb")):
            if ".ipynb_checkpoints" in notebook.parts:
                continue
            lab_id = next((lab for lab in labs if lab in (notebook.stem, notebook.parent.name)), None)
            if lab_id is not None:
                target = unpacked_dir / student_id / lab_id
                target.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(notebook, target / f"{lab_id}.ipynb")
    for student_dir in submitted_dir.iterdir():  # plain folders beside the archives count too
        if student_dir.is_dir() and not (unpacked_dir / student_dir.name).exists():
            shutil.copytree(student_dir, unpacked_dir / student_dir.name, copy_function=shutil.copyfile)
    return made
