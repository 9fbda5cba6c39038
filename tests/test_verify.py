"""`python -m autograder verify` passes for every lab (through nbgrader, with real kernels)."""
import pytest

from autograder.authoring import verify
from autograder.course.labs import available_labs


@pytest.mark.parametrize("lab_id", available_labs())
def test_verify_passes(lab_id, capsys):
    assert verify.verify([lab_id]), capsys.readouterr().out


def test_verify_fails_naming_the_lab_and_cell(monkeypatch, capsys):
    monkeypatch.setattr(verify, "judge_problems", lambda lab: [f"{lab}: cell 'test_matmul' has no judge"])
    assert not verify.verify(["01_matrix_shapes"])
    out = capsys.readouterr().out
    assert "✘ 01_matrix_shapes" in out and "test_matmul" in out


def test_a_cell_run_when_grading_may_not_read_what_only_a_skipped_cell_defines(monkeypatch):
    """Tagging lab 08's build_vocab cell skip-when-grading would leave its check reading a name
    nobody defines when grading: verify names the reading cell and the name."""
    from autograder.course import labs

    def with_build_vocab_skipped(path):
        nb = labs.read_notebook(path)
        for cell in nb.cells:
            if "def build_vocab" in cell.source:
                cell.metadata.setdefault("tags", []).append(labs.SKIP_WHEN_GRADING)
        return nb

    monkeypatch.setattr(verify, "read_notebook", with_build_vocab_skipped)
    problems = verify.skip_problems("08_training_loop")
    assert problems and any("build_vocab" in problem for problem in problems), problems
    assert not any("encode," in problem for problem in problems)  # encode is defined by a cell that runs


def test_names_a_cell_reads_are_globals_not_its_functions_locals():
    bound, read = verify.names_bound_and_read(
        "import numpy as np\ndef fit(model):\n    return model(vocab)\nclass Net:\n    size = width\n%matplotlib inline")
    assert bound == {"np", "fit", "Net"}
    assert {"vocab", "width"} <= read and "model" not in read
