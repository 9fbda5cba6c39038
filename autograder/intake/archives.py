"""Zips, one per student -> nbgrader's submitted layout, `<student_id>/<lab_id>/<lab_id>.ipynb`.

    folder, problems = unpack_archives(SUBMITTED_DIR, unpacked_dir, labs)

A folder holding one zip per student (`<student_id>.zip` or `<student_id>_<anything>.zip`)
is unpacked with nbgrader's own `unzip`; an archive with a member outside itself or past
`MAX_UNZIPPED_MB` is refused (`check_archive`), and its student gets a problem instead of a
grade. The one archive of a whole class that Canvas or Moodle hands out is
`autograder.intake.lms`'s (`grade --lms`), which refuses unsafe archives with the same check.
"""
from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

from nbgrader.utils import unzip

MAX_UNZIPPED_MB = 200


def student_of_archive(path: Path) -> str:
    """`ada.zip`, `ada_attempt_2026-11-01.zip` -> "ada"."""
    return re.split(r"[_.]", path.name, maxsplit=1)[0]


def unpack_archives(submitted_dir: Path, unpacked_dir: Path, labs: list[str]) -> tuple[Path, dict[str, str]]:
    """The folder to grade from: `submitted_dir` itself, or, where it holds zip files, a
    folder in nbgrader's layout made from them. Also {student_id: problem} per bad archive."""
    archives = sorted(submitted_dir.glob("*.zip"))
    if not archives:
        return submitted_dir, {}
    problems = {}
    for archive in archives:
        student_id = student_of_archive(archive)
        extracted = unpacked_dir / "_archives" / archive.stem
        try:
            check_archive(archive)
            extracted.mkdir(parents=True, exist_ok=True)
            unzip(str(archive), str(extracted), create_own_folder=False, tree=True)
        except (zipfile.BadZipFile, ValueError, OSError) as exc:
            problems[student_id] = f"the archive {archive.name} cannot be unpacked ({exc})"
            continue
        for notebook in sorted(extracted.rglob("*.ipynb")):
            if ".ipynb_checkpoints" in notebook.parts:
                continue
            lab_id = next((lab for lab in labs if lab in (notebook.stem, notebook.parent.name)), None)
            if lab_id is not None:
                target = unpacked_dir / student_id / lab_id
                target.mkdir(parents=True, exist_ok=True)
                shutil.copy(notebook, target / f"{lab_id}.ipynb")
    for student_dir in submitted_dir.iterdir():  # plain folders beside the archives count too
        if student_dir.is_dir() and not (unpacked_dir / student_dir.name).exists():
            shutil.copytree(student_dir, unpacked_dir / student_dir.name)
    return unpacked_dir, problems


def check_archive(archive: Path) -> None:
    with zipfile.ZipFile(archive) as zf:
        total = sum(info.file_size for info in zf.infolist())
        if total > MAX_UNZIPPED_MB * 1024 * 1024:
            raise ValueError(f"it unpacks to {total // 2**20} MB, more than {MAX_UNZIPPED_MB} MB")
        for name in zf.namelist():
            if name.startswith("/") or ".." in Path(name).parts:
                raise ValueError(f"it holds a path outside itself: {name!r}")
