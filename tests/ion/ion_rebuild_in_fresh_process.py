"""Run the small network through `simulate` in a new process; print JSON.

The project in PROJECT_DIRECTORY was compiled by the test; defining the same
network here regenerates identical code, so nothing is compiled.

Usage: python ion_rebuild_in_fresh_process.py PROJECT_DIRECTORY
"""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import ion_small_network as small_network  # noqa: E402

from neurorelax.ion import compile_count, simulate  # noqa: E402

directory = sys.argv[1]
before = compile_count(directory)
data = simulate(
    small_network.define,
    small_network.DURATION,
    name="small_network",
    directory=directory,
)
print(
    json.dumps(
        {
            "compiled": compile_count(directory) != before,
            "compile_count": compile_count(directory),
            "n_spikes": int(len(data["spikes"]["i"])),
        }
    )
)
