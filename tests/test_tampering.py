"""The tampering scan flags code that rewrites what checks and judges run, and not ordinary code."""
import pytest

from autograder.intake.tampering import suspicious_code


@pytest.mark.parametrize("source, flagged", [
    ("import labutils.checks.lab01 as c\nc.check_matmul = print", "assigns to c.check_matmul"),
    ("import labutils.checks.lab08 as lab08\nlab08.end_to_end = lambda *a: 1", "assigns to lab08.end_to_end"),
    ("from labutils.checks import lab08\nsetattr(lab08, 'fitting', print)", "setattr on lab08"),
    ("import labutils.examine as e\ne.examine.__code__ = print.__call__.__code__", "assigns to e.examine.__code__"),
    ("import labutils.checks.engine as engine\nvars(engine).update(examine=print)", "calls update on vars(engine)"),
    ("get_ipython().input_transformers_cleanup.append(lambda lines: [])", "input_transformers_cleanup"),
])
def test_tampering_is_flagged_naming_the_line(source, flagged):
    flags = suspicious_code([source])
    assert flags and flagged in flags[0] and flags[0].startswith("cell 1, line ")


@pytest.mark.parametrize("source", [
    "import sys\nsys.path.append('.')",
    "history = {'loss': []}\nhistory['loss'].append(1.0)\nhistory.update(dev=[])",
    "from labutils.data import split\ntrain, dev, test = split('sentiment')\ntrain.append(('extra', 1))",
])
def test_ordinary_code_is_not_flagged(source):
    assert suspicious_code([source]) == []
