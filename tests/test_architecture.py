"""The house's rules (docs/architecture.md): layers, no import cycle, modules a reader can hold.

The layers are import-linter's contract in pyproject.toml; `make lint` checks it before the
tests, and these tests show that the check can fail.
"""
import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
PACKAGES = ("autograder", "labutils")
LONG = 400  # lines; a longer module says why in its docstring, in a line starting "Over 400 lines"


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    """import-linter on the copy of the project at `root`, with the contract of its pyproject.toml."""
    environment = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run([str(LINT_IMPORTS), "--no-cache", "--config", str(root / "pyproject.toml")],
                          cwd=root, env=environment, capture_output=True, text=True, timeout=120)


@pytest.fixture
def project_copy(tmp_path) -> Path:
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__", "data"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_layers_contract_holds():
    done = lint_imports(ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 kept, 0 broken" in done.stdout


@pytest.mark.parametrize("low, high", [
    ("autograder/sandbox/bubblewrap.py", "autograder.pipeline.run"),
    ("autograder/grading/results.py", "autograder.outputs.report"),
    ("autograder/judging/reference.py", "autograder.intake.submissions"),  # siblings on one layer
    ("labutils/examine.py", "autograder.judging.judges"),  # what students import, importing the grader
])
def test_a_low_layer_importing_a_high_one_breaks_the_contract(project_copy, low, high):
    assert lint_imports(project_copy).returncode == 0  # the copy keeps the contract, until:
    with (project_copy / low).open("a") as module:
        module.write(f"\nimport {high}  # noqa\n")
    done = lint_imports(project_copy)
    importer = low.removesuffix(".py").replace("/", ".")
    assert done.returncode != 0
    assert f"{importer} -> {high}" in done.stdout


def test_a_new_package_nobody_placed_in_the_layers_breaks_the_contract(project_copy):
    (project_copy / "autograder" / "misc").mkdir()
    (project_copy / "autograder" / "misc" / "__init__.py").write_text('"""Unplaced."""\n')
    done = lint_imports(project_copy)
    assert done.returncode != 0 and "autograder.misc" in done.stdout


def import_cycles(graph: grimp.ImportGraph, modules: set[str]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index, low, stack, on_stack, cycles, counter = {}, {}, [], set(), [], [0]

    def visit(module: str) -> None:
        index[module] = low[module] = counter[0]
        counter[0] += 1
        stack.append(module)
        on_stack.add(module)
        for imported in graph.find_modules_directly_imported_by(module) & modules:
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in sorted(modules):
        if module not in index:
            visit(module)
    return cycles


def test_no_import_cycle_in_autograder_or_labutils():
    graph = grimp.build_graph(*PACKAGES)
    assert import_cycles(graph, set(graph.modules)) == []


def test_the_cycle_finder_finds_a_cycle_and_nothing_else():
    graph = grimp.ImportGraph()
    for importer, imported in [("p.a", "p.b"), ("p.b", "p.c"), ("p.c", "p.a"), ("p.c", "p.d"), ("p.d", "p.e")]:
        graph.add_import(importer=importer, imported=imported)
    assert import_cycles(graph, set(graph.modules)) == [["p.a", "p.b", "p.c"]]
    graph.remove_import(importer="p.c", imported="p.a")
    assert import_cycles(graph, set(graph.modules)) == []


def python_modules() -> list[Path]:
    return sorted(path for package in PACKAGES for path in (ROOT / package).rglob("*.py")
                  if "__pycache__" not in path.parts)


@pytest.mark.parametrize("path", python_modules(), ids=lambda path: str(path.relative_to(ROOT)))
def test_a_module_over_400_lines_says_why(path):
    text = path.read_text(encoding="utf-8")
    lines = len(text.splitlines())
    docstring = ast.get_docstring(ast.parse(text)) or ""
    assert lines <= LONG or "Over 400 lines" in docstring, f"{lines} lines and no reason in the docstring"


def subpackages() -> list[Path]:
    return sorted(path.parent for path in (ROOT / "autograder").glob("*/__init__.py"))


@pytest.mark.parametrize("package", subpackages(), ids=lambda path: path.name)
def test_each_package_of_autograder_says_what_it_owns_and_may_import(package):
    docstring = ast.get_docstring(ast.parse((package / "__init__.py").read_text(encoding="utf-8"))) or ""
    assert "May import" in docstring
    modules = [p.stem for p in package.glob("*.py") if p.stem != "__init__"]
    modules += [p.name for p in package.iterdir() if (p / "__init__.py").exists()]
    missing = [name for name in modules if f"`{name}" not in docstring]
    assert missing == [], f"{package.name}'s docstring does not name {missing}"


def test_one_engine_compares_outcomes_for_checks_and_judges():
    """"One exercise, one engine": only `labutils.examine` holds an outcome against the right
    one; a lab's check or judge module says how (a diagnosis, a ground), never compares itself."""
    comparing = sorted(str(path.relative_to(ROOT)) for path in python_modules()
                       if "outcome_difference(" in path.read_text(encoding="utf-8"))
    assert comparing == ["labutils/call_outcomes.py", "labutils/examine.py"]
