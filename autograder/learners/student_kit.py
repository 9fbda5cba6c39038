"""`python -m autograder bundle --out DIR`: the kit an instructor hands to students.

    DIR/
      labs/              the released student notebooks (stubs, checks, hints)
      labutils/          what the notebooks import, with lab 08's corpus and data card
      pyproject.toml     installs labutils and the pinned packages a student needs
      environment.yml    the same, for conda users
      Makefile           `make lab`: a virtual environment, the install, JupyterLab
      README.md          for students: the one command to start

No solution code, judge or reference output: `autograder/` and `solutions/` stay behind
(tests/test_bundle.py proves it). The check fixtures in `labutils/checks/fixtures/` hold
the expected outcomes of the public examples only, which every check message shows anyway.
"""
from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

from autograder.course.labs import LABS, ROOT, available_labs

# What a student's notebooks import (the rest of pyproject.toml is the instructor's).
STUDENT_PACKAGES = ("numpy", "matplotlib", "torch", "scikit-learn", "threadpoolctl", "tqdm", "jupyterlab",
                    "ipykernel")

PYPROJECT = """\
[build-system]
requires = ["setuptools>=68"]
build-backend = "setuptools.build_meta"

[project]
name = "nn-training-labs-student"
version = "{version}"
description = "Student kit of NN Training Labs: the labs and the checks they import."
requires-python = ">=3.11"
# torch is pinned to the CPU build; a plain "torch" would pull a multi-GB CUDA build
# (pip install torch==... --index-url https://download.pytorch.org/whl/cpu where PyPI's is CUDA).
dependencies = [
{dependencies}
]

[tool.setuptools.packages.find]
include = ["labutils*"]

[tool.setuptools.package-data]
labutils = ["checks/fixtures/*.json", "data/sentences.tsv", "data/DATA_CARD.md"]
"""

ENVIRONMENT = """\
# conda env create -f environment.yml && conda activate nn-training-labs && jupyter lab labs/
name: nn-training-labs
channels:
  - conda-forge
dependencies:
  - python=3.11
  - pip
  - pip:
{pins}
      - -e .
"""

MAKEFILE = """\
# make lab: creates .venv, installs the kit (once), opens the labs in JupyterLab.
PYTHON ?= python3
VENV   := .venv

$(VENV)/.installed: pyproject.toml
\ttest -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
\t$(VENV)/bin/python -m pip install --quiet -e .
\ttouch $@

.PHONY: lab
lab: $(VENV)/.installed
\t$(VENV)/bin/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root) labs/
"""

README = """\
# NN Training Labs — student kit

{count} Jupyter labs on how a neural network is trained: {labs}.

## Start

Needs Python 3.11 and `make`:

```sh
make lab
```

The first run creates `.venv` and installs what the labs need (a few minutes); then
JupyterLab opens on `labs/`. Conda users: `conda env create -f environment.yml`, then
`jupyter lab labs/`.

## Working through a lab

1. Open `labs/01_matrix_shapes/01_matrix_shapes.ipynb`.
2. Write each exercise where it says `raise NotImplementedError("Lab 01, task 2: matmul")`,
   and delete that line. Stuck? Open the hints above it, one level at a time.
3. Run the check cell below it: one line on success; on failure, the example that
   failed, what was expected, what came back and, when your answer is a known mistake,
   its name and a hint.
4. The checks see public examples only; your grade comes from hidden tests on other
   inputs. Make the function right, not the examples.

Hand in the `.ipynb` files as your instructor asks.

## Threads

A lab's kernel uses as many math threads (torch's, numpy's) as the CPUs it may use. On a
machine busy with other work, one is often faster, the labs' networks being small:
`NNLABS_THREADS=1 make lab` (`NNLABS_THREADS=N` for N; `off` for the libraries' own default).
"""


def pinned(names: tuple[str, ...]) -> list[str]:
    """The main project's pins for `names` (pyproject.toml is the single list)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pins = {requirement.split("==")[0]: requirement for requirement in project["dependencies"]}
    return [pins[name] for name in names]


def bundle(out_dir: Path) -> Path:
    """Write the student kit into `out_dir` (replaced if it exists); return it."""
    out_dir = out_dir.resolve()
    if out_dir.exists():
        shutil.rmtree(out_dir)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints")
    shutil.copytree(LABS, out_dir / "labs", ignore=ignore)
    shutil.copytree(ROOT / "labutils", out_dir / "labutils", ignore=ignore)
    requirements = pinned(STUDENT_PACKAGES)
    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    (out_dir / "pyproject.toml").write_text(PYPROJECT.format(
        version=version, dependencies="\n".join(f'    "{r}",' for r in requirements)), encoding="utf-8")
    (out_dir / "environment.yml").write_text(ENVIRONMENT.format(
        pins="\n".join(f"      - {r}" for r in requirements)), encoding="utf-8")
    (out_dir / "Makefile").write_text(MAKEFILE, encoding="utf-8")
    labs = available_labs()
    (out_dir / "README.md").write_text(README.format(
        count=len(labs), labs=", ".join(lab.split("_", 1)[1].replace("_", " ") for lab in labs)), encoding="utf-8")
    return out_dir
