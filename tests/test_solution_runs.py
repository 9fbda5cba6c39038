"""A lab's solution run (autograder/course/solution_runs.py): run once, read by `verify`'s claims and
the walk-through site, run again when anything it depends on changes."""
import shutil
import threading

import nbformat
import pytest

from autograder.course import solution_runs
from autograder.course.labs import source_path

LAB = "01_matrix_shapes"


@pytest.fixture
def counted(tmp_path, monkeypatch):
    """Runs kept under tmp_path; the list of the notebooks actually run."""
    monkeypatch.setattr(solution_runs, "RUNS", tmp_path / "runs")
    ran = []
    real = solution_runs.run_notebook

    def counting(nb, folder):
        ran.append(folder)
        return real(nb, folder)

    monkeypatch.setattr(solution_runs, "run_notebook", counting)
    return ran


def test_a_lab_runs_once_and_every_reader_gets_its_own_copy(counted):
    first = solution_runs.solution_run(LAB)
    outputs = [cell.get("outputs") for cell in first.cells if cell.cell_type == "code"]
    assert any(outputs) and not any(o.get("output_type") == "error" for out in outputs for o in out)
    assert not any("### BEGIN SOLUTION" in cell.source for cell in first.cells)
    first.cells.clear()
    second = solution_runs.solution_run(LAB)
    assert len(counted) == 1 and [c.source for c in second.cells] == [c.source for c in solution_runs.solution_run(LAB).cells]
    assert len(list((solution_runs.RUNS).glob(f"{LAB}-*.ipynb"))) == 1


def test_a_changed_notebook_runs_again_and_its_old_run_is_dropped(counted, tmp_path, monkeypatch):
    copy = tmp_path / "solutions" / LAB / f"{LAB}.ipynb"
    copy.parent.mkdir(parents=True)
    shutil.copy(source_path(LAB), copy)
    monkeypatch.setattr(solution_runs, "source_path", lambda lab_id: copy)
    before = solution_runs.run_digest(LAB)
    solution_runs.solution_run(LAB)
    nb = nbformat.read(copy, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("print('one more cell')"))
    nbformat.write(nb, copy)
    assert solution_runs.run_digest(LAB) != before
    again = solution_runs.solution_run(LAB)
    assert len(counted) == 2 and again.cells[-1].outputs[0]["text"] == "one more cell\n"
    assert [p.name for p in solution_runs.RUNS.glob(f"{LAB}-*.ipynb")] == [f"{LAB}-{solution_runs.run_digest(LAB)}.ipynb"]


def test_two_readers_at_once_share_one_run(counted):
    results = []
    threads = [threading.Thread(target=lambda: results.append(solution_runs.solution_run(LAB))) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(counted) == 1 and len(results) == 2
