"""A flat rate or a percentage of reported revenue: closed forms, numeric routes and properties.

References (cited by their short names below):

- MGF: the moment generating function of the normal distribution,
  ``E[e^{tZ}] = e^{t²/2}`` for ``Z ~ N(0, 1)``. With ``X = k R``, ``R ~ N(μ, σ²)``,
  ``E[−e^{−aX}] = −e^{−a k μ + a² k² σ² / 2}``, so the CARA certainty equivalent is
  ``k μ − (a/2) k² σ²`` — the mean–variance form of Holmström, B. & Milgrom, P. (1987).
  Aggregation and linearity in the provision of intertemporal incentives.
  *Econometrica* 55(2), 303–328 (the "LEN" model). No section or equation number of
  the paper is quoted: the derivation above is the whole argument.
- JKB: Johnson, N. L., Kotz, S. & Balakrishnan, N. (1994). *Continuous Univariate
  Distributions*, vol. 1, 2nd ed., Wiley, ch. 14 (lognormal): for ``ln R ~ N(m, v²)``,
  ``E[R^p] = exp(p m + p² v² / 2)`` (again from the normal MGF, with ``t = p v``).
  With CRRA ``u(x) = x^{1−γ}/(1−γ)`` and ``p = 1 − γ`` this gives
  ``CE = (E[X^p])^{1/p} = k exp(m + (1 − γ) v² / 2)``; for ``γ = 1`` (log utility)
  ``CE = exp(E[ln X]) = k e^m``, the same formula.
- Pratt, J. W. (1964). Risk aversion in the small and in the large. *Econometrica*
  32(1/2), 122–136: a more risk-averse utility has a larger risk premium for every
  risk, and a small risk's premium is ``(A/2) Var`` to first order.
- Nash, J. (1950). The bargaining problem. *Econometrica* 18(2), 155–162; with
  bargaining powers, Kalai (1977) / Roth (1979); Muthoo (1999), *Bargaining Theory
  with Applications*, §2.2–2.3: with payoffs linear in the flat rate ``F``, the
  maximiser of ``(F − d_W)^{w_W} (d_A − F)^{w_A}`` is ``d_W + w_W (d_A − d_W)``.
- KRS: Kihlstrom, R., Roth, A. E. & Schmeidler, D. (1981). Risk aversion and
  solutions to Nash's bargaining problem. In *Game Theory and Mathematical
  Economics*, North-Holland, 65–71: over riskless outcomes, risk aversion is a
  disadvantage under Nash's solution (here: the vNM Nash flat rate is below the
  money-metric one).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from scipy import stats
from scipy.integrate import quad
from scipy.optimize import minimize_scalar

import bargain
from bargain.contracts.flat_rate import (
    certainty_equivalent,
    equivalent_percentage,
    flat_rate_region,
    flat_vs_percentage,
    lognormal_revenue,
)

EXAMPLE = {
    "share": 0.02,
    "revenue": {"mean": 1000.0, "sd": 400.0},
    "haircut_writers": 0.3,
    "haircut_studios": 0.1,
    "risk_aversion": 0.05,
}
CRRA = {"utility": "crra", "distribution": "lognormal"}
CARA_LOG = {"utility": "cara", "distribution": "lognormal"}


# Haircuts and risk aversions: exactly 0, or away from the subnormal floats (a risk aversion of
# 1e-300 is a numerical edge, tested on its own in test_small_risks_have_the_arrow_pratt_premium).
haircuts = st.one_of(st.just(0.0), st.floats(0.001, 0.9))


def scaled(top):
    return st.one_of(st.just(0.0), st.floats(0.001, top))


@st.composite
def normal_cases(draw):
    """CARA with a normal revenue: μ in [10, 1000], cv in [0.05, 0.6], a k σ in [0, 3]."""
    mean = draw(st.floats(10, 1000))
    sd = mean * draw(st.floats(0.05, 0.6))
    share = draw(st.floats(0.005, 1))
    h_w, h_a = draw(haircuts), draw(haircuts)
    risk = draw(scaled(3)) / (share * (1 - h_w) * sd)
    return {
        "share": share,
        "revenue": {"mean": mean, "sd": sd},
        "haircut_writers": h_w,
        "haircut_studios": h_a,
        "risk_aversion": risk,
    }


@st.composite
def lognormal_cases(draw, utility="crra"):
    """A lognormal revenue, m in [−2, 7], v in [0.05, 1.2]; γ in [0, 6] or a k E[R] in [0, 5]."""
    m, v = draw(st.floats(-2, 7)), draw(st.floats(0.05, 1.2))
    share = draw(st.floats(0.005, 1))
    h_w, h_a = draw(haircuts), draw(haircuts)
    if utility == "crra":
        risk = draw(st.one_of(st.just(1.0), scaled(6)))
    else:
        risk = draw(scaled(5)) / (share * (1 - h_w) * math.exp(m + v * v / 2))
    return {
        "share": share,
        "revenue": {"log_mean": m, "log_sd": v},
        "haircut_writers": h_w,
        "haircut_studios": h_a,
        "risk_aversion": risk,
        "utility": utility,
        "distribution": "lognormal",
    }


def any_case():
    return st.one_of(normal_cases(), lognormal_cases("crra"), lognormal_cases("cara"))


# -- independent numeric routes (scipy.stats densities, integrated over the revenue) -----------


def ce_normal_by_quad(k, mean, sd, a):
    """CARA: k μ − ln(1 + E[e^{−a k (R − μ)} − 1])/a, R ~ N(μ, σ²), by quad over R."""
    if a == 0:
        return k * mean
    tilt = mean - a * k * sd * sd  # where the integrand peaks

    def f(r):
        return stats.norm.pdf(r, mean, sd) * math.expm1(-a * k * (r - mean))

    lo, hi = min(tilt, mean) - 15 * sd, mean + 15 * sd
    value, _ = quad(
        f, lo, hi, points=[tilt, mean], epsabs=1e-14 * a * k * sd, epsrel=1e-10, limit=200
    )
    return k * mean - math.log1p(value) / a


def log_window(m, v, p):
    """Range and break points in y = ln R for E[e^{p y}]-like integrands, y ~ N(m, v²)."""
    tilt = m + p * v * v
    return min(m, tilt) - 15 * v, max(m, tilt) + 15 * v, sorted({m, tilt})


def ce_crra_by_quad(k, m, v, gamma):
    """CRRA: (E[(kR)^{1−γ}])^{1/(1−γ)}, or exp(E[ln kR]) for γ = 1, by quad over ln R."""
    pdf = stats.norm(m, v).pdf
    p = 1 - gamma
    lo, hi, points = log_window(m, v, p)
    if gamma == 1:
        value, _ = quad(lambda y: pdf(y) * y, lo, hi, points=points, epsabs=1e-14 * v, limit=200)
        return k * math.exp(value)
    # E[R^p] = e^{p m} (1 + E[e^{p (y − m)} − 1]); the bracket is >= 1 (Jensen) and the
    # expm1 keeps it accurate for p near 0 too.
    value, _ = quad(
        lambda y: pdf(y) * math.expm1(p * (y - m)),
        lo,
        hi,
        points=points,
        epsabs=1e-14 * abs(p) * v,
        epsrel=1e-10,
        limit=200,
    )
    return k * math.exp(m + math.log1p(value) / p)


def ce_cara_lognormal_by_quad(k, m, v, a):
    """CARA: −ln(1 + E[e^{−a k R} − 1])/a, R lognormal, by quad over ln R."""
    pdf = stats.norm(m, v).pdf
    lo, hi, points = log_window(m, v, 1)
    if a == 0:
        value, _ = quad(lambda y: pdf(y) * math.exp(y), lo, hi, points=points, epsrel=1e-11)
        return k * value
    value, _ = quad(
        lambda y: pdf(y) * math.expm1(-a * k * math.exp(y)),
        lo,
        hi,
        points=points,
        epsabs=1e-15 * a * k * math.exp(m),
        epsrel=1e-11,
        limit=200,
    )
    return -math.log1p(value) / a


def ce_by_monte_carlo(k, revenue, risk, utility, distribution, n=400_000, seed=20071105):
    """The certainty equivalent from n draws, with a delta-method standard error."""
    rng = np.random.default_rng(seed)
    z = rng.standard_normal(n)
    if distribution == "normal":
        x = k * (revenue["mean"] + revenue["sd"] * z)
    else:
        x = k * np.exp(revenue["log_mean"] + revenue["log_sd"] * z)
    if utility == "cara":
        u = np.exp(-risk * (x - x.mean()))
        ce = x.mean() - math.log(u.mean()) / risk
        se = u.std() / (risk * u.mean() * math.sqrt(n))
    elif risk == 1:
        ce = math.exp(np.log(x).mean())
        se = ce * np.log(x).std() / math.sqrt(n)
    else:
        p = 1 - risk
        u = x**p
        ce = u.mean() ** (1 / p)
        se = ce * u.std() / (abs(p) * u.mean() * math.sqrt(n))
    return ce, se


# -- closed forms --------------------------------------------------------------------------


def test_worked_example():
    # MGF closed form by hand: k = 0.02 · 0.7 = 0.014, so CE_W = 0.014 · 1000 − 0.025 · 5.6²
    # = 14 − 0.784 = 13.216; C_A = 0.02 · 0.9 · 1000 = 18; surplus 4.784 = 4 (haircut gap
    # 0.02 · 0.2 · 1000) + 0.784 (risk premium); equal powers: the midpoint 15.608.
    deal = flat_vs_percentage(**EXAMPLE)
    assert deal.route == "closed form"
    assert deal.expected_revenue == 1000.0
    assert deal.writers_flat_rate == pytest.approx(13.216, rel=1e-14)
    assert deal.studios_flat_rate == pytest.approx(18.0, rel=1e-14)
    assert deal.risk_premium == pytest.approx(0.784, rel=1e-12)
    assert deal.haircut_value == pytest.approx(4.0, rel=1e-14)
    assert deal.surplus == pytest.approx(4.784, rel=1e-13)
    assert deal.interval == pytest.approx((13.216, 18.0), rel=1e-14)
    assert deal.mutual_gain is True
    assert deal.powers == {"writers": 0.5, "studios": 0.5}
    assert deal.nash_flat_rate == pytest.approx(15.608, rel=1e-14)
    # The CARA vNM Nash split, x = F − CE_W: maximising w_W ln(1 − e^{−a x}) + w_A ln(S − x)
    # gives w_W a (S − x) = w_A (e^{a x} − 1); with equal powers the contraction
    # x = ln(1 + a (S − x)) / a (slope −1/(1 + a (S − x)), about −0.9 here) converges.
    x = 2.392
    for _ in range(2000):
        x = math.log1p(0.05 * (4.784 - x)) / 0.05
    assert deal.nash_flat_rate_vnm == pytest.approx(13.216 + x, rel=1e-12)
    assert deal.nash_flat_rate_vnm < deal.nash_flat_rate


def test_log_utility_with_a_lognormal_revenue():
    # JKB with γ = 1: CE = k e^m; E[R] = e^{m + v²/2}.
    deal = flat_vs_percentage(
        0.1, revenue={"log_mean": 2.0, "log_sd": 0.5}, risk_aversion=1.0, **CRRA
    )
    assert deal.writers_flat_rate == pytest.approx(0.1 * math.exp(2.0), rel=1e-15)
    assert deal.studios_flat_rate == pytest.approx(0.1 * math.exp(2.125), rel=1e-15)
    assert deal.risk_premium == pytest.approx(0.1 * (math.exp(2.125) - math.exp(2)), rel=1e-13)
    quad_route = flat_vs_percentage(
        0.1, revenue={"log_mean": 2.0, "log_sd": 0.5}, risk_aversion=1.0, method="quad", **CRRA
    )
    assert quad_route.route == "quad"
    assert quad_route.writers_flat_rate == pytest.approx(deal.writers_flat_rate, rel=1e-12)
    assert quad_route.studios_flat_rate == pytest.approx(deal.studios_flat_rate, rel=1e-12)


@given(normal_cases())
def test_cara_normal_closed_form_quad_and_independent_integral(case):
    # MGF: CE_W = k μ − (a/2) k² σ², k = s (1 − h_W); C_A = s (1 − h_A) μ.
    k = case["share"] * (1 - case["haircut_writers"])
    mean, sd, a = case["revenue"]["mean"], case["revenue"]["sd"], case["risk_aversion"]
    closed = k * mean - a / 2 * k * k * sd * sd
    deal = flat_vs_percentage(**case)
    assert deal.writers_flat_rate == pytest.approx(closed, rel=1e-12, abs=1e-12 * k * mean)
    assert deal.studios_flat_rate == pytest.approx(
        case["share"] * (1 - case["haircut_studios"]) * mean, rel=1e-14
    )
    numeric = flat_vs_percentage(**case, method="quad")
    assert numeric.route == "quad"
    scale = k * (mean + sd)  # CE_W may be near 0: compare on the payment's scale
    assert numeric.writers_flat_rate == pytest.approx(closed, rel=1e-9, abs=1e-10 * scale)
    assert numeric.studios_flat_rate == pytest.approx(deal.studios_flat_rate, rel=1e-10)
    independent = ce_normal_by_quad(k, mean, sd, a)
    assert independent == pytest.approx(closed, rel=1e-8, abs=1e-9 * scale)


@given(lognormal_cases("crra"))
def test_crra_lognormal_closed_form_quad_and_independent_integral(case):
    # JKB: CE_W = k exp(m + (1 − γ) v²/2); E[R] = exp(m + v²/2).
    k = case["share"] * (1 - case["haircut_writers"])
    m, v, gamma = case["revenue"]["log_mean"], case["revenue"]["log_sd"], case["risk_aversion"]
    closed = k * math.exp(m + (1 - gamma) * v * v / 2)
    deal = flat_vs_percentage(**case)
    assert deal.writers_flat_rate == pytest.approx(closed, rel=1e-13)
    assert deal.expected_revenue == pytest.approx(math.exp(m + v * v / 2), rel=1e-14)
    numeric = flat_vs_percentage(**case, method="quad")
    assert numeric.writers_flat_rate == pytest.approx(closed, rel=1e-9)
    assert numeric.expected_revenue == pytest.approx(deal.expected_revenue, rel=1e-10)
    assert ce_crra_by_quad(k, m, v, gamma) == pytest.approx(closed, rel=1e-7)


@given(lognormal_cases("cara"))
def test_cara_lognormal_by_quad_matches_an_independent_integral(case):
    # No closed form: the module's route (in z, with the tilted peak) against a plain
    # quadrature of the lognormal density in R.
    k = case["share"] * (1 - case["haircut_writers"])
    m, v, a = case["revenue"]["log_mean"], case["revenue"]["log_sd"], case["risk_aversion"]
    deal = flat_vs_percentage(**case)
    assert deal.route == "quad"
    assert deal.writers_flat_rate == pytest.approx(ce_cara_lognormal_by_quad(k, m, v, a), rel=1e-8)


@pytest.mark.parametrize(
    ("revenue", "risk", "utility", "distribution"),
    [
        ({"mean": 100.0, "sd": 40.0}, 0.05, "cara", "normal"),
        ({"log_mean": 1.0, "log_sd": 0.6}, 3.0, "crra", "lognormal"),
        ({"log_mean": 1.0, "log_sd": 0.6}, 1.0, "crra", "lognormal"),
        ({"log_mean": 1.0, "log_sd": 0.6}, 0.4, "crra", "lognormal"),
        ({"log_mean": 1.0, "log_sd": 0.6}, 2.0, "cara", "lognormal"),
    ],
)
def test_monte_carlo_agrees_with_every_route(revenue, risk, utility, distribution):
    k = 0.3
    mc, se = ce_by_monte_carlo(k, revenue, risk, utility, distribution)
    for method in ("auto", "quad"):
        ce = certainty_equivalent(
            k,
            revenue=revenue,
            risk_aversion=risk,
            utility=utility,
            distribution=distribution,
            method=method,
        )
        assert abs(ce - mc) < 4 * se


def test_lognormal_revenue_matches_the_mean_and_sd():
    # JKB: E[R] = e^{m + v²/2}, Var R = e^{2m + v²}(e^{v²} − 1).
    for mean, sd in ((2019.0, 1009.5), (1.0, 0.0), (5.0, 20.0)):
        r = lognormal_revenue(mean, sd)
        m, v = r["log_mean"], r["log_sd"]
        assert math.exp(m + v * v / 2) == pytest.approx(mean, rel=1e-14)
        assert math.sqrt(math.exp(2 * m + v * v) * math.expm1(v * v)) == pytest.approx(
            sd, rel=1e-13, abs=1e-300
        )
        deal = flat_vs_percentage(0.1, revenue=r, **CRRA)
        assert deal.expected_revenue == pytest.approx(mean, rel=1e-14)


def test_small_risks_have_the_arrow_pratt_premium():
    # Pratt (1964): π ≈ (a/2) Var X for a small risk; for a lognormal revenue (no closed
    # form under CARA) the ratio tends to 1 as a → 0, with an error of order a.
    revenue = {"log_mean": 0.0, "log_sd": 0.5}
    variance = math.exp(0.25) * math.expm1(0.25)  # JKB: Var R = e^{2m + v²}(e^{v²} − 1)
    mean = math.exp(0.125)
    for a in (1e-2, 1e-4, 1e-6):
        ce = certainty_equivalent(1.0, revenue=revenue, risk_aversion=a, **CARA_LOG)
        assert (mean - ce) / (a / 2 * variance) == pytest.approx(1, abs=5 * a)


def test_large_cara_risk_aversion_integrates_in_log_space():
    # The normal route switches to log space far out (a k σ = 40): still the closed form.
    for a in (4.0, 40.0, 400.0):
        quad_ce = certainty_equivalent(
            1.0, revenue={"mean": 10.0, "sd": 10.0}, risk_aversion=a, method="quad"
        )
        assert quad_ce == pytest.approx(10 - a / 2 * 100, rel=1e-10)
    # CRRA with large γ (the tilt (1 − γ) v is far out): JKB.
    revenue = {"log_mean": 1.0, "log_sd": 1.5}
    ce = certainty_equivalent(1.0, revenue=revenue, risk_aversion=40.0, method="quad", **CRRA)
    assert ce == pytest.approx(math.exp(1 - 39 * 1.125), rel=1e-9)


# -- properties -----------------------------------------------------------------------------


@given(any_case())
def test_interval_surplus_and_decomposition(case):
    deal = flat_vs_percentage(**case)
    s, h_w, h_a = case["share"], case["haircut_writers"], case["haircut_studios"]
    assert deal.surplus == pytest.approx(
        deal.studios_flat_rate - deal.writers_flat_rate, rel=1e-12, abs=1e-12
    )
    assert deal.haircut_value == pytest.approx(s * (h_w - h_a) * deal.expected_revenue, rel=1e-12)
    scale = deal.studios_flat_rate + abs(deal.writers_flat_rate)
    assert deal.surplus == pytest.approx(deal.haircut_value + deal.risk_premium, abs=1e-12 * scale)
    assert deal.risk_premium >= -1e-12 * scale  # risk aversion >= 0
    if deal.surplus >= 0:
        low, high = deal.interval
        assert (low, high) == (deal.writers_flat_rate, deal.studios_flat_rate)
        assert low <= deal.nash_flat_rate_vnm <= deal.nash_flat_rate <= high
    else:
        assert deal.interval is deal.nash_flat_rate is deal.nash_flat_rate_vnm is None
        assert not deal.mutual_gain
    # Nonempty iff the writers' haircut plus risk premium exceed the studios' haircut.
    writers_discount = s * h_w * deal.expected_revenue + deal.risk_premium
    studios_discount = s * h_a * deal.expected_revenue
    if abs(writers_discount - studios_discount) > 1e-9 * scale:
        assert (deal.interval is not None) == (writers_discount > studios_discount)


@given(any_case())
def test_agreement_on_the_accounting_and_risk_neutrality_leave_no_gain(case):
    same = {**case, "haircut_studios": case["haircut_writers"], "risk_aversion": 0.0}
    deal = flat_vs_percentage(**same)
    assert deal.surplus == 0.0
    assert deal.interval == (deal.writers_flat_rate, deal.writers_flat_rate)
    assert deal.nash_flat_rate == deal.nash_flat_rate_vnm == deal.writers_flat_rate
    assert deal.mutual_gain is False


@given(any_case(), st.floats(0.01, 0.5))
def test_the_interval_widens_as_the_studios_report_more(case, step):
    # A larger gap h_W − h_A by a smaller studios' haircut: C_A rises, CE_W is unchanged.
    honest = {**case, "haircut_studios": max(0.0, case["haircut_studios"] - step)}
    assume(honest["haircut_studios"] < case["haircut_studios"])
    assert flat_vs_percentage(**honest).surplus > flat_vs_percentage(**case).surplus


@given(normal_cases(), st.floats(0.01, 0.5))
def test_more_distrust_widens_the_interval_on_the_increasing_branch(case, step):
    # CARA–normal: surplus(h2) − surplus(h1) = s (h2 − h1) (μ − a s (1 − h̄) σ²), h̄ the mean
    # of h1 and h2: a larger writers' haircut widens the interval while CE_W rises with the
    # payment (a s (1 − h̄) σ² < μ) and narrows it beyond (a percentage so risky that less of
    # it is worth more to the writers).
    h1 = case["haircut_writers"]
    h2 = min(0.95, h1 + step)
    assume(h2 > h1)
    mean, sd, a, s = (
        case["revenue"]["mean"],
        case["revenue"]["sd"],
        case["risk_aversion"],
        case["share"],
    )
    slope = mean - a * s * (1 - (h1 + h2) / 2) * sd * sd
    change = flat_vs_percentage(**{**case, "haircut_writers": h2}).surplus - (
        flat_vs_percentage(**case).surplus
    )
    assert change == pytest.approx(s * (h2 - h1) * slope, rel=1e-8, abs=1e-10 * s * mean)
    if abs(slope) > 1e-6 * mean:
        assert (change > 0) == (slope > 0)


@given(lognormal_cases("crra"), st.floats(0.01, 0.5))
def test_more_distrust_always_widens_the_interval_under_crra(case, step):
    # JKB: CE_W is linear in (1 − h_W), so a larger writers' haircut always lowers it.
    higher = {**case, "haircut_writers": min(0.95, case["haircut_writers"] + step)}
    assume(higher["haircut_writers"] > case["haircut_writers"])
    assert flat_vs_percentage(**higher).surplus > flat_vs_percentage(**case).surplus


def risk_unit(case):
    """A natural unit of risk aversion: 1/(k σ) for CARA–normal, 1/(k E[R]) for CARA–lognormal."""
    k = case["share"] * (1 - case["haircut_writers"])
    if "sd" in case["revenue"]:
        return 1 / (k * case["revenue"]["sd"])
    if case["utility"] == "cara":
        return 1 / (k * math.exp(case["revenue"]["log_mean"] + case["revenue"]["log_sd"] ** 2 / 2))
    return 1.0


@given(any_case(), st.floats(0.05, 2.0))
def test_the_interval_widens_with_risk_aversion(case, step):
    # Pratt (1964): more risk aversion, larger premium, smaller CE_W.
    more = {**case, "risk_aversion": case["risk_aversion"] + step * risk_unit(case)}
    low, high = flat_vs_percentage(**case), flat_vs_percentage(**more)
    assert high.surplus > low.surplus
    assert high.risk_premium > low.risk_premium
    assert high.studios_flat_rate == low.studios_flat_rate


def nash_product_maximiser(low, high, w, utility=None, risk=0.0):
    """Maximise w ln(u(F) − u(low)) + (1 − w) ln(high − F) by minimize_scalar.

    F = low + t (high − low) with t in (0, 1); u(F) − u(low) is written for each utility
    as a positive multiple of the difference of u(x) = x, −e^{−ax}, ln x or x^{1−γ}/(1−γ).
    """
    width = high - low

    def gain(t):
        x = t * width
        if utility is None or risk == 0:
            return x
        if utility == "cara":
            return -math.expm1(-risk * x)
        if risk == 1:
            return math.log1p(x / low)
        return math.expm1((1 - risk) * math.log1p(x / low)) / (1 - risk)

    def minus(t):
        return -(w * math.log(gain(t)) + (1 - w) * math.log((1 - t) * width))

    best = minimize_scalar(
        minus, bounds=(1e-12, 1 - 1e-12), method="bounded", options={"xatol": 1e-12}
    )
    return low + best.x * width


@given(any_case(), st.floats(0.05, 0.95))
def test_the_nash_flat_rate_maximises_the_nash_product(case, w):
    # Nash (1950) with powers (Muthoo 1999, §2.2–2.3): linear payoffs give the power-weighted
    # point; with the writers' vNM utility the maximiser is found here by minimize_scalar.
    deal = flat_vs_percentage(**case, powers={"writers": w, "studios": 1 - w})
    assume(deal.surplus > 1e-6 * deal.studios_flat_rate)
    low, high = deal.interval
    assert deal.powers == pytest.approx({"writers": w, "studios": 1 - w}, rel=1e-15)
    assert deal.nash_flat_rate == pytest.approx(low + w * (high - low), rel=1e-14)
    assert nash_product_maximiser(low, high, w) == pytest.approx(
        deal.nash_flat_rate, abs=1e-6 * (high - low)
    )
    if case.get("utility") == "crra" and low < 1e-8 * high:
        return  # u(CE_W) far below u(F): the product is too flat to maximise numerically
    vnm = nash_product_maximiser(low, high, w, case.get("utility", "cara"), case["risk_aversion"])
    assert deal.nash_flat_rate_vnm == pytest.approx(vnm, abs=1e-6 * (high - low))


@given(any_case(), st.floats(0.05, 0.9), st.floats(0.01, 0.09))
def test_the_nash_flat_rate_is_monotone_in_the_powers(case, w, step):
    weak = flat_vs_percentage(**case, powers={"writers": w, "studios": 1 - w})
    assume(weak.surplus > 1e-6 * weak.studios_flat_rate)
    strong = flat_vs_percentage(**case, powers={"writers": w + step, "studios": 1 - w - step})
    assert strong.nash_flat_rate > weak.nash_flat_rate
    assert strong.nash_flat_rate_vnm > weak.nash_flat_rate_vnm
    # Only the ratio of the powers matters.
    scaled = flat_vs_percentage(**case, powers={"writers": 7 * w, "studios": 7 * (1 - w)})
    assert scaled.nash_flat_rate == pytest.approx(weak.nash_flat_rate, rel=1e-14)


def test_risk_aversion_costs_the_writers_in_the_vnm_nash_split():
    # KRS: over riskless outcomes (a flat rate), the more risk-averse writers get less under
    # Nash's solution with vNM utilities; at a → 0 the split is the money-metric one.
    base = {**EXAMPLE, "risk_aversion": 0.0}
    money = flat_vs_percentage(**base).nash_flat_rate
    # Hold the interval fixed (a sure revenue: CE_W does not depend on a).
    sure = {**base, "revenue": {"mean": 1000.0, "sd": 0.0}}
    shares = [
        flat_vs_percentage(**{**sure, "risk_aversion": a}).nash_flat_rate_vnm
        for a in (0.0, 1e-9, 0.1, 1.0, 10.0)
    ]
    assert shares[0] == flat_vs_percentage(**sure).nash_flat_rate
    assert shares[1] == pytest.approx(shares[0], rel=1e-9)
    assert shares[1] > shares[2] > shares[3] > shares[4] > 14.0
    assert money == flat_vs_percentage(**base).nash_flat_rate_vnm


@given(any_case())
def test_the_equivalences_invert_each_other(case):
    deal = flat_vs_percentage(**case)
    s = case["share"]
    setting = {key: value for key, value in case.items() if key != "share"}
    back = equivalent_percentage(deal.studios_flat_rate, **setting)
    assert back.studios == pytest.approx(s, rel=1e-12)
    increasing = True
    if "mean" in case["revenue"]:  # CARA–normal: CE_W rises with s while a k σ² < μ
        k = s * (1 - case["haircut_writers"])
        increasing = (
            case["risk_aversion"] * k * case["revenue"]["sd"] ** 2 < case["revenue"]["mean"]
        )
    if deal.writers_flat_rate > 0:
        back = equivalent_percentage(deal.writers_flat_rate, **setting)
        if increasing:
            assert back.writers == pytest.approx(s, rel=1e-9)
        else:  # the smaller root: a smaller share worth as much
            assert back.writers <= s * (1 + 1e-12)
            again = flat_vs_percentage(**{**case, "share": back.writers})
            assert again.writers_flat_rate == pytest.approx(deal.writers_flat_rate, rel=1e-9)
    # And the other way round: the flat rate of the equivalent share is the flat rate.
    flat = deal.studios_flat_rate
    shares = equivalent_percentage(flat, **setting)
    if shares.writers is not None and 0 < shares.writers <= 1:
        again = flat_vs_percentage(**{**case, "share": shares.writers})
        assert again.writers_flat_rate == pytest.approx(flat, rel=1e-9)


@given(st.one_of(normal_cases(), lognormal_cases("crra")), st.floats(0.05, 3))
def test_numeric_inverse_matches_the_closed_form(case, fraction):
    setting = {key: value for key, value in case.items() if key != "share"}
    flat = fraction * flat_vs_percentage(**case).studios_flat_rate
    closed = equivalent_percentage(flat, **setting)
    numeric = equivalent_percentage(flat, **setting, method="quad")
    assert numeric.studios == pytest.approx(closed.studios, rel=1e-10)
    if closed.writers is None:
        assert numeric.writers is None
    else:
        assert numeric.writers == pytest.approx(closed.writers, rel=1e-8)


def test_cara_normal_inverse_beyond_the_largest_certainty_equivalent():
    # CE_W(s) = k μ − (a/2) k² σ² is at most μ²/(2aσ²) = 1000² / (2 · 0.05 · 400²) = 62.5.
    setting = {key: value for key, value in EXAMPLE.items() if key != "share"}
    assert equivalent_percentage(62.5, **setting).writers == pytest.approx(
        1000 / (0.05 * 400**2) / 0.7, rel=1e-12
    )
    assert equivalent_percentage(62.6, **setting).writers is None
    assert equivalent_percentage(62.6, **setting, method="quad").writers is None
    assert equivalent_percentage(0.0, **setting).writers == 0.0
    deal = flat_vs_percentage(**EXAMPLE)
    assert deal.equivalent_percentage(deal.writers_flat_rate).writers == pytest.approx(0.02)


# -- the region -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "setting",
    [
        {"revenue": {"mean": 100.0, "sd": 30.0}},
        {"revenue": {"log_mean": 4.0, "log_sd": 0.4}, **CRRA},
        {"revenue": {"log_mean": 4.0, "log_sd": 0.4}, **CARA_LOG},
    ],
)
def test_region_matches_the_pointwise_comparison(setting):
    gaps = np.linspace(-0.2, 0.3, 6)[:, None]
    risks = np.array([0.0, 0.02, 0.5, 2.0])[None, :]
    region = flat_rate_region(gaps, risks, share=0.1, haircut_studios=0.2, **setting)
    assert region.surplus.shape == region.mutual_gain.shape == (6, 4)
    np.testing.assert_allclose(region.haircut_writers, 0.2 + np.broadcast_to(gaps, (6, 4)))
    for i, j in np.ndindex(6, 4):
        deal = flat_vs_percentage(
            0.1,
            haircut_writers=0.2 + gaps[i, 0],
            haircut_studios=0.2,
            risk_aversion=risks[0, j],
            **setting,
        )
        assert region.surplus[i, j] == pytest.approx(deal.surplus, rel=1e-12, abs=1e-12)
        assert region.writers_flat_rate[i, j] == pytest.approx(deal.writers_flat_rate, rel=1e-12)
        assert region.mutual_gain[i, j] == deal.mutual_gain
    numeric = flat_rate_region(
        gaps, risks, share=0.1, haircut_studios=0.2, method="quad", **setting
    )
    np.testing.assert_allclose(numeric.surplus, region.surplus, rtol=1e-8, atol=1e-10)


@given(
    st.floats(0.0, 0.6),
    st.floats(-0.6, 0.3),
    st.floats(0.0, 3.0),
    st.floats(0.1, 0.6),
)
def test_region_boundary_is_the_critical_risk_aversion(h_a, gap, risk, cv):
    # CARA–normal: surplus > 0 iff a > a* = 2 μ (h_A − h_W) / (s (1 − h_W)² σ²) (negative when
    # the writers distrust: any a >= 0 then gains, a = 0 included iff the gap is positive).
    # CRRA–lognormal: q_A e^{v²/2} > q_W e^{(1−γ) v²/2} iff γ > γ* = 2 ln(q_W / q_A) / v².
    h_w = h_a + gap
    assume(0 <= h_w < 1)
    s, mean = 0.05, 200.0
    sd = cv * mean
    region = flat_rate_region(
        gap, risk, share=s, revenue={"mean": mean, "sd": sd}, haircut_studios=h_a
    )
    critical = 2 * mean * (h_a - h_w) / (s * (1 - h_w) ** 2 * sd**2)
    if abs(risk - critical) > 1e-9 * (1 + abs(critical)):
        assert bool(region.mutual_gain) == (risk > critical)
    revenue = lognormal_revenue(mean, sd)
    v = revenue["log_sd"]
    region = flat_rate_region(gap, risk, share=s, revenue=revenue, haircut_studios=h_a, **CRRA)
    critical = 2 * math.log((1 - h_w) / (1 - h_a)) / v**2
    if abs(risk - critical) > 1e-9 * (1 + abs(critical)):
        assert bool(region.mutual_gain) == (risk > critical)


def test_region_with_scalars_and_bad_grids():
    region = flat_rate_region(0.1, 0.0, share=0.1, revenue={"mean": 100.0, "sd": 30.0})
    assert region.surplus.shape == ()
    assert float(region.surplus) == pytest.approx(1.0)
    with pytest.raises(bargain.ModelError, match=r"haircut_gap: the writers' haircut"):
        flat_rate_region(
            [-0.3, 0.1], 0.0, share=0.1, revenue={"mean": 100.0, "sd": 30.0}, haircut_studios=0.2
        )
    with pytest.raises(bargain.ModelError, match=r"haircut_gap: the writers' haircut"):
        flat_rate_region(
            0.8, 0.0, share=0.1, revenue={"mean": 100.0, "sd": 30.0}, haircut_studios=0.2
        )
    with pytest.raises(bargain.ModelError, match=r"risk_aversion: must be finite"):
        flat_rate_region(0.1, [0.1, math.nan], share=0.1, revenue={"mean": 100.0, "sd": 30.0})
    with pytest.raises(bargain.ModelError, match=r"risk_aversion: must be non-negative"):
        flat_rate_region(0.1, [-0.1], share=0.1, revenue={"mean": 100.0, "sd": 30.0})
    with pytest.raises(bargain.ModelError, match=r"haircut_gap: must be a number or an array"):
        flat_rate_region("wide", 0.1, share=0.1, revenue={"mean": 100.0, "sd": 30.0})


# -- the WGA calibration (docs/contract.md) ---------------------------------------------------


def test_wga_calibration_numbers():
    # Online movies about $20M in 2006, downloads $1.8B by 2011 (est.) (LA Times, Nov 19 2007,
    # https://www.latimes.com/archives/blogs/show-tracker/story/2007-11-19/digital-media-wont-be-a-sideshow-in-the-future);
    # the contract's three years 2008–2010 by constant growth 90^(1/5) a year.
    growth = 90 ** (1 / 5)
    mean = sum(20 * growth**k for k in (2, 3, 4))
    assert mean == pytest.approx(121.0 + 297.6 + 731.9, abs=0.15)
    assert mean == pytest.approx(1150.40, abs=0.01)
    revenue = lognormal_revenue(mean, 0.5 * mean)
    narrow = flat_vs_percentage(
        0.012, revenue=revenue, haircut_writers=0.3, haircut_studios=0.1, risk_aversion=2.0, **CRRA
    )
    # JKB: CE_W = s (1 − h_W) E[R] e^{−γ v²/2}, e^{v²} = 1.25: CE_W = 0.0084 · mean / 1.25.
    assert narrow.writers_flat_rate == pytest.approx(0.0084 * mean / 1.25, rel=1e-12)
    assert narrow.studios_flat_rate == pytest.approx(0.0108 * mean, rel=1e-12)
    a = 2 / (3 * (1051.32 + 260))
    broad = flat_vs_percentage(
        0.012,
        revenue={"mean": mean, "sd": 0.5 * mean},
        haircut_writers=0.3,
        haircut_studios=0.1,
        risk_aversion=a,
    )
    assert broad.risk_premium == pytest.approx(a / 2 * (0.0084 * 0.5 * mean) ** 2, rel=1e-12)
    assert broad.haircut_value == pytest.approx(0.0024 * mean, rel=1e-12)


# -- refusals -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"share": 0.0}, r"share: must be a share of reported revenue in \(0, 1\]"),
        ({"share": 1.5}, r"share: must be a share"),
        ({"share": math.nan}, r"share: must be a finite number"),
        ({"share": "1%"}, r"share: must be a number, got '1%'"),
        ({"share": True}, r"share: must be a number"),
        ({"haircut_writers": 1.0}, r"haircut_writers: must be a haircut in \[0, 1\)"),
        ({"haircut_studios": -0.1}, r"haircut_studios: must be a haircut in \[0, 1\)"),
        ({"risk_aversion": -1.0}, r"risk_aversion: must be non-negative"),
        ({"risk_aversion": math.inf}, r"risk_aversion: must be a finite number"),
        ({"revenue": {"mean": 0.0, "sd": 1.0}}, r"revenue\.mean: the expected revenue must be"),
        ({"revenue": {"mean": 10.0, "sd": -1.0}}, r"revenue\.sd: must be non-negative"),
        ({"revenue": {"mean": 10.0}}, r"revenue\.sd: missing; a normal revenue takes mean and sd"),
        (
            {"revenue": {"mean": 10.0, "sd": 1.0, "log_sd": 1.0}},
            r"revenue\.log_sd: unknown key 'log_sd'; a normal revenue takes mean and sd",
        ),
        ({"revenue": [10.0, 1.0]}, r"revenue: must map names to numbers"),
        (
            {"revenue": {"mean": 10.0, "sd": 1.0}, "distribution": "lognormal"},
            r"revenue\.mean: unknown key 'mean'; a lognormal revenue takes log_mean and log_sd",
        ),
        ({"utility": "crra"}, r"distribution: CRRA utility is defined for positive payments"),
        ({"utility": "log"}, r"utility: must be one of 'cara', 'crra', got 'log'"),
        ({"distribution": "gamma"}, r"distribution: must be one of 'normal', 'lognormal'"),
        ({"method": "mc"}, r"method: must be one of 'auto', 'closed-form', 'quad'"),
        (
            {
                "revenue": {"log_mean": 1.0, "log_sd": 1.0},
                "distribution": "lognormal",
                "method": "closed-form",
            },
            r"method: there is no closed form for CARA utility with a lognormal revenue",
        ),
        ({"powers": {"writers": 1.0}}, r"powers\.studios: missing; give both parties a power"),
        ({"powers": {"writers": 1.0, "studios": 0.0}}, r"powers\.studios: a bargaining power must"),
        ({"powers": {"writers": 1.0, "AMPTP": 1.0}}, r"powers\.AMPTP: unknown party 'AMPTP'"),
        ({"powers": [1, 1]}, r"powers: must map writers and studios"),
        ({"revenue": {"mean": 1e200, "sd": 1e200}}, r"revenue: the certainty equivalent overflows"),
        (
            {"revenue": {"log_mean": 800.0, "log_sd": 1.0}, **CRRA},
            r"revenue: the expected revenue overflows",
        ),
    ],
)
def test_bad_input_is_refused(change, match):
    kwargs = EXAMPLE | change
    with pytest.raises(bargain.ModelError, match=match):
        flat_vs_percentage(**kwargs)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (
            lambda: equivalent_percentage(-1.0, revenue={"mean": 10.0, "sd": 1.0}),
            r"flat_rate: a flat",
        ),
        (
            lambda: equivalent_percentage(math.nan, revenue={"mean": 10.0, "sd": 1.0}),
            r"flat_rate: must",
        ),
        (lambda: certainty_equivalent(-0.1, revenue={"mean": 10.0, "sd": 1.0}), r"scale: must be"),
        (lambda: lognormal_revenue(0.0, 1.0), r"mean: must be positive"),
        (lambda: lognormal_revenue(1.0, -1.0), r"sd: must be non-negative"),
        (
            lambda: certainty_equivalent(
                1.0, revenue={"log_mean": 1.0, "log_sd": 40.0}, risk_aversion=1.0, **CARA_LOG
            ),
            r"revenue: the payment overflows",
        ),
    ],
)
def test_other_entry_points_refuse_bad_input(call, match):
    with pytest.raises(bargain.ModelError, match=match):
        call()


def test_a_sure_revenue_and_edge_values():
    # σ = 0: no risk, so the surplus is the haircut gap's value alone.
    deal = flat_vs_percentage(
        0.5,
        revenue={"mean": 10.0, "sd": 0.0},
        haircut_writers=0.2,
        risk_aversion=5.0,
        method="quad",
    )
    assert (deal.writers_flat_rate, deal.risk_premium) == (4.0, 0.0)
    assert deal.surplus == pytest.approx(1.0)
    # A share of 1 and haircuts of 0 are allowed; a studios' haircut above the writers'
    # can leave no interval.
    assert flat_vs_percentage(1.0, revenue={"mean": 10.0, "sd": 1.0}).interval is not None
    none = flat_vs_percentage(0.5, revenue={"mean": 10.0, "sd": 1.0}, haircut_studios=0.5)
    assert none.interval is None and none.nash_flat_rate is None and not none.mutual_gain
    # Log utility and γ = 1 ± tiny agree (the closed form and quad are continuous at γ = 1).
    revenue = {"log_mean": 0.5, "log_sd": 0.8}
    at_one = certainty_equivalent(1.0, revenue=revenue, risk_aversion=1.0, method="quad", **CRRA)
    for gamma in (1 - 1e-9, 1 + 1e-9):
        near = certainty_equivalent(
            1.0, revenue=revenue, risk_aversion=gamma, method="quad", **CRRA
        )
        assert near == pytest.approx(at_one, rel=1e-8)
