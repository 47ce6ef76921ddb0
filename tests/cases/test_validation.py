"""The validation cases: every textbook case passes, and the published values are not ours.

The published values in ``bargain.cases.validation`` are the sources' closed forms
evaluated with sympy. The second half of this file recomputes several of them
by independent numeric routes (scipy root finding, minimisation, quadrature)
written here, without the package's solvers, so a wrong closed form in a case
cannot hide behind a solver that makes the same mistake.
"""

from __future__ import annotations

import math

import pytest
from scipy import stats
from scipy.optimize import brentq, minimize_scalar

import bargain
from bargain.cases.validation import CASES, CASES_BY_ID, run_case, validation_table
from tests.conftest import DOCS_GROUP

pytestmark = DOCS_GROUP

# -- every case passes -----------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_case_passes(case):
    row = run_case(case)
    assert math.isfinite(row.computed)
    assert row.error <= case.tolerance, (
        f"{case.what}: published {row.published!r}, computed {row.computed!r}, "
        f"error {row.error:.3g} > tolerance {case.tolerance:g}"
    )
    assert row.passed


def test_case_ids_are_unique_and_sourced():
    assert len(CASES_BY_ID) == len(CASES)
    for case in CASES:
        assert case.source and case.formula and case.call
        assert 0 < case.tolerance <= 1e-4


def test_table_shows_every_case_passing():
    table = validation_table()
    assert f"{len(CASES)} of {len(CASES)} textbook cases pass" in table
    assert "FAIL" not in table
    assert table.count("| pass (≤ ") == len(CASES)


def test_a_failing_case_is_reported_as_failing():
    case = CASES_BY_ID["rubinstein-1982"]
    wrong = type(case)(**{**case.__dict__, "published": lambda v: v["V"] / 2})
    row = run_case(wrong)
    assert not row.passed and row.error == pytest.approx(5 / 7 - 1 / 2)


NEW_MODELS = ("breakdown", "fixed_costs", "outside_option", "rates", "wages")


@pytest.mark.parametrize("name", sorted(p.stem for p in bargain.models_dir().glob("*.toml")))
def test_shipped_model_parameters_are_described(name):
    model = bargain.load_model(bargain.models_dir() / f"{name}.toml")
    assert all(p.description for p in model.parameters)
    if name in NEW_MODELS:
        assert all(p.source for p in model.parameters)


# -- independent routes to the published values ---------------------------------------------


def published(case_id: str) -> float:
    return run_case(CASES_BY_ID[case_id]).published


def test_rubinstein_share_by_root_finding():
    # The stationary SPE: W proposes x, A proposes y; A accepts 1 - x = delta_A (1 - y) and
    # W accepts y = delta_W x. Solve for x with brentq.
    d_w, d_a = 0.9, 0.8
    x = brentq(lambda x: (1 - x) - d_a * (1 - d_w * x), 0, 1, xtol=1e-15)
    assert published("rubinstein-1982") == pytest.approx(x, abs=1e-12)


def argmax(f, lo=1e-9, hi=1 - 1e-9):
    """The maximiser of a smooth concave f on (lo, hi): bounded search, then a root of the
    central-difference derivative (brentq) to sharpen it past the search's sqrt(eps) floor."""
    x = minimize_scalar(lambda x: -f(x), bounds=(lo, hi), method="bounded").x
    h = 1e-6

    def slope(t):
        return (f(t + h) - f(t - h)) / (2 * h)

    return brentq(slope, max(lo + h, x - 1e-3), min(hi - h, x + 1e-3), xtol=1e-14)


def test_nash_and_kalai_smorodinsky_on_the_concave_frontier_numerically():
    nash = argmax(lambda x: math.log(x) + 0.5 * math.log(1 - x))
    assert published("nash-concave") == pytest.approx(nash, abs=1e-8)
    ks = brentq(lambda x: x - math.sqrt(1 - x), 0, 1, xtol=1e-15)
    assert published("ks-concave") == pytest.approx(ks, abs=1e-12)
    utilitarian = argmax(lambda x: x + math.sqrt(1 - x))
    assert published("utilitarian-concave") == pytest.approx(utilitarian, abs=1e-8)


def test_brw_limit_is_the_generalised_nash_maximiser():
    # Maximise x**(r_A/(r_W + r_A)) (1 - x)**(r_W/(r_W + r_A)) numerically.
    r_w, r_a = 0.1, 0.05
    a, b = r_a / (r_w + r_a), r_w / (r_w + r_a)
    x = argmax(lambda x: a * math.log(x) + b * math.log(1 - x))
    assert published("brw-limit") == pytest.approx(x, abs=1e-8)
    # At Δ = 0.001 the equilibrium share is (1 - e^{-r_A Δ})/(1 - e^{-(r_W + r_A) Δ}).
    dt = 0.001
    at_dt = -math.expm1(-r_a * dt) / -math.expm1(-(r_w + r_a) * dt)
    assert run_case(CASES_BY_ID["brw-limit"]).computed == pytest.approx(at_dt, abs=1e-12)


def test_finite_horizon_by_backward_induction():
    # T = 5 rounds, the last proposer takes all; each earlier proposer offers the responder
    # delta times what it would get as the next proposer.
    delta, share = 0.9, 1.0
    for _ in range(4):
        share = 1 - delta * share
    assert published("finite-horizon") == pytest.approx(share, abs=1e-15)


def test_breakdown_risk_by_root_finding():
    q = 0.2
    x = brentq(lambda x: (1 - x) - (1 - q) * x, 0, 1, xtol=1e-15)  # A accepts (1 - q) x
    assert published("breakdown-risk") == pytest.approx(x, abs=1e-12)


def test_trust_posterior_by_enumeration():
    p, e = 0.8, 0.1
    honest_breaks, opportunist_breaks = p * e, (1 - p) * 1.0
    expected = honest_breaks / (honest_breaks + opportunist_breaks)
    assert published("trust-posterior") == pytest.approx(expected, abs=1e-15)


def test_cara_certainty_equivalent_by_scipy_quadrature():
    s, mu, sigma, h, a = 0.02, 1000.0, 400.0, 0.3, 0.05
    k = s * (1 - h)
    expected_utility = stats.norm(mu, sigma).expect(lambda r: -math.exp(-a * k * r))
    ce = -math.log(-expected_utility) / a
    assert published("cara-normal") == pytest.approx(ce, abs=1e-8)


def test_abreu_gul_rate_leaves_the_opponent_indifferent():
    # Hendricks, Weiss & Wilson (1988): A is indifferent to waiting iff W's hazard times A's
    # gain from W conceding (a_A - (1 - a_W)) equals A's flow cost r_A (1 - a_W).
    a_w, a_a, r_a = 0.7, 0.6, 0.05
    lam = published("abreu-gul-W")
    assert lam * (a_a - (1 - a_w)) == pytest.approx(r_a * (1 - a_w), abs=1e-15)
