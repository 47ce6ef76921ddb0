"""The module paths of the flat layout keep working as aliases (bargain.moved)."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

import bargain


def test_every_old_path_is_its_new_module_with_a_warning() -> None:
    # In a fresh interpreter, so that each old path is imported for the first time.
    code = (
        "import warnings, importlib, bargain\n"
        "from bargain.moved import MOVED\n"
        "for old, new in MOVED.items():\n"
        "    with warnings.catch_warnings(record=True) as seen:\n"
        "        warnings.simplefilter('always')\n"
        "        module = importlib.import_module(old)\n"
        "    assert module is importlib.import_module(new), old\n"
        "    assert any(new in str(w.message) for w in seen), old\n"
        "    assert getattr(bargain, old.split('.')[1]) is module, old\n"
        "assert callable(bargain.nash) and callable(bargain.credibility)\n"
        "print(len(MOVED))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert int(done.stdout) == 21


def test_the_public_functions_keep_their_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(sys.modules, "bargain.trust", raising=False)
    with pytest.warns(DeprecationWarning, match="bargain.reputation.trust"):
        importlib.import_module("bargain.trust")
    assert callable(bargain.nash) and callable(bargain.rubinstein)
    with pytest.raises(AttributeError, match="no attribute 'no_such_module'"):
        _ = bargain.no_such_module
