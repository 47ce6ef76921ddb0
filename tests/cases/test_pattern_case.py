"""The pattern and channel tables (issue 18): their numbers against hand formulas.

With linear payoffs the pattern set by guild ``m`` is ``F = (E/H - d_m/h_m)/2``, where ``E`` is
the producers' strike cost summed over the three contracts, ``H`` the guilds' formulas summed,
and ``d_m`` the first guild's strike cost (derived in ``bargain.coalitions.pattern``); one by
one, guild ``i`` signs ``(e_i - d_i)/(2 h_i)``.
"""

from __future__ import annotations

import pytest

from bargain.cases import pattern as case


def costs() -> tuple[dict[str, float], dict[str, float], dict[str, float]]:
    """Each guild's formula ``h``, its members' strike cost ``d`` and the producers' ``e``."""
    v = {k: float(x) for k, x in case.model().values.items()}
    week = v["m_A"] * v["prod_A"] * 7 * v["T_D"]
    h = {"D": v["h_D"], "W": 1.0, "S": v["h_S"]}
    d = {g: v[f"pay_{g}"] * 7 / 365 * v["T_D"] for g in h}
    e = {"D": v["phi_D"] * week, "W": week, "S": v["phi_S"] * week}
    return h, d, e


@pytest.mark.parametrize("order", case.ORDERS, ids=["D", "W", "S"])
def test_pattern_by_hand(order: tuple[str, ...]) -> None:
    h, d, e = costs()
    first = order[0]
    expected = (sum(e.values()) / sum(h.values()) - d[first] / h[first]) / 2
    r = case.report(order)
    assert r.solution.agreement["F"] == pytest.approx(expected, rel=1e-7)
    alone = {m.name: m.alone_terms["F"] for m in r.members}
    assert alone == pytest.approx({g: (e[g] - d[g]) / (2 * h[g]) for g in h}, rel=1e-7)
    assert r.common_gain == pytest.approx(
        sum(h.values()) * (sum(alone[g] * h[g] for g in h) / sum(h.values()) - expected),
        rel=1e-7,
    )


def test_the_directors_pattern() -> None:
    """The historical order: F = 61.43, the producers gain 178.9 and the writers lose 102.7
    ($M over the contract); the writers alone sign the coalition model's 164.2."""
    r = case.report(("D", "W", "S"))
    gains = {m.name: m.gain for m in r.members}
    assert (r.solution.agreement["F"], r.common_gain) == pytest.approx((61.43, 178.89), abs=0.01)
    assert gains["W"] == pytest.approx(-102.75, abs=0.01)
    assert {m.name: m.alone_terms["F"] for m in r.members}["W"] == pytest.approx(164.18, abs=0.01)


def test_tables_render() -> None:
    text = case.pattern_table()
    assert "| pattern set by D (as in Jan 2008) | 61.43 |" in text
    rows = [line for line in case.channel_table().splitlines() if line.startswith("| -0.05 |")]
    gains = [float(line.rstrip(" |").rsplit("| ", 1)[1]) for line in rows]
    assert [g > 0 for g in gains] == [True, False, False, False]
    assert gains[1] == 0
