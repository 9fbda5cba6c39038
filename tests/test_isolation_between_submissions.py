"""Nothing one student does reaches the next (issue 29): on one worker, each hostile notebook is
followed by a correct one, which must score full marks; the round is graded three times in one
class. A student's /dev/shm file is invisible to the next, and the fork server's own file
descriptors are not in a kernel."""
from __future__ import annotations

import ast

import nbformat
import pytest

from autograder.demo.synthetic_class import completed_notebook, write_submission
from autograder.pipeline.run import grade
from autograder.sandbox.bubblewrap import bwrap_problem

LAB = "01_matrix_shapes"
TIMEOUT = 10

HOSTILE = {
    "fork-bomb": "import os, time\nfor _ in range(600):\n    if os.fork() == 0:\n        time.sleep(60)\n        os._exit(0)\n",
    "memory-bomb": ("import numpy as np\nhogs = []\ntry:\n    while True:\n"
                    "        hogs.append(np.ones(256 * 1024 ** 2, np.uint8))\nexcept MemoryError:\n    pass\n"),
    "output-flood": "import sys\nfor _ in range(50):\n    sys.stdout.write('x' * 1_000_000)\n",
    "detached-daemon": ("import os, time\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n"
                        "        while True:\n            time.sleep(0.1)\n    os._exit(0)\n"),
    "ignores-sigterm": ("import os, signal, time\nif os.fork() == 0:\n    signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
                        "    time.sleep(120)\n    os._exit(0)\n"),
    "writes-dev-shm": ("import os\nfor n in range(5):\n    with open(f'/dev/shm/left-{n}', 'wb') as f:\n"
                       "        f.write(b'secret' * 1000)\nprint('wrote', sorted(os.listdir('/dev/shm')))\n"),
}
LOOKS = ("import os\nprint('shm:', sorted(os.listdir('/dev/shm')))\nfound = []\n"
         "for fd in os.listdir('/proc/self/fd'):\n    try:\n        found.append((int(fd), os.readlink(f'/proc/self/fd/{fd}')))\n"
         "    except OSError:\n        pass\nprint('fds:', sorted(found))\n")

needs_sandbox = pytest.mark.skipif(bwrap_problem() is not None, reason=f"no sandbox here: {bwrap_problem()}")


def with_cell(code: str) -> nbformat.NotebookNode:
    """Lab 01 answered right, with `code` in a cell of its own after the setup cell."""
    nb = completed_notebook(LAB)
    nb.cells.insert(1, nbformat.v4.new_code_cell(code))
    return nb


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("isolation")
    order = []
    for round_ in range(3):
        for index, (kind, code) in enumerate(HOSTILE.items()):
            hostile, victim = f"r{round_}-{index}a-{kind}", f"r{round_}-{index}b-after-{kind}"
            write_submission(root / "submitted", hostile, LAB, with_cell(code))
            write_submission(root / "submitted", victim, LAB, with_cell(LOOKS))
            order.append((hostile, victim))
    results = grade(root / "submitted", root / "out", labs=[LAB], workers=1, timeout=TIMEOUT)
    return root, {r.student_id: r for r in results}, order


@needs_sandbox
def test_the_correct_notebook_after_each_hostile_one_on_the_same_worker_scores_full_marks(graded):
    _, results, order = graded
    failed = {victim: results[victim].sentence for _, victim in order
              if results[victim].points != results[victim].max_points}
    assert not failed, failed


@needs_sandbox
def test_no_status_hides_its_cause(graded):
    _, results, _ = graded
    assert not [r.sentence for r in results.values() if "above traceback" in r.sentence]


def printed(root, student_id: str) -> str:
    nb = nbformat.read(root / "out" / "autograded" / student_id / LAB / f"{LAB}.ipynb", as_version=4)
    return "".join(output.get("text", "") for output in nb.cells[1].get("outputs", []))


@needs_sandbox
def test_a_students_dev_shm_files_are_invisible_to_the_next_and_no_fork_server_pipe_is_inherited(graded):
    """The fork server's wake-up pipe is closed in the kernel: the only pipes are ipykernel's own."""
    root, _, order = graded
    for hostile, victim in order:
        if "writes-dev-shm" in hostile:
            assert "left-4" in printed(root, hostile)
            assert "shm: []" in printed(root, victim), printed(root, victim)
        fds = dict(ast.literal_eval(printed(root, victim).split("fds: ", 1)[1]))
        own = {fds[1], fds[2]}  # ipykernel's capture of the kernel's stdout and stderr
        assert not [target for target in fds.values() if target.startswith("pipe:") and target not in own], fds


def test_a_submission_nbgrader_could_not_grade_says_the_cause_and_keeps_the_log(tmp_path):
    """nbgrader ends its own message with "see the above traceback": the status says the last
    exception its log shows, the log is kept beside the result, and the report links it."""
    import logging

    from autograder.grading.results import SubmissionResult
    from autograder.grading.worker import NbgraderLog, result_log_path
    from autograder.outputs.report import report_html
    log = NbgraderLog()
    logger = logging.getLogger("nbgrader-of-a-test")
    logger.handlers, logger.propagate = [log], False
    logger.error("There was an error processing assignment: /x/ada/01_matrix_shapes")
    logger.error("Traceback (most recent call last):\n  File \"execution.py\", line 190, in start_kernel\n"
                 "RuntimeError: the kernel died before it answered its first request")
    assert log.cause() == "RuntimeError: the kernel died before it answered its first request"
    log.keep(result_log_path(tmp_path, "ada", LAB))
    assert "There was an error processing" in (tmp_path / "results" / "ada" / f"{LAB}.log").read_text()
    result = SubmissionResult("ada", LAB)
    result.fail(f"nbgrader could not grade it: {log.cause()}")
    page = report_html([result], "bubblewrap")
    assert f'<a href="results/ada/{LAB}.log">' in page and "above traceback" not in page
