"""`python -m autograder bundle`: the student kit holds no solution, no judge, no reference."""
import tomllib
from pathlib import Path

import pytest

from autograder.course.labs import (
    LABS,
    ROOT,
    available_labs,
    is_solution_cell,
    read_notebook,
    solution_bodies,
    source_path,
)
from autograder.learners.student_kit import bundle


def normalized(text: str) -> str:
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def every_solution_body() -> list[str]:
    """The code between the solution markers of every solution cell, normalized."""
    bodies = []
    for lab_id in available_labs():
        for cell in read_notebook(source_path(lab_id)).cells:
            if is_solution_cell(cell):
                bodies += [normalized(body) for body in solution_bodies(cell.source) if normalized(body)]
    return bodies


def lines_of(paths) -> set[str]:
    return {line.strip() for path in paths for line in path.read_text(encoding="utf-8").splitlines()}


def instructor_lines() -> set[str]:
    """Lines of autograder/ long enough to be its own (50 characters or more), leaving out
    imports, lines labutils shares by design, and student_kit.py (the kit's own templates)."""
    shared = lines_of((ROOT / "labutils").rglob("*.py"))
    own = lines_of(p for p in (ROOT / "autograder").rglob("*.py") if p.name != "student_kit.py")
    return {line for line in own - shared
            if len(line) >= 50 and not line.startswith(("from ", "import ", '"written_by"'))}


def kit_texts(kit: Path) -> dict[Path, str]:
    """Each file's text; a notebook's is its cells' sources (its JSON quotes every line)."""
    texts = {}
    for path in (p for p in kit.rglob("*") if p.is_file()):
        text = path.read_text(encoding="utf-8", errors="replace")
        if path.suffix == ".ipynb":
            text = "\n".join(cell.source for cell in read_notebook(path).cells)
        texts[path] = text
    return texts


def leaks(kit: Path) -> list[str]:
    found = []
    texts = {path: (text, normalized(text)) for path, text in kit_texts(kit).items()}
    for body in every_solution_body():
        found += [f"solution code in {p.relative_to(kit)}: {body[:60]!r}" for p, (_, n) in texts.items() if body in n]
    lines = instructor_lines()
    for path, (text, _) in texts.items():
        found += [f"autograder/ line in {path.relative_to(kit)}: {line[:60]!r}"
                  for line in {raw.strip() for raw in text.splitlines()} & lines]
    found += [f"instructor file {p.relative_to(kit)}" for p in kit.rglob("*")
              if p.name in ("autograder", "solutions", "gradebook.db")]
    return found


@pytest.fixture(scope="module")
def kit(tmp_path_factory):
    return bundle(tmp_path_factory.mktemp("kit") / "kit")


def test_the_kit_holds_the_labs_labutils_environment_and_a_readme(kit):
    assert sorted(p.name for p in kit.iterdir()) == [
        "Makefile", "README.md", "environment.yml", "labs", "labutils", "pyproject.toml"]
    for lab_id in available_labs():
        assert (kit / "labs" / lab_id / f"{lab_id}.ipynb").read_bytes() == (LABS / lab_id / f"{lab_id}.ipynb").read_bytes()
    assert (kit / "labutils" / "data" / "sentences.tsv").exists() and (kit / "labutils" / "data" / "DATA_CARD.md").exists()
    dependencies = tomllib.loads((kit / "pyproject.toml").read_text())["project"]["dependencies"]
    assert "torch==2.13.0" in dependencies and not any(d.startswith("nbgrader") for d in dependencies)
    assert "make lab" in (kit / "README.md").read_text()


def test_the_kit_holds_no_solution_code_no_judge_and_nothing_of_autograder(kit):
    assert every_solution_body() and instructor_lines()
    assert leaks(kit) == []


def test_the_leak_test_finds_a_solution_or_a_judge_slipped_into_a_kit(tmp_path):
    kit = bundle(tmp_path / "kit")
    (kit / "labs" / "answers.ipynb").write_bytes(source_path("03_softmax").read_bytes())
    (kit / "labutils" / "judge.py").write_bytes((ROOT / "autograder" / "judging" / "judges.py").read_bytes())
    found = leaks(kit)
    assert any("solution code in labs/answers.ipynb" in f for f in found)
    assert any("autograder/ line in labutils/judge.py" in f for f in found)
