"""Pattern bargaining (issue 18; Marshall & Merlo 2004, *Int. Econ. Rev.* 45(1)): the first
agreement's terms for every member, against one by one.

The closed forms (``bargain.coalitions.pattern.linear_pattern``) are derived from the Nash
product's first-order condition (Nash 1950; Osborne & Rubinstein 1990, *Bargaining and
Markets*, §2.2) with payoffs linear in one rate; each is checked against the Nash product
maximised directly with scipy and against the solver's answer.
"""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from scipy.optimize import minimize_scalar

import bargain
from bargain.coalitions.pattern import linear_pattern, linear_pattern_gain, pattern
from bargain.errors import FeasibilityError, ModelError
from tests.coalitions.test_coalition import tu_model

THREE = bargain.models_dir() / "coalition_three.toml"

member = st.tuples(
    st.floats(2.0, 6.0),  # V: the member's business
    st.floats(0.5, 2.0),  # k: its stake
    st.floats(0.0, 1.0),  # d: its disagreement payoff
    st.floats(-0.5, 0.0),  # g: the common party's disagreement payoff against it
)


def closed_form(members: list[tuple[float, float, float, float]], first: int) -> tuple:
    """``linear_pattern`` in the notation of ``tu_model``: ``p = V``, ``s = -k``, ``c = 0``,
    ``e = g``."""
    v, k, d, g = (list(x) for x in zip(*members, strict=True))
    return linear_pattern(v, [-x for x in k], [0.0] * len(v), d, g, first)


def pattern_by_scipy(members: list[tuple[float, float, float, float]], first: int) -> float:
    """The rate maximising the first member's gain times the common party's total gain."""
    v, k, d, _ = members[first]
    total_k = sum(m[1] for m in members)
    total_g = sum(m[3] for m in members)

    def minus(r: float) -> float:
        return -(v - k * r - d) * (total_k * r - total_g)

    # the product is a concave quadratic, positive between its roots
    bounds = (max(0.0, total_g / total_k), (v - d) / k)
    return float(minimize_scalar(minus, bounds=bounds, method="bounded").x)


def test_three_producers_by_hand() -> None:
    """The how-to's producers: alone the guild signs 0.9, 0.3 and 0.6 (``(V - d)/(2k)``);
        copying the network's 0.3 costs the guild ``k_i (r_i - 0.3)``: 0.3 on the film studio and
    0.45 on the firm owning both, 0.75 in all."""
    r = pattern(bargain.load_model(THREE), order=("N", "F", "B"))
    assert r.solution.agreement["rate"] == pytest.approx(0.3, abs=1e-7)
    assert [m.alone_terms["rate"] for m in r.members] == pytest.approx([0.3, 0.9, 0.6], abs=1e-7)
    assert r.common_alone == pytest.approx(0.9 * 0.5 + 0.3 * 1.0 + 0.6 * 1.5, abs=1e-7)
    assert r.common_patterned == pytest.approx(0.3 * 3.0, abs=1e-7)
    assert r.common_gain == pytest.approx(-0.75, abs=1e-7)
    # each member gains what the guild loses on it: k_i (r_i - r_P)
    assert {m.name: m.gain for m in r.members} == pytest.approx(
        {"N": 0.0, "F": 0.5 * 0.6, "B": 1.5 * 0.3}, abs=1e-7
    )
    assert r.accepting == ()


def test_a_later_member_must_accept() -> None:
    """With the film studio first the guild would copy its 0.9, but the network gains only
    up to ``(V_N - d_N)/k_N = 0.6``: its acceptance binds and the pattern is 0.6."""
    r = pattern(bargain.load_model(THREE), order=("F", "N", "B"))
    assert r.solution.agreement["rate"] == pytest.approx(0.6, abs=1e-6)
    assert r.accepting == ("N",)
    net = {m.name: m.patterned for m in r.members}
    assert net["N"] == pytest.approx(0.9, abs=1e-6)  # exactly its disagreement payoff


@given(st.lists(member, min_size=2, max_size=4), st.data())
def test_closed_form_against_scipy_and_the_solver(
    members: list[tuple[float, float, float, float]], data: st.DataObject
) -> None:
    first = data.draw(st.integers(0, len(members) - 1))
    one, r_p = closed_form(members, first)
    # interior: every rate inside (0, 10) and every later member gains at the pattern
    assume(all(0.05 < r < 9.5 for r in (*one, r_p)))
    assume(all(v - k * r_p - d > 0.05 for v, k, d, _ in members))
    assert pattern_by_scipy(members, first) == pytest.approx(r_p, rel=1e-5, abs=1e-6)
    model = tu_model(members)
    names = [f"M{i}" for i in range(len(members))]
    order = [names[first], *(n for n in names if n != names[first])]
    report = pattern(model, order=order)
    assert report.solution.agreement["rate"] == pytest.approx(r_p, rel=1e-6, abs=1e-8)
    alone = {m.name: m.alone_terms["rate"] for m in report.members}
    assert [alone[n] for n in names] == pytest.approx(list(one), rel=1e-6, abs=1e-8)
    v, k, d, _ = (list(x) for x in zip(*members, strict=True))
    assert report.common_gain == pytest.approx(
        linear_pattern_gain(v, [-x for x in k], d, first), rel=1e-5, abs=1e-7
    )


@given(member, st.integers(2, 4), st.integers(0, 3))
def test_identical_members_pattern_is_one_by_one(
    one_member: tuple[float, float, float, float], n: int, first: int
) -> None:
    members = [one_member] * n
    one, r_p = closed_form(members, first % n)
    assert r_p == pytest.approx(one[0], rel=1e-12)
    report = pattern(tu_model(members))
    for m in report.members:
        assert m.gain == pytest.approx(0.0, abs=1e-6 * max(1.0, abs(m.alone)))
    assert report.common_gain == pytest.approx(0.0, abs=1e-6 * max(1.0, abs(report.common_alone)))


@given(st.lists(member, min_size=2, max_size=4), st.data())
def test_uniform_common_disagreement_copies_the_first_terms(
    members: list[tuple[float, float, float, float]], data: st.DataObject
) -> None:
    """When the common party's disagreement payoff per unit of stake is the same against
    every member, the pattern is the first member's own terms (so it lies between the
    one-by-one terms)."""
    ratio = data.draw(st.floats(-0.4, 0.0))
    members = [(v, k, d, ratio * k) for v, k, d, _ in members]
    first = data.draw(st.integers(0, len(members) - 1))
    one, r_p = closed_form(members, first)
    assert r_p == pytest.approx(one[first], rel=1e-12, abs=1e-12)
    assert min(one) - 1e-12 <= r_p <= max(one) + 1e-12


def test_pattern_can_lie_outside_the_one_by_one_terms() -> None:
    """The issue's hypothesis that the common rate lies between the one-by-one rates is
    false for a pattern: here the first member alone signs 1.0 and the second 1.1, but the
    pattern is 1.25. Alone with the first, the common party's disagreement payoff is -1 per
    unit of stake; in the pattern talk, whose failure costs it the disagreement payoffs of
    both contracts over both stakes, it is -1/2 per unit, so it is stronger:
    ``r_P = r_1 + (G/K - g_1/k_1)/2 = 1 + (-1/2 + 1)/2``."""
    members = [(3.0, 1.0, 0.0, -1.0), (2.2, 1.0, 0.0, 0.0)]
    one, r_p = closed_form(members, 0)
    assert one == pytest.approx((1.0, 1.1))
    assert r_p == pytest.approx(1.25)
    report = pattern(tu_model(members))
    assert report.solution.agreement["rate"] == pytest.approx(1.25, abs=1e-6)
    assert not min(one) <= report.solution.agreement["rate"] <= max(one)


def test_order_errors_name_the_key() -> None:
    m = bargain.load_model(THREE)
    with pytest.raises(ModelError, match=r"\[pattern\] order: .*unknown X; missing B"):
        pattern(m, order=("N", "F", "X"))
    with pytest.raises(ModelError, match=r"\[pattern\] order: .*repeated N"):
        pattern(m, order=("N", "F", "B", "N"))


def test_members_over_different_terms_are_refused() -> None:
    model = bargain.model_from_dict(
        {
            "model": {"name": "two_rates"},
            "variables": {"r0": {"min": 0, "max": 1}, "r1": {"min": 0, "max": 1}},
            "parties": {
                "G": {"payoff": "r0 + r1"},
                "A": {"payoff": "1 - r0"},
                "B": {"payoff": "1 - r1"},
            },
            "coalitions": {
                "C": {
                    "members": ["A", "B"],
                    "shares": {"A": 0.5, "B": 0.5},
                    "counterpart_payoff": {"A": "r0", "B": "r1"},
                }
            },
        }
    )
    with pytest.raises(
        ModelError, match=r"\[coalitions.C\] members: .*A's is over r0; B's is over r1"
    ):
        pattern(model)


def test_no_acceptable_pattern_is_a_located_feasibility_error() -> None:
    """M0 gains only below rate 0.1, and the guild only above 0.5 (its disagreement
    payoff is 0.5 against each member)."""
    members = [(1.0, 1.0, 0.9, 0.5), (1.0, 1.0, 0.2, 0.5)]
    model = tu_model(members)
    with pytest.raises(FeasibilityError, match=r"\[pattern\] order"):
        pattern(model, order=("M1", "M0"))


def test_the_alternating_offers_game_honours_the_later_members_acceptance() -> None:
    """The later members' acceptance is a constraint on the first talk's one contract
    variable, which the alternating-offers game takes as a bound of the contract interval
    (the game ignored it before, and the pattern refused the concept)."""
    m = bargain.load_model(THREE)
    patient = replace(m, parties=tuple(replace(p, discount_factor=0.9) for p in m.parties))
    # Film studio first: the network signs only if 1.5 - rate >= 0.9, so rate <= 0.6, below
    # the unconstrained game's rate (1, the top of the contract range). In the game on
    # [0, 0.6] the guild proposes the cap and the studio offers the guild 0.9 of it
    # (Osborne & Rubinstein 1990, §3.10: each offer leaves the responder its continuation
    # value, within the contract set).
    r = pattern(patient, order=("F", "N", "B"), method="rubinstein")
    assert r.solution.agreement["rate"] == pytest.approx(0.6, rel=1e-9)
    assert r.solution.extra["proposals"]["F"] == pytest.approx(0.9 * 0.6, rel=1e-9)
    n = next(x for x in r.members if x.name == "N")
    assert n.patterned == pytest.approx(0.9, rel=1e-9)  # exactly its disagreement payoff
    r = pattern(patient, order=("N", "F", "B"), method="rubinstein")  # nobody refuses
    # Rubinstein (1982) over the network's payoff 1.5 - rate (strike payoffs zero, discount
    # factors 0.9): the guild proposes first and leaves the network 0.9/1.9 of 1.5, the
    # pattern rate is 1.5 - 1.5 * 0.9/1.9 = 1.5/1.9 (the guild's payoff, 3 * rate, is a
    # rescaling and does not move it)
    assert r.solution.agreement["rate"] == pytest.approx(1.5 / 1.9, rel=1e-9)


def test_the_report_renders() -> None:
    r = pattern(bargain.load_model(THREE), order=("N", "F", "B"))
    assert "| F | rate = 0.9 | 0.55 | 0.85 | 0.3 |" in r.to_markdown()
    assert "  F: one by one rate = 0.9, payoff 0.55; patterned 0.85 (gain 0.3)" in r.to_text()
    data = json.loads(r.to_json())
    assert data["order"] == ["N", "F", "B"] and data["common_gain"] == pytest.approx(-0.75)
