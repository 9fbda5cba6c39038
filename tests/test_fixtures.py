"""The check fixtures are compared by value: another CPU's rounding is no difference, a
real change is, and the problem names the task and the case."""
import json

import numpy as np
import pytest
from autograder.authoring.public_outcomes import DRIFT_SHARE, build_fixture, fixture_text
from autograder.authoring.verify import fixture_problems
from labutils.plain_data import decode, encode

LAB = "01_matrix_shapes"


@pytest.fixture(scope="module")
def recorded():
    return build_fixture(LAB)


def floats_moved(data, move):
    """A copy of an encoded fixture with `move(array) -> array` applied to every float value."""
    if isinstance(data, dict):
        kind = next(iter(data), None)
        if len(data) == 1 and kind in ("ndarray", "npscalar", "float"):
            value = decode(data)
            if np.asarray(value).dtype.kind != "f":
                return data
            moved = move(np.asarray(value))
            return encode(float(moved) if kind == "float" else moved if kind == "ndarray" else moved[()])
        return {key: floats_moved(item, move) for key, item in data.items()}
    if isinstance(data, list):
        return [floats_moved(item, move) for item in data]
    return data


def a_few_ulps(array):
    moved = np.nextafter(array, np.inf)
    return np.nextafter(np.nextafter(moved, np.inf), np.inf)


def write(tmp_path, fixture) -> "Path":
    path = tmp_path / f"{LAB}.json"
    path.write_text(fixture_text(fixture), encoding="utf-8")
    return path


def test_the_recorded_fixture_agrees_with_a_fresh_one():
    assert fixture_problems(LAB) == []


def test_every_float_moved_by_a_few_ulps_is_no_difference(recorded, tmp_path):
    moved = floats_moved(recorded, a_few_ulps)
    assert moved != recorded  # the perturbation did change the file
    assert fixture_problems(LAB, write(tmp_path, moved)) == []


def test_one_value_moved_by_one_part_in_a_million_is_a_difference_naming_the_case(recorded, tmp_path):
    assert DRIFT_SHARE * 1e-6 < 0.5e-6  # rel_error of a 1e-6 relative change is about 0.5e-6
    label, case = next(iter(recorded["tasks"]["matmul"]["cases"].items()))
    expected = decode(case["expected"]["returns"])
    expected.flat[0] *= 1 + 1e-6
    changed = json.loads(json.dumps(recorded))
    changed["tasks"]["matmul"]["cases"][label]["expected"]["returns"] = encode(expected)
    problems = fixture_problems(LAB, write(tmp_path, changed))
    assert len(problems) == 1
    assert f"matmul on {label!r}: the expected outcome" in problems[0] and "relative error" in problems[0]


def test_a_renamed_mistake_is_a_difference_naming_the_case(recorded, tmp_path):
    changed = json.loads(json.dumps(recorded))
    label, case = next((label, case) for label, case in changed["tasks"]["matmul"]["cases"].items()
                       if case["mistakes"])
    old_name = case["mistakes"][0]["name"]
    case["mistakes"][0]["name"] = "a mistake under another name"
    problems = fixture_problems(LAB, write(tmp_path, changed))
    assert any(f"matmul on {label!r}" in p and old_name in p and "another name" in p for p in problems), problems


def test_an_integer_or_a_message_that_changes_is_a_difference(recorded, tmp_path):
    changed = json.loads(json.dumps(recorded))
    label, case = next(iter(changed["tasks"]["product_shape"]["cases"].items()))
    case["expected"]["returns"] = encode((2, 4))
    problems = fixture_problems(LAB, write(tmp_path, changed))
    assert len(problems) == 1 and f"product_shape on {label!r}" in problems[0]


def test_a_missing_fixture_says_to_release(tmp_path):
    assert "is missing: run `python -m autograder release`" in fixture_problems(LAB, tmp_path / "none.json")[0]
