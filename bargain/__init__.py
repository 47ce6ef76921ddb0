"""bargain — a game-theoretic bargaining solver.

Write a negotiation down as a symbolic model (parties, contract terms, payoffs,
disagreement points, promises), then solve it with the axiomatic bargaining
solutions or the alternating-offers game, and measure what a broken promise costs.

Every public name is imported from its module on first use (PEP 562: the module's
``__getattr__`` reads :data:`_PUBLIC`), so ``import bargain`` costs almost nothing
and a script or a command pays only for what it uses (``docs/design-notes.md``,
"Imports where they are used").

Examples
--------
>>> import bargain
>>> model = bargain.load_model(bargain.models_dir() / "concave.toml")
>>> bargain.nash(model).exact_agreement
{'x': 2/3}
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from bargain import moved

if TYPE_CHECKING:
    from bargain.concepts.solution import Solution

moved.install()

_PUBLIC: dict[str, str] = {
    "BargainError": "bargain.errors",
    "Brief": "bargain.reporting.brief",
    "Calibration": "bargain.estimation.calibrate",
    "ChannelReport": "bargain.coalitions.channel",
    "ClusterError": "bargain.errors",
    "CoalitionReport": "bargain.coalitions.coalition",
    "ExpressionError": "bargain.errors",
    "FeasibilityError": "bargain.errors",
    "Market": "bargain.coalitions.channel",
    "Model": "bargain.model.model",
    "ModelError": "bargain.errors",
    "Observation": "bargain.estimation.calibrate",
    "Parameter": "bargain.model.model",
    "Party": "bargain.model.model",
    "PatternReport": "bargain.coalitions.pattern",
    "Solution": "bargain.concepts.solution",
    "SolverError": "bargain.errors",
    "SweepReport": "bargain.sweeps.stream",
    "UnboundedError": "bargain.errors",
    "Uncertainty": "bargain.estimation.uncertainty",
    "UndefinedPayoffError": "bargain.errors",
    "Variable": "bargain.model.model",
    "abreu_gul": "bargain.reputation.attrition",
    "brief": "bargain.reporting.brief",
    "calibrate": "bargain.estimation.calibrate",
    "channel": "bargain.coalitions.channel",
    "coalition": "bargain.coalitions.coalition",
    "credibilities": "bargain.sweeps.credibilities",
    "credibility": "bargain.reputation.credibility",
    "dumps_model": "bargain.model.modelfile",
    "egalitarian": "bargain.axiomatic.egalitarian",
    "equivalent_percentage": "bargain.contracts.flat_rate",
    "find_model": "bargain.model.catalogue",
    "flat_rate_region": "bargain.contracts.flat_rate",
    "flat_vs_percentage": "bargain.contracts.flat_rate",
    "kalai_smorodinsky": "bargain.axiomatic.kalai_smorodinsky",
    "load_model": "bargain.model.modelfile",
    "model_from_dict": "bargain.model.modelfile",
    "model_to_dict": "bargain.model.modelfile",
    "models_dir": "bargain.model.catalogue",
    "nash": "bargain.axiomatic.nash",
    "pattern": "bargain.coalitions.pattern",
    "posterior": "bargain.reputation.trust",
    "promise_game": "bargain.reputation.promise",
    "promises_to_rebuild": "bargain.reputation.trust",
    "rubinstein": "bargain.strategic.rubinstein",
    "sensitivity": "bargain.sweeps.sweep",
    "simulate": "bargain.strategic.simulate",
    "solve_promise": "bargain.reputation.promise",
    "strike_duration": "bargain.reputation.duration",
    "strike_or_holdout": "bargain.strategic.holdout",
    "sweep": "bargain.sweeps.sweep",
    "sweep_to_file": "bargain.sweeps.stream",
    "tornado": "bargain.sweeps.sweep",
    "uncertainty": "bargain.estimation.uncertainty",
    "utilitarian": "bargain.axiomatic.utilitarian",
}
"""Each public name and the module that defines it, imported on the name's first use."""

SOLVERS: dict[str, Callable[..., Solution]]
"""The solution concepts' scalar solvers by their CLI name (read from the registry,
:mod:`bargain.concepts.registry`, on first use)."""

__all__ = ["SOLVERS", *_PUBLIC]


def __getattr__(name: str) -> Any:
    """A public name, imported from its module on first use and then kept (the next
    look-up is an ordinary attribute); else a subpackage or an old module path
    (``bargain.promise``, see :mod:`bargain.moved`), imported."""
    if name == "SOLVERS":
        from bargain.concepts.registry import concepts

        value: Any = {c.name: c.solve for c in concepts()}
    elif name in _PUBLIC:
        value = getattr(importlib.import_module(_PUBLIC[name]), name)
    elif name.isidentifier() and importlib.util.find_spec(f"{__name__}.{name}") is not None:
        return importlib.import_module(f"{__name__}.{name}")
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The module's names, the public ones not yet imported included."""
    return sorted({*globals(), *__all__})
