"""The similarity report (autograder.outputs.similarity) on staged answers of lab 01: no grading
needed, it reads what intake rebuilt. tests/test_demo_grades.py checks it inside `grade`."""
from __future__ import annotations

import subprocess
import sys

import pytest

from autograder.demo.instructor_demo import SIMILARITY_LAB, add_copiers
from autograder.demo.synthetic_class import completed_notebook, write_submission
from autograder.intake.submissions import take_in
from autograder.judging.mistakes import catalogue
from autograder.outputs.similarity import Similarity, similar_pairs


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
