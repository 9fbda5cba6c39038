"""Grade a class: `python -m autograder grade SUBMITTED_DIR --out OUT_DIR`.

The pipeline, in this process unless said otherwise:

1. intake (`autograder.intake`): unpack LMS zips (with `lms`, the class archive Canvas or Moodle
   gives, collected by nbgrader's zip_collect), read, restore and stage each notebook;
   a submission that cannot be read gets its status and 0 points here.
2. release each lab, with its due date (`autograder.grading.late`), into a template SQLite
   gradebook the workers copy, and into the class gradebook (SQLite, or PostgreSQL with `db_url`):
   for a class graded afresh, while the workers grade its first submissions.
3. resume (`autograder.grading.regrade`): a submission whose results file matches what was handed
   in and its fingerprint (the reference solution, released notebook, judges, catalogue,
   due date and late policy of its lab, the student's extension, labutils, grader and settings
   it was graded with), and that is in the gradebook, is not graded again; so a re-run after
   kill -9 finishes the rest, a re-run
   with nothing new changes nothing, and a fixed judge regrades its lab's submissions
   (the summary and the report say how many and why).
4. grade the rest in parallel: local worker processes, or a Dask cluster (`scheduler`);
   each worker runs nbgrader's autograde in a sandbox (`autograder.grading.worker`). Local workers
   start, each with its fork server, as soon as intake finds something to grade: during step 2;
   the fork servers import what the graded labs' notebooks import, no more (lab 01: no torch).
5. as each comes back: merge into the gradebook (this process is its only writer), then
   write the student's HTML feedback and `results/<student>/<lab>.json` (written last,
   atomically: it marks the submission done; `autograder.grading.results`).
6. `grades.csv` (`autograder.outputs.export.CsvExporter`), `similarity.html` (`autograder.outputs.similarity`)
   and `report.html`.

Limits and the per-cell timeout are the course's (`nbgrader_config.py`, read by
`autograder.course.config`) unless an argument gives them.
"""
from __future__ import annotations

import multiprocessing
import os
import shutil
import sys
import tempfile
import threading
import warnings
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable, Iterator

from nbgrader.api import Gradebook
from sqlalchemy.exc import SAWarning
from tqdm import tqdm

from autograder.course.config import course_config, course_limits, course_timeout, quiet_nbgrader
from autograder.course.labs import available_labs, manual_points, max_points, student_path
from autograder.course.student_version import generate_student_version
from autograder.grading.gradebook import SubmissionGrades, has_submission, merge_grades, overrides, share_engines
from autograder.grading.late import extended_due, granted_extensions, late_record, set_due_dates, store_extensions
from autograder.grading.regrade import (
    NOT_IN_GRADEBOOK,
    Decision,
    Fingerprint,
    RunSummary,
    Settings,
    code_unchanged,
    recorded_result,
    submission_fingerprints,
    submission_key,
    why_grade,
)
from autograder.grading.results import Status, SubmissionResult, result_path, write_result
from autograder.grading.scoring import Scoring
from autograder.grading.worker import Job, grade_submission, warm_worker
from autograder.intake.lms import Collected, LmsOptions, collect_class_archives
from autograder.intake.submissions import Intake, take_in
from autograder.judging.judges import grading_secret
from autograder.outputs import feedback, report
from autograder.outputs.export import CsvExporter
from autograder.outputs.similarity import Similarity, write_similarity
from autograder.sandbox.bubblewrap import Limits, confinement
from autograder.sandbox.fork_server import notebook_imports


@dataclass(frozen=True)
class GradingRun:
    """What `grade_run` gives back: every submission's result, and what the run did with each."""
    submissions: list[SubmissionResult]
    summary: RunSummary
    collected: Collected | None = None  # what the LMS's class archives held (`lms`)


def grade(submitted_dir: Path, out_dir: Path, labs: list[str] | None = None, timeout: int | None = None,
          workers: int | None = None, limits: Limits | None = None, db_url: str | None = None,
          scheduler: str | None = None, progress: bool = False,
          partial_credit: bool | None = None, lms: LmsOptions | None = None,
          demo_secret: bool = False) -> list[SubmissionResult]:
    """Grade every submission under `submitted_dir` into `out_dir`; see the module docstring.
    timeout (per cell), limits and partial_credit: None means the course's (`nbgrader_config.py`).
    demo_secret: grade with the public demo secret when NNLABS_COURSE_SECRET is not set
    (`autograder.judging.judges.grading_secret`; without it, and without the variable, it refuses)."""
    return grade_run(submitted_dir, out_dir, labs, timeout, workers, limits, db_url, scheduler, progress,
                     partial_credit, lms, demo_secret=demo_secret).submissions


def grade_run(submitted_dir: Path, out_dir: Path, labs: list[str] | None = None, timeout: int | None = None,
              workers: int | None = None, limits: Limits | None = None, db_url: str | None = None,
              scheduler: str | None = None, progress: bool = False,
              partial_credit: bool | None = None, lms: LmsOptions | None = None,
              demo_secret: bool = False) -> GradingRun:
    """`grade`, also saying which submissions were graded in this run and why (`RunSummary`)."""
    secret = grading_secret(demo_secret)  # SecretMissing before anything is done
    quiet_nbgrader()
    share_engines()
    warnings.filterwarnings("ignore", category=SAWarning, module=r"nbgrader\.")
    config = course_config()
    timeout = course_timeout(config, timeout)
    limits = limits if limits is not None else course_limits(config)
    partial_credit = Scoring(config=config).partial_credit if partial_credit is None else partial_credit
    submitted_dir, out_dir = submitted_dir.resolve(), out_dir.resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    db_url = db_url or f"sqlite:///{out_dir / 'gradebook.db'}"
    collected = None
    if lms is not None:  # the LMS's class archive(s), through nbgrader's zip_collect (`autograder.intake.lms`)
        collected = collect_class_archives(submitted_dir, out_dir / "collected", lms, labs or available_labs())
        submitted_dir = collected.folder
    intakes = take_in(submitted_dir, out_dir / "staged", labs)
    if collected is not None:
        collected.annotate(intakes)
    lab_ids = sorted({intake.lab_id for intake in intakes})
    extensions = granted_extensions(db_url, lab_ids)  # the class gradebook's: each is part of its fingerprint
    fingerprints = submission_fingerprints([(i.student_id, i.lab_id) for i in intakes],
                                           Settings(timeout, limits, secret, partial_credit), extensions)
    workers = workers or os.cpu_count() or 1
    threads = max(1, (os.cpu_count() or 1) // workers)
    pool = None
    # Under OUT_DIR, not /tmp: Dask workers on other machines read the template gradebook.
    work = Path(tempfile.mkdtemp(prefix=".work-", dir=out_dir))
    try:
        reasons_now = [recorded(out_dir, intake, fingerprints[intake.student_id, intake.lab_id])[1]
                       for intake in intakes]
        if not scheduler and any(intake.ready and reason for intake, reason in zip(intakes, reasons_now)):
            # they get ready while the labs are released
            pool = start_workers(workers, threads, limits, kernel_imports(lab_ids))
        template = prepare_template(lab_ids, work, config)
        store_extensions(f"sqlite:///{template}", extensions)  # the workers' penalties count from them
        (out_dir / "course").mkdir(exist_ok=True)  # nbgrader's course root: a worker's autograde starts there
        # A result recorded before is kept only where the class gradebook holds it (`resume`): then
        # the gradebook is made ready first; a class graded afresh gets it while the workers grade.
        kept_before = any(reason is None for reason in reasons_now)
        if kept_before:
            prepare_class_gradebook(lab_ids, out_dir, db_url, config)
        submissions, jobs, decisions, unread = [], [], [], []
        for intake in intakes:
            fingerprint = fingerprints[intake.student_id, intake.lab_id]
            done, reason = resume(out_dir, db_url, intake, fingerprint)
            decisions.append(Decision(intake.student_id, intake.lab_id, reason))
            if done is not None:
                submissions.append(done)
            elif not intake.ready:
                unread.append((intake, fingerprint, reason))
            else:
                jobs.append(Job(intake.student_id, intake.lab_id, str(out_dir / "staged"), str(out_dir),
                                str(template), timeout, limits, threads, secret, partial_credit))

        def meanwhile() -> None:  # the jobs handed out: what needs the class gradebook, ready now
            if not kept_before:
                prepare_class_gradebook(lab_ids, out_dir, db_url, config)
            for intake, fingerprint, reason in unread:
                failed = SubmissionResult(intake.student_id, intake.lab_id)
                failed.fail(intake.problem)
                submissions.append(record(out_dir, db_url, intake, failed, None, fingerprint, code_unchanged(reason)))

        by_key = {(i.student_id, i.lab_id): i for i in intakes}
        reasons = {(d.student_id, d.lab_id): d.reason for d in decisions}
        bar = tqdm(total=len(jobs), desc="grading", unit="notebook", disable=not progress or not jobs)
        for job, (result, grades) in run_jobs(jobs, workers, scheduler, pool, meanwhile):
            submissions.append(record(out_dir, db_url, by_key[(job.student_id, job.lab_id)], result, grades,
                                      fingerprints[job.student_id, job.lab_id],
                                      code_unchanged(reasons[job.student_id, job.lab_id])))
            bar.set_postfix_str(f"{job.student_id}/{job.lab_id}", refresh=False)
            bar.update()
        bar.close()
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
        shutil.rmtree(work, ignore_errors=True)
    submissions.sort(key=lambda s: (s.student_id, s.lab_id))
    summary = RunSummary(tuple(sorted(decisions, key=lambda d: (d.student_id, d.lab_id))))
    with Gradebook(db_url) as gb:
        CsvExporter(to=str(out_dir / "grades.csv"), student=sorted({s.student_id for s in submissions}),
                    assignment=lab_ids).export(gb)
    similar = write_similarity(out_dir, lab_ids, Similarity(config=config))
    report.write_report(out_dir, submissions, confinement(), summary, similar,
                        overrides(db_url, lab_ids, summary.new_code))
    return GradingRun(submissions, summary, collected)


def prepare_template(lab_ids: list[str], work: Path, config) -> Path:
    """Release the labs, with their due dates, into a template SQLite gradebook: the workers'
    copies, one per submission (nbgrader computes late penalties there). It holds no student:
    nbgrader adds the one it grades."""
    template = work / "template.db"
    for lab_id in lab_ids:
        generate_student_version(lab_id, work / "release", f"sqlite:///{template}")
    set_due_dates(f"sqlite:///{template}", lab_ids, config)
    return template


def prepare_class_gradebook(lab_ids: list[str], out_dir: Path, db_url: str, config) -> None:
    """Release the labs, with their due dates, into the class gradebook (OUT_DIR/course/release
    for nbgrader's formgrader and feedback)."""
    for lab_id in lab_ids:
        generate_student_version(lab_id, out_dir / "course" / "release", db_url)
    set_due_dates(db_url, lab_ids, config)


Returned = tuple[SubmissionResult, SubmissionGrades | None]  # what a worker hands back


def kernel_imports(lab_ids: list[str]) -> tuple[str, ...] | None:
    """What the labs' released notebooks import, for the workers' fork servers to import
    beforehand (`autograder.sandbox.fork_server.notebook_imports`); None (everything) where a
    notebook cannot be read."""
    try:
        return notebook_imports(student_path(lab_id) for lab_id in lab_ids)
    except (OSError, ValueError):
        return None


def start_workers(workers: int, threads: int, limits: Limits,
                  modules: tuple[str, ...] | None = None) -> ProcessPoolExecutor:
    """Local worker processes, each started now with its fork server (`autograder.grading.worker.warm_worker`),
    so that they get ready while this process releases the labs. `modules`: what the fork servers
    import (`kernel_imports`; None: every lab's).

    Where this process has not imported torch, the workers are forks of it, made now, from this
    thread (milliseconds: it has imported their modules). Else they fork from a server process that
    has imported the worker's modules (seconds, before the first worker starts its fork server): a
    fork of a process that has run torch (the judges, the release) can hang in torch's thread pool."""
    initargs = (threads, limits, os.getpid(), modules)
    if "torch" not in sys.modules:
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"),
                                   initializer=warm_worker, initargs=initargs)
        pool.submit(int)  # with fork, the first task starts every worker at once
        return pool
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["autograder.grading.worker"])  # no effect once its server runs
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=warm_worker,
                               initargs=initargs)

    def start() -> None:  # the pool starts a process per task while none is idle
        for _ in range(workers):
            pool.submit(int)

    # In a thread: the first start waits for the server's imports.
    threading.Thread(target=start, daemon=True, name="start-workers").start()
    return pool


def run_jobs(jobs: list[Job], workers: int, scheduler: str | None, pool: ProcessPoolExecutor | None = None,
             meanwhile: Callable[[], None] = lambda: None) -> Iterator[tuple[Job, Returned]]:
    """(job, what its worker returned) as each finishes; a worker's crash costs its submission,
    not the class. `pool`: local workers already started (`start_workers`); `meanwhile`: run once
    the jobs are handed out, before the first result is taken (also when there is no job)."""
    if not jobs:
        meanwhile()
        return
    if scheduler:
        yield from run_on_dask(jobs, scheduler, meanwhile)
        return
    if pool is None:
        pool = start_workers(workers, jobs[0].threads, jobs[0].limits)
    with pool:
        futures = {pool.submit(grade_submission, job, os.getpid()): job for job in jobs}
        meanwhile()
        for future in as_completed(futures):
            yield futures[future], outcome(futures[future], future)


def run_on_dask(jobs: list[Job], scheduler: str,
                meanwhile: Callable[[], None] = lambda: None) -> Iterator[tuple[Job, Returned]]:
    """The same jobs on an existing Dask cluster (OUT_DIR must be on storage its workers share)."""
    from distributed import Client
    from distributed import as_completed as dask_completed

    with Client(scheduler) as client:
        futures = {client.submit(grade_submission, job, pure=False, key=f"grade-{job.student_id}-{job.lab_id}-"
                                 f"{os.urandom(4).hex()}"): job for job in jobs}
        meanwhile()
        for future in dask_completed(list(futures)):
            yield futures[future], outcome(futures[future], future)


def outcome(job: Job, future) -> Returned:
    try:
        return future.result()
    except Exception as exc:  # noqa: BLE001 - a grader crash costs one submission, not the class
        failed = SubmissionResult(job.student_id, job.lab_id)
        failed.fail(f"the grader failed: {exc!r}")
        return failed, None


def resume(out_dir: Path, db_url: str, intake: Intake,
           fingerprint: Fingerprint) -> tuple[SubmissionResult | None, str | None]:
    """(the recorded result, None) when it is for this very submission, graded as it would be
    now, and in the gradebook; else (None, why the submission is graded in this run)."""
    result, reason = recorded(out_dir, intake, fingerprint)
    if reason is None and not has_submission(db_url, intake.student_id, intake.lab_id):
        reason = NOT_IN_GRADEBOOK
    return (result, None) if reason is None else (None, reason)


def recorded(out_dir: Path, intake: Intake, fingerprint: Fingerprint) -> tuple[SubmissionResult | None, str | None]:
    """`resume` without asking the gradebook (which may not be released yet)."""
    result, reason = recorded_result(result_path(out_dir, intake.student_id, intake.lab_id))
    if result is not None:
        reason = why_grade(result, submission_key(intake), fingerprint, intake.lab_id)
    return result, reason


def record(out_dir: Path, db_url: str, intake: Intake, result: SubmissionResult, grades: SubmissionGrades | None,
           fingerprint: Fingerprint, same_code: bool = False) -> SubmissionResult:
    """Gradebook first, then feedback, then the results file (the mark of a finished submission).
    `same_code`: the submission is the one graded before (`autograder.grading.regrade.code_unchanged`),
    so what was given by hand in formgrader to its cells stands (`merge_grades`)."""
    result.notes, result.flags = intake.notes, intake.flags
    result.digest, result.fingerprint = submission_key(intake), asdict(fingerprint)
    if not result.max_points:
        result.max_points = max_points(intake.lab_id)
    result.manual_points = manual_points(intake.lab_id)
    usable = grades is not None and result.status is not Status.ERROR
    merge_grades(db_url, grades if usable else None, intake.student_id, intake.lab_id, flagged=bool(intake.flags),
                 same_code=same_code)
    if not usable:
        result.points, result.cells = 0.0, {}
    result.seconds_late, result.late_penalty = late_record(db_url, intake.student_id, intake.lab_id)
    result.extended_due = extended_due(db_url, intake.student_id, intake.lab_id)
    feedback.write_feedback(out_dir, result)
    write_result(result_path(out_dir, intake.student_id, intake.lab_id), result)
    return result
