"""Define the small network again in a new process and build it; print JSON.

Usage: python ion_rebuild_in_fresh_process.py PROJECT_DIRECTORY
"""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import ion_small_network as small_network  # noqa: E402
from neurorelax.ion import StandaloneProject  # noqa: E402

project = StandaloneProject("small_network", sys.argv[1])
with project.define():
    network, _, _ = small_network.define(project)
    network.run(small_network.DURATION)
project.build()
del network
data = project.run()
print(json.dumps({
    "compiled": project.last_build_compiled,
    "compile_count": project.compile_count,
    "n_spikes": int(len(data["spikes"]["i"])),
}))
