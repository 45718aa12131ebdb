"""A numpy-only stand-in model for fast sweep tests.

Its metrics follow closed formulas, so a test can check every row of a sweep
table: ``response = gain * tau / ms`` and ``noise`` is the first normal draw
of ``numpy.random.default_rng(seed)``. ``delay`` (seconds) makes a point take
a known time, which the interruption test uses.
"""

import time
from pathlib import Path

import numpy as np
from brian2.units import ms

from neurorelax.results import save_results
from neurorelax.scripting import model_main, resolve_overrides

NAME = "fake_model"
PARAMETERS = {
    "gain": 2.0,
    "tau": 10.0 * ms,
    "n_steps": 4,
    "delay": 0.0,
}
METRICS = ("response", "noise")


def run(out_dir, *, params=None, seed=0, quick=False, device="cpp_standalone"):
    """Compute the metrics, save ``out_dir/fake_model.h5`` and return them."""
    p = resolve_overrides(PARAMETERS, params, NAME)
    time.sleep(p["delay"])

    rng = np.random.default_rng(seed)
    trace = p["gain"] * np.exp(-np.arange(p["n_steps"]) * ms / p["tau"])
    metrics = {"response": p["gain"] * float(p["tau"] / ms), "noise": rng.normal()}

    save_results(
        Path(out_dir) / f"{NAME}.h5", {"trace": trace}, {"seed": seed, **metrics}
    )
    return metrics


def main(argv=None):
    return model_main(NAME, run, argv)


if __name__ == "__main__":
    raise SystemExit(main())
