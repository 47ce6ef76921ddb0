"""The flagship model, models/wga2007.toml: sources, and its equilibria by independent routes."""

from __future__ import annotations

import math

import pytest
from scipy.optimize import minimize_scalar

import bargain

MODEL = bargain.load_model(bargain.models_dir() / "wga2007.toml")
V = {k: float(v) for k, v in MODEL.values.items()}


def test_every_parameter_is_sourced_or_called_an_assumption():
    for p in MODEL.parameters:
        text = p.source.lower()
        assert text, p.name
        assert "assumption" in text or "http" in text or "derived" in text or "article" in text, (
            p.name
        )


def _gains(e: float) -> tuple[float, float]:
    """The writers' certainty-equivalent gain and the producers' cost of EST rate e (%),
    written out by hand from the model's description (mean minus half a_W times variance)."""
    s = (V["cv_E"] * V["E_W"]) ** 2
    gain = (e - V["e0"]) / 100 * V["E_W"] * (1 - V["h_W"]) - V["a_W"] / 2 * (
        (e / 100) ** 2 - (V["e0"] / 100) ** 2
    ) * s
    cost = (e - V["e0"]) / 100 * V["phi_A"] * V["E_W"] * (1 - V["h_A"])
    return gain, cost


def _threats() -> tuple[float, float]:
    """Strike to the next focal date: weekly cost times weeks."""
    return (
        -V["pay_W"] * 7 / 365 * V["T_D"],
        -V["m_A"] * V["prod_A"] * 7 * V["T_D"],
    )


def test_nash_flat_rate_by_an_independent_route():
    # With transferable utility (payoffs linear in F with slopes +1 and -1) the Nash
    # solution picks the terms that maximise the joint surplus, then splits the gains
    # over the disagreement point equally (Nash 1950; Muthoo 1999, §2.5, TU case).
    # Route: maximise the joint surplus over e by scipy, with d at its lower bound
    # (every point of DVD rate costs the producers (1 - h_A) and is worth at most
    # (1 - h_W) < (1 - h_A) to the writers), then solve the equal-gains condition for F.
    best = minimize_scalar(
        lambda e: -(_gains(e)[0] - _gains(e)[1]),
        bounds=(V["e0"], V["e_max"]),
        method="bounded",
        options={"xatol": 1e-10},
    )
    gain, cost = _gains(best.x)
    d_w, d_a = _threats()
    # u_W - d_W = u_A - d_A with u_W = F + gain, u_A = -F - cost:
    flat = ((-cost - d_a) - (gain - d_w)) / 2
    s = bargain.nash(MODEL)
    assert s.agreement["e"] == pytest.approx(best.x, abs=1e-6)
    assert s.agreement["d"] == pytest.approx(V["d0"], abs=1e-9)
    assert s.agreement["F"] == pytest.approx(flat, rel=1e-8)
    # The closed form of the EST rate: where the writers' marginal certainty equivalent
    # equals the producers' marginal cost.
    e_star = (
        100
        * (V["E_W"] * (1 - V["h_W"]) - V["phi_A"] * V["E_W"] * (1 - V["h_A"]))
        / (V["a_W"] * (V["cv_E"] * V["E_W"]) ** 2)
    )
    assert s.agreement["e"] == pytest.approx(e_star, rel=1e-12)


def test_the_flat_rate_is_half_the_difference_in_strike_costs_to_the_deadline():
    # dF/dT_D = (s_A - s_W)/2: each week to the deadline shifts the Nash flat rate by half
    # the difference of the weekly strike costs.
    s_w = V["pay_W"] * 7 / 365
    s_a = V["m_A"] * V["prod_A"] * 7
    near = bargain.nash(MODEL.with_values(T_D=5.714)).agreement["F"]
    far = bargain.nash(MODEL).agreement["F"]
    assert (far - near) / (V["T_D"] - 5.714) == pytest.approx((s_a - s_w) / 2, rel=1e-9)


def test_the_broken_promise_drops_the_package_and_lowers_trust_by_bayes_rule():
    r = bargain.credibility(MODEL)
    p, err = V["p"], V["err"]
    assert r.after.trust == pytest.approx(p * err / (p * err + (1 - p)), rel=1e-12)
    assert r.before.package and not r.after.package
    # After the break the agreement is the plain Nash solution of the model.
    assert r.after.solution.agreement["F"] == pytest.approx(
        bargain.nash(MODEL).agreement["F"], rel=1e-9
    )
    assert r.cost["surplus_lost"] > 0 and r.after.expected_strike > r.before.expected_strike
    # The trust threshold: conceding pays iff p (1 - err) v >= c, v = v_mult c.
    assert r.trust_threshold == pytest.approx(1 / (V["v_mult"] * (1 - err)), rel=1e-9)
    assert math.isclose(r.before.keep_probability, p * (1 - err))
