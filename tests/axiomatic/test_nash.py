"""The Nash bargaining solution against closed forms, an independent numeric route, and axioms."""

from __future__ import annotations

import math

import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st
from scipy.optimize import minimize_scalar

import bargain
from bargain.axiomatic.nash import bargaining_powers
from tests.conftest import disagreements, option_of_nearly_everything, shipped, two_party

TOL = 1e-9


def brute_nash(u_a, u_b, d_a=0.0, d_b=0.0, w_a=0.5, w_b=0.5, lo=0.0, hi=1.0) -> float:
    """Independent route: bounded scalar search of the weighted log Nash product."""

    def neg(x: float) -> float:
        ga, gb = u_a(x) - d_a, u_b(x) - d_b
        if ga <= 0 or gb <= 0:
            return math.inf
        return -(w_a * math.log(ga) + w_b * math.log(gb))

    return minimize_scalar(neg, bounds=(lo, hi), method="bounded", options={"xatol": 1e-12}).x


def test_concave_frontier_two_thirds(concave):
    # Nash (1950): maximise x * sqrt(1 - x) on [0, 1]; first-order condition
    # sqrt(1-x) - x / (2 sqrt(1-x)) = 0 gives x = 2/3 (e.g. Osborne & Rubinstein 1990, ch. 2).
    s = bargain.nash(concave)
    assert s.exact
    assert s.exact_agreement["x"] == sympy.Rational(2, 3)
    assert s.agreement["x"] == pytest.approx(2 / 3, abs=TOL)
    assert s.payoffs["B"] == pytest.approx(math.sqrt(1 / 3), abs=TOL)
    assert s.agreement["x"] == pytest.approx(
        brute_nash(lambda x: x, lambda x: math.sqrt(1 - x)), abs=1e-7
    )


def test_split_the_difference_formula(split):
    # Muthoo (1999), §2.2, the split-the-difference rule: x* = d_W + (V - d_W - d_A) / 2.
    s = bargain.nash(split)
    V, d_W, d_A = (sympy.Symbol(n, real=True) for n in ("V", "d_W", "d_A"))
    assert sympy.simplify(s.formula["x"] - (d_W + (V - d_W - d_A) / 2)) == 0
    moved = bargain.nash(split.with_values(V=3, d_W=0.5, d_A=0.25))
    assert moved.agreement["x"] == pytest.approx(0.5 + (3 - 0.75) / 2, abs=TOL)
    assert moved.exact_agreement["x"] == sympy.Rational(13, 8)


@given(
    tau=st.floats(0.05, 0.95),
    d_w=disagreements,
    d_a=disagreements,
)
def test_asymmetric_split_closed_form(tau, d_w, d_a):
    split = shipped("split")
    # Muthoo (1999), §2.3, asymmetric Nash solution of a split: x* = d_W + tau (V - d_W - d_A).
    m = split.with_values(d_W=d_w, d_A=d_a)
    s = bargain.nash(m, powers={"W": tau, "A": 1 - tau}, exact=False)
    assert s.agreement["x"] == pytest.approx(d_w + tau * (1 - d_w - d_a), abs=TOL)


@pytest.mark.parametrize("size", [1, 10**9])
@pytest.mark.parametrize("tiny", [17, 20, 50])
def test_a_share_below_the_contract_rounding_is_measured_down_from_the_bound(size, tiny):
    # x against V - x on [0, V] with powers 1 and a = 10**-k: the generalised Nash solution
    # is x = V / (1 + a) (Roth 1979, ch. 2; Osborne & Rubinstein 1990, §2.6), the other
    # party's payoff V a / (1 + a), below the rounding of V. Its float was V, where 1 - x is
    # 0 (refused: "the search ended at x = 1 where A gains nothing"), or the float below,
    # where A's payoff was 1.1e-16 for 1e-17. Measured down from V, A's payoff is its own.
    m = two_party("x", "V - x", parameters={"V": size}, variables={"x": {"min": 0, "max": "V"}})
    a = sympy.Rational(1, 10**tiny)
    s = bargain.nash(m, powers={"A": 1, "B": a})
    assert s.agreement["x"] == float(size)  # the float nearest V / (1 + a)
    assert s.payoffs["B"] == pytest.approx(float(size * a / (1 + a)), rel=1e-12)
    assert s.payoffs["A"] == float(size)
    assert any("measured down from it" in text for text in s.assumptions)


@given(w=st.floats(0.05, 0.95))
def test_generalised_nash_concave(w):
    concave = shipped("concave")
    # Generalised Nash with powers (w, 1-w) on u_A = x, u_B = sqrt(1 - x): the first-order
    # condition w / x = (1 - w) / (2 (1 - x)) gives x = w / (w + (1 - w) / 2).
    s = bargain.nash(concave, powers={"A": w, "B": 1 - w}, exact=False)
    closed = w / (w + (1 - w) / 2)
    assert s.agreement["x"] == pytest.approx(closed, abs=TOL)
    route = brute_nash(lambda x: x, lambda x: math.sqrt(1 - x), w_a=w, w_b=1 - w)
    assert s.agreement["x"] == pytest.approx(route, abs=1e-7)


def test_generalised_nash_exact_formula_in_power():
    m = two_party(
        "x",
        "1 - x",
        parameters={"beta": 0.3},
        A={"bargaining_power": "beta"},
        B={"bargaining_power": "1 - beta"},
    )
    s = bargain.nash(m)
    beta = sympy.Symbol("beta", real=True)
    assert sympy.simplify(s.formula["x"] - beta) == 0
    assert s.powers == {"A": pytest.approx(0.3), "B": pytest.approx(0.7)}


@given(
    alpha=st.floats(0.1, 10),
    beta=st.floats(-5, 5),
    d=disagreements,
)
def test_affine_invariance(alpha, beta, d):
    # Nash's axiom INV: rescaling one party's utility (and its disagreement payoff)
    # by u -> alpha u + beta leaves the agreement unchanged.
    base = bargain.nash(two_party("x", "sqrt(1 - x)", d_a=d), exact=False)
    scaled = bargain.nash(
        two_party(f"{alpha!r} * x + {beta!r}", "sqrt(1 - x)", d_a=alpha * d + beta), exact=False
    )
    assert scaled.agreement["x"] == pytest.approx(base.agreement["x"], abs=1e-8)


@given(p=st.floats(0.2, 3))
def test_symmetry(p):
    # Symmetric problem (u_A(x) = f(x), u_B(x) = f(1 - x)): equal payoffs. Here and below p
    # is a parameter's value, not written in: the compiled programs are keyed by structure
    # (an exponent written in is compiled anew for each value), so every example reuses them.
    s = bargain.nash(two_party("x**p", "(1 - x)**p", parameters={"p": p}), exact=False)
    assert s.payoffs["A"] == pytest.approx(s.payoffs["B"], abs=1e-8)
    assert s.agreement["x"] == pytest.approx(0.5, abs=1e-8)


@given(p=st.floats(0.2, 1), cut=st.floats(0.0, 0.3))
def test_independence_of_irrelevant_alternatives(p, cut):
    # Nash's IIA: removing alternatives that are not chosen (here: x above x* + cut)
    # leaves the solution unchanged.
    full = bargain.nash(two_party("x", "(1 - x)**p", parameters={"p": p}), exact=False)
    limit = full.agreement["x"] + cut
    capped = two_party(
        "x", "(1 - x)**p", parameters={"p": p}, constraints={"cap": f"x <= {limit!r}"}
    )
    smaller = bargain.nash(capped, exact=False)
    assert smaller.agreement["x"] == pytest.approx(full.agreement["x"], abs=1e-8)


@given(p=st.floats(0.2, 3), d_a=disagreements, d_b=disagreements)
def test_pareto_efficiency(p, d_a, d_b):
    # No agreement on a fine grid gives both parties strictly more.
    s = bargain.nash(
        two_party("x", "(1 - x)**p", parameters={"p": p}, d_a=d_a, d_b=d_b), exact=False
    )
    ua, ub = s.payoffs["A"], s.payoffs["B"]
    for i in range(1001):
        x = i / 1000
        assert not (x > ua + 1e-9 and (1 - x) ** p > ub + 1e-9)


def test_logrolling_package_beats_issue_by_issue_split():
    m = bargain.load_model(bargain.models_dir() / "logrolling.toml")
    s = bargain.nash(m)
    assert s.agreement == {"a": pytest.approx(1, abs=TOL), "b": pytest.approx(0, abs=TOL)}
    assert s.payoffs == {"W": pytest.approx(2, abs=TOL), "A": pytest.approx(2, abs=TOL)}
    # Splitting each issue in half gives each side 1.5: the package is better for both.
    half = {"a": 0.5, "b": 0.5}
    assert s.payoffs["W"] > 2 * half["a"] + half["b"]
    assert s.payoffs["A"] > (1 - half["a"]) + 2 * (1 - half["b"])


def test_two_variable_interior_against_closed_form():
    # u_A = a + b, u_B = (1 - a)(1 - b) on the unit square. The log Nash product is strictly
    # concave; its first-order conditions 1/(a+b) = 1/(1-a) = 1/(1-b) give a = b = 1/3.
    m = two_party(
        "a + b",
        "(1 - a) * (1 - b)",
        variables={"a": {"min": 0, "max": 1}, "b": {"min": 0, "max": 1}},
    )
    s = bargain.nash(m)
    assert s.agreement["a"] == pytest.approx(1 / 3, abs=TOL)
    assert s.agreement["b"] == pytest.approx(1 / 3, abs=TOL)


def test_powers_errors(split):
    with pytest.raises(bargain.ModelError, match="unknown party 'Z'"):
        bargain.nash(split, powers={"Z": 1})
    with pytest.raises(bargain.ModelError, match="positive"):
        bargain.nash(split, powers={"W": 0, "A": 1})
    with pytest.raises(bargain.ModelError, match="not for A"):
        bargain.nash(split, powers={"W": 1})


def test_bargaining_powers_default_equal(split):
    assert bargaining_powers(split) == {"W": sympy.Rational(1, 2), "A": sympy.Rational(1, 2)}


def _separable(n: int, *, coefficients: bool = False) -> bargain.Model:
    """``n`` issues: issue ``i`` is worth ``a_i x_i - x_i**2/2`` to W and ``b_i (2 - x_i)``
    to A (with ``coefficients``, each ``a_i``, ``b_i`` a parameter)."""
    params: dict = {"d_W": {"value": 0.1, "range": [0, 0.5]}, "d_A": {"value": 0.05}}
    w, a = [], []
    for i in range(n):
        ai, bi = 1 + i % 3, 1 + (i + 1) % 2
        if coefficients:
            params[f"a{i}"], params[f"b{i}"] = ai, bi
            ai, bi = f"a{i}", f"b{i}"
        w.append(f"{ai} * x{i} - x{i}**2 / 2")
        a.append(f"{bi} * (2 - x{i})")
    return bargain.model_from_dict(
        {
            "model": {"name": f"separable{n}"},
            "parameters": params,
            "variables": {f"x{i}": {"min": 0, "max": 2} for i in range(n)},
            "parties": {
                "W": {"payoff": " + ".join(w), "disagreement": "d_W"},
                "A": {"payoff": " + ".join(a), "disagreement": "d_A"},
            },
        }
    )


@pytest.mark.parametrize("n", [3, 5])
def test_separable_issues_closed_form(n):
    # Nash (1950) over n issues with separable payoffs (Raiffa 1982, integrative bargaining):
    # at an interior issue the first-order condition is (a_i - x_i) / b_i = lambda, the
    # ratio of the gains (u_W - d_W) / (u_A - d_A), the same on every issue.
    m = _separable(n)
    s = bargain.nash(m)
    assert s.exact and s.formula is not None
    gains = (s.payoffs["W"] - 0.1) / (s.payoffs["A"] - 0.05)
    for i in range(n):
        x = s.agreement[f"x{i}"]
        if 1e-9 < x < 2 - 1e-9:
            assert (1 + i % 3 - x) / (1 + (i + 1) % 2) == pytest.approx(gains, rel=1e-12)
    # The formula holds at other values of the parameters (same active set), against the
    # numeric route.
    other = m.with_values(d_W=0.3, d_A=0.2)
    numeric = bargain.nash(other, exact=False)
    at = {
        sympy.Symbol(k, real=True): sympy.Rational(v)
        for k, v in {"d_W": "0.3", "d_A": "0.2"}.items()
    }
    for name, formula in s.formula.items():
        assert float(formula.xreplace(at)) == pytest.approx(numeric.agreement[name], abs=TOL)


def test_separable_issues_independent_route():
    # The exact answer against a direct multi-start maximisation of the log Nash product.
    from scipy.optimize import minimize

    s = bargain.nash(_separable(3))
    a, b = [1, 2, 3], [2, 1, 2]

    def neg(x):
        gw = sum(a[i] * x[i] - x[i] ** 2 / 2 for i in range(3)) - 0.1
        ga = sum(b[i] * (2 - x[i]) for i in range(3)) - 0.05
        if gw <= 0 or ga <= 0:
            return math.inf, [0.0] * 3
        gradient = [-((a[i] - x[i]) / gw - b[i] / ga) for i in range(3)]
        return -(math.log(gw) + math.log(ga)), gradient

    best = min(
        (
            minimize(
                neg,
                x0,
                jac=True,
                bounds=[(0, 2)] * 3,
                method="L-BFGS-B",
                options={"ftol": 1e-15, "gtol": 1e-13},
            )
            for x0 in ([1, 1, 1], [0.5, 1.5, 1], [1.5, 0.5, 1.8])
        ),
        key=lambda r: r.fun,
    )
    for i in range(3):
        assert s.agreement[f"x{i}"] == pytest.approx(best.x[i], abs=1e-8)


def test_separable_issues_declined_by_work(monkeypatch):
    # With every coefficient a parameter the closed form is too large: it is declined after
    # solving one unknown at a time, never by handing sympy the whole system.
    from bargain.concepts.budget import Budget

    sizes = []
    original = Budget.solve

    def solve(self, equations, unknowns):
        sizes.append(len(unknowns))
        return original(self, equations, unknowns)

    monkeypatch.setattr(Budget, "solve", solve)
    s = bargain.nash(_separable(5, coefficients=True))
    assert not s.exact
    assert "closed form declined" in s.route
    assert sizes and max(sizes) == 1


def test_separate_maximisers_are_reported_as_a_set():
    # u_A = x, u_B = (1/4 - (x - 0.3)^2 (x - 0.7)^2) / x on [0.1, 1], d = 0: the Nash
    # product is 1/4 - (x - 0.3)^2 (x - 0.7)^2, maximal (1/4) at x = 0.3 and at x = 0.7 and
    # smaller between: the solution is the set of both (reported as one point before).
    m = two_party(
        "x", "(0.25 - (x - 0.3)**2*(x - 0.7)**2)/x", variables={"x": {"min": 0.1, "max": 1}}
    )
    s = bargain.nash(m)
    assert not s.unique
    assert [p["x"] for p in s.agreement_points] == pytest.approx([0.3, 0.7], abs=1e-9)
    for p in s.agreement_points:  # each is a maximum of the product, 1/4
        x = p["x"]
        assert x * (0.25 - (x - 0.3) ** 2 * (x - 0.7) ** 2) / x == pytest.approx(0.25, abs=1e-15)


@pytest.mark.parametrize(
    ("a", "b"),
    [("exp(x)", "exp(-x)"), ("1 + x", "1/(1 + x)"), ("exp(exp(exp(x)))", "exp(-exp(exp(x)))")],
)
def test_a_nash_product_constant_in_the_contract_is_a_set(a, b):
    # u_A u_B = 1 for every x in [0, 1]: every agreement maximises the Nash product (Nash 1950:
    # the solution maximises it; here it is not unique), so the solution is the whole
    # individually rational set, not the one point (ln 2, sqrt 2 - 1) the search ended at.
    s = bargain.nash(two_party(a, b))
    assert s.agreement_set == {"x": (0.0, 1.0)}
    assert s.payoffs["A"] * s.payoffs["B"] == pytest.approx(1.0, rel=1e-12)


def test_a_flat_but_strict_maximum_is_one_agreement():
    # 1 - (1 - x)**30 against 1 - x**30: the log Nash product is symmetric about 1/2 with
    # second derivative -6.5e-6 there, a strict maximum (Nash 1950), which was reported as two
    # "separate maximisers", both x = 1/2 (one a search's end 3e-6 off, polished onto it).
    # Independent route: the first-order condition in 50 digits.
    import mpmath

    s = bargain.nash(two_party("1 - (1 - x)**30", "1 - x**30"))
    assert s.agreement_points == ()
    with mpmath.workdps(50):
        x = mpmath.findroot(
            lambda x: mpmath.diff(
                lambda x: mpmath.log(1 - (1 - x) ** 30) + mpmath.log(1 - x**30), x
            ),
            0.49,
        )
    assert s.agreement["x"] == pytest.approx(float(x), abs=1e-12)


@pytest.mark.parametrize("a", [1e-7, 1e-9])
def test_cara_with_a_tiny_risk_aversion_against_a_40_digit_route(a):
    # The shipped cara model: u_W = (1 - exp(-a x)) / a, u_A = 1 - x (d = 0). Computed as
    # written, 1 - exp(-a x) keeps 7 of its digits at a = 1e-9 (Higham 2002, §1.14.1); the
    # Kalai–Smorodinsky ideal point came out 0.904 for 1 - a/2 and the solution 0.4749 for
    # 0.4999999999375; Nash was off by 6e-8. Both against mpmath in 40 digits: Nash from the
    # first-order condition u_W' u_A = u_W (Nash 1950), KS from u_W / I_W = u_A / I_A with
    # I_W = u_W(1), I_A = 1 (Kalai & Smorodinsky 1975).
    import mpmath

    m = bargain.load_model(bargain.models_dir() / "cara.toml").with_values(a=a)
    with mpmath.workdps(40):
        aa = mpmath.mpf(a)
        u = lambda x: -mpmath.expm1(-aa * x) / aa  # noqa: E731
        nash_x = mpmath.findroot(lambda x: mpmath.exp(-aa * x) * (1 - x) - u(x), 0.5)
        ideal = u(1)
        ks_x = mpmath.findroot(lambda x: u(x) / ideal - (1 - x), 0.5)
    assert bargain.nash(m, exact=False).agreement["x"] == pytest.approx(float(nash_x), rel=1e-12)
    ks = bargain.kalai_smorodinsky(m, exact=False)
    assert ks.extra["ideal"]["W"] == pytest.approx(float(ideal), rel=1e-12)
    assert ks.agreement["x"] == pytest.approx(float(ks_x), rel=1e-12)


def test_an_outside_option_left_out_is_said_so():
    # A's outside option 1 - 1e-12 is no part of Nash's (1950) problem, whose threat point
    # is d: the symmetric split x = 1/2 leaves A below it, which the solution did not say.
    # The alternating-offers limit (Binmore, Rubinstein & Wolinsky 1986) holds the option as
    # a constraint (the outside-option principle): A gets it, x = 1e-12.
    m = option_of_nearly_everything()
    s = bargain.nash(m)
    assert s.agreement["x"] == 0.5
    (said,) = [a for a in s.assumptions if a.startswith("outside options (A)")]
    assert "A gets 0.5, below its outside option 0.999999999999" in said
    limit = bargain.nash(m, limit=True)
    assert limit.agreement["x"] == pytest.approx(1e-12, abs=1e-24)
    assert not any(a.startswith("outside options") for a in limit.assumptions)


@pytest.mark.parametrize("k", [40, 45, 50])
def test_a_root_of_a_huge_degree_in_the_exact_route(k):
    # u_W = x**(2**-k) against 1 - x: the Nash product's log a ln x + ln(1 - x), a = 2**-k,
    # is largest where a/x = 1/(1 - x), x = a/(1 + a) = 1/(2**k + 1) (Nash 1950). At k = 45
    # the exact route's check of the closed form substituted x = 1/(2**45 + 1) into the
    # payoff, and sympy sought the root of degree 2**45 exactly: the solve never ended.
    m = two_party(f"x**(1/{2**k})", "1 - x")
    s = bargain.nash(m)
    assert s.agreement["x"] == pytest.approx(1 / (2**k + 1), rel=1e-12)
    assert bargain.nash(m, exact=False).agreement["x"] == pytest.approx(s.agreement["x"], rel=1e-9)
    if s.exact_agreement is not None:
        assert s.exact_agreement["x"] == sympy.Rational(1, 2**k + 1)


def test_a_sweep_over_a_root_of_a_huge_degree():
    # The sweep's closed route checked the formula by substituting it into x**(2**-45)
    # (45 nested square roots), and sympy sought roots of degree 2**45: the sweep never
    # ended. The formula is now left unchecked there, and the sweep solves numerically;
    # x = 1/(2**45 + 1) at every k (the factor k of A's payoff leaves the Nash product's
    # maximiser where it was).
    m = two_party("sqrt(" * 45 + "x" + ")" * 45, "k*(1 - x)", parameters={"k": 1})
    frame = bargain.sweep(m, "nash", {"k": (0.5, 2.0, 3)})
    assert list(frame["status"]) == ["ok"] * 3
    assert list(frame["x"]) == pytest.approx([1 / (2**45 + 1)] * 3, rel=1e-9)
    with pytest.raises(bargain.ModelError, match=r"\[sweep\] route: no closed form"):
        bargain.sweep(m, "nash", {"k": (0.5, 2.0, 3)}, route="closed")
