"""Figure 10 (ion level against graph level) in quick mode, on numpy."""

import math

import pytest

from neurorelax.results import load_results
from neurorelax.scripting import load_script


@pytest.fixture(scope="module")
def figure10(tmp_path_factory):
    """Run the comparison model quick on numpy and draw figure 10 once."""
    out = tmp_path_factory.mktemp("fig10")
    model = load_script("ion_vs_graph")
    metrics = model.run(out / "data", quick=True, seed=0, device="numpy")
    results = {"ion_vs_graph": load_results(out / "data" / f"{model.NAME}.h5")}
    figure = load_script("fig10_ion_vs_graph", kind="figures")
    checks = figure.make_figure(results, out)
    return out, figure, metrics, checks


@pytest.mark.slow
def test_figure10_writes_png_and_pdf(figure10):
    out, figure, _, _ = figure10
    for suffix in (".png", ".pdf"):
        path = out / f"{figure.NAME}{suffix}"
        assert path.is_file() and path.stat().st_size > 1000


@pytest.mark.slow
def test_figure10_checks_are_measured(figure10):
    _, _, metrics, checks = figure10
    names = [check.name for check in checks]
    assert "held-out R^2, diffusion model" in names
    # A quick run reports the mode relaxation times in a note, unchecked.
    assert not any(name.startswith("relaxation time of mode") for name in names)
    assert "mode times spiking/graph" in checks[0].note
    assert all(math.isfinite(check.measured) for check in checks)

    # The R^2 check is computed from the saved activations: it must agree
    # with the metric the model computed itself.
    r2_check = checks[names.index("held-out R^2, diffusion model")]
    assert r2_check.measured == pytest.approx(metrics["r2_test_diffusion"], rel=1e-9)
    assert r2_check.passed == (r2_check.measured >= 0.8)
