"""How many math threads a student's kernel uses: as many as the CPUs it may really use.

torch, and numpy's BLAS, start one thread per core by default, wherever they run. On a machine
several students share (a course JupyterHub's node), every kernel's threads then fight over the
same cores, and an OpenMP thread that waits for the others spins while it waits (issue 32: lab 08
took 41 s on an idle 2-core machine, 319 s beside four busy processes, 48 s there with one thread).

`import labutils` (every lab's first check, lab 08's setup) applies this in a Jupyter/IPython
kernel, once; elsewhere (the grader, a script, pytest) it does nothing unless `apply()` is
called. The number of threads is, first found:

1. `NNLABS_THREADS=N`: N threads (`off` leaves the libraries' own defaults, `auto` the rule below
   even where OMP_NUM_THREADS is set);
2. `OMP_NUM_THREADS` (or MKL_/OPENBLAS_NUM_THREADS) already set, by the grader or by hand: left
   as it is;
3. the CPUs this process may run on (`os.sched_getaffinity`: `taskset`, a cpuset), no more than
   its cgroup's CPU quota (cgroup v2 `cpu.max`, v1 `cpu.cfs_quota_us`), nor than what the hub
   gives a student, `CPU_LIMIT` and `CPU_GUARANTEE` (JupyterHub's spawner exports its
   `cpu_limit` and `cpu_guarantee` so); a fraction counts down, to one at least.

A course hub whose students share a node sets `NNLABS_THREADS=1` in the spawner's environment
(README, "Running the course"). Nothing here imports torch: where torch is not loaded yet, the
environment variables set here are what it reads when it loads.
"""
from __future__ import annotations

import math
import os
import sys
from pathlib import Path

VARIABLE = "NNLABS_THREADS"
# What OpenMP (torch), MKL (torch) and OpenBLAS (numpy) read when they load; the grader sets them too.
LIBRARY_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")
HUB_VARIABLES = ("CPU_LIMIT", "CPU_GUARANTEE")  # JupyterHub's Spawner exports cpu_limit, cpu_guarantee

# What apply() chose in this process: (threads or None, why).
chosen: tuple[int | None, str] | None = None


def _whole(cpus: float) -> int:
    """A share of CPUs as a number of threads: 0.5 -> 1, 1.5 -> 1, 2 -> 2."""
    return max(1, math.floor(cpus + 1e-9))


def _mounts(root: Path) -> list[tuple[str, str, str, set[str]]]:
    """(mount root, mount point, filesystem type, super options) of the cgroup file systems."""
    found = []
    try:
        lines = (root / "proc/self/mountinfo").read_text().splitlines()
    except OSError:
        return found
    for line in lines:
        before, _, after = line.partition(" - ")
        fields, post = before.split(), after.split()
        if len(fields) >= 5 and len(post) >= 3 and post[0] in ("cgroup", "cgroup2"):
            found.append((fields[3], fields[4], post[0], set(post[2].split(","))))
    return found


def _levels(root: Path, mount_root: str, mount_point: str, path: str) -> list[Path]:
    """The folders of the process's cgroup and of each one above it, up to the mount point."""
    top = root / mount_point.lstrip("/")
    if mount_root != "/" and (path == mount_root or path.startswith(mount_root.rstrip("/") + "/")):
        path = path[len(mount_root.rstrip("/")):]  # the mount shows mount_root as its top
    parts = [part for part in path.split("/") if part]
    return [top.joinpath(*parts[:depth]) for depth in range(len(parts), -1, -1)]


def cgroup_cpus(root: Path = Path("/")) -> float | None:
    """The CPU quota of this process's cgroup, or of the tightest one above it, in CPUs (1.5 for
    150000 us each 100000 us); None without one. `root` is where /proc and /sys are (tests)."""
    try:
        memberships = (root / "proc/self/cgroup").read_text().splitlines()
    except OSError:
        return None
    limits = []
    for number, controllers, path in (line.split(":", 2) for line in memberships if line.count(":") >= 2):
        version2 = number == "0" and controllers == ""
        if not version2 and "cpu" not in controllers.split(","):
            continue
        for mount_root, mount_point, kind, options in _mounts(root):
            if (kind == "cgroup2") != version2 or (not version2 and "cpu" not in options):
                continue
            for folder in _levels(root, mount_root, mount_point, path):
                try:
                    if version2:
                        quota, period = (folder / "cpu.max").read_text().split()[:2]
                    else:
                        quota = (folder / "cpu.cfs_quota_us").read_text().strip()
                        period = (folder / "cpu.cfs_period_us").read_text().strip()
                except (OSError, ValueError):
                    continue
                if quota not in ("max", "-1") and float(period) > 0:
                    limits.append(float(quota) / float(period))
            break
    return min(limits) if limits else None


def usable_cpus(root: Path = Path("/")) -> int:
    """The CPUs this process may run on, no more than its cgroup's quota."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        cpus = os.cpu_count() or 1
    quota = cgroup_cpus(root)
    return min(cpus, _whole(quota)) if quota else cpus


def choose(env: dict[str, str] | os._Environ, cpus: int) -> tuple[int | None, str]:
    """(threads, why) for a kernel with environment `env` on `cpus` usable CPUs; None: leave the
    libraries' own."""
    asked = env.get(VARIABLE, "").strip().lower()
    if asked in ("off", "0"):
        return None, f"{VARIABLE}={asked}: the libraries' own defaults"
    if asked and asked != "auto":
        if asked.isdigit():
            return int(asked), f"{VARIABLE}={asked}"
        print(f"labutils: {VARIABLE}={env[VARIABLE]!r} is not a number of threads, 'auto' or 'off'; ignored",
              file=sys.stderr)
    if asked != "auto":
        already = [name for name in LIBRARY_VARIABLES if env.get(name)]
        if already:
            return None, f"{already[0]}={env[already[0]]} set already"
    threads, why = cpus, f"{cpus} usable CPU{'s' if cpus != 1 else ''}"
    for name in HUB_VARIABLES:
        try:
            share = float(env.get(name) or "nan")
        except ValueError:
            continue
        if share > 0 and _whole(share) < threads:
            threads, why = _whole(share), f"{name}={env[name]}"
    return threads, why


def apply(env: dict[str, str] | os._Environ | None = None) -> tuple[int | None, str]:
    """Set the math threads of this process as `choose` says; returns (threads, why)."""
    global chosen
    env = os.environ if env is None else env
    threads, why = choose(env, usable_cpus())
    chosen = threads, why
    if threads is None:
        return chosen
    for name in LIBRARY_VARIABLES:  # libraries loaded from now on, and child processes
        os.environ[name] = str(threads)
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(threads)
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # the BLAS numpy loaded keeps its own
        return chosen
    threadpool_limits(limits=threads)  # every BLAS and OpenMP loaded already (numpy's OpenBLAS)
    return chosen


def in_kernel() -> bool:
    """Whether this process is an IPython shell (a Jupyter kernel): a student's notebook."""
    ipython = sys.modules.get("IPython")
    return ipython is not None and ipython.get_ipython() is not None


def apply_in_kernel() -> None:
    """`apply()` once, in a student's kernel; nothing elsewhere (the grader keeps its own policy)."""
    if chosen is None and in_kernel():
        apply()
