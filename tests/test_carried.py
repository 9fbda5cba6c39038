"""labutils.earlier_labs: a student's own functions from an earlier lab's notebook, each checked by its lab."""
import json

import pytest

from autograder.course.labs import ROOT
from labutils.earlier_labs import CarryError, carry, load


def test_the_solutions_functions_are_carried_and_pass_their_checks():
    namespace = {}
    lines = carry("06_backprop", "linear_forward", "linear_backward", into=namespace,
                  labs_dir=ROOT / "solutions", quiet=True)
    out, _ = namespace["linear_forward"](__import__("numpy").ones((2, 3)), __import__("numpy").eye(3), 1.0)
    assert out.tolist() == [[2.0, 2.0, 2.0], [2.0, 2.0, 2.0]]
    assert lines[1:] == ["✔ linear_forward passes its lab 06 check", "✔ linear_backward passes its lab 06 check"]


def test_stubs_are_carried_and_named_as_stubs():
    namespace = {}
    lines = carry("05_gradient_descent", "adam", into=namespace, labs_dir=ROOT / "labs", quiet=True)
    assert lines[1] == "✘ adam: still the stub; answer it in lab 05 first"
    with pytest.raises(NotImplementedError, match="adam"):
        namespace["adam"](1.0, 1.0)


def test_a_wrong_function_is_named_with_its_failing_check(tmp_path):
    notebook = json.loads((ROOT / "solutions" / "06_backprop" / "06_backprop.ipynb").read_text())
    for cell in notebook["cells"]:
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "relu_forward":
            cell["source"] = "def relu_forward(x):\n    return abs(x), x\n"
    (tmp_path / "06_backprop").mkdir()
    (tmp_path / "06_backprop" / "06_backprop.ipynb").write_text(json.dumps(notebook))
    lines = carry("06_backprop", "relu_forward", into={}, labs_dir=tmp_path, quiet=True)
    assert lines[1].startswith("✘ relu_forward fails its lab 06 check")


def test_a_missing_notebook_or_function_is_a_clear_error(tmp_path):
    with pytest.raises(CarryError, match="was not found"):
        load("06_backprop", ("linear_forward",), labs_dir=tmp_path)
    with pytest.raises(CarryError, match="defines no no_such_layer"):
        load("06_backprop", ("no_such_layer",), labs_dir=ROOT / "solutions")


def test_carrying_prints_its_lines_once_and_returns_nothing_to_show_again(capsys):
    """In a notebook, a cell's last value is shown under what it printed: carry returns None."""
    assert carry("05_gradient_descent", "adam", into={}, labs_dir=ROOT / "labs") is None
    printed = capsys.readouterr().out
    assert printed.count("adam") == 1 and printed.startswith("from your 05_gradient_descent.ipynb:")
