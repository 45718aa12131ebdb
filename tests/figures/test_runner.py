"""Tests of `neurorelax figures` (the runner) and of the report writer.

The runner is tested on small fake model and figure scripts written into
``tmp_path`` and found through ``NEURORELAX_MODELS_DIR`` and
``NEURORELAX_FIGURES_DIR``; they need no Brian2 and run in well under a
second each, so the tests measure the runner's bookkeeping: which models run
(and how often), which results are reused, the report and the exit status.
"""

import json
import os

import matplotlib.pyplot as plt
import numpy as np
import pytest
from brian2 import cm, farad, metre, ms, uF

from neurorelax.cli import main as cli_main
from neurorelax.cli.figures import model_freshness, run_figures, select_figures
from neurorelax.plotting import (
    Check,
    FigureResult,
    colors,
    new_figure,
    render_markdown,
    save_figure,
    write_report,
)
from neurorelax.results import save_results

MODEL = '''
"""Fake model {name}: writes one array; counts its runs in runs.txt."""
from pathlib import Path
from neurorelax.results import save_results
NAME = "{name}"
PARAMETERS = {{"value": {value}}}
METRICS = ("value",)

def run(out_dir, *, params=None, seed=0, quick=False, device="cpp_standalone"):
    {body}
    with open(Path(__file__).with_name("runs.txt"), "a") as log:
        log.write(NAME + "\\n")
    save_results(Path(out_dir) / f"{{NAME}}.h5", {{"x": [{value}.0]}},
                 {{{metadata}}})
    return {{"value": {value}}}
'''

FIGURE = '''
"""Fake figure {name}."""
import numpy as np
from neurorelax.plotting import Check, new_figure, save_figure
NAME = "{name}"
MODELS = {models!r}

def make_figure(results, out_dir):
    {body}
    fig, axes = new_figure(1, 1, width=2, row_height=1.5)
    total = sum(float(r.arrays["x"][0]) for r in results.values())
    axes[0, 0].plot([0, 1], [0, total])
    save_figure(fig, out_dir, NAME)
    return [Check.at_least("total", total, {minimum}, unit="a.u.")]
'''

DEFAULT_METADATA = '"quick": quick, "seed": seed, "device": device'


def write_model(folder, name, value, body="pass", metadata=DEFAULT_METADATA):
    path = folder / f"{name}.py"
    path.write_text(MODEL.format(name=name, value=value, body=body, metadata=metadata))
    return path


def write_figure(folder, name, models, minimum=0, body="pass"):
    path = folder / f"{name}.py"
    path.write_text(
        FIGURE.format(name=name, models=tuple(models), minimum=minimum, body=body)
    )
    return path


@pytest.fixture
def scripts(tmp_path, monkeypatch):
    """Two fake models and three fake figures (one check fails in fig03)."""
    models, figures = tmp_path / "models", tmp_path / "figures"
    models.mkdir()
    figures.mkdir()
    write_model(models, "model_a", 2)
    write_model(models, "model_b", 3)
    write_figure(figures, "fig01_a", ["model_a"], minimum=1)
    write_figure(figures, "fig02_ab", ["model_a", "model_b"], minimum=5)
    write_figure(figures, "fig03_fails", ["model_b"], minimum=10)
    monkeypatch.setenv("NEURORELAX_MODELS_DIR", str(models))
    monkeypatch.setenv("NEURORELAX_FIGURES_DIR", str(figures))
    return tmp_path


def runs(scripts):
    path = scripts / "models" / "runs.txt"
    return path.read_text().split() if path.exists() else []


def figures_cli(out, *extra):
    return cli_main(
        ["figures", "--out", str(out), "--device", "numpy", "--no-progress", *extra]
    )


def test_full_run_report_and_exit_status(scripts, capsys):
    out = scripts / "out"

    status = figures_cli(out, "--jobs", "2")

    assert status == 1  # fig03's check fails
    report = json.loads((out / "report.json").read_text())
    by_name = {item["name"]: item for item in report["figures"]}
    assert [item["name"] for item in report["figures"]] == [
        "fig01_a",
        "fig02_ab",
        "fig03_fails",
    ]
    assert by_name["fig01_a"]["status"] == "passed"
    assert by_name["fig02_ab"]["checks"][0]["measured"] == 5.0
    assert by_name["fig03_fails"]["status"] == "failed"
    assert report["passed"] is False
    assert report["n_checks"] == 3 and report["n_failed"] == 1
    check = report["checks"][2]
    assert check == {
        "name": "total",
        "measured": 3.0,
        "target": ">= 10",
        "passed": False,
        "unit": "a.u.",
        "figure": "fig03_fails",
        "note": "",
    }
    for name in by_name:
        assert (out / f"{name}.png").stat().st_size > 0
        assert (out / f"{name}.pdf").read_bytes().startswith(b"%PDF")
    # model_a is shared by two figures and still runs only once
    assert sorted(runs(scripts)) == ["model_a", "model_b"]
    assert report["models"]["model_a"]["status"] == "ran"
    markdown = (out / "report.md").read_text()
    assert "| fig03_fails | total | 3 | a.u. | >= 10 | **FAIL** |" in markdown
    assert "2/3 checks pass" in capsys.readouterr().out


def test_only_selects_figures_and_their_models(scripts):
    out = scripts / "out"

    status = figures_cli(out, "--only", "fig01")

    assert status == 0
    report = json.loads((out / "report.json").read_text())
    assert [item["name"] for item in report["figures"]] == ["fig01_a"]
    assert report["passed"] is True
    assert runs(scripts) == ["model_a"]
    assert not (out / "fig02_ab.png").exists()


def test_unknown_only_name_is_refused(scripts):
    specs = [type("S", (), {"name": "fig01_a", "path": scripts / "fig01_a.py"})]
    with pytest.raises(ValueError, match=r"--only: no figure named 'fig99'"):
        select_figures(specs, ["fig99"])


def test_fresh_results_are_reused_and_stale_ones_rerun(scripts):
    out = scripts / "out"
    figures_cli(out, "--only", "fig01_a")
    assert runs(scripts) == ["model_a"]

    figures_cli(out, "--only", "fig01_a")
    assert runs(scripts) == ["model_a"]  # fresh: reused

    figures_cli(out, "--only", "fig01_a", "--seed", "3")
    assert runs(scripts) == ["model_a"] * 2  # another seed

    figures_cli(out, "--only", "fig01_a", "--seed", "3", "--quick")
    assert runs(scripts) == ["model_a"] * 3  # quick differs

    script = scripts / "models" / "model_a.py"
    later = (out / "data" / "model_a.h5").stat().st_mtime + 10
    os.utime(script, (later, later))
    figures_cli(out, "--only", "fig01_a", "--seed", "3", "--quick")
    assert runs(scripts) == ["model_a"] * 4  # script edited after the result

    figures_cli(out, "--only", "fig01_a", "--seed", "3", "--quick", "--rerun")
    assert runs(scripts) == ["model_a"] * 5


def test_model_freshness_reasons(tmp_path):
    script = tmp_path / "m.py"
    script.write_text("")
    result = tmp_path / "m.h5"
    settings = {"quick": True, "seed": 1, "device": "numpy"}

    assert model_freshness(result, script, **settings) == (False, "no result file")
    save_results(result, {"x": [1]}, {"quick": True, "seed": 1, "device": "numpy"})
    os.utime(script, (0, 0))
    assert model_freshness(result, script, **settings) == (True, "")
    assert model_freshness(result, script, quick=True, seed=1, device="runtime") == (
        False,
        "made with device='numpy', want 'runtime'",
    )
    assert model_freshness(result, script, quick=False, seed=1, device="numpy") == (
        False,
        "made with quick=True, want False",
    )
    save_results(result, {"x": [1]}, {"quick": True})
    assert model_freshness(result, script, **settings) == (
        False,
        "result metadata has no 'seed'",
    )
    save_results(result, {"x": [1]}, {"quick": True, "seed": 1})
    assert model_freshness(result, script, **settings) == (True, "")  # no device
    os.utime(script, (result.stat().st_mtime + 5,) * 2)
    assert model_freshness(result, script, **settings) == (
        False,
        "result older than the model script",
    )


def test_a_result_made_with_other_parameters_is_stale(tmp_path):
    script = tmp_path / "m.py"
    script.write_text("")
    os.utime(script, (0, 0))
    result = tmp_path / "m.h5"
    settings = {"quick": False, "seed": 0, "device": "numpy"}
    defaults = {"tau": 10 * ms, "n": 4, "factors": (0, 1), "C": 1 * uF / cm**2}
    saved = dict(defaults, C=0.01 * farad / metre**2)  # the same, other units

    save_results(result, {"x": [1]}, dict(settings, parameters=saved))
    assert model_freshness(result, script, **settings, parameters=defaults) == (
        True,
        "",
    )
    for key, value, shown in (
        ("tau", 20 * ms, "'20 ms'"),
        ("n", 5, "5"),
        ("factors", (0, 2), "[0, 2]"),
    ):
        save_results(
            result, {"x": [1]}, dict(settings, parameters={**saved, key: value})
        )
        fresh, reason = model_freshness(result, script, **settings, parameters=defaults)
        assert not fresh
        assert reason.startswith(f"made with parameter {key}={shown} (a --set run?)")
    # results that record no parameters are judged by the other settings only
    save_results(result, {"x": [1]}, settings)
    assert model_freshness(result, script, **settings, parameters=defaults)[0]


def test_erroring_model_and_figure_are_reported_others_go_on(scripts):
    write_model(scripts / "models", "model_b", 3, body="raise RuntimeError('boom')")
    write_figure(
        scripts / "figures",
        "fig04_raises",
        ["model_a"],
        body="raise KeyError('no such array')",
    )
    out = scripts / "out"

    status = figures_cli(out)

    assert status == 1
    report = json.loads((out / "report.json").read_text())
    by_name = {item["name"]: item for item in report["figures"]}
    assert by_name["fig01_a"]["status"] == "passed"
    assert by_name["fig02_ab"]["status"] == "error"
    assert "model_b: RuntimeError: boom" in by_name["fig02_ab"]["error"]
    assert by_name["fig04_raises"]["error"] == "KeyError: 'no such array'"
    assert report["n_errors"] == 3
    assert "## Figures that raised an error" in (out / "report.md").read_text()


def test_model_without_provenance_metadata_is_an_error(scripts):
    write_model(scripts / "models", "model_a", 2, metadata='"seed": seed')
    out = scripts / "out"

    figures, models = run_figures(out, only=["fig01_a"], device="numpy")

    assert models["model_a"]["status"] == "error"
    assert "saved no ['quick'] in its result metadata" in models["model_a"]["reason"]
    assert figures[0].status == "error"


def test_broken_figure_script_is_reported(scripts):
    (scripts / "figures" / "fig05_syntax.py").write_text("NAME = 'x'\nMODELS = (\n")
    (scripts / "figures" / "fig06_nocontract.py").write_text("MODELS = ()\n")

    figures, _ = run_figures(scripts / "out", only=["fig05", "fig06"])

    assert [item.status for item in figures] == ["error", "error"]
    assert "SyntaxError" in figures[0].error or "never closed" in figures[0].error
    assert "must define NAME" in figures[1].error


def test_run_figures_refuses_bad_arguments(scripts):
    with pytest.raises(ValueError, match=r"jobs must be a positive integer, got 0"):
        run_figures(scripts / "out", jobs=0)
    with pytest.raises(ValueError, match=r"device must be one of .* got 'gpu'"):
        run_figures(scripts / "out", device="gpu")
    with pytest.raises(ValueError, match=r"^out must name a folder, got ''$"):
        run_figures("")
    (scripts / "out" / "fig01_a.pdf").mkdir(parents=True)
    with pytest.raises(
        ValueError, match=r"the figure path '.*fig01_a.pdf' exists and is not a file"
    ):
        run_figures(scripts / "out", only=["fig01_a"])
    assert runs(scripts) == []  # refused before any model ran


# -- plotting pieces ---------------------------------------------------------


def test_save_figure_writes_png_and_pdf(tmp_path):
    fig, axes = new_figure(1, 2)
    axes[0, 1].plot(np.arange(3))

    paths = save_figure(fig, tmp_path / "sub", "demo")

    assert [p.name for p in paths] == ["demo.png", "demo.pdf"]
    assert paths[0].read_bytes()[:4] == b"\x89PNG"
    assert not list((tmp_path / "sub").glob(".demo*"))  # no temporary left
    assert not plt.fignum_exists(fig.number)


def test_save_figure_refuses_bad_names_and_formats(tmp_path):
    fig, _ = new_figure()
    with pytest.raises(ValueError, match=r"name must be a plain file stem .* 'a/b'"):
        save_figure(fig, tmp_path, "a/b")
    with pytest.raises(ValueError, match=r"formats must be .* got \('jpg',\)"):
        save_figure(fig, tmp_path, "ok", formats=("jpg",))
    with pytest.raises(ValueError, match=r"nrows must be a positive integer, got 0"):
        new_figure(0, 1)
    with pytest.raises(ValueError, match=r"n must be a non-negative integer, got -1"):
        colors.sequence(-1)
    plt.close("all")


def test_palette_is_okabe_ito_and_distinct():
    assert len(set(colors.CYCLE)) == 8
    assert set(colors.CYCLE) == set(colors.OKABE_ITO.values())
    assert colors.sequence(10)[8] == colors.CYCLE[0]


def test_checks_compute_pass_from_the_measurement():
    assert not Check.at_least("s", 2.9, 3).passed
    assert Check.at_most("s", 1.4, 1.5).passed
    assert not Check.within("v", float("nan"), 1.0, abs_tol=1).passed
    assert Check.between("x", 6.5, 6, 7).target == "in [6, 7]"
    with pytest.raises(ValueError, match="give exactly one of rel_tol and abs_tol"):
        Check.within("v", 1, 1)


def test_write_report_fills_figure_names_and_flags(tmp_path):
    good = FigureResult("figA", [Check.at_least("a", 4, 3, unit="Hz")])
    bad = FigureResult("figB", error="ValueError: broken")

    json_path, md_path = write_report(tmp_path, [good, bad], {"quick": True})

    data = json.loads(json_path.read_text())
    assert data["passed"] is False and data["n_errors"] == 1
    assert data["checks"][0]["figure"] == "figA"
    assert data["figures"][1]["status"] == "error"
    text = md_path.read_text()
    assert "**FAILURES**: 1 of 1 checks pass; 1 of 2 figures drawn." in text
    assert "| figA | a | 4 | Hz | >= 3 | pass |" in text
    assert render_markdown([good]).count("ALL CHECKS PASS") == 1
