"""Gradescope: the zip a Gradescope "Autograder" assignment takes, and its `run_autograder`.

    python -m autograder gradescope 01_matrix_shapes --out build/gradescope   # writes the zip
    build_zip("01_matrix_shapes", Path("build/gradescope"))                  # the same

The zip, which Gradescope unpacks into /autograder/source:

    setup.sh           run once, as root, when Gradescope builds the image: Python 3.11, a virtual
                       environment /autograder/venv with this project's pinned dependencies
                       (requirements.txt; torch's CPU build from PyTorch's own index), bubblewrap and
                       prlimit, then `grader/gradescope_main.py --check` (the lab's judges and
                       reference load, or the build fails where the instructor sees it)
    run_autograder     run for each submission: `grader/gradescope_main.py` with `python -I`, so the
                       grader is this folder's and nothing else on the machine
    requirements.txt   pyproject.toml's dependencies, pinned as there
    course_secret.txt  the course secret (NNLABS_COURSE_SECRET when the zip was built)
    gradescope.json    the lab, the visibility of its results, when and from which commit it was built
    grader/            autograder/, labutils/, nbgrader_config.py, the lab's released notebook
                       (labs/) and the solutions its reference and judges read (solutions/: lab 07's
                       judges lend labs 05 and 06's building blocks, `needed_labs`)

For each submission `run_autograder` grades what the student handed in (the notebooks of
/autograder/submission) with the pipeline's `grade` on a class of one, the engine and the
settings of `python -m autograder grade`, and writes /autograder/results/results.json in
Gradescope's format (`results_json`): the score, a test per exercise (its points, the check's
message, the hidden tests' verdict, which never shows a hidden input or expected value, and
the mistake recognised), and an output with the status and what intake repaired. Written answers
(lab 08) are left to Gradescope's manual grading: not in the score or its maximum; their text
is a test only the staff sees. A notebook that cannot be read scores 0 and says why; a failure
of the grader itself still writes results.json (score 0, "tell the course staff").

The hidden cases are drawn for the submitter: `judge_seed(secret, id, lab, grade_id)` with id the
Gradescope user id in /autograder/submission_metadata.json (`users[].id`; the smallest in a
group submission), so a regrade draws the same cases. Where bubblewrap cannot make namespaces
(Gradescope runs containers), kernels run in a process of their own with resource limits only
(`autograder.sandbox.bubblewrap.confinement`), and the output says so.

NNLABS_GRADESCOPE_ROOT replaces /autograder (tests); NNLABS_GRADESCOPE_PYTHON the interpreter
`run_autograder` starts.

Over 400 lines because the zip's own scripts (setup.sh, run_autograder, the entry point) are
written here as text, beside the build that names their files and the run they start.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
import traceback
import zipfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

import numpy as np

import autograder
import labutils
from autograder.course.labs import (
    ROOT,
    available_labs,
    is_written_answer_cell,
    lab_number,
    manual_points,
    max_points,
    nbgrader_meta,
    read_notebook,
    source_path,
    task_of_test_cell,
    test_cells,
)
from autograder.grading.results import CellResult, Status, SubmissionResult
from autograder.judging.judges import DEMO_SECRET, course_secret, judges_for
from autograder.judging.reference import reference_namespace
from autograder.pipeline.run import grade
from autograder.sandbox.bubblewrap import bwrap_problem, confinement

DEFAULT_ROOT = "/autograder"
ROOT_VARIABLE = "NNLABS_GRADESCOPE_ROOT"
SECRET_VARIABLE = "NNLABS_COURSE_SECRET"
MANIFEST = "gradescope.json"
SECRET_FILE = "course_secret.txt"
ENTRY = "gradescope_main.py"
TORCH_INDEX = "https://download.pytorch.org/whl/cpu"
# Gradescope's visibility settings; "hidden" would hide the score from the students too.
VISIBILITIES = ("visible", "after_due_date", "after_published")
UNKNOWN_STUDENT = "unknown-student"
SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@+-]{0,63}")
LAB_ID_IN_TEXT = re.compile(r"\b\d\d_[a-z0-9_]+\b")
RULES = ("An exercise earns its points when the check in your notebook passes and the hidden tests "
         "(the same function on other inputs) pass too.")
GRADER_FAILED = ("The autograder could not grade this submission: the failure is on the course's side, "
                 "not in your notebook. Please tell the course staff; they can rerun it.")


class GradescopeError(Exception):
    """The zip cannot be built as asked (the message says why and what to do)."""


# The zip -----------------------------------------------------------------------------------

SETUP_SH = """\
#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image (Ubuntu): Python 3.11,
# a virtual environment with this course's pinned dependencies, then a check that the grader,
# the lab's judges and its reference solution load (written by `python -m autograder gradescope`).
set -euo pipefail
SOURCE="$(cd "$(dirname "${{BASH_SOURCE[0]}}")" && pwd)"
ROOT="${{NNLABS_GRADESCOPE_ROOT:-/autograder}}"
VENV="$ROOT/venv"
export DEBIAN_FRONTEND=noninteractive
final_311() {{ python3.11 -c 'import sys, ensurepip, venv; sys.exit(sys.version_info.releaselevel != "final")' 2>/dev/null; }}

apt-get update
# prlimit (util-linux) sets each kernel's limits; bubblewrap sandboxes kernels where the container
# lets it make namespaces (else they run with the limits only, and the results say so).
apt-get install -y --no-install-recommends util-linux ca-certificates
apt-get install -y --no-install-recommends bubblewrap || echo "no bubblewrap: kernels get resource limits only"
final_311 || apt-get install -y --no-install-recommends python3.11 python3.11-venv || true
if ! final_311; then  # not in this Ubuntu's archive (or only a release candidate): deadsnakes' build
    apt-get install -y --no-install-recommends software-properties-common gpg-agent
    add-apt-repository -y ppa:deadsnakes/ppa
    apt-get update
    apt-get install -y --no-install-recommends python3.11 python3.11-venv
fi

python3.11 -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --upgrade pip
# torch's CPU build, from PyTorch's index (PyPI's would be the multi-GB CUDA build)
"$VENV/bin/python" -m pip install --quiet --index-url {torch_index} "{torch}"
"$VENV/bin/python" -m pip install --quiet -r "$SOURCE/requirements.txt"
chmod 755 "$SOURCE/run_autograder"
chmod 600 "$SOURCE/{secret_file}"
"$VENV/bin/python" -I "$SOURCE/grader/{entry}" --check
"""

RUN_AUTOGRADER = """\
#!/usr/bin/env bash
# Gradescope runs this for each submission, as root, in /autograder: it grades the notebook in
# /autograder/submission and writes /autograder/results/results.json
# (autograder/platforms/gradescope.py). NNLABS_GRADESCOPE_ROOT replaces /autograder,
# NNLABS_GRADESCOPE_PYTHON the interpreter setup.sh installed.
ROOT="${NNLABS_GRADESCOPE_ROOT:-/autograder}"
PYTHON="${NNLABS_GRADESCOPE_PYTHON:-$ROOT/venv/bin/python}"
RESULTS="$ROOT/results/results.json"
mkdir -p "$ROOT/results"
rm -f "$RESULTS"
# -I: this zip's grader, never a copy installed elsewhere (gradescope_main.py puts its folder first)
"$PYTHON" -I "$ROOT/source/grader/gradescope_main.py"
status=$?
if [ ! -s "$RESULTS" ]; then  # the grader could not start, or was killed before it wrote anything
    printf '{"score": 0.0, "output": "The autograder failed before it could grade this submission (exit status %s): the failure is on the course'"'"'s side, not in your notebook. Please tell the course staff; they can rerun it.", "stdout_visibility": "hidden", "tests": []}\\n' "$status" > "$RESULTS"
fi
exit 0
"""

ENTRY_PY = '''\
"""run_autograder's entry point (autograder/platforms/gradescope.py): the grader in this folder.

Run with `python -I`, which puts neither this folder nor PYTHONPATH on sys.path: this folder
goes first here, so the grader is this zip's, never a copy installed elsewhere.
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

if __name__ == "__main__":  # multiprocessing's workers import this file too
    from autograder.platforms.gradescope import main

    sys.exit(main(sys.argv[1:]))
'''


def needed_labs(lab_id: str) -> list[str]:
    """The labs whose solutions grading `lab_id` reads: itself, and every lab its judges, mistake
    catalogue, checks or solution notebook name (lab 07 lends labs 05 and 06's building blocks;
    its solution carries 06's functions), and theirs in turn."""
    labs, needed, todo = set(available_labs()), set(), [lab_id]
    while todo:
        lab = todo.pop()
        if lab in needed:
            continue
        needed.add(lab)
        number = lab_number(lab)
        texts = [path.read_text(encoding="utf-8") for path in (
            ROOT / "autograder" / "judging" / "hidden_cases" / f"lab{number}.py",
            ROOT / "autograder" / "judging" / "mistakes" / f"lab{number}.py",
            ROOT / "labutils" / "checks" / f"lab{number}.py") if path.exists()]
        texts += [cell.source for cell in read_notebook(source_path(lab)).cells if cell.cell_type == "code"]
        todo += sorted({name for text in texts for name in LAB_ID_IN_TEXT.findall(text) if name in labs} - needed)
    return sorted(needed)


def requirements() -> list[str]:
    """pyproject.toml's dependencies, pinned as there: the one list the project installs."""
    with (ROOT / "pyproject.toml").open("rb") as handle:
        return list(tomllib.load(handle)["project"]["dependencies"])


def tree_files(folder: Path) -> Iterator[Path]:
    """The files of a source folder, without caches or hidden files."""
    for path in sorted(folder.rglob("*")):
        parts = path.relative_to(folder).parts
        if path.is_file() and not any(part.startswith(".") or part == "__pycache__" for part in parts) \
                and path.suffix != ".pyc":
            yield path


def git(*arguments: str) -> str:
    """git's output in the checkout ("" where there is no git or no repository)."""
    try:
        return subprocess.run(["git", *arguments], cwd=ROOT, capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return ""


def build_zip(lab_id: str, out_dir: Path, visibility: str = "visible", allow_demo_secret: bool = False) -> Path:
    """Write `out_dir/gradescope-<lab_id>.zip` (see the module docstring) and return its path."""
    if lab_id not in available_labs():
        raise GradescopeError(f"unknown lab id {lab_id}; the labs are {', '.join(available_labs())}")
    if visibility not in VISIBILITIES:
        raise GradescopeError(f"visibility {visibility!r}: one of {', '.join(VISIBILITIES)}")
    secret = course_secret()
    if secret == DEMO_SECRET and not allow_demo_secret:
        raise GradescopeError(
            f"{SECRET_VARIABLE} is not set, so the zip would carry the demo secret. The demo secret is "
            "public (it is written in autograder/judging/judges.py), and the hidden cases are drawn from "
            "the secret and the student's id: anyone with this repository could compute every student's "
            f"hidden inputs and expected values. Set {SECRET_VARIABLE} to the course's own secret (the one "
            "`python -m autograder grade` uses, so that both draw the same cases), or pass "
            "--allow-demo-secret for a trial assignment no student submits to.")
    requirement_list = requirements()
    torch = next((r for r in requirement_list if re.match(r"torch\s*==", r)), "torch")
    labs = needed_labs(lab_id)
    folders = [ROOT / "autograder", ROOT / "labutils", ROOT / "labs" / lab_id, *(ROOT / "solutions" / lab for lab in labs)]
    copied = [str(path.relative_to(ROOT)) for path in [*folders, ROOT / "nbgrader_config.py"]]
    manifest = {"lab": lab_id, "visibility": visibility, "solutions": labs,
                "built": datetime.now(timezone.utc).isoformat(timespec="seconds"), "commit": git("rev-parse", "HEAD").strip(),
                # what the zip holds that differs from that commit (the working tree is what is copied)
                "uncommitted": [line[3:] for line in git("status", "--porcelain", "--", *copied).splitlines()],
                "demo_secret": secret == DEMO_SECRET,
                "points": max_points(lab_id), "manual_points": manual_points(lab_id)}  # for the assignment's outline
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"gradescope-{lab_id}.zip"
    partial = path.with_name(path.name + ".partial")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
        def add(name: str, text: str | None = None, source: Path | None = None, mode: int = 0o644) -> None:
            info = zipfile.ZipInfo(name, date_time=time.localtime()[:6])
            info.external_attr = (0o100000 | mode) << 16  # a regular file with these permissions
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text.encode("utf-8") if text is not None else source.read_bytes())

        add("setup.sh", SETUP_SH.format(torch_index=TORCH_INDEX, torch=torch, secret_file=SECRET_FILE, entry=ENTRY),
            mode=0o755)
        add("run_autograder", RUN_AUTOGRADER, mode=0o755)
        add("requirements.txt", "# pyproject.toml's dependencies (setup.sh installs torch first, from "
            f"{TORCH_INDEX})\n" + "\n".join(requirement_list) + "\n")
        add(SECRET_FILE, secret + "\n", mode=0o600)
        add(MANIFEST, json.dumps(manifest, indent=1) + "\n")
        add(f"grader/{ENTRY}", ENTRY_PY)
        add("grader/nbgrader_config.py", source=ROOT / "nbgrader_config.py")
        for folder in folders:
            for file in tree_files(folder):
                add(f"grader/{file.relative_to(ROOT).as_posix()}", source=file)
    partial.replace(path)
    return path


def zip_manifest(path: Path) -> dict:
    """The gradescope.json of a zip `build_zip` wrote."""
    with zipfile.ZipFile(path) as archive:
        return json.loads(archive.read(MANIFEST))


# run_autograder ------------------------------------------------------------------------------

def gradescope_root() -> Path:
    """/autograder, or NNLABS_GRADESCOPE_ROOT."""
    return Path(os.environ.get(ROOT_VARIABLE) or DEFAULT_ROOT)


def submitter(metadata: Path) -> tuple[str, str]:
    """(the student id the hidden cases are drawn for, where it came from), from Gradescope's
    submission_metadata.json: the user's id, the smallest of a group's."""
    try:
        data = json.loads(metadata.read_text(encoding="utf-8"))
        ids = sorted({str(user["id"]) for user in data["users"]}, key=lambda i: (len(i), i))
        if not ids:
            raise ValueError("its users list is empty")
    except (OSError, ValueError, KeyError, TypeError) as problem:
        return UNKNOWN_STUDENT, f"{metadata} could not be read ({type(problem).__name__}: {problem})"
    student = ids[0] if SAFE_ID.fullmatch(ids[0]) else "gs-" + hashlib.sha256(ids[0].encode()).hexdigest()[:16]
    group = f", the first of the group {', '.join(ids)}" if len(ids) > 1 else ""
    return student, f"Gradescope user {ids[0]}{group}"


def take_submission(submission: Path, lab_dir: Path, lab_id: str) -> list[str]:
    """Copy the handed-in notebook into `lab_dir` (nbgrader's layout) and return the notebooks
    found: `<lab_id>.ipynb` where there is one, else every notebook (intake grades the only one,
    or says what it found)."""
    lab_dir.mkdir(parents=True, exist_ok=True)
    if not submission.is_dir():
        return []
    notebooks = sorted((path for path in submission.rglob("*.ipynb") if path.is_file() and not any(
        part.startswith(".") or part == "__MACOSX" for part in path.relative_to(submission).parts)),
        key=lambda path: (len(path.parts), str(path)))
    exact = [path for path in notebooks if path.name == f"{lab_id}.ipynb"]
    for path in exact[:1] or notebooks:
        if not (lab_dir / path.name).exists():
            shutil.copyfile(path, lab_dir / path.name)
    return [str(path.relative_to(submission)) for path in notebooks]


@contextlib.contextmanager
def secret_set(secret: str) -> Iterator[None]:
    """NNLABS_COURSE_SECRET is `secret` inside (the pipeline reads it), as before outside."""
    before = os.environ.get(SECRET_VARIABLE)
    os.environ[SECRET_VARIABLE] = secret
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(SECRET_VARIABLE, None)
        else:
            os.environ[SECRET_VARIABLE] = before


def lab_exercises(lab_id: str) -> list[tuple[str, str, float]]:
    """(grade_id, task, points) of each autograded exercise, in the notebook's order."""
    return [(grade_id, task_of_test_cell(cell), float(nbgrader_meta(cell).get("points", 0)))
            for grade_id, cell in test_cells(read_notebook(source_path(lab_id))).items()]


def written_answers(notebook: Path) -> list[tuple[str, float, str]]:
    """(grade_id, points, text) of each written answer of a staged notebook (none if it cannot be read)."""
    try:
        nb = read_notebook(notebook)
    except Exception:  # noqa: BLE001 - nothing was staged: intake could not read the notebook
        return []
    return [(nbgrader_meta(cell).get("grade_id", "written answer"), float(nbgrader_meta(cell).get("points", 0)),
             cell.source) for cell in nb.cells if is_written_answer_cell(cell) and nbgrader_meta(cell).get("grade")]


def sandbox_note() -> str:
    """For the students, where kernels are not in bubblewrap's sandbox: how their code ran."""
    if bwrap_problem() is None:
        return ""
    return (f"Grading machine: {confinement()}. Your notebook ran in a process of its own, with "
            "limits on its memory, CPU time, files and processes.")


def indented(text: str | None) -> str:
    return "\n".join(f"  {line}" for line in (text or "").strip().splitlines())


def exercise_output(cell: CellResult) -> str:
    """A test's output: the check in the notebook, the hidden tests' verdict (written never to
    show a hidden input or expected value), the mistake recognised."""
    if not cell.check_run:
        lines = ["Check in your notebook: not run when grading; the hidden tests alone decide the points."]
    elif cell.check_passed:
        lines = ["Check in your notebook: passed."]
    else:
        lines = ["Check in your notebook: failed.", indented(cell.check_message)]
    if cell.judge.passed:
        lines.append(f"Hidden tests: {cell.judge.message}.")
    else:
        lines += ["Hidden tests: failed.", indented(cell.judge.message)]
    if cell.judge.mistake and cell.judge.mistake not in cell.judge.message:
        lines.append(f"Mistake recognised: {cell.judge.mistake}.")
    return "\n".join(lines)


def results_json(result: SubmissionResult, exercises: list[tuple[str, str, float]], seconds: float,
                 visibility: str = "visible", sandbox: str = "", written: list[tuple[str, float, str]] = ()) -> dict:
    """Gradescope's results.json for one graded submission."""
    tests = []
    for grade_id, task, points in exercises:
        cell = result.cells.get(grade_id)
        if cell is None:
            output, score, max_score = f"Not graded: {result.sentence}.", 0.0, points
        else:
            output, score, max_score = exercise_output(cell), cell.points, cell.max_points
        tests.append({"name": task, "score": score, "max_score": max_score,
                      "status": "passed" if cell is not None and score == max_score else "failed",
                      "output": output, "output_format": "text", "visibility": visibility})
    for grade_id, points, text in written:  # for the staff grading by hand; no points here
        tests.append({"name": f"Written answer {grade_id} ({points:g} points, graded by hand)", "score": 0.0,
                      "max_score": 0.0, "output": text.strip() or "(left empty)", "output_format": "text",
                      "visibility": "hidden"})
    lines = [f"{result.lab_id}: {result.points_text}.", f"Status: {result.sentence}."]
    if result.status is Status.ERROR:
        lines.append(f"Nothing was graded: resubmit {result.lab_id}.ipynb as Jupyter saves it (File > Save, "
                     "then upload that .ipynb file).")
    if result.manual_points:
        lines.append(f"Your written answers ({result.manual_points:g} points) are graded by hand by the course staff "
                     f"on Gradescope; they are not in this score, which is out of the {result.max_points:g} "
                     "auto-graded points.")
    if result.notes:
        lines += ["What the grader did with your notebook:", *(f"  - {note}" for note in result.notes)]
    if sandbox:
        lines.append(sandbox)
    lines.append(RULES)
    return {
        "score": result.score, "execution_time": int(round(seconds)), "output": "\n".join(lines),
        "output_format": "text", "test_output_format": "text", "test_name_format": "text",
        "visibility": visibility, "stdout_visibility": "hidden", "tests": tests,
        "extra_data": {"lab": result.lab_id, "student": result.student_id, "status": result.status.value,
                       "detail": result.detail, "mistakes": result.mistakes(), "flags": result.flags,
                       "manual_points": result.manual_points, "confinement": confinement()},
    }


def failure_json(problem: str, seconds: float) -> dict:
    """results.json when the grader itself failed: 0 points, and whom to tell."""
    return {"score": 0.0, "execution_time": int(round(seconds)), "output": GRADER_FAILED, "output_format": "text",
            "stdout_visibility": "hidden", "tests": [], "extra_data": {"error": problem}}


def grade_here(root: Path, started: float) -> dict:
    """Grade /autograder/submission as the zip in /autograder/source says; the results.json it earns."""
    source = root / "source"
    manifest = json.loads((source / MANIFEST).read_text(encoding="utf-8"))
    lab_id, visibility = manifest["lab"], manifest.get("visibility", "visible")
    secret = (source / SECRET_FILE).read_text(encoding="utf-8").strip()
    student_id, who = submitter(root / "submission_metadata.json")
    work = Path(tempfile.mkdtemp(prefix="nnlabs-gradescope-"))
    try:
        found = take_submission(root / "submission", work / "submitted" / student_id / lab_id, lab_id)
        with secret_set(secret):
            [result] = grade(work / "submitted", work / "graded", labs=[lab_id], workers=1)
        written = written_answers(work / "graded" / "staged" / student_id / lab_id / f"{lab_id}.ipynb")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    results = results_json(result, lab_exercises(lab_id), time.monotonic() - started, visibility, sandbox_note(),
                           written)
    print(f"lab {lab_id}, hidden cases drawn for student id {student_id!r} ({who})")
    print(f"notebooks handed in: {', '.join(found) or 'none'}")
    print(f"{result.points_text}; {result.sentence}; graded in {result.seconds:.1f} s "
          f"({time.monotonic() - started:.1f} s in all)")
    for test in results["tests"]:
        print(f"  {test['name']}: {test['score']:g} / {test['max_score']:g}")
    for flag in result.flags:
        print(f"flag: {flag}")
    print(f"confinement: {confinement()}")
    print(f"grader: {Path(autograder.__file__).parent}, labutils: {Path(labutils.__file__).parent}, "
          f"python: {sys.executable}")
    return results


def run_autograder(root: Path | None = None) -> dict:
    """Grade the submission under `root` (default /autograder, or NNLABS_GRADESCOPE_ROOT) and write
    root/results/results.json; whatever fails, a results.json is written."""
    root = Path(root) if root is not None else gradescope_root()
    started = time.monotonic()
    try:
        results = grade_here(root, started)
    except Exception as exc:  # noqa: BLE001 - the student gets a results.json whatever happened
        traceback.print_exc()
        results = failure_json(f"{type(exc).__name__}: {exc}", time.monotonic() - started)
    path = root / "results" / "results.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(results, indent=1), encoding="utf-8")
    partial.replace(path)
    return results


def check(root: Path | None = None) -> int:
    """setup.sh's check: the grader imports, and the lab's judges (their hidden cases drawn once)
    and reference solution load from this zip's files."""
    root = Path(root) if root is not None else gradescope_root()
    lab_id = json.loads((root / "source" / MANIFEST).read_text(encoding="utf-8"))["lab"]
    started = time.monotonic()
    judges = judges_for(lab_id)
    for judge in judges.values():
        judge.cases(np.random.default_rng(0))
    reference_namespace(lab_id)
    print(f"{lab_id}: the reference solution and {len(judges)} judges load "
          f"({time.monotonic() - started:.1f} s); {confinement()}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """`gradescope_main.py`: grade the submission; `--check`: setup.sh's check."""
    argv = sys.argv[1:] if argv is None else argv
    if argv == ["--check"]:
        return check()
    run_autograder()
    return 0
