"""Student kernels started in the bubblewrap sandbox, with resource limits and a kill that works.

    configure(config, workspace=Path("/tmp/nnlabs-x"), limits=Limits())
    NotebookClient(nb, kernel_manager_class=SandboxedKernelManager, config=config)

A kernel is forked from the worker's pre-imported fork server (`autograder.sandbox.fork_server`)
where one runs, else started cold inside `bwrap` (`autograder.sandbox.bubblewrap` says what it
sees and its limits). The grader enforces wall-clock and output size
(`autograder.pipeline.run.execution.JudgedExecute`) and calls `kill_sandbox()`: SIGKILL to the
sandbox's PID-namespace init, which ends every process inside (killing the `bwrap` process
itself would not: see ../shared/design-notes).
"""
from __future__ import annotations

import json
import os
import signal
import time
import uuid
import weakref
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from traitlets import Bool, Integer, Unicode

from autograder.sandbox.bubblewrap import (
    KERNEL_ARGUMENTS,
    Limits,
    bwrap_arguments,
    bwrap_problem,
    kernel_environment,
    pids_cgroup_root,
    prlimit_arguments,
)
from autograder.sandbox.fork_server import fork_server_problem, worker_fork_server

FORKED = "forked from the worker's fork server"


def configure(config, workspace: Path, limits: Limits, threads: int = 1) -> None:
    """Make kernels started with `config` run confined, in `workspace` (a folder of the
    grader's, one per notebook, with a short path: socket paths are limited to ~100 bytes).

    workspace/kernel   its connection file and IPC sockets (bound read-write)
    workspace/scratch  its home and working directory where bubblewrap is missing (in the
                       sandbox, home and /tmp are tmpfs of `scratch_mb` each)
    workspace/sandbox.json, workspace/kernel.log  the grader's only (not visible inside)
    """
    for name in ("scratch", "kernel"):
        (workspace / name).mkdir(parents=True, exist_ok=True)
    config.KernelManager.transport = "ipc"
    config.KernelManager.ip = str(workspace / "kernel" / "k")
    config.SandboxedKernelManager.workspace = str(workspace)
    config.SandboxedKernelManager.memory_mb = limits.memory_mb
    config.SandboxedKernelManager.cpu_seconds = limits.cpu_seconds
    config.SandboxedKernelManager.processes = limits.processes
    config.SandboxedKernelManager.file_mb = limits.file_mb
    config.SandboxedKernelManager.scratch_mb = limits.scratch_mb
    config.SandboxedKernelManager.open_files = limits.open_files
    config.SandboxedKernelManager.threads = threads


_live_managers: weakref.WeakSet = weakref.WeakSet()
# A forked worker (`autograder.pipeline.run.start_workers`) kills its own sandboxes, never its parent's.
os.register_at_fork(after_in_child=_live_managers.clear)


def kill_all_sandboxes() -> None:
    """Kill every sandbox this process started (its grader is going away)."""
    for manager in list(_live_managers):
        manager.kill_sandbox()


class SandboxedKernelManager(AsyncKernelManager):
    """A kernel manager whose kernels run confined (see the module docstring and `configure`)."""

    workspace = Unicode(help="The grader's folder for this kernel (see `configure`).").tag(config=True)
    memory_mb = Integer(Limits.memory_mb, help="Address space of the kernel and each child, in MB.").tag(config=True)
    cpu_seconds = Integer(Limits.cpu_seconds, help="CPU time of the kernel and each child.").tag(config=True)
    processes = Integer(Limits.processes, help="Processes in the sandbox (pids cgroup).").tag(config=True)
    file_mb = Integer(Limits.file_mb, help="Largest file the kernel may write, in MB.").tag(config=True)
    open_files = Integer(Limits.open_files, help="Open files of the kernel and each child.").tag(config=True)
    scratch_mb = Integer(Limits.scratch_mb, help="Size of the kernel's home and /tmp, each.").tag(config=True)
    threads = Integer(1, help="Math threads of the kernel.").tag(config=True)
    cold = Bool(False, help="Start the kernel cold, not forked from the worker's fork server (a retry).")

    _cgroup: Path | None = None
    _sandboxed = False
    _forked = False  # from the worker's fork server (autograder.sandbox.fork_server)

    @property
    def limits(self) -> Limits:
        """The limits this manager's kernels get (the wall clock and output are the grader's)."""
        return Limits(memory_mb=self.memory_mb, cpu_seconds=self.cpu_seconds, processes=self.processes,
                      file_mb=self.file_mb, scratch_mb=self.scratch_mb, open_files=self.open_files)

    @property
    def folder(self) -> Path:
        return Path(self.workspace or Path(self.ip).parent.parent)

    @property
    def info_file(self) -> Path:
        return self.folder / "sandbox.json"

    @property
    def log_file(self) -> Path:
        return self.folder / "kernel.log"

    _log_start = 0

    def mark_log(self) -> None:
        """What the kernel has logged so far (its start-up banner) is not news."""
        try:
            self._log_start = self.log_file.stat().st_size
        except OSError:
            pass

    def log_tail(self, lines: int = 2) -> str:
        """The last lines the kernel wrote outside the notebook since `mark_log` (a fatal error)."""
        try:
            with self.log_file.open("rb") as handle:
                handle.seek(self._log_start)
                text = handle.read().decode("utf-8", errors="replace")
        except OSError:
            return ""
        return " | ".join([line.strip() for line in text.splitlines() if line.strip()][-lines:])

    def kernel_start(self) -> str:
        """How its kernel started, for the report: forked from the fork server, or cold and why."""
        if self._forked:
            return FORKED
        if self.cold:
            return "cold: a retry after a forked kernel died before its first reply"
        return f"cold: {fork_server_problem() or 'no fork server'}"

    def exit_reason(self) -> str:
        """How the kernel ended: 'a segmentation fault (SIGSEGV)', 'exit status 3', ''."""
        process = getattr(self.provisioner, "process", None)
        code = process.poll() if process is not None else None
        if code is None:
            return ""
        if code > 128 or code < 0:
            number = code - 128 if code > 128 else -code
            try:
                name = signal.Signals(number).name
            except ValueError:
                return f"signal {number}"
            return {"SIGSEGV": "a segmentation fault (SIGSEGV)", "SIGABRT": "an abort (SIGABRT)",
                    "SIGKILL": "SIGKILL (a kill or the memory limit)"}.get(name, name)
        return f"exit status {code}"

    async def _async_pre_start_kernel(self, **kw):
        self.connection_file = str(self.folder / "kernel" / f"connection-{uuid.uuid4().hex[:8]}.json")
        return await super()._async_pre_start_kernel(**kw)

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw) -> None:
        scratch = self.folder / "scratch"
        scratch.mkdir(parents=True, exist_ok=True)
        _live_managers.add(self)

        fork_server = None if self.cold else worker_fork_server(self.folder, self.threads, self.limits)
        if fork_server is not None:
            self._sandboxed = self._forked = True
            process = fork_server.spawn(self.folder / "kernel", self.connection_file,
                                   kernel_environment(str(scratch), self.threads), self.limits, self.log_file)
            self.provisioner.process, self.provisioner.pid, self.provisioner.pgid = process, None, None
            self._reconcile_connection_info(self.provisioner.connection_info)
            return
        self._forked = False
        kw["env"] = kernel_environment(str(scratch), self.threads)
        kw["cwd"] = str(scratch)
        log = self.log_file.open("ab")
        kw["stdout"] = kw["stderr"] = log
        try:
            await super()._async_launch_kernel(self.confined(kernel_cmd, scratch), **kw)
        finally:
            log.close()  # the kernel holds its own copy

    def confined(self, kernel_cmd: list[str], scratch: Path) -> list[str]:
        """The kernel command behind a shell that joins the pids cgroup, `prlimit` and `bwrap`."""
        command = prlimit_arguments(self.limits)
        self._sandboxed = bwrap_problem() is None
        if self._sandboxed:
            command += bwrap_arguments(str(self.folder / "kernel"), self.scratch_mb) + ["--info-fd", "3"]
        # nbclient passes the Python kernel's history argument itself; twice, and the kernel exits
        command += [*kernel_cmd, *(argument for argument in KERNEL_ARGUMENTS if argument not in kernel_cmd)]
        join = ""
        root = pids_cgroup_root()
        if root is not None:
            self._cgroup = root / f"nnlabs-{uuid.uuid4().hex[:12]}"
            self._cgroup.mkdir()
            (self._cgroup / "pids.max").write_text(str(self.processes))
            join = f'echo $$ > "{self._cgroup}/cgroup.procs"; '
        info = f'exec 3> "{self.info_file}"; ' if self._sandboxed else ""
        return ["/bin/sh", "-c", f'{join}{info}exec "$@"', "sandbox", *command]

    def kill_sandbox(self) -> None:
        """SIGKILL every process of the kernel's sandbox (safe to call from another thread)."""
        process = getattr(self.provisioner, "process", None)
        if self._forked:
            if process is not None:
                process.kill()
            return
        pids = set()
        if self._sandboxed:
            try:
                pids.add(int(json.loads(self.info_file.read_text())["child-pid"]))
            except (OSError, ValueError, KeyError):
                pass
        if self._cgroup is not None:
            try:
                pids.update(int(p) for p in (self._cgroup / "cgroup.procs").read_text().split())
            except OSError:
                pass
        if process is not None and process.poll() is None:
            pids.add(process.pid)
            if not self._sandboxed:  # the kernel leads its own session: end its children too
                try:
                    os.killpg(process.pid, signal.SIGKILL)
                except OSError:
                    pass
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def remove_cgroup(self) -> None:
        if self._cgroup is None:
            return
        for _ in range(50):
            try:
                self._cgroup.rmdir()
                self._cgroup = None
                return
            except OSError:  # processes are still exiting
                self.kill_sandbox()
                time.sleep(0.02)

    async def _async_wait(self, pollinterval: float = 0.01) -> None:
        # jupyter_client polls a killed kernel every 0.1 s until it is gone: most of a
        # forked kernel's shutdown, which takes a few milliseconds.
        await super()._async_wait(pollinterval=min(pollinterval, 0.01))

    async def _async_interrupt_kernel(self) -> None:
        # A signal to the bwrap process does not reach the kernel inside; a message does.
        if self.has_kernel:
            self._connect_control_socket()
            self.session.send(self._control_socket, self.session.msg("interrupt_request", content={}))

    interrupt_kernel = _async_interrupt_kernel

    async def _async_kill_kernel(self, restart: bool = False) -> None:
        self.kill_sandbox()
        await super()._async_kill_kernel(restart=restart)

    _kill_kernel = _async_kill_kernel

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        self.kill_sandbox()
        await super()._async_cleanup_resources(restart=restart)
        self.remove_cgroup()

    # AsyncKernelManager binds its public names to the base class's coroutines: rebind.
    cleanup_resources = _async_cleanup_resources
