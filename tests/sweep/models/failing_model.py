"""A stand-in model that raises for negative ``x``: the sweep must record the
error of those points and finish the others."""

from pathlib import Path

from neurorelax.results import write_json
from neurorelax.scripting import model_main, resolve_overrides

NAME = "failing_model"
PARAMETERS = {"x": 1.0}
METRICS = ("square",)


def run(out_dir, *, params=None, seed=0, quick=False, device="cpp_standalone"):
    """Return ``x**2``; raise ValueError when ``x < 0``."""
    p = resolve_overrides(PARAMETERS, params, NAME)
    if p["x"] < 0:
        raise ValueError(f"x must be >= 0, got {p['x']}")

    metrics = {"square": p["x"] ** 2}
    write_json(Path(out_dir) / f"{NAME}.json", metrics)
    return metrics


def main(argv=None):
    return model_main(NAME, run, argv)


if __name__ == "__main__":
    raise SystemExit(main())
