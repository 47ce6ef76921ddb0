"""The documentation site builds with ``mkdocs build --strict`` and no warnings.

Also checks that the API reference page documents everything ``bargain`` exports.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

import bargain

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "docs" / "reference" / "api.md"


def test_site_builds_strictly_without_warnings(tmp_path: Path) -> None:
    pytest.importorskip("mkdocs", reason="mkdocs is not installed (pip install -e '.[test]')")
    # Material for MkDocs prints an end-of-life notice on every build; it is
    # not about these docs, so keep it out of the output checked below.
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    warnings = [line for line in output.splitlines() if "WARNING" in line]
    assert not warnings, "\n".join(warnings)
    assert (tmp_path / "site" / "reference" / "api" / "index.html").is_file()


def _resolve(path: str) -> object:
    """The object a ``::: dotted.path`` line names: longest importable module, then getattr."""
    parts = path.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attr in parts[cut:]:
            obj = getattr(obj, attr)
        return obj
    raise ImportError(path)


def test_api_reference_documents_every_public_name() -> None:
    directives = [
        line.removeprefix(":::").strip()
        for line in REFERENCE.read_text(encoding="utf-8").splitlines()
        if line.startswith(":::")
    ]
    documented = [_resolve(path) for path in directives]
    missing = [
        name
        for name in bargain.__all__
        if not any(obj is getattr(bargain, name) for obj in documented)
    ]
    assert not missing, f"add a '::: module.name' line to {REFERENCE.name} for: {missing}"
