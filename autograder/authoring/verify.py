"""Verify a lab: solution, stubs, judges and release agree.

    python -m autograder verify [LAB_ID ...]

For each lab:
1. the solution notebook, graded as a submission, scores full marks;
2. the untouched student notebook scores 0 on every autograded cell, and each cell
   fails with a message naming its task ("Lab 01, task 2: matmul");
3. every graded test cell has a judge, and every judge a cell;
4. no cell the grader runs reads a name that only cells tagged `skip-when-grading` define
   (the solution's full marks in 1 are earned with those cells skipped);
5. `labs/<lab>/` and the check fixtures are what `release` would write now
   (ignoring volatile metadata such as cell ids; the fixtures' numbers by value, see
   `autograder.authoring.public_outcomes`: another CPU's rounding is no difference);
6. what the prose claims holds: the solution notebook, run top to bottom with its seeds, passes
   every cell tagged `claims` (`autograder.authoring.claims`).
Prints a line per lab and each problem, naming the lab and the cell.
"""
from __future__ import annotations

import json
import shutil
import symtable
import tempfile
from pathlib import Path

from IPython.core.inputtransformer2 import TransformerManager

from autograder.authoring.claims import claims_problems, is_claims_cell
from autograder.authoring.public_outcomes import build_fixture, fixture_drift
from autograder.course.config import quiet_nbgrader
from autograder.course.labs import (
    FIXTURES,
    available_labs,
    defined_functions,
    is_skipped_when_grading,
    is_solution_cell,
    lab_number,
    read_notebook,
    source_path,
    student_path,
    task_of_test_cell,
    test_cells,
)
from autograder.course.student_version import generate_student_version
from autograder.grading.results import Status
from autograder.judging.judges import judges_for, secret_said
from autograder.pipeline.run import grade

VOLATILE_CELL_KEYS = {"id", "execution_count", "outputs"}


def comparable(nb) -> list[dict]:
    """A notebook's content without volatile metadata."""
    cells = []
    for cell in nb.cells:
        cells.append({key: value for key, value in cell.items() if key not in VOLATILE_CELL_KEYS})
    return cells


def release_problems(lab_id: str) -> list[str]:
    problems = []
    with tempfile.TemporaryDirectory() as scratch:
        fresh = generate_student_version(lab_id, Path(scratch)) / f"{lab_id}.ipynb"
        if not student_path(lab_id).exists():
            problems.append(f"labs/{lab_id}/{lab_id}.ipynb is missing: run `python -m autograder release`")
        elif comparable(read_notebook(fresh)) != comparable(read_notebook(student_path(lab_id))):
            problems.append(f"labs/{lab_id}/ differs from a fresh release of solutions/{lab_id}/: "
                            "run `python -m autograder release` (never edit labs/ by hand)")
    return problems + fixture_problems(lab_id)


def fixture_problems(lab_id: str, fixture: Path | None = None) -> list[str]:
    """The recorded fixture against a fresh one, by value (`autograder.authoring.public_outcomes.fixture_drift`)."""
    fixture = fixture or FIXTURES / f"{lab_id}.json"
    rerun = "run `python -m autograder release`"
    if not fixture.exists():
        return [f"labutils/checks/fixtures/{lab_id}.json is missing: {rerun}"]
    drift = fixture_drift(lab_id, json.loads(fixture.read_text(encoding="utf-8")), build_fixture(lab_id))
    return [f"labutils/checks/fixtures/{lab_id}.json is out of date ({problem}): {rerun}" for problem in drift]


def judge_problems(lab_id: str) -> list[str]:
    cells = test_cells(read_notebook(source_path(lab_id)))
    try:
        judges = judges_for(lab_id)
    except (ImportError, AttributeError, LookupError) as missing:
        return [f"{lab_id}: its judges cannot be built: {missing}"]
    problems = [f"{lab_id}: cell {grade_id!r} has no judge" for grade_id in cells if grade_id not in judges]
    problems += [f"{lab_id}: judge {grade_id!r} has no cell" for grade_id in judges if grade_id not in cells]
    for grade_id, cell in cells.items():
        if grade_id in judges and judges[grade_id].task != task_of_test_cell(cell):
            problems.append(f"{lab_id}: cell {grade_id!r} checks {task_of_test_cell(cell)}, "
                            f"its judge {judges[grade_id].task}")
    return problems


def names_bound_and_read(source: str) -> tuple[set[str], set[str]]:
    """The global names a cell binds (assignments, imports, def, class) and the ones it reads,
    at top level or from inside its functions and classes (a function's own locals are not reads)."""
    table = symtable.symtable(TransformerManager().transform_cell(source), "cell", "exec")
    bound = {s.get_name() for s in table.get_symbols() if s.is_assigned() or s.is_imported() or s.is_namespace()}
    read, scopes = set(), [table]
    while scopes:
        scope = scopes.pop()
        scopes.extend(scope.get_children())
        read |= {s.get_name() for s in scope.get_symbols()
                 if s.is_referenced() and (scope is table or s.is_global() or s.is_declared_global())}
    return bound, read


def skip_problems(lab_id: str) -> list[str]:
    """Cells the grader runs must not read what only skipped cells define: skipping them would
    change what the judged code does."""
    cells = [(cell, *names_bound_and_read(cell.source)) for cell in read_notebook(source_path(lab_id)).cells
             if cell.cell_type == "code" and not is_claims_cell(cell)]  # claims cells are never released
    only_skipped = set().union(*(bound for cell, bound, _ in cells if is_skipped_when_grading(cell)))
    only_skipped -= set().union(*(bound for cell, bound, _ in cells if not is_skipped_when_grading(cell)))
    problems = []
    for index, (cell, _, read) in enumerate(cells):
        needed = sorted(read & only_skipped)
        if needed and not is_skipped_when_grading(cell):
            problems.append(f"{lab_id}: code cell {index + 1} (run when grading) reads {', '.join(needed)}, "
                            "which only cells tagged skip-when-grading define")
    return problems


def exercise_names(lab_id: str) -> list[str]:
    """The functions and classes the lab's solution cells define."""
    return [name for cell in read_notebook(source_path(lab_id)).cells if is_solution_cell(cell)
            for name in defined_functions(cell.source)]


def grading_problems(lab_id: str) -> list[str]:
    problems = []
    with tempfile.TemporaryDirectory() as scratch:
        submitted = Path(scratch) / "submitted"
        for student, notebook in (("solution", source_path(lab_id)), ("untouched", student_path(lab_id))):
            (submitted / student / lab_id).mkdir(parents=True)
            shutil.copy(notebook, submitted / student / lab_id / f"{lab_id}.ipynb")
        # The demo secret unless NNLABS_COURSE_SECRET is set: verify grades the solution and the stubs,
        # no student's work, so any secret proves the same (`verify` prints which).
        results = {r.student_id: r for r in grade(submitted, Path(scratch) / "out", labs=[lab_id],
                                                  demo_secret=True)}
    solution, untouched = results["solution"], results["untouched"]
    if solution.status is not Status.GRADED or solution.points != solution.max_points:
        problems.append(f"{lab_id}: the solution scores {solution.points:g} / {solution.max_points:g} "
                        f"({solution.sentence})")
    for grade_id, cell in solution.cells.items():
        if not cell.check_passed:
            problems.append(f"{lab_id}: cell {grade_id!r}: the solution fails its check: {cell.check_message}")
        if not cell.judge.passed:
            problems.append(f"{lab_id}: cell {grade_id!r}: the solution fails its judge: {cell.judge.message}")
    if untouched.points != 0:
        problems.append(f"{lab_id}: the untouched student version scores {untouched.points:g}, not 0")
    task_prefix = f"Lab {lab_number(lab_id)}, task "
    exercises = set(exercise_names(lab_id))
    for grade_id, cell in untouched.cells.items():
        # A check the grader does not run (tagged skip-when-grading) leaves the word to the judge.
        message = cell.check_message or ("" if cell.judge.passed else cell.judge.message)
        # A cell that tests several exercises together (lab 08's end to end) names the first stub it meets.
        named = cell.task in message if cell.task in exercises else any(name in message for name in exercises)
        if (cell.check_passed and cell.judge.passed) or task_prefix not in message or not named:
            problems.append(f"{lab_id}: cell {grade_id!r}: the untouched version should fail naming "
                            f"'{task_prefix}N: {cell.task}'; it says {message!r}")
    return problems


def verify(lab_ids: list[str] | None = None) -> bool:
    quiet_nbgrader()
    print(f"(hidden cases drawn with {secret_said()})")
    all_good = True
    for lab_id in lab_ids or available_labs():
        problems = (judge_problems(lab_id) + skip_problems(lab_id) + release_problems(lab_id)
                    + grading_problems(lab_id) + claims_problems(lab_id))
        if problems:
            all_good = False
            print(f"✘ {lab_id}")
            for problem in problems:
                print(f"  - {problem}")
        else:
            print(f"✔ {lab_id}: solution full marks, stubs 0 naming their tasks, "
                  "every cell judged, nothing run needs a skipped cell, labs/ and fixtures up to date, "
                  "the prose's claims hold")
    return all_good
