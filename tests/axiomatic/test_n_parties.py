"""The axiomatic concepts with three and more parties (issue 18).

The n-person Nash solution maximises ``prod_i (u_i - d_i)`` (Nash 1950; Thomson 1994,
*Handbook of Game Theory* vol. 2, ch. 35, §2; Osborne & Rubinstein 1990, *Bargaining and
Markets*, §2.3 for two). On the unit simplex ``sum_i u_i <= 1`` its first-order conditions
make every gain equal: ``u_i - d_i = (1 - sum_j d_j) / n``. Egalitarian (equal gains),
Kalai–Smorodinsky (ideal gains ``1 - sum_j d_j`` for all, so equal gains) and utilitarian
(every split of the unit is utilitarian; ties are broken by the Nash product) give the same
point. Each is checked against an independent route: the log Nash product maximised by BFGS
over a softmax parametrisation of the simplex (unconstrained, no bargain code).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st
from scipy.optimize import linprog, minimize

import bargain
from bargain.concepts.registry import concept, concepts

AXIOMATIC = ("nash", "kalai-smorodinsky", "egalitarian", "utilitarian")


def unit_split(d: list[float], *, payoff: str = "{x}") -> bargain.Model:
    """n parties split a unit: P1..P(n-1) get ``x_i``, Pn the rest; disagreement ``d_i``.
    ``payoff`` maps a party's share (a string) to its payoff."""
    n = len(d)
    xs = [f"x{i}" for i in range(1, n)]
    shares = [*xs, "1 - " + " - ".join(xs)]
    return bargain.model_from_dict(
        {
            "model": {"name": "unit"},
            "parameters": {f"d{i}": v for i, v in enumerate(d, 1)},
            "variables": {x: {"min": 0, "max": 1} for x in xs},
            "constraints": {"budget": " + ".join(xs) + " <= 1"},
            "parties": {
                f"P{i}": {"payoff": payoff.format(x=f"({s})"), "disagreement": f"d{i}"}
                for i, s in enumerate(shares, 1)
            },
        }
    )


def nash_by_softmax(d: list[float]) -> list[float]:
    """The payoffs maximising sum_i log(u_i - d_i) over every split of the unit that leaves
    each party above its disagreement payoff, u = d + (1 - sum d) softmax(z), by Nelder–Mead
    over z from a start away from the answer."""
    rest = 1 - sum(d)

    def split(z: np.ndarray) -> np.ndarray:
        w = np.exp(z - z.max())
        return np.array(d) + rest * w / w.sum()

    def minus(z: np.ndarray) -> float:
        return -float(np.log(split(z) - np.array(d)).sum())

    start = np.linspace(-1.0, 1.0, len(d))
    options = {"xatol": 1e-12, "fatol": 1e-15, "maxiter": 20000}
    return list(split(minimize(minus, start, method="Nelder-Mead", options=options).x))


CONCAVE = "{x} - {x}**2/2"
"""f(s) = s - s^2/2: increasing and strictly concave on [0, 1], defined on the whole box (the
solvers evaluate payoffs outside the constraints too)."""

# Disagreement payoffs to six decimals: below about 1e-30 the ideal point of
# Kalai–Smorodinsky loses precision (see test_ks_ideal_point_with_a_tiny_disagreement).
disagreements = st.integers(3, 4).flatmap(
    lambda n: st.lists(st.floats(0.0, 0.2).map(lambda v: round(v, 6)), min_size=n, max_size=n)
)


def test_three_party_nash_closed_form_in_the_parameters():
    """d_i + (1 - sum d)/3, as a formula in the disagreement payoffs (exact route)."""
    s = bargain.nash(unit_split([0.1, 0.05, 0.2]))
    d1, d2, d3 = (sympy.Symbol(f"d{i}", real=True) for i in (1, 2, 3))
    assert s.exact
    assert sympy.simplify(s.formula["x1"] - (d1 + (1 - d1 - d2 - d3) / 3)) == 0
    assert sympy.simplify(s.formula["x2"] - (d2 + (1 - d1 - d2 - d3) / 3)) == 0
    # 1 - 0.35 = 13/20 shared three ways: 13/60 each on top of d_i.
    assert s.exact_agreement == {"x1": sympy.Rational(19, 60), "x2": sympy.Rational(16, 60)}


@pytest.mark.parametrize("method", AXIOMATIC)
@given(d=disagreements)
def test_symmetric_closed_form_and_an_independent_route(method, d):
    s = concept(method).solve(unit_split(d), exact=False)
    closed = [di + (1 - sum(d)) / len(d) for di in d]
    assert list(s.payoffs.values()) == pytest.approx(closed, rel=1e-7, abs=1e-9)
    if method == "nash":  # the closed form is the Nash product's maximum: check it directly
        assert closed == pytest.approx(nash_by_softmax(d), abs=1e-6)


@pytest.mark.parametrize("method", AXIOMATIC)
@given(n=st.integers(3, 4))
def test_symmetric_problem_gives_equal_payoffs(method, n):
    """Symmetry: a problem that is the same for every party (concave frontier
    u_i = f(share_i), f(s) = s - s^2/2) gives every party the same payoff, f(1/n)."""
    s = concept(method).solve(unit_split([0.0] * n, payoff=CONCAVE), exact=False)
    assert list(s.payoffs.values()) == pytest.approx([1 / n - 1 / (2 * n * n)] * n, rel=1e-7)


# Hypothesis draws the numbers of the next two properties as parameter values of one model
# each (Model.with_values), so every example reuses the model's compiled programs, which are
# keyed by structure; the solver sees the same problem as with the numbers written in.
WEIGHTED = bargain.model_from_dict(
    {
        "model": {"name": "waste"},
        "parameters": {f"{k}{i}": float(k == "w") for k in "wd" for i in (1, 2, 3)},
        "variables": {f"x{i}": {"min": 0, "max": 1} for i in (1, 2, 3)},
        "constraints": {"budget": "x1 + x2 + x3 <= 1"},
        "parties": {
            f"P{i}": {"payoff": f"w{i}*({CONCAVE.format(x=f'x{i}')})", "disagreement": f"d{i}"}
            for i in (1, 2, 3)
        },
    }
)
"""u_i = w_i f(x_i), each party with a share x_i of its own and sum x_i <= 1."""


@pytest.mark.parametrize("method", AXIOMATIC)
@given(
    weights=st.lists(st.floats(0.5, 3.0), min_size=3, max_size=3),
    d=st.lists(st.floats(0.0, 0.1), min_size=3, max_size=3),
)
def test_pareto_the_whole_unit_is_shared(method, weights, d):
    """Pareto optimality on a strictly concave frontier u_i = w_i f(x_i), each party with a
    share x_i of its own and sum x_i <= 1 (so some of the unit may be left unused): every
    payoff rises with its share (f' = 1 - s > 0 below 1), so an optimum leaves nothing over."""
    values = {f"w{i}": w for i, w in enumerate(weights, 1)} | {
        f"d{i}": di for i, di in enumerate(d, 1)
    }
    s = concept(method).solve(WEIGHTED.with_values(**values), exact=False)
    assert sum(s.agreement.values()) == pytest.approx(1.0, abs=1e-9)
    # individually rational (the utilitarian solution may leave a party at its d_i)
    assert all(s.payoffs[p] >= s.disagreement[p] - 1e-12 for p in s.payoffs)


def test_utilitarian_at_a_degenerate_corner_is_polished():
    """A party left at its bound and at its disagreement payoff at once: with weights
    (0.5, 1.163, 1.056) and d = 0 the first-order conditions w_i f'(x_i) = lambda
    (f' = 1 - s) put x_1 below 0, so x_1 = 0 (where w_1 f'(0) = 0.5 < lambda) and the
    other two share the unit with lambda = 1 / (1/w_2 + 1/w_3), x_i = 1 - lambda / w_i
    (Nocedal & Wright 2006, *Numerical Optimization*, §12.3, the KKT conditions). Both the
    bound x_1 >= 0 and P1's gain bind there, with dependent gradients (linear independence
    fails): one is left out of Newton's system, and the point is polished."""
    w = (0.5, 1.163, 1.056)
    values = {f"w{i}": wi for i, wi in enumerate(w, 1)} | {f"d{i}": 0.0 for i in (1, 2, 3)}
    s = concept("utilitarian").solve(WEIGHTED.with_values(**values), exact=False)
    lam = 1 / (1 / w[1] + 1 / w[2])
    expected = {"x1": 0.0, "x2": 1 - lam / w[1], "x3": 1 - lam / w[2]}
    assert s.agreement == pytest.approx(expected, rel=1e-12, abs=1e-15)
    assert "polish not applied" not in s.route
    assert "x1 = min" in s.binding


def test_utilitarian_with_a_party_held_at_a_tiny_disagreement_payoff():
    """A disagreement payoff of 1.4e-266 against payoffs of order one: P1 is held at it,
    w_1 f(x_1) = d_1, so x_1 = d_1 / w_1 to rounding (f(x) = x - x^2/2), because
    w_1 f'(0) = 0.667 is below lambda = 1 / (1/w_2 + 1/w_3) = 1.08; the others share the
    rest with x_i = 1 - lambda / w_i (Nocedal & Wright 2006, §12.3). Newton's polish in 30
    digits reaches x_1 only after several rounds from each other's point: it had been
    left unpolished, and the set of maximisers ranged for 90 s."""
    w = (0.6670873400154027, 1.72960952428365, 2.885483868160467)
    d = (1.4138833305610567e-266, 0.01180451244637393, 1.3819668810444888e-299)
    values = {f"w{i}": wi for i, wi in enumerate(w, 1)} | {f"d{i}": di for i, di in enumerate(d, 1)}
    s = concept("utilitarian").solve(WEIGHTED.with_values(**values), exact=False)
    lam = 1 / (1 / w[1] + 1 / w[2])
    expected = {"x1": d[0] / w[0], "x2": 1 - lam / w[1], "x3": 1 - lam / w[2]}
    assert s.agreement == pytest.approx(expected, rel=1e-12, abs=1e-15)
    assert s.agreement["x1"] == pytest.approx(d[0] / w[0], rel=1e-12)
    assert "polish not applied" not in s.route
    assert s.binding == ("budget", "P1 at disagreement")


def test_ideal_points_beside_tiny_disagreement_payoffs(search_methods):
    """Equal weights and disagreement payoffs far below the payoffs' rounding (1e-37 to
    2.2e-308): every ideal payoff is w f(1) = 1/4 to rounding and the gains are equal at equal
    shares, x_i = 1/3 (Kalai & Smorodinsky 1975). Each ideal point's program (maximise one
    payoff with every other at least its d_i) had SLSQP end, from every start, at d_i's
    party given nothing: off its floor only by d_i, below SLSQP's tolerance on the payoffs'
    scale. trust-constr ran from each of the ten starts (3-5 s an example); the search
    skips a start whose SLSQP end is at or in a maximum found."""
    d = (4.917956439134314e-37, 1.7991640269494484e-55, 2.2250738585072014e-308)
    values = {f"w{i}": 0.5 for i in (1, 2, 3)} | {f"d{i}": di for i, di in enumerate(d, 1)}
    s = concept("kalai-smorodinsky").solve(WEIGHTED.with_values(**values), exact=False)
    assert s.agreement == pytest.approx({"x1": 1 / 3, "x2": 1 / 3, "x3": 1 / 3}, rel=1e-12)
    assert "SLSQP" in search_methods
    assert "trust-constr" not in search_methods and "COBYQA" not in search_methods


def affine(model: bargain.Model) -> bargain.Model:
    """``model`` with each party's payoff and disagreement payoff moved to ``a_i u + b_i``,
    the parameters ``a_i`` (1) and ``b_i`` (0) added."""
    data = bargain.model_to_dict(model)
    for i, party in enumerate(data["parties"].values(), 1):
        data["parameters"] |= {f"a{i}": 1.0, f"b{i}": 0.0}
        for key in ("payoff", "disagreement"):
            party[key] = f"a{i}*({party[key]}) + b{i}"
    return bargain.model_from_dict(data)


SCALED = unit_split([0.05, 0.1, 0.0], payoff=CONCAVE)
MOVED = affine(SCALED)


@pytest.mark.parametrize("method", ["nash", "kalai-smorodinsky"])
@given(
    scale=st.lists(st.floats(0.01, 100.0), min_size=3, max_size=3),
    shift=st.lists(st.floats(-10.0, 10.0), min_size=3, max_size=3),
)
def test_scale_invariance(method, scale, shift):
    """Nash and Kalai–Smorodinsky are invariant to a positive affine change of each party's
    utility (Thomson 1994, §2-3): the agreement does not move."""
    values = {f"a{i}": a for i, a in enumerate(scale, 1)} | {
        f"b{i}": b for i, b in enumerate(shift, 1)
    }
    before = concept(method).solve(SCALED, exact=False).agreement
    after = concept(method).solve(MOVED.with_values(**values), exact=False).agreement
    assert after == pytest.approx(before, abs=1e-7)


def test_egalitarian_is_not_scale_invariant():
    """Equal gains compare utilities across parties, so rescaling one party's utility moves
    the agreement (Kalai 1977): doubling P1's utility halves its gain's share of the unit."""
    base = unit_split([0.0, 0.0, 0.0])
    first = replace(base.parties[0], payoff=2 * base.parties[0].payoff)
    doubled = replace(base, parties=(first, *base.parties[1:]))
    assert bargain.egalitarian(base, exact=False).agreement["x1"] == pytest.approx(1 / 3)
    # 2 x1 = x2 = 1 - x1 - x2 gives x1 = 1/5.
    assert bargain.egalitarian(doubled, exact=False).agreement["x1"] == pytest.approx(1 / 5)


# -- Kalai–Smorodinsky's n-party failure (Roth 1979) ----------------------------------------

ROTH = {
    "model": {"name": "roth"},
    "variables": {"a": {"min": 0, "max": 1}, "b": {"min": 0, "max": 1}},
    "constraints": {"simplex": "a + b <= 1"},
    "parties": {"P1": {"payoff": "a + b"}, "P2": {"payoff": "a"}, "P3": {"payoff": "b"}},
}


def test_roth_example_segment_holds_only_disagreement():
    """The set spanned by (0,0,0), (1,1,0), (1,0,1): ideal point (1,1,1); the largest t with
    t (1,1,1) in the set is 0 (an independent route: a linear program over a, b, t)."""
    # maximise t subject to a + b = t, a = t, b = t, a + b <= 1, a, b >= 0
    lp = linprog(
        c=[0, 0, -1],
        A_eq=[[1, 1, -1], [1, 0, -1], [0, 1, -1]],
        b_eq=[0, 0, 0],
        A_ub=[[1, 1, 0]],
        b_ub=[1],
        bounds=[(0, 1), (0, 1), (0, None)],
    )
    assert lp.status == 0 and lp.x[2] == pytest.approx(0.0, abs=1e-12)
    s = bargain.kalai_smorodinsky(bargain.model_from_dict(ROTH), exact=False)
    assert s.extra["ideal"] == pytest.approx({"P1": 1.0, "P2": 1.0, "P3": 1.0})
    # What is reported: the free-disposal point (1, 1/2, 1/2), Pareto optimal, and the
    # unequal gain ratios and the assumption that say it is not on the segment.
    assert s.payoffs == pytest.approx({"P1": 1.0, "P2": 0.5, "P3": 0.5}, abs=1e-8)
    assert s.extra["gain_ratio"] == pytest.approx({"P1": 1.0, "P2": 0.5, "P3": 0.5}, abs=1e-8)
    assert any("not comprehensive" in a and "Roth 1979" in a for a in s.assumptions)


def test_comprehensive_three_party_set_is_on_the_segment():
    s = bargain.kalai_smorodinsky(unit_split([0.1, 0.0, 0.2]), exact=False)
    ratios = list(s.extra["gain_ratio"].values())
    assert ratios == pytest.approx([ratios[0]] * 3, rel=1e-9)
    assert not any("not comprehensive" in a for a in s.assumptions)


# -- what each concept supports -------------------------------------------------------------


def test_every_concept_says_how_many_parties_it_solves():
    three = unit_split([0.0, 0.0, 0.0])
    support = {c.name: c.supports(three) for c in concepts()}
    assert {k for k, v in support.items() if v is None} == set(AXIOMATIC)
    assert (
        support["rubinstein"] == "rubinstein solves two-party models only; the model has 3 parties"
    )
    assert support["strike-or-holdout"].startswith("strike-or-holdout solves two-party models")


def test_ks_ideal_point_with_a_tiny_disagreement():
    """P3's ideal payoff is 1 - d1 - d2 = 1 (to 1e-40); the solver found 0.9999972 when
    d1 = d2 = 5.76e-41, and the Kalai–Smorodinsky payoffs were off by 6e-7 (found by
    hypothesis in test_symmetric_closed_form_and_an_independent_route): the KKT polish
    stopped on Newton's absolute step, short of the constraints u_i = d_i in their own
    size, and the polished vertex was refused."""
    d = [5.762966620746236e-41, 5.762966620746236e-41, 0.05649002691880739]
    s = bargain.kalai_smorodinsky(unit_split(d), exact=False)
    assert s.extra["ideal"]["P3"] == pytest.approx(1.0, rel=1e-12)
    for i, j in ((1, 2), (2, 1)):  # 1 - d_j - d3, d_i's ideal
        assert s.extra["ideal"][f"P{i}"] == pytest.approx(1 - d[j - 1] - d[2], rel=1e-12)
    # The payoffs are d + t (a - d) with t the largest common fraction (Kalai & Smorodinsky
    # 1975): Σ u = 1 fixes t.
    a = [1 - d[1] - d[2], 1 - d[0] - d[2], 1 - d[0] - d[1]]
    t = (1 - sum(d)) / sum(ai - di for ai, di in zip(a, d, strict=True))
    for k in range(3):
        want = d[k] + t * (a[k] - d[k])
        assert s.payoffs[f"P{k + 1}"] == pytest.approx(want, rel=1e-9)
