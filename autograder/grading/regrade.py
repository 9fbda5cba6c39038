"""What a re-run of `grade` grades again, and why.

A submission's results file records what its grade was computed from: the submission
itself (`submission_key`) and the lab's `Fingerprint`, a hash of each thing that decides
a grade (the reference solution, the released notebook, the lab's judges and mistake
catalogue, `labutils/`, the grader's own code and nbgrader's version, and the grading
settings that change points). A re-run keeps a result only when every part is unchanged;
otherwise `why_grade` says which parts changed, and the run's `RunSummary` counts the
submissions regraded for each reason and those kept.

    fingerprints = lab_fingerprints(["01_matrix_shapes"], Settings(timeout=30, limits=Limits(), secret=s))
    previous, reason = recorded_result(result_path(out_dir, "ada", "01_matrix_shapes"))
    reason = reason or why_grade(previous, submission_key(intake), fingerprints["01_matrix_shapes"], lab_id)

A results file that is missing, unreadable or in an older form (`autograder.grading.results`)
is simply graded again, and the summary says so.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections import Counter
from dataclasses import asdict, dataclass, field, fields
from importlib.metadata import version
from pathlib import Path

from autograder.course.config import course_config
from autograder.course.labs import ROOT, lab_number
from autograder.grading.late import policy_key
from autograder.grading.results import ResultsFormError, SubmissionResult, read_result
from autograder.intake.submissions import Intake
from autograder.sandbox.bubblewrap import Limits

NEW = "not graded before"
OLDER_FORM = "its results file is in an older form"
UNREADABLE = "its results file could not be read"
RESUBMITTED = "the submission changed"
NOT_IN_GRADEBOOK = "missing from the gradebook"

# A file of autograder/judging/hidden_cases/ or autograder/judging/mistakes/ named labNN... belongs to lab NN alone.
PER_LAB = re.compile(r"lab(\d\d)")
HIDDEN_CASES, MISTAKES = "judging/hidden_cases", "judging/mistakes"  # under autograder/
PER_LAB_FOLDERS = (HIDDEN_CASES, MISTAKES)


@dataclass(frozen=True)
class Settings:
    """The grading settings that can change points (the number of workers and threads cannot)."""
    timeout: int      # the per-cell time limit, in seconds, as the kernels get it
    limits: Limits    # every resource limit can turn a passing cell into a failing one
    secret: str       # seeds the hidden cases: another secret, other cases


@dataclass(frozen=True)
class Fingerprint:
    """A SHA-256 of each thing that decides a lab's grades; `reason` names what a change means."""
    source: str = field(metadata={"reason": "the reference solution of {lab} changed"})
    release: str = field(metadata={"reason": "the released notebook of {lab} changed"})
    judges: str = field(metadata={"reason": "the judges of {lab} changed"})
    late: str = field(metadata={"reason": "the due date or the late policy of {lab} changed"})
    mistakes: str = field(metadata={"reason": "the mistake catalogue of {lab} changed"})
    labutils: str = field(metadata={"reason": "labutils changed"})
    grader: str = field(metadata={"reason": "the grader's code changed"})
    nbgrader: str = field(metadata={"reason": "nbgrader's version changed"})
    timeout: str = field(metadata={"reason": "the per-cell time limit changed"})
    limits: str = field(metadata={"reason": "the resource limits changed"})
    secret: str = field(metadata={"reason": "the course secret changed"})

    def changes(self, recorded: dict, lab_id: str) -> list[str]:
        """What changed since `recorded` (a `Fingerprint` as `asdict` wrote it), in words."""
        return [part.metadata["reason"].format(lab=lab_id) for part in fields(self)
                if recorded.get(part.name) != getattr(self, part.name)]


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def files_hash(root: Path, paths: list[Path]) -> str:
    """One hash of some files: their paths relative to `root` and their bytes."""
    lines = [f"{path.relative_to(root).as_posix()}\0{sha256(path.read_bytes())}" for path in sorted(paths)]
    return sha256("\n".join(lines).encode())


def tree_files(folder: Path) -> list[Path]:
    """Every file under `folder`, compiled Python left out."""
    return [path for path in folder.rglob("*")
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"]


def lab_of(path: Path, autograder_dir: Path) -> str | None:
    """NN when `path` is one lab's judges or mistakes (autograder/judging/hidden_cases/labNN.py), else None."""
    relative = path.relative_to(autograder_dir)
    match = PER_LAB.match(relative.name) if relative.parent.as_posix() in PER_LAB_FOLDERS else None
    return match.group(1) if match else None


def lab_parts(lab_id: str, root: Path, config) -> dict[str, str]:
    """The parts of a fingerprint that belong to one lab (`config`: the course's nbgrader config)."""
    number = lab_number(lab_id)
    autograder_dir = root / "autograder"

    def own(folder: str) -> str:
        paths = [p for p in tree_files(autograder_dir / folder) if lab_of(p, autograder_dir) == number]
        return files_hash(root, paths)

    return {"source": sha256((root / "solutions" / lab_id / f"{lab_id}.ipynb").read_bytes()),
            "release": sha256((root / "labs" / lab_id / f"{lab_id}.ipynb").read_bytes()),
            "judges": own(HIDDEN_CASES), "mistakes": own(MISTAKES), "late": policy_key(config, lab_id)}


def shared_parts(settings: Settings, root: Path) -> dict[str, str]:
    """The parts of a fingerprint every lab shares: labutils, the grader, the settings."""
    autograder_dir = root / "autograder"
    grader = [p for p in tree_files(autograder_dir) if lab_of(p, autograder_dir) is None]
    return {"labutils": files_hash(root, tree_files(root / "labutils")),
            "grader": files_hash(root, [*grader, root / "nbgrader_config.py"]),
            "nbgrader": sha256(version("nbgrader").encode()),
            "timeout": sha256(str(settings.timeout).encode()),
            "limits": sha256(json.dumps(asdict(settings.limits), sort_keys=True).encode()),
            "secret": hmac.new(settings.secret.encode(), b"nn-training-labs grading fingerprint",
                               hashlib.sha256).hexdigest()}


def lab_fingerprints(lab_ids: list[str], settings: Settings, root: Path = ROOT) -> dict[str, Fingerprint]:
    """{lab_id: Fingerprint}, reading each file once."""
    shared, config = shared_parts(settings, root), course_config(root)
    return {lab_id: Fingerprint(**lab_parts(lab_id, root, config), **shared) for lab_id in lab_ids}


def submission_key(intake: Intake) -> str:
    """What was handed in: the file's digest, or, when nothing could be read, why not."""
    return intake.digest or f"unread: {intake.problem}"


def recorded_result(path: Path) -> tuple[SubmissionResult | None, str | None]:
    """(the results file of an earlier run, None), or (None, why there is none to keep)."""
    try:
        return read_result(path), None
    except FileNotFoundError:
        return None, NEW
    except ResultsFormError:
        return None, OLDER_FORM
    except (OSError, ValueError):  # not JSON, not UTF-8, not a readable file
        return None, UNREADABLE


def why_grade(result: SubmissionResult, key: str, fingerprint: Fingerprint, lab_id: str) -> str | None:
    """Why a submission with this recorded result is graded again in this run; None when
    the result still holds (the same submission, graded from the same things)."""
    if result.digest != key:
        return RESUBMITTED
    return "; ".join(fingerprint.changes(result.fingerprint, lab_id)) or None


@dataclass(frozen=True)
class Decision:
    """What a run did with one submission: `reason` it was graded, or None: its result was kept."""
    student_id: str
    lab_id: str
    reason: str | None


@dataclass(frozen=True)
class RunSummary:
    """What one `grade` run did: which submissions it graded, which it kept, and why."""
    decisions: tuple[Decision, ...]

    @property
    def kept(self) -> int:
        return sum(d.reason is None for d in self.decisions)

    @property
    def new(self) -> int:
        return sum(d.reason == NEW for d in self.decisions)

    @property
    def regraded(self) -> dict[str, int]:
        """{reason: submissions regraded for it}, the most frequent first."""
        return dict(Counter(d.reason for d in self.decisions if d.reason not in (None, NEW)).most_common())

    def lines(self) -> list[str]:
        """The summary in words: a headline, then a line per reason for regrading."""
        regraded = self.regraded
        head = (f"{self.new} graded for the first time, {sum(regraded.values())} regraded, "
                f"{self.kept} kept from the previous run")
        return [head, *(f"regraded {count}: {reason}" for reason, count in regraded.items())]
