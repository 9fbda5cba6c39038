"""A lab can be added by following docs/authoring.md, and by nothing else.

For each of the guide's two worked examples (lab 99, one exercise; lab 98, a forward pass and
its backward), the test copies the project (the files git knows) to a scratch directory, runs
the section's step-by-step blocks there as they are written (`# script:` blocks run, `# file:` blocks are
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
# Each worked example: its section's heading, the lab it adds.
EXAMPLES = {"99_squares": "## A lab of one exercise, step by step",
            "98_leaky_relu": "## A forward pass and its backward, step by step"}
# Test ids that do not contain the lab ids: the guide's `pytest -k <lab id>`, run in the copy,
# must not select these tests again.
EXAMPLE_IDS = ["one-exercise", "forward-and-backward"]


def guide_blocks(lab_id: str) -> list[tuple[str, str]]:
    """(language, code) of each fenced block of the guide's section that adds `lab_id`."""
    text = GUIDE.read_text(encoding="utf-8")
    section = text.split(EXAMPLES[lab_id], 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```(\w+)\n(.*?)```", section, re.S)


def lab_files(lab_id: str) -> list[str]:
    """The four files an author writes for a lab, in the guide's order."""
    number = lab_id[:2]
    return [f"solutions/{lab_id}/{lab_id}.ipynb", f"labutils/checks/lab{number}.py",
            f"autograder/judging/mistakes/lab{number}.py", f"autograder/judging/hidden_cases/lab{number}.py"]


def tracked_files() -> list[str]:
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    return [name for name in listed.decode().split("\0") if name and (ROOT / name).is_file()]


@pytest.fixture
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


@pytest.mark.parametrize("lab_id", EXAMPLES, ids=EXAMPLE_IDS)
def test_the_guide_names_every_piece_of_a_lab(lab_id):
    kinds = [code.splitlines()[0] for language, code in guide_blocks(lab_id) if language == "python"]
    script, *files = lab_files(lab_id)
    assert kinds == [f"# script: writes {script}", *(f"# file: {name}" for name in files)]


@pytest.mark.parametrize("lab_id", EXAMPLES, ids=EXAMPLE_IDS)
def test_a_lab_added_by_following_the_guide_releases_verifies_grades_and_passes_the_tests(project, lab_id):
    for language, code in guide_blocks(lab_id):
        first = code.splitlines()[0]
        if first.startswith("# file: "):
            path = project / first.removeprefix("# file: ")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(code, encoding="utf-8")
        elif first.startswith("# script: "):
            done = run([sys.executable, "-c", code], project)
            assert done.returncode == 0, done.stderr
    commands = [shlex.split(line) for language, code in guide_blocks(lab_id) if language == "sh"
                for line in code.splitlines() if line.strip()]
    assert commands, "the guide gives no commands"
    for command in commands:
        assert command[0] == ".venv/bin/python"
        done = run([sys.executable, *command[1:]], project)
        assert done.returncode == 0, f"{shlex.join(command)} failed:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
        if command[3:4] == ["verify"]:
            assert f"✔ {lab_id}" in done.stdout
        if command[3:4] == ["demo"]:
            assert re.search(rf"{lab_id}\s+\d+ submissions", done.stdout), done.stdout
        if command[1:3] == ["-m", "pytest"]:
            assert re.search(r"\d+ passed", done.stdout) and "failed" not in done.stdout, done.stdout[-3000:]

    status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=project,
                            capture_output=True, text=True, check=True).stdout.splitlines()
    touched = sorted(line[3:] for line in status if not line[3:].startswith(".scratch/"))
    assert touched == sorted([*lab_files(lab_id), f"labs/{lab_id}/{lab_id}.ipynb",
                              f"labutils/checks/fixtures/{lab_id}.json"]), touched
