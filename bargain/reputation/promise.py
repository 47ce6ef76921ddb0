"""Promise games: concede on an unenforceable promise, and what a rational recipient does.

A promise (``[promises.NAME]`` in a model) has a *recipient* (``to``), who may
**concede** first — give up something worth ``c`` (``concession``) — or
**hold**, and a *promiser* (``by``), who after a concession may **honour**
its promise — deliver something worth ``v`` (``promised``) to the recipient —
or **renege**. Both are taken as transfers, worth the same to the two sides
(DVD and EST residuals move money from one side to the other). Payoffs
(recipient, promiser):

=================  =============  ============
                   honour         renege
=================  =============  ============
concede            (v − c, c − v)  (−c, c)
hold               (0, 0)          (0, 0)
=================  =============  ============

Solved as a **normal form** with nashpy — vertex enumeration and support
enumeration, merged, every candidate verified to be a mutual best response
(support enumeration alone misses equilibria of degenerate games such as
this one) — and as a **sequential** game by backward induction. The two
differ: holding while the promiser "would honour" with probability up to
``c/v`` is a Nash equilibrium, but rests on a promise the promiser would not
keep once the concession is made (not subgame perfect).

With **types** (:mod:`bargain.reputation.trust`): the promiser is honest with
probability ``p`` (``trust``) and then delivers with probability ``1 − e``;
an opportunist keeps with probability ``h``. The recipient concedes iff
``(p (1 − e) + (1 − p) h) v >= c``, i.e. iff trust is at least the
**trust threshold** ``p* = (c/v − h) / (1 − e − h)``.

Examples
--------
>>> g = PromiseGame("dvd_for_est", "W", "A", concession=0.3, promised=0.5, trust=0.8)
>>> r = solve_promise(g)
>>> r.trust_threshold, r.concedes
(0.6, True)
>>> [(e.recipient["hold"], round(e.promiser["honour"], 12), e.subgame_perfect)
...  for e in r.equilibria]
[(1.0, 0.0, True), (1.0, 0.6, False)]
"""

from __future__ import annotations

import functools
import importlib
import itertools
import math
import sys
import warnings
from dataclasses import dataclass
from types import ModuleType

import numpy as np

from bargain.errors import ModelError
from bargain.model.model import Model, exact_number
from bargain.model.validate import numeric_value, require_model
from bargain.reputation.trust import check_beliefs
from bargain.scale import negligible

RECIPIENT_MOVES = ("concede", "hold")
PROMISER_MOVES = ("honour", "renege")
_TOL = 1e-9  # on payoffs, relative to the smaller of the concession and the promise
_ROUND = 64 * sys.float_info.epsilon  # rounding of a game's payoffs in its own unit
_PROBABILITY = 1e-14  # a probability this small is round-off (nashpy's -1e-17)


@dataclass(frozen=True)
class PromiseGame:
    """A promise and the beliefs about the promiser (see the module docstring)."""

    name: str
    recipient: str
    promiser: str
    concession: float
    promised: float
    trust: float
    error: float = 0.0
    opportunist_keeps: float = 0.0
    file: str | None = None

    def __post_init__(self) -> None:
        where = f"promises.{self.name}"
        for key, value in (("concession", self.concession), ("promised", self.promised)):
            # A string or other non-number is named here, not a TypeError below.
            if not exact_number(value, file=self.file, table=where, key=key) > 0:
                raise ModelError(
                    f"must be positive (a promise whose {key} is worth nothing is no trade), "
                    f"got {value!r}",
                    file=self.file,
                    table=where,
                    key=key,
                )
        try:
            check_beliefs(self.trust, self.error, self.opportunist_keeps)
        except ModelError as err:
            key = "trust" if err.key == "prior" else err.key
            raise ModelError(err.message, file=self.file, table=where, key=key) from None

    def payoffs(self) -> tuple[np.ndarray, np.ndarray]:
        """The normal form against an opportunist: rows concede/hold, columns honour/renege."""
        c, v = self.concession, self.promised
        recipient = np.array([[v - c, -c], [0.0, 0.0]])
        promiser = np.array([[c - v, c], [0.0, 0.0]])
        return recipient, promiser


@dataclass(frozen=True)
class Equilibrium:
    """A Nash equilibrium of the normal form: mixed strategies, payoffs, and how it was found."""

    recipient: dict[str, float]
    promiser: dict[str, float]
    payoffs: dict[str, float]
    subgame_perfect: bool
    found_by: tuple[str, ...]


@dataclass(frozen=True)
class PromiseResult:
    """Everything :func:`solve_promise` finds about a promise game.

    Attributes
    ----------
    equilibria
        All Nash equilibria of the normal form against an opportunist (the
        extreme points where they form a set), sorted.
    pure_equilibria
        Pure-strategy equilibria by brute-force enumeration (an independent check).
    backward_induction
        The subgame-perfect play against an opportunist: ``(recipient move, promiser move)``.
    trust_threshold
        The least trust at which the recipient concedes (may exceed 1: never).
    concedes
        Whether the recipient concedes at the game's trust.
    keep_probability
        Probability that the promise is kept, given the trust and error rates.
    expected
        Each side's expected payoff when the recipient plays its best reply.
    """

    game: PromiseGame
    equilibria: tuple[Equilibrium, ...]
    pure_equilibria: tuple[tuple[str, str], ...]
    backward_induction: tuple[str, str]
    trust_threshold: float
    concedes: bool
    keep_probability: float
    expected: dict[str, float]


def promise_game(
    model: Model,
    name: str | None = None,
    *,
    trust: float | None = None,
    error: float | None = None,
    opportunist_keeps: float | None = None,
) -> PromiseGame:
    """Read a promise from a model (the only one, or the one called ``name``).

    ``trust``, ``error`` and ``opportunist_keeps`` override the promise's own values.
    """
    require_model(model)
    promise = model.promise(name)
    where = f"promises.{promise.name}"

    def value(override: float | None, key: str) -> float:
        if override is not None:
            return override
        return numeric_value(model, getattr(promise, key), where, key)

    return PromiseGame(
        name=promise.name,
        recipient=promise.to,
        promiser=promise.by,
        concession=value(None, "concession"),
        promised=value(None, "promised"),
        trust=value(trust, "trust"),
        error=value(error, "error"),
        opportunist_keeps=value(opportunist_keeps, "opportunist_keeps"),
        file=model.file,
    )


def _clean(strategy: np.ndarray) -> np.ndarray:
    """Remove round-off (e.g. -1e-17) from a mixed strategy and renormalise."""
    s = np.where(np.abs(strategy) < _PROBABILITY, 0.0, strategy)
    s = np.clip(s, 0.0, None)
    return s / s.sum()


def _is_equilibrium(a: np.ndarray, b: np.ndarray, x: np.ndarray, y: np.ndarray, tol: float) -> bool:
    """Each strategy is a best response to the other (to ``tol``, in the payoffs' unit)."""
    return bool(x @ a @ y >= np.max(a @ y) - tol and x @ b @ y >= np.max(x @ b) - tol)


def _tolerance(a: np.ndarray, b: np.ndarray, computed: bool = True) -> float:
    """The payoffs' tolerance of a game in its own unit: :data:`_TOL` of its smallest
    nonzero payoff (a concession of $1 against a promise of $1e9 is 1e-9 of the unit, and
    conceding for nothing is no best response); for payoffs ``computed`` from mixed
    strategies (sums of products), no finer than their rounding, :data:`_ROUND`."""
    entries = np.abs(np.concatenate([a.ravel(), b.ravel()]))
    exact = _TOL * float(entries[entries > 0].min(initial=1.0))
    return max(_ROUND, exact) if computed else exact


class _OnFirstUse(ModuleType):
    """A stand-in for the module of its name that imports it the first time one of its
    attributes is read, and leaves ``sys.modules`` to it then."""

    def __getattr__(self, attribute: str) -> object:
        name = self.__name__
        if sys.modules.get(name) is self:
            del sys.modules[name]
        return getattr(importlib.import_module(name), attribute)


def _nashpy() -> ModuleType:
    """nashpy, imported without networkx until networkx is used.

    ``import nashpy`` imports every module of nashpy, among them its Moran process, which
    imports networkx at its top for graphs the promise games never build (0.14 s of CPU,
    a twelfth of ``bargain brief wga2007``); importing only the enumerations' submodules
    would run nashpy's package, and so import networkx, all the same. So while nashpy is
    imported, ``networkx`` is a stand-in (:class:`_OnFirstUse`) that the Moran process
    keeps and that imports networkx when the process first uses it; the stand-in leaves
    ``sys.modules`` as soon as nashpy is loaded, so that an ``import networkx`` anywhere
    else gets networkx itself. Where either package is loaded already, nothing changes.
    """
    if "nashpy" in sys.modules or "networkx" in sys.modules:
        return importlib.import_module("nashpy")
    stand_in = sys.modules["networkx"] = _OnFirstUse("networkx")
    try:
        return importlib.import_module("nashpy")
    finally:
        if sys.modules.get("networkx") is stand_in:
            del sys.modules["networkx"]


def _nash_equilibria(a: np.ndarray, b: np.ndarray) -> list[tuple[np.ndarray, np.ndarray, str]]:
    """The game's equilibria (nashpy's vertex and support enumeration, each verified), kept
    per pair of matrices (:func:`_equilibria_of`): a credibility report's stages and the
    strike tornado's reports play the same game again wherever the parameter varied does
    not enter the promise. A copy to each caller."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    found = _equilibria_of(a.shape, a.tobytes(), b.tobytes())
    return [(x.copy(), y.copy(), algorithm) for x, y, algorithm in found]


@functools.lru_cache(maxsize=256)
def _equilibria_of(
    shape: tuple[int, ...], a_bits: bytes, b_bits: bytes
) -> tuple[tuple[np.ndarray, np.ndarray, str], ...]:
    """:func:`_nash_equilibria` of the matrices with these floats' bits, computed."""
    a, b = (np.frombuffer(bits, dtype=float).reshape(shape) for bits in (a_bits, b_bits))
    game = _nashpy().Game(a, b)
    found: list[tuple[np.ndarray, np.ndarray, str]] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # nashpy warns on degenerate games; we verify instead
        for algorithm, equilibria in (
            ("nashpy vertex enumeration", game.vertex_enumeration()),
            ("nashpy support enumeration", game.support_enumeration()),
        ):
            for x, y in equilibria:
                x, y = _clean(np.asarray(x, float)), _clean(np.asarray(y, float))
                if _is_equilibrium(a, b, x, y, _tolerance(a, b)):
                    found.append((x, y, algorithm))
    return tuple(found)


def solve_promise(game: PromiseGame) -> PromiseResult:
    """Solve a promise game in normal form (nashpy), by backward induction, and with types.

    Examples
    --------
    The normal form is solved in a unit of the payoffs' own size (the power of two
    nearest above the larger of the concession and the promise, applied exactly by
    ``ldexp``, subnormal sizes too), so the same game in dollars, in billions or at
    ``1e-320`` has the same equilibria, threshold and decision; the tolerances on best
    responses are in that unit.

    With no trust at all, the recipient holds:

    >>> solve_promise(PromiseGame("p", "W", "A", 0.3, 0.5, trust=0.0)).expected
    {'W': 0.0, 'A': 0.0}

    In dollars, the same equilibria (P(honour) 0 and c/v):

    >>> r = solve_promise(PromiseGame("p", "W", "A", 3e8, 5e8, trust=0.8))
    >>> [round(e.promiser["honour"], 12) for e in r.equilibria]
    [0.0, 0.6]

    At a subnormal scale, the same decision (the floats ``3e-322`` and ``5e-322`` are
    multiples of ``2**-1074``, 61 and 101 of them, so ``c / v`` is 61/101 there):

    >>> r = solve_promise(PromiseGame("p", "W", "A", 3e-322, 5e-322, trust=0.5))
    >>> r.trust_threshold == 61 / 101, r.concedes, len(r.equilibria)
    (True, False, 2)
    """
    exponent = math.frexp(max(game.concession, game.promised))[1]
    a, b = (np.ldexp(m, -exponent) for m in game.payoffs())
    merged: dict[tuple[float, ...], tuple[np.ndarray, np.ndarray, list[str]]] = {}
    for x, y, algorithm in _nash_equilibria(a, b):
        key = tuple(np.round(np.concatenate([x, y]), 14))
        entry = merged.setdefault(key, (x, y, []))
        if algorithm not in entry[2]:
            entry[2].append(algorithm)
    # Backward induction against an opportunist: after a concession, compare its payoffs.
    promiser_move = "honour" if b[0, 0] > b[0, 1] else "renege"
    column = PROMISER_MOVES.index(promiser_move)
    recipient_move = "concede" if a[0, column] > a[1, column] else "hold"
    equilibria = []
    for x, y, algorithms in merged.values():
        spe = (
            x[RECIPIENT_MOVES.index(recipient_move)] == 1.0
            and y[PROMISER_MOVES.index(promiser_move)] == 1.0
        )
        equilibria.append(
            Equilibrium(
                recipient=dict(zip(RECIPIENT_MOVES, map(float, x), strict=True)),
                promiser=dict(zip(PROMISER_MOVES, map(float, y), strict=True)),
                payoffs={
                    game.recipient: math.ldexp(float(x @ a @ y), exponent),
                    game.promiser: math.ldexp(float(x @ b @ y), exponent),
                },
                subgame_perfect=bool(spe),
                found_by=tuple(sorted(algorithms)),
            )
        )
    equilibria.sort(key=lambda e: (not e.subgame_perfect, e.promiser["honour"]))
    tol = _tolerance(a, b, computed=False)  # entries compared as they are
    pure = tuple(
        (RECIPIENT_MOVES[i], PROMISER_MOVES[j])
        for i, j in itertools.product(range(2), range(2))
        if a[i, j] >= a[:, j].max() - tol and b[i, j] >= b[i, :].max() - tol
    )
    # In the game's unit (exact powers of two), so that subnormal payoffs keep their digits.
    c, v = (math.ldexp(x, -exponent) for x in (game.concession, game.promised))
    e, h = game.error, game.opportunist_keeps
    threshold = (c / v - h) / (1 - e - h)
    keep = game.trust * (1 - e) + (1 - game.trust) * h
    concedes = keep * v >= c or negligible(keep * v - c, [keep * v, c])
    expected = (
        {
            game.recipient: math.ldexp(keep * v - c, exponent),
            game.promiser: math.ldexp(c - keep * v, exponent),
        }
        if concedes
        else {game.recipient: 0.0, game.promiser: 0.0}
    )
    return PromiseResult(
        game=game,
        equilibria=tuple(equilibria),
        pure_equilibria=pure,
        backward_induction=(recipient_move, promiser_move),
        trust_threshold=max(0.0, threshold),
        concedes=bool(concedes),
        keep_probability=keep,
        expected=expected,
    )


__all__ = [
    "Equilibrium",
    "PromiseGame",
    "PromiseResult",
    "promise_game",
    "solve_promise",
]
