"""The shared argument checks: each rule and its message."""

import re
import time

import numpy as np
import pytest

from neurorelax.validation import (
    as_int64,
    check_choice,
    check_finite_array,
    check_in_range,
    check_integer,
    check_positive,
    check_seed,
    check_writable_folder,
    format_value,
)

SEED_RANGE = "[0, 2**32 - 1 = 4294967295]"


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


def test_format_value_keeps_short_values_whole():
    assert format_value([1, 2, 3]) == "[1, 2, 3]"
    assert format_value("10 nS") == "'10 nS'"
    assert format_value(None) == "None"
    assert format_value(2**100) == "1267650600228229401496703205376"


def test_format_value_never_builds_a_huge_repr():
    laughs = ["x"] * 10
    for _ in range(8):
        laughs = [laughs] * 10  # 10**9 items once expanded
    start = time.perf_counter()
    texts = [
        format_value(laughs),
        format_value(list(range(10**6))),
        format_value("y" * 10**7),
        format_value({i: [i] * 1000 for i in range(1000)}),
        format_value(type("Items", (list,), {})(range(10**6))),
    ]
    # A hang guard, not a speed target: building the whole repr took minutes.
    assert time.perf_counter() - start < 10
    assert all(len(text) <= 60 for text in texts), texts
    assert texts[1].startswith("[0, 1, 2, ")
    assert texts[4].startswith("[0, 1, 2, ")
    assert len(format_value("z" * 1000, max_chars=20)) <= 20


def test_format_value_survives_huge_integers_and_broken_reprs():
    assert format_value(10**5000) == "<int of 16610 bits>"  # repr would raise
    assert format_value([10**5000]) == "[<int of 16610 bits>]"

    class Broken:
        def __repr__(self):
            raise RuntimeError("no repr")

    assert format_value(Broken()).startswith("<Broken instance at")


def test_as_int64_converts_whole_numbers_and_names_the_rest():
    assert as_int64("n", 49) == 49
    assert type(as_int64("n", 49.0)) is int
    assert as_int64("n", np.float64(1e3)) == 1000
    for bad in (2.5, True, float("nan"), "x", None):
        with pytest.raises(ValueError, match=r"^n: expected an integer"):
            as_int64("n", bad)
    with pytest.raises(ValueError, match=r"^n: 1e\+300 does not fit a 64-bit"):
        as_int64("n", 1e300)


def test_check_writable_folder_makes_the_folder_and_refuses_a_file(tmp_path):
    made = check_writable_folder("--out", tmp_path / "a" / "b")
    assert made.is_dir()
    a_file = tmp_path / "f.txt"
    a_file.write_text("x")
    with pytest.raises(ValueError, match=r"--out '.*f.txt' exists and is not a fold"):
        check_writable_folder("--out", a_file)
    with pytest.raises(ValueError, match=r"is not a writable folder: .*; try again"):
        check_writable_folder("--out", a_file / "sub", hint="; try again")
    for empty in ("", "  "):
        with pytest.raises(
            ValueError, match=rf"^--out must name a folder, got '{empty}'$"
        ):
            check_writable_folder("--out", empty)


def test_check_seed_takes_32_bit_seeds_only():
    assert check_seed(0) == 0
    assert type(check_seed(np.uint32(2**32 - 1))) is int
    for bad, shown in (
        (-1, "-1"),
        (2**32, "4294967296"),
        (1.0, "1.0"),
        (True, "True"),
        ("3", "'3'"),
        (None, "None"),
    ):
        message = f"--seed must be an integer in {SEED_RANGE}, got {shown}"
        with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
            check_seed(bad, "--seed")
