"""A lab can be added by following docs/authoring.md, and by nothing else.

The test copies the project (the files git knows) to a scratch directory, runs the guide's
step-by-step blocks there as they are written (`# script:` blocks run, `# file:` blocks are
written to their path, the `sh` block's commands run), and checks that release, verify, the
grading of a class and the lab's browser-free tests pass, and that no file but the ones the
guide names was touched.
"""
from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.course.labs import ROOT

GUIDE = ROOT / "docs" / "authoring.md"
NEW_LAB = "99_squares"


def guide_blocks() -> list[tuple[str, str]]:
    """(language, code) of each fenced block of the guide's step-by-step section."""
    text = GUIDE.read_text(encoding="utf-8")
    section = text.split("## A lab of one exercise, step by step", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```(\w+)\n(.*?)```", section, re.S)


def tracked_files() -> list[str]:
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    return [name for name in listed.decode().split("\0") if name and (ROOT / name).is_file()]


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A copy of the project, as git has it, with a fresh git history of its own."""
    copy = tmp_path_factory.mktemp("project")
    for name in tracked_files():
        target = copy / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes((ROOT / name).read_bytes())
    for command in (["git", "init", "-q"], ["git", "add", "-A"],
                    ["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "copy"]):
        subprocess.run(command, cwd=copy, check=True)
    return copy


def run(command: list[str], cwd: Path, timeout: int = 900) -> subprocess.CompletedProcess:
    """A command in the copy, whose packages shadow the installed (editable) project."""
    env = dict(os.environ, PYTHONPATH=str(cwd))
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def test_the_guide_names_every_piece_of_a_lab():
    kinds = [code.splitlines()[0] for language, code in guide_blocks() if language == "python"]
    assert kinds == [f"# script: writes solutions/{NEW_LAB}/{NEW_LAB}.ipynb", "# file: labutils/checks/lab99.py",
                     "# file: autograder/judging/mistakes/lab99.py", "# file: autograder/judging/hidden_cases/lab99.py"]


def test_a_lab_added_by_following_the_guide_releases_verifies_grades_and_passes_the_tests(project):
    for language, code in guide_blocks():
        first = code.splitlines()[0]
        if first.startswith("# file: "):
            path = project / first.removeprefix("# file: ")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(code, encoding="utf-8")
        elif first.startswith("# script: "):
            done = run([sys.executable, "-c", code], project)
            assert done.returncode == 0, done.stderr
    commands = [shlex.split(line) for language, code in guide_blocks() if language == "sh"
                for line in code.splitlines() if line.strip()]
    assert commands, "the guide gives no commands"
    for command in commands:
        assert command[0] == ".venv/bin/python"
        done = run([sys.executable, *command[1:]], project)
        assert done.returncode == 0, f"{shlex.join(command)} failed:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
        if command[3:4] == ["verify"]:
            assert f"✔ {NEW_LAB}" in done.stdout
        if command[3:4] == ["demo"]:
            assert re.search(rf"{NEW_LAB}\s+\d+ submissions", done.stdout), done.stdout
        if command[1:3] == ["-m", "pytest"]:
            assert re.search(r"\d+ passed", done.stdout) and "failed" not in done.stdout, done.stdout[-3000:]

    status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=project,
                            capture_output=True, text=True, check=True).stdout.splitlines()
    touched = sorted(line[3:] for line in status if not line[3:].startswith(".scratch/"))
    assert touched == sorted([
        f"solutions/{NEW_LAB}/{NEW_LAB}.ipynb", "labutils/checks/lab99.py", "autograder/judging/mistakes/lab99.py",
        "autograder/judging/hidden_cases/lab99.py", f"labs/{NEW_LAB}/{NEW_LAB}.ipynb", f"labutils/checks/fixtures/{NEW_LAB}.json",
    ]), touched
