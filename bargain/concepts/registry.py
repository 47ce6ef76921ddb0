"""The solution-concept registry: every concept registers once, everything else reads it.

A concept module (one per concept, in a family folder such as
:mod:`bargain.axiomatic` or :mod:`bargain.strategic`) calls :func:`register`
with a :class:`Concept`: its command-line name, its scalar solver, its options,
its closed form and vectorised kernel for sweeps (if it has them), and the rows
it adds to a brief. The command line (``solve --method``, ``sweep --method``,
``credibility --method``), the sweeps, the brief and the credibility report
iterate over :func:`concepts` and look names up with :func:`concept`; none of
them holds a list of concepts of its own.

The families are found by name (:data:`FAMILIES`) and every module in them is
imported on the first look-up, so adding a concept is one new module in a family
folder (and its tests): see ``docs/architecture.md``.

Examples
--------
>>> [c.name for c in concepts()]
['nash', 'rubinstein', 'kalai-smorodinsky', 'egalitarian', 'utilitarian', 'strike-or-holdout']
>>> concept("rubinstein").options
('proposer', 'period', 'horizon')
>>> concept("shapley")
Traceback (most recent call last):
...
bargain.errors.ModelError: [solve] method: unknown solution concept 'shapley'; the concepts are ...
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bargain.errors import ModelError

if TYPE_CHECKING:
    import numpy as np
    import sympy

    from bargain.concepts.solution import Solution
    from bargain.model.model import Model

    Columns = dict[str, np.ndarray]
    Evaluate = Callable[[dict[str, np.ndarray]], Columns]

FAMILIES: tuple[str, ...] = ("bargain.axiomatic", "bargain.strategic")
"""The packages whose modules define solution concepts, imported on first look-up."""

KernelFactory = Callable[["Model", Sequence[str], Mapping[str, Any]], "Evaluate"]
"""``kernel(model, inputs, options)``: a vectorised numeric solver over the
parameters ``inputs`` (arrays), or a :class:`~bargain.errors.ModelError` saying
why the model is out of its reach."""

FormulaFactory = Callable[
    ["Model", Mapping[str, Any], float],
    "tuple[dict[str, sympy.Expr], list[sympy.Expr], list[sympy.Expr]] | None",
]
"""``formula(model, options, timeout)``: the closed form at the model's values as
``(agreement formula, [agreement..., payoffs...], checks)``, where every check is
``>= 0`` exactly where the formula is the answer; ``None`` if there is none that can
be checked point by point."""

BriefRows = Callable[["Model"], Sequence[tuple[str, dict[str, Any]]]]
"""``brief(model)``: the rows the concept adds to a brief, as ``(label, options)``."""


@dataclass(frozen=True)
class Concept:
    """A solution concept as every part of ``bargain`` sees it.

    Attributes
    ----------
    name
        The command-line name (``--method``), e.g. ``"kalai-smorodinsky"``.
    solve
        The scalar solver: ``solve(model, *, exact=True, ..., **options)`` returning a
        :class:`~bargain.concepts.solution.Solution`.
    summary
        One line for help texts.
    order
        Where the concept stands in every list (help, brief, docs), lowest first.
    options
        The solver's keyword options beyond ``exact``/``timeout`` that the command
        line and sweeps pass on (e.g. ``powers``, ``proposer``, ``period``).
    formula
        The closed form for sweeps (:data:`FormulaFactory`), or ``None``.
    kernel
        The vectorised numeric kernel for sweeps (:data:`KernelFactory`), or ``None``
        (the sweep then solves point by point with ``solve``).
    credibility
        Whether :func:`bargain.credibility` can measure a broken promise under it
        (the concept solves the model the promise changes).
    brief
        The rows it adds to :func:`bargain.brief` (:data:`BriefRows`), or ``None``.
    parties
        The number of parties it solves for, or ``None`` for any number from two
        (the axiomatic concepts); :meth:`supports` says why a model is out of reach.
    levels
        Whether it is invariant under adding a number to a party's payoffs and its
        disagreement payoff alike (the axiomatic concepts): a sweep then solves the model
        with each party's level moved out
        (:mod:`bargain.axiomatic.payoff_level`, :func:`bargain.sweeps.compile.compile_kernel`).
    """

    name: str
    solve: Callable[..., Solution]
    summary: str
    order: int
    options: tuple[str, ...] = ()
    formula: FormulaFactory | None = None
    kernel: KernelFactory | None = None
    credibility: bool = False
    brief: BriefRows | None = None
    parties: int | None = None
    levels: bool = False

    def supports(self, model: Model) -> str | None:
        """Why the concept cannot solve ``model`` (its number of parties), else ``None``.

        Examples
        --------
        >>> import bargain
        >>> three = bargain.model_from_dict({
        ...     "model": {"name": "three"}, "variables": {"x": {"min": 0, "max": 1}},
        ...     "parties": {"A": {"payoff": "x"}, "B": {"payoff": "1 - x"}, "C": {"payoff": "0"}}})
        >>> concept("rubinstein").supports(three)
        'rubinstein solves two-party models only; the model has 3 parties'
        >>> concept("nash").supports(three) is None
        True
        """
        n = len(model.parties)
        if self.parties is None or self.parties == n:
            return None
        count = {2: "two"}.get(self.parties, str(self.parties))
        return f"{self.name} solves {count}-party models only; the model has {n} parties"

    @property
    def parameters(self) -> tuple[str, ...]:
        """The names of the scalar solver's keyword parameters (e.g. ``exact``)."""
        return tuple(inspect.signature(self.solve).parameters)[1:]


_REGISTRY: dict[str, Concept] = {}
_loaded = False


def register(c: Concept) -> Concept:
    """Add a concept to the registry (once per name); returns it.

    Raises
    ------
    ValueError
        If another concept already has the name (a programming error, not a user's).
    """
    old = _REGISTRY.get(c.name)
    if old is not None and old.solve is not c.solve:
        raise ValueError(f"two solution concepts are named {c.name!r}")
    _REGISTRY[c.name] = c
    return c


def _load() -> None:
    global _loaded
    if _loaded:
        return
    for family in FAMILIES:
        package = importlib.import_module(family)
        for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
            importlib.import_module(f"{family}.{info.name}")
    _loaded = True


def concepts(*, credibility: bool = False) -> tuple[Concept, ...]:
    """Every registered concept in :attr:`Concept.order` (every one can be swept: by
    its kernel, its formula or point by point); only those a credibility report can
    use with ``credibility=True``."""
    _load()
    found = sorted(_REGISTRY.values(), key=lambda c: (c.order, c.name))
    return tuple(c for c in found if c.credibility or not credibility)


def names(*, credibility: bool = False) -> tuple[str, ...]:
    """The command-line names of :func:`concepts`."""
    return tuple(c.name for c in concepts(credibility=credibility))


def concept(name: str, *, table: str = "solve", credibility: bool = False) -> Concept:
    """The concept called ``name``.

    Raises
    ------
    ModelError
        ``[table] method`` naming the concepts allowed (only those a credibility
        report can use, with ``credibility=True``).
    """
    _load()
    found = _REGISTRY.get(name)
    if found is None or (credibility and not found.credibility):
        allowed = ", ".join(names(credibility=credibility))
        raise ModelError(
            f"unknown solution concept {name!r}; the concepts are {allowed}",
            table=table,
            key="method",
        )
    return found


__all__ = ["FAMILIES", "Concept", "concept", "concepts", "names", "register"]
