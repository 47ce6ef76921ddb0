"""The flagship's implied parameters and uncertainty tables (issue 17): the implied loss
reproduces each offer, the gap between the two proposals is the sum of its parts (the writers'
indifference condition, checked against the solver), and a surviving conclusion never
contradicts the interval of the number it is about."""

from __future__ import annotations

import functools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import bargain
from bargain.cases import wga2007 as flagship
from tests.conftest import DOCS_GROUP

pytestmark = DOCS_GROUP


def test_each_implied_loss_makes_the_nash_flat_rate_the_offer() -> None:
    m = flagship.model()
    for (label, c), key in zip(flagship._implied(), flagship.OFFERS.values(), strict=True):
        assert c.exact and c.unique, label
        m_a = c.values["m_A"]
        assert 0.05 <= m_a <= 0.5
        flat = bargain.nash(m.with_values(m_A=m_a), exact=False).agreement["F"]
        assert flat == pytest.approx(float(m.values[key]), rel=1e-9)


@pytest.mark.parametrize("where", ["values", "low corner"])
def test_the_gap_between_the_proposals_is_the_sum_of_its_parts(where: str) -> None:
    """Rubinstein (1982), with strike flows and breakdown risk (Muthoo 1999, ch. 4): in the
    stationary equilibrium the writers are indifferent between the AMPTP's proposal and
    rejecting it, u_W(x_A) = s_W + q d_W + (1 - q) δ_W u_W(x_W), so with u_W = F + g_W and
    d_W = -c_W T_D the gap F_W - F_A is c_W (1 - δ_W)/r_W + q c_W T_D + (1 - (1 - q) δ_W)
    (F_W + g_W). The solver finds both proposals numerically; the identity is algebra."""
    m = flagship.model()
    values = {k: float(v) for k, v in m.values.items()}
    at = values if where == "values" else {**values, **flagship._low_corner()}
    a, w = flagship._proposals(**{k: at[k] for k in ("q", "rho_W", "rho_A")})
    f_w = w.agreement["F"]
    parts = flagship._gap_terms(at, f_w, w.payoffs["W"] - f_w)
    assert sum(parts) == pytest.approx(f_w - a.agreement["F"], rel=1e-9)
    assert all(p > 0 for p in parts)


def test_the_implied_breakdown_risk_gives_the_observed_gap() -> None:
    m = flagship.model()
    values = {k: float(v) for k, v in m.values.items()}
    w = flagship._proposals(**{k: values[k] for k in ("q", "rho_W", "rho_A")})[1]
    g_w = w.payoffs["W"] - w.agreement["F"]
    q = flagship._implied_breakdown(values, g_w)
    parts = flagship._gap_terms({**values, "q": q}, float(m.values["offer_W"]), g_w)
    assert sum(parts) == pytest.approx(float(m.values["offer_W"] - m.values["offer_A"]), rel=1e-12)
    assert 0 < q < float(m.parameter("q").range[0])  # what the two-offer table reports


@settings(max_examples=50)
@given(
    values=st.lists(st.floats(-10, 10), min_size=2, max_size=60),
    bound=st.floats(-10, 10),
)
def test_a_surviving_claim_never_contradicts_the_interval(
    values: list[float], bound: float
) -> None:
    """'x > bound' survives only if the 5% quantile (numpy's default) is above the bound, and
    is reversed only if the 95% quantile is at or below it."""
    x = np.array(values)
    held = int(np.sum(x > bound))
    v = flagship.verdict(held, len(x))
    if v == "survives":
        assert np.quantile(x, 0.05) > bound
    if v == "is reversed":
        assert np.quantile(x, 0.95) <= bound


def test_the_survival_list_is_counted_on_the_draws(monkeypatch: pytest.MonkeyPatch) -> None:
    """On a few draws (the docs use more): one line per conclusion, with its count and the
    verdict that count gives."""
    monkeypatch.setattr(flagship, "UNCERTAIN_DRAWS", 4)
    # A cache of its own: the docs build's (the docs group's worker) keeps its draws.
    monkeypatch.setattr(flagship, "_uncertain", functools.cache(flagship._uncertain.__wrapped__))
    text = flagship.survival_text()
    u = flagship._uncertain()
    lines = [line for line in text.splitlines() if line.startswith("- ")]
    assert len(lines) == len(flagship.conclusions())
    for line, (_, columns, test) in zip(lines, flagship.conclusions(), strict=True):
        rows = u.samples[list(columns)].dropna()
        held = sum(bool(test(*r)) for r in rows.itertuples(index=False))
        assert f"**{flagship.verdict(held, len(rows))}** (it holds in {held} of {len(rows)}" in line
