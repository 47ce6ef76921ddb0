"""A quick start: ``import bargain`` and the command line import no heavy package they
do not use, and a command imports none of ``bargain``'s modules that only other
commands use (docs/design-notes.md, "Imports where they are used").

Checked by value, in a fresh interpreter: the modules loaded, not a time.
"""

from __future__ import annotations

import functools
import json
import subprocess
import sys

import pytest

pytestmark = pytest.mark.xdist_group("imports")

HEAVY = ("pandas", "dask", "distributed", "matplotlib", "SALib", "nashpy", "networkx")
"""Imported only by the functions that use them (sweeps, plots, promise games)."""
SCIPY_EXTRA = ("scipy.stats", "scipy.integrate")
"""Slow scipy subpackages; the Nash family's multistart needs scipy.stats (a Sobol sample)."""
ABOVE_THE_GAMES = (
    "bargain.reputation",
    "bargain.contracts",
    "bargain.coalitions",
    "bargain.sweeps",
    "bargain.estimation",
    "bargain.reporting",
    "bargain.cases",
)
"""The layers above the games (docs/architecture.md): nothing a solve uses."""
CONCEPTS = ("bargain.concepts", "bargain.axiomatic", "bargain.strategic")
"""The solution concepts and their registry: nothing reading or listing models uses."""


@functools.cache
def _run(code: str) -> tuple[str, tuple[str, ...]]:
    """What ``code`` prints in a fresh interpreter, and the modules loaded after it: each
    probe runs once per worker, whichever tests ask about it (the module's tests are one
    xdist group)."""
    check = "import json, sys\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", f"{code}\n{check}"], capture_output=True, text=True, check=True
    ).stdout
    *printed, modules = out.splitlines()
    return "\n".join(printed), tuple(json.loads(modules))


def loaded(code: str, names: tuple[str, ...]) -> list[str]:
    """The modules loaded after running ``code`` in a fresh interpreter that are among
    ``names`` or inside one of them (``bargain.sweeps`` counts ``bargain.sweeps.sweep``)."""
    return [m for m in _run(code)[1] if any(m == n or m.startswith(n + ".") for n in names)]


def test_import_bargain_loads_no_heavy_package():
    assert loaded("import bargain", HEAVY + SCIPY_EXTRA) == []


def test_import_bargain_imports_nothing_but_its_aliases():
    # Not even sympy: each public name is imported on first use (PEP 562).
    assert loaded("import bargain", ("bargain", "sympy", "numpy")) == ["bargain", "bargain.moved"]


EVERY_NAME = (
    "import importlib, json, sys\n"
    "import bargain\n"
    "listed = set(dir(bargain))\n"
    "wrong = [n for n in bargain.__all__ if n not in listed]\n"
    "for name in bargain.__all__:\n"
    "    namespace = {}\n"
    "    exec(f'from bargain import {name}', namespace)\n"
    "    value = getattr(bargain, name)\n"
    "    module = bargain._PUBLIC.get(name)\n"
    "    home = getattr(importlib.import_module(module), name) if module else value\n"
    "    if namespace[name] is not value or value is not home:\n"
    "        wrong.append(name)\n"
    "from bargain.concepts.registry import concepts\n"
    "if bargain.SOLVERS != {c.name: c.solve for c in concepts()}:\n"
    "    wrong.append('SOLVERS')\n"
    "print(json.dumps(wrong))\n"
)
"""Every public name resolved, each on its own, and the registry's solvers compared: one
probe for the two tests below (each a fresh interpreter costs a second or two)."""


def test_every_public_name_resolves_to_its_module_s_object():
    # In a fresh interpreter, each name on its own: ``from bargain import X`` and
    # ``bargain.X`` give the object its module defines, and ``dir(bargain)`` lists it
    # before it is imported.
    assert json.loads(_run(EVERY_NAME)[0]) == []
    assert set(loaded("import bargain", ("bargain",))) < set(loaded(EVERY_NAME, ("bargain",)))


def test_public_names_resolve_without_heavy_packages():
    # Every public name resolved (getattr(bargain, name) among the rest of EVERY_NAME).
    assert loaded(EVERY_NAME, HEAVY + SCIPY_EXTRA) == []


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
    code = f"from bargain.cli import main\nassert main({argv!r}) == 0"
    assert loaded(code, HEAVY) == []


@pytest.mark.parametrize(
    ("argv", "unused"),
    [
        (["models"], CONCEPTS + ABOVE_THE_GAMES),
        (["show", "split"], CONCEPTS + ABOVE_THE_GAMES),
        (["solve", "split"], ABOVE_THE_GAMES),
        (["solve", "split", "--method", "rubinstein", "--format", "json"], ABOVE_THE_GAMES),
    ],
)
def test_a_command_imports_only_what_it_runs(argv, unused):
    # bargain solve imports the model, the concepts and the games; not credibility,
    # sweeps, calibration, the brief, coalitions or contracts.
    code = f"from bargain.cli import main\nassert main({argv!r}) == 0"
    assert loaded(code, unused) == []
    if argv[0] == "solve":
        assert {"bargain.axiomatic.nash", "bargain.strategic.rubinstein"} <= set(
            loaded(code, CONCEPTS)
        )


def test_the_brief_imports_neither_networkx_nor_sympy_units():
    # bargain brief solves the flagship's promise game with nashpy, whose Moran process
    # imports networkx (docs/design-notes.md: imported on first use), and calls
    # sympy.simplify on nothing, whose first call imports sympy.physics.units: neither is
    # needed for the brief (a fifth of its CPU time between them).
    code = "from bargain.cli import main\nassert main(['brief', 'wga2007']) == 0"
    assert loaded(code, ("networkx", "sympy.physics")) == []
    assert "nashpy" in loaded(code, ("nashpy",))
