"""labutils.plain_data: values survive the trip to a kernel and back as plain data, never as code."""
import json
import pickle

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from labutils import plain_data
from labutils.compare import difference

finite = st.floats(-1e6, 1e6, allow_nan=False)
arrays = hnp.arrays(np.float64, hnp.array_shapes(min_dims=0, max_dims=3, max_side=4), elements=finite)
plain = st.recursive(
    st.none() | st.booleans() | st.integers(-10**30, 10**30) | finite | st.text(max_size=8) | arrays,
    lambda inner: st.tuples(inner, inner) | st.lists(inner, max_size=3)
    | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=8,
)


@given(plain)
def test_round_trip_keeps_every_value_and_type(value):
    back = plain_data.loads(plain_data.dumps(value))
    assert difference(back, value, tolerance=0.0) is None
    assert type(back) is type(value)


def test_nan_and_inf_travel_in_arrays_and_floats():
    value = (np.array([np.nan, np.inf, -np.inf]), float("nan"))
    back = plain_data.loads(plain_data.dumps(value))
    assert np.isnan(back[0][0]) and np.isinf(back[0][1]) and np.isnan(back[1])


def test_functions_travel_by_name_and_resolve_only_when_allowed():
    data = plain_data.encode(np.tanh)
    assert data == {"function": "numpy.tanh"}
    assert plain_data.decode(data, allow_functions=True) is np.tanh
    with pytest.raises(ValueError, match="untrusted"):
        plain_data.decode(data)


def test_functions_from_other_modules_are_refused():
    with pytest.raises(ValueError, match="cannot travel"):
        plain_data.decode({"function": "os.system"}, allow_functions=True)


def test_a_pickled_array_is_refused():
    import base64
    import io
    buffer = io.BytesIO()
    np.save(buffer, np.array([object()], dtype=object), allow_pickle=True)
    payload = {"ndarray": base64.b64encode(buffer.getvalue()).decode()}
    with pytest.raises(ValueError, match="allow_pickle"):
        plain_data.decode(payload)


def test_unknown_objects_are_described_not_rebuilt():
    back = plain_data.decode(json.loads(json.dumps(plain_data.encode(iter([1, 2])))))
    assert isinstance(back, plain_data.Unencodable)
    assert "iterator" in back.type_name
    assert not isinstance(back, (bytes, type(pickle)))


def test_numpy_scalars_keep_their_type():
    for value in (np.float64(2.5), np.int64(3), np.float32(1.5), np.bool_(True)):
        back = plain_data.loads(plain_data.dumps(value))
        assert back == value and type(back) is type(value)
