"""The student's code in its live kernel, as a judge's `Subject`.

After the notebook has run, the grader keeps its kernel and sends probes: a tiny cell
calling `labutils.judge_calls.answer(globals(), request)`, whose display output carries the
outcome as plain data (see `labutils.plain_data`). The reference never enters the kernel, and
nothing the kernel says is trusted beyond its values: a missing, malformed or stale
answer (wrong nonce) is "no result", which fails the judge. A kernel that ends during a
call is "no result" too, and `ended` says so (the grader may go on in a fresh kernel).
"""
from __future__ import annotations

import json
import secrets
from typing import Callable

import nbformat
from nbclient.exceptions import DeadKernelError

from labutils import plain_data
from labutils.call_outcomes import Case, Outcome, decode_outcome
from labutils.source_rules import function_source

PROBE = """\
from labutils.judge_calls import answer as __nnlabs_answer
__nnlabs_answer(globals(), {request!r})
del __nnlabs_answer
"""


class KernelSubject:
    """Calls functions in the kernel of `client` (an nbclient NotebookClient mid-run)."""

    def __init__(self, client, cell_sources: list[str], describe_death: Callable[[], str] | None = None):
        """describe_death: why the kernel just ended ("the kernel crashed (SIGSEGV)"), if the client knows."""
        self.client = client
        self.cell_sources = cell_sources
        self.describe_death = describe_death
        self.problem: str | None = None  # set once the kernel cannot answer any more
        self.last_failure: str | None = None  # why the last call brought back nothing
        self.ended = False  # the kernel ended during one of this subject's calls

    def source(self, function: str) -> str | None:
        return function_source(self.cell_sources, function)

    def call(self, function: str, case: Case) -> Outcome | None:
        self.last_failure = self.problem
        if self.problem:
            return None
        nonce = secrets.token_hex(8)
        request = json.dumps({
            "nonce": nonce, "function": function,
            "args": [plain_data.encode(arg) for arg in case.args],
            "kwargs": {name: plain_data.encode(arg) for name, arg in case.kwargs.items()},
            "harness": case.harness,
        })
        outputs = self._execute(PROBE.format(request=request))
        if outputs is None:
            return None
        for output in outputs:
            if output.get("output_type") == "error" and output.get("ename") == "CellTimeoutError":
                self.last_failure = f"it ran past the {self.client.timeout} s limit"
                return None
            payload = output.get("data", {}).get(plain_data.MIME)
            if isinstance(payload, dict) and payload.get("nonce") == nonce:
                if "missing" in payload:
                    self.last_failure = str(payload["missing"])
                    return None
                try:
                    return decode_outcome(payload["outcome"])
                except (ValueError, KeyError, TypeError):
                    break
        self.last_failure = self.last_failure or "the kernel sent no answer"
        return None

    def _execute(self, source: str) -> list | None:
        """Run `source` as a scratch cell (not kept in the notebook); its outputs."""
        cell = nbformat.v4.new_code_cell(source)
        self.client.nb.cells.append(cell)
        index = len(self.client.nb.cells) - 1
        try:
            self.client.execute_cell(cell, index, store_history=False)
        except DeadKernelError:
            self.ended = True
            self.problem = self.last_failure = self.describe_death() if self.describe_death else "the kernel died"
            return None
        finally:
            del self.client.nb.cells[index]
        return cell.outputs
