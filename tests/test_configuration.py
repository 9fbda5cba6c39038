"""Grading limits live in nbgrader_config.py; a command-line flag replaces one only when it
is given; every limit reaches what enforces it. Fast: no kernel runs."""
import pytest

import autograder.course.config
import autograder.pipeline.run
from autograder.__main__ import main
from autograder.course.config import course_config, course_limits, course_timeout
from autograder.grading.execution import JudgedExecute
from autograder.grading.regrade import RunSummary
from autograder.grading.worker import autograde_config
from autograder.pipeline.run import GradingRun
from autograder.sandbox.bubblewrap import Limits, prlimit_arguments
from autograder.sandbox.kernels import SandboxedKernelManager

SCRATCH_CONFIG = """
c = get_config()
c.Execute.timeout = 9
c.JudgedExecute.wall_seconds = 77
c.SandboxedKernelManager.memory_mb = 1234
c.SandboxedKernelManager.open_files = 99
"""


@pytest.fixture
def scratch_course(tmp_path, monkeypatch):
    """The course's configuration is a scratch nbgrader_config.py with a few limits of its own."""
    (tmp_path / "nbgrader_config.py").write_text(SCRATCH_CONFIG)
    monkeypatch.setattr(autograder.course.config, "CONFIG_DIR", tmp_path)
    return tmp_path


def test_the_configured_values_are_used_and_the_rest_are_the_defaults(scratch_course):
    config = course_config()
    assert course_limits(config) == Limits(memory_mb=1234, wall_seconds=77, open_files=99)
    assert course_timeout(config) == 9


def test_a_given_value_replaces_only_its_own_limit(scratch_course):
    config = course_config()
    assert course_limits(config, memory_mb=2048, wall_seconds=None) == Limits(memory_mb=2048, wall_seconds=77,
                                                                            open_files=99)
    assert course_timeout(config, 5) == 5
    with pytest.raises(TypeError, match="no such limit: memroy_mb"):
        course_limits(config, memroy_mb=1)


def test_the_project_configuration_sets_every_limit():
    """nbgrader_config.py states each limit, so the course's values are in one place."""
    config = course_config()
    for name, section in autograder.course.config.LIMIT_OPTIONS.items():
        assert name in config[section], f"nbgrader_config.py does not set {section}.{name}"
    assert "timeout" in config.Execute


@pytest.fixture
def graded_with(monkeypatch):
    """What `python -m autograder grade` passes to `grade_run` (which is not run)."""
    calls = []

    def fake_grade_run(submitted, out, **options):
        calls.append(options)
        return GradingRun([], RunSummary(()))

    monkeypatch.setattr(autograder.pipeline.run, "grade_run", fake_grade_run)
    return calls


def test_a_flag_not_given_leaves_the_configured_limit(scratch_course, graded_with, tmp_path, capsys):
    assert main(["grade", str(tmp_path / "submitted"), "--out", str(tmp_path / "out")]) == 0
    (options,) = graded_with
    assert options["limits"] == Limits(memory_mb=1234, wall_seconds=77, open_files=99)
    assert options["timeout"] is None  # grade_run reads the course's: course_timeout


def test_a_flag_given_overrides_the_configured_limit(scratch_course, graded_with, tmp_path, capsys):
    assert main(["grade", str(tmp_path / "submitted"), "--out", str(tmp_path / "out"),
                 "--memory", "2048", "--timeout", "4"]) == 0
    (options,) = graded_with
    assert options["limits"] == Limits(memory_mb=2048, wall_seconds=77, open_files=99)
    assert options["timeout"] == 4


def kernel_manager(config) -> SandboxedKernelManager:
    return SandboxedKernelManager(config=config)


def test_the_configured_limits_reach_the_sandbox_and_the_executor(scratch_course, tmp_path):
    config = autograde_config(tmp_path / "submitted", tmp_path / "out", workspace=tmp_path / "k")
    limits = kernel_manager(config).limits
    assert (limits.memory_mb, limits.open_files) == (1234, 99)
    assert "--nofile=99" in prlimit_arguments(limits)
    executor = JudgedExecute(config=config)
    assert (executor.wall_seconds, executor.timeout) == (77, 9)


def test_limits_given_to_grading_reach_the_sandbox(scratch_course, tmp_path):
    given = Limits(open_files=123, processes=7, wall_seconds=30)
    config = autograde_config(tmp_path / "submitted", tmp_path / "out", timeout=3, workspace=tmp_path / "k",
                              limits=given)
    assert kernel_manager(config).limits == Limits(open_files=123, processes=7)  # the kernel's part of them
    assert "--nofile=123" in prlimit_arguments(kernel_manager(config).limits)
    executor = JudgedExecute(config=config)
    assert (executor.wall_seconds, executor.timeout) == (30, 3)
