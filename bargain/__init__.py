"""bargain — a game-theoretic bargaining solver.

Write a negotiation down as a symbolic model (parties, contract terms, payoffs,
disagreement points, promises), then solve it with the axiomatic bargaining
solutions or the alternating-offers game, and measure what a broken promise costs.

Examples
--------
>>> import bargain
>>> model = bargain.load_model(bargain.models_dir() / "concave.toml")
>>> bargain.nash(model).exact_agreement
{'x': 2/3}
"""

from __future__ import annotations

from types import ModuleType

from bargain import moved
from bargain.axiomatic.egalitarian import egalitarian
from bargain.axiomatic.kalai_smorodinsky import kalai_smorodinsky
from bargain.axiomatic.nash import nash
from bargain.axiomatic.utilitarian import utilitarian
from bargain.coalitions.channel import ChannelReport, Market, channel
from bargain.coalitions.coalition import CoalitionReport, coalition
from bargain.coalitions.pattern import PatternReport, pattern
from bargain.concepts.registry import concepts
from bargain.concepts.solution import Solution
from bargain.contracts.flat_rate import equivalent_percentage, flat_rate_region, flat_vs_percentage
from bargain.errors import (
    BargainError,
    ClusterError,
    ExpressionError,
    FeasibilityError,
    ModelError,
    SolverError,
)
from bargain.estimation.calibrate import Calibration, Observation, calibrate
from bargain.estimation.uncertainty import Uncertainty, uncertainty
from bargain.model.catalogue import find_model, models_dir
from bargain.model.model import Model, Parameter, Party, Variable
from bargain.model.modelfile import dumps_model, load_model, model_from_dict, model_to_dict
from bargain.reporting.brief import Brief, brief
from bargain.reputation.attrition import abreu_gul
from bargain.reputation.credibility import credibility
from bargain.reputation.duration import strike_duration
from bargain.reputation.promise import promise_game, solve_promise
from bargain.reputation.trust import posterior, promises_to_rebuild
from bargain.strategic.holdout import strike_or_holdout
from bargain.strategic.rubinstein import rubinstein
from bargain.strategic.simulate import simulate
from bargain.sweeps.stream import SweepReport, sweep_to_file
from bargain.sweeps.sweep import sensitivity, sweep, tornado

moved.install()


def __getattr__(name: str) -> ModuleType:
    """Old module paths as attributes (``bargain.promise``): see :mod:`bargain.moved`."""
    return moved.attribute(name)


SOLVERS = {c.name: c.solve for c in concepts()}
"""The solution concepts' scalar solvers by their CLI name (read from the registry,
:mod:`bargain.concepts.registry`)."""

__all__ = [
    "SOLVERS",
    "BargainError",
    "Brief",
    "Calibration",
    "ChannelReport",
    "ClusterError",
    "CoalitionReport",
    "ExpressionError",
    "FeasibilityError",
    "Market",
    "Model",
    "ModelError",
    "Observation",
    "Parameter",
    "Party",
    "PatternReport",
    "Solution",
    "SolverError",
    "SweepReport",
    "Uncertainty",
    "Variable",
    "abreu_gul",
    "brief",
    "calibrate",
    "channel",
    "coalition",
    "credibility",
    "dumps_model",
    "egalitarian",
    "equivalent_percentage",
    "find_model",
    "flat_rate_region",
    "flat_vs_percentage",
    "kalai_smorodinsky",
    "load_model",
    "model_from_dict",
    "model_to_dict",
    "models_dir",
    "nash",
    "pattern",
    "posterior",
    "promise_game",
    "promises_to_rebuild",
    "rubinstein",
    "sensitivity",
    "simulate",
    "solve_promise",
    "strike_duration",
    "strike_or_holdout",
    "sweep",
    "sweep_to_file",
    "tornado",
    "uncertainty",
    "utilitarian",
]
