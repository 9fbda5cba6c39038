"""A course on a JupyterHub with nbgrader's exchange: the grader's feedback, where students fetch it.

The route, from the course root (README, "Running the course"):

    nbgrader release_assignment LAB      students fetch LAB in JupyterLab's Assignment List
    nbgrader collect LAB                 -> <course>/submitted/<student>/LAB/ (timestamps kept)
    python -m autograder grade --submitted <course>/submitted --out <course>/graded --labs LAB
    python -m autograder release-feedback LAB --graded <course>/graded
                                         students press "Fetch Feedback"

`grade` writes each student's feedback page to `<graded>/feedback/<student>/<lab>.html`;
nbgrader's `release_feedback` reads `<course>/feedback/<student>/<lab>/<notebook>.html`, with
the `timestamp.txt` and `submission_secret.txt` of that submission beside it, and publishes it
in the exchange under a key only that submission's owner can compute. `release_feedback`
here puts each page there (named after the notebook the student submitted), then runs
nbgrader's own `ReleaseFeedbackApp`. A student graded with nothing collected (no submission
folder, no secret) is listed, never guessed.

The course root and the exchange are nbgrader's configuration (`nbgrader_config.py`:
`NNLABS_COURSE_ROOT`, `NNLABS_EXCHANGE`).
"""
from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader.apps import ReleaseFeedbackApp

from autograder.course.config import course_config
from autograder.intake.submissions import EXCHANGE_FILES


@dataclass
class FeedbackRelease:
    """What `release_feedback` did for one lab."""
    lab_id: str
    released: list[str] = field(default_factory=list)  # students whose page is in the exchange
    not_collected: list[str] = field(default_factory=list)  # graded, but no collected submission to key it to
    not_graded: list[str] = field(default_factory=list)  # collected, but no feedback page in the graded folder

    def lines(self) -> list[str]:
        said = [f"{self.lab_id}: feedback released to {len(self.released)} student(s)"
                + (f" ({', '.join(self.released)})" if self.released else "")]
        if self.not_collected:
            said.append(f"graded but not collected through the exchange (no feedback to fetch): "
                        f"{', '.join(self.not_collected)}")
        if self.not_graded:
            said.append(f"collected but not graded (run grade first): {', '.join(self.not_graded)}")
        return said


def course_root() -> Path:
    """The course root nbgrader's configuration names (submitted/, feedback/ live there)."""
    return Path(course_config().CourseDirectory.root)


def place_feedback(lab_id: str, graded_dir: Path, root: Path) -> FeedbackRelease:
    """Each graded student's page, put where nbgrader's release_feedback reads it."""
    release = FeedbackRelease(lab_id)
    pages = {path.parent.name: path for path in sorted((graded_dir / "feedback").glob(f"*/{lab_id}.html"))}
    collected = {path.parent.name: path for path in sorted((root / "submitted").glob(f"*/{lab_id}"))
                 if path.is_dir()}
    for student_id, page in pages.items():
        submission = collected.get(student_id)
        notebooks = sorted(submission.glob("*.ipynb")) if submission else []
        if not notebooks or not all((submission / name).is_file() for name in EXCHANGE_FILES):
            release.not_collected.append(student_id)
            continue
        target = root / "feedback" / student_id / lab_id
        target.mkdir(parents=True, exist_ok=True)
        for name in EXCHANGE_FILES:
            shutil.copy2(submission / name, target / name)
        for notebook in notebooks:  # one page per notebook handed in, under the notebook's own name
            shutil.copy2(page, target / f"{notebook.stem}.html")
        release.released.append(student_id)
    release.not_graded = sorted(set(collected) - set(pages))
    return release


def release_feedback(lab_id: str, graded_dir: Path, root: Path | None = None) -> FeedbackRelease:
    """Place the graded pages of `lab_id` (`place_feedback`) and publish them with nbgrader's
    release_feedback, so that each student's "Fetch Feedback" finds their own."""
    root = Path(root) if root is not None else course_root()
    release = place_feedback(lab_id, Path(graded_dir), root)
    if release.released:
        app = ReleaseFeedbackApp(config=course_config())
        app.initialize([lab_id, f"--CourseDirectory.root={root}", "--log-level=WARN"])  # the command line wins
        app.start()
    return release
