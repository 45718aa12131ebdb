"""Validation and grid expansion of sweep specifications (no cluster needed)."""

import re
import time
from pathlib import Path

import pytest
from brian2 import (
    Hz,
    amp,
    cm,
    kHz,
    metre,
    mmolar,
    mS,
    ms,
    mV,
    nS,
    second,
    uA,
    ufarad,
    us,
)

from neurorelax.scripting import parse_quantity, resolve_overrides
from neurorelax.sweep import load_spec, run_sweep
from neurorelax.sweep.spec import TABLE_FORMATS

MODELS = Path(__file__).parent / "models"
M = "model: MODELS/fake_model.py\n"
FAKE = """
model: MODELS/fake_model.py
device: numpy
parameters:
  gain: [1.0, 2.0]
  tau: ["5 ms", "10 ms"]
seeds: [0, 1]
"""


def test_grid_is_the_product_of_values_and_seeds(write_spec):
    spec = load_spec(write_spec(FAKE))

    points = spec.points()

    assert spec.n_points == len(points) == 8
    assert [(p.values["gain"], p.values["tau"], p.seed) for p in points[:3]] == [
        (1.0, 5.0, 0),
        (1.0, 5.0, 1),
        (1.0, 10.0, 0),
    ]
    assert points[2].params["tau"] == 10 * ms
    assert spec.units == {"gain": "", "tau": "ms"}
    assert spec.metrics == ("response", "noise")
    assert len({p.point_id for p in points}) == 8


def test_point_ids_do_not_depend_on_how_a_value_is_written(write_spec):
    by_list = load_spec(write_spec(FAKE, "a.yaml")).points()
    by_range = load_spec(
        write_spec(
            """
        model: MODELS/fake_model.py
        device: numpy
        parameters:
          gain: {start: 1.0, stop: 2.0, num: 2}
          tau: {start: 0.005, stop: 0.01, step: 0.005, unit: second}
        seeds: {start: 0, count: 2}
        """,
            "b.yaml",
        )
    ).points()

    assert [p.point_id for p in by_list] == [p.point_id for p in by_range]


def test_toml_and_yaml_give_the_same_spec(write_spec):
    toml = write_spec(
        """
        model = "MODELS/fake_model.py"
        device = "numpy"
        seeds = [0, 1]
        [parameters]
        gain = [1.0, 2.0]
        tau = ["5 ms", "10 ms"]
        """,
        "spec.toml",
    )

    assert [p.point_id for p in load_spec(toml).points()] == [
        p.point_id for p in load_spec(write_spec(FAKE)).points()
    ]


def test_ranges_in_units(write_spec):
    spec = load_spec(
        write_spec("""
        model: MODELS/fake_model.py
        parameters:
          tau: {start: 1 ms, stop: 100 ms, num: 3, scale: log}
          gain: {start: 0.0, stop: 0.25, step: 0.05}
          n_steps: {values: [2, 3]}
        """)
    )

    assert spec.parameters["tau"] == [1 * ms, 10 * ms, 100 * ms]
    assert spec.parameters["gain"] == pytest.approx([0, 0.05, 0.1, 0.15, 0.2, 0.25])
    assert spec.parameters["n_steps"] == [2, 3]
    assert all(type(v) is int for v in spec.parameters["n_steps"])
    assert spec.compile_once  # cpp_standalone is the default device


def test_numbers_that_yaml_reads_as_text_take_the_unit_of_the_range(write_spec):
    # YAML 1.1 reads 5e-1 and 2e+1 (no dot) as text, not as floats.
    spec = load_spec(
        write_spec("""
        model: MODELS/fake_model.py
        parameters:
          tau: {start: 5e-1, stop: 2e+1, num: 2, unit: ms}
        """)
    )
    listed = load_spec(
        write_spec("""
        model: MODELS/fake_model.py
        parameters:
          tau: {values: [1e-1, "3 ms"], unit: s}
        """)
    )

    assert spec.parameters["tau"] == [0.5 * ms, 20 * ms]
    assert listed.parameters["tau"] == [0.1 * second, 3 * ms]


def test_table_values_use_the_unit_of_the_spec(write_spec):
    spec = load_spec(
        write_spec("""
        model: MODELS/fake_model.py
        parameters:
          tau: {values: [500, 1500], unit: us}
        """)
    )

    assert spec.units["tau"] == "us"
    assert [p.values["tau"] for p in spec.points()] == pytest.approx([500, 1500])


def test_dict_spec_resolves_paths_against_base_dir():
    spec = load_spec(
        {"model": "fake_model.py", "parameters": {"gain": 3.0}, "output": "out"},
        base_dir=MODELS,
    )

    assert spec.model_name == "fake_model"
    assert spec.model_path == MODELS.resolve() / "fake_model.py"
    assert spec.output == MODELS.resolve() / "out"
    assert spec.n_points == 1


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("model: no_such_model\n", r"unknown model script 'no_such_model'"),
        ("parameters: {}\n", r"the key 'model' .* is missing"),
        (
            M + "parameters: {w_inh: [1]}\n",
            r"unknown parameter 'w_inh' for model 'fake_model'; known parameters: "
            r"delay, gain, n_steps, tau",
        ),
        (
            M + "metrics: [rate]\n",
            r"unknown metric 'rate' for model 'fake_model'; known metrics: response, "
            r"noise",
        ),
        (
            M + "parameters: {tau: [5]}\n",
            r"tau: expected a value in units of second, got 5; write the unit",
        ),
        (
            M + "parameters: {tau: ['5 mV']}\n",
            r"tau: expected a value in units of second, got 5. \* mvolt",
        ),
        (
            M + "parameters: {tau: {start: 1, stop: 2, num: 2}}\n",
            r"tau.start: expected a value in units of second",
        ),
        (M + "parameters: {gain: []}\n", r"the grid is empty"),
        (M + "seeds: []\n", r"the grid is empty"),
        (M + "parameters: {gain: {start: 0, stop: 1, num: 0}}\n", r"the grid is empty"),
        (
            M + "seeds: 3\n",
            r"seeds must be a list of integers or \{start: S, count: N\}, got 3",
        ),
        (M + "seeds: [0, 0]\n", r"seeds must not repeat"),
        (M + "seeds: [-1]\n", r"seeds must be integers >= 0"),
        (M + "paramaters: {}\n", r"unknown key\(s\) 'paramaters'"),
        (
            M + "parameters: {gain: {start: 0, stop: 1}}\n",
            r"'gain': a range needs start, stop and exactly one of num or step",
        ),
        (
            M + "parameters: {gain: {start: 0, stop: 1, step: 0}}\n",
            r"'gain': step must be > 0, got 0",
        ),
        (
            M + "parameters: {gain: {start: 0, stop: 1, num: 3, scale: log}}\n",
            r"a log range needs start and stop > 0",
        ),
        (
            M + "parameters: {n_steps: [2.5]}\n",
            r"'n_steps': expected an integer .* got 2.5",
        ),
        (M + "device: gpu\n", r"device must be one of"),
        (M + "table: xlsx\n", r"table must be one of 'parquet', 'csv'; got 'xlsx'"),
        (M + "quick: 1\n", r"quick must be true or false"),
        ("- just a list\n", r"must hold a mapping of keys"),
    ],
)
def test_bad_specs_are_refused_with_a_clear_error(write_spec, text, match):
    with pytest.raises(ValueError, match=match):
        load_spec(write_spec(text))


def test_bad_spec_files_are_refused(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"spec file .*missing.yaml.* does not"):
        load_spec(tmp_path / "missing.yaml")
    with pytest.raises(
        ValueError, match=r"must end in .yaml, .yml or .toml, got '.json'"
    ):
        load_spec(tmp_path / "spec.json")
    (tmp_path / "broken.toml").write_text("model = \n")
    with pytest.raises(ValueError, match=r"broken.toml' is not valid"):
        load_spec(tmp_path / "broken.toml")
    with pytest.raises(ValueError, match=r"spec must be a path .* got int"):
        load_spec(3)


def test_run_sweep_refuses_bad_arguments_before_any_point(write_spec, tmp_path):
    spec = write_spec(FAKE)

    with pytest.raises(ValueError, match=r"table_format must be one of .* got 'xls'"):
        run_sweep(spec, table_format="xls")
    with pytest.raises(ValueError, match=r"give at most one of scheduler, client"):
        run_sweep(spec, scheduler="tcp://127.0.0.1:1", n_workers=2)
    with pytest.raises(ValueError, match=r"n_workers must be an integer >= 1, got 0"):
        run_sweep(spec, n_workers=0)
    assert not (tmp_path / "spec_sweep").exists()
    assert TABLE_FORMATS == ("parquet", "csv")


def test_unreachable_scheduler_is_refused_before_any_point(write_spec, tmp_path):
    with pytest.raises(
        ValueError, match=r"could not reach a Dask scheduler at 'tcp://127.0.0.1:1'"
    ):
        run_sweep(write_spec(FAKE), scheduler="tcp://127.0.0.1:1", connect_timeout=1)
    assert not (tmp_path / "spec_sweep").exists()


@pytest.mark.parametrize(
    ("values", "first", "second"),
    [
        ("gain: [1.0, 1.0]", "1.0", "1.0"),
        ('tau: ["10 ms", "10 ms"]', "'10 ms'", "'10 ms'"),
        ('tau: ["10 ms", "0.01 second"]', "'10 ms'", "'0.01 second'"),
        ('tau: ["0.3 ms", "300 us"]', "'0.3 ms'", "'300 us'"),
        ("tau: {values: [10, 10.0], unit: ms}", "10", "10.0"),
        ("n_steps: [3, 3.0]", "3", "3.0"),
        ("gain: {start: 1, stop: 1, num: 3}", "1.0", "1.0"),
    ],
)
def test_repeated_values_of_a_parameter_are_refused(write_spec, values, first, second):
    name = values.split(":")[0]
    with pytest.raises(
        ValueError,
        match=rf"parameter '{name}': values must not repeat, got {first} and "
        rf"{second}, which are the same value",
    ):
        load_spec(write_spec(M + f"parameters:\n  {values}\n"))


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ('tau: ["1e999 ms"]', "tau: '1e999 ms' is not a finite number"),
        ('tau: ["inf ms"]', "tau: 'inf ms' is not a finite number"),
        ("gain: [.nan]", "gain: expected a finite number, got nan"),
        ("gain: [.inf]", "gain: expected a finite number, got inf"),
        ("gain: [-.inf]", "gain: expected a finite number, got -inf"),
        ('gain: ["nan"]', "gain: 'nan' is not a finite number"),
        ("gain: {values: [.nan]}", "gain.values: expected a finite number, got nan"),
        ('tau: ["1e-999 ms"]', "tau: '1e-999 ms' is too small"),
        ('tau: ["10 ms/2"]', "tau: '10 ms/2': numeric factor '2' in the unit"),
        ('tau: ["10 ms*0"]', "tau: '10 ms*0': numeric factor '0' in the unit"),
        ('tau: ["1 ms^9"]', "tau: '1 ms^9': the power 9 is not allowed"),
        ('tau: ["1 ms^-5"]', "tau: '1 ms^-5': the power -5 is not allowed"),
        ('tau: ["1 ms^9^9^9"]', "tau: '1 ms^9^9^9': chained powers are not allowed"),
        ('tau: ["1 ms**0"]', "tau: '1 ms**0': the power 0 is not allowed"),
        ('tau: ["1 ms**2**2"]', "tau: '1 ms**2**2': chained powers are not allowed"),
        ('tau: ["1 ms**0.5"]', "tau: '1 ms**0.5': a power must be a whole number"),
        ('tau: ["e ms"]', "tau: could not parse 'e ms'"),
        ('tau: ["1 msec"]', "tau: '1 msec': unknown unit 'msec'"),
        ('tau: ["1 __import__"]', "tau: '1 __import__': unknown unit '__import__'"),
        ('tau: ["1 ms; 2"]', "tau: '1 ms; 2': unexpected character ';'"),
        ('tau: ["1 (ms"]', "tau: '1 (ms': it is not a unit ('(' was never closed)"),
        ('tau: ["1 ms.real"]', "tau: '1 ms.real': 'ms.real' is not a unit"),
        ('tau: ["1 ms + mV"]', "tau: '1 ms + mV': 'ms + mV' is not a unit"),
        ('tau: ["1 ms/mV/"]', "tau: '1 ms/mV/': it is not a unit (invalid syntax)"),
        ('tau: ["1 *"]', "tau: '1 *': the unit after '*' is missing"),
    ],
)
def test_values_that_are_not_a_finite_number_with_a_unit_are_refused(
    write_spec, values, message
):
    with pytest.raises(ValueError, match=re.escape(message)):
        load_spec(write_spec(M + f"parameters:\n  {values}\n"))


def test_a_tower_of_powers_is_refused_at_once():
    started = time.perf_counter()
    with pytest.raises(ValueError, match=r"tau: '1 Hz\^9\^9\^9\^9\^9'"):
        parse_quantity("1 Hz^9^9^9^9^9", name="tau")
    # A hang guard, not a speed target: evaluating the tower never ends.
    assert time.perf_counter() - started < 10.0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("500 us", 500 * us),
        ("0.5 ms", 0.5 * ms),
        ("2.5*ms", 2.5 * ms),
        ("3 nS", 3 * nS),
        ("400 Hz", 400 * Hz),
        ("1e3Hz", 1 * kHz),
        ("1 mV", 1 * mV),
        ("7 mmolar", 7 * mmolar),
        ("7 mM", 7 * mmolar),
        ("12 uA/cm**2", 12 * uA / cm**2),
        ("12 uA/cm^2", 12 * uA / cm**2),
        ("12 uA * cm**-2", 12 * uA / cm**2),
        ("1 ufarad/(cm**2)", 1 * ufarad / cm**2),
        ("0.015 mS/cm ** (2)", 0.015 * mS / cm**2),
        ("10 /second", 10 / second),
        ("10 second^-1", 10 / second),
        ("1 metre^-2 amp", 1 * amp / metre**2),
        (" -2 mV ", -2 * mV),
        ("0.5", 0.5),
    ],
)
def test_quantities_in_the_forms_in_use_still_parse(text, expected):
    value = parse_quantity(text, like=expected, name="p")
    assert float(value) == pytest.approx(float(expected))


def test_parse_quantity_names_the_parameter_for_numbers_and_overrides():
    with pytest.raises(ValueError, match=r"gamma: expected a finite number, got nan"):
        parse_quantity(float("nan"), name="gamma")
    with pytest.raises(ValueError, match=r"gamma: expected a finite number, got inf"):
        parse_quantity(float("inf") * Hz, name="gamma")
    with pytest.raises(ValueError, match=r"gain: 1000000.* is too large"):
        parse_quantity(10**400, name="gain")
    with pytest.raises(ValueError, match=r"tau: '10 ms/2': numeric factor '2'"):
        resolve_overrides({"tau": 10 * ms}, {"tau": "10 ms/2"})
    with pytest.raises(ValueError, match=r"tau: '1e999 ms' is not a finite number"):
        resolve_overrides({"tau": 10 * ms}, {"tau": "1e999 ms"})


@pytest.mark.parametrize(
    "values", ['n_steps: ["1e30"]', "n_steps: [1.0e+30]", f"n_steps: [{10**30}]"]
)
def test_integer_parameters_must_fit_64_bits(write_spec, values):
    with pytest.raises(
        ValueError, match=r"parameter 'n_steps': .* does not fit a 64-bit integer"
    ):
        load_spec(write_spec(M + f"parameters:\n  {values}\n"))
    spec = load_spec(write_spec(M + f"parameters:\n  n_steps: [{2**63 - 1}]\n"))
    assert spec.parameters["n_steps"] == [2**63 - 1]


def test_quantities_given_in_a_dict_get_a_table_unit_that_parses():
    spec = load_spec(
        {"model": "fake_model.py", "parameters": {"tau": [5 * ms, 10 * ms]}},
        base_dir=MODELS,
    )

    assert spec.units["tau"] == "s"
    assert parse_quantity(f"5 {spec.units['tau']}") == 5 * second
    assert [p.values["tau"] for p in spec.points()] == pytest.approx([0.005, 0.01])


def test_yaml_spec_with_a_repeated_key_is_refused(write_spec):
    spec = write_spec("""
        model: MODELS/failing_model.py
        parameters: {x: [1.0]}
        model: MODELS/fake_model.py
        """)

    with pytest.raises(
        ValueError,
        match=r"spec.yaml' is not valid: line 4, column 1: duplicate key 'model' "
        r"\(first given on line 2\)",
    ):
        load_spec(spec)

    nested = write_spec(
        "model: MODELS/failing_model.py\nparameters: {x: [1], x: [2]}\n"
    )
    with pytest.raises(ValueError, match=r"line 2, .*duplicate key 'x'"):
        load_spec(nested)
