"""Fixture files for the connectome tests, written into ``tmp_path``.

Every format holds the same 5-node weighted graph ``WEIGHTS`` with labels
``LABELS`` (see ``connectome_files.py``), so the readers can be checked
against one reference.
"""

import networkx as nx
import numpy as np
import pytest
from connectome_files import (
    LABELS,
    WEIGHTS,
    matrix_text,
    reference_nx_graph,
    write_tvb_zip,
)


@pytest.fixture
def fixture_files(tmp_path):
    """Paths of the reference graph in every supported format."""
    paths = {}

    paths["csv"] = tmp_path / "labelled.csv"
    paths["csv"].write_text(",".join(LABELS) + "\n" + matrix_text(WEIGHTS, ","))

    paths["csv_rows"] = tmp_path / "row_labels.csv"
    rows = "".join(
        label + "," + ",".join(f"{v:g}" for v in row) + "\n"
        for label, row in zip(LABELS, WEIGHTS, strict=True)
    )
    paths["csv_rows"].write_text("," + ",".join(LABELS) + "\n" + rows)

    paths["tsv"] = tmp_path / "plain.tsv"
    paths["tsv"].write_text("# no header\n" + matrix_text(WEIGHTS, "\t"))

    paths["zip"] = write_tvb_zip(tmp_path / "tvb_style.zip", folder="conn/")

    paths["graphml"] = tmp_path / "graph.graphml"
    nx.write_graphml(reference_nx_graph(), paths["graphml"])

    paths["gexf"] = tmp_path / "graph.gexf"
    nx.write_gexf(reference_nx_graph(), paths["gexf"])

    paths["edges"] = tmp_path / "graph.edges"
    lines = [
        f"{LABELS[i]} {LABELS[j]} {WEIGHTS[i, j]:g}"
        for i, j in zip(*np.nonzero(np.triu(WEIGHTS)), strict=True)
    ]
    paths["edges"].write_text("# source target weight\n" + "\n".join(lines) + "\n")

    paths["npy"] = tmp_path / "matrix.npy"
    np.save(paths["npy"], WEIGHTS)

    paths["npz"] = tmp_path / "bundle.npz"
    np.savez(paths["npz"], weights=WEIGHTS, labels=np.array(LABELS))
    return paths
