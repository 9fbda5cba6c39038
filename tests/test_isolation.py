"""A mistake costs points once, on the exercise at fault (issue 26): an exercise whose check
calls another of the student's functions is examined with that function scripted, so a
broken helper never fails it. In-process: the mistake catalogue's notebooks, no kernel."""
import pytest

from autograder.judging.mistakes import mistakes_for
from labutils.checks import lab08
from labutils.checks.engine import CheckFailed

LAB = "08_training_loop"


def mistake(task: str, name: str):
    return next(m for m in mistakes_for(LAB, task) if m.name == name)


@pytest.mark.parametrize("helper, name", [
    ("train_epoch", "model.train() missing"),
    ("train_epoch", "missing zero_grad"),
    ("evaluate", "missing model.eval()"),
    ("evaluate", "only the last batch counted"),
])
def test_a_right_fit_passes_its_check_whatever_its_helpers_do(helper, name):
    """The notebook of a student whose `helper` has the mistake, and whose fit is right."""
    notebook = mistake(helper, name).namespace(LAB)
    with pytest.raises(CheckFailed):  # the helper itself fails its own check ...
        getattr(lab08, f"check_{helper}")(notebook[helper])
    lab08.check_fit(notebook["fit"])  # ... and fit, right, passes its own


@pytest.mark.parametrize("name", ["the patience count not started again after an improvement",
                                  "the untrained model kept as the best"])
def test_the_subtle_fit_mistakes_fail_the_check_by_name(name):
    with pytest.raises(CheckFailed, match=f"Likely mistake: {name}"):
        lab08.check_fit(mistake("fit", name).function(LAB))


def test_the_scripted_helpers_are_given_back_after_the_call():
    notebook = mistake("train_epoch", "missing zero_grad").namespace(LAB)
    helpers = notebook["train_epoch"], notebook["evaluate"]
    lab08.check_fit(notebook["fit"])
    assert (notebook["train_epoch"], notebook["evaluate"]) == helpers
