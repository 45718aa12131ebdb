"""The shared argument checks: each rule and its message."""

import numpy as np
import pytest

from neurorelax.validation import (
    check_choice,
    check_finite_array,
    check_in_range,
    check_integer,
    check_positive,
)


def test_positive_accepts_numbers_and_refuses_the_rest():
    assert check_positive("gamma", 2) == 2.0
    assert check_positive("gamma", 0, allow_zero=True) == 0.0
    with pytest.raises(ValueError, match=r"gamma must be a finite number > 0, got 0"):
        check_positive("gamma", 0)
    with pytest.raises(ValueError, match=r"dt must be a finite number > 0, got nan"):
        check_positive("dt", float("nan"))
    with pytest.raises(ValueError, match=r"dt must be a finite number > 0, got '1'"):
        check_positive("dt", "1")
    with pytest.raises(ValueError, match=r"flag must be a finite number > 0, got True"):
        check_positive("flag", True)


def test_range_integer_and_choice_name_the_argument_and_rule():
    assert check_in_range("p", 0.5, 0, 1) == 0.5
    with pytest.raises(
        ValueError, match=r"p must be a finite number in \[0, 1\], got 1.5"
    ):
        check_in_range("p", 1.5, 0, 1)
    with pytest.raises(ValueError, match=r"omega must be .* in \(0, 2\), got 2.0"):
        check_in_range("omega", 2.0, 0, 2, low_open=True, high_open=True)
    with pytest.raises(ValueError, match=r"n_steps must be an integer >= 1, got 0"):
        check_integer("n_steps", 0, minimum=1)
    with pytest.raises(ValueError, match=r"n_steps must be an integer, got 1.5"):
        check_integer("n_steps", 1.5)
    with pytest.raises(ValueError, match=r"kind must be one of 'a', 'b'; got 'c'"):
        check_choice("kind", "c", ("a", "b"))


def test_finite_array_checks_shape_values_and_sign():
    array = check_finite_array("M", [[1, 2], [3, 4]], shape=(2, None))
    assert array.dtype == np.float64
    with pytest.raises(ValueError, match=r"M must have shape \(3, 'any'\), got"):
        check_finite_array("M", np.ones((2, 2)), shape=(3, None))
    with pytest.raises(ValueError, match=r"M must have 1 dimension\(s\)"):
        check_finite_array("M", np.ones((2, 2)), ndim=1)
    with pytest.raises(ValueError, match=r"entry \(1,\) is nan"):
        check_finite_array("M", [0.0, np.nan])
    with pytest.raises(ValueError, match=r"W must be non-negative; entry \(0, 1\)"):
        check_finite_array("W", [[0, -1], [1, 0]], nonnegative=True)
    with pytest.raises(ValueError, match=r"M must be real; got complex"):
        check_finite_array("M", [1j, 2])
    with pytest.raises(ValueError, match=r"M must be an array of real numbers"):
        check_finite_array("M", ["a", "b"])
