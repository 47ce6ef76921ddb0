"""A flat rate or a percentage of reported revenue: when is a flat rate better for both?

The producers moved streaming residuals from a percentage to a flat rate
because the writers distrust the studios' accounting ("a percentage of a
percentage of funny accounting"). This module measures what a flat rate gains
over a percentage, for both sides.

**Setting.** Revenue ``R`` over the contract is uncertain. A *percentage*
contract pays the writers ``s × reported revenue``, and reported revenue is
``(1 − h) R``: the writers **expect** the haircut ``h_W``, the studios **know**
they will report with the haircut ``h_A`` (``h_W > h_A`` is distrust of the
accounting, ``h_W = h_A`` agreement on it). The studios are risk-neutral; the
writers are risk-averse, with expected utility over the contract payment.
A *flat rate* ``F`` is a sure payment, worth ``F`` to both.

- The writers' equivalent flat rate is their certainty equivalent of the
  percentage, ``CE_W(s)``: a flat rate ``F`` is at least as good for them iff
  ``F >= CE_W``. Closed forms (from the normal moment generating function):

  - CARA (absolute risk aversion ``a``), normal revenue (mean ``μ``, sd ``σ``):
    ``CE_W = s(1 − h_W) μ − (a/2) s² (1 − h_W)² σ²`` (Holmström & Milgrom 1987);
  - CRRA (relative risk aversion ``γ``; ``γ = 1`` is log utility), lognormal
    revenue (``ln R`` normal with mean ``m``, sd ``v``):
    ``CE_W = s(1 − h_W) exp(m + (1 − γ) v²/2)``, from
    ``E[R^p] = exp(p m + p² v²/2)`` with ``p = 1 − γ``;

  and for either utility with either distribution (but CRRA with a normal
  revenue, which can be negative, is refused) by numerical integration.
- The studios' equivalent flat rate is their expected cost of the percentage,
  ``C_A(s) = s(1 − h_A) E[R]``.
- A flat rate is at least as good for both iff ``CE_W <= F <= C_A``. The
  interval's width, the **surplus** a flat rate creates, is
  ``C_A − CE_W = s (h_W − h_A) E[R] + π_W``: the value of the haircut gap plus
  the writers' risk premium ``π_W = s(1 − h_W) E[R] − CE_W``. The interval is
  non-empty iff the writers' haircut and risk premium together at least match the
  studios' haircut.
- The **Nash flat rate** splits the surplus by the generalised Nash solution
  with the percentage as the disagreement point. With both payoffs in money
  (the writers' certainty equivalents) both are linear in ``F``, so the
  weighted Nash product ``(F − CE_W)^{w_W} (C_A − F)^{w_A}`` is maximised at
  the power-weighted point ``F = CE_W + w_W (C_A − CE_W)`` (powers normalised
  to sum to 1). With the writers' von Neumann–Morgenstern utility instead,
  concavity moves the split towards the studios (``nash_flat_rate_vnm``).

Money is in the unit of the revenue (e.g. $ million over the contract); a CARA
``a`` is per unit of money, a CRRA ``γ`` has no unit.

Examples
--------
Writers who expect a 30% haircut where the studios take 10%, and a CARA risk
aversion of 0.05 per unit of money: the percentage is worth 13.216 to them and
costs the studios 18; a flat rate between the two is better for both.

>>> deal = flat_vs_percentage(0.02, revenue={"mean": 1000.0, "sd": 400.0},
...                           haircut_writers=0.3, haircut_studios=0.1, risk_aversion=0.05)
>>> round(deal.writers_flat_rate, 9), round(deal.studios_flat_rate, 9)
(13.216, 18.0)
>>> round(deal.haircut_value, 9), round(deal.risk_premium, 9), round(deal.surplus, 9)
(4.0, 0.784, 4.784)
>>> round(deal.nash_flat_rate, 9), deal.mutual_gain
(15.608, True)
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq, minimize_scalar

from bargain.errors import ModelError, SolverError

UTILITIES = ("cara", "crra")
DISTRIBUTIONS = ("normal", "lognormal")
METHODS = ("auto", "closed-form", "quad")
PARTIES = ("writers", "studios")
_REVENUE_KEYS = {"normal": ("mean", "sd"), "lognormal": ("log_mean", "log_sd")}
_CLOSED = {("cara", "normal"), ("crra", "lognormal")}
_WINDOW = 16.0  # half-width, in standard deviations, of every integration window
_LOG_ROUTE = 600.0  # above this log-integrand peak, integrate in log space (no overflow)
_MAX_SHARE = 1e6  # the numeric inverse searches shares up to this


# -- validation ------------------------------------------------------------------------------


def _number(value: object, key: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ModelError(f"must be a number, got {value!r}", key=key)
    if not math.isfinite(value):
        raise ModelError(f"must be a finite number, got {value!r}", key=key)
    return float(value)


def _choice(value: object, allowed: tuple[str, ...], key: str) -> str:
    if value not in allowed:
        raise ModelError(
            f"must be one of {', '.join(repr(a) for a in allowed)}, got {value!r}", key=key
        )
    return str(value)


def _share(value: object) -> float:
    share = _number(value, "share")
    if not 0 < share <= 1:
        raise ModelError(
            f"must be a share of reported revenue in (0, 1], got {value!r}", key="share"
        )
    return share


def _haircut(value: object, key: str) -> float:
    haircut = _number(value, key)
    if not 0 <= haircut < 1:
        raise ModelError(
            f"must be a haircut in [0, 1) (the fraction of revenue not reported), got {value!r}",
            key=key,
        )
    return haircut


def _risk_aversion(value: object) -> float:
    risk = _number(value, "risk_aversion")
    if risk < 0:
        raise ModelError(
            f"must be non-negative (0 is risk-neutral; the writers are not risk-loving), "
            f"got {value!r}",
            key="risk_aversion",
        )
    return risk


def _setting(utility: object, distribution: object, method: object) -> tuple[str, str, str]:
    utility = _choice(utility, UTILITIES, "utility")
    distribution = _choice(distribution, DISTRIBUTIONS, "distribution")
    method = _choice(method, METHODS, "method")
    if utility == "crra" and distribution == "normal":
        raise ModelError(
            "CRRA utility is defined for positive payments only, and a normal revenue is "
            "negative with probability Φ(−mean/sd); use distribution='lognormal' "
            "(lognormal_revenue(mean, sd) matches a mean and a standard deviation)",
            key="distribution",
        )
    if method == "closed-form" and (utility, distribution) not in _CLOSED:
        raise ModelError(
            f"there is no closed form for {utility.upper()} utility with a {distribution} "
            "revenue (only CARA with normal and CRRA with lognormal); use method='quad' or 'auto'",
            key="method",
        )
    return utility, distribution, method


def _revenue(revenue: object, distribution: str) -> tuple[float, float]:
    """``(location, scale)``: ``(μ, σ)`` for a normal, ``(m, v)`` for a lognormal revenue."""
    keys = _REVENUE_KEYS[distribution]
    allowed = f"a {distribution} revenue takes {keys[0]} and {keys[1]}"
    if not isinstance(revenue, Mapping):
        raise ModelError(f"must map names to numbers ({allowed}), got {revenue!r}", key="revenue")
    for name in revenue:
        if name not in keys:
            raise ModelError(f"unknown key {name!r}; {allowed}", key=f"revenue.{name}")
    for name in keys:
        if name not in revenue:
            raise ModelError(f"missing; {allowed}", key=f"revenue.{name}")
    location = _number(revenue[keys[0]], f"revenue.{keys[0]}")
    scale = _number(revenue[keys[1]], f"revenue.{keys[1]}")
    if distribution == "normal" and not location > 0:
        raise ModelError(
            f"the expected revenue must be positive, got {location!r}", key="revenue.mean"
        )
    if scale < 0:
        raise ModelError(f"must be non-negative, got {scale!r}", key=f"revenue.{keys[1]}")
    return location, scale


def _powers(powers: object) -> dict[str, float]:
    if powers is None:
        return dict.fromkeys(PARTIES, 0.5)
    if not isinstance(powers, Mapping):
        raise ModelError(
            f"must map writers and studios to positive numbers, got {powers!r}", key="powers"
        )
    for name in powers:
        if name not in PARTIES:
            raise ModelError(
                f"unknown party {name!r}; the parties are writers, studios", key=f"powers.{name}"
            )
    raw = {}
    for name in PARTIES:
        if name not in powers:
            raise ModelError("missing; give both parties a power, or none", key=f"powers.{name}")
        raw[name] = _number(powers[name], f"powers.{name}")
        if not raw[name] > 0:
            raise ModelError(
                f"a bargaining power must be positive, got {powers[name]!r}", key=f"powers.{name}"
            )
    total = raw["writers"] + raw["studios"]
    return {name: value / total for name, value in raw.items()}


def _overflow(name: str) -> ModelError:
    return ModelError(
        f"the {name} overflows double precision; express the revenue in a larger unit "
        "(and a CARA risk aversion per that unit)",
        key="revenue",
    )


def _finite(values: Mapping[str, float]) -> None:
    for name, value in values.items():
        if not math.isfinite(value):
            raise _overflow(name)


# -- certainty equivalents -----------------------------------------------------------------


def lognormal_revenue(mean: float, sd: float) -> dict[str, float]:
    """The lognormal revenue with a given mean and standard deviation.

    ``ln R`` is normal with sd ``v = sqrt(ln(1 + (sd/mean)²))`` and mean
    ``m = ln(mean) − v²/2``, so that ``E[R] = exp(m + v²/2) = mean`` and
    ``Var R = mean² (exp(v²) − 1) = sd²``.

    Raises
    ------
    ModelError
        Unless ``mean > 0`` and ``sd >= 0`` are finite numbers.

    Examples
    --------
    >>> r = lognormal_revenue(100.0, 50.0)
    >>> round(r["log_sd"], 6), round(r["log_mean"], 6)
    (0.472381, 4.493598)
    """
    mean = _number(mean, "mean")
    sd = _number(sd, "sd")
    if not mean > 0:
        raise ModelError(f"must be positive, got {mean!r}", key="mean")
    if sd < 0:
        raise ModelError(f"must be non-negative, got {sd!r}", key="sd")
    variance = math.log1p((sd / mean) ** 2)
    return {"log_mean": math.log(mean) - variance / 2, "log_sd": math.sqrt(variance)}


def _exp(x: float) -> float:
    """``e^x``, ``inf`` on overflow (reported by :func:`_finite`)."""
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


def _mean_closed(distribution: str, location: float, scale: float) -> float:
    return location if distribution == "normal" else _exp(location + scale * scale / 2)


def _ce_closed(
    k: float, utility: str, distribution: str, location: float, scale: float, risk: float
) -> float:
    """Closed-form certainty equivalent of the payment ``k R``."""
    if distribution == "normal":  # CARA: mean − (a/2) variance
        return k * location - risk / 2 * (k * scale) * (k * scale)
    return k * _exp(location + (1 - risk) * scale * scale / 2)  # CRRA, lognormal


def _g(t: float) -> float:
    """``e^t − 1 − t`` without cancellation for small ``t``."""
    if abs(t) < 0.1:
        term, total = t * t / 2, 0.0
        for n in range(3, 14):
            total += term
            term *= t / n
        return total
    return math.expm1(t) - t


def _integrate(
    f: Callable[[float], float], centers: list[float], what: str, size: float = 0.0
) -> float:
    """``∫ f`` over a window of ``_WINDOW`` standard deviations around the centres.

    ``size`` is the magnitude of the integrand's parts, for an absolute
    tolerance when they may cancel (0: a relative tolerance only).
    """
    from scipy.integrate import quad

    points = sorted(set(centers))
    lo, hi = points[0] - _WINDOW, points[-1] + _WINDOW
    value, error, *_ = quad(
        f, lo, hi, points=points, epsabs=1e-14 * size, epsrel=1e-12, limit=400, full_output=1
    )
    if not (math.isfinite(value) and error <= 1e-8 * abs(value) + 1e-12 * size + 1e-300):
        raise SolverError(
            f"numerical integration of {what} did not converge (value {value!r}, error "
            f"{error!r}); express the revenue in a unit nearer its scale"
        )
    return value


_ROOT_2PI = math.sqrt(2 * math.pi)


def _phi(z: float) -> float:
    return math.exp(-z * z / 2) / _ROOT_2PI


def _ce_quad(
    k: float, utility: str, distribution: str, location: float, scale: float, risk: float
) -> float:
    """:func:`_ce_integrated`, with an overflow reported as a :class:`ModelError`."""
    try:
        return _ce_integrated(k, utility, distribution, location, scale, risk)
    except OverflowError:
        raise _overflow("payment") from None


def _ce_integrated(
    k: float, utility: str, distribution: str, location: float, scale: float, risk: float
) -> float:
    """Certainty equivalent of ``k R`` by numerical integration over ``R = R(z)``, z ~ N(0, 1).

    Both utilities are written as ``CE = T⁻¹(E[T] + ln E[exp(b (T − E[T]))] / b)``
    with ``T = X, b = −a`` (CARA) or ``T = ln X, b = 1 − γ`` (CRRA), ``X = k R``;
    ``b = 0`` is risk neutrality (CARA) or log utility (CRRA):
    ``CE = T⁻¹(E[T])``.
    """
    if k == 0:
        return 0.0
    lognormal = distribution == "lognormal"
    if scale == 0:  # a sure revenue
        return k * (math.exp(location) if lognormal else location)
    if utility == "cara":
        b = -risk
        if lognormal:

            def t_of(z: float) -> float:
                return k * math.exp(location + scale * z)

            def slope(z: float) -> float:
                return scale * t_of(z)

        else:

            def t_of(z: float) -> float:
                return k * (location + scale * z)

            def slope(z: float) -> float:
                return k * scale

    else:
        b = 1 - risk
        log_k = math.log(k)

        def t_of(z: float) -> float:
            return log_k + location + scale * z

        def slope(z: float) -> float:
            return scale

    mean_center = scale if lognormal and utility == "cara" else 0.0  # where φ·|T| peaks
    if utility == "cara":  # E[X] = k E[R], the integral behind the studios' expected cost
        mean_t = k * _mean_integrated(distribution, location, scale)
    else:  # E[ln X], T linear in z
        mean_t = _integrate(
            lambda z: _phi(z) * t_of(z), [0.0], "the mean log payment", abs(t_of(0.0)) + scale
        )
    if b == 0:
        ce_t = mean_t
    else:
        # The peak of ℓ(z) = −z²/2 + b (T(z) − E[T]) (concave, ℓ'' <= −1): ℓ'(z) = −z + b T'(z)
        # has its root between 0 and ℓ'(0).
        if utility == "cara" and lognormal:
            # ℓ'(z) = −z − c e^{scale z}, c = a · scale · k e^{location} > 0: the root is in
            # [−(max(ln c, 0)/scale + 1), 0], where ℓ' goes from positive to negative.
            log_c = math.log(risk * scale * k) + location
            low = -(max(log_c, 0.0) / scale + 1)
            peak = brentq(lambda z: -z - math.exp(log_c + scale * z), low, 0.0)
        else:
            peak = b * slope(0.0)

        def ell(z: float) -> float:
            return -z * z / 2 + b * (t_of(z) - mean_t)

        if ell(peak) < _LOG_ROUTE:
            # E[e^{bY}] − 1 = E[g(bY)] with g(t) = e^t − 1 − t >= 0, since E[Y] = 0.

            def excess_at(z: float) -> float:
                # φ(z) g(t) = (e^{ℓ(z)} − e^{−z²/2} (1 + t)) / √(2π), ℓ <= top: no overflow.
                t = b * (t_of(z) - mean_t)
                if abs(t) < 0.1:
                    return _phi(z) * _g(t)
                return (math.exp(-z * z / 2 + t) - math.exp(-z * z / 2) * (1 + t)) / _ROOT_2PI

            excess = _integrate(excess_at, [0.0, peak, mean_center], "the expected utility")
            ce_t = mean_t + math.log1p(excess) / b
        else:
            # ℓ(peak + w) − ℓ(peak), written so that nothing large cancels:
            # −w²/2 + (b T'(peak) − peak) w + b (T(peak + w) − T(peak) − T'(peak) w).
            drift = b * slope(peak) - peak  # ~0 at the peak
            if utility == "cara" and lognormal:  # T(peak + w) = T(peak) e^{scale w}
                curve = b * t_of(peak)

                def rest(w: float) -> float:
                    return curve * _g(scale * w)

            else:  # T is linear in z

                def rest(w: float) -> float:
                    return 0.0

            inner = _integrate(
                lambda w: math.exp(-w * w / 2 + drift * w + rest(w)), [0.0], "the expected utility"
            )
            # ln E[e^{bT}] = −peak²/2 + b T(peak) + ln(inner/√(2π)); divided by b, without E[T]
            # (which would cancel).
            ce_t = t_of(peak) + (math.log(inner / _ROOT_2PI) - peak * peak / 2) / b
    return ce_t if utility == "cara" else math.exp(ce_t)


def _mean_quad(distribution: str, location: float, scale: float) -> float:
    try:
        return _mean_integrated(distribution, location, scale)
    except OverflowError:
        raise _overflow("expected revenue") from None


def _mean_integrated(distribution: str, location: float, scale: float) -> float:
    if scale == 0:  # a sure revenue
        return location if distribution == "normal" else math.exp(location)
    if distribution == "normal":
        return _integrate(
            lambda z: _phi(z) * (location + scale * z), [0.0], "the mean revenue", location + scale
        )
    return _integrate(
        lambda z: math.exp(-z * z / 2 + location + scale * z) / _ROOT_2PI,
        [0.0, scale],
        "the mean revenue",
    )


def certainty_equivalent(
    scale: float,
    *,
    revenue: Mapping[str, float],
    risk_aversion: float = 0.0,
    utility: str = "cara",
    distribution: str = "normal",
    method: str = "auto",
) -> float:
    """The certainty equivalent of the random payment ``scale × R``.

    Parameters
    ----------
    scale
        The payment per unit of revenue, ``k >= 0`` (for the writers'
        percentage ``k = s (1 − h_W)``).
    revenue
        ``{"mean": μ, "sd": σ}`` for a normal revenue, ``{"log_mean": m,
        "log_sd": v}`` for a lognormal one (see :func:`lognormal_revenue`).
    risk_aversion
        CARA ``a >= 0`` (per unit of money) or CRRA ``γ >= 0`` (``γ = 1``: log).
    utility, distribution
        ``"cara"`` or ``"crra"``; ``"normal"`` or ``"lognormal"``. CRRA with a
        normal revenue is refused (the revenue can be negative).
    method
        ``"closed-form"`` (CARA–normal and CRRA–lognormal only), ``"quad"``
        (numerical integration, :func:`scipy.integrate.quad`, any allowed
        pair) or ``"auto"`` (the closed form when there is one).

    Raises
    ------
    ModelError
        For bad input, naming the key.
    SolverError
        If the numerical integration does not converge.

    Examples
    --------
    >>> certainty_equivalent(0.5, revenue={"mean": 10.0, "sd": 2.0}, risk_aversion=1.0)
    4.5
    >>> round(certainty_equivalent(0.5, revenue={"mean": 10.0, "sd": 2.0}, risk_aversion=1.0,
    ...                            method="quad"), 10)
    4.5
    """
    utility, distribution, method = _setting(utility, distribution, method)
    k = _number(scale, "scale")
    if k < 0:
        raise ModelError(f"must be non-negative, got {scale!r}", key="scale")
    location, spread = _revenue(revenue, distribution)
    risk = _risk_aversion(risk_aversion)
    if method == "quad" or (utility, distribution) not in _CLOSED:
        value = _ce_quad(k, utility, distribution, location, spread, risk)
    else:
        value = _ce_closed(k, utility, distribution, location, spread, risk)
    _finite({"certainty equivalent": value})
    return value


# -- the comparison --------------------------------------------------------------------------


def _slope_ratio(c: float, rho: float) -> float:
    """``c / (1 − e^{−c ρ})`` for ``ρ > 0`` (``1/ρ`` at ``c = 0``), without overflow."""
    if c == 0:
        return 1 / rho
    if c > 0:
        return c / -math.expm1(-c * rho)
    return -c * math.exp(c * rho) / -math.expm1(c * rho)


def _nash_vnm(low: float, high: float, power_writers: float, utility: str, risk: float) -> float:
    """The Nash flat rate with the writers' vNM utility ``u`` (studios risk-neutral).

    Maximises ``w_W ln(u(F) − u(CE_W)) + w_A ln(C_A − F)``. With ``x = F − CE_W``,
    ``S = C_A − CE_W`` and ``ψ(x) = x u'(F) / (u(F) − u(CE_W))`` (``ψ <= 1`` for a
    concave ``u``, ``ψ(0) = 1``) the first-order condition is
    ``G(x) = w_W ψ(x) (S − x) − w_A x = 0``; ``G(0) = w_W S > 0 > −w_A S = G(S)``.
    """
    surplus = high - low
    if surplus == 0 or risk == 0:
        return low + power_writers * surplus
    if utility == "cara":  # u(F) − u(CE) ∝ 1 − e^{−a x}: ψ = a x / (e^{a x} − 1)

        def psi(x: float) -> float:
            return 1.0 if x == 0 else x * _slope_ratio(-risk, x)

    else:  # u(F) − u(CE) ∝ (F^c − CE^c)/c, c = 1 − γ: ψ = (x/F) c / (1 − (CE/F)^c)

        def psi(x: float) -> float:
            if x == 0:
                return 1.0
            rho = math.log1p(x / low) if low > 0 else math.inf  # CE_W may underflow to 0
            return x / (low + x) * _slope_ratio(1 - risk, rho)

    def foc(x: float) -> float:
        return power_writers * psi(x) * (surplus - x) - (1 - power_writers) * x

    x = brentq(foc, 0.0, surplus, xtol=1e-14 * surplus, rtol=1e-14)
    return low + min(x, power_writers * surplus)  # x <= w_W S exactly, since ψ <= 1


@dataclass(frozen=True)
class PercentageEquivalent:
    """The share of reported revenue that each side values like a given flat rate.

    Attributes
    ----------
    flat_rate
        The flat rate ``F``.
    writers
        The smallest share ``s`` with ``CE_W(s) = F``, or ``None`` if no share
        is worth ``F`` to the writers (CARA: ``CE_W`` is a concave quadratic in
        ``s`` whose maximum ``μ²/(2aσ²)`` may lie below ``F``). It may exceed
        1: then no admissible percentage is worth ``F`` to them.
    studios
        The share with ``C_A(s) = F``: ``F / ((1 − h_A) E[R])``.
    """

    flat_rate: float
    writers: float | None
    studios: float


@dataclass(frozen=True)
class FlatOrPercentage:
    """A percentage contract against a flat rate (see :func:`flat_vs_percentage`).

    Attributes
    ----------
    share, haircut_writers, haircut_studios, risk_aversion, utility, distribution
        The inputs ``s``, ``h_W``, ``h_A``, ``a`` or ``γ``, and the model.
    revenue
        The revenue's parameters, as given.
    powers
        The bargaining powers, normalised to sum to 1 (equal by default).
    route
        ``"closed form"`` or ``"quad"`` (numerical integration).
    expected_revenue
        ``E[R]``.
    writers_flat_rate
        ``CE_W``: the writers' certainty equivalent of the percentage, the
        flat rate they value like it.
    studios_flat_rate
        ``C_A = s (1 − h_A) E[R]``: the studios' expected cost of the
        percentage, the flat rate that costs them the same.
    risk_premium
        ``π_W = s (1 − h_W) E[R] − CE_W``: what the percentage's risk costs
        the writers.
    haircut_value
        ``s (h_W − h_A) E[R]``: what the writers' distrust of the accounting
        costs them beyond the studios' actual haircut.
    surplus
        ``C_A − CE_W = haircut_value + risk_premium``: the width of the
        mutual-gain interval (negative if there is none).
    interval
        ``(CE_W, C_A)``: the flat rates at least as good as the percentage for
        both sides; ``None`` if ``CE_W > C_A``.
    mutual_gain
        Whether some flat rate is strictly better for both (``surplus > 0``).
    nash_flat_rate
        The generalised Nash split of the surplus in money (certainty
        equivalents): ``CE_W + w_W (C_A − CE_W)``; ``None`` without an interval.
    nash_flat_rate_vnm
        The same with the writers' von Neumann–Morgenstern utility in the Nash
        product: never above ``nash_flat_rate``; ``None`` without an interval.
    """

    share: float
    revenue: dict[str, float]
    distribution: str
    utility: str
    risk_aversion: float
    haircut_writers: float
    haircut_studios: float
    powers: dict[str, float]
    route: str
    expected_revenue: float
    writers_flat_rate: float
    studios_flat_rate: float
    risk_premium: float
    haircut_value: float
    surplus: float
    interval: tuple[float, float] | None
    mutual_gain: bool
    nash_flat_rate: float | None
    nash_flat_rate_vnm: float | None

    def equivalent_percentage(self, flat_rate: float) -> PercentageEquivalent:
        """The shares each side values like ``flat_rate``, in this setting.

        Examples
        --------
        >>> deal = flat_vs_percentage(0.02, revenue={"mean": 1000.0, "sd": 400.0},
        ...                           haircut_writers=0.3, haircut_studios=0.1,
        ...                           risk_aversion=0.05)
        >>> back = deal.equivalent_percentage(deal.writers_flat_rate)
        >>> round(back.writers, 12), round(back.studios, 6)
        (0.02, 0.014684)
        """
        return equivalent_percentage(
            flat_rate,
            revenue=self.revenue,
            haircut_writers=self.haircut_writers,
            haircut_studios=self.haircut_studios,
            risk_aversion=self.risk_aversion,
            utility=self.utility,
            distribution=self.distribution,
            method="quad" if self.route == "quad" else "auto",
        )


def flat_vs_percentage(
    share: float,
    *,
    revenue: Mapping[str, float],
    haircut_writers: float = 0.0,
    haircut_studios: float = 0.0,
    risk_aversion: float = 0.0,
    utility: str = "cara",
    distribution: str = "normal",
    powers: Mapping[str, float] | None = None,
    method: str = "auto",
) -> FlatOrPercentage:
    """Compare a percentage ``share`` of reported revenue with a flat rate, for both sides.

    Parameters
    ----------
    share
        The writers' share ``s`` of reported revenue, in (0, 1].
    revenue
        ``{"mean": μ, "sd": σ}`` (normal, ``μ > 0``) or ``{"log_mean": m,
        "log_sd": v}`` (lognormal; :func:`lognormal_revenue` converts a mean
        and sd), to match ``distribution``; sds ``>= 0``.
    haircut_writers, haircut_studios
        ``h_W`` and ``h_A`` in [0, 1): the fraction of revenue the writers
        expect, and the studios know, will go unreported.
    risk_aversion
        The writers' CARA ``a >= 0`` (per unit of money) or CRRA ``γ >= 0``.
    utility, distribution
        ``"cara"`` or ``"crra"``; ``"normal"`` or ``"lognormal"`` (CRRA with a
        normal revenue is refused: the revenue can be negative).
    powers
        ``{"writers": w_W, "studios": w_A}``, positive; normalised to sum to 1.
        Equal if ``None``.
    method
        ``"auto"`` (closed form when there is one), ``"closed-form"`` or
        ``"quad"`` (numerical integration, also for the studios' ``E[R]``).

    Raises
    ------
    ModelError
        For bad input, naming the key (e.g. ``haircut_writers``,
        ``revenue.sd``, ``powers.studios``).
    SolverError
        If the numerical integration does not converge.

    Examples
    --------
    Agreement on the accounting and risk neutrality: the interval is a point.

    >>> flat_vs_percentage(0.1, revenue={"mean": 50.0, "sd": 10.0}).interval
    (5.0, 5.0)

    Log utility and a lognormal revenue with ``E[R] = e^{0.5}``:

    >>> deal = flat_vs_percentage(0.1, revenue={"log_mean": 0.0, "log_sd": 1.0},
    ...                           utility="crra", distribution="lognormal", risk_aversion=1.0)
    >>> deal.writers_flat_rate, round(deal.studios_flat_rate, 6), deal.mutual_gain
    (0.1, 0.164872, True)
    """
    s = _share(share)
    utility, distribution, method = _setting(utility, distribution, method)
    location, scale = _revenue(revenue, distribution)
    h_w = _haircut(haircut_writers, "haircut_writers")
    h_a = _haircut(haircut_studios, "haircut_studios")
    risk = _risk_aversion(risk_aversion)
    weights = _powers(powers)
    closed = method != "quad" and (utility, distribution) in _CLOSED
    if closed:
        mean = _mean_closed(distribution, location, scale)
        ce = _ce_closed(s * (1 - h_w), utility, distribution, location, scale, risk)
    else:
        mean = _mean_quad(distribution, location, scale)
        ce = _ce_quad(s * (1 - h_w), utility, distribution, location, scale, risk)
    cost = s * (1 - h_a) * mean
    _finite({"expected revenue": mean, "certainty equivalent": ce, "expected cost": cost})
    surplus = cost - ce
    if surplus >= 0:
        interval = (ce, cost)
        nash = ce + weights["writers"] * surplus
        nash_vnm = _nash_vnm(ce, cost, weights["writers"], utility, risk)
    else:
        interval = nash = nash_vnm = None
    return FlatOrPercentage(
        share=s,
        revenue={key: float(value) for key, value in revenue.items()},
        distribution=distribution,
        utility=utility,
        risk_aversion=risk,
        haircut_writers=h_w,
        haircut_studios=h_a,
        powers=weights,
        route="closed form" if closed else "quad",
        expected_revenue=mean,
        writers_flat_rate=ce,
        studios_flat_rate=cost,
        risk_premium=s * (1 - h_w) * mean - ce,
        haircut_value=s * (h_w - h_a) * mean,
        surplus=surplus,
        interval=interval,
        mutual_gain=surplus > 0,
        nash_flat_rate=nash,
        nash_flat_rate_vnm=nash_vnm,
    )


# -- the inverse -----------------------------------------------------------------------------


def _invert_concave(ce: Callable[[float], float], target: float) -> float | None:
    """The smallest ``s >= 0`` with ``ce(s) = target``, for ``ce`` concave with ``ce(0) = 0``."""
    if target == 0:
        return 0.0
    high = 1.0
    while high <= _MAX_SHARE:
        value = ce(high)
        if value >= target:
            return brentq(lambda s: ce(s) - target, 0.0, high, xtol=1e-15, rtol=1e-13)
        if ce(2 * high) <= value:  # past the maximum, which lies in (0, 2 high)
            best = minimize_scalar(
                lambda s: -ce(s),
                bounds=(0.0, 2 * high),
                method="bounded",
                options={"xatol": 1e-12 * high},
            )
            peak = float(best.x)
            if ce(peak) < target:
                return None
            return brentq(lambda s: ce(s) - target, 0.0, peak, xtol=1e-15, rtol=1e-13)
        high *= 2
    return None


def equivalent_percentage(
    flat_rate: float,
    *,
    revenue: Mapping[str, float],
    haircut_writers: float = 0.0,
    haircut_studios: float = 0.0,
    risk_aversion: float = 0.0,
    utility: str = "cara",
    distribution: str = "normal",
    method: str = "auto",
) -> PercentageEquivalent:
    """The percentage each side values like the flat rate ``flat_rate >= 0``.

    The inverse of :func:`flat_vs_percentage`'s equivalents: the writers'
    share solves ``CE_W(s) = F`` (the smallest root), the studios'
    ``C_A(s) = F``. Closed forms: CARA–normal
    ``s (1 − h_W) = 2F / (μ + sqrt(μ² − 2aσ²F))`` (none if ``F > μ²/(2aσ²)``);
    CRRA–lognormal ``s = F / ((1 − h_W) exp(m + (1 − γ) v²/2))``. Otherwise
    (or with ``method="quad"``) ``CE_W`` is inverted numerically
    (:func:`scipy.optimize.brentq`; it is concave in ``s``), over shares up to
    ``10⁶``. Parameters as in :func:`flat_vs_percentage`.

    Raises
    ------
    ModelError
        For bad input, naming the key.

    Examples
    --------
    The Nash flat rate of the module's example, 15.608, is worth as much to
    the writers as a 2.39% share, and costs the studios as much as 1.73%:

    >>> eq = equivalent_percentage(15.608, revenue={"mean": 1000.0, "sd": 400.0},
    ...                            haircut_writers=0.3, haircut_studios=0.1, risk_aversion=0.05)
    >>> round(eq.writers, 6), round(eq.studios, 6)
    (0.023896, 0.017342)
    """
    utility, distribution, method = _setting(utility, distribution, method)
    flat = _number(flat_rate, "flat_rate")
    if flat < 0:
        raise ModelError(
            f"a flat rate is a payment to the writers: must be non-negative, got {flat_rate!r}",
            key="flat_rate",
        )
    location, scale = _revenue(revenue, distribution)
    q_w = 1 - _haircut(haircut_writers, "haircut_writers")
    q_a = 1 - _haircut(haircut_studios, "haircut_studios")
    risk = _risk_aversion(risk_aversion)
    closed = method != "quad" and (utility, distribution) in _CLOSED
    writers: float | None
    if closed:
        mean = _mean_closed(distribution, location, scale)
        if distribution == "normal":
            disc = location**2 - 2 * risk * scale**2 * flat
            writers = None if disc < 0 else 2 * flat / (location + math.sqrt(disc)) / q_w
        else:
            writers = flat / (q_w * math.exp(location + (1 - risk) * scale**2 / 2))
    else:
        mean = _mean_quad(distribution, location, scale)
        writers = _invert_concave(
            lambda s: _ce_quad(s * q_w, utility, distribution, location, scale, risk), flat
        )
    studios = flat / (q_a * mean)
    _finite({"expected revenue": mean, "studios' share": studios})
    return PercentageEquivalent(flat_rate=flat, writers=writers, studios=studios)


# -- the region ------------------------------------------------------------------------------


@dataclass(frozen=True)
class FlatRateRegion:
    """Where a flat rate is better for both, over a grid (see :func:`flat_rate_region`).

    Every array has the broadcast shape of the inputs.

    Attributes
    ----------
    haircut_gap, risk_aversion
        The grid: ``h_W − h_A`` and ``a`` (or ``γ``).
    haircut_writers
        ``h_W = h_A + gap``.
    writers_flat_rate, studios_flat_rate
        ``CE_W`` and ``C_A`` at each point.
    surplus
        ``C_A − CE_W``.
    mutual_gain
        ``surplus > 0``: a flat rate is strictly better for both.
    """

    haircut_gap: np.ndarray
    risk_aversion: np.ndarray
    haircut_writers: np.ndarray
    writers_flat_rate: np.ndarray
    studios_flat_rate: np.ndarray
    surplus: np.ndarray
    mutual_gain: np.ndarray


def _array(values: object, key: str) -> np.ndarray:
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise ModelError(
            f"must be a number or an array of numbers, got {values!r}", key=key
        ) from None
    if not np.isfinite(array).all():
        raise ModelError("must be finite numbers (no NaN or infinity)", key=key)
    return array


def flat_rate_region(
    haircut_gap: float | np.ndarray,
    risk_aversion: float | np.ndarray,
    *,
    share: float,
    revenue: Mapping[str, float],
    haircut_studios: float = 0.0,
    utility: str = "cara",
    distribution: str = "normal",
    method: str = "auto",
) -> FlatRateRegion:
    """Where a flat rate beats the percentage for both sides, over haircut gaps and risk aversions.

    Vectorised: ``haircut_gap`` (``h_W − h_A``) and ``risk_aversion`` are
    broadcast against each other (``gap[:, None]`` and ``risk[None, :]`` give a
    grid). The closed forms are evaluated with NumPy; the numeric route
    (CARA with a lognormal revenue, or ``method="quad"``) point by point.
    Other parameters as in :func:`flat_vs_percentage`.

    Raises
    ------
    ModelError
        For bad input, naming the key; a gap must keep ``h_W = h_A + gap`` in
        [0, 1).

    Examples
    --------
    With agreement on the accounting (gap 0) only risk aversion creates a
    surplus; writers who expect *less* of a haircut than the studios take
    (gap −0.1) need enough risk aversion to prefer a flat rate.

    >>> region = flat_rate_region(np.array([[-0.1], [0.0], [0.1]]), np.array([0.0, 1.0]),
    ...                           share=0.1, revenue={"mean": 100.0, "sd": 30.0},
    ...                           haircut_studios=0.2)
    >>> region.mutual_gain
    array([[False,  True],
           [False,  True],
           [ True,  True]])
    >>> region.surplus.round(4)
    array([[-1.   ,  2.645],
           [ 0.   ,  2.88 ],
           [ 1.   ,  3.205]])
    """
    s = _share(share)
    utility, distribution, method = _setting(utility, distribution, method)
    location, scale = _revenue(revenue, distribution)
    h_a = _haircut(haircut_studios, "haircut_studios")
    gap, risk = np.broadcast_arrays(
        _array(haircut_gap, "haircut_gap"), _array(risk_aversion, "risk_aversion")
    )
    h_w = h_a + gap
    if not ((h_w >= 0) & (h_w < 1)).all():
        raise ModelError(
            f"the writers' haircut h_studios + gap must be in [0, 1): with h_studios = {h_a:g} "
            f"a gap must be in [{-h_a:g}, {1 - h_a:g})",
            key="haircut_gap",
        )
    if (risk < 0).any():
        raise ModelError("must be non-negative (0 is risk-neutral)", key="risk_aversion")
    closed = method != "quad" and (utility, distribution) in _CLOSED
    if closed:
        mean = _mean_closed(distribution, location, scale)
        k = s * (1 - h_w)
        with np.errstate(over="ignore", invalid="ignore"):
            if distribution == "normal":
                ce = k * location - risk / 2 * (k * scale) ** 2
            else:
                ce = k * np.exp(location + (1 - risk) * scale**2 / 2)
    else:
        mean = _mean_quad(distribution, location, scale)
        ce = np.empty(gap.shape)
        for index in np.ndindex(gap.shape):
            ce[index] = _ce_quad(
                s * (1 - h_w[index]), utility, distribution, location, scale, risk[index]
            )
    cost = s * (1 - h_a) * mean
    _finite({"expected revenue": mean, "expected cost": cost})
    if not np.isfinite(ce).all():
        _finite({"certainty equivalent": float(ce[~np.isfinite(ce)].flat[0])})
    surplus = cost - ce
    return FlatRateRegion(
        haircut_gap=gap.copy(),
        risk_aversion=risk.copy(),
        haircut_writers=h_w,
        writers_flat_rate=ce,
        studios_flat_rate=np.full(gap.shape, cost),
        surplus=surplus,
        mutual_gain=surplus > 0,
    )


__all__ = [
    "DISTRIBUTIONS",
    "METHODS",
    "PARTIES",
    "UTILITIES",
    "FlatOrPercentage",
    "FlatRateRegion",
    "PercentageEquivalent",
    "certainty_equivalent",
    "equivalent_percentage",
    "flat_rate_region",
    "flat_vs_percentage",
    "lognormal_revenue",
]
