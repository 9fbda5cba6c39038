"""The similarity report (autograder.outputs.similarity) on staged answers: no grading needed, it
reads what intake rebuilt. Lab 01 with the demo's copiers; then a class whose answers are their
own, on which the index by fingerprint must list what comparing every pair lists.
tests/test_demo_grades.py checks it inside `grade`."""
from __future__ import annotations

import itertools
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from copydetect import compare_files
from copydetect.utils import filter_code

from autograder.demo.instructor_demo import SIMILARITY_LAB, add_copiers
from autograder.demo.synthetic_class import completed_notebook, write_submission
from autograder.intake.submissions import take_in
from autograder.judging.mistakes import catalogue
from autograder.outputs.similarity import (
    Similarity,
    all_pairs,
    filtered,
    fingerprint,
    lab_answers,
    lab_pairs,
    similar_pairs,
    staged_answers,
)


@pytest.fixture(scope="module")
def staged(tmp_path_factory):
    root = tmp_path_factory.mktemp("similarity")
    add_copiers(root / "submitted")
    for student_id in ("reference-one", "reference-two"):  # both hand in the reference solution
        write_submission(root / "submitted", student_id, SIMILARITY_LAB, completed_notebook(SIMILARITY_LAB))
    mistake = catalogue(SIMILARITY_LAB)[0]
    for student_id in ("mistake-one", "mistake-two"):  # both make the same catalogued mistake
        write_submission(root / "submitted", student_id, SIMILARITY_LAB, completed_notebook(SIMILARITY_LAB, [mistake]))
    take_in(root / "submitted", root / "out" / "staged", [SIMILARITY_LAB])
    return root / "out"


def test_renamed_and_reordered_copies_are_found_and_ranked_first(staged):
    pairs = similar_pairs(staged, [SIMILARITY_LAB])
    assert [pair.students for pair in pairs] == [("copy-first", "copy-renamed")]
    [exercise] = pairs[0].exercises
    assert exercise.grade_id == "matmul" and min(exercise.shared) >= Similarity().threshold


def test_what_the_course_hands_out_or_foresees_is_never_evidence(staged):
    everything = similar_pairs(staged, [SIMILARITY_LAB], Similarity(threshold=0.0, min_size=0))
    for pair in (("reference-one", "reference-two"), ("mistake-one", "mistake-two")):
        found = [p for p in everything if p.students == pair]
        assert not found or found[0].similarity == 0.0, (pair, found[0].similarity)


def test_short_answers_alike_are_left_out_by_the_min_size(staged):
    unlimited = similar_pairs(staged, [SIMILARITY_LAB], Similarity(min_size=0))
    assert ("alone-first", "alone-second") in [pair.students for pair in unlimited]
    assert ("alone-first", "alone-second") not in [pair.students for pair in similar_pairs(staged, [SIMILARITY_LAB])]


def test_the_command_line_writes_the_side_by_side_report(staged):
    done = subprocess.run([sys.executable, "-m", "autograder", "similarity", str(staged)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    first = done.stdout.splitlines()[0]
    assert "copy-first · copy-renamed" in first and SIMILARITY_LAB in first
    html = (staged / "similarity.html").read_text(encoding="utf-8")
    assert html.count("<mark>") >= 2 and "alone-first" not in html


# A class whose answers are their own (benchmarks/class_scale.py's varied_class: the reference or
# a mistake with statements, names and order of the student's own; some copy a classmate's lab):
# what the index by fingerprint is measured on, at a size the plain comparison of every pair allows.
VARIED_LABS = ["01_matrix_shapes", "05_gradient_descent"]
SAME = 1e-9  # both ways take a listed pair's numbers from copydetect's compare_files: equal, to rounding


@pytest.fixture(scope="module")
def varied(tmp_path_factory):
    from benchmarks.class_scale import varied_class
    root = tmp_path_factory.mktemp("varied")
    copies = varied_class(VARIED_LABS, 30, root / "submitted", seed=3, copiers=0.15)
    take_in(root / "submitted", root / "out" / "staged", VARIED_LABS)
    return root / "out", copies


@pytest.mark.parametrize("settings", [Similarity(), Similarity(threshold=0.2, min_size=60),
                                      Similarity(threshold=0.05, min_size=0)], ids=["default", "low", "lowest"])
def test_the_index_lists_what_comparing_every_pair_lists(varied, settings):
    out, _ = varied
    for lab_id in VARIED_LABS:
        indexed = lab_pairs(out, lab_id, settings)
        plain = [pair for pair in all_pairs(out, lab_id, settings) if pair.similarity >= settings.threshold]
        assert [pair.students for pair in indexed] == [pair.students for pair in plain], lab_id
        for a, b in zip(indexed, plain):
            assert abs(a.similarity - b.similarity) <= SAME, (lab_id, a.students)
            assert [(e.grade_id, e.tokens, e.html) for e in a.exercises] == \
                [(e.grade_id, e.tokens, e.html) for e in b.exercises]
            assert all(abs(x - y) <= SAME for e, f in zip(a.exercises, b.exercises) for x, y in zip(e.shared, f.shared))
    assert indexed, "no pair listed in lab 05: the comparison would prove nothing"


def test_shared_tokens_from_the_fingerprints_are_copydetects_overlap(varied):
    out, _ = varied
    by_exercise = lab_answers(out, "05_gradient_descent")
    compared = 0
    for answers in by_exercise.values():
        for a, b in itertools.combinations(list(answers.values())[:12], 2):
            _, shares, _ = compare_files(a.fingerprint, b.fingerprint)
            common = a.covers.keys() & b.covers.keys()
            mine = (a.shared(common) / a.tokens if common else 0.0, b.shared(common) / b.tokens if common else 0.0)
            assert mine == pytest.approx(tuple(float(x) for x in shares), abs=SAME)
            compared += bool(common)
        for a in answers.values():
            assert a.tokens == a.fingerprint.token_coverage == a.shared(a.covers)
    assert compared >= 10


def test_the_faster_filter_is_copydetects(varied):
    out, _ = varied
    codes = [code for lab_id in VARIED_LABS for by_exercise in staged_answers(out, lab_id, {"matmul", "adam"}).values()
             for code in by_exercise.values()]
    codes += [mistake.code for mistake in catalogue("08_training_loop")]
    codes += ["#!/usr/bin/env python\nclass A(B):\n    '''doc'''\n    x = f'{y}' + \"s\"  # note\n", "", " \n"]
    for code in codes:
        text, offsets = filtered(code)
        expected_text, expected_offsets = filter_code(code, "answer.py")
        assert text == expected_text and np.array_equal(offsets, expected_offsets), code


def test_copies_are_listed_whichever_process_fingerprints_them(varied):
    """Two processes (hash seeds may differ between them) still list every copy: a copy's
    fingerprints are its original's."""
    out, copies = varied
    pairs = similar_pairs(out, VARIED_LABS, Similarity(threshold=0.99, min_size=0), workers=2)
    listed = {(pair.lab_id, pair.students) for pair in pairs}
    assert copies and all((lab_id, tuple(sorted((copier, original)))) in listed
                          for (copier, lab_id), original in copies.items())


def test_fingerprints_are_the_same_in_every_process():
    """Python's str hash is salted per process (PYTHONHASHSEED): copydetect's own k-gram hashes,
    and so the winnowed fingerprints and a class's similarities, changed from run to run."""
    code = ("import sys\nfrom autograder.outputs.similarity import fingerprint\n"
            "print(sorted(int(h) for h in fingerprint(open(sys.argv[1]).read()).hashes))")
    source = Path(__file__).read_text()
    found = set()
    for seed in ("1", "2", "3"):
        out = subprocess.run([sys.executable, "-c", code, __file__], capture_output=True, text=True, check=True,
                             env={**os.environ, "PYTHONHASHSEED": seed}).stdout
        found.add(out)
    assert len(found) == 1 and len(found.pop().split(",")) > 50
    assert fingerprint(source).hashes == fingerprint(source).hashes
