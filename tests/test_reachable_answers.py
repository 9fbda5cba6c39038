"""The audit of issue 11: no judge trusts a quantity the kernel computes when the right answer
is data the kernel can reach. Each answer taken from such data fails its judge.

Lab 08's end-to-end attacks (a replaced harness, training on dev) are graded through nbgrader
in tests/test_grading_lab08.py; these are the in-process ones.
"""
import pytest

from autograder.judging.judges import LocalSubject, judges_for, run_judge
from autograder.judging.reference import build_namespace

SEEDS = range(10)


def verdicts(lab_id, grade_id, namespace):
    judge = judges_for(lab_id)[grade_id]
    return [run_judge(lab_id, grade_id, judge, LocalSubject(namespace), seed) for seed in SEEDS]


def test_the_analytic_gradient_behind_a_travelling_function_fails_the_numerical_gradient_judge():
    # The hidden functions reach the kernel as methods of labutils.objectives.Wavy, whose
    # `grad` is the exact gradient: centred differences with the step h differ from it.
    namespace = build_namespace("05_gradient_descent")
    exec("def numerical_gradient(f, w, h=1e-5):\n    return f.__self__.grad(np.asarray(w, dtype=float))\n",
         namespace)
    assert not any(v.passed for v in verdicts("05_gradient_descent", "test_numerical_gradient", namespace))


@pytest.mark.parametrize("answer", [
    # the dev labels, which labutils ships, as the predictions (the judge no longer asks for any)
    "return {'predictions': [y for _, y in split('sentiment')[1]], 'seconds': 1.0}",
    # a vocabulary and untrained weights, in the form the judge asks for
    "vocab = build_vocab([t for t, _ in split('sentiment')[0]])\n"
    "    torch.manual_seed(0)\n"
    "    model = FFNN(len(vocab), settings['embed_dim'], settings['hidden_sizes'], 2)\n"
    "    return {'vocab': vocab, 'seconds': 1.0,\n"
    "            'parameters': [p.detach().numpy().copy() for p in model.parameters()]}",
])
def test_an_end_to_end_answer_made_without_training_fails_on_the_held_out_sentences(answer, monkeypatch):
    import labutils.checks.lab08

    namespace = build_namespace("08_training_loop")
    exec(f"def answer(fit, lookup, settings):\n    {answer}\n", namespace)
    answer = namespace["answer"]
    # the harness, replaced under its own name, as a cell in the kernel could do it
    answer.__module__, answer.__qualname__ = "labutils.checks.lab08", "end_to_end"
    monkeypatch.setattr(labutils.checks.lab08, "end_to_end", answer)
    judge = judges_for("08_training_loop")["test_end_to_end"]
    verdict = run_judge("08_training_loop", "test_end_to_end", judge, LocalSubject(namespace), seed=0)
    assert not verdict.passed, verdict.message
