"""`python -m autograder verify` passes for every lab (through nbgrader, with real kernels)."""
import pytest

from autograder import verify
from autograder.labs import available_labs


@pytest.mark.parametrize("lab_id", available_labs())
def test_verify_passes(lab_id, capsys):
    assert verify.verify([lab_id]), capsys.readouterr().out


def test_verify_fails_naming_the_lab_and_cell(monkeypatch, capsys):
    monkeypatch.setattr(verify, "judge_problems", lambda lab: [f"{lab}: cell 'test_matmul' has no judge"])
    assert not verify.verify(["01_matrix_shapes"])
    out = capsys.readouterr().out
    assert "✘ 01_matrix_shapes" in out and "test_matmul" in out
