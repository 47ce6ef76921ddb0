"""The producers as a coalition (bargain/cases/coalition.py, issue 18): the tables' numbers
against the closed form of the Nash solution with payoffs linear in the flat payment F.

With the coalition as one player the writers' payoff is F with disagreement d_W = -w T
(w their weekly strike cost, T the weeks to June 30), the coalition's -F with disagreement
D = -a T (a the producers' weekly cost); the Nash solution splits the surplus -d_W - D
equally (Osborne & Rubinstein 1990, §2.2), so F* = (a T - w T)/2. Alone, group i faces the
writers' cost c_i w T, bears c_i a T and pays sigma_i F, so sigma_i F_i = c_i F*: it pays
c_i F* alone and sigma_i F* inside, a gain of (sigma_i - c_i) F* from breaking ranks.
"""

from __future__ import annotations

import math

import pytest

from bargain.cases.coalition import VETO_STRIKE_SHARES, model, report, rules_table, strike_table

WEEK = 7
VALUES = {k: float(v) for k, v in model().values.items()}
T = VALUES["T_D"]
W_COST = VALUES["pay_W"] * WEEK / 365 * T
A_COST = VALUES["m_A"] * VALUES["prod_A"] * WEEK * T
F_STAR = (A_COST - W_COST) / 2
SIGMA = {"S": VALUES["sigma_S"], "N": VALUES["sigma_N"]}
SIGMA["B"] = 1 - SIGMA["S"] - SIGMA["N"]
C = {"S": VALUES["c_S"], "N": VALUES["c_N"]}
C["B"] = 1 - C["S"] - C["N"]


def test_flat_payment_with_the_coalition_as_one():
    r = report("unanimity")
    assert r.joint.agreement["F"] == pytest.approx(F_STAR, rel=1e-9)
    assert not r.binds


@pytest.mark.parametrize("group", ["S", "N", "B"])
def test_each_group_alone_and_its_gain_from_breaking_ranks(group):
    member = {m.name: m for m in report("unanimity").members}[group]
    assert member.alone.agreement["F"] == pytest.approx(C[group] * F_STAR / SIGMA[group], rel=1e-9)
    assert member.alone_payoff == pytest.approx(-C[group] * F_STAR, rel=1e-9)
    assert member.gain == pytest.approx((SIGMA[group] - C[group]) * F_STAR, rel=1e-8)
    assert member.leaves == (SIGMA[group] > C[group])


@pytest.mark.parametrize("c_S", VETO_STRIKE_SHARES)
def test_film_studios_veto_binds_below_the_derived_share(c_S):
    """The veto of S binds when its threshold c_S D / sigma_S = -c_S a T / sigma_S exceeds
    the coalition's Nash payoff -F*, i.e. c_S < sigma_S F* / (a T); then F = c_S a T / sigma_S."""
    r = report("veto", "S", c_S)
    binds = c_S < SIGMA["S"] * F_STAR / A_COST
    assert r.binds == binds
    expected = c_S * A_COST / SIGMA["S"] if binds else F_STAR
    assert r.joint.agreement["F"] == pytest.approx(expected, rel=1e-8)


def test_rules_table_lists_every_rule():
    text = rules_table()
    for label in ("| unanimity |", "| majority |", "| veto: N |", "| veto: S, with c_S = 0.02 |"):
        assert label in text


# --- tables/wga2007-coalition-strike.md: the rule under alternating offers and in the strike.
# Per dollar of stake group i's week of strike costs kappa_i = c_i a / sigma_i + r (lose - d_i /
# sigma_i) (a the producers' weekly cost, r their weekly discount rate, lose = -offer_W what the
# coalition pays if it concedes, d_i = -c_i a T): the pivot of the war is the group with the least
# kappa under unanimity, the median of three under a majority, the tougher of the veto group and
# the median under a veto (docs/coalitions.md). In the alternating-offers game a group's stand-in
# proposals are Osborne & Rubinstein's (1990, ch. 3) with strike costs and breakdown risk q:
# x_W = (-a_C + beta_C a_W) / (1 - beta_W beta_C), x_C = a_W + beta_W x_W, where
# a = (strike per round + q d) per dollar of stake and beta = (1 - q) delta; when x_C < 0 the
# producers offer F = 0 and x_W = -a_C.

STRIKE_ROWS = [
    ("unanimity", None, None),
    ("majority", None, None),
    ("veto", "S", None),
    ("veto", "N", None),
    ("veto", "B", None),
    *(("veto", "S", c) for c in VETO_STRIKE_SHARES[1:]),
]


def _by_hand(values, rule, veto):
    """The pivot over 'how long each is willing to wait' (higher: tougher), three equal votes."""
    order = sorted(values, key=values.get)
    median = order[1]
    if rule == "unanimity":
        return order[-1]
    return median if rule == "majority" else max((median, veto), key=values.get)


def _responder(weekly, d, rate, share, q):
    delta = math.exp(-rate)
    return (-weekly * (1 - delta) / rate + q * d) / share, (1 - q) * delta


@pytest.mark.parametrize(("rule", "veto", "c_S"), STRIKE_ROWS)
def test_strike_table_pivots_and_flat_payments(rule, veto, c_S):
    c = dict(C)
    if c_S is not None:
        c["S"], c["B"] = c_S, 1 - c_S - c["N"]
    a = A_COST / T
    r_a, r_w, q = VALUES["rho_A"] * WEEK / 365, VALUES["rho_W"] * WEEK / 365, VALUES["q"]
    lose = -VALUES["offer_W"]
    kappa = {g: c[g] * a / SIGMA[g] + r_a * (lose + c[g] * a * T / SIGMA[g]) for g in c}
    r = report(rule, veto, c_S)
    assert r.strike.pivot == _by_hand({g: -k for g, k in kappa.items()}, rule, veto)
    assert r.strike.costs == pytest.approx(kappa, rel=1e-12)
    a_w, b_w = _responder(W_COST / T, -W_COST, r_w, 1.0, q)
    x_w = {}
    for g in c:
        a_c, b_c = _responder(c[g] * a, -c[g] * A_COST, r_a, SIGMA[g], q)
        x = (-a_c + b_c * a_w) / (1 - b_w * b_c)
        x_w[g] = x if a_w + b_w * x >= 0 else -a_c
    assert r.game.pivot == _by_hand({g: -x for g, x in x_w.items()}, rule, veto)
    assert r.game.solution.agreement["F"] == pytest.approx(x_w[r.game.pivot], rel=1e-9)


def test_strike_table_lists_every_rule():
    text = strike_table()
    assert text.count("\n| ") == 1 + len(STRIKE_ROWS)
    for label in ("| unanimity | N |", "| majority | S |", "| veto: N | N |", "| veto: B | S |"):
        assert label in text
