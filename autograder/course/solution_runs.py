"""A lab's solution notebook run top to bottom, once for everything that reads the run.

    nb = solution_run("08_training_loop")   # markers removed, every cell run, errors kept in outputs

`verify` reads it for the prose's claims (`autograder.authoring.claims`), the walk-through site
shows it (`autograder.learners.walkthrough_site`). Both read the same run, so the site's numbers
are the ones `verify` checked, and a lab is run once, not once for each: the run is kept under
`.scratch/solution-runs/`, named by a digest of everything it depends on (the notebook, every
file of `labutils/`, this module, the claims' `says` and `holds`, the pinned dependencies, the
Python and the machine). Change any of them and the lab runs again. Two processes asking for
one lab at once (make test's) take turns: the second reads the first's run.
"""
from __future__ import annotations

import copy
import fcntl
import hashlib
import os
import platform
import sys
import tempfile
from pathlib import Path

import nbformat

from autograder.course.labs import ROOT, solution_code, source_path

RUNS = ROOT / ".scratch" / "solution-runs"
RUN_TIMEOUT = 600  # seconds a cell may take


def run_notebook(nb, folder: Path):
    """`nb` run top to bottom in `folder`, in a fresh kernel; errors kept in the outputs."""
    from nbclient import NotebookClient
    from traitlets.config import Config

    with tempfile.TemporaryDirectory(prefix="run-kernel-") as sockets:
        config = Config()
        config.KernelManager.transport, config.KernelManager.ip = "ipc", f"{sockets}/kernel"
        NotebookClient(nb, timeout=RUN_TIMEOUT, kernel_name="python3", config=config, allow_errors=True,
                       resources={"metadata": {"path": str(folder)}}).execute()
    return nb


def run_digest(lab_id: str) -> str:
    """What a run of the lab's solution depends on, hashed."""
    digest = hashlib.sha256()
    # the claims cells run autograder/authoring/claims.py's `says` and `holds` in the kernel
    inputs = [source_path(lab_id), Path(__file__), ROOT / "autograder" / "authoring" / "claims.py",
              ROOT / "pyproject.toml"]
    inputs += sorted(p for p in (ROOT / "labutils").rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    for path in inputs:
        name = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name
        digest.update(str(name).encode() + b"\0" + path.read_bytes() + b"\0")
    digest.update(f"{sys.version}|{platform.machine()}|{platform.processor()}".encode())
    return digest.hexdigest()[:16]


def solution_run(lab_id: str):
    """The lab's solution notebook (solution markers removed) as it ran: kept, or run now. A copy:
    the caller may change it."""
    RUNS.mkdir(parents=True, exist_ok=True)
    kept = RUNS / f"{lab_id}-{run_digest(lab_id)}.ipynb"
    with open(RUNS / f"{lab_id}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not kept.exists():
            nb = nbformat.read(source_path(lab_id), as_version=4)
            for cell in nb.cells:
                cell.source = solution_code(cell.source)
            run_notebook(nb, source_path(lab_id).parent)
            partial = kept.with_suffix(f".{os.getpid()}.part")
            nbformat.write(nb, partial)
            partial.replace(kept)
            for old in RUNS.glob(f"{lab_id}-*.ipynb"):  # runs of what the lab no longer is
                if old != kept:
                    old.unlink(missing_ok=True)
        nb = nbformat.read(kept, as_version=4)
    return copy.deepcopy(nb)
