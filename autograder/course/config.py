"""The course's nbgrader configuration (`nbgrader_config.py`), as the grader reads it.

    config = course_config()                    # a traitlets Config, as `nbgrader ...` would load it
    limits = course_limits(config)              # the kernels' limits it sets
    limits = course_limits(config, memory_mb=2048)  # ... with a command-line flag that was given
    timeout = course_timeout(config)            # the per-cell time limit it sets

Every limit is a traitlets option of the class that enforces it (`SandboxedKernelManager`
for what the kernel's processes may use, `JudgedExecute` for the wall clock and the
output, nbgrader's `Execute.timeout` per cell); `nbgrader_config.py` sets the course's
values, and an option it leaves out has its class's default (`autograder.sandbox.bubblewrap.Limits`).
A command-line flag or an argument of `grade(...)` replaces one only when it is given.

Also `quiet_nbgrader`: quieter logs and no `alembic` subprocess per new gradebook.
"""
from __future__ import annotations

import functools
import logging
import os
import sys
from dataclasses import fields
from pathlib import Path

import nbgrader
import nbgrader.api
from nbgrader.preprocessors import Execute
from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

from autograder.course.labs import ROOT
from autograder.sandbox.bubblewrap import Limits

CONFIG_DIR = ROOT  # the folder holding nbgrader_config.py

# Each field of `Limits`, and the configurable class whose option of that name sets it.
LIMIT_OPTIONS = {
    "memory_mb": "SandboxedKernelManager", "cpu_seconds": "SandboxedKernelManager",
    "processes": "SandboxedKernelManager", "file_mb": "SandboxedKernelManager",
    "scratch_mb": "SandboxedKernelManager", "open_files": "SandboxedKernelManager",
    "wall_seconds": "JudgedExecute", "output_mb": "JudgedExecute",
}
assert set(LIMIT_OPTIONS) == {f.name for f in fields(Limits)}, "every limit needs its option"


def course_config(directory: Path | None = None) -> Config:
    """The course's nbgrader configuration, read from `nbgrader_config.py` in `directory`
    (default: the project's root).

    Also puts this interpreter's bin/ on PATH: nbgrader runs `alembic` from there
    when it opens a gradebook, and `.venv/bin/python -m autograder` is not "activated".
    """
    bin_dir = str(Path(sys.executable).parent)
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")
    return PyFileConfigLoader("nbgrader_config.py", path=str(directory or CONFIG_DIR)).load_config()


def course_limits(config: Config | None = None, **given: int | float | None) -> Limits:
    """The kernels' limits: each from `given` where it is not None (a flag that was given),
    else from the configuration, else the default of its option."""
    unknown = set(given) - set(LIMIT_OPTIONS)
    if unknown:
        raise TypeError(f"no such limit: {', '.join(sorted(unknown))}")
    config = config if config is not None else course_config()
    values = {}
    for name, section in LIMIT_OPTIONS.items():
        configured = config.get(section) or {}
        if given.get(name) is not None:
            values[name] = given[name]
        elif name in configured:
            values[name] = configured[name]
    return Limits(**values)


def course_timeout(config: Config | None = None, given: int | None = None) -> int:
    """The per-cell time limit the kernels get: `given`, else the configuration's `Execute.timeout`."""
    if given is not None:
        return given
    config = config if config is not None else course_config()
    execute = config.get("Execute") or {}
    return int(execute["timeout"]) if "timeout" in execute else Execute.class_traits()["timeout"].default()


def quiet_nbgrader() -> None:
    """Quieter logs, and no `alembic` subprocess each time nbgrader creates a gradebook."""
    for name in ("nbgrader", "traitlets", "GenerateAssignment", "Autograde"):
        logging.getLogger(name).setLevel(logging.WARNING)
    nbgrader.api.get_alembic_version = alembic_head


@functools.cache
def alembic_head() -> str:
    """The schema version nbgrader stamps on a new gradebook, read in-process.

    nbgrader runs `alembic heads` in a subprocess for every new gradebook (about a
    second each: a release, a grading run); the answer is a constant of the installed
    nbgrader, read here with alembic's own API.
    """
    from alembic.config import Config as AlembicConfig
    from alembic.script import ScriptDirectory

    alembic_config = AlembicConfig()
    alembic_config.set_main_option("script_location", str(Path(nbgrader.__file__).parent / "alembic"))
    return ScriptDirectory.from_config(alembic_config).get_current_head()
