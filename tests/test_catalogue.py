"""Tests of the tests: the reference passes every check and judge, every catalogued
mistake fails its check and its judge with its own name, the untouched stubs fail
naming their task, and answers hard-coded to the public examples fail the judges.

Everything here runs in-process (no kernel): `LocalSubject` sends outcomes through the
same wire format a kernel uses. tests/test_grading.py does the same through nbgrader.
"""
import inspect
import re

import numpy as np
import pytest

from autograder.judges import judges_for
from autograder.judging import DEMO_SECRET, LocalSubject, judge_seed, run_judge
from autograder.labs import (available_labs, checks_module, is_setup_cell, is_solution_cell,
                             read_notebook, source_path, student_path)
from autograder.mistakes import catalogue
from autograder.reference import reference_function, reference_namespace
from autograder.release import public_cases
from autograder.verify import judge_problems
from labutils.checks.engine import CheckFailed, load_fixture
from labutils.outcomes import Raised, decode_outcome
from labutils.source_rules import function_source

LABS = available_labs()
MISTAKES = [(lab, m) for lab in LABS for m in catalogue(lab)]
SEEDS = range(200)


def check_of(lab_id, task, namespace=None):
    """The lab's check of `task`, with the other functions it needs taken from `namespace`
    (a backward pass's check needs the forward pass: check_linear_backward(fn, linear_forward))."""
    check = getattr(checks_module(lab_id), f"check_{task}")
    others = list(inspect.signature(check).parameters)[1:]
    if not others:
        return check
    namespace = namespace or reference_namespace(lab_id)
    return lambda fn: check(fn, *(namespace[name] for name in others))


def solution_sources(lab_id):
    return [cell.source for cell in read_notebook(source_path(lab_id)).cells if cell.cell_type == "code"]


def judge_subject(lab_id, task, fn, source):
    return LocalSubject({task: fn}, {task: source})


@pytest.mark.parametrize("lab_id", LABS)
def test_every_graded_cell_has_a_judge_and_every_judge_a_cell(lab_id):
    assert judge_problems(lab_id) == []


@pytest.mark.parametrize("lab_id", LABS)
def test_the_reference_passes_every_check(lab_id, capsys):
    for task in public_cases(lab_id):
        check_of(lab_id, task)(reference_function(lab_id, task))
        assert f"✔ {task}" in capsys.readouterr().out


@pytest.mark.parametrize("lab_id", LABS)
def test_the_judges_never_fail_the_reference(lab_id):
    sources = solution_sources(lab_id)
    for grade_id, judge in judges_for(lab_id).items():
        subject = LocalSubject(reference_namespace(lab_id), {judge.task: function_source(sources, judge.task)})
        # Training a network end to end takes a second a seed: a few seeds here, the
        # distribution in benchmarks/end_to_end_threshold.py.
        for seed in (range(4) if judge.task == "end_to_end" else SEEDS):
            verdict = run_judge(lab_id, grade_id, judge, subject, seed)
            assert verdict.passed, f"seed {seed}: {verdict.message}"


@pytest.mark.parametrize("lab_id, mistake", MISTAKES, ids=[f"{lab}:{m.name}" for lab, m in MISTAKES])
def test_each_mistake_fails_its_check_with_its_name(lab_id, mistake):
    with pytest.raises(CheckFailed) as failure:
        check_of(lab_id, mistake.task, mistake.namespace(lab_id))(mistake.function(lab_id))
    assert f"Likely mistake: {mistake.name}." in str(failure.value)
    assert mistake.hint in str(failure.value)


@pytest.mark.parametrize("lab_id, mistake", MISTAKES, ids=[f"{lab}:{m.name}" for lab, m in MISTAKES])
def test_each_mistake_fails_its_judge_with_its_name_on_every_seed(lab_id, mistake):
    grade_id, judge = next((g, j) for g, j in judges_for(lab_id).items() if j.task == mistake.task)
    namespace = mistake.namespace(lab_id)
    subject = LocalSubject(namespace, {mistake.task: mistake.code})
    for seed in range(20):
        verdict = run_judge(lab_id, grade_id, judge, subject, seed)
        assert not verdict.passed, f"seed {seed}: {mistake.name} passed the judge"
        assert verdict.mistake == mistake.name, f"seed {seed}: named {verdict.mistake!r}: {verdict.message}"


@pytest.mark.parametrize("lab_id", LABS)
def test_the_untouched_stubs_fail_every_check_naming_the_task(lab_id):
    namespace = {}
    for cell in read_notebook(student_path(lab_id)).cells:
        if is_setup_cell(cell) or is_solution_cell(cell):
            exec(cell.source, namespace)
    for task in public_cases(lab_id):
        with pytest.raises(NotImplementedError) as failure:
            check_of(lab_id, task, namespace)(namespace[task])
        assert re.search(rf"Lab {lab_id[:2]}, task \d+: {task}$", str(failure.value).splitlines()[0])


def hard_coded(lab_id, task):
    """A function that knows the recorded answers of the public cases, and nothing else."""
    cases = public_cases(lab_id)[task]
    records = load_fixture(lab_id)["tasks"][task]["cases"]

    def lookup(*args, **kwargs):
        for case in cases:
            same = len(args) == len(case.args) and kwargs == dict(case.kwargs) and all(
                np.array_equal(a, b) if isinstance(b, np.ndarray) else a == b
                for a, b in zip(args, case.args))
            if same:
                outcome = decode_outcome(records[case.label]["expected"])
                if isinstance(outcome, Raised):
                    raise ValueError(f"{outcome.message}")
                return outcome.value
        return np.zeros((1, 1))
    return lookup


@pytest.mark.parametrize("lab_id", LABS)
def test_answers_hard_coded_to_the_public_examples_pass_checks_but_fail_judges(lab_id):
    for grade_id, judge in judges_for(lab_id).items():
        if judge.diagnose is not None or any(c.harness for c in public_cases(lab_id)[judge.task]):
            continue  # judged by properties, or through a harness: no raw answer was recorded
        fn = hard_coded(lab_id, judge.task)
        check_of(lab_id, judge.task)(fn)
        verdict = run_judge(lab_id, grade_id, judge, judge_subject(lab_id, judge.task, fn, ""), seed=7)
        assert not verdict.passed


@pytest.mark.parametrize("lab_id", LABS)
def test_mistake_names_are_unique_per_exercise(lab_id):
    keys = [(m.task, m.name) for m in catalogue(lab_id)]
    assert len(keys) == len(set(keys))


def test_judge_inputs_depend_on_the_secret_and_the_student_and_are_stable():
    base = judge_seed(DEMO_SECRET, "ada", "01_matrix_shapes", "test_matmul")
    assert base == judge_seed(DEMO_SECRET, "ada", "01_matrix_shapes", "test_matmul")
    assert base != judge_seed(DEMO_SECRET, "bob", "01_matrix_shapes", "test_matmul")
    assert base != judge_seed("another secret", "ada", "01_matrix_shapes", "test_matmul")


def test_the_reference_never_leaves_instructor_space():
    namespace = reference_namespace("01_matrix_shapes")
    assert namespace["matmul"].__code__.co_filename.startswith("01_matrix_shapes.ipynb")
