"""Command line: python -m autograder {release,verify,grade,extend,intake,export,similarity,selfgrade,site,bundle,gradescope,demo} ...

Grading limits and the per-cell timeout come from nbgrader_config.py; a flag replaces one
only when it is given.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from autograder.course.labs import available_labs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    release = commands.add_parser("release", help="regenerate labs/ and the check fixtures from solutions/")
    release.add_argument("labs", nargs="*", metavar="LAB_ID")

    verify = commands.add_parser("verify", help="prove each lab's solution, stubs, judges and release agree")
    verify.add_argument("labs", nargs="*", metavar="LAB_ID")

    grade = commands.add_parser("grade", help="grade SUBMITTED_DIR/<student>/<lab>/<lab>.ipynb, or the class "
                                "archive of Canvas or Moodle (--lms)")
    grade.add_argument("submitted", type=Path, metavar="SUBMITTED_DIR")
    grade.add_argument("--out", type=Path, required=True, metavar="OUT_DIR")
    grade.add_argument("--labs", nargs="+", metavar="ID")
    grade.add_argument("--timeout", type=int, metavar="SECONDS",
                       help="per-cell execution limit (default: Execute.timeout of nbgrader_config.py)")
    grade.add_argument("--workers", type=int, metavar="N", help="parallel submissions (default: the cores)")
    grade.add_argument("--memory", type=int, metavar="MB",
                       help="address-space limit of each kernel (default: SandboxedKernelManager.memory_mb "
                            "of nbgrader_config.py)")
    grade.add_argument("--wall", type=int, metavar="SECONDS",
                       help="wall-clock limit of each notebook, hidden tests included "
                            "(default: JudgedExecute.wall_seconds of nbgrader_config.py)")
    grade.add_argument("--db", metavar="URL", help="gradebook URL (default sqlite:///OUT_DIR/gradebook.db; "
                       "postgresql://user@host/db works)")
    grade.add_argument("--scheduler", metavar="ADDRESS",
                       help="a Dask scheduler (tcp://host:8786) to grade on; OUT_DIR must be shared with its workers")
    grade.add_argument("--demo-secret", action="store_true",
                       help="grade with the public demo secret when NNLABS_COURSE_SECRET is not set (a trial run: "
                            "anyone with the repository can compute the hidden cases); without it, grade refuses")

    intake = commands.add_parser("intake", help="collect the class archive of Canvas or Moodle into nbgrader's "
                                 "submitted layout (what grade --lms does first), and say who is who")
    intake.add_argument("archive", type=Path, metavar="ARCHIVE", help="the LMS's zip, or a folder of them (one per lab)")
    intake.add_argument("--out", type=Path, required=True, metavar="SUBMITTED_DIR")
    intake.add_argument("--labs", nargs="+", metavar="ID")
    for command in (grade, intake):  # a class archive as the LMS hands it out (autograder.intake.lms)
        command.add_argument("--lms", choices=["canvas", "moodle"],
                             help="the input is the class archive the LMS gives for a lab (or a folder of them, "
                                  "one per lab), collected by nbgrader's zip_collect with the LMS's named_regexp")
        command.add_argument("--named-regexp", metavar="REGEXP",
                             help="replaces the LMS's preset; matched against each path inside the archive, with "
                                  "nbgrader's groups student_id and file_id (and timestamp)")
        command.add_argument("--roster", type=Path, action="append", metavar="FILE",
                             help="LMS id -> course id: Canvas's gradebook export; Moodle's grading worksheet "
                                  "(and, if it shows no ID number, the grades export as a second --roster)")
        command.add_argument("--key", metavar="COLUMN", help="the roster column of the course's student ids "
                             "(default: SIS Login ID for Canvas, ID number for Moodle)")
        command.add_argument("--lms-timezone", default="UTC", metavar="TZ",
                             help="the timezone of the times in Moodle's grading worksheet (default: UTC)")

    extend = commands.add_parser("extend", help="give a student more time for a lab: nbgrader's extension, in the "
                                 "class gradebook; the next grade regrades that submission alone")
    extend.add_argument("student", nargs="?", metavar="STUDENT_ID")
    extend.add_argument("lab", nargs="?", metavar="LAB_ID")
    extend_by = extend.add_mutually_exclusive_group(required=True)
    extend_by.add_argument("--days", type=float, metavar="N", help="due N days after the lab's due date (0: none)")
    extend_by.add_argument("--hours", type=float, metavar="N", help="due N hours after the lab's due date (0: none)")
    extend_by.add_argument("--until", metavar="DATE", help='due then: "2026-09-24 23:59 UTC" (UTC unless it says)')
    extend_by.add_argument("--csv", type=Path, metavar="FILE",
                           help="many: columns student_id, lab_id and one of days, hours, until")
    extend_in = extend.add_mutually_exclusive_group(required=True)
    extend_in.add_argument("--graded", type=Path, metavar="OUT_DIR", help="grade's OUT_DIR (its gradebook.db)")
    extend_in.add_argument("--db", metavar="URL", help="the class gradebook, as grade --db has it")

    export = commands.add_parser("export", help="grades for Canvas, Moodle or a plain CSV, from a graded OUT_DIR")
    export.add_argument("--graded", type=Path, required=True, metavar="OUT_DIR", help="what `grade --out` wrote")
    export.add_argument("--format", choices=["canvas", "moodle", "csv"], required=True)
    export.add_argument("--roster", type=Path, metavar="ROSTER.csv",
                        help="the LMS's own gradebook export (canvas and moodle need it)")
    export.add_argument("--key", metavar="COLUMN", help="the roster column holding the course's student ids "
                        "(default: SIS Login ID for Canvas, ID number for Moodle)")
    export.add_argument("--out", type=Path, required=True, metavar="FILE")
    export.add_argument("--db", metavar="URL", help="the gradebook, if not OUT_DIR/gradebook.db")

    similarity = commands.add_parser("similarity", help="rank pairs of students whose answers look alike "
                                     "(OUT_DIR/similarity.html); never a penalty")
    similarity.add_argument("graded", type=Path, metavar="OUT_DIR", help="what `grade --out` wrote")
    similarity.add_argument("--labs", nargs="+", metavar="ID")
    similarity.add_argument("--threshold", type=float, metavar="0..1",
                            help="the least similarity listed (default: Similarity.threshold of nbgrader_config.py)")
    similarity.add_argument("--min-size", type=int, metavar="TOKENS",
                            help="the least tokens of its own an answer needs to be compared "
                                 "(default: Similarity.min_size of nbgrader_config.py)")

    selfgrade = commands.add_parser("selfgrade", help="grade your own notebook with the hidden tests")
    selfgrade.add_argument("notebook", type=Path, metavar="NOTEBOOK")
    selfgrade.add_argument("--timeout", type=int, metavar="SECONDS", help="per-cell execution limit")

    feedback = commands.add_parser("release-feedback", help="put a graded lab's feedback in nbgrader's exchange, "
                                                            "for the students' Fetch Feedback (JupyterHub)")
    feedback.add_argument("lab", metavar="LAB_ID")
    feedback.add_argument("--graded", type=Path, required=True, metavar="OUT_DIR", help="the OUT_DIR of grade")
    feedback.add_argument("--course", type=Path, default=None, metavar="DIR",
                          help="the course root (default: nbgrader_config.py's, NNLABS_COURSE_ROOT)")

    site = commands.add_parser("site", help="build the static walk-through site (default build/site)")
    site.add_argument("--out", type=Path, default=None, metavar="DIR")

    bundle = commands.add_parser("bundle", help="write the student kit: labs, labutils, environment, README")
    bundle.add_argument("--out", type=Path, required=True, metavar="DIR")

    gradescope = commands.add_parser("gradescope", help="write the zip of a Gradescope \"Autograder\" assignment "
                                     "for one lab (docs/running-on-gradescope.md)")
    gradescope.add_argument("lab", metavar="LAB_ID")
    gradescope.add_argument("--out", type=Path, required=True, metavar="DIR")
    gradescope.add_argument("--visibility", choices=["visible", "after_due_date", "after_published"],
                            default="visible", help="when students see their results (default: visible)")
    gradescope.add_argument("--allow-demo-secret", action="store_true",
                            help="build with the public demo secret when NNLABS_COURSE_SECRET is not set "
                                 "(a trial: anyone could compute the hidden cases)")

    demo = commands.add_parser("demo", help="build a synthetic class of 30, grade it, say where the report is")
    demo.add_argument("--out", type=Path, default=None, metavar="OUT_DIR")
    demo.add_argument("--labs", nargs="+", metavar="ID", help="labs to grade (default: 01 and 04)")
    demo.add_argument("--students", type=int, default=30, metavar="N")

    args = parser.parse_args(argv)
    labs = available_labs()
    unknown = [lab for lab in getattr(args, "labs", None) or [] if lab not in labs]
    if unknown:
        parser.error(f"unknown lab id {', '.join(unknown)}; the labs are {', '.join(labs)}")
    if args.command == "release":
        from autograder.authoring.release import release as run_release
        run_release(args.labs or None)
        return 0
    if args.command == "verify":
        from autograder.authoring.verify import verify as run_verify
        return 0 if run_verify(args.labs or None) else 1
    if args.command == "grade":
        from autograder.course.config import course_limits
        from autograder.intake.lms import ArchiveError
        from autograder.intake.rosters import RosterError
        from autograder.outputs.console import print_summary, print_table
        from autograder.pipeline.run import grade_run
        limits = course_limits(memory_mb=args.memory, wall_seconds=args.wall)  # a flag not given: None
        from autograder.judging.judges import DEMO_SECRET, SecretMissing, grading_secret, secret_said
        try:
            if grading_secret(args.demo_secret) == DEMO_SECRET:
                print(f"note: grading with {secret_said(DEMO_SECRET)}", file=sys.stderr)
        except SecretMissing as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
        try:
            run = grade_run(args.submitted, args.out, labs=args.labs, timeout=args.timeout, workers=args.workers,
                            limits=limits, db_url=args.db, scheduler=args.scheduler, progress=True,
                            demo_secret=args.demo_secret,
                            lms=lms_options(parser, args))
        except (ArchiveError, RosterError) as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
        if run.collected is not None:
            print("\n".join(run.collected.lines))
        print_table(run.submissions)
        print_summary(run.summary)
        print(f"grades:   {(args.out / 'grades.csv').resolve()}")
        print(f"report:   {(args.out / 'report.html').resolve()}")
        print(f"similar:  {(args.out / 'similarity.html').resolve()}")
        print(f"feedback: {(args.out / 'feedback').resolve()}/<student>/<lab>.html")
        return 0
    if args.command == "intake":
        import shutil
        import tempfile

        from autograder.intake.lms import ArchiveError, collect_class_archives
        from autograder.intake.rosters import RosterError
        if args.out.exists() and any(args.out.iterdir()):
            parser.error(f"{args.out} is not empty; intake writes a new SUBMITTED_DIR")
        options = lms_options(parser, args)
        if options is None:
            parser.error("intake needs --lms canvas|moodle (or --named-regexp)")
        with tempfile.TemporaryDirectory() as work:
            try:
                collected = collect_class_archives(args.archive, Path(work), options, args.labs or labs)
            except (ArchiveError, RosterError) as error:
                print(f"error: {error}", file=sys.stderr)
                return 1
            shutil.copytree(collected.folder, args.out, dirs_exist_ok=True)
        print("\n".join(collected.lines))
        for (student_id, lab_id), notes in sorted(collected.notes.items()):
            print(f"{student_id}/{lab_id}: " + "; ".join(notes))
        print(f"submitted: {args.out.resolve()} (python -m autograder grade {args.out} --out OUT_DIR)")
        return 0
    if args.command == "extend":
        from autograder.course.config import course_config, quiet_nbgrader
        from autograder.grading.late import ExtensionError, Grant, grant_extensions, parse_until, read_grants
        if (args.csv is None) != bool(args.student and args.lab) or (args.csv is not None and args.student):
            parser.error("extend takes STUDENT_ID LAB_ID with --days, --hours or --until, or --csv FILE alone")
        try:
            grants = read_grants(args.csv) if args.csv is not None else [
                Grant(args.student, args.lab, args.days, args.hours, args.until and parse_until(args.until))]
            unknown = sorted({grant.lab_id for grant in grants} - set(labs))
            if unknown:
                raise ExtensionError(f"unknown lab id {', '.join(unknown)}; the labs are {', '.join(labs)}")
            quiet_nbgrader()
            if args.graded is not None:
                args.graded.mkdir(parents=True, exist_ok=True)
            db_url = args.db or f"sqlite:///{args.graded.resolve() / 'gradebook.db'}"
            granted = grant_extensions(db_url, grants, course_config(),
                                       None if args.db else args.graded.resolve() / "course" / "release")
        except ExtensionError as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
        print("\n".join(grant.line() for grant in granted))
        print("the next grade regrades these submissions, and no other (each extension is in its fingerprint)")
        return 0
    if args.command == "export":
        from autograder.outputs.export import RosterError, export
        if args.format != "csv" and args.roster is None:
            parser.error(f"--format {args.format} needs --roster: the LMS's gradebook export")
        try:
            unmatched = export(args.graded, args.format, args.out, args.roster, args.key, args.db)
        except RosterError as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
        print(f"{args.format}: {args.out.resolve()}")
        if unmatched:
            print(f"not placed ({len(unmatched)}), also in {args.out.resolve()}.unmatched.txt:")
            print("\n".join(f"  {line}" for line in unmatched))
        return 0
    if args.command == "similarity":
        from autograder.course.config import course_config
        from autograder.outputs.similarity import Similarity, write_similarity
        settings = Similarity(config=course_config())
        if args.threshold is not None:
            settings.threshold = args.threshold
        if args.min_size is not None:
            settings.min_size = args.min_size
        staged = sorted({path.name for path in (args.graded / "staged").glob("*/*") if path.is_dir()})
        pairs = write_similarity(args.graded, args.labs or staged, settings)
        for rank, pair in enumerate(pairs, 1):
            print(f"{rank:>3}. {pair.students[0]} · {pair.students[1]}  {pair.lab_id}  {100 * pair.similarity:.0f}%")
        print(f"similarity: {(args.graded / 'similarity.html').resolve()} ({len(pairs)} pairs at or above "
              f"{100 * settings.threshold:.0f}%)")
        return 0
    if args.command == "selfgrade":
        from autograder.learners.selfgrade import report, selfgrade
        from autograder.sandbox.bubblewrap import bwrap_problem, confinement
        print(report(selfgrade(args.notebook, timeout=args.timeout)))
        if bwrap_problem():
            print(f"\nwarning: {confinement()}", file=sys.stderr)
        return 0
    if args.command == "release-feedback":
        if args.lab not in labs:
            parser.error(f"unknown lab id {args.lab}; the labs are {', '.join(labs)}")
        from autograder.platforms.nbgrader_exchange import release_feedback
        release = release_feedback(args.lab, args.graded, args.course)
        print("\n".join(release.lines()))
        return 0 if release.released or not (release.not_collected or release.not_graded) else 1
    if args.command == "site":
        import time

        from autograder.learners.walkthrough_site import build_site
        started = time.monotonic()
        out = build_site(args.out)
        print(f"site: {out / 'index.html'} (built in {time.monotonic() - started:.0f} s)")
        return 0
    if args.command == "bundle":
        from autograder.learners.student_kit import bundle as run_bundle
        print(f"student kit: {run_bundle(args.out)} (hand it out; students run `make lab` in it)")
        return 0
    if args.command == "gradescope":
        import time

        from autograder.platforms.gradescope import GradescopeError, build_zip, zip_manifest
        if args.lab not in labs:
            parser.error(f"unknown lab id {args.lab}; the labs are {', '.join(labs)}")
        started = time.monotonic()
        try:
            path = build_zip(args.lab, args.out, args.visibility, args.allow_demo_secret)
        except GradescopeError as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
        print(f"gradescope: {path.resolve()} ({path.stat().st_size / 1e6:.1f} MB, built in "
              f"{time.monotonic() - started:.1f} s); upload it on the assignment's Configure Autograder page")
        manifest = zip_manifest(path)
        manual = f"; a manually graded question of {manifest['manual_points']:g} points for the written answers" \
            if manifest["manual_points"] else ""
        print(f"assignment: {manifest['points']:g} autograder points{manual} (docs/running-on-gradescope.md)")
        uncommitted = manifest["uncommitted"]
        if uncommitted:
            print(f"warning: the zip holds uncommitted changes of {', '.join(uncommitted)}", file=sys.stderr)
        return 0
    if args.command == "demo":
        from autograder.demo.instructor_demo import demo as run_demo
        return run_demo(args.out, labs=args.labs, students=args.students)
    return 2


def lms_options(parser: argparse.ArgumentParser, args: argparse.Namespace):
    """`grade`/`intake`'s class-archive flags as `autograder.intake.lms.LmsOptions` (None: none given)."""
    from autograder.intake.lms import LmsOptions
    if not args.lms and not args.named_regexp:
        if args.roster:
            parser.error("--roster maps an LMS's ids: give --lms canvas|moodle")
        return None
    return LmsOptions(args.lms, tuple(args.roster or ()), args.named_regexp, args.key, args.lms_timezone)


if __name__ == "__main__":
    sys.exit(main())
