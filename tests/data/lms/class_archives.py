"""Sample class archives of lab 01, named as Canvas and Moodle name the files of theirs.

    python tests/data/lms/class_archives.py OUT_DIR   # writes canvas_submissions.zip, moodle_submissions.zip

tests/test_lms_archives.py builds them with graded notebooks (`build(path, CANVAS, contents)`);
run as a script, every notebook is the released lab (`labs/01_matrix_shapes/01_matrix_shapes.ipynb`).
The people are those of the sample rosters beside this file (README.md). Every entry carries
the same date, `DOWNLOADED_AT`: as in the LMSs' own archives, the moment the archive was built,
after the due date (2026-09-21 23:59 UTC), which says nothing of when anyone handed in.
"""
from __future__ import annotations

import sys
import zipfile
from pathlib import Path

LAB = "01_matrix_shapes"
DOWNLOADED_AT = (2026, 12, 7, 14, 16, 4)

# (path in the archive, what it holds): "solution", "mistake", "scratch" (another notebook), "text".
CANVAS = [
    (f"lovelaceada_1001_6021877_{LAB}.ipynb", "solution"),  # on time
    (f"pascalblaise_LATE_1002_6021901_{LAB}.ipynb", "solution"),  # Canvas counts it late
    (f"jacobicarl_1003_6021850_{LAB}.ipynb", "mistake"),  # handed in, then again:
    (f"jacobicarl_1003_6021950_{LAB}-1.ipynb", "solution"),  # the resubmission (later attachment id)
    ("jacobicarl_1003_6021951_scratch.ipynb", "scratch"),
    ("jacobicarl_1003_6021952_notes.txt", "text"),
    ("tannerdora_1004_6021970_answers.pdf", "text"),  # no notebook at all
    ("noetheremmy_1005_6021960_lab01.ipynb", "solution"),  # not in the roster; another file name
    ("lovelaceada_1001_text.html", "text"),  # an online text entry: no attachment id
]
MOODLE = [
    (f"Ada Lovelace_3011_assignsubmission_file/{LAB}.ipynb", "solution"),  # on time
    (f"Blaise Pascal_3012_assignsubmission_file/{LAB}.ipynb", "solution"),  # late, by the worksheet
    (f"Carl Jacobi_3013_assignsubmission_file/{LAB}.ipynb", "mistake"),
    (f"Carl Jacobi_3013_assignsubmission_file/{LAB} (1).ipynb", "solution"),  # uploaded again, same name
    ("Carl Jacobi_3013_assignsubmission_file/notes.txt", "text"),
    (f"Emmy Noether_3015_assignsubmission_file/{LAB}.ipynb", "solution"),  # in the worksheet, not the grades export
    ("Ada Lovelace_3011_assignsubmission_onlinetext/onlinetext.html", "text"),  # another submission plugin
]


def build(path: Path, entries: list[tuple[str, str]], contents: dict[str, bytes]) -> Path:
    """A zip of `entries`, each holding `contents[kind]`, dated `DOWNLOADED_AT`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, kind in entries:
            zf.writestr(zipfile.ZipInfo(name, date_time=DOWNLOADED_AT), contents[kind])
    return path


def sample_contents(lab_notebook: bytes) -> dict[str, bytes]:
    scratch = b'{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}\n'
    return {"solution": lab_notebook, "mistake": lab_notebook, "scratch": scratch, "text": b"my notes\n"}


def main(out: Path) -> None:
    root = Path(__file__).resolve().parents[3]
    contents = sample_contents((root / "labs" / LAB / f"{LAB}.ipynb").read_bytes())
    for name, entries in (("canvas_submissions.zip", CANVAS), ("moodle_submissions.zip", MOODLE)):
        print(build(out / name, entries, contents))


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "."))
