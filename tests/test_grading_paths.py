"""The other ways in and out of `grade`: LMS zips, kill -9 and resume, Dask, PostgreSQL.

Each grades a small class of lab 01 (the solution, the untouched version, a mistake)
and compares with what the local, SQLite run gives.
"""
import csv
import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from autograder.course.labs import ROOT
from autograder.demo.synthetic_class import build_class
from autograder.grading.results import Status
from autograder.judging.mistakes import catalogue
from autograder.pipeline.run import grade

LAB = "01_matrix_shapes"
MISTAKE = next(m for m in catalogue(LAB) if m.task == "matmul")
EXPECTED = {"ada": 5.0, "blaise": 0.0, "carl": 3.0}
ROSTER = {"ada": {LAB: []}, "blaise": {LAB: None}, "carl": {LAB: [MISTAKE]}}


def scores(db_url: str) -> dict[str, float]:
    with Gradebook(db_url) as gb:
        return {s.student_id: s.score for s in gb.assignment_submissions(LAB)}


def test_a_folder_of_lms_zips_is_graded_like_the_submitted_layout(tmp_path):
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    build_class(ROSTER, tmp_path / "plain")
    with zipfile.ZipFile(downloads / "ada_attempt_2026-11-20.zip", "w") as zf:  # nested as released
        zf.write(tmp_path / "plain" / "ada" / LAB / f"{LAB}.ipynb", f"{LAB}/{LAB}.ipynb")
    with zipfile.ZipFile(downloads / "carl.zip", "w") as zf:  # flat, with a stray file
        zf.write(tmp_path / "plain" / "carl" / LAB / f"{LAB}.ipynb", f"{LAB}.ipynb")
        zf.writestr("notes.txt", "hello")
    with zipfile.ZipFile(downloads / "eve.zip", "w") as zf:  # a path outside the archive
        zf.writestr(f"../{LAB}.ipynb", "{}")
    (downloads / "dora.zip").write_bytes(b"not a zip")
    nested = tmp_path / "nested.zip"
    with zipfile.ZipFile(nested, "w") as zf:  # a zip inside the zip, as some students hand in
        zf.write(tmp_path / "plain" / "ada" / LAB / f"{LAB}.ipynb", f"{LAB}.ipynb")
    with zipfile.ZipFile(downloads / "gina.zip", "w") as zf:  # ... with a compressed data file beside it
        zf.write(nested, "handin.zip")
        zf.writestr("data.csv.gz", b"\x1f\x8b08")
    with zipfile.ZipFile(nested, "w") as zf:
        zf.writestr(f"../../{LAB}.ipynb", "{}")
    with zipfile.ZipFile(downloads / "frank.zip", "w") as zf:  # a nested zip pointing outside
        zf.write(nested, "handin.zip")
    results = {r.student_id: r for r in grade(downloads, tmp_path / "out", labs=[LAB])}
    assert {s: r.points for s, r in results.items() if r.status is Status.GRADED} == {
        "ada": 5.0, "carl": 3.0, "gina": 5.0}
    assert "holds a path outside itself" in results["frank"].detail
    assert "holds a path outside itself" in results["eve"].detail and results["eve"].points == 0
    assert "cannot be unpacked" in results["dora"].detail
    assert not (tmp_path / f"{LAB}.ipynb").exists() and not (downloads.parent / "out" / f"{LAB}.ipynb").exists()


def kernels_running() -> list[int]:
    pids = []
    for path in glob.glob("/proc/[0-9]*/cmdline"):
        try:
            if b"nnlabs-" in Path(path).read_bytes():
                pids.append(int(path.split("/")[2]))
        except OSError:
            continue
    return pids


def children_of(pid: int) -> set[int]:
    found = set()
    for path in glob.glob("/proc/[0-9]*/stat"):
        try:
            fields = Path(path).read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(path.split("/")[2]))
    return found


@pytest.mark.alone  # no kernel of any run may be left on the machine
def test_kill_9_mid_run_then_the_same_command_finishes_the_rest(tmp_path):
    submitted, out = tmp_path / "submitted", tmp_path / "out"
    roster = {f"student-{k}": {LAB: [] if k % 2 else [MISTAKE]} for k in range(6)}
    build_class(roster, submitted)
    command = [sys.executable, "-m", "autograder", "grade", str(submitted), "--out", str(out), "--workers", "1"]
    first = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not list((out / "results").rglob("*.json")) and time.monotonic() < deadline:
        time.sleep(0.2)
    helpers = children_of(first.pid)
    first.send_signal(signal.SIGKILL)
    first.wait()
    done_before = {p: p.read_bytes() for p in (out / "results").rglob("*.json")}
    assert 0 < len(done_before) < 6, "the kill should land mid-run"
    for _ in range(50):  # the workers notice within half a second and take their sandboxes down
        if not kernels_running() and not any(Path(f"/proc/{pid}").exists() for pid in helpers):
            break
        time.sleep(0.2)
    assert kernels_running() == []
    assert not [pid for pid in helpers if Path(f"/proc/{pid}").exists()]

    subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for path, content in done_before.items():
        assert path.read_bytes() == content, f"{path.name} was graded twice"
    expected = {student: 5.0 if labs[LAB] == [] else 3.0 for student, labs in roster.items()}
    assert scores(f"sqlite:///{out / 'gradebook.db'}") == expected
    rows = list(csv.DictReader((out / "grades.csv").open()))
    assert {row["student_id"]: float(row["total"]) for row in rows} == expected


def test_grading_on_a_dask_cluster_gives_the_same_grades(tmp_path):
    from distributed import LocalCluster

    build_class(ROSTER, tmp_path / "submitted")
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        results = grade(tmp_path / "submitted", tmp_path / "out", scheduler=cluster.scheduler_address)
    assert {r.student_id: r.points for r in results} == EXPECTED
    assert all(r.status is Status.GRADED for r in results)
    assert scores(f"sqlite:///{tmp_path / 'out' / 'gradebook.db'}") == EXPECTED


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def postgres():
    """A throwaway PostgreSQL server from Debian's packages, on loopback, or a clear skip."""
    binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not binaries:
        pytest.skip("PostgreSQL is not installed (Debian package 'postgresql'; `make test` installs it as root)")
    bin_dir = Path(binaries[-1]).parent
    as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    base = Path(tempfile.mkdtemp(prefix="pgtest-"))  # pytest's tmp_path is private to root
    data, sockets = base / "data", base / "sockets"
    sockets.mkdir()
    if os.geteuid() == 0:
        for path in (base, sockets):
            shutil.chown(path, "postgres")
    port = free_port()
    init = subprocess.run([*as_postgres, str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"],
                          capture_output=True, text=True)
    if init.returncode != 0:
        pytest.skip(f"initdb failed, no PostgreSQL server can be started here: {init.stderr.strip()[-300:]}")
    started = subprocess.run([*as_postgres, str(bin_dir / "pg_ctl"), "-D", str(data), "-w", "-l", str(data / "log"),
                              "-o", f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1", "start"],
                             capture_output=True, text=True)
    if started.returncode != 0:
        pytest.skip(f"the PostgreSQL server did not start: {started.stderr.strip()[-300:]}")
    try:
        subprocess.run([*as_postgres, str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(port),
                        "-U", "postgres", "gradebook"], check=True, capture_output=True)
        yield f"postgresql://postgres@127.0.0.1:{port}/gradebook"
    finally:
        subprocess.run([*as_postgres, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


def test_the_gradebook_can_live_in_postgresql(tmp_path, postgres):
    build_class(ROSTER, tmp_path / "submitted")
    results = grade(tmp_path / "submitted", tmp_path / "out", db_url=postgres)
    assert {r.student_id: r.points for r in results} == EXPECTED
    assert scores(postgres) == EXPECTED
    assert not (tmp_path / "out" / "gradebook.db").exists()
    again = grade(tmp_path / "submitted", tmp_path / "out", db_url=postgres)  # resumes against PostgreSQL too
    assert {r.student_id: r.points for r in again} == EXPECTED and scores(postgres) == EXPECTED
