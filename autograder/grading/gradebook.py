"""The class's nbgrader gradebook (SQLite by default, PostgreSQL with `--db`): one writer.

Workers grade against private SQLite copies made from a template; what they record comes
back as plain data (`read_grades`: `SubmissionGrades`) and this module writes it into the
real gradebook (`merge_grades`), so only the grading process ever writes it. What leaves
the gradebook (grades.csv, Canvas, Moodle) is `autograder.outputs.export`'s.

What a person gives in formgrader stays: the merge writes the grader's own fields (`auto_score`,
`auto_comment`, the penalty, the flag) and never `manual_score`, `extra_credit` or
`manual_comment`, nor an extension (`autograder.grading.late`). A score given by hand to a
cell whose code was graded again unchanged (`same_code`: a fixed judge, a new limit) stands as
the person left it; when the code may have changed (a new hand-in), the score is kept and
marked "needs manual grade", nbgrader's own mark for a grade a person has to look at again
(formgrader lists it, and clears the mark when the score is saved there; the exports hold the
lab as pending until then). `overrides` lists what was given by hand, for the report.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

import nbgrader.api
import sqlalchemy
from nbgrader.api import Assignment, Comment, Grade, Gradebook, MissingEntry, SubmittedAssignment, SubmittedNotebook
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.pool import NullPool

SHARED_ENGINES = 16
_engines: OrderedDict[tuple, Engine] = OrderedDict()
_engines_lock = threading.Lock()


def shared_engine(url, **kwargs) -> Engine:
    """One SQLAlchemy engine per gradebook URL in this process (the last `SHARED_ENGINES`).

    nbgrader's `Gradebook` creates an engine per instance, about a dozen per graded notebook,
    and SQLAlchemy caches compiled SQL per engine: every query was compiled again, a third of
    the time nbgrader spent outside the kernel. A SQLite file gets no connection pool: each
    session opens the file afresh, so a gradebook deleted and made again at the same path
    (a worker's copy per submission, a re-run into a new OUT_DIR) is never read through a
    stale connection."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database in (None, "", ":memory:"):
        return sqlalchemy.create_engine(url, **kwargs)  # in memory: each engine is its own database
    if parsed.get_backend_name() == "sqlite":
        kwargs.setdefault("poolclass", NullPool)
    key = (str(url), tuple(sorted((name, repr(value)) for name, value in kwargs.items())))
    with _engines_lock:
        engine = _engines.get(key)
        if engine is None:
            engine = _engines[key] = sqlalchemy.create_engine(url, **kwargs)
            while len(_engines) > SHARED_ENGINES:
                _engines.popitem(last=False)[1].dispose()
        _engines.move_to_end(key)
        return engine


def share_engines() -> None:
    """Make nbgrader's gradebooks in this process share engines (`shared_engine`)."""
    nbgrader.api.create_engine = shared_engine


@dataclass
class NotebookGrades:
    """One notebook of a submission, as autograde left it in a gradebook."""
    name: str
    penalty: float
    grades: list[tuple[str, float | None, bool]]  # (cell name, auto_score, needs_manual_grade)
    comments: list[tuple[str, str | None]]  # (cell name, auto_comment)


@dataclass
class SubmissionGrades:
    """One submission's autograde results in a (worker's) gradebook, as plain data."""
    timestamp: str | None
    notebooks: list[NotebookGrades]


def read_grades(db_url: str, student_id: str, lab_id: str) -> SubmissionGrades | None:
    """One submission's autograde results from a (worker's) gradebook; None when it has none."""
    with Gradebook(db_url) as gb:
        try:
            submission = gb.find_submission(lab_id, student_id)
        except MissingEntry:
            return None
        return SubmissionGrades(
            timestamp=submission.timestamp.isoformat() if submission.timestamp else None,
            notebooks=[NotebookGrades(nb.name, nb.late_submission_penalty,
                                      [(g.name, g.auto_score, g.needs_manual_grade) for g in nb.grades],
                                      [(c.name, c.auto_comment) for c in nb.comments])
                       for nb in submission.notebooks])


def merge_grades(db_url: str, grades: SubmissionGrades | None, student_id: str, lab_id: str,
                 flagged: bool = False, same_code: bool = False) -> None:
    """Write one submission's results into the real gradebook.

    Without results (None: the submission could not be graded) the submission is recorded
    with 0 points, so a failed submission never keeps an old score. `flagged` marks it
    for the instructor (nbgrader's formgrader shows the flag). `same_code`: the submission is
    the one graded before, so a score given by hand to it stands; otherwise such a score is
    marked for review (see the module docstring). Nothing given by hand is ever written over.
    """
    with Gradebook(db_url) as gb:
        gb.update_or_create_student(student_id)
        if grades is None:
            gb.update_or_create_submission(lab_id, student_id)
            zero_grades(gb, student_id, lab_id, same_code)
        else:
            gb.update_or_create_submission(lab_id, student_id, timestamp=grades.timestamp)
            for notebook in grades.notebooks:
                row = gb.find_submission_notebook(notebook.name, lab_id, student_id)
                row.late_submission_penalty = notebook.penalty
                for name, auto_score, needs_manual in notebook.grades:
                    grade = gb.find_grade(name, notebook.name, lab_id, student_id)
                    grade.auto_score = auto_score
                    grade.needs_manual_grade = review_mark(grade, needs_manual, same_code)
                for name, auto_comment in notebook.comments:
                    gb.find_comment(name, notebook.name, lab_id, student_id).auto_comment = auto_comment
        for row in gb.find_submission(lab_id, student_id).notebooks:
            row.flagged = flagged
        gb.db.commit()


def given_by_hand(grade: Grade) -> bool:
    """A score a person gave in formgrader: a manual score, or extra credit."""
    return grade.manual_score is not None or bool(grade.extra_credit)


def review_mark(grade: Grade, needs_manual: bool, same_code: bool) -> bool:
    """The grade's "needs manual grade" after a merge: the grader's own (`needs_manual`) where no
    person gave a score; where one did, as the person left it for the same code, set for other code."""
    if not given_by_hand(grade):
        return needs_manual
    return bool(grade.needs_manual_grade) if same_code else True


def zero_grades(gb: Gradebook, student_id: str, lab_id: str, same_code: bool = False) -> None:
    """A submission that could not be graded scores 0 on its autograded cells (a score given by
    hand stays, marked for review when the submission changed)."""
    for notebook in gb.find_submission(lab_id, student_id).notebooks:
        notebook.late_submission_penalty = None  # nothing to take a penalty from
        for grade in notebook.grades:
            if grade.cell.cell_type == "code":
                grade.auto_score = 0.0
                grade.needs_manual_grade = review_mark(grade, False, same_code)


def never_graded(submission: SubmittedAssignment) -> bool:
    """A submission whose autograded cells the grader never scored and to which nobody gave
    anything by hand: one that only holds an extension (`autograder.grading.late.grant_extensions`)
    until the student hands in."""
    grades = [grade for notebook in submission.notebooks for grade in notebook.grades]
    code = [grade for grade in grades if grade.cell.cell_type == "code"]
    return bool(code) and all(grade.auto_score is None for grade in code) and \
        not any(given_by_hand(grade) for grade in grades)


@dataclass(frozen=True)
class Override:
    """A score or a comment given by hand in formgrader to an autograded cell."""
    student_id: str
    lab_id: str
    cell: str
    given: str  # "5 points (the grader gives 3)", or the comment
    kind: str  # "score" or "comment"
    to_review: bool  # given to code that may have changed since


def overrides(db_url: str, lab_ids: list[str], new_code: set[tuple[str, str]] = frozenset()) -> list[Override]:
    """Every score and comment given by hand to an autograded (code) cell of these labs, by
    student, lab and cell. To review: a score marked "needs manual grade" (it stays so until it
    is saved in formgrader), and whatever was given to a submission in `new_code` (graded in
    this run, its code possibly changed: `autograder.grading.regrade.RunSummary.new_code`)."""
    found = []
    with Gradebook(db_url) as gb:
        grades = (gb.db.query(Grade, SubmittedAssignment.student_id, Assignment.name)
                  .join(SubmittedNotebook, Grade.notebook_id == SubmittedNotebook.id)
                  .join(SubmittedAssignment).join(Assignment)
                  .filter(Assignment.name.in_(lab_ids))
                  .filter(Grade.manual_score.isnot(None) | (Grade.extra_credit.isnot(None) & (Grade.extra_credit != 0)))
                  .all())
        for grade, student_id, lab_id in grades:
            if grade.cell.cell_type != "code":
                continue  # a written answer: graded by hand by design, not an override
            extra = f" + {grade.extra_credit:g} extra credit" if grade.extra_credit else ""
            by_hand = grade.manual_score if grade.manual_score is not None else grade.auto_score
            given = (f"{by_hand or 0:g}{extra} of {grade.max_score:g} points (the grader gives "
                     f"{grade.auto_score or 0:g})")
            found.append(Override(student_id, lab_id, grade.name, given, "score",
                                  bool(grade.needs_manual_grade) or (student_id, lab_id) in new_code))
        comments = (gb.db.query(Comment, SubmittedAssignment.student_id, Assignment.name)
                    .join(SubmittedNotebook, Comment.notebook_id == SubmittedNotebook.id)
                    .join(SubmittedAssignment).join(Assignment)
                    .filter(Assignment.name.in_(lab_ids)).filter(Comment.manual_comment.isnot(None))
                    .filter(Comment.manual_comment != "").all())
        for comment, student_id, lab_id in comments:
            kinds = {cell.name: cell.cell_type for cell in comment.notebook.notebook.source_cells}
            if kinds.get(comment.name) != "code":
                continue  # on a written answer
            found.append(Override(student_id, lab_id, comment.name, comment.manual_comment, "comment",
                                  (student_id, lab_id) in new_code))
    return sorted(found, key=lambda o: (not o.to_review, o.student_id, o.lab_id, o.cell, o.kind))


def has_submission(db_url: str, student_id: str, lab_id: str) -> bool:
    with Gradebook(db_url) as gb:
        try:
            gb.find_submission(lab_id, student_id)
        except MissingEntry:
            return False
    return True
