"""From what students handed in to notebooks nbgrader can grade: small stages, one per concern.

    intakes = take_in(SUBMITTED_DIR, staged_dir, labs)

1. `unpack_archives` (`autograder.intake.archives`): a folder of LMS zip downloads (one per student, named
   `<student_id>.zip` or `<student_id>_<anything>.zip`) becomes nbgrader's submitted
   layout; an archive with a member outside itself, past the caps on files and bytes
   (nested zips included) or encrypted is refused for its student alone.
2. `read_submission`: the notebook as nbformat 4 (nbformat 3 is converted), or why it
   cannot be read (missing, empty, not UTF-8, not JSON). A notebook under another name
   is taken when it is the only one in the folder.
3. `restore_cells`: the released notebook's cells in their order, with the student's
   code in the answer cells and the student's own extra cells where they put them.
   Deleted, duplicated, reordered, edited or markdown-ified test cells and edited
   metadata (points, grade flags, ids) cannot change what is graded.
4. `autograder.intake.tampering.suspicious_code`: flags for code that patches the checks or
   the kernel's error reporting.
5. `stage`: the restored notebook goes to `staged/<student>/<lab>/<lab>.ipynb` (with the
   student's `timestamp.txt`), which nbgrader grades; the submission is never modified.

Every stage records what it did in `Intake.notes`, shown in the report and feedback.
"""
from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbformat import NotebookNode
from nbformat.reader import NotJSONError

from autograder.course.labs import (
    available_labs,
    defined_functions,
    is_solution_cell,
    is_written_answer_cell,
    nbgrader_meta,
    read_notebook,
    student_path,
)
from autograder.intake.archives import unpack_archives
from autograder.intake.tampering import suspicious_code


@dataclass
class Intake:
    """One submission on its way in: `problem` says why it cannot be graded ("" when it can)."""
    student_id: str
    lab_id: str
    problem: str = ""
    notes: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    digest: str = ""  # of the submitted file and timestamp: what a re-run compares

    @property
    def ready(self) -> bool:
        return not self.problem


# 2. read -----------------------------------------------------------------------------

# What nbgrader's exchange keeps beside a collected notebook: not the student's extra files.
EXCHANGE_FILES = ("timestamp.txt", "submission_secret.txt")


def read_submission(lab_dir: Path, lab_id: str, intake: Intake) -> NotebookNode | None:
    """The submitted notebook as nbformat 4, or None with `intake.problem` saying why."""
    path = lab_dir / f"{lab_id}.ipynb"
    if not path.exists():
        others = sorted(p for p in lab_dir.glob("*.ipynb"))
        if len(others) != 1:
            named = f" (found {', '.join(p.name for p in others)})" if others else ""
            intake.problem = f"no {lab_id}.ipynb was submitted{named}"
            return None
        path = others[0]
        intake.notes.append(f"the notebook was named {path.name}; graded as {lab_id}.ipynb")
    extras = sorted(p.name for p in lab_dir.iterdir() if p != path and p.name not in EXCHANGE_FILES)
    if extras:
        intake.notes.append(f"extra files ignored: {', '.join(extras[:5])}" + (" ..." if len(extras) > 5 else ""))
    data = path.read_bytes()
    timestamp = lab_dir / "timestamp.txt"
    intake.digest = hashlib.sha256(data + (timestamp.read_bytes() if timestamp.exists() else b"")).hexdigest()
    if not data.strip():
        intake.problem = "the notebook file is empty"
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        intake.problem = f"the notebook is not UTF-8 text (byte {exc.start})"
        return None
    try:
        version = nbformat.reader.reads(text).get("nbformat")
        nb = nbformat.reads(text, as_version=4)
    except NotJSONError:
        intake.problem = "the notebook is not valid JSON (a truncated or hand-edited file?)"
        return None
    except Exception as exc:  # noqa: BLE001 - nbformat raises several types for malformed notebooks
        intake.problem = f"the notebook cannot be read ({type(exc).__name__}: {str(exc)[:120]})"
        return None
    if version != 4:
        intake.notes.append(f"converted from nbformat {version} to 4")
    return nb


# 3. restore --------------------------------------------------------------------------

def cell_key(cell) -> str | None:
    """How a cell is recognised: its nbgrader grade_id, else its cell id."""
    return nbgrader_meta(cell).get("grade_id") or cell.get("id")


def restore_cells(submitted: NotebookNode, released: NotebookNode, intake: Intake) -> NotebookNode:
    """The released notebook with the student's answers and extra cells (see module doc)."""
    released_keys = {cell_key(cell) for cell in released.cells}
    # Answer cells: code (exercises) and markdown (written answers, graded by hand).
    answer_types = {cell_key(cell): cell.cell_type for cell in released.cells
                    if is_solution_cell(cell) or is_written_answer_cell(cell)}
    answer_keys = set(answer_types)
    # Cells without nbgrader metadata are the student's to edit (nbgrader does not lock them).
    free_keys = {cell_key(cell): cell.cell_type for cell in released.cells if not nbgrader_meta(cell)}
    answers: dict[str, str] = {}
    extras: dict[str | None, list] = {}  # released key -> the student's cells after it
    anchor = None
    for cell in submitted.cells:
        key = cell_key(cell)
        if key in released_keys:
            if key in answer_keys and cell.cell_type == answer_types[key] and key not in answers:
                answers[key] = cell.source
            elif key in answer_keys and key in answers:
                intake.notes.append(f"a second copy of answer cell {key!r} was left out")
            elif free_keys.get(key) == cell.cell_type and key not in answers:
                answers[key] = cell.source
            anchor = key
        elif cell.cell_type == "code" or cell.cell_type == "markdown":
            extras.setdefault(anchor, []).append(cell)

    restored = nbformat.v4.new_notebook(metadata=released.metadata)
    restored.cells.extend(new_cell(cell) for cell in extras.get(None, []))
    for cell in released.cells:
        key = cell_key(cell)
        copy = nbformat.from_dict(cell)
        if key in answer_keys:
            copy.source = answers.get(key) or find_answer(key, cell, extras, intake)
        elif key in free_keys and key in answers:
            copy.source = answers[key]
        restored.cells.append(copy)
        restored.cells.extend(new_cell(extra) for extra in extras.get(key, []))
    return restored


def find_answer(key: str, released_cell, extras: dict, intake: Intake) -> str:
    """An answer cell whose metadata the student lost: a cell of theirs defining the same
    functions, or else the unanswered stub."""
    wanted = set(defined_functions(released_cell.source))
    for cells in extras.values():
        for cell in cells:
            if wanted and cell.cell_type == "code" and wanted <= set(defined_functions(cell.source)):
                cells.remove(cell)
                intake.notes.append(f"answer cell {key!r} had lost its metadata; found by what it defines")
                return cell.source
    intake.notes.append(f"answer cell {key!r} was deleted; graded as unanswered")
    return released_cell.source


def new_cell(cell) -> NotebookNode:
    """A student's own cell, as a fresh cell (no nbgrader metadata, no outputs)."""
    if cell.cell_type == "code":
        return nbformat.v4.new_code_cell(cell.source)
    return nbformat.v4.new_markdown_cell(cell.source)


def changed_structure(submitted: NotebookNode, released: NotebookNode, intake: Intake) -> None:
    """Notes on graded cells the student removed, duplicated or turned into markdown (a
    written answer is released as markdown: only a change of type is a repair)."""
    released_types = {cell_key(cell): cell.cell_type for cell in released.cells if nbgrader_meta(cell).get("grade")}
    seen: dict[str, int] = {}
    for cell in submitted.cells:
        if nbgrader_meta(cell).get("grade"):
            key = cell_key(cell)
            seen[key] = seen.get(key, 0) + 1
            if key and cell.cell_type != released_types.get(key, cell.cell_type):
                intake.notes.append(f"test cell {key!r} had been turned into {cell.cell_type}; restored")
    for cell in released.cells:
        meta = nbgrader_meta(cell)
        if meta.get("grade") and not meta.get("solution"):
            count = seen.get(meta["grade_id"], 0)
            if count == 0:
                intake.notes.append(f"test cell {meta['grade_id']!r} was missing; restored")
            elif count > 1:
                intake.notes.append(f"test cell {meta['grade_id']!r} appeared {count} times; kept once")


# 5. stage and the whole pipeline ------------------------------------------------------

def stage(nb: NotebookNode, lab_dir: Path, staged_dir: Path, intake: Intake) -> None:
    target = staged_dir / intake.student_id / intake.lab_id
    target.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, target / f"{intake.lab_id}.ipynb")
    timestamp = lab_dir / "timestamp.txt"
    if timestamp.exists():
        shutil.copy(timestamp, target / "timestamp.txt")


def take_in_one(lab_dir: Path, staged_dir: Path, student_id: str, lab_id: str) -> Intake:
    intake = Intake(student_id, lab_id)
    submitted = read_submission(lab_dir, lab_id, intake)
    if submitted is None:
        return intake
    released = read_notebook(student_path(lab_id))
    changed_structure(submitted, released, intake)
    restored = restore_cells(submitted, released, intake)
    answer_or_own = [cell.source for cell in restored.cells
                     if cell.cell_type == "code" and (is_solution_cell(cell) or not nbgrader_meta(cell))]
    intake.flags = suspicious_code(answer_or_own)
    stage(restored, lab_dir, staged_dir, intake)
    return intake


def take_in(submitted_dir: Path, staged_dir: Path, labs: list[str] | None = None) -> list[Intake]:
    """Every submission of a known lab under `submitted_dir`, read, restored and staged."""
    known = list(labs or available_labs())
    archives = unpack_archives(submitted_dir, staged_dir.parent / "unpacked", known)
    source = archives.folder
    intakes = [Intake(student_id, lab_id, problem=problem)
               for student_id, problem in archives.problems.items() for lab_id in known
               if not (source / student_id / lab_id).exists()]
    for student_dir in sorted(p for p in source.iterdir() if p.is_dir() and not p.name.startswith("_")):
        for lab_dir in sorted(p for p in student_dir.iterdir() if p.is_dir() and p.name in known):
            intakes.append(take_in_one(lab_dir, staged_dir, student_dir.name, lab_dir.name))
    for intake in intakes:
        intake.notes[:0] = archives.notes.get(intake.student_id, [])
    return sorted(intakes, key=lambda i: (i.student_id, i.lab_id))
