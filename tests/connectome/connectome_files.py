"""Reference graph and file writers shared by the connectome tests.

Every format holds the same 5-node weighted graph ``WEIGHTS`` with labels
``LABELS``, so the readers can be checked against one reference.
"""

import zipfile

import networkx as nx
import numpy as np

LABELS = ["A", "B", "C", "D", "E"]
WEIGHTS = np.array(
    [
        [0.0, 1.0, 0.0, 0.0, 2.0],
        [1.0, 0.0, 3.0, 0.0, 0.0],
        [0.0, 3.0, 0.0, 0.5, 0.0],
        [0.0, 0.0, 0.5, 0.0, 4.0],
        [2.0, 0.0, 0.0, 4.0, 0.0],
    ]
)
TRACT_LENGTHS = 10.0 * (WEIGHTS > 0) + WEIGHTS
CENTRES = np.arange(15.0).reshape(5, 3)


def matrix_text(matrix, delimiter=" "):
    return "".join(delimiter.join(f"{v:g}" for v in row) + "\n" for row in matrix)


def write_tvb_zip(path, *, folder="", members=None):
    """Write a TVB-style zip; ``members`` overrides or removes (None) files."""
    files = {
        "weights.txt": matrix_text(WEIGHTS),
        "tract_lengths.txt": matrix_text(TRACT_LENGTHS),
        "centres.txt": "".join(
            f"{label} {x:g} {y:g} {z:g}\n"
            for label, (x, y, z) in zip(LABELS, CENTRES, strict=True)
        ),
        "info.txt": 'weights_unit = "au"\n',
    }
    files.update(members or {})
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in files.items():
            if text is not None:
                archive.writestr(folder + name, text)
    return path


def reference_nx_graph():
    graph = nx.Graph()
    graph.add_nodes_from(LABELS)
    for i, j in zip(*np.nonzero(np.triu(WEIGHTS)), strict=True):
        graph.add_edge(LABELS[i], LABELS[j], weight=float(WEIGHTS[i, j]))
    return graph
