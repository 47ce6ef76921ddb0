"""The axiomatic solutions at the edges of floating point: boxes narrower than a tolerance,
numbers near the largest and smallest floats, a surplus thin next to the payoffs, a box
far wider than the agreements, payoffs of very different sizes.

Every value is a closed form of the two-party split of a line ``u_W + u_A = V`` (or of a
frontier as simple): the Nash solution maximises ``(u_W - d_W)(u_A - d_A)`` (Nash, "The
Bargaining Problem", *Econometrica* 18(2), 155-162, 1950), so on a line it splits the
surplus equally; the Kalai-Smorodinsky solution equalises each party's gain relative to its
ideal gain (Kalai & Smorodinsky, "Other Solutions to Nash's Bargaining Problem",
*Econometrica* 43(3), 513-518, 1975); the egalitarian solution equalises the gains (Kalai,
"Proportional Solutions to Bargaining Situations", *Econometrica* 45(7), 1623-1630, 1977).
Each is checked against the solvers' answers and, where it is not plain arithmetic,
against a root found by ``brentq``.
"""

from __future__ import annotations

import math
import time

import pytest
import sympy
from scipy.optimize import brentq

import bargain
from tests.conftest import two_party

AXIOMATIC = ("nash", "kalai-smorodinsky", "egalitarian", "utilitarian")


def split(value: object, **extra: object) -> bargain.Model:
    """u_W = x, u_A = V - x on [0, V]: every solution splits V equally (x = V/2)."""
    return two_party(
        "x", "V - x", parameters={"V": value}, variables={"x": {"min": 0, "max": "V"}}, **extra
    )


# -- a box narrower than the bound tolerance ----------------------------------------------------


def test_narrow_box_is_solved_not_a_traceback():
    # The tryout case narrow_bound.toml: x in [0.5, 0.5 + 1e-12], u = x and 1 - x. Both bounds
    # were "binding" at once, and the KKT system named x twice (a SyntaxError of lambdify).
    eps = 10**-12
    m = two_party("x", "1 - x", variables={"x": {"min": 0.5, "max": "0.5 + 1e-12"}})
    # Nash: x (1 - x) falls on the box, so x = 1/2, where it starts (not the upper bound,
    # which the search cannot tell from it: the products differ by 1e-24).
    assert bargain.nash(m).exact_agreement == {"x": sympy.Rational(1, 2)}
    # Egalitarian: x = 1 - x, x = 1/2, the lower bound.
    assert bargain.egalitarian(m).agreement["x"] == 0.5
    # KS: ideals 1/2 + eps (x at max) and 1/2 (x at min): x / (1/2 + eps) = (1 - x) / (1/2),
    # x = (1/2 + eps) / (1 + eps) = 500000000001/1000000000001.
    ks = bargain.kalai_smorodinsky(m)
    assert ks.agreement["x"] == pytest.approx((0.5 + eps) / (1 + eps), abs=2e-16)
    assert str(ks.exact_agreement["x"]) == "500000000001/1000000000001"
    # Utilitarian: the sum is 1 everywhere: any x of the box.
    assert 0.5 <= bargain.utilitarian(m).agreement["x"] <= 0.5 + eps


def test_narrow_box_of_a_second_model():
    # u = x and 2 - x on [1, 1 + 1e-13]: Nash maximises x (2 - x), which falls for x > 1, so
    # x = 1; egalitarian x = 2 - x has its root 1 on the bound; KS: ideals 1 + e and 1,
    # x / (1 + e) = 2 - x, x = 2 (1 + e) / (2 + e).
    e = 1e-13
    m = two_party("x", "2 - x", variables={"x": {"min": 1, "max": "1 + 1e-13"}})
    assert bargain.nash(m).agreement["x"] == 1.0
    assert bargain.egalitarian(m).agreement["x"] == 1.0
    ks = bargain.kalai_smorodinsky(m)
    assert ks.agreement["x"] == pytest.approx(2 * (1 + e) / (2 + e), abs=1e-15)
    assert str(ks.exact_agreement["x"]) == "20000000000002/20000000000001"
    # And where the product rises across the box (x (1 - x) on [1/4, 1/4 + 1e-12]), Nash is
    # its upper end.
    rising = two_party("x", "1 - x", variables={"x": {"min": 0.25, "max": "0.25 + 1e-12"}})
    assert bargain.nash(rising).exact_agreement["x"] == sympy.Rational(25 * 10**10 + 1, 10**12)


# -- near the largest and the smallest floats ----------------------------------------------------


@pytest.mark.parametrize("method", AXIOMATIC)
@pytest.mark.parametrize("value", [1.7e308, 9e307, 1e-320, 1e-310])
def test_split_near_the_ends_of_floating_point(method, value):
    # The tryout cases V_1e308.toml (1.7e308: the unit of V, 2**1024, overflowed) and
    # V_1e-320.toml (a subnormal V: KS failed in least squares). Every solution: x = V/2.
    s = bargain.SOLVERS[method](split(value))
    assert s.agreement["x"] == value / 2
    assert s.payoffs["A"] == pytest.approx(value / 2, rel=1e-12)


PATIENCE = {"A": {"discount_factor": 0.9}, "B": {"discount_factor": 0.8}}


@pytest.mark.parametrize("method", [*AXIOMATIC, "rubinstein"])
@pytest.mark.parametrize("value", ["1e-400", "2**-1080"])
def test_bound_below_the_smallest_float_is_refused(method, value):
    # The tryout case V_1e-400.toml: V = 1e-400 rounds to 0, and the box [0, V] with it to a
    # point that is not the model's (so does 2**-1080, below the least subnormal 2**-1074).
    # Refused like a number beyond 1.8e308, where it was a SyntaxError of lambdify; the
    # alternating-offers game with the same message (it said "not monotone on [0, 0]").
    with pytest.raises(
        bargain.ModelError, match=r"\[variables\.x\] max: is not zero but below the smallest"
    ):
        bargain.SOLVERS[method](split(value, **PATIENCE))


@pytest.mark.parametrize("method", [*AXIOMATIC, "rubinstein"])
@pytest.mark.parametrize(
    ("low", "high"), [("-1e-400", "1"), ("-0.9**10000", "1"), ("1e-1500", "1 + 1e-1500")]
)
def test_a_bound_below_floating_point_beside_a_wide_box_is_zero(method, low, high):
    # A bound of -1e-400 was refused by the axiomatic solutions and accepted by the
    # alternating-offers game. Beside a box of width 1 it is 0 to rounding (an assumption:
    # the difference is below floating point), for every concept alike. On u_A = x,
    # u_B = 1 - x: x = 1/2 for the axiomatic solutions (Nash 1950; Kalai & Smorodinsky
    # 1975; Kalai 1977; the utilitarian tie-break), (1 - δ_B) / (1 - δ_A δ_B) = 5/7 for
    # alternating offers with A first (Rubinstein 1982).
    m = two_party("x", "1 - x", variables={"x": {"min": low, "max": high}}, **PATIENCE)
    s = bargain.SOLVERS[method](m)
    assert s.agreement["x"] == pytest.approx(5 / 7 if method == "rubinstein" else 0.5, rel=1e-15)


@pytest.mark.parametrize("method", [*AXIOMATIC, "rubinstein"])
@pytest.mark.parametrize("factor", ["1e-1500", "0.9**10000"])
def test_payoffs_below_floating_point_are_refused_by_name(method, factor):
    # The tryout cases pay_tiny.toml and pay_pow.toml: x * 1e-1500 is 0 in floats at every
    # contract, and the axiomatic solutions said "no agreement improves on the disagreement
    # point" (the alternating-offers game: "not monotone"), where every agreement with
    # 0 < x < 1 does. Each concept now names the payoff and says it is below floating point.
    m = two_party(
        f"x*{factor}",
        f"(1 - x)*{factor}",
        A={"discount_factor": 0.9},
        B={"discount_factor": 0.8},
    )
    with pytest.raises(
        bargain.ModelError, match=r"\[parties\.A\] payoff: is not zero but below floating point"
    ):
        bargain.SOLVERS[method](m)


def test_a_payoff_of_zero_is_not_below_floating_point():
    # A payoff that is exactly zero everywhere is the model's own: no agreement improves on
    # disagreement for that party (Nash 1950), said as before.
    with pytest.raises(bargain.FeasibilityError, match="not improved upon"):
        bargain.nash(two_party("0*x", "1 - x"))


# -- a thin surplus -------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["nash", "kalai-smorodinsky", "egalitarian"])
@pytest.mark.parametrize(
    ("value", "d_w", "d_a", "x"),
    [
        # thin_surplus_1e9.toml: $1 to split on 1e9; x = (V + d_W - d_A)/2.
        (10**9, 6 * 10**8, 399999999, 600000000.5),
        (10**12, 5 * 10**11, 5 * 10**11 - 1, 500000000000.5),
    ],
)
def test_a_thin_surplus_is_split_not_called_no_gain(method, value, d_w, d_a, x):
    # The line u_W + u_A = V with disagreement (d_W, d_A): each gain is (V - d_W - d_A)/2 for
    # all three (the surplus is 1, the ideal gains are both 1). The gain, 0.5, is 5e-10 and
    # 5e-13 of the payoffs: well above their rounding (a few 1e-16 of them).
    s = bargain.SOLVERS[method](split(value, d_a=d_w, d_b=d_a))
    # KS's ideal points carry the payoffs' rounding (a few ulps of 1e12, 1e-4).
    assert s.agreement["x"] == pytest.approx(x, abs=4 * value * 2.0**-52)
    assert s.payoffs["A"] - d_w > 0.49 and s.payoffs["B"] - d_a > 0.49


# -- a box far wider than the agreements ----------------------------------------------------------


@pytest.mark.parametrize("method", AXIOMATIC)
def test_box_far_wider_than_the_gains(method):
    # The tryout case wide_bound_1e300.toml: x in [0, 1e300], u = x and 1 - x; only x in
    # (0, 1) gives both a gain. Every solution x = 1/2.
    m = two_party("x", "1 - x", variables={"x": {"min": 0, "max": 1e300}})
    assert bargain.SOLVERS[method](m).agreement["x"] == pytest.approx(0.5, abs=1e-15)


@pytest.mark.parametrize(
    ("method", "x"), [("nash", 0.5), ("kalai-smorodinsky", 0.5), ("egalitarian", 1 / 3)]
)
def test_box_far_wider_than_the_gains_second_model(method, x):
    # u = 2x and 1 - x on [0, 1e200]: Nash maximises 2x (1 - x), x = 1/2; KS: ideals 2 and 1,
    # 2x / 2 = 1 - x, x = 1/2; egalitarian 2x = 1 - x, x = 1/3.
    m = two_party("2*x", "1 - x", variables={"x": {"min": 0, "max": 1e200}})
    assert bargain.SOLVERS[method](m).agreement["x"] == pytest.approx(x, abs=1e-15)


@pytest.mark.parametrize("method", ["kalai-smorodinsky", "egalitarian"])
def test_a_concave_payoff_in_a_box_far_wider_than_the_agreements(method):
    # u_A = sqrt(x), u_B = 1 - x on [0, 1e15] (the utilitarian's wide box, test_utilitarian):
    # only x in [0, 1] gives B a gain. The ideal payoffs are 1 each (A's at x = 1, B's at
    # x = 0), so the Kalai-Smorodinsky point (ratios of gains to ideal gains equal) and the
    # egalitarian point (gains equal) are both where sqrt(x) = 1 - x: x = (3 - sqrt 5)/2, the
    # square of the golden section's (sqrt 5 - 1)/2. KS took 40 s of CPU: every start of the
    # box, 1e14 outside the agreements, ran trust-constr for 3 s and ended outside them too.
    root = brentq(lambda x: math.sqrt(x) - (1 - x), 0, 1, xtol=1e-15, rtol=1e-15)
    closed = (3 - sympy.sqrt(5)) / 2
    m = two_party("sqrt(x)", "1 - x", variables={"x": {"min": 0, "max": 1e15}})
    start = time.process_time()
    s = bargain.SOLVERS[method](m)
    assert time.process_time() - start < 10
    assert sympy.simplify(s.exact_agreement["x"] - closed) == 0
    assert s.agreement["x"] == pytest.approx(float(closed), rel=1e-12) == pytest.approx(root)
    assert s.payoffs["A"] == s.payoffs["B"] == pytest.approx((math.sqrt(5) - 1) / 2, rel=1e-12)


@pytest.mark.parametrize("constraints", [None, {"cap": "x <= 1"}])
def test_ks_with_an_infinite_slope_at_a_bound_of_a_wide_box(constraints):
    # u_W = sqrt(x) + 1 - x, u_A = 1 - x, d = 0, on [0, 1e15] (KS: Kalai & Smorodinsky,
    # Econometrica 43(3), 513-518, 1975). A's gain is nonnegative for x <= 1, so W's ideal
    # is the most of sqrt(x) + 1 - x there: 1/(2 sqrt x) = 1, x = 1/4, a_W = 5/4; A's is
    # a_A = 1 at x = 0. Gains in proportion to the ideal gains: (sqrt x + 1 - x) / (5/4) =
    # 1 - x, so 4 sqrt x = 1 - x, sqrt x = sqrt 5 - 2, x = 9 - 4 sqrt 5 ~ 0.0557. Before, W's
    # ideal search stopped at x = 0, where sqrt(x) has an infinite slope, the polish took it
    # (only the bound binding), and KS reported x = 0 (it is right in a box [0, 10]).
    root = brentq(lambda x: 4 * math.sqrt(x) - (1 - x), 0, 1, xtol=1e-16, rtol=1e-15)
    closed = 9 - 4 * sympy.sqrt(5)
    m = two_party(
        "sqrt(x) + 1 - x",
        "1 - x",
        variables={"x": {"min": 0, "max": 1e15}},
        constraints=constraints,
    )
    s = bargain.kalai_smorodinsky(m)
    assert s.extra["ideal"] == {"A": pytest.approx(1.25, rel=1e-15), "B": 1.0}
    assert sympy.simplify(s.exact_agreement["x"] - closed) == 0
    assert s.agreement["x"] == pytest.approx(float(closed), rel=1e-12) == pytest.approx(root)
    small = two_party("sqrt(x) + 1 - x", "1 - x", variables={"x": {"min": 0, "max": 10}})
    assert bargain.kalai_smorodinsky(small).agreement["x"] == pytest.approx(s.agreement["x"])


def test_ks_with_a_disagreement_payoff_beside_a_wide_box():
    # u_W = x, u_A = sqrt(x) + 1 - x, d_A = 1, on [0, 1e15] (Kalai & Smorodinsky 1975): A's
    # gain sqrt(x) - x is nonnegative for x in [0, 1], so W's ideal gain is 1 (x = 1) and
    # A's 1/4 (x = 1/4); x / 1 = (sqrt x - x) / (1/4) gives 5 x = 4 sqrt x, x = 16/25.
    # Before, it was refused: "no agreement improves on disagreement".
    root = brentq(lambda x: 5 * x - 4 * math.sqrt(x), 0.01, 1, xtol=1e-16, rtol=1e-15)
    m = two_party("x", "sqrt(x) + 1 - x", variables={"x": {"min": 0, "max": 1e15}}, d_b=1)
    s = bargain.kalai_smorodinsky(m)
    assert s.extra["ideal"] == {"A": pytest.approx(1.0, rel=1e-15), "B": pytest.approx(1.25)}
    assert s.exact_agreement["x"] == sympy.Rational(16, 25)
    assert s.agreement["x"] == pytest.approx(0.64, rel=1e-14) == pytest.approx(root)
    assert s.payoffs["B"] == pytest.approx(1.16, rel=1e-14)


def test_three_parties_in_a_box_far_wider_than_the_agreements():
    # u_W = sqrt(x), u_A = sqrt(x) + 1 - x, u_B = 1 - x on [0, 1e15]: A's gain is the sum of
    # the others', never the least, so leximin (Kalai 1977; Imai, Econometrica 51(2), 389-401,
    # 1983) raises min(sqrt(x), 1 - x) to its largest, where sqrt(x) = 1 - x: x = (3 - sqrt 5)/2,
    # W and B (sqrt 5 - 1)/2 each, A their sum sqrt 5 - 1. It took 35 s of CPU (the starts
    # of the box far outside the agreements, searched by trust-constr).
    m = bargain.model_from_dict(
        {
            "model": {"name": "wide3"},
            "variables": {"x": {"min": 0, "max": 1e15}},
            "parties": {
                "W": {"payoff": "sqrt(x)"},
                "A": {"payoff": "sqrt(x) + 1 - x"},
                "B": {"payoff": "1 - x"},
            },
        }
    )
    root = brentq(lambda x: math.sqrt(x) - (1 - x), 0, 1, xtol=1e-15, rtol=1e-15)
    start = time.process_time()
    s = bargain.egalitarian(m, exact=False)
    assert time.process_time() - start < 10
    assert s.agreement["x"] == pytest.approx((3 - math.sqrt(5)) / 2, rel=1e-12)
    assert s.agreement["x"] == pytest.approx(root)
    golden = (math.sqrt(5) - 1) / 2
    assert [s.payoffs[p] for p in "WAB"] == pytest.approx([golden, 2 * golden, golden], rel=1e-12)


def test_feasible_set_far_smaller_than_the_box_is_not_called_empty():
    # The tryout case wide_bound_two_vars.toml: x <= 1e15, y <= 1e12, x + y <= 1, u = x and y.
    # The phase one called the set empty: a violation of 1e5 is negligible in units of 1e15.
    m = two_party(
        "x",
        "y",
        variables={"x": {"min": 0, "max": 1e15}, "y": {"min": 0, "max": 1e12}},
        constraints={"budget": "x + y <= 1"},
    )
    # Egalitarian: x = y on x + y = 1. (Nash and KS find the same point, but in ~7 s each,
    # most of it the interior start's search, too slow for the suite.)
    s = bargain.egalitarian(m)
    assert (s.agreement["x"], s.agreement["y"]) == pytest.approx((0.5, 0.5), abs=1e-12)


@pytest.mark.parametrize(("x_max", "y_max"), [(1, 1), (1e15, 1e12)])
def test_utilitarian_set_thin_in_a_box_far_wider_than_it(x_max, y_max):
    # x + y <= 1 with x <= 1e15, y <= 1e12, u = x and y: the sum x + y is at most 1 and is 1 on
    # the whole segment x + y = 1, x in [0, 1]: the utilitarian solution (Harsanyi, "Cardinal
    # Welfare, Individualistic Ethics, and Interpersonal Comparisons of Utility", J. Political
    # Economy 63(4), 309-321, 1955; Thomson 1994, §3) is that set, and the tie-break (the
    # largest Nash product x y on it) picks x = y = 1/2.
    # Before, in the wide box it reported a unique x = 1, y = 0, or refused the set as empty
    # (the tie-break's search, from the box's starts, found no point of the thin set); in
    # the box [0, 1]^2 the set was x in [0.4999999999, 1] (the level of the sum, from a
    # search's point 2.8e-12 outside x + y <= 1, held only there), the tie-break off by 1e-10.
    m = two_party(
        "x",
        "y",
        variables={"x": {"min": 0, "max": x_max}, "y": {"min": 0, "max": y_max}},
        constraints={"budget": "x + y <= 1"},
    )
    s = bargain.utilitarian(m)
    assert not s.unique
    assert s.agreement_set == {"x": (0.0, 1.0), "y": (0.0, 1.0)}
    assert (s.agreement["x"], s.agreement["y"]) == pytest.approx((0.5, 0.5), abs=1e-9)
    assert s.extra["total"]["sum"] == pytest.approx(1.0, rel=1e-12)


# -- unbounded through a logarithm ----------------------------------------------------------------


@pytest.mark.parametrize("method", AXIOMATIC)
@pytest.mark.parametrize(
    ("payoff_a", "payoff_b", "where"),
    [
        ("x", "-log(x)", "B] payoff: grows without bound as x -> 0 from above"),
        ("x - log(1 - x)", "1 - x", "A] payoff: grows without bound as x -> 1 from below"),
    ],
)
def test_logarithmic_pole_is_refused(method, payoff_a, payoff_b, where):
    # The tryout case pole_log.toml: u_B = -log(x) tends to oo at x = 0, where the other party
    # gets 0 = its disagreement payoff: the utility-possibility set is unbounded (Muthoo 1999,
    # §2.2 assumes it compact), as for 1/x. Before, KS reported x = 0.0148 with an arbitrary
    # ideal, and the utilitarian search ran 37 s before calling the set empty.
    with pytest.raises(bargain.ModelError, match=where):
        bargain.SOLVERS[method](two_party(payoff_a, payoff_b))


# -- payoffs of very different sizes near a bound -------------------------------------------------


@pytest.mark.parametrize(
    ("payoff_a", "payoff_b", "x"),
    [
        ("x", "1e11*(1 - x)", 1e11 / (1e11 + 1)),  # x = 1e11 (1 - x), a hair below x = 1
        ("1e9*x", "1 - x", 1 / (1e9 + 1)),  # 1e9 x = 1 - x, a hair above x = 0
    ],
)
def test_egalitarian_with_payoffs_of_different_sizes(payoff_a, payoff_b, x):
    # Equal gains (Kalai 1977): the root of u_A = u_B, checked against brentq.
    a = float(payoff_a.split("*")[0]) if "*" in payoff_a else 1.0
    b = float(payoff_b.split("*")[0]) if "*" in payoff_b else 1.0
    found = brentq(lambda t: a * t - b * (1 - t), 0, 1, xtol=1e-300, rtol=1e-15)
    assert found == pytest.approx(x, rel=1e-15)
    s = bargain.egalitarian(two_party(payoff_a, payoff_b))
    assert s.agreement["x"] == pytest.approx(x, rel=1e-15)


def test_payoffs_faint_in_the_interior_of_the_box():
    # u_W = x**50, u_A = 0.5 (1 - x)**50 on [0, 1], d = 0: every gain is below 1e-15 where
    # both are positive, against gains of 1 and 0.5 at the ends. Closed forms:
    # Nash (1950): max 50 log x + 50 log(1 - x) at x = 1/2, exactly;
    # Kalai & Smorodinsky (1975), ideal (1, 0.5): x**50 = (1 - x)**50, x = 1/2;
    # egalitarian (Kalai 1977): x**50 = 0.5 (1 - x)**50, x = c / (1 + c), c = 0.5**(1/50).
    # The common-gain program that gives the Nash solution its interior start is flat at
    # the scale its search measured, which then tried every method from every start
    # (11 s), and the 10 s safety net ran out before the closed form was attempted: now
    # solved from its log form, and the net counts only the exact steps.
    m = two_party("x**50", "0.5*(1 - x)**50")
    nash = bargain.nash(m)
    assert nash.exact and nash.exact_agreement["x"] == sympy.Rational(1, 2)
    assert "safety" not in nash.route
    assert bargain.kalai_smorodinsky(m).agreement["x"] == pytest.approx(0.5, rel=1e-12)
    c = 0.5 ** (1 / 50)
    egalitarian = bargain.egalitarian(m).agreement["x"]
    assert egalitarian == pytest.approx(c / (1 + c), rel=1e-12)
    # The independent route: the equal gains' root by brentq.
    assert egalitarian == pytest.approx(
        brentq(lambda x: x**50 - 0.5 * (1 - x) ** 50, 0.1, 0.9, xtol=1e-15), rel=1e-12
    )


# -- payoffs that vary faintly beside their level -------------------------------------------------


@pytest.mark.parametrize(
    ("level", "e"),
    [(5, 1e-9), (5, 1e-12), (5e9, 1.0), (5, 1e-7)],
    ids=["1e-9", "1e-12", "$", "1e-7"],
)
def test_payoffs_that_vary_faintly_beside_their_level(level, e):
    # u_A = L + e x, u_B = L + e (1.2 - x) on [0, 1], d = 0 (the fresh-user case: payoffs
    # in dollars of 5e9 bargaining over a dollar). Nash (1950): (L + e x)(L + e (1.2 - x))
    # is largest where L + e x = L + e (1.2 - x), x = 0.6, as is the egalitarian solution
    # (Kalai 1977). Kalai & Smorodinsky (1975), ideal (L + e, L + 1.2 e):
    # (L + e x) / (L + e) = (L + e (1.2 - x)) / (L + 1.2 e), x = (L + 1.2 e) / (2 L + 2.2 e).
    # The log Nash product changes by e**2 / 100 from the box's centre to x = 0.6, below
    # its rounding: SLSQP stopped at its start, x = 0.5, "accurate to 1e-7".
    m = two_party(f"{level!r} + {e!r}*x", f"{level!r} + {e!r}*(1.2 - x)")
    assert bargain.nash(m).agreement["x"] == pytest.approx(0.6, rel=1e-9)
    assert bargain.egalitarian(m).agreement["x"] == pytest.approx(0.6, rel=1e-9)
    ks = (level + 1.2 * e) / (2 * level + 2.2 * e)
    # The independent route: the equal relative gains' root by brentq.
    # (L + e x)(L + 1.2 e) - (L + e (1.2 - x))(L + e), divided by e: the levels' products
    # cancel in the algebra, not in floating point.
    root = brentq(lambda x: 2 * level * x + 2.2 * e * x - level - 1.2 * e, 0, 1, xtol=1e-15)
    assert root == pytest.approx(ks, rel=1e-9)
    assert bargain.kalai_smorodinsky(m).agreement["x"] == pytest.approx(ks, rel=1e-9)


def test_payoffs_faint_beside_their_level_at_a_corner_and_curved():
    # 5 + 1e-9 x against 7 + 1e-9 (1 - x), d = 0: the Nash product rises all the way to x = 1
    # (its derivative 1e-9 (7 - 5 + 1e-9 (1 - 2x)) > 0); Kalai-Smorodinsky (ideal (5 + 1e-9,
    # 7 + 1e-9)) at x = (7 + 1e-9) / (12 + 2e-9). With sqrt(x) for A's variation, Nash's
    # stationarity 1 / (2 sqrt(x) (5 + 1e-9 sqrt(x))) = 1 / (7 + 1e-9 (1 - x)) and KS's
    # equal relative gains are roots found by brentq (the ideal point's polish at x = 0 of
    # the linear payoff ran for minutes: mpmath's Newton halved its step without end).
    m = two_party("5 + 1e-9*x", "7 + 1e-9*(1 - x)")
    assert bargain.nash(m).agreement["x"] == 1.0
    ks = bargain.kalai_smorodinsky(m).agreement["x"]
    assert ks == pytest.approx((7 + 1e-9) / (12 + 2e-9), rel=1e-9)
    curved = two_party("5 + 1e-9*sqrt(x)", "7 + 1e-9*(1 - x)")
    e = 1e-9
    nash = brentq(
        lambda x: 1 / (2 * math.sqrt(x) * (5 + e * math.sqrt(x))) - 1 / (7 + e * (1 - x)),
        0.1,
        0.9,
        xtol=1e-15,
    )
    assert bargain.nash(curved).agreement["x"] == pytest.approx(nash, rel=1e-9)
    # (5 + e sqrt(x))(7 + e) - (7 + e (1 - x))(5 + e), divided by e (the levels cancel):
    ks = brentq(
        lambda x: 7 * math.sqrt(x) + 5 * x - 7 + e * (math.sqrt(x) - 1 + x), 0.1, 0.9, xtol=1e-15
    )
    assert bargain.kalai_smorodinsky(curved).agreement["x"] == pytest.approx(ks, rel=1e-9)


def test_three_parties_faint_beside_their_levels():
    # A = 5 + 1e-9 x, B = 7 + 1e-9 y, C = 3 + 1e-9 (1 - x - y), x + y <= 1, d = 0.
    # Nash: the log product's slope in x is 1e-9 (1/5 - 1/3) < 0 and in y 1e-9 (1/7 - 1/3) < 0
    # everywhere: x = y = 0. Egalitarian (leximin): C's gain is the least everywhere, largest
    # at x = y = 0. Kalai-Smorodinsky, ideal (5 + e, 7 + e, 3 + e): equal relative gains are
    # two linear equations, solved here by numpy in floats' own relative terms
    # (u_i / I_i - 1 = e (z_i - 1) / I_i with z = x, y, 1 - x - y).
    import numpy as np

    e = 1e-9
    data = {
        "model": {"name": "faint3"},
        "variables": {"x": {"min": 0, "max": 1}, "y": {"min": 0, "max": 1}},
        "constraints": {"total": "x + y <= 1"},
        "parties": {
            "A": {"payoff": "5 + 1e-9*x"},
            "B": {"payoff": "7 + 1e-9*y"},
            "C": {"payoff": "3 + 1e-9*(1 - x - y)"},
        },
    }
    m = bargain.model_from_dict(data)
    for solve in (bargain.nash, bargain.egalitarian):
        found = solve(m).agreement
        assert (found["x"], found["y"]) == pytest.approx((0.0, 0.0), abs=1e-9), solve.__name__
    ideal = np.array([5 + e, 7 + e, 3 + e])
    # (x - 1)/I_A = (y - 1)/I_B and (x - 1)/I_A = (-x - y)/I_C, for x and y.
    a = np.array([[1 / ideal[0], -1 / ideal[1]], [1 / ideal[0] + 1 / ideal[2], 1 / ideal[2]]])
    b = np.array([1 / ideal[0] - 1 / ideal[1], 1 / ideal[0]])
    x, y = np.linalg.solve(a, b)
    ks = bargain.kalai_smorodinsky(m).agreement
    assert (ks["x"], ks["y"]) == pytest.approx((x, y), rel=1e-9)


@pytest.mark.parametrize("v", ["1e-12", "1e-9"])
def test_nash_of_one_less_an_exponential_on_a_tiny_surplus(v):
    # u_A = 1 - exp(-x), u_B = V - x on [0, V], d = 0. Nash (1950): the stationarity
    # exp(-x) / (1 - exp(-x)) = 1 / (V - x), in x = t V, solved by mpmath at 60 digits. The
    # log Nash product was compiled as log1p(-exp(-x)), which computes 1 - exp(-x) inside:
    # at V = 1e-12 the answer was 3.3e-5 off ("degenerate optimum ... accuracy ~1e-7").
    import mpmath

    m = two_party(
        "1 - exp(-x)", "V - x", parameters={"V": v}, variables={"x": {"min": 0, "max": "V"}}
    )
    with mpmath.workdps(60):
        big_v = mpmath.mpf(v)
        t = mpmath.findroot(
            lambda t: (
                (mpmath.exp(-t * big_v) / -mpmath.expm1(-t * big_v) - 1 / (big_v - t * big_v))
                * big_v
            ),
            mpmath.mpf("0.5"),
        )
        right = float(t * big_v)
    for exact in (True, False):
        s = bargain.nash(m, exact=exact)
        assert s.agreement["x"] == pytest.approx(right, rel=1e-13), exact
        assert "degenerate" not in s.route


def test_a_tiny_surplus_in_two_variables_is_solved_exactly():
    # u_W = x, u_A = y, x + y <= 1, d = (1/2, 1/2 - 1e-12): a surplus of 1e-12 on payoffs of
    # 1/2. Every concept splits it equally: x = 1/2 + 5e-13 (Nash 1950; Kalai & Smorodinsky
    # 1975, the ideal gains both 1e-12; Kalai 1977), and the utilitarian sum is 1 on the
    # whole segment x + y = 1 with x in [1/2, 1/2 + 1e-12], its tie-break the Nash point.
    # The searches could not tell gains of 5e-13 from their misses of x + y <= 1 (1e-9 of
    # the payoffs): Nash gave x + y = 1 + 1.4e-11, KS a point 93% off, and then each was
    # refused; the individually rational set, a triangle of width 1e-12 that the linear
    # gains imply, is now the box the searches measure in (implied_box).
    m = bargain.model_from_dict(
        {
            "model": {"name": "tiny2"},
            "variables": {"x": {"min": 0, "max": 1}, "y": {"min": 0, "max": 1}},
            "constraints": {"budget": "x + y <= 1"},
            "parties": {
                "W": {"payoff": "x", "disagreement": 0.5},
                "A": {"payoff": "y", "disagreement": "0.5 - 1e-12"},
            },
        }
    )
    split = sympy.Rational(1000000000001, 2000000000000)
    for solve in (bargain.nash, bargain.kalai_smorodinsky, bargain.egalitarian):
        assert solve(m).exact_agreement == {"x": split, "y": 1 - split}, solve
    s = bargain.utilitarian(m)
    assert s.agreement_set["x"] == pytest.approx((0.5, 0.5 + 1e-12), abs=1e-17)
    assert s.agreement["x"] == pytest.approx(0.5 + 5e-13, abs=1e-17)


def test_a_tiny_surplus_in_two_variables_at_a_bound_is_the_nash_point():
    # u_W = x + y/2, u_A = 1 - x - y, d = (1/2, 1/2 - e), e = 1e-12. A unit of y costs A
    # one and gives W a half, so y = 0 on the frontier and the problem is the split of e in
    # x: Nash (1950) x = 1/2 + e/2, exactly. The interior start (common gain weighted by
    # the gain units 1 and 2, t = e/3) was refused as worse than its search's point,
    # outside A's constraint by 1.6e-10, and the model as "not improving on
    # disagreement"; then the Nash search's point, with both gains 5e-13 "binding" to the
    # search's tolerance, was polished only on active sets holding a gain at zero.
    m = bargain.model_from_dict(
        {
            "model": {"name": "tiny_at_bound"},
            "parameters": {"e": 1e-12},
            "variables": {"x": {"min": 0, "max": 1}, "y": {"min": 0, "max": 1}},
            "parties": {
                "W": {"payoff": "x + y/2", "disagreement": 0.5},
                "A": {"payoff": "1 - x - y", "disagreement": "0.5 - e"},
            },
        }
    )
    half = sympy.Rational(1, 2)
    e = sympy.Symbol("e", real=True)
    nash = bargain.nash(m)
    assert nash.exact_agreement == {"x": half + sympy.Rational(1, 2 * 10**12), "y": 0}
    assert nash.formula == {"x": half + e / 2, "y": 0}
    numeric = bargain.nash(m, exact=False)
    assert numeric.agreement["x"] == pytest.approx(0.5 + 5e-13, abs=1e-17)
    assert numeric.agreement["y"] == 0.0
    for solve in (bargain.kalai_smorodinsky, bargain.utilitarian):
        with pytest.raises(bargain.SolverError, match="below what the search resolves"):
            solve(m)


@pytest.mark.parametrize(
    "parties",
    [
        {"W": "5 + 1e-9*(x + 2*y)", "A": "7 + 1e-9*(1 - x - y)"},
        {"A": "3 + 1e-9*x", "B": "4 + 1e-9*y", "C": "5 + 1e-9*(1 - x - y)"},
    ],
    ids=["two", "three"],
)
def test_faint_egalitarian_in_two_variables_is_refused_not_wrong(parties):
    # d = 0, x + y <= 1: one party's gain is the least everywhere (5 + ... below 7 + ...;
    # 3 + ... below the others), so the egalitarian solution (Kalai 1977) maximises it:
    # (0, 1) and (1, 0). The common-gain search stops short along the faint directions
    # (the first stage's level 5 + 1.75e-9 for 5 + 2e-9), and (0.18, 0.78) and (0.90, 0.10)
    # were reported. Not solved yet: refused by name, the stage's first-order conditions
    # checked component by component against their own terms.
    m = bargain.model_from_dict(
        {
            "model": {"name": "faint"},
            "variables": {"x": {"min": 0, "max": 1}, "y": {"min": 0, "max": 1}},
            "constraints": {"budget": "x + y <= 1"},
            "parties": {name: {"payoff": payoff} for name, payoff in parties.items()},
        }
    )
    with pytest.raises(bargain.SolverError, match="no maximum found: the search stopped at"):
        bargain.egalitarian(m)
