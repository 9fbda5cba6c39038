"""The class's nbgrader gradebook (SQLite by default, PostgreSQL with `--db`): one writer.

Workers grade against private SQLite copies made from a template; what they record comes
back as plain data (`read_grades`: `SubmissionGrades`) and this module writes it into the
real gradebook (`merge_grades`), so only the grading process ever writes it. What leaves
the gradebook (grades.csv, Canvas, Moodle) is `autograder.outputs.export`'s.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

import nbgrader.api
import sqlalchemy
from nbgrader.api import Gradebook, MissingEntry
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
                 flagged: bool = False) -> None:
    """Write one submission's results into the real gradebook.

    Without results (None: the submission could not be graded) the submission is recorded
    with 0 points, so a failed submission never keeps an old score. `flagged` marks it
    for the instructor (nbgrader's formgrader shows the flag).
    """
    with Gradebook(db_url) as gb:
        gb.update_or_create_student(student_id)
        if grades is None:
            gb.update_or_create_submission(lab_id, student_id)
            zero_grades(gb, student_id, lab_id)
        else:
            gb.update_or_create_submission(lab_id, student_id, timestamp=grades.timestamp)
            for notebook in grades.notebooks:
                row = gb.find_submission_notebook(notebook.name, lab_id, student_id)
                row.late_submission_penalty = notebook.penalty
                for name, auto_score, needs_manual in notebook.grades:
                    grade = gb.find_grade(name, notebook.name, lab_id, student_id)
                    grade.auto_score, grade.needs_manual_grade = auto_score, needs_manual
                for name, auto_comment in notebook.comments:
                    gb.find_comment(name, notebook.name, lab_id, student_id).auto_comment = auto_comment
        for row in gb.find_submission(lab_id, student_id).notebooks:
            row.flagged = flagged
        gb.db.commit()


def zero_grades(gb: Gradebook, student_id: str, lab_id: str) -> None:
    """A submission that could not be graded scores 0 on its autograded cells."""
    for notebook in gb.find_submission(lab_id, student_id).notebooks:
        notebook.late_submission_penalty = None  # nothing to take a penalty from
        for grade in notebook.grades:
            if grade.cell.cell_type == "code":
                grade.auto_score, grade.needs_manual_grade = 0.0, False


def has_submission(db_url: str, student_id: str, lab_id: str) -> bool:
    with Gradebook(db_url) as gb:
        try:
            gb.find_submission(lab_id, student_id)
        except MissingEntry:
            return False
    return True
