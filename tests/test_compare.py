"""labutils.compare and labutils.call_outcomes: what differs, shapes first, answers hidden when asked."""
import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from labutils.call_outcomes import Case, Raised, Returned, call, mentions_shape, outcome_difference
from labutils.compare import difference, rel_error

finite = st.floats(-1e3, 1e3, allow_nan=False)


@given(hnp.arrays(np.float64, hnp.array_shapes(max_dims=3, max_side=5), elements=finite))
def test_an_array_agrees_with_itself_and_not_with_a_shifted_copy(x):
    assert difference(x.copy(), x) is None
    assert difference(x + 1.0, x) is not None


def test_rel_error_has_a_floor_and_takes_the_max():
    assert rel_error(np.zeros(3), np.zeros(3)) == 0.0
    assert rel_error([1.0, 2.0], [1.0, 2.0 + 2e-3]) > 4e-4
    assert rel_error([np.nan], [np.nan]) == 0.0
    assert rel_error([np.nan], [1.0]) == np.inf


def test_shapes_are_reported_before_values():
    message = difference(np.zeros((3, 2)), np.zeros((2, 3)))
    assert message == "shape: expected (2, 3), got (3, 2)"


def test_first_differing_entry_is_shown_when_revealing():
    message = difference(np.array([[1.0, 2.0], [3.0, 5.0]]), np.array([[1.0, 2.0], [3.0, 4.0]]))
    assert "index [1, 1]" in message and "expected 4," in message and "got 5," in message
    assert "1 of 4" in message


def test_numbers_that_look_alike_are_shown_with_the_digits_that_tell_them_apart():
    """Not "expected -2.1838, got -2.1838": enough digits to differ, and by how much."""
    message = difference(np.array([0.5, -2.18381]), np.array([0.5, -2.18384]), tolerance=1e-9)
    assert "expected -2.18384, got -2.18381, off by +3e-05" in message
    assert difference(2.000001, 2.0, tolerance=1e-9) == "expected 2, got 2.000001, off by +1e-06"


def test_expected_values_stay_hidden_without_reveal():
    message = difference(np.array([9.25]), np.array([4.125]), reveal=False)
    assert "4.125" not in message and "9.25" not in message and "differ" in message
    assert "4.125" not in difference(4.125, 9.25, reveal=False)


def test_containers_report_the_path_of_the_difference():
    assert difference((1, [2, 3]), (1, [2, 4])) == "[1][1]: expected 4, got 3, off by -1"
    assert difference([1, 2], (1, 2)) == "expected a tuple, got a list"
    assert difference((1, 2, 3), (1, 2)) == "expected 2 items, got 3"


def test_mentions_shape_accepts_the_usual_spellings():
    assert mentions_shape("cannot multiply (2, 3) by (4, 5)", (2, 3))
    assert mentions_shape("shapes 2x3 and 4 x 5", (4, 5))
    assert mentions_shape("2×3", (2, 3))
    assert not mentions_shape("(12, 3)", (2, 3))
    assert not mentions_shape("shapes differ", (2, 3))


def test_outcome_difference_covers_raise_and_return():
    case = Case("clash", shapes_in_message=((2, 3), (2, 3)))
    value_error = Raised("ValueError", ("ValueError", "Exception"), "cannot multiply (2, 3) by (2, 3)")
    assert outcome_difference(value_error, value_error, case) is None
    vague = Raised("ValueError", ("ValueError", "Exception"), "bad shapes")
    assert "which shapes clash" in outcome_difference(vague, value_error, case)
    assert "instead of raising" in outcome_difference(Returned(1), value_error, case)
    index_error = Raised("IndexError", ("IndexError", "LookupError", "Exception"), "out of bounds")
    assert "expected ValueError" in outcome_difference(index_error, value_error, case)


def test_call_copies_inputs_and_records_warnings():
    import warnings

    def scribble(x):
        warnings.warn("careful", RuntimeWarning)
        x[:] = 0
        return x.sum()

    x = np.ones(3)
    outcome = call(scribble, Case("c", (x,)))
    assert isinstance(outcome, Returned) and outcome.value == 0
    assert x.sum() == 3
    assert outcome.warnings == ("RuntimeWarning: careful",)


def test_a_quiet_case_fails_right_values_that_warn():
    def naive_exp_ratio(x):
        return 1.0 / (1.0 + np.exp(-x))  # overflows for x = -1000, value still right

    def stable(x):
        return np.exp(-np.logaddexp(0.0, -x))

    case = Case("large scores", (np.array([-1000.0, 0.0, 1000.0]),), quiet=True)
    expected = call(stable, case)
    actual = call(naive_exp_ratio, case)
    assert expected.warnings == () and actual.warnings
    assert "warned RuntimeWarning: overflow" in outcome_difference(actual, expected, case)
    loud = Case("large scores", case.args, quiet=False)
    assert outcome_difference(actual, expected, loud) is None


def test_call_warns_on_overflow_even_if_the_caller_silenced_numpy():
    with np.errstate(all="ignore"):
        outcome = call(lambda x: np.exp(x), Case("big", (np.array([1000.0]),)))
    assert outcome.warnings and "overflow" in outcome.warnings[0]


def test_indices_must_be_integers():
    assert "expected integers" in difference(np.array([1.0, 0.0]), np.array([1, 0]))
    assert difference(np.array([1, 0], dtype=np.int32), np.array([1, 0])) is None


def test_an_infinity_where_a_number_is_expected_is_a_difference():
    message = difference(np.array([-np.inf, 0.0]), np.array([-1000.0, 0.0]))
    assert "index [0]" in message and "-inf" in message


def test_a_failed_check_shows_the_call_in_the_contracts_own_names():
    """Not "called linear_backward((x, W, b), dout)" for a (dout, cache) contract: a plain call
    names its parameters as the contract does; a round trip says what it ran and with what."""
    import pytest

    from labutils.checks import lab06
    from labutils.checks.engine import CheckFailed

    def linear_forward(x, W, b):
        return x @ W + b, (x, W, b)

    def linear_backward(dout, cache):  # db not summed over the batch
        x, W, b = cache
        return dout @ W.T, x.T @ dout, dout

    with pytest.raises(CheckFailed) as failure:
        lab06.check_linear_forward(lambda x, W, b: (x @ W, (x, W, b)))
    assert "called linear_forward(x=[[" in str(failure.value) and ", W=[[" in str(failure.value)
    with pytest.raises(CheckFailed) as failure:
        lab06.check_linear_backward(linear_backward, linear_forward)
    message = str(failure.value)
    assert "called linear_backward(" not in message
    assert "your linear_forward on `inputs`, then `backward(dout, cache)` on its cache" in message
    assert "inputs=(" in message and "dout=[[" in message


def test_a_difference_inside_a_result_is_said_by_its_name():
    """"dW: value at index ...", not "[1][1]: ..."; a round trip's "[0]" names the forward as the cause."""
    import pytest

    from labutils.checks import lab06
    from labutils.checks.engine import CheckFailed

    def linear_forward(x, W, b):
        return x @ W + b, (x, W, b)

    def linear_backward_dW_transposed(dout, cache):
        x, W, b = cache
        return dout @ W.T, (x.T @ dout).T, dout.sum(axis=0)

    def linear_backward(dout, cache):
        x, W, b = cache
        return dout @ W.T, x.T @ dout, dout.sum(axis=0)

    with pytest.raises(CheckFailed, match=r"\n  dW: shape: expected \(3, 4\), got \(4, 3\)"):
        lab06.check_linear_backward(linear_backward_dW_transposed, linear_forward)
    forward_without_bias = lambda x, W, b: (x @ W, (x, W, b))  # noqa: E731
    with pytest.raises(CheckFailed, match=r"the output of your linear_forward \(so the cause is there"):
        lab06.check_linear_backward(linear_backward, forward_without_bias)
