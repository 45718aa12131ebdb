"""Validation and grid expansion of sweep specifications (no cluster needed)."""

from pathlib import Path

import pytest
from brian2 import ms

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
            r"'n_steps': expected integer values .* got 2.5",
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
