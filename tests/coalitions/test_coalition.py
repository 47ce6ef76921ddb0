"""A coalition on one side of the table (issue 18): as one player, each member alone, and
breaking ranks.

The closed forms are those of the Nash solution with transferable utility (Nash 1950;
Osborne & Rubinstein 1990, *Bargaining and Markets*, §2.2): two parties splitting a surplus
``S`` from disagreement payoffs ``(a, b)`` get ``a + (S - a - b)/2`` and ``b + (S - a - b)/2``.
Each is checked against an independent route: the Nash product maximised directly with
scipy, and the rules' thresholds by counting votes.
"""

from __future__ import annotations

import json
import math
from fractions import Fraction

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from scipy.optimize import minimize_scalar

import bargain
from bargain.coalitions import coalition
from bargain.coalitions.coalition import joint_model, member_model
from bargain.coalitions.rule import threshold, thresholds
from bargain.errors import ModelError
from tests.conftest import shipped

THREE = bargain.models_dir() / "coalition_three.toml"


def tu_model(
    members: list[tuple[float, float, float, float]],
    *,
    rate_max: float = 10.0,
    rule: str = "unanimity",
    veto: str | None = None,
    weights: list[int] | None = None,
) -> bargain.Model:
    """A guild G and members M0, M1, ... as one coalition C. Member ``i`` is
    ``(V_i, k_i, d_i, g_i)``: its business is worth ``V_i``, it pays ``rate * k_i`` to the
    guild, its disagreement payoff is ``d_i``, and the guild's disagreement payoff against it
    alone is ``g_i``. Equal shares."""
    names = [f"M{i}" for i in range(len(members))]
    share = str(Fraction(1, len(members)))
    params: dict[str, float] = {}
    parties: dict[str, dict[str, str]] = {}
    for name, (v, k, d, g) in zip(names, members, strict=True):
        params.update({f"V_{name}": v, f"k_{name}": k, f"d_{name}": d, f"g_{name}": g})
        parties[name] = {"payoff": f"V_{name} - rate*k_{name}", "disagreement": f"d_{name}"}
    table: dict[str, object] = {
        "members": names,
        "rule": rule,
        "shares": dict.fromkeys(names, share),
        "counterpart_payoff": {n: f"rate*k_{n}" for n in names},
        "counterpart_disagreement": {n: f"g_{n}" for n in names},
    }
    if veto is not None:
        table["veto"] = veto
    if weights is not None:
        table["weights"] = dict(zip(names, weights, strict=True))
    return bargain.model_from_dict(
        {
            "model": {"name": "tu"},
            "parameters": params,
            "variables": {"rate": {"min": 0, "max": rate_max}},
            "parties": {
                "G": {
                    "payoff": "rate*(" + " + ".join(f"k_{n}" for n in names) + ")",
                    "disagreement": " + ".join(f"g_{n}" for n in names),
                },
                **parties,
            },
            "coalitions": {"C": table},
        }
    )


def nash_by_scipy(
    surplus: float, stake: float, a: float, b: float, rate_max: float
) -> tuple[float, float]:
    """The guild's and the other side's Nash payoffs over ``rate`` in [0, rate_max], with the
    guild getting ``rate * stake`` and the other side ``surplus - rate * stake``: the log Nash
    product maximised by bounded scalar search (an independent route)."""

    def minus_log(r: float) -> float:
        g, o = r * stake - a, surplus - r * stake - b
        return math.inf if g <= 0 or o <= 0 else -(math.log(g) + math.log(o))

    lo, hi = max(0.0, a / stake), min(rate_max, (surplus - b) / stake)
    r = minimize_scalar(minus_log, bounds=(lo, hi), method="bounded", options={"xatol": 1e-12}).x
    return r * stake, surplus - r * stake


member = st.tuples(
    st.floats(1.0, 3.0),  # V_i
    st.floats(0.5, 2.0),  # k_i
    st.floats(0.0, 0.3),  # d_i
    st.floats(0.0, 0.3),  # g_i
)
members = st.lists(member, min_size=2, max_size=4)


# -- closed forms ------------------------------------------------------------------------


def test_three_member_example_by_hand():
    """docs/coalitions.md: V = 4.5, K = 3, D = 1.2, guild 0. Unanimity asks U_C >= d_N/s_N = 3
    above the Nash payoff (4.5 + 1.2)/2 = 2.85, so the constraint binds: rate (4.5 - 3)/3."""
    r = coalition(bargain.load_model(THREE))
    assert r.threshold == pytest.approx(3.0) and r.binds
    assert r.payoff == pytest.approx(3.0, rel=1e-9)
    assert r.joint.agreement["rate"] == pytest.approx(0.5, rel=1e-9)
    # Alone: rate_i k_i = (V_i - d_i)/2 and the member keeps (V_i + d_i)/2.
    alone = {"F": (1 + 0.1) / 2, "N": (1.5 + 0.9) / 2, "B": (2 + 0.2) / 2}
    assert {m.name: m.alone_payoff for m in r.members} == pytest.approx(alone, rel=1e-9)
    inside = {"F": 0.2 * 3, "N": 0.3 * 3, "B": 0.5 * 3}
    assert {m.name: m.inside for m in r.members} == pytest.approx(inside, rel=1e-9)
    assert r.leavers == ("N",)
    majority = coalition(bargain.load_model(THREE), rule="majority")
    assert not majority.binds and majority.payoff == pytest.approx((4.5 + 1.2) / 2, rel=1e-9)


@given(members)
def test_joint_and_alone_match_the_closed_form_and_scipy(ms):
    """Interior TU case: the coalition gets (V + D - G)/2, member i alone (V_i + d_i - g_i)/2,
    so the coalition's payoff equals the sum of the stand-alone terms."""
    r = coalition(tu_model(ms))
    v, k, d, g = (sum(x[j] for x in ms) for j in range(4))
    assert not r.binds
    assert r.payoff == pytest.approx((v + d - g) / 2, rel=1e-8)
    assert r.payoff == pytest.approx(nash_by_scipy(v, k, g, d, 10.0)[1], rel=1e-6)
    for m, (vi, ki, di, gi) in zip(r.members, ms, strict=True):
        assert m.alone_payoff == pytest.approx((vi + di - gi) / 2, rel=1e-8)
        assert m.alone_payoff == pytest.approx(nash_by_scipy(vi, ki, gi, di, 10.0)[1], rel=1e-6)
    assert r.payoff == pytest.approx(r.alone_total, rel=1e-8)


# -- properties ---------------------------------------------------------------------------


@given(members, st.floats(0.3, 1.5))
def test_coalition_never_gets_more_than_its_members_alone_when_breaking_ranks_is_free(ms, rate_max):
    """With the rule not binding and an agreement in every bargain alone, the coalition gets
    at most the sum of its members' terms alone (docs/coalitions.md). With the rate capped
    at ``rate_max`` the Nash rates are the interior ones clipped, min(r_i, R) and min(r, R)
    with r = sum k_i r_i / K, and min(., R) is concave, so sum k_i min(r_i, R) <=
    K min(r, R) (Jensen): the inequality is strict where the cap binds in some bargains."""
    r = coalition(tu_model(ms, rate_max=rate_max))
    # A guild whose disagreement payoff against a member exceeds what the cap lets it get
    # signs nothing with it alone: the member keeps d_i, and the argument does not apply.
    assume(all(m.alone is not None for m in r.members))
    assert not r.binds
    assert r.payoff <= r.alone_total * (1 + 1e-9) + 1e-12
    v, k, d, g = (sum(x[j] for x in ms) for j in range(4))
    assert r.payoff == pytest.approx(nash_by_scipy(v, k, g, d, rate_max)[1], rel=1e-6)


@given(members)
def test_adding_an_identical_member_adds_its_terms_alone(ms):
    before = coalition(tu_model(ms))
    after = coalition(tu_model([*ms, ms[0]]))
    copy = after.members[-1]
    assert copy.alone_payoff == pytest.approx(before.members[0].alone_payoff, rel=1e-8)
    assert after.payoff == pytest.approx(before.payoff + copy.alone_payoff, rel=1e-8)


@given(members.filter(lambda ms: len(ms) >= 3), st.floats(0.3, 10.0))
def test_merging_two_members_keeps_the_coalition_and_never_raises_their_terms_alone(ms, rate_max):
    (v0, k0, d0, g0), (v1, k1, d1, g1) = ms[0], ms[1]
    merged = [(v0 + v1, k0 + k1, d0 + d1, g0 + g1), *ms[2:]]
    apart = coalition(tu_model(ms, rate_max=rate_max))
    together = coalition(tu_model(merged, rate_max=rate_max))
    assert together.payoff == pytest.approx(apart.payoff, rel=1e-8)
    pair = apart.members[0].alone_payoff + apart.members[1].alone_payoff
    assert together.members[0].alone_payoff <= pair * (1 + 1e-9) + 1e-12


@given(
    st.lists(st.tuples(st.floats(-1.0, 1.0), st.integers(1, 5)), min_size=2, max_size=5),
    st.sampled_from(["unanimity", "majority", "veto"]),
)
def test_rule_threshold_is_the_least_joint_payoff_the_votes_accept(members_, rule):
    """Counting votes: at joint payoff U, member i gains when U/n >= d_i (equal shares); the
    threshold is the least U among the members' t_i that the rule accepts."""
    n = len(members_)
    ms = [(2.0, 1.0, d, 0.0) for d, _ in members_]
    weights = [w for _, w in members_]
    model = tu_model(ms, rule=rule, veto="M0" if rule == "veto" else None, weights=weights)
    c = model.coalitions[0]
    t = [d * n for d, _ in members_]

    def accepts(u: float) -> bool:
        gain = [u >= ti - 1e-12 for ti in t]
        held = sum(w for w, ok in zip(weights, gain, strict=True) if ok)
        majority = held > sum(weights) / 2
        return {"unanimity": all(gain), "majority": majority, "veto": majority and gain[0]}[rule]

    expected = min(u for u in t if accepts(u))
    assert float(threshold(model, c)) == pytest.approx(expected, rel=1e-12, abs=1e-12)
    assert list(thresholds(model, c).values()) == pytest.approx(t, rel=1e-12, abs=1e-12)


def test_unanimity_asks_at_least_the_joint_disagreement():
    model = bargain.load_model(THREE)
    c = model.coalitions[0]
    joint, tau = joint_model(model, c)
    assert tau >= model.numeric(joint.party("P").disagreement)
    assert "P_unanimity" in [k.name for k in joint.constraints]
    _, tau = joint_model(model, c, "majority")
    assert float(tau) == pytest.approx(0.5)


def test_member_model_keeps_only_the_variables_of_its_bargain():
    model = tu_model([(2.0, 1.0, 0.1, 0.0), (2.0, 1.0, 0.1, 0.0)])
    alone = member_model(model, model.coalitions[0], "M1")
    assert alone.party_names == ("G", "M1")
    assert alone.party("G").payoff == model.coalitions[0].counterpart_payoff[1]


def test_default_counterpart_terms_split_by_shares():
    data = bargain.model_to_dict(bargain.load_model(THREE))
    del data["coalitions"]["P"]["counterpart_payoff"]
    model = bargain.model_from_dict(data)
    alone = member_model(model, model.coalitions[0], "B")
    assert alone.party("G").payoff == model.party("G").payoff * model.coalitions[0].share("B")
    assert "its own times the member's share" in " ".join(coalition(model).assumptions)


# -- renderings and errors ----------------------------------------------------------------


def test_report_renders_as_text_markdown_and_json():
    r = coalition(bargain.load_model(THREE), rule="veto", veto="N")
    data = r.to_dict()
    assert data["rule"] == "veto" and data["veto"] == "N" and data["leavers"] == ["N"]
    assert [m["name"] for m in data["members"]] == ["F", "N", "B"]
    assert data["members"][1]["gain"] == pytest.approx(1.2 - 0.9)
    assert "breaking ranks pays for N" in r.to_text()
    assert "| N | 0.3 | 0.9 | rate = 0.3 | 1.2 | 0.3 | yes |" in r.to_markdown()
    assert str(r) == r.to_text()
    assert json.loads(r.to_json())["payoff"] == pytest.approx(3.0)


@pytest.mark.parametrize(
    ("rule", "veto", "binds"),
    [("majority", None, False), ("veto", "B", False), ("unanimity", None, True)],
)
def test_every_rule_is_written_as_json(rule, veto, binds):
    # The shipped coalition_three under the majority and veto rules: whether the rule's
    # threshold binds was sympy's false, and to_json failed ("Object of type BooleanFalse is
    # not JSON serializable") where the text and Markdown were written.
    r = coalition(shipped("coalition_three"), rule=rule, veto=veto)
    data = json.loads(r.to_json())
    assert data["threshold_binds"] is binds and r.binds is binds
    assert data["payoff"] == pytest.approx(r.payoff)


@pytest.mark.parametrize(
    ("kwargs", "table", "key", "message"),
    [
        ({"rule": "consensus"}, "coalitions.P", "rule", "unknown rule 'consensus'"),
        ({"rule": "veto", "veto": "X"}, "coalitions.P", "veto", "needs a veto member"),
        ({"method": "shapley"}, "coalition", "method", "unknown solution concept"),
        ({"method": "strike-or-holdout"}, "coalition", "method", "unknown solution concept"),
        ({"name": "Q"}, "coalitions", "Q", "unknown coalition 'Q'"),
    ],
)
def test_bad_arguments_are_named(kwargs, table, key, message):
    with pytest.raises(ModelError, match=message) as err:
        coalition(bargain.load_model(THREE), **kwargs)
    assert (err.value.table, err.value.key) == (table, key)


def ks_guild(v: float, d: float, ideal_guild: float) -> float:
    """The guild's Kalai–Smorodinsky payoff against a side worth ``v`` with disagreement
    ``d`` (the guild's is 0): gains in proportion to the ideal gains, g / a_G = (v - g - d) /
    (v - d), so g = 1 / (1/a_G + 1/(v - d)) (Kalai & Smorodinsky 1975)."""
    return 1 / (1 / ideal_guild + 1 / (v - d))


def test_kalai_smorodinsky_on_the_three_member_example():
    """Alone, member i's ideal is V_i (rate 0) and the guild's min(V_i - d_i, k_i) (rate at
    most 1); jointly the guild's ideal is capped by the rule, 4.5 - 3 = 1.5."""
    r = coalition(bargain.load_model(THREE), method="kalai-smorodinsky")
    params = {"F": (1.0, 0.5, 0.1), "N": (1.5, 1.0, 0.9), "B": (2.0, 1.5, 0.2)}
    for m in r.members:
        v, k, d = params[m.name]
        assert m.alone_payoff == pytest.approx(v - ks_guild(v, d, min(v - d, k)), rel=1e-9)
    assert r.joint.payoffs["G"] == pytest.approx(ks_guild(4.5, 1.2, 1.5), rel=1e-9)
    assert not r.binds and r.leavers == ("N",)


@pytest.mark.parametrize("method", ["egalitarian", "utilitarian"])
def test_egalitarian_and_utilitarian_agree_with_nash_on_transferable_utility(method):
    """Equal gains in equal units split the surplus as Nash does; every split is
    utilitarian, and the tie is broken by the Nash product."""
    nash = coalition(bargain.load_model(THREE))
    other = coalition(bargain.load_model(THREE), method=method)
    assert other.payoff == pytest.approx(nash.payoff, rel=1e-9)
    assert [m.alone_payoff for m in other.members] == pytest.approx(
        [m.alone_payoff for m in nash.members], rel=1e-9
    )


def test_rule_that_asks_more_than_any_agreement_is_named():
    """d_N = 2 with a 30% share: unanimity asks 2/0.3 = 6.67, more than the 4.5 there is."""
    from bargain.errors import FeasibilityError

    model = bargain.load_model(THREE).with_values(d_N=2)
    with pytest.raises(
        FeasibilityError, match=r"signs only for a joint payoff of at least 6\.66"
    ) as e:
        coalition(model)
    assert (e.value.table, e.value.key) == ("coalitions.P", "rule")
    # Under a majority the coalition signs; alone, N (worth 1.5, disagreement 2) signs nothing.
    r = coalition(model, rule="majority")
    assert r.payoff == pytest.approx((4.5 + 2.3) / 2)
    n = r.members[1]
    assert n.alone is None and n.alone_payoff == 2 and "no agreement" in r.to_text()


def test_model_without_coalition_is_refused():
    with pytest.raises(ModelError, match="no coalition") as err:
        coalition(bargain.load_model(bargain.models_dir() / "split.toml"))
    assert err.value.table == "coalitions"


def test_howto_model_is_the_shipped_three_member_model():
    """docs/coalitions.md builds models/coalition_three.toml from scratch: the same parties,
    variables, parameter values and coalition (names, titles and descriptions aside)."""
    import re
    import tomllib
    from pathlib import Path

    page = (Path(__file__).resolve().parents[2] / "docs" / "coalitions.md").read_text("utf-8")
    (block,) = re.findall(r"^```toml\n# producers\.toml\n(.*?)^```$", page, flags=re.M | re.S)
    shown = bargain.model_from_dict(tomllib.loads(block))
    shipped = bargain.load_model(THREE)
    assert shown.values == shipped.values
    assert shown.variables[0].min == shipped.variables[0].min
    assert [(p.name, p.payoff, p.disagreement) for p in shown.parties] == [
        (p.name, p.payoff, p.disagreement) for p in shipped.parties
    ]
    from dataclasses import replace

    assert shown.coalitions == (replace(shipped.coalitions[0], description=""),)


def test_a_veto_member_without_the_veto_rule_is_refused():
    m = bargain.load_model(bargain.find_model("coalition_three"))
    with pytest.raises(bargain.ModelError, match=r"\[coalition\] veto: .*only with the veto rule"):
        bargain.coalition(m, rule="majority", veto="N")
