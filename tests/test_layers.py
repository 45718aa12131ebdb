"""The package's layers import only what docs/ARCHITECTURE.md allows.

Every import statement in the library, including the ones inside functions,
is read from the source with :mod:`ast`, so a forbidden import fails here
even when no test happens to run the code path that makes it.
"""

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "neurorelax"
KERNEL_SOURCES = PACKAGE.parent / "cython_ext"

# Layer -> the other neurorelax layers it may import. The ion level (Brian2)
# and the graph level (numpy, scipy, kernels) never import each other; the
# bridge is where they meet; kernels are leaves; nothing but the command
# line imports the command line.
ALLOWED = {
    "__init__": set(),
    "kernels": set(),
    "validation": set(),
    "results": {"validation"},
    "quantities": {"validation"},
    "scripting": {"quantities", "results", "validation"},
    "graph": {"kernels", "validation"},
    "ion": {"validation"},
    "connectome": {"graph", "results", "validation"},
    "bridge": {"connectome", "graph", "ion", "quantities", "results", "validation"},
    "plotting": {"results", "validation"},
    "sweep": {"plotting", "quantities", "results", "scripting", "validation"},
    "cli": {
        "bridge",
        "connectome",
        "graph",
        "ion",
        "plotting",
        "quantities",
        "results",
        "scripting",
        "sweep",
        "validation",
    },
}
# Third-party packages a layer must never import.
FORBIDDEN = {
    "graph": {"brian2"},
    "kernels": {"brian2"},
    "connectome": {"brian2"},
}


def _layer(path):
    return path.relative_to(PACKAGE).with_suffix("").parts[0]


def _imported_modules(path):
    """Absolute names of every module that ``path`` imports, anywhere in it."""
    # The package a relative import starts from (for __init__.py, its own).
    package = path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                yield ".".join(base + ((node.module,) if node.module else ()))
            else:
                yield node.module


def _library_files():
    return sorted(
        path for path in PACKAGE.rglob("*.py") if "__pycache__" not in path.parts
    )


def test_every_layer_is_known():
    layers = {_layer(path) for path in _library_files()}

    assert layers <= set(ALLOWED), f"not in ALLOWED: {layers - set(ALLOWED)}"


@pytest.mark.parametrize(
    "path", _library_files(), ids=lambda path: str(path.relative_to(PACKAGE))
)
def test_imports_follow_the_layers(path):
    layer = _layer(path)
    wrong = []
    for name in _imported_modules(path):
        parts = name.split(".")
        if parts[0] == "neurorelax" and len(parts) > 1 and parts[1] != layer:
            if parts[1] not in ALLOWED[layer]:
                wrong.append(name)
        elif parts[0] in FORBIDDEN.get(layer, ()):
            wrong.append(name)

    assert not wrong, f"{layer} may not import {wrong}"


@pytest.mark.parametrize("path", sorted(KERNEL_SOURCES.glob("*.pyx")), ids=str)
def test_cython_kernels_are_leaves(path):
    imports = re.findall(
        r"^\s*(?:from\s+(\S+)\s+c?import|c?import\s+(\S+))",
        path.read_text(encoding="utf-8"),
        flags=re.MULTILINE,
    )
    modules = {name for pair in imports for name in pair if name}

    assert not {name for name in modules if name.startswith("neurorelax")}
    assert "brian2" not in modules
