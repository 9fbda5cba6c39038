"""nbgrader's Execute, in a sandbox, with hard limits, then the judges against the live kernel.

`JudgedExecute` replaces nbgrader's `Execute` in the autograde pipeline:

- the kernel runs in a bubblewrap sandbox (`autograder.sandbox.SandboxedKernelManager`);
- a cell past its timeout is interrupted; one that ignores the interrupt (a loop that
  swallows KeyboardInterrupt) gets the kernel killed;
- the whole notebook, judges included, has a wall-clock limit: past it the sandbox is
  killed, every process in it;
- output past `output_mb` is dropped with a note; at ten times that the cell is interrupted,
  at twenty the kernel is killed;
- after the last cell each graded cell's judge runs (`autograder.judging`) and its verdict
  is appended to the test cell's outputs.

`resources["nbgrader"]["execution"]` records how the kernel ended; `["judged"]` the verdicts.
"""
from __future__ import annotations

import asyncio
import threading
import time
import traceback
from queue import Empty

from jupyter_core.utils import ensure_async
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError
from nbformat import NotebookNode
from nbgrader.preprocessors import Execute
from traitlets import Float, Integer, Unicode

from autograder.judges import judges_for
from autograder.judging import Verdict, course_secret, judge_seed, run_judge
from autograder.kernel_subject import KernelSubject
from autograder.labs import is_test_cell, nbgrader_meta
from autograder.sandbox import Limits, SandboxedKernelManager


def first_error(cell) -> dict | None:
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            return output
    return None


def error_output(ename: str, evalue: str) -> NotebookNode:
    return NotebookNode(output_type="error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])


def error_text(output: dict | None) -> str | None:
    if output is None:
        return None
    return f"{output.get('ename', '')}: {output.get('evalue', '')}"


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
        if self.km is not None:
            self.km.kill_sandbox()

    async def _async_handle_timeout(self, timeout: int, cell: NotebookNode | None = None):
        if self.counting_output:
            self.timed_out.append(self.current_index)
        await ensure_async(self.km.interrupt_kernel())
        try:  # the interrupted cell's reply, if the code lets the interrupt through
            await ensure_async(self.kc.shell_channel.get_msg(timeout=self.interrupt_grace))
        except Empty:
            self.kill(f"{self.where()} ran past the {timeout} s limit and ignored the interrupt")
            raise DeadKernelError("killed after a timeout") from None
        return {"content": {**self.error_on_timeout, "evalue": f"ran past the {timeout} s limit",
                            "status": "error"}}

    def where(self) -> str:
        return f"cell {self.current_index}" if self.counting_output else "a hidden test"

    def output(self, outs, msg, display_id, cell_index):
        if self.counting_output:
            content = msg.get("content", {})
            self.output_bytes += len(str(content.get("text", ""))) + sum(
                len(str(v)) for v in content.get("data", {}).values())
            limit = self.output_mb * 1024 * 1024
            if self.output_bytes > 10 * limit and self.flooded is None:
                self.flooded = f"cell {cell_index} printed more than {10 * self.output_mb:g} MB and was interrupted"
                self.flooded_at = time.monotonic()
                asyncio.ensure_future(self.km.interrupt_kernel())
            elif self.output_bytes > 20 * limit and time.monotonic() - self.flooded_at > self.interrupt_grace:
                self.kill(f"cell {cell_index} printed more than {20 * self.output_mb:g} MB and ignored the interrupt")
            if self.output_bytes > limit:
                if not self.output_dropped:
                    self.output_dropped = True
                    outs.append(NotebookNode(output_type="stream", name="stderr", text=(
                        f"\n[grader] output past {self.output_mb:g} MB is not kept\n")))
                return None
        return super().output(outs, msg, display_id, cell_index)

    # -- the run ------------------------------------------------------------------------

    def preprocess(self, nb: NotebookNode, resources: dict, km=None):
        # As nbconvert's ExecutePreprocessor.preprocess, with limits and the judges before shutdown.
        NotebookClient.__init__(self, nb, km)
        self.reset_execution_trackers()
        self._check_assign_resources(resources)
        self.kill_reason: str | None = None
        self.timed_out: list[int] = []
        self.current_index = -1
        self.output_bytes, self.output_dropped, self.counting_output = 0, False, True
        self.flooded: str | None = None
        self.flooded_at = 0.0
        execution = {"kernel": "ok"}
        started = time.monotonic()
        watchdog = threading.Timer(self.wall_seconds, self.kill, args=(
            f"the notebook ran past the wall-clock limit of {self.wall_seconds} s",))
        watchdog.daemon = True
        try:
            with self.setup_kernel():
                watchdog.start()
                info = self.wait_for_reply(self.kc.kernel_info())
                self.nb.metadata["language_info"] = info["content"]["language_info"]
                self.km.mark_log()
                execution["kernel"] = self.run_cells(resources)
                self.counting_output = False
                execution["seconds"] = round(time.monotonic() - started, 3)
                resources["nbgrader"]["judged"] = self.judge_cells(resources, alive=execution["kernel"] == "ok")
        finally:
            watchdog.cancel()
        if self.kill_reason and execution["kernel"] == "ok":  # killed while judging
            execution["kernel"] = f"killed: {self.kill_reason}"
        execution.update(seconds=round(time.monotonic() - started, 3), timed_out_cells=self.timed_out,
                         output_dropped=self.output_dropped, flooded=self.flooded)
        resources["nbgrader"]["execution"] = execution
        self.set_widgets_metadata()
        return self.nb, self.resources

    def run_cells(self, resources) -> str:
        """Run every cell; "ok", or how the kernel ended ("killed: ...", "crashed: ...")."""
        for index, cell in enumerate(self.nb.cells):
            self.current_index = index
            try:
                self.preprocess_cell(cell, resources, index)
            except DeadKernelError:
                logged = self.km.log_tail()
                how = f"killed: {self.kill_reason}" if self.kill_reason else \
                    f"crashed in cell {index}: " + (self.km.exit_reason() or "the kernel died") + \
                    (f" ({logged[:200]})" if logged else "")
                cell.setdefault("outputs", []).append(error_output(
                    "KernelDied", f"the kernel ended while running this cell ({how}); later cells were not run"))
                return how
        return "ok"

    # -- the judges -----------------------------------------------------------------------

    def judge_cells(self, resources: dict, alive: bool) -> dict:
        lab_id = resources["nbgrader"]["assignment"]
        student_id = resources["nbgrader"]["student"]
        judges = judges_for(lab_id)
        subject = KernelSubject(self, [c.source for c in self.nb.cells if c.cell_type == "code"])
        if not alive:
            subject.problem = "the kernel died"
        judged = {}
        for cell in self.nb.cells:
            if not is_test_cell(cell):
                continue
            grade_id = nbgrader_meta(cell)["grade_id"]
            verdict = self.judge_one(lab_id, student_id, grade_id, judges.get(grade_id), subject)
            check_error = first_error(cell)
            judged[grade_id] = {
                "check_passed": check_error is None,
                "check_message": error_text(check_error),
                "judge": verdict.to_dict(),
            }
            cell.outputs.append(verdict_output(verdict))
        return judged

    def judge_one(self, lab_id, student_id, grade_id, judge, subject) -> Verdict:
        if judge is None:
            return Verdict(grade_id, "?", False, f"no judge is registered for {grade_id!r}")
        seed = judge_seed(self.secret or course_secret(), student_id, lab_id, grade_id)
        try:
            return run_judge(lab_id, grade_id, judge, subject, seed)
        except Exception:  # noqa: BLE001 - a judge's own bug: recorded in full, grading goes on
            self.log.error("judge %s of %s failed:\n%s", grade_id, lab_id, traceback.format_exc())
            return Verdict(grade_id, judge.task, False,
                           "the judge itself failed (an instructor bug, see the grader's log): "
                           + traceback.format_exc(limit=1).strip().splitlines()[-1])
