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

from .attrition import abreu_gul
from .brief import Brief, brief
from .contract import equivalent_percentage, flat_rate_region, flat_vs_percentage
from .credibility import credibility
from .egalitarian import egalitarian
from .errors import (
    BargainError,
    ClusterError,
    ExpressionError,
    FeasibilityError,
    ModelError,
    SolverError,
)
from .holdout import strike_or_holdout
from .kalai_smorodinsky import kalai_smorodinsky
from .model import Model, Parameter, Party, Variable
from .modelfile import dumps_model, load_model, model_from_dict, model_to_dict
from .nash import nash
from .promise import promise_game, solve_promise
from .registry import find_model, models_dir
from .rubinstein import rubinstein
from .simulate import simulate
from .solution import Solution
from .stream import SweepReport, sweep_to_file
from .sweep import sensitivity, sweep, tornado
from .trust import posterior, promises_to_rebuild
from .utilitarian import utilitarian

SOLVERS = {
    "nash": nash,
    "kalai-smorodinsky": kalai_smorodinsky,
    "egalitarian": egalitarian,
    "utilitarian": utilitarian,
    "rubinstein": rubinstein,
    "strike-or-holdout": strike_or_holdout,
}
"""The solution concepts by their CLI name."""

__all__ = [
    "SOLVERS",
    "BargainError",
    "Brief",
    "ClusterError",
    "ExpressionError",
    "FeasibilityError",
    "Model",
    "ModelError",
    "Parameter",
    "Party",
    "Solution",
    "SolverError",
    "SweepReport",
    "Variable",
    "abreu_gul",
    "brief",
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
    "posterior",
    "promise_game",
    "promises_to_rebuild",
    "rubinstein",
    "sensitivity",
    "simulate",
    "solve_promise",
    "strike_or_holdout",
    "sweep",
    "sweep_to_file",
    "tornado",
    "utilitarian",
]
