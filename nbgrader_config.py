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
# nbgrader's folders of a running course (submitted/, autograded/, feedback/, its gradebook): this
# project by default; a course on a JupyterHub sets NNLABS_COURSE_ROOT to a folder of its own
# (README, "Running the course"). The labs are always this project's.
COURSE_ROOT = Path(os.environ.get("NNLABS_COURSE_ROOT", ROOT))
c.CourseDirectory.root = str(COURSE_ROOT)
c.CourseDirectory.source_directory = str(ROOT / "solutions")
c.CourseDirectory.release_directory = str(ROOT / "labs")
c.CourseDirectory.db_url = f"sqlite:///{(SCRATCH if COURSE_ROOT == ROOT else COURSE_ROOT) / 'gradebook.db'}"

c.Exchange.root = os.environ.get("NNLABS_EXCHANGE", str(SCRATCH / "exchange"))
c.Exchange.path_includes_course = True

# A stub that names the task; autograder.course.student_version.NameTheTask fills in <task>.
c.ClearSolutions.code_stub = {"python": 'raise NotImplementedError("<task>")'}
# Cells tagged "claims" check the prose of the worked solution (autograder.authoring.claims):
# `verify` runs them; students' copies leave them out.
c.TagRemovePreprocessor.enabled = True
c.TagRemovePreprocessor.remove_cell_tags = {"claims"}
c.GenerateAssignment.preprocessors = [
    "nbconvert.preprocessors.TagRemovePreprocessor",
    "nbgrader.preprocessors.IncludeHeaderFooter",
    "nbgrader.preprocessors.InstantiateTests",
    "nbgrader.preprocessors.LockCells",
    "autograder.course.student_version.NameTheTask",
    "nbgrader.preprocessors.ClearOutput",
    "nbgrader.preprocessors.CheckCellMetadata",
    "nbgrader.preprocessors.ComputeChecksums",
    "nbgrader.preprocessors.SaveCells",
    "nbgrader.preprocessors.ClearHiddenTests",
    "nbgrader.preprocessors.ClearMarkScheme",
    "nbgrader.preprocessors.ComputeChecksums",
    "nbgrader.preprocessors.CheckCellMetadata",
]

# Scoring (autograder/grading/scoring.py): all or nothing per exercise by default; with partial
# credit, an exercise that fails some hidden cases earns the share it passed of those that
# count (the cases a trivial answer passes do not), rounded down to a multiple of Scoring.step.
c.Scoring.partial_credit = False
c.Scoring.step = 0.5

# Grading limits: the one place they are set (`autograder.course.config` reads them). A flag of
# `python -m autograder grade` (--timeout, --memory, --wall) or an argument of
# `autograder.pipeline.run.grade` replaces one only when it is given.

# Per cell: an infinite loop costs seconds, not the batch. A cell that ignores the
# interrupt for JudgedExecute.interrupt_grace seconds gets its kernel killed.
c.Execute.timeout = int(os.environ.get("NNLABS_CELL_TIMEOUT", "30"))
c.Execute.interrupt_on_timeout = True
c.JudgedExecute.interrupt_grace = 3.0

# Per notebook, judges and restarts included: past the wall clock the sandbox is killed.
c.JudgedExecute.wall_seconds = 600
# Output kept per notebook; at 10x the cell is interrupted (a cell that keeps printing meets its
# timeout, and is killed if it ignores that interrupt too).
c.JudgedExecute.output_mb = 4.0
# Fresh kernels a notebook may get after one crashes or is killed (only the exercise
# whose code ended it loses its points).
c.JudgedExecute.max_restarts = 3

# What a kernel and its children may use (prlimit; processes through a pids cgroup).
c.SandboxedKernelManager.memory_mb = 4096  # address space: torch alone maps about 1.5 GB
c.SandboxedKernelManager.cpu_seconds = 900
c.SandboxedKernelManager.processes = 64
c.SandboxedKernelManager.open_files = 512
c.SandboxedKernelManager.file_mb = 64  # the largest file a kernel may write
c.SandboxedKernelManager.scratch_mb = 256  # in-memory home and /tmp of the sandbox, each

# Late penalties (autograder.grading.late): nbgrader's AssignLatePenalties asks this plugin, from each
# submission's timestamp.txt and its lab's due date. The gradebook keeps points and penalty
# apart, so a regrade never takes a penalty twice. Labs without a due date are never late.
c.AssignLatePenalties.plugin_class = "autograder.grading.late.LatePenalty"
c.LatePenalty.penalty_method = "per_day"  # none, zero, per_hour or per_day
c.LatePenalty.points_per_period = 1.0     # points per hour or day begun after the due date
c.LatePenalty.max_penalty = 3.0           # the most a late submission loses (None: no cap)
c.LatePenalty.due_dates = {               # the term's schedule, UTC
    "01_matrix_shapes": "2026-09-21 23:59 UTC",
    "02_activations": "2026-09-28 23:59 UTC",
    "03_softmax": "2026-10-05 23:59 UTC",
    "04_cross_entropy": "2026-10-12 23:59 UTC",
    "05_gradient_descent": "2026-10-19 23:59 UTC",
    "06_backprop": "2026-10-26 23:59 UTC",
    "07_dropout": "2026-11-02 23:59 UTC",
    "08_training_loop": "2026-11-16 23:59 UTC",
}

# The similarity report (autograder.outputs.similarity): pairs whose own code shares at least this
# share of tokens are listed; exercises where an answer keeps fewer tokens of its own than
# min_size (short ones, where every right answer looks alike) are not compared.
c.Similarity.threshold = 0.5
c.Similarity.min_size = 120
