"""A grading run's fixed start-up cost, cut (issue 29, item 5), without losing what it guarded:

- the workers' fork servers import what the graded labs' notebooks import: lab 01's, no torch
  and no matplotlib (about 2.5 s of each fork server's start); every lab's where none is named;
- where the grading process has not imported torch, its workers are forks of it (milliseconds,
  not the seconds of multiprocessing's fork server importing the worker's modules); and there,
  what a student leaves in the sandbox (a file in /dev/shm, a detached daemon) still never reaches
  the next student, and the grades are those of workers whose fork servers import everything.

`make test` imports torch as it collects the tests, so its other grading runs take the other
path (multiprocessing's fork server): these runs go in a fresh process.
"""
from __future__ import annotations

import json
import subprocess
import sys

import nbformat
import pytest

from autograder.course.labs import student_path
from autograder.demo.synthetic_class import build_class, completed_notebook, one_student_per_mistake, write_submission
from autograder.sandbox import fork_server_process
from autograder.sandbox.bubblewrap import bwrap_problem
from autograder.sandbox.fork_server import notebook_imports

LAB = "01_matrix_shapes"


def test_notebook_imports_name_what_each_labs_notebook_imports():
    lab01 = notebook_imports([student_path(LAB)])
    assert {"numpy", "labutils.checks", "labutils.checks.lab01"} <= set(lab01)
    assert not [name for name in lab01 if name.split(".")[0] in ("torch", "matplotlib")]
    lab02 = notebook_imports([student_path("02_activations")])
    assert {"torch", "torch.nn.functional", "matplotlib.pyplot", "labutils.checks.lab02"} <= set(lab02)


PRELOAD = """
import json, runpy, sys, threading
preload = runpy.run_path({path!r}, run_name="fork_server_process")["preload"]
preload({modules!r})
names = ("torch", "matplotlib", "labutils.checks.lab01", "labutils.checks.lab02", "labutils.judge_calls")
print(json.dumps([name in sys.modules for name in names] + [threading.active_count()]))
"""


def preloaded(modules: list[str] | None) -> list:
    """What the fork server's `preload(modules)` imported (torch, matplotlib, lab 01's and lab 02's
    checks, the judges' calls) and the threads it runs after."""
    code = PRELOAD.format(path=fork_server_process.__file__, modules=modules)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.splitlines()[-1])


def test_a_fork_server_for_lab_01_imports_neither_torch_nor_matplotlib_and_one_for_every_lab_both():
    assert preloaded(list(notebook_imports([student_path(LAB)]))) == [False, False, True, False, True, 1]
    assert preloaded(list(notebook_imports([student_path("02_activations")]))) == [True, True, True, True, True, 1]
    assert preloaded(None) == [True, True, True, True, True, 1]


LEAVES = ("import os, time\nwith open('/dev/shm/left', 'wb') as f:\n    f.write(b'secret')\n"
          "if os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n        while True:\n            time.sleep(0.1)\n"
          "    os._exit(0)\n")
LOOKS = "import os\nprint('shm:', sorted(os.listdir('/dev/shm')))\n"

GRADE = """
import json, sys
from pathlib import Path
import autograder.pipeline.run as run
root, everything = Path(sys.argv[1]), sys.argv[2] == "everything"
if everything:  # as before: workers from multiprocessing's fork server, fork servers that import every lab's modules
    import torch
    run.kernel_imports = lambda lab_ids: None
results = run.grade(root / "submitted", root / ("out-" + sys.argv[2]), labs=[{lab!r}], workers=1, timeout=10)
print(json.dumps({{"torch": "torch" in sys.modules, "grades": {{r.student_id: [r.status.value, r.points] for r in results}}}}))
"""


def graded(root, how: str) -> dict:
    done = subprocess.run([sys.executable, "-c", GRADE.format(lab=LAB), str(root), how],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.splitlines()[-1])


def with_cell(code: str) -> nbformat.NotebookNode:
    nb = completed_notebook(LAB)
    nb.cells.insert(1, nbformat.v4.new_code_cell(code))
    return nb


@pytest.mark.skipif(bwrap_problem() is not None, reason=f"no sandbox here: {bwrap_problem()}")
def test_workers_forked_from_the_grading_process_keep_students_apart_and_grade_the_same(tmp_path):
    build_class(one_student_per_mistake(LAB), tmp_path / "submitted")
    write_submission(tmp_path / "submitted", "y-leaves", LAB, with_cell(LEAVES))
    write_submission(tmp_path / "submitted", "z-looks", LAB, with_cell(LOOKS))  # graded after it, same worker
    lean = graded(tmp_path, "lean")
    assert lean["torch"] is False  # so the workers were forks of the grading process
    report = (tmp_path / "out-lean" / "report.html").read_text()
    assert '<p class="info">Kernel starts: ' in report  # every kernel forked from a fork server, none cold
    looked = nbformat.read(tmp_path / "out-lean" / "autograded" / "z-looks" / LAB / f"{LAB}.ipynb", as_version=4)
    assert "shm: []" in "".join(output.get("text", "") for output in looked.cells[1].get("outputs", []))
    assert lean["grades"]["z-looks"] == ["graded", 5.0] and lean["grades"]["y-leaves"] == ["graded", 5.0]
    assert graded(tmp_path, "everything")["grades"] == lean["grades"]
