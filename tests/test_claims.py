"""What the labs' prose claims is checked where the notebook computes it (autograder.authoring.claims):
a number the text states, or a comparison it makes, that the notebook no longer bears out makes
`verify` fail, naming the cell."""
import nbformat
import pytest

from autograder.authoring import verify as verify_module
from autograder.authoring.claims import ClaimFailed, claims_problems, holds, says, static_problems
from autograder.course.labs import read_notebook, source_path, student_path


@pytest.mark.parametrize("text, value", [("1.583", 1.58349), ("1.583", 1.5825), ("21.6%", 0.216),
                                         ("2e-08", 2.04e-8), ("41", 41), ("0.1", 0.1)])
def test_a_number_said_as_the_notebook_rounds_it_holds(text, value):
    says(text, value, "a number")


@pytest.mark.parametrize("text, value", [("1.583", 1.5836), ("1.581", 1.58349), ("21.6%", 0.2166),
                                         ("2e-08", 2.6e-8), ("41", 42)])
def test_a_number_said_otherwise_fails_saying_both(text, value):
    with pytest.raises(ClaimFailed, match=f"the text says {text} for a number; the notebook computes"):
        says(text, value, "a number")


def test_a_comparison_fails_when_false():
    holds(2 > 1, "two is more")
    with pytest.raises(ClaimFailed, match="the text claims one is more"):
        holds(1 > 2, "one is more")


def notebook(prose: str, claims: str, value: float = 1.5834) -> nbformat.NotebookNode:
    return nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell(f"loss = {value!r}\nprint(f'loss {{loss:.3f}}')"),
        nbformat.v4.new_markdown_cell(prose),
        nbformat.v4.new_code_cell("from autograder.authoring.claims import holds, says\n" + claims,
                                  metadata={"tags": ["claims"]}),
    ])


def test_every_decimal_of_the_prose_above_a_claims_cell_is_said_and_every_said_number_is_in_it():
    nb = notebook("The loss climbs to 1.583, and then to 2.5 ($\\lambda = 0.01$ is not prose).",
                  'says("1.583", loss, "the loss")\nsays("7.25", loss, "a number the text never states")')
    assert static_problems(nb) == [
        "cell 2 (the claims of cell 1): says '7.25', which the prose does not contain",
        "cell 2 (the claims of cell 1): the prose states 2.5 and no says() backs it"]


def test_a_number_that_the_notebook_no_longer_computes_fails_verify_naming_the_cell(tmp_path):
    path = tmp_path / "lab.ipynb"
    nbformat.write(notebook("The loss climbs to 1.583.", 'says("1.583", loss, "the loss")'), path)
    assert claims_problems("99_claims", path) == []
    nbformat.write(notebook("The loss climbs to 1.583.", 'says("1.583", loss, "the loss")', value=1.5911), path)
    assert claims_problems("99_claims", path) == [
        "cell 2 (the claims of cell 1): ClaimFailed: the text says 1.583 for the loss; the notebook computes 1.5911"]


def test_verify_fails_on_a_claim_that_does_not_hold(monkeypatch, capsys):
    for step in ("judge_problems", "skip_problems", "release_problems", "grading_problems"):
        monkeypatch.setattr(verify_module, step, lambda lab_id: [])
    monkeypatch.setattr(verify_module, "claims_problems",
                        lambda lab_id: ["cell 18 (the claims of cell 17): ClaimFailed: the text says 1.581 ..."])
    assert not verify_module.verify(["07_dropout"])
    assert "cell 18 (the claims of cell 17): ClaimFailed" in capsys.readouterr().out


def test_claims_cells_are_in_the_worked_solution_and_never_in_the_students_copy():
    def claims(path):
        return [cell for cell in read_notebook(path).cells if "claims" in cell.metadata.get("tags", [])]
    assert claims(source_path("07_dropout")) and not claims(student_path("07_dropout"))
    assert all("autograder" not in cell.source for cell in read_notebook(student_path("07_dropout")).cells
               if cell.cell_type == "code")
