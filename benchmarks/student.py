"""A lab as a student runs it, alone and with other students on the same machine (issue 32).

    .venv/bin/python benchmarks/student.py [--labs ID ...] [--students K] [--policy off on cpus] [--limit S]

Each lab's solution notebook (solution markers removed, the instructor's claims cells left out:
what a student who has done the exercises runs) is run top to bottom in a fresh kernel, kernel
start included, as JupyterLab's "Run All" does: every cell, those the grader skips too. Once
alone, then K copies at once (K = 2 x cores by default: a class at work on one node), each in a
process of its own, and so for each thread policy:

- off:  NNLABS_THREADS=off, the libraries' own defaults (torch and BLAS: a thread per core in
        every kernel), as before labutils/threads.py;
- on:   as a course hub whose students share a node starts their kernels (NNLABS_THREADS=1 in
        the spawner's environment, README, "Running the course"), alone and with K at once;
- cpus: the policy where nobody configured it (a student's own machine): the CPUs the kernel may
        use, alone and with K at once (on a machine whose CPUs are its cores, what "off" gives).

Per lab and policy it prints the whole time alone and with K at once (the mean of the K; a run
past --limit seconds is stopped and shown as more than it), their ratio, the slowest cell alone
(and whether it shows a progress bar), the slowest check cell alone other than lab 08's
end-to-end one (labutils' checks: they should answer at once), and torch's threads in the
kernel. Targets (issue 32): with 2 x cores students at once, each lab within 2.5x its time
alone; no cell over 10 s alone without a progress bar; every check but the end-to-end one
under 0.5 s.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from autograder.course.labs import available_labs, read_notebook, solution_code, source_path  # noqa: E402

CHECKS = "from labutils.checks import"
END_TO_END = ("check_end_to_end",)  # lab 08: trains the student's network on the data, seconds
# What the kernel's environment says of threads, per policy and load (see the docstring).
RUNNING: set[subprocess.Popen] = set()  # the students' runs going on now
POLICIES = {"off": {"NNLABS_THREADS": "off"}, "on": {"NNLABS_THREADS": "1"}, "cpus": {}}
PROBE = "import sys\nprint(sys.modules['torch'].get_num_threads() if 'torch' in sys.modules else '-')"
THREAD_VARIABLES = ("NNLABS_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                    "CPU_LIMIT", "CPU_GUARANTEE")


def student_notebook(lab_id: str):
    """The solution as a student who solved it has it: no claims cells, no solution markers."""
    nb = read_notebook(source_path(lab_id))
    nb.cells = [cell for cell in nb.cells if "claims" not in cell.get("metadata", {}).get("tags", [])]
    for cell in nb.cells:
        cell.source = solution_code(cell.source)
    return nb


def has_bar(cell) -> bool:
    text = "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream")
    return "tqdm" in cell.source or "it/s]" in text or "s/it]" in text


def run_once(lab_id: str) -> dict:
    """One student's run of `lab_id` in this process's environment: seconds, per cell too."""
    import nbformat
    from nbclient import NotebookClient
    from traitlets.config import Config

    nb = student_notebook(lab_id)
    nb.cells.append(nbformat.v4.new_code_cell(PROBE))  # torch's threads at the end; not counted
    started_at: dict[int, float] = {}
    seconds: dict[int, float] = {}

    def on_execute(cell, cell_index, **_):
        started_at[cell_index] = time.monotonic()

    def on_executed(cell, cell_index, **_):
        seconds[cell_index] = time.monotonic() - started_at[cell_index]

    with tempfile.TemporaryDirectory(prefix="student-kernel-") as sockets:
        config = Config()
        config.KernelManager.transport, config.KernelManager.ip = "ipc", f"{sockets}/kernel"
        client = NotebookClient(nb, timeout=1800, kernel_name="python3", config=config,
                                resources={"metadata": {"path": str(source_path(lab_id).parent)}},
                                on_cell_execute=on_execute, on_cell_executed=on_executed)
        started = time.monotonic()
        client.execute()
        whole = time.monotonic() - started - seconds.pop(len(nb.cells) - 1)
    torch_threads = nb.cells.pop().outputs[0]["text"].strip()
    cells = [{"index": i, "id": cell.get("id", str(i)), "seconds": seconds[i], "bar": has_bar(cell),
              "check": CHECKS in cell.source, "end_to_end": any(name in cell.source for name in END_TO_END)}
             for i, cell in enumerate(nb.cells) if i in seconds]
    return {"whole": whole, "cells": cells, "torch_threads": torch_threads}


def runs(lab_id: str, env: dict[str, str], copies: int, limit: float) -> list[dict | None]:
    """`copies` students running `lab_id` at once, each in a process (and kernel) of its own;
    None for a run still going after `limit` seconds (stopped, with its kernel)."""
    base = {name: value for name, value in os.environ.items() if name not in THREAD_VARIABLES}
    processes = [subprocess.Popen([sys.executable, __file__, "--one", lab_id], env={**base, **env},
                                  stdout=subprocess.PIPE, text=True, cwd=ROOT, start_new_session=True,
                                  preexec_fn=lambda: signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM}))
                 for _ in range(copies)]
    RUNNING.update(processes)
    deadline, results = time.monotonic() + limit, []
    for process in processes:
        try:
            out, _ = process.communicate(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # the worker and the kernel it started
            process.communicate()
            results.append(None)
            continue
        if process.returncode:
            raise SystemExit(f"{lab_id}: a student's run failed ({process.returncode})")
        results.append(json.loads(out.strip().splitlines()[-1]))
    RUNNING.difference_update(processes)
    return results


def seconds_text(values: list[float | None], limit: float) -> str:
    if any(value is None for value in values):
        return f"> {limit:.0f}"
    return f"{sum(values) / len(values):.1f}"


def slowest(cells: list[dict], **where) -> dict | None:
    chosen = [c for c in cells if all(c[key] == value for key, value in where.items())]
    return max(chosen, key=lambda c: c["seconds"]) if chosen else None


def load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def say_who_stops_this() -> None:
    """On a shared machine something may stop this run: SIGTERM then says which process sent it."""
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})  # this process's threads; `runs` unblocks its children

    def wait() -> None:
        sender = signal.sigwaitinfo({signal.SIGTERM}).si_pid
        try:
            command = Path(f"/proc/{sender}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            command = "gone"
        print(f"stopped: SIGTERM from pid {sender} ({command.strip()})", file=sys.stderr, flush=True)
        for process in list(RUNNING):  # the students' runs, with their kernels
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
        os._exit(143)

    threading.Thread(target=wait, daemon=True).start()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--labs", nargs="+", default=None, help="lab ids (default: every lab)")
    parser.add_argument("--students", type=int, default=2 * (os.cpu_count() or 1),
                        help="students at once (default: 2 x cores)")
    parser.add_argument("--policy", nargs="+", choices=list(POLICIES), default=["off", "on"])
    parser.add_argument("--limit", type=float, default=1200, help="seconds a student's run may take (default 1200)")
    parser.add_argument("--save", type=Path, help="write each lab's runs to this file as they end (JSON lines); "
                                                  "those already in it are not run again, so a stopped run goes on")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # a worker: one run, its JSON on stdout
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_once(args.one)))
        return
    say_who_stops_this()
    labs = args.labs or available_labs()
    saved = {}
    if args.save and args.save.exists():
        for line in args.save.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            saved[row["lab"], row["policy"], len(row["loaded"])] = row
    print(f"{len(labs)} labs on {os.cpu_count()} cores, alone and {args.students} students at once; "
          f"load average before: {load()}", flush=True)
    runs(labs[0], POLICIES["on"], 1, args.limit)  # warm the disk cache and the imports
    rows = []
    for lab_id in labs:
        for policy in args.policy:
            row = saved.get((lab_id, policy, args.students))
            if row is None:
                alone = runs(lab_id, POLICIES[policy], 1, args.limit)[0]
                row = {"lab": lab_id, "policy": policy, "alone": alone,
                       "loaded": runs(lab_id, POLICIES[policy], args.students, args.limit), "load": load()}
                if args.save:
                    with args.save.open("a", encoding="utf-8") as file:
                        file.write(json.dumps(row) + "\n")
            rows.append((lab_id, policy, row["alone"], [r and r["whole"] for r in row["loaded"]]))
            print(f"  {lab_id}, policy {policy}: alone {seconds_text([row['alone'] and row['alone']['whole']], args.limit)} s, "
                  f"{args.students} at once {seconds_text(rows[-1][3], args.limit)} s (load {row['load']})", flush=True)
    print(f"load average after: {load()}\n")
    print(f"| lab | policy | torch threads | alone s | {args.students} at once s | ratio | slowest cell alone | "
          f"slowest check alone |")
    print("|---|---|---:|---:|---:|---:|---|---|")
    problems = []
    for lab_id, policy, alone, loaded in rows:
        if alone is None:
            print(f"| {lab_id} | {policy} | | > {args.limit:.0f} | {seconds_text(loaded, args.limit)} | | | |")
            continue
        cell = slowest(alone["cells"])
        check = slowest(alone["cells"], check=True, end_to_end=False)
        ratio = "" if None in loaded else f"{sum(loaded) / len(loaded) / alone['whole']:.1f}x"
        cell_text = f"{cell['id']} {cell['seconds']:.1f} s{' (bar)' if cell['bar'] else ''}"
        check_text = f"{check['id']} {check['seconds']:.2f} s" if check else "-"
        print(f"| {lab_id} | {policy} | {alone['torch_threads']} | {alone['whole']:.1f} | "
              f"{seconds_text(loaded, args.limit)} | {ratio or '-'} | {cell_text} | {check_text} |")
        if policy != "on":
            continue
        if not ratio or float(ratio[:-1]) > 2.5:
            problems.append(f"{lab_id}: {args.students} at once take {ratio or 'too long'} its time alone")
        problems += [f"{lab_id}: cell {c['id']} takes {c['seconds']:.1f} s alone without a progress bar"
                     for c in alone["cells"] if c["seconds"] > 10 and not c["bar"]]
        problems += [f"{lab_id}: check cell {c['id']} takes {c['seconds']:.2f} s alone"
                     for c in alone["cells"] if c["check"] and not c["end_to_end"] and c["seconds"] >= 0.5]
    print("\ntargets (policy on): " + ("all met" if not problems else "missed:\n  " + "\n  ".join(problems)))


if __name__ == "__main__":
    main()
