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

import pytest

from bargain.cases.coalition import VETO_STRIKE_SHARES, model, report, rules_table

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
