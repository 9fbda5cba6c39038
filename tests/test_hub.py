"""A course on a real JupyterHub, through nbgrader's exchange, in a real browser (issue 27).

JupyterHub (PyPI `jupyterhub`; its proxy, npm's `configurable-http-proxy`, installed by the
Makefile under .venv/proxy) listens on 127.0.0.1 only, with its DummyAuthenticator (one test
password) and SimpleLocalProcessSpawner: an instructor and two students, each with a home folder
of their own, and one exchange folder. The instructor releases lab 01; in Chromium each student
logs in, fetches it from JupyterLab's Assignment List, fills one exercise (ada right, blaise with
a catalogued mistake) and submits; the instructor collects, grades with `python -m autograder
grade` and runs `python -m autograder release-feedback`; each student fetches the feedback in the
Assignment List and reads the points and the named mistake. Screenshots of every step are saved
under `.scratch/test-artifacts/hub/`.

SimpleLocalProcessSpawner runs every user as the hub's own system user, so the students' nbgrader
configuration names the student from JUPYTERHUB_USER (tools/hub/student_nbgrader_config.py), as
a course whose students share one system user must.
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from autograder.course.labs import ROOT, is_solution_cell, nbgrader_meta, read_notebook, solution_code, source_path
from autograder.judging.mistakes import mistakes_for

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PROXY = ROOT / ".venv" / "proxy" / "node_modules" / ".bin" / "configurable-http-proxy"
BIN = Path(sys.executable).parent
ARTIFACTS = ROOT / ".scratch" / "test-artifacts" / "hub"
LAB = "01_matrix_shapes"
PASSWORD = "a test password"
STUDENTS = ("ada", "blaise")
FETCHED = f"nn-training-labs/{LAB}"  # where the Assignment List puts a fetched lab (path_includes_course)

pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium is not installed (`make test` installs it)"),
    pytest.mark.skipif(not PROXY.exists(), reason="configurable-http-proxy is not installed (`make test` runs npm)"),
    pytest.mark.skipif(shutil.which("jupyterhub", path=str(BIN)) is None, reason="jupyterhub is not installed"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


class Course:
    """The course's folders and the instructor's commands, as the README's route runs them."""

    def __init__(self, root: Path):
        self.root = root
        self.course, self.exchange, self.graded = root / "course", root / "exchange", root / "course" / "graded"
        for folder in (self.course, self.exchange):
            folder.mkdir(parents=True)
        self.exchange.chmod(0o777)
        self.env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
                    "NNLABS_COURSE_ROOT": str(self.course), "NNLABS_EXCHANGE": str(self.exchange)}

    def run(self, *command: str) -> str:
        done = subprocess.run(command, cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, f"{' '.join(command)}:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
        return done.stdout + done.stderr


def hub_config(root: Path, course: Course, port: int) -> Path:
    """jupyterhub_config.py: loopback only, a test password, a home folder per user, the students'
    nbgrader configuration in their Jupyter config folder."""
    student_config = root / "student-jupyter"
    student_config.mkdir()
    shutil.copy(ROOT / "tools" / "hub" / "student_nbgrader_config.py", student_config / "nbgrader_config.py")
    path = root / "jupyterhub_config.py"
    path.write_text(f"""
c = get_config()
c.JupyterHub.bind_url = "http://127.0.0.1:{port}"
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {free_port()}
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{free_port()}"
c.ConfigurableHTTPProxy.command = [{str(PROXY)!r}]
c.JupyterHub.db_url = "sqlite:///{root / 'hub.sqlite'}"
c.JupyterHub.cookie_secret_file = {str(root / 'cookie_secret')!r}
c.JupyterHub.authenticator_class = "dummy"
c.DummyAuthenticator.password = {PASSWORD!r}
c.Authenticator.allowed_users = {{"instructor", *{STUDENTS!r}}}
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = {str(root / 'home' / '{username}')!r}
c.Spawner.cmd = [{str(BIN / 'jupyterhub-singleuser')!r}]
c.Spawner.args = {(['--allow-root'] if os.geteuid() == 0 else [])!r} + [
    "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
c.Spawner.environment = {{"JUPYTER_CONFIG_DIR": {str(student_config)!r}, "NNLABS_EXCHANGE": {str(course.exchange)!r},
                          "NNLABS_THREADS": "1", "PATH": {course.env['PATH']!r}}}  # README, "Running the course"
""")
    return path


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    root = tmp_path_factory.mktemp("hub")
    course = Course(root)
    course.run(str(BIN / "nbgrader"), "release_assignment", LAB)
    port = free_port()
    log = (root / "hub.log").open("wb")
    process = subprocess.Popen([str(BIN / "jupyterhub"), "-f", str(hub_config(root, course, port))], cwd=root,
                               env=course.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{url}/hub/api", timeout=2)
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("jupyterhub did not start:\n" + (root / "hub.log").read_text(errors="replace")[-3000:])
                time.sleep(0.3)
        yield url, course
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()
        subprocess.run(["pkill", "-f", str(root)], check=False)  # a single-user server the hub left behind


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()


def answer_of(student: str) -> str:
    """ada's product_shape is the solution's; blaise's has a catalogued mistake."""
    if student == "blaise":
        return next(m for m in mistakes_for(LAB, "product_shape") if m.name == "rows of B instead of columns of B").code
    cell = next(c for c in read_notebook(source_path(LAB)).cells
                if is_solution_cell(c) and nbgrader_meta(c)["grade_id"] == "product_shape")
    return solution_code(cell.source)


def log_in(browser, url: str, user: str):
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"{url}/hub/login")
    page.fill("#username_input", user)
    page.fill("#password_input", PASSWORD)
    page.click("#login_submit")
    page.wait_for_url(f"**/user/{user}/lab**", timeout=120_000)
    page.locator(".jp-LabShell").wait_for(timeout=120_000)
    return page


def open_assignment_list(page) -> None:
    page.get_by_text("Nbgrader", exact=True).first.click()
    page.get_by_text("Assignment List", exact=True).first.click()
    page.get_by_text("Released assignments").first.wait_for(timeout=60_000)


def cell_containing(page, text: str):
    return page.locator(".jp-Notebook .jp-Cell").filter(has_text=text).first


def fill_and_submit(page, student: str) -> None:
    """Fetch the lab, answer product_shape in the notebook, save, submit."""
    page.get_by_role("button", name="Fetch").click()
    page.get_by_text("There are no downloaded assignments.").wait_for(state="hidden", timeout=60_000)
    shot(page, f"2-{student}-fetched")
    page.get_by_text(LAB, exact=True).first.wait_for()
    notebook = page.context.new_page()
    notebook.set_viewport_size({"width": 1280, "height": 900})
    notebook.goto(page.url.split("/lab")[0] + f"/lab/tree/{FETCHED}/{LAB}.ipynb")
    cell = cell_containing(notebook, 'NotImplementedError("Lab 01, task 1: product_shape")')
    try:
        cell.wait_for(timeout=60_000)
    finally:
        shot(notebook, f"3-{student}-notebook-opened")
    cell.locator(".cm-content").click()
    notebook.keyboard.press("Control+A")
    notebook.keyboard.insert_text(answer_of(student))  # as pasted: no auto-indent
    notebook.keyboard.press("Control+S")
    notebook.locator(".jp-mod-dirty").wait_for(state="detached", timeout=30_000)
    cell_containing(notebook, "def product_shape").scroll_into_view_if_needed()
    shot(notebook, f"3-{student}-answered")
    notebook.close()
    page.get_by_role("button", name="Submit").click()
    page.get_by_text("There are no submitted assignments.").wait_for(state="hidden", timeout=60_000)
    shot(page, f"4-{student}-submitted")


def fetch_feedback(page, student: str) -> str:
    """Press Fetch Feedback in the Assignment List, open the page, return its text."""
    page.get_by_role("button", name="Fetch Feedback").click()
    view = page.get_by_text("view feedback").first
    view.wait_for(timeout=60_000)
    shot(page, f"6-{student}-feedback-fetched")
    found = sorted((Path(page.context.hub_home) / FETCHED / "feedback").glob(f"*/{LAB}.html"))
    assert found, "no feedback page was fetched into the student's folder"
    feedback = page.context.new_page()
    feedback.set_viewport_size({"width": 1280, "height": 900})
    feedback.goto(page.url.split("/lab")[0] + "/files/" + str(found[-1].relative_to(page.context.hub_home)))
    feedback.locator("body").wait_for()
    shot(feedback, f"7-{student}-feedback-page")
    return feedback.inner_text("body")


def test_students_fetch_submit_and_fetch_their_feedback(hub, browser):
    url, course = hub
    pages = {}
    for student in STUDENTS:
        page = pages[student] = log_in(browser, url, student)
        page.context.hub_home = course.root / "home" / student
        open_assignment_list(page)
        shot(page, f"1-{student}-assignment-list")
        fill_and_submit(page, student)

    course.run(str(BIN / "nbgrader"), "collect", LAB)
    assert sorted(p.name for p in (course.course / "submitted").iterdir()) == list(STUDENTS)
    graded = course.run(sys.executable, "-m", "autograder", "grade", str(course.course / "submitted"),
                        "--out", str(course.graded), "--labs", LAB)
    released = course.run(sys.executable, "-m", "autograder", "release-feedback", LAB, "--graded", str(course.graded))
    assert f"{LAB}: feedback released to 2 student(s) (ada, blaise)" in released, graded + released

    ada, blaise = (fetch_feedback(pages[student], student) for student in STUDENTS)
    assert "1 / 5 points" in ada and "Likely mistake" not in ada
    assert "extra files" not in ada  # nbgrader's own timestamp.txt and submission_secret.txt are no extra
    assert "0 / 5 points" in blaise and "rows of B instead of columns of B" in blaise
