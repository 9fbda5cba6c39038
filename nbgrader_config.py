"""nbgrader configuration of the course (loaded by `nbgrader ...` and by `python -m autograder`).

Paths are relative to this file. Scratch state (gradebook, exchange) lives under
`.scratch/`, which is never committed; the exchange can be moved anywhere with
NNLABS_EXCHANGE, so nothing needs root.
"""
import os
from pathlib import Path

c = get_config()  # noqa: F821 (injected by traitlets)

ROOT = Path(__file__).resolve().parent
SCRATCH = ROOT / ".scratch"

c.CourseDirectory.course_id = "nn-training-labs"
c.CourseDirectory.root = str(ROOT)
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "labs"
c.CourseDirectory.db_url = f"sqlite:///{SCRATCH / 'gradebook.db'}"

c.Exchange.root = os.environ.get("NNLABS_EXCHANGE", str(SCRATCH / "exchange"))
c.Exchange.path_includes_course = True

# A stub that names the task; autograder.release.NameTheTask fills in <task>.
c.ClearSolutions.code_stub = {"python": 'raise NotImplementedError("<task>")'}
c.GenerateAssignment.preprocessors = [
    "nbgrader.preprocessors.IncludeHeaderFooter",
    "nbgrader.preprocessors.InstantiateTests",
    "nbgrader.preprocessors.LockCells",
    "autograder.release.NameTheTask",
    "nbgrader.preprocessors.ClearOutput",
    "nbgrader.preprocessors.CheckCellMetadata",
    "nbgrader.preprocessors.ComputeChecksums",
    "nbgrader.preprocessors.SaveCells",
    "nbgrader.preprocessors.ClearHiddenTests",
    "nbgrader.preprocessors.ClearMarkScheme",
    "nbgrader.preprocessors.ComputeChecksums",
    "nbgrader.preprocessors.CheckCellMetadata",
]

# An infinite loop costs seconds, not the batch.
c.Execute.timeout = int(os.environ.get("NNLABS_CELL_TIMEOUT", "30"))
c.Execute.interrupt_on_timeout = True
