"""nbgrader's Execute, in a sandbox, with hard limits, then the judges against the live kernel.

`JudgedExecute` replaces nbgrader's `Execute` in the autograde pipeline:

- the kernel runs in a bubblewrap sandbox (`autograder.sandbox.kernels.SandboxedKernelManager`);
- a cell past its timeout is interrupted; one that ignores the interrupt (a loop that
  swallows KeyboardInterrupt) gets the kernel killed;
- output past `output_mb` is dropped with a note; at ten times that the cell is interrupted
  (the output it had already written, still arriving, is dropped: it costs no other cell); a
  cell that keeps writing runs into its timeout, and ignoring that interrupt gets the kernel
  killed;
- cells tagged `skip-when-grading` (demo cells no judge needs) are not run; each says so;
- after the last cell each graded cell's judge runs (`autograder.judging.judges`) and its verdict
  is appended to the test cell's outputs;
- when the kernel dies (a segfault, `os._exit`) or is killed, in a cell or during a judge,
  a fresh kernel starts in a fresh sandbox (same limits), the notebook runs again without
  the cells that ended a kernel (each gets an error output saying why it was not run), and
  grading goes on: with the cells after it, or the judges not yet run. Only the exercise
  whose cell or judge ended the kernel loses its points. At most `max_restarts` times;
- the whole notebook, restarts and judges included, has a wall-clock limit: past it the
  sandbox is killed, every process in it, and nothing is restarted.

`resources["nbgrader"]["execution"]` is the run's `autograder.grading.results.Execution` (each end
of a kernel it recovered from, the one it did not, the cells timed out); `["cells"]` a
`CellResult` per graded cell (its check and verdict; `SaveJudgedGrades` adds the points).

Over 400 lines because it is one class: the methods of `JudgedExecute` share one run's state
(its kernel, the deaths it recovered from, the wall clock, the output counted), and each
method is one of the steps above.
"""
from __future__ import annotations

import asyncio
import re
import threading
import time
import traceback
from dataclasses import replace
from queue import Empty

import nbformat
from jupyter_core.utils import ensure_async
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError
from nbclient.util import run_hook, run_sync
from nbformat import NotebookNode
from nbgrader.preprocessors import Execute
from traitlets import Bool, Float, Integer, Unicode

from autograder.course.labs import SKIP_WHEN_GRADING, is_skipped_when_grading, is_test_cell, nbgrader_meta
from autograder.grading.kernel_subject import KernelSubject
from autograder.grading.results import CellResult, Execution, KernelDeath
from autograder.grading.scoring import Scoring
from autograder.judging.judges import Verdict, course_secret, judge_seed, judges_for, run_judge
from autograder.sandbox.bubblewrap import Limits
from autograder.sandbox.kernels import FORKED, SandboxedKernelManager


def skipped_output() -> NotebookNode:
    return nbformat.v4.new_output("stream", name="stdout", text=(
        f"(not run when grading: the instructor tagged this cell {SKIP_WHEN_GRADING!r}: a figure, a table, "
        "or a check that needs your other labs' notebooks; the judges decide the points)\n"))


def first_error(cell) -> dict | None:
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            return output
    return None


def error_output(ename: str, evalue: str) -> NotebookNode:
    return NotebookNode(output_type="error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])


ANSI_CODES = re.compile(r"\x1b\[[0-9;]*m")


def error_text(output: dict | None) -> str | None:
    """"IndexError: index 2 is out of bounds ... (raised while checking matmul on ...)": the
    error and the notes Python added to it (the check's note naming the case), which the
    traceback holds after the error's own line."""
    if output is None:
        return None
    said = f"{output.get('ename', '')}: {output.get('evalue', '')}"
    lines = ANSI_CODES.sub("", "\n".join(output.get("traceback", []))).splitlines()
    own = [index for index, line in enumerate(lines) if line.strip() == said.strip()]
    notes = [line.strip() for line in lines[own[-1] + 1:] if line.strip()] if own else []
    return " ".join([said, *notes])


def verdict_output(verdict: Verdict) -> NotebookNode:
    if verdict.passed:
        return NotebookNode(output_type="stream", name="stdout", text=f"[hidden tests] {verdict.message}\n")
    return error_output("HiddenTestsFailed", verdict.message)


class JudgedExecute(Execute):
    """nbgrader's Execute, confined and limited, then the judges (see the module docstring)."""

    secret = Unicode(help="Course secret the judges' seeds are derived from.").tag(config=True)
    wall_seconds = Integer(Limits.wall_seconds, help="Wall-clock limit of the notebook, judges included.").tag(config=True)
    output_mb = Float(Limits.output_mb, help="Output kept per notebook (see the module docstring).").tag(config=True)
    interrupt_grace = Float(3.0, help="Seconds a timed-out cell gets to obey the interrupt.").tag(config=True)
    max_restarts = Integer(3, help="Fresh kernels a notebook may get after one dies or is killed.").tag(config=True)
    # After a cell's reply, the output it wrote may still be arriving (a flood that was interrupted,
    # on a loaded machine: tens of MB). nbgrader makes a wait past iopub_timeout fail the whole
    # notebook; here the cell's own output past that is dropped and the notebook goes on (the next
    # cell reads only its own messages).
    raise_on_iopub_timeout = Bool(False, help="Fail the notebook when a cell's output is still arriving "
                                              "iopub_timeout seconds after its reply.").tag(config=True)
    iopub_timeout = Integer(10, help="Seconds to wait for a cell's remaining output after its reply.").tag(config=True)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("kernel_manager_class", SandboxedKernelManager)
        # Nothing in a graded kernel is worth a polite goodbye: killing the sandbox saves ~1 s.
        kwargs.setdefault("shutdown_kernel", "immediate")
        super().__init__(*args, **kwargs)

    # -- limits -----------------------------------------------------------------------

    def kill(self, reason: str) -> None:
        """End the kernel and every process it started; `reason` goes into the record."""
        if self.kill_reason is None:
            self.kill_reason = reason
        km = self.km  # read once: another thread (the watchdog) may call this
        if km is not None:
            km.kill_sandbox()

    def wall_clock_passed(self) -> None:
        """The watchdog's end: kill the kernel, and no kernel may start after it."""
        self.out_of_time = True
        self.kill(self.wall_clock_reason())

    def wall_clock_reason(self) -> str:
        return f"the notebook ran past the wall-clock limit of {self.wall_seconds} s"

    async def _async_handle_timeout(self, timeout: int, cell: NotebookNode | None = None):
        if self.counting_output:
            self.timed_out.append(self.current_index)
        await ensure_async(self.km.interrupt_kernel())
        # An interrupt that lands after the cell's code ended but before the kernel replied
        # is caught by the kernel itself ("KeyboardInterrupt caught in kernel"), and the
        # cell's reply never comes. A kernel that is idle answers a kernel_info request:
        # either reply within the grace means the kernel obeyed. (The other reply comes
        # later and is ignored: replies are matched by message id.)
        self.kc.kernel_info()
        try:
            await ensure_async(self.kc.shell_channel.get_msg(timeout=self.interrupt_grace))
        except Empty:
            self.kill(f"ran past the {timeout} s limit and ignored the interrupt")
            raise DeadKernelError("killed after a timeout") from None
        return {"content": {**self.error_on_timeout, "evalue": f"ran past the {timeout} s limit",
                            "status": "error"}}

    def output(self, outs, msg, display_id, cell_index):
        if self.counting_output:
            content = msg.get("content", {})
            self.output_bytes += len(str(content.get("text", ""))) + sum(
                len(str(v)) for v in content.get("data", {}).values())
            limit = self.output_mb * 1024 * 1024
            if self.output_bytes > 10 * limit and self.flooded is None:
                # What the cell had already written before the interrupt still arrives (its output
                # is dropped); a cell that goes on writing meets its timeout, whose interrupt is
                # checked for obedience: only then is a kernel killed.
                self.flooded = f"cell {cell_index} printed more than {10 * self.output_mb:g} MB and was interrupted"
                asyncio.ensure_future(self.km.interrupt_kernel())
            if self.output_bytes > limit:
                if not self.output_dropped:
                    self.output_dropped = True
                    outs.append(NotebookNode(output_type="stream", name="stderr", text=(
                        f"\n[grader] output past {self.output_mb:g} MB is not kept\n")))
                return None
        return super().output(outs, msg, display_id, cell_index)

    def reset_output_trackers(self) -> None:
        """Each run of the notebook counts its own output and timeouts."""
        self.timed_out: list[int] = []
        self.output_bytes, self.output_dropped = 0, False
        self.flooded: str | None = None
        self.flood_drained = False

    # -- kernels ----------------------------------------------------------------------------

    def start_kernel(self) -> None:
        """A kernel in a fresh sandbox, with its client, ready for the notebook. One that dies
        before its first reply is tried once more in a fresh sandbox, cold if it was forked (the
        fork server may be at fault); only a second failure goes up."""
        try:
            self.start_one_kernel(cold=False)
        except (RuntimeError, OSError) as first:
            retry_cold = self.km is not None and self.km.kernel_start() == FORKED
            self.log.warning("a kernel died before its first reply (%s); trying once more%s", first,
                             " cold" if retry_cold else "")
            self.stop_kernel()
            self.start_one_kernel(cold=retry_cold)

    def start_one_kernel(self, cold: bool) -> None:
        self.kill_reason = None
        self.km = self.create_kernel_manager()
        self.km.cold = cold
        self.start_new_kernel()
        info = self.connect_client()
        self.nb.metadata["language_info"] = info["content"]["language_info"]
        self.km.mark_log()
        self.kernel_start = self.km.kernel_start()
        if self.out_of_time:  # the watchdog fired while it started, and may have missed it
            self.km.kill_sandbox()

    async def async_connect_client(self) -> dict:
        """The kernel's client, once the kernel has answered a kernel_info request and its
        IOPub reaches the client; returns the reply.

        As nbclient's `start_new_kernel_client`, but jupyter_client's `wait_for_ready` ends by
        listening on IOPub until it has been silent for 0.2 s: half of a forked kernel's start.
        Here the idle status of our own request says that IOPub is connected. When the
        kernel's welcome to the subscription comes instead, the status may have gone out
        before it: the request is asked again, and its status is sure to come."""
        self.kc = self.km.client()
        await ensure_async(self.kc.start_channels())
        deadline = time.monotonic() + self.startup_timeout
        try:
            while True:
                request = self.kc.kernel_info()
                reply = await self.kernel_info_reply(request, deadline)
                if await self.idle_after(request, min(deadline, time.monotonic() + 0.5)):
                    break
        except Exception:
            await self._async_cleanup_kernel()
            raise
        self.kc._handle_kernel_info_reply(reply)  # the protocol version the session speaks
        self.kc.allow_stdin = False
        await run_hook(self.on_notebook_start, notebook=self.nb)
        return reply

    connect_client = run_sync(async_connect_client)

    async def kernel_info_reply(self, request: str, deadline: float) -> dict:
        """The shell reply to `request`; a RuntimeError when the kernel dies or is silent past `deadline`."""
        while True:
            try:
                message = await ensure_async(self.kc.shell_channel.get_msg(timeout=1))
            except Empty:
                if not await ensure_async(self.km.is_alive()):
                    raise RuntimeError("the kernel died before it answered its first request") from None
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the kernel did not answer in {self.startup_timeout} s") from None
                continue
            if message["parent_header"].get("msg_id") == request:
                return message

    async def idle_after(self, request: str, until: float) -> bool:
        """Whether IOPub brings the idle status of `request`: False at the kernel's welcome
        to our subscription (ipykernel 7 sends one; the status may have gone before it), or at `until`."""
        while (left := until - time.monotonic()) > 0:
            try:
                message = await ensure_async(self.kc.iopub_channel.get_msg(timeout=left))
            except Empty:
                return False
            if message["msg_type"] == "iopub_welcome":
                return False
            if (message["msg_type"] == "status" and message["content"].get("execution_state") == "idle"
                    and message["parent_header"].get("msg_id") == request):
                return True
        return False

    async def async_drain_iopub(self, seconds: float = 60.0) -> None:
        """After a flood: read and drop what IOPub still holds of it, up to the idle status of a
        kernel_info request sent now (the kernel publishes it after the backlog), so that the
        next cell's time is its own."""
        self.flood_drained = True
        request = self.kc.kernel_info()
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            try:
                message = await ensure_async(self.kc.iopub_channel.get_msg(timeout=left))
            except Empty:
                return
            if (message["msg_type"] == "status" and message["content"].get("execution_state") == "idle"
                    and message["parent_header"].get("msg_id") == request):
                return

    drain_iopub = run_sync(async_drain_iopub)

    def stop_kernel(self) -> None:
        """End the kernel, its sandbox and its client (safe when it is already dead)."""
        if self.km is not None:
            self._cleanup_kernel()
        self.km = self.kc = None

    def restart_kernel(self) -> bool:
        """Replace a dead kernel with a fresh one; False when none may start (see `no_restart`)."""
        if self.no_restart() is not None:
            return False
        self.restarts += 1
        self.stop_kernel()
        try:
            self.start_kernel()
        except (RuntimeError, OSError) as exc:  # it could not start, or died starting (DeadKernelError)
            self.log.error("a fresh kernel could not start: %s", exc)
            self.restart_failed = str(exc)
            return False
        return not self.out_of_time

    def no_restart(self) -> str | None:
        """Why no fresh kernel may start now, or None."""
        if self.out_of_time:
            return "the wall clock had run out"
        if self.restart_failed:
            return f"a fresh kernel could not start ({self.restart_failed})"
        if self.restarts >= self.max_restarts:
            return f"the kernel had already been restarted {self.restarts} times"
        return None

    def death(self, **where) -> KernelDeath:
        """How the kernel just ended (it did: a DeadKernelError came), at `where` (cell= or judge=, task=)."""
        if self.kill_reason is not None:
            return KernelDeath("killed", self.kill_reason, **where)
        return KernelDeath("crashed", self.km.exit_reason() or "the kernel died", log=self.km.log_tail()[:200], **where)

    def end_for_good(self, death: KernelDeath) -> None:
        """The kernel ended at `death` and no fresh one takes over: what is left scores 0."""
        if self.out_of_time:  # whatever ended it last, the wall clock is why nothing goes on
            death = replace(death, kind="killed", reason=self.wall_clock_reason())
        self.fatal_death, self.not_restarted = death, self.no_restart() or ""

    # -- the run ------------------------------------------------------------------------

    def preprocess(self, nb: NotebookNode, resources: dict, km=None):
        # As nbconvert's ExecutePreprocessor.preprocess, with limits, restarts and the judges
        # before shutdown. `km` is not supported: each restart needs a manager of its own.
        NotebookClient.__init__(self, nb, None)
        self.reset_execution_trackers()
        self._check_assign_resources(resources)
        self.kill_reason: str | None = None
        self.out_of_time = False
        self.restarts, self.restart_failed = 0, None
        self.deaths: list[KernelDeath] = []  # the ends recovered from
        self.fatal_death: KernelDeath | None = None  # the end not recovered from
        self.not_restarted = ""
        self.excluded: dict[int, KernelDeath] = {}  # cells that ended a kernel: not run again
        self.current_index = -1
        self.counting_output = True
        self.kernel_start = ""
        self.reset_output_trackers()
        started = time.monotonic()
        watchdog = threading.Timer(self.wall_seconds, self.wall_clock_passed)
        watchdog.daemon = True
        try:
            watchdog.start()
            self.start_kernel()
            self.run_cells(resources)
            resources["nbgrader"]["cells"] = self.judge_cells(resources)
        finally:
            watchdog.cancel()
            self.stop_kernel()
        if self.out_of_time and self.fatal_death is None:  # killed while judging
            self.end_for_good(KernelDeath("killed", self.wall_clock_reason()))
        resources["nbgrader"]["execution"] = Execution(
            seconds=round(time.monotonic() - started, 3), kernel_deaths=self.deaths, fatal=self.fatal_death,
            not_restarted=self.not_restarted, timed_out_cells=self.timed_out, flooded=self.flooded,
            output_dropped=self.output_dropped, kernel_start=self.kernel_start)
        self.set_widgets_metadata()
        return self.nb, self.resources

    def run_cells(self, resources) -> None:
        """Run every cell but the excluded ones, restarting the kernel when one ends it
        (when none may start, `fatal_death` says where the kernel ended for good)."""
        self.counting_output = True
        try:
            index = 0
            while index < len(self.nb.cells):
                cell = self.nb.cells[index]
                self.current_index = index
                if index in self.excluded:
                    self.mark_excluded(cell, self.excluded[index])
                    index += 1
                    continue
                if is_skipped_when_grading(cell):
                    cell.outputs, cell.execution_count = [skipped_output()], None
                    index += 1
                    continue
                try:
                    self.preprocess_cell(cell, resources, index)
                    if self.flooded and not self.flood_drained:
                        self.drain_iopub()
                except DeadKernelError:
                    death = self.death(cell=index)
                    if not self.restart_kernel():
                        self.end_for_good(death)
                        cell.setdefault("outputs", []).append(error_output(
                            "KernelDied", f"the kernel ended while running this cell: {self.fatal_death.for_the_judge()}, "
                                          f"and no fresh kernel was started ({self.not_restarted}); "
                                          "later cells were not run"))
                        return
                    death.restarted = True
                    self.deaths.append(death)
                    self.excluded[index] = death
                    self.reset_output_trackers()
                    index = 0  # the fresh kernel runs the notebook again, from the top
                    continue
                index += 1
        finally:
            self.counting_output = False

    @staticmethod
    def mark_excluded(cell: NotebookNode, death: KernelDeath) -> None:
        cell.outputs = [error_output("KernelDied", (
            f"this cell was not run: the kernel {'crashed' if death.kind == 'crashed' else 'was killed'} "
            f"in it ({death.reason}), so the notebook was run again without it"))]
        cell.execution_count = None

    # -- the judges -----------------------------------------------------------------------

    def judge_cells(self, resources: dict) -> dict[str, CellResult]:
        """Each graded cell's check and verdict (points come later: `SaveJudgedGrades`).

        A kernel that ends during a judge fails that judge; a fresh one runs the notebook
        again (`run_cells`) for the judges left. Each check is read from the run its judge
        saw, so a later run cut short by the wall clock takes no points already earned."""
        lab_id = resources["nbgrader"]["assignment"]
        student_id = resources["nbgrader"]["student"]
        judges = judges_for(lab_id)
        grade_ids = [nbgrader_meta(cell)["grade_id"] for cell in self.nb.cells if is_test_cell(cell)]
        checks, verdicts = {}, {}
        for position, grade_id in enumerate(grade_ids):
            checks[grade_id] = first_error(self.test_cell(grade_id))
            subject = self.subject()
            if self.fatal_death is not None:
                subject.problem = "the kernel died"
            verdict = verdicts[grade_id] = self.judge_one(lab_id, student_id, grade_id, judges.get(grade_id), subject)
            if self.fatal_death is None and subject.ended:
                self.after_a_judge_ended(grade_id, verdict, more=position + 1 < len(grade_ids), resources=resources)
        cells = {}
        for grade_id, verdict in verdicts.items():
            self.test_cell(grade_id).outputs.append(verdict_output(verdict))
            cells[grade_id] = CellResult(check_passed=checks[grade_id] is None,
                                         check_message=error_text(checks[grade_id]), judge=verdict,
                                         check_run=not is_skipped_when_grading(self.test_cell(grade_id)))
        return cells

    def test_cell(self, grade_id: str) -> NotebookNode:
        return next(cell for cell in self.nb.cells
                    if is_test_cell(cell) and nbgrader_meta(cell)["grade_id"] == grade_id)

    def after_a_judge_ended(self, grade_id: str, verdict: Verdict, more: bool, resources) -> None:
        """The kernel ended during the judge of `grade_id`: record it and, when judges are
        left, go on in a fresh kernel that has run the notebook again."""
        death = self.death(judge=grade_id, task=verdict.task)
        if self.out_of_time:
            self.end_for_good(death)
            return
        if not more:
            self.deaths.append(death)  # the last judge: nothing is left to run
            return
        if not self.restart_kernel():
            self.end_for_good(death)
            return
        death.restarted = True
        verdict.message += "\n(The kernel was restarted for the other exercises.)"
        self.deaths.append(death)
        self.reset_output_trackers()
        self.run_cells(resources)

    def subject(self) -> KernelSubject:
        """The student's code in the live kernel; the sources of the cells that were run."""
        sources = [cell.source for index, cell in enumerate(self.nb.cells)
                   if cell.cell_type == "code" and index not in self.excluded]
        return KernelSubject(self, sources, describe_death=self.describe_death)

    def describe_death(self) -> str:
        return self.death().for_the_judge()

    def judge_one(self, lab_id, student_id, grade_id, judge, subject) -> Verdict:
        if judge is None:
            return Verdict(grade_id, "?", False, f"no judge is registered for {grade_id!r}")
        seed = judge_seed(self.secret or course_secret(), student_id, lab_id, grade_id)
        try:
            return run_judge(lab_id, grade_id, judge, subject, seed,
                             partial_credit=Scoring(config=self.config).partial_credit)
        except Exception:  # noqa: BLE001 - a judge's own bug: recorded in full, grading goes on
            self.log.error("judge %s of %s failed:\n%s", grade_id, lab_id, traceback.format_exc())
            return Verdict(grade_id, judge.task, False,
                           "the judge itself failed (an instructor bug, see the grader's log): "
                           + traceback.format_exc(limit=1).strip().splitlines()[-1])
