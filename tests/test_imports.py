"""A quick start: ``import bargain`` and the command line import no heavy package they
do not use (docs/design-notes.md, "Imports where they are used").

Checked by value, in a fresh interpreter: the modules loaded, not a time.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("pandas", "dask", "distributed", "matplotlib", "SALib", "nashpy", "networkx")
"""Imported only by the functions that use them (sweeps, plots, promise games)."""
SCIPY_EXTRA = ("scipy.stats", "scipy.integrate")
"""Slow scipy subpackages; the Nash family's multistart needs scipy.stats (a Sobol sample)."""


def loaded(code: str, names: tuple[str, ...]) -> list[str]:
    """The ``names`` among the modules loaded after running ``code`` in a fresh interpreter."""
    check = f"import json, sys\nprint(json.dumps([n for n in {names!r} if n in sys.modules]))"
    probe = f"{code}\n{check}"
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    return json.loads(out.splitlines()[-1])


def test_import_bargain_loads_no_heavy_package():
    assert loaded("import bargain", HEAVY + SCIPY_EXTRA) == []


def test_public_names_resolve_without_heavy_packages():
    code = "import bargain\nfor name in bargain.__all__: getattr(bargain, name)"
    assert loaded(code, HEAVY + SCIPY_EXTRA) == []


@pytest.mark.parametrize(
    "argv",
    [
        ["models"],
        ["show", "split"],
        ["solve", "split"],
        ["solve", "split", "--method", "rubinstein"],
    ],
)
def test_command_line_loads_no_heavy_package(argv):
    code = f"from bargain.cli import main\nmain({argv!r})"
    assert loaded(code, HEAVY) == []
