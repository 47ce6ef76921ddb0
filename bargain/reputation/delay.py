"""Theories of delay: why a strike lasts, each a switch in the model file.

Under complete information every solution concept settles at once, so the
length of a strike comes from a **theory of delay**. Each theory is one module
that ends with ``register_theory(Theory(...))``; all of them give the same
object, the time to agreement ``τ`` if talks never broke down
(:class:`bargain.reputation.agreement.AgreementTime`), which
:func:`bargain.reputation.duration.strike_duration` turns into the strike's
length with breakdowns and focal dates.

A model picks its theory with ``[delay] theory = "NAME"`` (default
``"reputation"``) and gives each theory's settings in a ``[delay.NAME]`` table
of expressions in the parameters; ``bargain credibility --delay NAME`` and
``bargain.credibility(..., delay="NAME")`` override the choice.

The theories (``bargain.reputation.delay.names()``):

- ``reputation`` — a war of attrition between sides that may be obstinate
  (Abreu & Gul 2000; :mod:`bargain.reputation.attrition`).
- ``deadline`` — the same war cut short by a deadline at a focal date:
  concessions stop before it and the rational sides left concede at it
  (after Fanning 2016; :mod:`bargain.reputation.deadline`).
- ``optimism`` — each side overrates its chance of making the offers that
  count, without a common prior, and both wait for a deadline (Yildiz 2003,
  2004; :mod:`bargain.reputation.optimism`).
- ``screening`` — the recipient's weekly offers screen the promiser's private
  strike cost (Fudenberg, Levine & Tirole 1985; Gul, Sonnenschein & Wilson
  1986; :mod:`bargain.reputation.screening`).

Examples
--------
>>> names()[0]
'reputation'
>>> theory("hunch")
Traceback (most recent call last):
...
bargain.errors.ModelError: [delay] theory: unknown theory of delay 'hunch'; allowed: reputation...
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bargain.errors import ModelError
from bargain.model.model import DelayTable, Model, Promise
from bargain.model.validate import numeric_value
from bargain.reputation.agreement import AgreementTime

if TYPE_CHECKING:
    from bargain.concepts.solution import Solution
    from bargain.reputation.attrition import Reputation

MODULES = (
    "bargain.reputation.attrition",
    "bargain.reputation.deadline",
    "bargain.reputation.optimism",
    "bargain.reputation.screening",
)
"""The modules that register a theory, imported on first use of the registry."""


@dataclass(frozen=True)
class DelayInputs:
    """What a theory may read at one stage of a credibility report.

    Attributes
    ----------
    model
        The model at the stage's trust (:func:`bargain.reputation.credibility.adjusted_model`).
    label
        ``"before"`` or ``"after"`` the promise's outcomes.
    trust
        The stage's trust in the promiser, in ``[0, 1]``.
    promise
        The promise the report is about.
    solution
        The stage's agreement under the report's solution concept.
    surplus
        The sum over parties of payoff minus disagreement payoff at that agreement.
    war
        The war of attrition at the stage (Abreu & Gul 2000), or ``None`` when
        the model gives no ``demand``/``hardliner`` or the surplus is not positive.
    settings
        The theory's ``[delay.NAME]`` settings, as numbers.
    breakdown_rate
        The stage's hazard per period that talks break down.
    focal_dates
        The model's focal dates as numbers (sorted).
    """

    model: Model
    label: str
    trust: float
    promise: Promise
    solution: Solution
    surplus: float
    war: Reputation | None
    settings: Mapping[str, float]
    breakdown_rate: float
    focal_dates: tuple[float, ...]


@dataclass(frozen=True)
class Theory:
    """A theory of delay (see the module docstring).

    Attributes
    ----------
    name
        The name in ``[delay] theory`` and ``--delay``.
    summary
        One line: why the strike lasts under this theory (shown in reports).
    source
        The paper(s): authors, year, journal, volume.
    agreement
        ``DelayInputs -> AgreementTime | None``: the time to agreement at a stage,
        ``None`` when the model lacks what the theory needs (the report then
        has no strike length).
    keys
        The keys of ``[delay.NAME]`` the theory reads, each with what it means
        and allows.
    required
        The keys that must be given.
    order
        Position in listings.
    reads_war
        Whether the theory reads the stage's war of attrition (and so its link
        to trust: the promiser is obstinate exactly when it is an opportunist).
    """

    name: str
    summary: str
    source: str
    agreement: Callable[[DelayInputs], AgreementTime | None]
    keys: Mapping[str, str] = field(default_factory=dict)
    required: tuple[str, ...] = ()
    order: int = 100
    reads_war: bool = False


_THEORIES: dict[str, Theory] = {}


def register_theory(item: Theory) -> Theory:
    """Add a theory of delay to the registry (each module registers its own, once)."""
    if item.name in _THEORIES and _THEORIES[item.name] != item:
        raise ValueError(f"a theory of delay called {item.name!r} is already registered")
    _THEORIES[item.name] = item
    return item


def _load() -> None:
    for module in MODULES:
        importlib.import_module(module)


def names() -> tuple[str, ...]:
    """The registered theories, in order."""
    _load()
    return tuple(t.name for t in sorted(_THEORIES.values(), key=lambda t: (t.order, t.name)))


def theory(name: str, *, file: str | None = None) -> Theory:
    """The theory called ``name``; a :class:`ModelError` naming the allowed ones otherwise."""
    _load()
    if name not in _THEORIES:
        raise ModelError(
            f"unknown theory of delay {name!r}; allowed: {', '.join(names())}",
            file=file,
            table="delay",
            key="theory",
        )
    return _THEORIES[name]


def settings(model: Model, item: Theory) -> dict[str, float]:
    """The model's ``[delay.NAME]`` settings for ``item``, as numbers.

    Raises
    ------
    ModelError
        For a table of a theory that does not exist, a key the theory does not
        read, a missing required key, or a value that is not a finite number.
    """
    for table in model.delays:
        if table.name not in names():
            raise ModelError(
                f"unknown theory of delay {table.name!r}; allowed: {', '.join(names())}",
                file=model.file,
                table=f"delay.{table.name}",
            )
    found = next((t for t in model.delays if t.name == item.name), DelayTable(item.name))
    where = f"delay.{item.name}"
    for key in found.keys:
        if key not in item.keys:
            raise ModelError(
                f"unknown key; the theory {item.name!r} reads "
                f"{', '.join(item.keys) or 'no settings'}",
                file=model.file,
                table=where,
                key=key,
            )
    for key in item.required:
        if key not in found.keys:
            raise ModelError(
                f"missing; the theory {item.name!r} needs it: {item.keys[key]}",
                file=model.file,
                table=where,
                key=key,
            )
    return {
        key: numeric_value(model, value, where, key)
        for key, value in zip(found.keys, found.values, strict=True)
    }


def focal_deadline(stage: DelayInputs, theory: str, default: float) -> float:
    """A theory's ``deadline`` setting, which must be one of the model's focal dates
    (what happens at a deadline is what happens at a focal date: a strike whose talks
    ended runs to the next one); ``default`` when the setting is not given.

    Raises
    ------
    ModelError
        Naming ``[delay.THEORY] deadline`` and the focal dates allowed.
    """
    if "deadline" not in stage.settings:
        return default
    d = stage.settings["deadline"]
    if not any(math.isclose(d, f, rel_tol=1e-9, abs_tol=1e-12) for f in stage.focal_dates):
        raise ModelError(
            f"must be one of the model's focal dates "
            f"({', '.join(f'{f:g}' for f in stage.focal_dates)}), got {d:g}",
            file=stage.model.file,
            table=f"delay.{theory}",
            key="deadline",
        )
    return d


__all__ = [
    "MODULES",
    "DelayInputs",
    "Theory",
    "focal_deadline",
    "names",
    "register_theory",
    "settings",
    "theory",
]
