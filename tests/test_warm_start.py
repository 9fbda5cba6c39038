"""What makes a grading run start fast, tested for staying correct:

- importing the pipeline does not build rfc3987_syntax's IRI grammar, yet IRIs are checked;
- nbgrader's gradebooks share one engine per URL, and a gradebook file made again at the same
  path is read afresh, never through a connection to the old one;
- a kernel counts as ready once its IOPub brings the idle status of our own kernel_info
  request; the kernel's welcome to a late subscription means: ask again.
"""
from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
import time
from queue import Empty, Queue

from nbgrader.api import Gradebook

from autograder.course.config import quiet_nbgrader
from autograder.grading.execution import JudgedExecute
from autograder.grading.gradebook import share_engines

IRI_CHECK = """\
import sys
import autograder, nbformat  # the pipeline's imports: nbformat imports jsonschema
from jsonschema import Draft7Validator, FormatChecker
built_on_import = "rfc3987_syntax.syntax_helpers" in sys.modules
validator = Draft7Validator({"format": "iri"}, format_checker=FormatChecker())
print(built_on_import, validator.is_valid("http://example.com/\\u00e4"), validator.is_valid("http://exa mple.com/"),
      "rfc3987_syntax.syntax_helpers" in sys.modules)
"""


def test_importing_the_pipeline_builds_no_iri_grammar_and_iris_are_still_checked():
    done = subprocess.run([sys.executable, "-c", IRI_CHECK], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    # not built on import; a good IRI passes, a bad one fails, and checking built the grammar
    assert done.stdout.split() == ["False", "True", "False", "True"]


def test_gradebooks_share_an_engine_per_url_and_a_file_made_again_is_read_afresh(tmp_path):
    quiet_nbgrader()  # no alembic subprocess per new gradebook
    share_engines()
    url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    with Gradebook(url) as first, Gradebook(url) as second:
        assert first.engine is second.engine
        first.add_student("ada")
    (tmp_path / "gradebook.db").unlink()
    with Gradebook(url) as again:
        assert [student.id for student in again.students] == []
        again.add_student("bo")
    with Gradebook(url) as gb:
        assert [student.id for student in gb.students] == ["bo"]
    # as a worker does per submission: the file replaced by a copy of another gradebook
    with Gradebook(f"sqlite:///{tmp_path / 'template.db'}") as template:
        template.add_student("dora")
    (tmp_path / "gradebook.db").unlink()
    shutil.copy(tmp_path / "template.db", tmp_path / "gradebook.db")
    with Gradebook(url) as gb:
        assert [student.id for student in gb.students] == ["dora"]
    with Gradebook("sqlite://") as one, Gradebook("sqlite://") as other:  # in memory: separate databases
        one.add_student("cy")
        assert one.engine is not other.engine and other.students == []


class Channel:
    def __init__(self, messages=()):
        self.queue = Queue()
        for message in messages:
            self.queue.put(message)

    async def get_msg(self, timeout=None):
        try:
            return self.queue.get(timeout=min(timeout or 0.05, 0.05))
        except Empty:
            raise Empty from None


def status(state: str, parent: str) -> dict:
    return {"msg_type": "status", "content": {"execution_state": state}, "parent_header": {"msg_id": parent}}


WELCOME = {"msg_type": "iopub_welcome", "content": {}, "parent_header": {}}


def idle_after(messages) -> bool:
    executor = JudgedExecute()
    executor.kc = type("Client", (), {"iopub_channel": Channel(messages)})()
    return asyncio.run(executor.idle_after("ours", time.monotonic() + 0.2))


def test_our_requests_idle_status_says_iopub_is_connected():
    assert idle_after([status("busy", "ours"), status("idle", "ours")])
    assert idle_after([status("idle", "another"), status("idle", "ours")])
    assert not idle_after([WELCOME, status("idle", "ours")])  # the status may have gone before the welcome
    assert not idle_after([status("busy", "ours")])  # silence until the deadline


class Client:
    """A kernel whose IOPub subscription lands after its answer to the first kernel_info."""

    def __init__(self):
        self.requests: list[str] = []
        self.shell_channel, self.iopub_channel = Channel(), Channel()
        self.handled = None

    def start_channels(self):
        pass

    def kernel_info(self) -> str:
        request = f"request-{len(self.requests)}"
        self.requests.append(request)
        self.shell_channel.queue.put({"msg_type": "kernel_info_reply", "parent_header": {"msg_id": request},
                                      "content": {"language_info": {"name": "python"}}})
        if len(self.requests) == 1:
            self.iopub_channel.queue.put(WELCOME)  # subscribed only now: this request's status was lost
        else:
            self.iopub_channel.queue.put(status("busy", request))
            self.iopub_channel.queue.put(status("idle", request))
        return request

    def _handle_kernel_info_reply(self, message):
        self.handled = message


def test_a_kernel_subscribed_late_is_asked_again_and_then_ready():
    client = Client()
    executor = JudgedExecute()
    executor.km = type("Manager", (), {"client": lambda self: client, "is_alive": lambda self: True})()
    executor.nb = None
    reply = executor.connect_client()
    assert client.requests == ["request-0", "request-1"]
    assert reply["parent_header"]["msg_id"] == "request-1" and client.handled is reply
    assert client.allow_stdin is False


class HandingOut:
    """A pool that grades at once and notes each job handed out."""

    def __init__(self, events: list):
        self.events = events

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def submit(self, function, *args):
        from concurrent.futures import Future
        self.events.append("handed out")
        future = Future()
        future.set_result(function(*args))
        return future


def test_what_needs_the_class_gradebook_runs_once_the_jobs_are_handed_out_and_before_any_result(monkeypatch):
    """A class graded afresh gets its gradebook released while the workers grade (`run_jobs`'s
    `meanwhile`), never before the jobs are handed out nor after a result is recorded; and also
    when there is nothing to grade."""
    import autograder.pipeline.run as run
    events = []
    monkeypatch.setattr(run, "grade_submission", lambda job, parent: (job, None))
    jobs = ["ada", "bo"]
    for job, _ in run.run_jobs(jobs, 2, None, HandingOut(events), lambda: events.append("meanwhile")):
        events.append(f"result {job}")
    assert events[:3] == ["handed out", "handed out", "meanwhile"]
    assert sorted(events[3:]) == ["result ada", "result bo"]
    events.clear()
    assert list(run.run_jobs([], 2, None, None, lambda: events.append("meanwhile"))) == [] and events == ["meanwhile"]
