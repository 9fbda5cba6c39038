"""Tests of the tests: the reference passes every check and judge, every catalogued
mistake fails its check and its judge with its own name, the untouched stubs fail
naming their task, and answers hard-coded to the public examples fail the judges.

Everything here runs in-process (no kernel): `LocalSubject` sends outcomes through the
same wire format a kernel uses. tests/test_grading.py does the same through nbgrader.
"""
import contextlib
import functools
import re

import numpy as np
import pytest

from autograder.authoring.public_outcomes import public_cases
from autograder.authoring.verify import judge_problems
from autograder.course.labs import (
    available_labs,
    checks_module,
    is_setup_cell,
    is_solution_cell,
    read_notebook,
    source_path,
    student_path,
)
from autograder.judging.judges import DEMO_SECRET, LocalSubject, judge_seed, judges_for, run_judge
from autograder.judging.mistakes import catalogue
from autograder.judging.reference import reference_function, reference_namespace
from labutils.call_outcomes import Raised, decode_outcome
from labutils.checks.engine import CheckFailed, load_fixture
from labutils.source_rules import function_source

LABS = available_labs()
MISTAKES = [(lab, m) for lab in LABS for m in catalogue(lab)]
SEEDS = range(200)
# Judges that train a network (a second or more a seed): a few seeds here, the distribution in
# benchmarks/end_to_end_threshold.py and benchmarks/train_mlp_threshold.py.
TRAINING_TASKS = {"end_to_end", "train_mlp"}


def seeds_for(task, many):
    return range(3) if task in TRAINING_TASKS else many


def exercise_of(lab_id, task):
    return next(exercise for exercise in checks_module(lab_id).EXERCISES if exercise.task == task)


def check_of(lab_id, task, namespace=None):
    """The lab's check of `task`, with the other functions it needs taken from `namespace`
    (a backward pass's check needs the forward pass: check_linear_backward(fn, linear_forward))."""
    check = getattr(checks_module(lab_id), f"check_{task}")
    namespace = namespace or reference_namespace(lab_id)
    return lambda fn: check(fn, *(namespace[name] for name in exercise_of(lab_id, task).others))


def solution_sources(lab_id):
    return [cell.source for cell in read_notebook(source_path(lab_id)).cells if cell.cell_type == "code"]


def judge_subject(lab_id, task, fn, source):
    return LocalSubject({task: fn}, {task: source})


@pytest.mark.parametrize("lab_id", LABS)
def test_every_graded_cell_has_a_judge_and_every_judge_a_cell(lab_id):
    assert judge_problems(lab_id) == []


@pytest.mark.parametrize("lab_id", LABS)
def test_the_reference_passes_every_check(lab_id, capsys):
    for exercise in checks_module(lab_id).EXERCISES:
        check_of(lab_id, exercise.task)(reference_function(lab_id, exercise.callee))
        assert f"✔ {exercise.task}" in capsys.readouterr().out


@pytest.mark.parametrize("lab_id", LABS)
def test_the_judges_never_fail_the_reference(lab_id):
    sources = solution_sources(lab_id)
    for grade_id, judge in judges_for(lab_id).items():
        subject = LocalSubject(reference_namespace(lab_id), {judge.task: function_source(sources, judge.task)})
        for seed in seeds_for(judge.task, SEEDS):
            verdict = run_judge(lab_id, grade_id, judge, subject, seed)
            assert verdict.passed, f"seed {seed}: {verdict.message}"


@pytest.mark.parametrize("lab_id, mistake", MISTAKES, ids=[f"{lab}:{m.task}:{m.name}" for lab, m in MISTAKES])
def test_each_mistake_fails_its_check_with_its_name(lab_id, mistake):
    with pytest.raises(CheckFailed) as failure:
        check_of(lab_id, mistake.task, mistake.namespace(lab_id))(mistake.function(lab_id))
    assert f"Likely mistake: {mistake.name}." in str(failure.value)
    assert mistake.hint in str(failure.value)
    assert len(str(failure.value)) <= 1500, f"{len(str(failure.value))} characters: a student reads all of it"


@pytest.mark.parametrize("lab_id, mistake", MISTAKES, ids=[f"{lab}:{m.task}:{m.name}" for lab, m in MISTAKES])
def test_each_mistake_fails_its_judge_with_its_name_on_every_seed(lab_id, mistake):
    grade_id, judge = next((g, j) for g, j in judges_for(lab_id).items() if j.task == mistake.task)
    namespace = mistake.namespace(lab_id)
    subject = LocalSubject(namespace, {mistake.task: mistake.code})
    for seed in seeds_for(mistake.task, range(20)):
        verdict = run_judge(lab_id, grade_id, judge, subject, seed)
        assert not verdict.passed, f"seed {seed}: {mistake.name} passed the judge"
        assert verdict.mistake == mistake.name, f"seed {seed}: named {verdict.mistake!r}: {verdict.message}"


@pytest.mark.parametrize("lab_id", LABS)
def test_the_untouched_stubs_fail_every_check_naming_the_task(lab_id):
    namespace = {}
    with contextlib.chdir(student_path(lab_id).parent):  # as Jupyter runs it: lab 07 carries from ../06_backprop
        for cell in read_notebook(student_path(lab_id)).cells:
            if is_setup_cell(cell) or is_solution_cell(cell):
                exec(cell.source, namespace)
    for exercise in checks_module(lab_id).EXERCISES:
        with pytest.raises(NotImplementedError) as failure:
            check_of(lab_id, exercise.task, namespace)(namespace[exercise.callee])
        names = "|".join((exercise.callee, *exercise.others))  # the end-to-end check names its first stub
        assert re.search(rf"Lab {lab_id[:2]}, task \d+: ({names})$", str(failure.value).splitlines()[0])


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


def _takes_a_generator(case) -> bool:
    return any(isinstance(v, np.random.Generator) for v in (*case.args, *case.kwargs.values()))


# The judges of contracts that take a random generator (the test below finds them all).
RNG_JUDGES = [("05_gradient_descent", "test_minibatches"), ("06_backprop", "test_init_weights"),
              ("07_dropout", "test_dropout_forward"), ("07_dropout", "test_train_mlp")]


def ignoring_its_rng(fn, make_generator):
    """`fn`, drawing from `make_generator()` wherever it is given a random generator."""
    @functools.wraps(fn)  # the harness of train_mlp finds the notebook's namespace through it
    def wrong(*args, **kwargs):
        def swap(value):
            return make_generator() if isinstance(value, np.random.Generator) else value
        return fn(*map(swap, args), **{name: swap(value) for name, value in kwargs.items()})
    return wrong


def test_every_judge_whose_function_takes_a_generator_is_tested_for_reproducibility():
    found = {(lab, grade_id) for lab in LABS for grade_id, judge in judges_for(lab).items()
             if any(_takes_a_generator(case) for case in judge.cases(np.random.default_rng(0)))}
    assert found == set(RNG_JUDGES)


@pytest.mark.parametrize("lab_id, grade_id", RNG_JUDGES)
@pytest.mark.parametrize("generator, name", [
    (lambda: np.random.default_rng(np.random.randint(2**31)), "numpy's global generator instead of rng"),
    (lambda: np.random.default_rng(), "a generator of its own instead of rng"),
    (lambda: np.random.default_rng(0), {"minibatches": "the same order every epoch",
                                        "dropout_forward": "a mask that is not redrawn",
                                        "init_weights": "a fixed seed of its own",
                                        "train_mlp": "a fixed seed of its own"}),
], ids=["global generator", "a generator of its own", "a fixed seed of its own"])
def test_a_result_that_is_not_a_function_of_the_generator_given_fails(lab_id, grade_id, generator, name):
    """The reference itself, but drawing from another generator than the one it is given: every
    judge of a contract that takes an rng fails it (same seed, same result; the rng given is the
    one consumed), naming the mistake, and so does the public check."""
    judge = judges_for(lab_id)[grade_id]
    name = name[judge.task] if isinstance(name, dict) else name
    namespace = dict(reference_namespace(lab_id))
    namespace[judge.task] = ignoring_its_rng(namespace[judge.task], generator)
    for seed in seeds_for(judge.task, range(10)):
        verdict = run_judge(lab_id, grade_id, judge, LocalSubject(namespace), seed)
        assert not verdict.passed, f"seed {seed}: passed the judge"
        assert verdict.mistake == name, verdict.message
    with pytest.raises(CheckFailed) as failure:
        check_of(lab_id, judge.task, namespace)(namespace[judge.task])
    assert f"Likely mistake: {name}." in str(failure.value)


OTHER_DRAWS = [  # right answers that draw from the rng they are given otherwise than the reference
    ("05_gradient_descent", "test_minibatches", """
def minibatches(n, batch_size, rng):
    order = np.arange(n)
    rng.shuffle(order)
    return [order[i:i + batch_size] for i in range(0, n, batch_size)]
"""),
    ("07_dropout", "test_dropout_forward", """
def dropout_forward(x, p, train, rng):
    if not train or p == 0:
        return x, (None, p)
    if p == 1:
        return np.zeros_like(x), (np.zeros_like(x), p)
    mask = rng.binomial(1, 1 - p, size=x.shape) / (1 - p)
    return x * mask, (mask, p)
"""),
]


@pytest.mark.parametrize("lab_id, grade_id, source", OTHER_DRAWS, ids=[g for _, g, _ in OTHER_DRAWS])
def test_right_answers_that_draw_otherwise_from_the_generator_given_pass(lab_id, grade_id, source):
    judge = judges_for(lab_id)[grade_id]
    namespace = dict(reference_namespace(lab_id))
    exec(source, namespace)
    for seed in range(20):
        verdict = run_judge(lab_id, grade_id, judge, LocalSubject(namespace), seed)
        assert verdict.passed, f"seed {seed}: {verdict.message}"
    check_of(lab_id, judge.task, namespace)(namespace[judge.task])

