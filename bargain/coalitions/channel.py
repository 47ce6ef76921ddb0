"""The Horn–Wolinsky channel: separate bargains whose disagreement payoffs include the others.

A guild supplies work to ``n`` producers who compete for viewers. Producer ``i`` pays the
guild ``w_i`` per unit of output (a residual: a linear price, the guild's take rising with
the producer's sales) and faces the linear inverse demand
``p_i = a_i - q_i - gamma * sum_{j != i} q_j`` (``gamma > 0``: its shows and its rivals' are
substitutes; ``gamma < 0``: complements). Given the rates, the producers choose quantities
(Cournot): with marginal cost ``w_i`` the equilibrium solves
``(2 - gamma) q_i + gamma Q = a_i - w_i`` and producer ``i`` earns ``pi_i = q_i**2``; the
guild earns ``G = sum_i w_i q_i``.

**Separately** (Horn & Wolinsky 1988, "Bilateral monopolies and incentives for merger",
*RAND Journal of Economics* 19(4): 408-419): each pair (guild, producer ``i``) sets
``w_i`` by the generalised Nash solution (the guild's power ``beta``) taking the other
rates as given. If the talk with ``i`` fails, ``i`` is struck and earns nothing, the
others compete without it, and the guild gets its strike cost ``delta_i`` *plus what it
earns from the others' agreements* ``G_{-i}`` — the channel: with substitutes the rivals
expand when ``i`` is struck. The equilibrium is the fixed point of the pairs' solutions
("Nash-in-Nash"; Collard-Wexler, Gowrisankaran & Lee 2019, *Journal of Political Economy*
127(1)), found here by solving the pairs' first-order conditions together and checked
to be a fixed point of the pairs' best replies.

**Jointly**: the producers bargain as one with the guild and sign one contract, one rate
``w`` for all (as the producers' alliance signs one agreement with each guild); if that
talk fails, all are struck (the guild gets ``sum delta_i``, the producers nothing). They
still compete for viewers.

With ``n`` identical producers (derived here from the first-order conditions; the paper
was not available, see ``docs/coalitions.md``; the tests check it against the numeric
fixed point) the rates solve ``2 w**2 - a (2 + beta) w + a**2 beta + 2 delta (1 - beta) m =
0``, the smaller root, with ``m = k`` jointly and ``m = k k1 / (2 - gamma)`` separately
(``k = 2 + (n - 1) gamma``, ``k1 = 2 + (n - 2) gamma``). Without a strike cost both give
``w = beta a / 2`` whatever ``gamma``: the guild's higher disagreement payoff and its
smaller gain per talk cancel. With a strike cost (``delta < 0``) the separate rate is
lower for substitutes and higher for complements, so the producers gain by bargaining as
one exactly when their shows are complements.

Examples
--------
>>> r = channel(Market(intercepts=(1.0, 1.0), gamma=0.5, strike_cost=-0.05))
>>> [round(w, 6) for w in r.separate_rates], round(r.joint_rate, 6)
([0.151758, 0.151758], 0.174306)
>>> round(r.incentive, 6)  # the producers' joint profit, jointly minus separately
-0.012078
>>> round(symmetric_rate(1.0, 0.5, 2, 0.5, -0.05, joint=False), 6)
0.151758
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import brentq, minimize_scalar, root

from bargain.errors import ModelError, SolverError
from bargain.json_text import dumps
from bargain.markdown import markdown_table
from bargain.rounding import sig

TOL = 1e-11
"""A best reply's rate is found to this fraction of its feasible interval."""


@dataclass(frozen=True)
class Market:
    """Producers competing in quantities with linear demand, paying the guild per unit.

    Attributes
    ----------
    intercepts
        Each producer's demand intercept ``a_i`` (net of its other unit costs), positive.
    gamma
        How the producers' shows interact: in ``(-1/(n-1), 1)``; positive for
        substitutes, negative for complements, zero for independent markets.
    power
        The guild's bargaining power ``beta`` in ``(0, 1)`` (1/2: the Nash solution).
    strike_cost
        The guild's disagreement payoff against each producer (``delta_i``, usually
        negative: its members' lost pay while struck), one number for all or one each.
    names
        The producers' names (``P1``, ``P2``, ... by default).
    """

    intercepts: tuple[float, ...]
    gamma: float
    power: float = 0.5
    strike_cost: float | tuple[float, ...] = 0.0
    names: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        n = len(self.intercepts)

        def bad(key: str, message: str) -> ModelError:
            return ModelError(message, table="channel", key=key)

        if n < 2:
            raise bad("intercepts", f"at least two producers are needed, got {n}")
        if not all(math.isfinite(a) and a > 0 for a in self.intercepts):
            raise bad("intercepts", f"each intercept must be positive, got {self.intercepts}")
        if not (-1 / (n - 1) < self.gamma < 1):
            raise bad(
                "gamma",
                f"must lie in (-1/(n-1), 1) = ({sig(-1 / (n - 1))}, 1) for {n} producers "
                f"(else the demand system is not downward sloping), got {self.gamma}",
            )
        if not (0 < self.power < 1):
            raise bad("power", f"must lie in (0, 1), got {self.power}")
        if len(self.deltas) != n or not all(math.isfinite(d) and d <= 0 for d in self.deltas):
            raise bad(
                "strike_cost",
                f"one number that is not positive (a cost), or one for each of the {n} "
                f"producers, got {self.strike_cost}",
            )
        if self.names is not None and (len(self.names) != n or len(set(self.names)) != n):
            raise bad("names", f"{n} distinct names, got {self.names}")

    @property
    def n(self) -> int:
        """The number of producers."""
        return len(self.intercepts)

    @property
    def deltas(self) -> tuple[float, ...]:
        """The guild's disagreement payoff against each producer."""
        if isinstance(self.strike_cost, int | float):
            return (float(self.strike_cost),) * len(self.intercepts)
        return tuple(float(d) for d in self.strike_cost)

    @property
    def labels(self) -> tuple[str, ...]:
        """The producers' names."""
        return self.names or tuple(f"P{i + 1}" for i in range(self.n))

    def quantities(
        self, rates: Sequence[float], active: Sequence[bool] | None = None
    ) -> np.ndarray:
        """The Cournot quantities at ``rates`` among the ``active`` producers (all by
        default; a struck producer sells nothing).

        Raises
        ------
        SolverError
            When an active producer would not sell at those rates (a corner the closed
            forms of this module do not cover).
        """
        on = np.ones(self.n, bool) if active is None else np.asarray(active, bool)
        q = self._solve(rates, on)
        if np.any(q[on] <= 0):
            raise SolverError(
                f"at rates {[sig(float(r)) for r in rates]} producer "
                f"{self.labels[int(np.flatnonzero(on)[np.argmin(q[on])])]} would sell nothing",
                table="channel",
                key="intercepts",
            )
        return q

    def _solve(self, rates: Sequence[float], on: np.ndarray) -> np.ndarray:
        """The first-order conditions' solution, signs unchecked."""
        a = np.asarray(self.intercepts)[on] - np.asarray(rates, float)[on]
        m = int(on.sum())
        matrix = (2 - self.gamma) * np.eye(m) + self.gamma * np.ones((m, m))
        q = np.zeros(self.n)
        q[on] = np.linalg.solve(matrix, a)
        return q

    def profits(self, rates: Sequence[float]) -> np.ndarray:
        """Each producer's profit ``q_i**2`` (price minus unit cost is ``q_i`` in Cournot)."""
        return self.quantities(rates) ** 2

    def guild(self, rates: Sequence[float], active: Sequence[bool] | None = None) -> float:
        """The guild's earnings ``sum_i w_i q_i`` from the active producers."""
        return float(np.dot(rates, self.quantities(rates, active)))

    def threat(self, rates: Sequence[float], i: int) -> float:
        """The guild's disagreement payoff in its talk with producer ``i``: its strike cost
        plus its earnings from the others' agreements with ``i`` struck (the channel)."""
        active = [j != i for j in range(self.n)]
        return self.deltas[i] + self.guild(rates, active)


def _log_nash(guild_gain: float, producer_gain: float, beta: float) -> float:
    """The generalised Nash product's logarithm, ``-inf`` outside the bargaining set."""
    if guild_gain <= 0 or producer_gain <= 0:
        return -math.inf
    return beta * math.log(guild_gain) + (1 - beta) * math.log(producer_gain)


def _interval(market: Market, rates: np.ndarray, i: int) -> tuple[float, float]:
    """The rates ``w_i`` (the others fixed) at which every producer sells and the guild
    gains in its talk with ``i``: quantities are linear in ``w_i`` and the guild's gain is a
    concave quadratic, so the set is an interval, found exactly."""
    on = np.ones(market.n, bool)
    at = rates.copy()
    at[i] = 0.0
    q0 = market._solve(at, on)
    at[i] = 1.0
    dq = market._solve(at, on) - q0
    lo, hi = -math.inf, math.inf
    for j in range(market.n):  # q0_j + w dq_j > 0
        if dq[j] < 0:
            hi = min(hi, -q0[j] / dq[j])
        elif dq[j] > 0:
            lo = max(lo, -q0[j] / dq[j])
    others = [j for j in range(market.n) if j != i]
    threat = market.threat(rates, i)
    a2 = dq[i]  # negative: a producer sells less as its own rate rises
    a1 = q0[i] + sum(rates[j] * dq[j] for j in others)
    a0 = sum(rates[j] * q0[j] for j in others) - threat
    disc = a1 * a1 - 4 * a2 * a0
    if disc <= 0:
        lo, hi = math.inf, -math.inf
    else:
        roots = sorted(((-a1 - math.sqrt(disc)) / (2 * a2), (-a1 + math.sqrt(disc)) / (2 * a2)))
        lo, hi = max(lo, roots[0]), min(hi, roots[1])
    if not lo < hi:
        raise SolverError(
            f"no rate gives the guild and {market.labels[i]} a gain over disagreement",
            table="channel",
            key="strike_cost",
        )
    return lo, hi


def _reply(market: Market, rates: np.ndarray, i: int) -> float:
    """Pair ``i``'s generalised Nash rate given the other rates."""
    threat = market.threat(rates, i)

    def minus(w: float) -> float:
        trial = rates.copy()
        trial[i] = w
        q = market._solve(trial, np.ones(market.n, bool))
        return -_log_nash(float(np.dot(trial, q)) - threat, q[i] ** 2, market.power)

    lo, hi = _interval(market, rates, i)
    found = minimize_scalar(
        minus, bounds=(lo, hi), method="bounded", options={"xatol": TOL * (hi - lo)}
    )
    return float(found.x)


def _derivatives(market: Market, rates: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The quantities, the guild's earnings' gradient in the rates, and ``dq_i/dw_i``.

    ``q = M^{-1} (a - w)`` with ``M = (2 - gamma) I + gamma 1 1'``, so ``dq/dw_i`` is minus
    the ``i``-th column of ``M^{-1}`` and ``dG/dw_i = q_i + sum_j w_j dq_j/dw_i``."""
    n = market.n
    inverse = np.linalg.inv((2 - market.gamma) * np.eye(n) + market.gamma * np.ones((n, n)))
    q = inverse @ (np.asarray(market.intercepts) - rates)
    return q, q - inverse.T @ rates, -np.diag(inverse)


def _checked(market: Market, rates: np.ndarray, what: str) -> np.ndarray:
    """``rates`` once every producer sells at them, else a located error."""
    market.quantities(rates)
    if not np.all(np.isfinite(rates)):
        raise SolverError(f"the {what} bargain has no finite rates", table="channel", key="gamma")
    return rates


def separate(market: Market) -> np.ndarray:
    """The separate-bargaining rates: every pair's generalised Nash rate given the others.

    The pairs' first-order conditions are solved together (scipy's ``root``) from the
    rates without strike cost, ``beta a_i / 2``; the answer is then checked to be a fixed
    point of the pairs' best replies, each found by a bounded one-variable maximisation of
    the pair's Nash product.

    Raises
    ------
    SolverError
        When no fixed point is found, or a producer would sell nothing at it.
    """
    beta = market.power

    def conditions(w: np.ndarray) -> np.ndarray:
        q, dg, dq = _derivatives(market, w)
        gain = float(np.dot(w, q)) - np.array([market.threat(w, i) for i in range(market.n)])
        return beta * q * dg + 2 * (1 - beta) * dq * gain

    start = np.asarray(market.intercepts) * beta / 2
    found = root(conditions, start, tol=1e-14)
    rates = _checked(market, np.asarray(found.x, float), "separate")
    scale = max(market.intercepts)
    for i in range(market.n):
        best = _reply(market, rates, i)
        if abs(best - rates[i]) > 1e-6 * scale:
            raise SolverError(
                f"the separate bargains have no fixed point near {sig(float(rates[i]))} for "
                f"{market.labels[i]} (its best reply is {sig(best)})",
                table="channel",
                key="gamma",
            )
    return rates


def joint(market: Market) -> float:
    """The one rate the producers sign for all of them when they bargain as one with the
    guild: the generalised Nash rate of the joint talk (all struck if it fails), found by a
    bounded one-variable maximisation over the rates at which every producer sells.

    Raises
    ------
    SolverError
        When no common rate lets every producer sell and gives the guild a gain.
    """
    n = market.n
    inverse = np.linalg.inv((2 - market.gamma) * np.eye(n) + market.gamma * np.ones((n, n)))
    q0, dq = inverse @ np.asarray(market.intercepts), inverse @ np.ones(n)
    struck = sum(market.deltas)
    hi = float(np.min(q0 / dq))  # every producer sells (dq > 0 on the allowed gamma)
    # the guild's gain w * sum(q0 - w dq) - struck is positive between the roots
    b, c = float(q0.sum()), float(dq.sum())
    disc = b * b - 4 * c * struck
    lo = (b - math.sqrt(disc)) / (2 * c) if disc > 0 else math.inf
    hi = min(hi, (b + math.sqrt(disc)) / (2 * c)) if disc > 0 else -math.inf
    if not lo < hi:
        raise SolverError(
            "no common rate lets every producer sell and gives the guild a gain",
            table="channel",
            key="strike_cost",
        )

    def minus(w: float) -> float:
        q = q0 - w * dq
        return -_log_nash(w * float(q.sum()) - struck, float(q @ q), market.power)

    def slope(w: float) -> float:  # the log Nash product's derivative
        q = q0 - w * dq
        beta = market.power
        return beta * (b - 2 * c * w) / (w * (b - c * w) - struck) - (1 - beta) * 2 * float(
            q @ dq
        ) / float(q @ q)

    found = float(
        minimize_scalar(
            minus, bounds=(lo, hi), method="bounded", options={"xatol": TOL * (hi - lo)}
        ).x
    )
    # the search locates the maximum to about sqrt(eps); the derivative's root, to eps
    step = 1e-6 * (hi - lo)
    left, right = max(lo + step / 2, found - step), min(hi - step / 2, found + step)
    if slope(left) > 0 > slope(right):
        found = float(brentq(slope, left, right, xtol=1e-15))
    return found


def symmetric_rate(
    a: float, gamma: float, n: int, beta: float, delta: float, *, joint: bool
) -> float:
    """The rate in closed form for ``n`` identical producers (module docstring): the
    smaller root of ``2 w**2 - a (2 + beta) w + a**2 beta + 2 delta (1 - beta) m = 0``.

    Examples
    --------
    >>> symmetric_rate(1.0, 0.3, 3, 0.5, 0.0, joint=True)  # beta a / 2 without strike cost
    0.25
    """
    k = 2 + (n - 1) * gamma
    m = k if joint else k * (2 + (n - 2) * gamma) / (2 - gamma)
    disc = a**2 * (2 - beta) ** 2 - 16 * delta * (1 - beta) * m
    return (a * (2 + beta) - math.sqrt(disc)) / 4


@dataclass(frozen=True)
class ChannelReport:
    """Separate against joint bargaining between a guild and competing producers.

    Attributes
    ----------
    market
        The market solved.
    separate_rates
        Each producer's rate when the pairs bargain separately.
    joint_rate
        The one rate when the producers bargain as one.
    separate_profits, joint_profits
        Each producer's profit both ways.
    separate_guild, joint_guild
        The guild's earnings both ways (before any strike cost: all sign).
    threats
        The guild's disagreement payoff in each separate talk (its strike cost plus its
        earnings from the others at the separate rates): the channel.
    """

    market: Market
    separate_rates: tuple[float, ...]
    joint_rate: float
    separate_profits: tuple[float, ...]
    joint_profits: tuple[float, ...]
    separate_guild: float
    joint_guild: float
    threats: tuple[float, ...]

    @property
    def incentive(self) -> float:
        """The producers' joint profit when they bargain as one, minus separately: their
        incentive to form the bargaining unit (positive: they gain by bargaining as one)."""
        return sum(self.joint_profits) - sum(self.separate_profits)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of the report."""
        return {
            "producers": list(self.market.labels),
            "intercepts": list(self.market.intercepts),
            "gamma": self.market.gamma,
            "power": self.market.power,
            "strike_cost": list(self.market.deltas),
            "separate_rates": list(self.separate_rates),
            "joint_rate": self.joint_rate,
            "separate_profits": list(self.separate_profits),
            "joint_profits": list(self.joint_profits),
            "separate_guild": self.separate_guild,
            "joint_guild": self.joint_guild,
            "threats": list(self.threats),
            "incentive": self.incentive,
        }

    def to_json(self, indent: int | None = 2) -> str:
        """The report as one JSON object."""
        return dumps(self.to_dict(), indent)

    def _header(self) -> str:
        verdict = (
            "gain"
            if self.incentive > 0
            else "lose"
            if self.incentive < 0
            else "neither gain nor lose"
        )
        return (
            f"guild against {self.market.n} producers (gamma = {sig(self.market.gamma)}, "
            f"guild's power {sig(self.market.power)}): the producers {verdict} by bargaining as "
            f"one ({sig(self.incentive)} in joint profit)"
        )

    def table(self) -> list[tuple[str, ...]]:
        """One row per producer: rate separately, the guild's threat point in its talk, rate
        jointly, profit separately and jointly."""
        return [
            (
                name,
                sig(self.separate_rates[i]),
                sig(self.threats[i]),
                sig(self.joint_rate),
                sig(self.separate_profits[i]),
                sig(self.joint_profits[i]),
            )
            for i, name in enumerate(self.market.labels)
        ]

    _COLUMNS = (
        "producer",
        "rate separately",
        "guild's threat point",
        "rate jointly",
        "profit separately",
        "profit jointly",
    )

    def to_text(self) -> str:
        """The report as plain text."""
        lines = [self._header()]
        lines += [
            f"  {name}: rate {sep} separately (guild's threat {threat}), {both} jointly; "
            f"profit {p_sep} -> {p_both}"
            for name, sep, threat, both, p_sep, p_both in self.table()
        ]
        return "\n".join(lines)

    def to_markdown(self) -> str:
        """The report in Markdown: the verdict, then one row per producer."""
        return f"- {self._header()}\n\n" + markdown_table(self._COLUMNS, self.table()).rstrip("\n")

    def __str__(self) -> str:
        return self.to_text()


def channel(market: Market) -> ChannelReport:
    """Solve ``market`` with separate (Nash-in-Nash) and joint bargaining, and compare.

    Parameters
    ----------
    market
        The producers, how their shows interact, the guild's power and strike cost.

    Returns
    -------
    ChannelReport

    Raises
    ------
    SolverError
        When a producer would sell nothing at the rates, or the fixed point is not found.
    """
    sep = separate(market)
    both = joint(market)
    common = np.full(market.n, both)
    return ChannelReport(
        market=market,
        separate_rates=tuple(float(w) for w in sep),
        joint_rate=both,
        separate_profits=tuple(float(p) for p in market.profits(sep)),
        joint_profits=tuple(float(p) for p in market.profits(common)),
        separate_guild=market.guild(sep),
        joint_guild=market.guild(common),
        threats=tuple(market.threat(sep, i) for i in range(market.n)),
    )


__all__ = ["ChannelReport", "Market", "channel", "joint", "separate", "symmetric_rate"]
