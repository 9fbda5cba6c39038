"""The bubblewrap sandbox of a student kernel: what it may see, and the limits it runs under.

    bwrap_arguments(kernel_dir, scratch_mb)   -> the `bwrap` command line around a kernel
    prlimit_arguments(Limits())               -> the `prlimit` command line for its limits
    kernel_environment(scratch, threads)      -> its whole environment (nothing of the grader's)
    confinement()                             -> one line for the report: how kernels are confined here

Inside the sandbox a kernel sees, read-only, the system (`/usr`, a few files of `/etc`),
the interpreter and virtual environment it runs from, and `labutils/` with its data;
read-write, only its home (`/home/student`) and `/tmp`, both in-memory and capped, and the
directory holding its IPC sockets. No network (the grader talks to it over IPC sockets),
no `solutions/`, `autograder/`, gradebook, other submissions or home directory.

Limits (`Limits`): address space, CPU time, open files and file size through `prlimit`
on the kernel and its children; processes through a pids cgroup where one can be made
(RLIMIT_NPROC does not bind root) and through `prlimit` otherwise; wall-clock and output
size are enforced by the grader (`autograder.grading.execution.JudgedExecute`).

Where bubblewrap cannot run, kernels run with the limits only and `confinement()` says so.
This module starts nothing: `autograder.sandbox.kernels` and `autograder.sandbox.fork_server` do.
"""
from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

import labutils

HOME = "/home/student"  # the scratch directory, as the kernel sees it
ETC_FILES = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "alternatives", "fonts", "localtime",
             "mime.types", "nsswitch.conf", "passwd", "group", "hosts")
# No history database, so no history thread (a thread started after a fork bomb has taken
# every process slot would fail a later cell): the same for a cold and a forked kernel.
KERNEL_ARGUMENTS = ("--HistoryManager.hist_file=:memory:",)
THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")


@dataclass(frozen=True)
class Limits:
    """Per-notebook limits. memory_mb is address space, which is more than resident memory:
    torch alone maps about 1.5 GB. These are the options' defaults; the course sets its own
    in nbgrader_config.py (`autograder.course.config.course_limits`)."""
    memory_mb: int = 4096
    cpu_seconds: int = 900
    processes: int = 64
    file_mb: int = 64
    scratch_mb: int = 256
    open_files: int = 512
    wall_seconds: int = 600
    output_mb: float = 4.0


@functools.cache
def bwrap_problem() -> str | None:
    """Why bubblewrap cannot sandbox kernels here, or None if it can."""
    bwrap = shutil.which("bwrap")
    if sys.platform != "linux":
        return f"bubblewrap needs Linux (this is {sys.platform})"
    if bwrap is None:
        return "bubblewrap is not installed (Debian package 'bubblewrap'; `make test` installs it as root)"
    probe = subprocess.run([bwrap, "--unshare-all", "--die-with-parent", "--ro-bind", "/", "/",
                            "--proc", "/proc", "--dev", "/dev", "true"], capture_output=True, text=True)
    if probe.returncode != 0:
        return f"bubblewrap cannot create namespaces here: {probe.stderr.strip() or probe.returncode}"
    return None


@functools.cache
def pids_cgroup_root() -> Path | None:
    """A cgroup directory (v1 pids controller or v2) where this process may make children."""
    for root in (Path("/sys/fs/cgroup/pids"), Path("/sys/fs/cgroup")):
        if not (root / "cgroup.procs").exists():
            continue
        probe = root / f"nnlabs-probe-{uuid.uuid4().hex[:8]}"
        try:
            probe.mkdir()
        except OSError:
            continue
        usable = (probe / "pids.max").exists()
        probe.rmdir()
        if usable:
            return root
    return None


def confinement() -> str:
    """One line for the report: how student kernels are confined on this machine."""
    problem = bwrap_problem()
    if problem:
        return f"NOT SANDBOXED: {problem}; kernels run with resource limits only"
    processes = "pids cgroup" if pids_cgroup_root() else "RLIMIT_NPROC (per user)" if os.geteuid() != 0 else \
        "NO process limit (root without a writable pids cgroup)"
    return f"bubblewrap sandbox (no network, read-only system, in-memory home and /tmp); process limit: {processes}"


def readable_paths() -> list[Path]:
    """What a kernel must read: its interpreter, the virtual environment, labutils."""
    paths = {Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve(),
             Path(labutils.__file__).resolve().parent}
    return sorted(p for p in paths if not str(p).startswith("/usr/"))


def kernel_environment(scratch: str, threads: int) -> dict[str, str]:
    """The kernel's whole environment: nothing of the grader's (no course secret)."""
    home = HOME if bwrap_problem() is None else scratch
    env = {
        "PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
        "HOME": home, "TMPDIR": "/tmp" if bwrap_problem() is None else scratch,
        "MPLCONFIGDIR": f"{home}/.matplotlib", "IPYTHONDIR": f"{home}/.ipython",
        "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1", "PYTHONFAULTHANDLER": "1", "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        "MPLBACKEND": "module://matplotlib_inline.backend_inline",
        # The grader's own labutils (the one `readable_paths` binds), wherever it is installed from.
        "PYTHONPATH": str(Path(labutils.__file__).resolve().parent.parent),
    }
    env.update({name: str(threads) for name in THREAD_VARIABLES})
    return env


def prlimit_arguments(limits: Limits) -> list[str]:
    mb = 1024 * 1024
    arguments = [f"--as={limits.memory_mb * mb}", f"--cpu={limits.cpu_seconds}",
                 f"--fsize={limits.file_mb * mb}", f"--nofile={limits.open_files}", "--core=0"]
    if os.geteuid() != 0:
        arguments.append(f"--nproc={limits.processes * 8}")  # per user: shared by parallel kernels
    return ["prlimit", *arguments]


def bwrap_arguments(kernel_dir: str, scratch_mb: int, drop_capabilities: bool = True) -> list[str]:
    """drop_capabilities=False for the fork server (`autograder.sandbox.fork_server`), which makes namespaces of
    its own for each kernel and drops every capability there."""
    arguments = ["bwrap", "--unshare-all", "--die-with-parent", "--new-session",
                 *(["--cap-drop", "ALL"] if drop_capabilities else []), "--hostname", "sandbox",
                 "--ro-bind", "/usr", "/usr"]
    for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(top):
            arguments += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            arguments += ["--ro-bind", top, top]
    for name in ETC_FILES:
        arguments += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
    size = str(scratch_mb * 1024 * 1024)  # in memory, so capped
    arguments += ["--proc", "/proc", "--dev", "/dev", "--size", size, "--tmpfs", "/tmp",
                  "--size", size, "--tmpfs", HOME]
    for path in readable_paths():
        arguments += ["--ro-bind", str(path), str(path)]
    arguments += ["--bind", kernel_dir, kernel_dir, "--chdir", HOME, "--remount-ro", "/"]
    # The kernel would watch for its parent (the grader) by pid, which it cannot see from
    # inside the PID namespace; --die-with-parent does that job.
    arguments += ["--unsetenv", "JPY_PARENT_PID"]
    return arguments
