"""`python -m autograder selfgrade NOTEBOOK`: a learner's own notebook, graded like a class's."""
import nbformat
import pytest

from autograder.demo.synthetic_class import completed_notebook
from autograder.judging.mistakes import mistakes_for
from autograder.learners.selfgrade import report, selfgrade

LAB = "01_matrix_shapes"


def test_selfgrade_prints_points_and_the_mistake(tmp_path):
    mistake = mistakes_for(LAB, "matmul")[0]
    path = tmp_path / f"{LAB}.ipynb"
    nbformat.write(completed_notebook(LAB, [mistake]), path)
    result = selfgrade(path)
    assert (result.points, result.max_points) == (3, 5)
    text = report(result)
    assert text.startswith(f"{LAB}: 3 / 5 points")
    assert "✘ matmul" in text and "✔ product_shape" in text
    assert f"Likely mistake: {mistake.name}" in text and "hidden tests:" in text


def test_selfgrade_needs_to_know_the_lab(tmp_path):
    path = tmp_path / "my_notebook.ipynb"
    nbformat.write(completed_notebook(LAB), path)
    with pytest.raises(SystemExit, match="cannot tell which lab"):
        selfgrade(path)
