"""In a real browser: the student flow in JupyterLab, nbgrader's formgrader, the walk-through site.

Playwright drives Debian's Chromium (/usr/bin/chromium, installed by `make test` as
root); it never downloads a browser. Screenshots of every step are saved under
`.scratch/test-artifacts/browser/`. JupyterLab runs on a scratch copy of `labs/` on a
free loopback port and is stopped by its process id at the end, pass or fail.
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

from autograder.course.config import quiet_nbgrader
from autograder.course.labs import (
    LABS,
    ROOT,
    available_labs,
    is_solution_cell,
    nbgrader_meta,
    read_notebook,
    solution_code,
    source_path,
)
from autograder.course.student_version import generate_student_version
from autograder.judging.mistakes import mistakes_for

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = ROOT / ".scratch" / "test-artifacts" / "browser"
LAB = "01_matrix_shapes"

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                reason="Chromium is not installed (Debian package 'chromium'; `make test` installs it as root)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def shot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def jupyter(tmp_path_factory):
    """`jupyter lab` on a scratch copy of labs/, with a course nbgrader's formgrader can show."""
    quiet_nbgrader()
    workdir = tmp_path_factory.mktemp("jupyter")
    shutil.copytree(LABS, workdir / "labs")
    (workdir / "exchange").mkdir()
    course = workdir / "course"
    db_url = f"sqlite:///{workdir / 'gradebook.db'}"
    for lab_id in available_labs():
        generate_student_version(lab_id, course / "release", db_url)
    (workdir / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        f"c.CourseDirectory.course_id = 'nn-training-labs'\n"
        f"c.CourseDirectory.root = {str(course)!r}\n"
        f"c.CourseDirectory.source_directory = {str(ROOT / 'solutions')!r}\n"
        f"c.CourseDirectory.db_url = {db_url!r}\n"
        f"c.Exchange.root = {str(workdir / 'exchange')!r}\n")
    port = free_port()
    command = [str(Path(sys.executable).parent / "jupyter"), "lab", "--no-browser", f"--port={port}",
               "--ServerApp.ip=127.0.0.1", "--IdentityProvider.token=", "--ServerApp.password=",
               f"--ServerApp.root_dir={workdir}", "--LabApp.news_url=", "--LabApp.check_for_updates_class="
               "jupyterlab.NeverCheckForUpdate"] + (["--allow-root"] if os.geteuid() == 0 else [])
    log = (workdir / "jupyter.log").open("wb")
    server = subprocess.Popen(command, cwd=workdir, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                              env={**os.environ, "JUPYTER_CONFIG_DIR": str(workdir / ".jupyter")})
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/status", timeout=2)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("jupyter lab did not start:\n"
                                       + (workdir / "jupyter.log").read_text(errors="replace")[-2000:])
                time.sleep(0.5)
        yield url
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()


def cell_containing(page, text: str):
    return page.locator(".jp-Notebook .jp-Cell").filter(has_text=text).first


def replace_and_run(page, cell, code: str) -> None:
    """Put `code` in the cell's editor, run it (Shift+Enter) and the check cell after it."""
    cell.locator(".cm-content").click()
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(code)  # as pasted: no auto-indent
    page.keyboard.press("Shift+Enter")
    page.keyboard.press("Shift+Enter")


def solution_of(task: str) -> str:
    cell = next(c for c in read_notebook(source_path(LAB)).cells
                if is_solution_cell(c) and nbgrader_meta(c)["grade_id"] == task)
    return solution_code(cell.source)


def test_a_student_sees_the_mistake_named_then_success(browser, jupyter):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{jupyter}/lab/tree/labs/{LAB}/{LAB}.ipynb")
    setup = cell_containing(page, "import numpy as np")
    setup.wait_for(timeout=60_000)
    page.locator(".jp-Notebook-ExecutionIndicator, .jp-Toolbar-kernelStatus").first.wait_for(timeout=30_000)
    shot(page, "1-lab-opened")

    setup.locator(".cm-content").click()
    page.keyboard.press("Shift+Enter")
    setup.locator(".jp-InputPrompt", has_text="[1]").wait_for(timeout=60_000)

    mistake = next(m for m in mistakes_for(LAB, "matmul") if m.name == "transposed indexing")
    answer = cell_containing(page, 'NotImplementedError("Lab 01, task 2: matmul")')
    answer.scroll_into_view_if_needed()
    check = cell_containing(page, "lab01.check_matmul(matmul)")
    replace_and_run(page, answer, mistake.code)
    message = check.locator(".jp-OutputArea-output").filter(has_text="Likely mistake: transposed indexing")
    message.wait_for(timeout=60_000)
    check.scroll_into_view_if_needed()
    shot(page, "2-wrong-answer-named")
    assert "CheckFailed" in check.inner_text()

    answer = cell_containing(page, "def matmul")
    replace_and_run(page, answer, solution_of("matmul"))
    check.locator(".jp-OutputArea-output").filter(has_text="✔ matmul").wait_for(timeout=60_000)
    check.scroll_into_view_if_needed()
    shot(page, "3-right-answer-passes")
    assert "Likely mistake" not in check.inner_text()
    page.close()


def test_the_formgrader_lists_the_labs(browser, jupyter):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{jupyter}/formgrader")
    for lab_id in available_labs():
        page.get_by_text(lab_id, exact=True).first.wait_for(timeout=60_000)
    shot(page, "4-formgrader")
    page.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    from autograder.learners.walkthrough_site import build_site

    return build_site(tmp_path_factory.mktemp("site") / "site")


def test_every_page_of_the_site_renders_with_figures_math_and_no_console_errors(browser, site):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(f"console {msg.type}: {msg.text}") if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    page.on("requestfailed", lambda request: problems.append(f"request failed: {request.url} ({request.failure})"))

    page.goto((site / "index.html").as_uri())
    links = page.locator("ol a")
    assert links.count() == len(available_labs())
    for number, lab_id in enumerate(available_labs(), start=1):  # each lab's own title and summary
        item = page.locator("ol li").nth(number - 1)
        assert item.locator("a").inner_text().startswith(f"Lab {number:02d} — ")
        assert "All labs" not in item.inner_text() and "→" not in item.inner_text()
    shot(page, "5-site-index")
    for number, lab_id in enumerate(available_labs(), start=1):
        page.goto((site / f"{lab_id}.html").as_uri())
        page.wait_for_load_state("load")
        assert page.locator("h1").first.inner_text().startswith(f"Lab {number:02d}")
        assert page.title().startswith(f"Lab {number:02d} — "), page.title()
        figures = page.locator(".jp-OutputArea-output img")
        plots = any("matplotlib" in cell.source for cell in read_notebook(source_path(lab_id)).cells)
        assert (figures.count() >= 1) == plots, f"{lab_id}: {figures.count()} figures"
        assert all(figures.nth(i).evaluate("img => img.complete && img.naturalWidth > 0")
                   for i in range(figures.count())), f"{lab_id}: a figure did not load"
        page.locator(".MathJax_CHTML, .MathJax").first.wait_for(timeout=30_000)  # typeset offline
        # Leaving the page while MathJax still loads a font aborts that request, which would read
        # as a missing file: wait until MathJax's queue (typesetting and its font loads) is done.
        page.evaluate("() => new Promise(done => MathJax.Hub.Queue(() => done(true)))")
        shot(page, f"6-site-{lab_id}")
    assert problems == []

    page.goto((site / f"{available_labs()[0]}.html").as_uri())
    page.get_by_role("link", name=f"{available_labs()[1]} →").first.click()
    assert page.url.endswith(f"{available_labs()[1]}.html")
    page.close()


def test_the_sites_hints_stay_collapsed_until_opened(browser, site):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    for lab_id in available_labs():
        page.goto((site / f"{lab_id}.html").as_uri())
        hints = page.locator("details", has=page.locator("summary", has_text="Hint 1"))
        assert hints.count() >= 1, lab_id
        first = hints.first
        body = first.locator("p").first
        assert not body.is_visible(), f"{lab_id}: a hint's text shows before it is opened"
        first.locator("summary").click()
        assert body.is_visible(), f"{lab_id}: an opened hint shows no text"
    page.close()
