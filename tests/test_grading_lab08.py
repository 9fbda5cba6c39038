"""Lab 08's hostile students, graded end to end through nbgrader: attacks on the end-to-end
judge score no more than the same notebook without the attack.

The end-to-end judge takes only the vocabulary and the trained weights from the kernel and
scores them, in the grader, on sentences no kernel can read; so neither replacing the
harness that trains (once it returned predictions the grader trusted) nor training on the
dev set (whose labels a kernel can read) earns its points.
"""
import pytest

from autograder.demo.synthetic_class import completed_notebook, write_submission
from autograder.grading.results import Status
from autograder.judging.mistakes import Mistake, catalogue
from autograder.pipeline.run import grade
from autograder.sandbox.bubblewrap import Limits

LAB = "08_training_loop"

NEVER_TRAINS = Mistake("fit", "never trains", "", """
    def fit(model, train_batches, dev_batches, loss_fn, optimizer, epochs, patience):
        history = {"train_loss": [], "dev_loss": [], "dev_accuracy": []}
        for _ in range(epochs):
            result = evaluate(model, dev_batches, loss_fn)
            history["train_loss"].append(result["loss"])
            history["dev_loss"].append(result["loss"])
            history["dev_accuracy"].append(result["accuracy"])
        return history
    """)

# The harness that trains, replaced under its own name by one that answers with the dev labels
# the kernel can read, and with a vocabulary and untrained weights in the form the judge asks for.
PATCHES_THE_HARNESS = """
import labutils.checks.lab08 as lab08
from labutils.data import split

def answer_for_the_judge(fit, lookup, settings):
    train, dev, _ = split("sentiment")
    vocab = lookup("build_vocab")([text for text, _ in train])
    model = lookup("FFNN")(len(vocab), settings["embed_dim"], settings["hidden_sizes"], 2)
    return {"predictions": [label for _, label in dev], "vocab": vocab, "seconds": 1.0,
            "parameters": [p.detach().numpy().copy() for p in model.parameters()]}

answer_for_the_judge.__module__, answer_for_the_judge.__qualname__ = lab08.__name__, "end_to_end"
lab08.end_to_end = answer_for_the_judge
"""


def with_cell_after_setup(nb, code):
    from nbformat.v4 import new_code_cell

    index = next(i for i, cell in enumerate(nb.cells) if cell.get("id") == "setup")
    nb.cells.insert(index + 1, new_code_cell(code))
    return nb


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("lab08")
    trains_on_dev = next(m for m in catalogue(LAB) if m.name == "trained on the dev set too")
    notebooks = {
        "solution": completed_notebook(LAB),
        "never-trains": completed_notebook(LAB, [NEVER_TRAINS]),
        "never-trains-patches-the-harness": with_cell_after_setup(completed_notebook(LAB, [NEVER_TRAINS]),
                                                                  PATCHES_THE_HARNESS),
        "trains-on-dev": completed_notebook(LAB, [trains_on_dev]),
    }
    for student_id, nb in notebooks.items():
        write_submission(root / "submitted", student_id, LAB, nb)
    results = grade(root / "submitted", root / "out", timeout=120, limits=Limits(wall_seconds=900))
    return {r.student_id: r for r in results}


def cell(graded, student_id, grade_id="test_end_to_end"):
    return graded[student_id].cells[grade_id]


def test_the_solution_earns_the_end_to_end_points(graded):
    result = graded["solution"]
    assert result.status is Status.GRADED and result.points == result.max_points, result
    assert "passed" in cell(graded, "solution").judge.message


def test_patching_the_harness_earns_nothing_over_the_same_notebook_without_it(graded):
    attack, twin = graded["never-trains-patches-the-harness"], graded["never-trains"]
    assert cell(graded, "never-trains-patches-the-harness").points == 0
    assert "held out for grading" in cell(graded, "never-trains-patches-the-harness").judge.message
    assert cell(graded, "never-trains").points == 0
    assert attack.points <= twin.points < attack.max_points
    assert any("assigns to lab08.end_to_end" in flag for flag in attack.flags), attack.flags


def test_training_on_the_dev_set_costs_fit_and_earns_nothing_more(graded):
    attack = graded["trains-on-dev"]
    fit = cell(graded, "trains-on-dev", "test_fit")
    assert fit.points == 0 and fit.judge.mistake == "trained on the dev set too"
    assert attack.points <= graded["solution"].points - fit.max_points

