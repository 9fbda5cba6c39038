"""What a re-run of `grade` grades again, and why.

A submission's results file records what its grade was computed from: the submission
itself (`submission_key`) and its `Fingerprint`, a hash of each thing that decides the
grade, and of nothing else. A re-run keeps a result only when every part is unchanged;
otherwise `why_grade` says which parts changed, and the run's `RunSummary` counts the
submissions regraded for each reason and those kept.

What belongs to one lab stays in that lab's fingerprint, so a change to one lab regrades
that lab (and the labs that build on it) alone:
- its reference solution, its released notebook, its judges and its mistake catalogue
  (`autograder/judging/hidden_cases/labNN.py`, `autograder/judging/mistakes/labNN.py`);
- its public checks: `labutils/checks/labNN.py` and its fixture `labutils/checks/fixtures/NN_name.json`;
- its due date and the late policy (`autograder.grading.late.policy_key`), and, per
  submission, the student's extension (`with_extension`);
- what it uses of the labs it builds on (`Course.uses`: lab 07's check names a failing helper
  by lab 06's check, and its judges lend lab 05's and 06's reference layers).
What every lab shares: the shared modules of `labutils/`, the grader's code on the grading
path (not the commands, reports and exports that never change a grade: `NOT_DECIDING`),
nbgrader's version, the grading options of `nbgrader_config.py` (`GRADING_SECTIONS`: limits,
restarts, the scoring rule; not the file's bytes, so a new lab's due date regrades nothing
else), the time and resource limits, and an HMAC of the course secret.

    fingerprints = submission_fingerprints(intakes, Settings(timeout=30, limits=Limits(), secret=s), extensions)
    previous, reason = recorded_result(result_path(out_dir, "ada", "01_matrix_shapes"))
    reason = reason or why_grade(previous, submission_key(intake), fingerprints["ada", "01_matrix_shapes"], lab_id)

A results file that is missing, unreadable or in an older form (`autograder.grading.results`)
is simply graded again, and the summary says so.
"""
from __future__ import annotations

import ast
import hashlib
import hmac
import json
import re
from collections import Counter
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import timedelta
from importlib.metadata import version
from pathlib import Path
from typing import Iterable

from autograder.course.config import LIMIT_OPTIONS, course_config
from autograder.course.labs import LAB_ID, ROOT, lab_number
from autograder.grading.late import extension_key, policy_key
from autograder.grading.results import ResultsFormError, SubmissionResult, read_result
from autograder.intake.submissions import Intake
from autograder.sandbox.bubblewrap import Limits

NEW = "not graded before"
OLDER_FORM = "its results file is in an older form"
UNREADABLE = "its results file could not be read"
RESUBMITTED = "the submission changed"
NOT_IN_GRADEBOOK = "missing from the gradebook"
# Reasons after which the code graded may differ from the code an earlier grading (and the
# scores and comments given by hand in formgrader since) saw: the submission changed, or
# nothing says what was graded before.
CODE_MAY_HAVE_CHANGED = frozenset({RESUBMITTED, NEW, OLDER_FORM, UNREADABLE})

# A lab's own files: {part of the fingerprint: (folder, name pattern whose group is the lab's NN)}.
PER_LAB = {
    "checks": (("labutils/checks", re.compile(r"lab(\d\d)\.py")),
               ("labutils/checks/fixtures", re.compile(r"(\d\d)_[a-z0-9_]+\.json"))),
    "judges": (("autograder/judging/hidden_cases", re.compile(r"lab(\d\d)\.py")),),
    "mistakes": (("autograder/judging/mistakes", re.compile(r"lab(\d\d)\.py")),),
}
# What in autograder/ never changes a grade, a result or a feedback page: the commands and
# platforms above the pipeline (import-linter keeps the grading path from importing them), and
# the outputs every run writes afresh from the results and the gradebook.
NOT_DECIDING = ("autograder/__main__.py", "autograder/authoring", "autograder/learners", "autograder/platforms",
                "autograder/demo", "autograder/outputs/report.py", "autograder/outputs/console.py",
                "autograder/outputs/export.py", "autograder/outputs/similarity.py")
# The sections of nbgrader_config.py whose options decide grades (the limits and the per-cell
# timeout are the `timeout` and `limits` parts, as a run's flags may replace them; each lab's
# due date and the late policy are its `late` part).
GRADING_SECTIONS = ("Execute", "JudgedExecute", "SandboxedKernelManager", "Scoring", "Autograde",
                    "GenerateAssignment", "ClearSolutions", "TagRemovePreprocessor")
IN_SETTINGS = {("Execute", "timeout"), ("JudgedExecute", "secret"),
               *((section, option) for option, section in LIMIT_OPTIONS.items())}

# Who builds on whom: a per-lab module imported by name, another lab's id named, an earlier
# lab's exercise declared as a helper (`labutils.examine.Exercise.helpers`: its own check names
# the place to look).
IMPORT_LINE = re.compile(r"^\s*(?:from|import)\s+[\w.]*(?:checks|hidden_cases|mistakes)\b.*$", re.M)
MODULE_OF_LAB = re.compile(r"\blab(\d\d)\b")


@dataclass(frozen=True)
class Settings:
    """The grading settings that can change points (the number of workers and threads cannot)."""
    timeout: int      # the per-cell time limit, in seconds, as the kernels get it
    limits: Limits    # every resource limit can turn a passing cell into a failing one
    secret: str       # seeds the hidden cases: another secret, other cases
    partial_credit: bool | None = None  # Scoring.partial_credit as the run sets it; None: as nbgrader_config.py does


@dataclass(frozen=True)
class Fingerprint:
    """A SHA-256 of each thing that decides a submission's grade; `reason` names what a change means."""
    source: str = field(metadata={"reason": "the reference solution of {lab} changed"})
    release: str = field(metadata={"reason": "the released notebook of {lab} changed"})
    judges: str = field(metadata={"reason": "the judges of {lab} changed"})
    checks: str = field(metadata={"reason": "the public checks of {lab} changed"})
    late: str = field(metadata={"reason": "the due date or the late policy of {lab} changed"})
    extension: str = field(metadata={"reason": "the student's extension for {lab} changed"})
    mistakes: str = field(metadata={"reason": "the mistake catalogue of {lab} changed"})
    labutils: str = field(metadata={"reason": "labutils changed"})
    grader: str = field(metadata={"reason": "the grader's code changed"})
    nbgrader: str = field(metadata={"reason": "nbgrader's version changed"})
    config: str = field(metadata={"reason": "the grading options of nbgrader_config.py changed"})
    timeout: str = field(metadata={"reason": "the per-cell time limit changed"})
    limits: str = field(metadata={"reason": "the resource limits changed"})
    secret: str = field(metadata={"reason": "the course secret changed"})

    def changes(self, recorded: dict, lab_id: str) -> list[str]:
        """What changed since `recorded` (a `Fingerprint` as `asdict` wrote it), in words; a
        fingerprint an older grader wrote, without some of these parts, is said once as such."""
        missing = [part.name for part in fields(self) if part.name not in recorded]
        said = [part.metadata["reason"].format(lab=lab_id) for part in fields(self)
                if part.name in recorded and recorded[part.name] != getattr(self, part.name)]
        return said + ([f"an older grader's fingerprint (without {', '.join(missing)})"] if missing else [])


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def files_hash(root: Path, paths: Iterable[Path]) -> str:
    """One hash of some files: their paths relative to `root` and their bytes (a file that
    does not exist counts as such)."""
    lines = [f"{path.relative_to(root).as_posix()}\0{sha256(path.read_bytes()) if path.is_file() else '-'}"
             for path in sorted(set(paths))]
    return sha256("\n".join(lines).encode())


def tree_files(folder: Path) -> list[Path]:
    """Every file under `folder`, compiled Python left out."""
    return [path for path in folder.rglob("*")
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"]


def per_lab(path: Path, root: Path) -> tuple[str, str] | None:
    """(part, NN) when `path` is one lab's own file (`PER_LAB`), else None."""
    relative = path.relative_to(root)
    for part, places in PER_LAB.items():
        for folder, pattern in places:
            match = pattern.fullmatch(relative.name) if relative.parent.as_posix() == folder else None
            if match:
                return part, match.group(1)
    return None


def deciding(path: Path, root: Path) -> bool:
    """Whether a file of autograder/ can change a grade, a result or a feedback page."""
    relative = path.relative_to(root).as_posix()
    return not any(relative == place or relative.startswith(place + "/") for place in NOT_DECIDING)


@dataclass
class Course:
    """What the fingerprints read of a course tree, each file once."""
    root: Path
    labs: dict[str, str]  # {NN: lab_id}, the labs of solutions/
    own: dict[str, dict[str, list[Path]]]  # {NN: {part: the lab's own files}}
    shared_labutils: list[Path]
    grader: list[Path]

    @classmethod
    def read(cls, root: Path) -> Course:
        solutions = root / "solutions"
        labs = {lab_number(p.name): p.name for p in (solutions.iterdir() if solutions.is_dir() else [])
                if LAB_ID.fullmatch(p.name)}
        own: dict[str, dict[str, list[Path]]] = {}
        shared, grader = [], []
        for path in tree_files(root / "labutils") + tree_files(root / "autograder"):
            found = per_lab(path, root)
            if found:
                own.setdefault(found[1], {}).setdefault(found[0], []).append(path)
            elif path.relative_to(root).parts[0] == "labutils":
                shared.append(path)
            elif deciding(path, root):
                grader.append(path)
        return cls(root, labs, own, shared, grader)

    def files(self, number: str, part: str) -> list[Path]:
        return self.own.get(number, {}).get(part, [])

    def code(self, number: str, part: str) -> str:
        return "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in self.files(number, part)
                         if p.suffix == ".py")

    def uses(self, number: str) -> set[tuple[str, str]]:
        """{(part, NN)}: what of other labs decides lab NN's grades too, found in lab NN's own code
        (and, in turn, in the code of theirs it uses): a per-lab module it imports by name, the
        reference solution (part "source") of a lab whose id it names (lab 07's judges lend lab 05's
        and 06's layers), the check module and fixture of an earlier lab one of whose exercises its
        check module declares as a helper (lab 07's check names a failing helper by lab 06's check)."""
        found: set[tuple[str, str]] = set()
        todo = [(part, number) for part in PER_LAB]
        while todo:
            part, current = todo.pop()
            code = self.code(current, part)
            uses = {("judges" if "hidden_cases" in line else "mistakes" if "mistakes" in line else "checks", n)
                    for line in IMPORT_LINE.findall(code) for n in MODULE_OF_LAB.findall(line)}
            uses |= {("source", n) for n, lab_id in self.labs.items() if re.search(rf"\b{re.escape(lab_id)}\b", code)}
            if part == "checks":
                helpers = self.declared(current)[1]
                uses |= {("checks", n) for n in self.labs if n < current and helpers & self.declared(n)[0]}
            for use in uses - found:
                if use[1] != number:
                    found.add(use)
                    if use[0] != "source":
                        todo.append(use)
        return found

    def declared(self, number: str) -> tuple[set[str], set[str]]:
        """(the functions lab NN's check module declares as exercises, those it declares as helpers)."""
        exercises, helpers = set(), set()
        for path in self.files(number, "checks"):
            if path.suffix == ".py":
                found = exercise_names(path.read_text(encoding="utf-8", errors="replace"))
                exercises |= found[0]
                helpers |= found[1]
        return exercises, helpers


def exercise_names(source: str) -> tuple[set[str], set[str]]:
    """(task and function names of the `Exercise(...)` declarations of a check module, the names of
    their `helpers`), read from its syntax: a tuple of strings, or a module constant naming one."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set(), set()
    constants = {target.id: node.value for node in tree.body if isinstance(node, ast.Assign)
                 for target in node.targets if isinstance(target, ast.Name)}

    def strings(node: ast.AST | None) -> set[str]:
        node = constants.get(node.id) if isinstance(node, ast.Name) else node
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return {node.value}
        if isinstance(node, (ast.Tuple, ast.List)):
            return {e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)}
        return set()

    exercises, helpers = set(), set()
    for call in ast.walk(tree):
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "Exercise":
            exercises |= strings(call.args[0]) if call.args else set()
            for keyword in call.keywords:
                if keyword.arg == "function":
                    exercises |= strings(keyword.value)
                elif keyword.arg == "helpers":
                    helpers |= strings(keyword.value)
    return exercises, helpers


def lab_parts(lab_id: str, course: Course, config) -> dict[str, str]:
    """The parts of a fingerprint that belong to one lab (`config`: the course's nbgrader config)."""
    number, root = lab_number(lab_id), course.root
    uses = course.uses(number)
    built_on = sorted(course.labs[n] for part, n in uses if part == "source" and n in course.labs)
    sources = [root / "solutions" / name / f"{name}.ipynb" for name in [lab_id, *built_on]]
    return {"source": files_hash(root, sources),
            "release": sha256((root / "labs" / lab_id / f"{lab_id}.ipynb").read_bytes()),
            **{part: files_hash(root, [p for n in sorted({number} | {n for used, n in uses if used == part})
                                       for p in course.files(n, part)]) for part in PER_LAB},
            "late": policy_key(config, lab_id), "extension": extension_key(None)}


def grading_options(config, settings: Settings) -> dict:
    """The options of nbgrader_config.py that decide grades (`GRADING_SECTIONS`), as the run has them."""
    options = {section: {name: value for name, value in (config[section] if section in config else {}).items()
                         if (section, name) not in IN_SETTINGS}
               for section in GRADING_SECTIONS}
    if settings.partial_credit is not None:
        options["Scoring"]["partial_credit"] = settings.partial_credit
    return options


def plain(value):
    """A configured value JSON does not know, in a form that is the same from run to run."""
    return sorted(map(repr, value)) if isinstance(value, (set, frozenset)) else repr(value)


def shared_parts(settings: Settings, course: Course, config) -> dict[str, str]:
    """The parts of a fingerprint every lab shares: labutils' shared modules, the grader, the settings."""
    return {"labutils": files_hash(course.root, course.shared_labutils),
            "grader": files_hash(course.root, course.grader),
            "nbgrader": sha256(version("nbgrader").encode()),
            "config": sha256(json.dumps(grading_options(config, settings), sort_keys=True, default=plain).encode()),
            "timeout": sha256(str(settings.timeout).encode()),
            "limits": sha256(json.dumps(asdict(settings.limits), sort_keys=True).encode()),
            "secret": hmac.new(settings.secret.encode(), b"nn-training-labs grading fingerprint",
                               hashlib.sha256).hexdigest()}


def lab_fingerprints(lab_ids: list[str], settings: Settings, root: Path = ROOT) -> dict[str, Fingerprint]:
    """{lab_id: Fingerprint} of a submission without an extension, reading each file once."""
    course, config = Course.read(root), course_config(root)
    shared = shared_parts(settings, course, config)
    return {lab_id: Fingerprint(**lab_parts(lab_id, course, config), **shared) for lab_id in lab_ids}


def with_extension(fingerprint: Fingerprint, extension: timedelta | None) -> Fingerprint:
    """The fingerprint of a submission whose student has this extension (None: none)."""
    return replace(fingerprint, extension=extension_key(extension))


def submission_fingerprints(submissions: Iterable[tuple[str, str]], settings: Settings,
                            extensions: dict[tuple[str, str], timedelta], root: Path = ROOT
                            ) -> dict[tuple[str, str], Fingerprint]:
    """{(student_id, lab_id): Fingerprint} of these submissions, each with its student's extension
    (`autograder.grading.late.granted_extensions`): a new extension regrades that submission alone."""
    submissions = list(submissions)
    labs = lab_fingerprints(sorted({lab_id for _, lab_id in submissions}), settings, root)
    return {(student_id, lab_id): with_extension(labs[lab_id], extensions.get((student_id, lab_id)))
            for student_id, lab_id in submissions}


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


def code_unchanged(reason: str | None) -> bool:
    """Whether a submission graded for this reason is the very one graded before: then what was
    given by hand in formgrader to its cells still stands (`autograder.grading.gradebook.merge_grades`)."""
    return reason not in CODE_MAY_HAVE_CHANGED


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

    @property
    def new_code(self) -> set[tuple[str, str]]:
        """(student_id, lab_id) of the submissions graded in this run whose code may differ from
        the code graded before (`code_unchanged`)."""
        return {(d.student_id, d.lab_id) for d in self.decisions
                if d.reason is not None and not code_unchanged(d.reason)}

    def lines(self) -> list[str]:
        """The summary in words: a headline, then a line per reason for regrading."""
        regraded = self.regraded
        head = (f"{self.new} graded for the first time, {sum(regraded.values())} regraded, "
                f"{self.kept} kept from the previous run")
        return [head, *(f"regraded {count}: {reason}" for reason, count in regraded.items())]
