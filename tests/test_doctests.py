"""The Examples sections of the library's docstrings run and print what they say."""

import doctest
import importlib
import pkgutil

import pytest

import neurorelax


def _modules_with_examples():
    names = []
    for info in pkgutil.walk_packages(neurorelax.__path__, "neurorelax."):
        if info.name.endswith("__main__"):  # runs the command line on import
            continue
        tests = doctest.DocTestFinder().find(importlib.import_module(info.name))
        examples = [example for test in tests for example in test.examples]
        if any(not example.options.get(doctest.SKIP) for example in examples):
            names.append(info.name)
    return sorted(names)


@pytest.mark.parametrize("name", _modules_with_examples())
def test_docstring_examples(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # examples that write files write here
    module = importlib.import_module(name)

    result = doctest.testmod(
        module,
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
        report=False,
    )

    assert result.attempted > 0
    assert result.failed == 0, f"{result.failed} of {name}'s examples failed"
