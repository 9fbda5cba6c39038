"""Pre-imported kernels: a fork server per grading worker, a fork of it per submission.

Starting a kernel in a fresh sandbox and importing torch, numpy and matplotlib costs about
3 s per submission. A worker instead starts, once, a fork server inside its own bubblewrap
sandbox (`autograder/sandbox/fork_server_process.py`: imports done, no thread, `gc.freeze()`;
what it imports follows the labs being graded, `set_fork_server_imports`); each
kernel is a fork of it in fresh user, mount, PID, IPC, UTS and network namespaces, with its
own in-memory home and /tmp, its own rlimits, no capability, and only its own kernel
directory of the worker's folder (`worker_root()`, where the worker puts its submissions'
workspaces). The worker's processes are capped by one pids cgroup (one submission runs at a
time in a worker, and each ends whole before the next starts: before a kernel is forked, the
cgroup must have drained back to the fork server alone, else the fork server and everything
left in its sandbox are killed and a fresh one starts).

`SandboxedKernelManager` asks `worker_fork_server()` for the fork server and gets a `ForkedKernel`,
which looks to jupyter_client like the `Popen` of a local kernel (poll, wait, kill,
send_signal), so nbclient and nbgrader see an ordinary kernel. Where the fork server cannot run
(no bubblewrap, no user namespaces inside it, a workspace outside `worker_root()`), kernels
start cold as before and `fork_server_problem()` says why, for the report.
"""
from __future__ import annotations

import ast
import atexit
import json
import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from multiprocessing.util import Finalize
from pathlib import Path
from typing import Iterable

from autograder.sandbox import fork_server_process
from autograder.sandbox.bubblewrap import (
    HOME,
    KERNEL_ARGUMENTS,
    Limits,
    bwrap_arguments,
    bwrap_problem,
    kernel_environment,
    pids_cgroup_root,
    readable_paths,
)

READY_SECONDS = 60.0  # importing torch in a cold cache on a slow disk
SPAWN_SECONDS = 10.0
DRAIN_SECONDS = 10.0  # for what the last kernel left (600 forked sleepers) to be gone


def worker_root() -> Path:
    """This process's folder for its submissions' workspaces (the fork server sees it, each kernel
    only its own part). Short: IPC socket paths are limited to about 100 bytes."""
    root = Path(tempfile.gettempdir()) / f"nnlabs-w{os.getpid()}"
    root.mkdir(mode=0o700, exist_ok=True)
    return root


class ForkedKernel:
    """A kernel forked by the fork server, as jupyter_client's provisioner expects a Popen to be."""

    def __init__(self, fork_server: "ForkServer", child: int):
        self.fork_server, self.child = fork_server, child
        self.pid = None  # no pid of this machine's: signals go through the fork server
        self.stdin = self.stdout = self.stderr = None
        self.returncode: int | None = None
        self.ended = threading.Event()

    def poll(self) -> int | None:
        return self.returncode

    def wait(self, timeout: float | None = None) -> int | None:
        if not self.ended.wait(timeout):
            raise subprocess.TimeoutExpired("forked kernel", timeout)
        return self.returncode

    def kill(self) -> None:
        self.fork_server.kill(self)

    terminate = kill

    def send_signal(self, signum: int) -> None:
        if signum in (signal.SIGKILL, signal.SIGTERM):
            self.kill()  # interrupts travel as messages (SandboxedKernelManager)

    def end(self, code: int) -> None:
        self.returncode = code
        self.ended.set()


class ForkServer:
    """One worker's fork server: started once, forks a kernel per `spawn`."""

    def __init__(self, root: Path, threads: int, scratch_mb: int, processes: int,
                 modules: tuple[str, ...] | None = None):
        self.root, self.threads, self.modules = root, threads, modules
        self.kernels: dict[int, ForkedKernel] = {}
        self.replies: queue.Queue = queue.Queue()
        self.lock = threading.Lock()
        self.ready = threading.Event()
        self.problem: str | None = None
        self.cgroup: Path | None = None
        self.info_file = root / "fork-server.json"
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.control = ours
        scratch = root / "fork-server-scratch"
        scratch.mkdir(exist_ok=True)
        command = bwrap_arguments(str(root), scratch_mb, drop_capabilities=False)
        command += ["--info-fd", "3", sys.executable, "-c", Path(fork_server_process.__file__).read_text(),
                    str(theirs.fileno())]
        if modules is not None:  # what to import (`fork_server_process.preload`); without: everything
            command.append(json.dumps(list(modules)))
        join = ""
        cgroup_root = pids_cgroup_root()
        if cgroup_root is not None:
            self.cgroup = cgroup_root / f"nnlabs-z{uuid.uuid4().hex[:12]}"
            self.cgroup.mkdir()
            # bwrap's init, the fork server, a kernel's stand-in, then the kernel and what it starts
            (self.cgroup / "pids.max").write_text(str(processes + 3))
            join = f'echo $$ > "{self.cgroup}/cgroup.procs"; '
        env = kernel_environment(str(scratch), threads)
        self.log = (root / "fork-server.log").open("ab")
        self.process = subprocess.Popen(
            ["/bin/sh", "-c", f'{join}exec 3> "{self.info_file}"; exec "$@"', "fork-server", *command],
            env=env, cwd=str(scratch), stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log,
            pass_fds=(theirs.fileno(),), start_new_session=True)
        theirs.close()
        threading.Thread(target=self.listen, daemon=True, name="fork-server-listener").start()
        if not self.ready.wait(READY_SECONDS):
            self.problem = self.problem or f"the fork server was not ready after {READY_SECONDS:g} s"
        if self.problem:
            self.close()
        self.baseline = self.processes_now()  # bwrap's init and the fork server: what a drained sandbox holds

    def processes_now(self) -> int | None:
        """The processes (and threads) in the fork server's pids cgroup now; None without one."""
        if self.cgroup is None:
            return None
        try:
            return int((self.cgroup / "pids.current").read_text())
        except (OSError, ValueError):
            return None

    def drained(self, seconds: float = DRAIN_SECONDS) -> bool:
        """Whether everything the previous kernels started is gone (within `seconds`): a kernel's
        end kills its PID namespace, but hundreds of processes take a while to be reaped, and
        meanwhile they count against the pids limit the next kernel shares. Without a pids
        cgroup nothing can be counted, and the answer is yes."""
        if self.baseline is None:
            return True
        deadline = time.monotonic() + seconds
        while (now := self.processes_now()) is not None and now > self.baseline:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.02)
        return True

    def listen(self) -> None:
        while True:
            try:
                data = self.control.recv(1 << 16)
            except OSError:
                data = b""
            if not data:
                self.problem = self.problem or f"the fork server ended ({self.log_tail()})"
                self.ready.set()
                for kernel in list(self.kernels.values()):
                    kernel.end(-signal.SIGKILL)
                self.replies.put(None)
                return
            message = json.loads(data)
            if "ready" in message:
                if message["threads"] != 1:
                    self.problem = f"the fork server started {message['threads'] - 1} thread(s) while importing"
                self.ready.set()
            elif "spawned" in message:
                self.replies.put(message["spawned"])
            elif "exited" in message:
                kernel = self.kernels.pop(message["exited"], None)
                if kernel is not None:
                    kernel.end(message["code"])

    def log_tail(self) -> str:
        try:
            lines = (self.root / "fork-server.log").read_text(errors="replace").strip().splitlines()
        except OSError:
            return "no log"
        return " | ".join(lines[-2:]) or f"exit status {self.process.poll()}"

    @property
    def alive(self) -> bool:
        return self.problem is None and self.process.poll() is None

    def spawn(self, kernel_dir: Path, connection_file: str, env: dict[str, str], limits: Limits,
              log_path: Path) -> ForkedKernel:
        """A kernel for this connection file, forked from the fork server (see fork_server_process)."""
        mb = 1024 * 1024
        rlimits = {"RLIMIT_AS": limits.memory_mb * mb, "RLIMIT_CPU": limits.cpu_seconds,
                   "RLIMIT_FSIZE": limits.file_mb * mb, "RLIMIT_NOFILE": limits.open_files, "RLIMIT_CORE": 0}
        if os.geteuid() != 0:
            rlimits["RLIMIT_NPROC"] = limits.processes * 8
        request = {"worker_root": str(self.root), "kernel_dir": str(kernel_dir), "home": HOME, "cwd": HOME,
                   "readable": [str(path) for path in readable_paths()], "connection_file": connection_file,
                   "env": env, "scratch_mb": limits.scratch_mb, "threads": self.threads,
                   "arguments": list(KERNEL_ARGUMENTS),
                   "rlimits": {name: [value, value] for name, value in rlimits.items()}}
        with self.lock, log_path.open("ab") as log:
            socket.send_fds(self.control, [json.dumps({"spawn": request}).encode()], [log.fileno()])
            try:
                child = self.replies.get(timeout=SPAWN_SECONDS)
            except queue.Empty:
                child = None
            if child is None:
                raise RuntimeError(f"the fork server did not fork a kernel ({self.problem or 'no answer'})")
            kernel = ForkedKernel(self, child)
            self.kernels[child] = kernel
            return kernel

    def kill(self, kernel: ForkedKernel) -> None:
        if kernel.returncode is not None:
            return
        try:
            self.control.send(json.dumps({"kill": kernel.child}).encode())
        except OSError:  # the fork server is gone, and every kernel with it
            kernel.end(-signal.SIGKILL)

    def close(self) -> None:
        """End the fork server's whole sandbox (SIGKILL to its PID-namespace init)."""
        try:
            os.kill(int(json.loads(self.info_file.read_text())["child-pid"]), signal.SIGKILL)
        except (OSError, ValueError, KeyError):
            pass
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self.control.close()
        self.log.close()
        if self.cgroup is not None:
            for _ in range(50):
                try:
                    self.cgroup.rmdir()
                    break
                except OSError:
                    time.sleep(0.02)


_fork_server: ForkServer | None = None
_problem: str | None = None
_lock = threading.Lock()
_modules: tuple[str, ...] | None = None  # what this worker's fork server imports; None: every lab's


def notebook_imports(notebooks: Iterable[Path]) -> tuple[str, ...]:
    """The modules the notebooks' code cells import, as dotted names (`from a.b import c` names
    `a.b` and `a.b.c`, which may be a module): what their kernels will import, so what a fork
    server for them imports beforehand (`set_fork_server_imports`). A cell Python cannot parse
    (a stub, IPython's magics) counts for nothing."""
    names: set[str] = set()
    for path in notebooks:
        for cell in json.loads(Path(path).read_text(encoding="utf-8")).get("cells", []):
            if cell.get("cell_type") != "code":
                continue
            source = cell.get("source", "")
            try:
                tree = ast.parse(source if isinstance(source, str) else "".join(source))
            except SyntaxError:
                continue
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    names.update(alias.name for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    names.add(node.module)
                    names.update(f"{node.module}.{alias.name}" for alias in node.names if alias.name != "*")
    return tuple(sorted(names))


def set_fork_server_imports(modules: Iterable[str] | None) -> None:
    """What the fork servers this process starts from now on import beyond what every kernel
    needs: torch, matplotlib and labutils's modules only where `modules` names them
    (`notebook_imports` of the labs being graded); None: all of them, for any lab."""
    global _modules
    _modules = None if modules is None else tuple(sorted(set(modules)))


def forget_parents_fork_server() -> None:
    """In a process forked from one that had a fork server (a worker forked from the grading
    process, `autograder.pipeline.run.start_workers`): that fork server is the parent's, to use,
    drain and end; the child lets go of its copy of the control socket and starts its own."""
    global _fork_server, _problem, _lock
    if _fork_server is not None:
        _fork_server.control.close()
    _fork_server, _problem, _lock = None, None, threading.Lock()


os.register_at_fork(after_in_child=forget_parents_fork_server)


def close_worker_fork_server() -> None:
    """End this process's fork server and remove its folder (the process is going away)."""
    global _fork_server
    if _fork_server is not None:
        _fork_server.close()
        shutil.rmtree(_fork_server.root, ignore_errors=True)
        _fork_server = None


def fork_server_problem() -> str | None:
    """Why kernels in this process start cold, or None where they are forked from a fork server."""
    return _problem


def worker_fork_server(workspace: Path | None, threads: int, limits: Limits) -> ForkServer | None:
    """This process's fork server for a kernel in `workspace` (started on first use; None: only
    start it), or None: then the kernel starts cold and `fork_server_problem()` says why."""
    global _fork_server, _problem
    if os.environ.get("NNLABS_FORK_SERVER", "1") == "0":
        _problem = "the fork server is turned off (NNLABS_FORK_SERVER=0)"
        return None
    problem = bwrap_problem()
    if problem:
        _problem = problem
        return None
    root = worker_root()
    if workspace is not None and root not in Path(workspace).resolve().parents:
        _problem = f"the kernel's folder {workspace} is outside the worker's folder {root}"
        return None
    with _lock:
        if _fork_server is not None and not _fork_server.alive:
            _problem = _fork_server.problem or "the fork server ended"
            _fork_server.close()
            _fork_server = None
        if _fork_server is not None and not _fork_server.drained():
            # what the last submission started outlives its kernel: end the fork server's whole
            # sandbox with it, and start afresh (a few seconds, once)
            _fork_server.close()
            _fork_server = None
        if _fork_server is None:
            fork_server = ForkServer(root, threads, limits.scratch_mb, limits.processes, _modules)
            if fork_server.problem:
                _problem = fork_server.problem
                return None
            _fork_server = fork_server
            atexit.register(close_worker_fork_server)
            Finalize(None, close_worker_fork_server, exitpriority=10)  # pool workers end without atexit
        if (_fork_server.threads, _fork_server.root) != (threads, root):
            _problem = "the fork server was started for another thread count"
            return None
        _problem = None
        return _fork_server
