"""The alternating-offers game where the answer's scale is not the contract range's:
wide contract bounds around a unit agreement, tiny shares, a large common payoff level,
and a narrow window high up (session 29's fresh-user findings).

Every right value is computed here independently of the solver: by exact backward
induction in fractions for finite horizons (each responder is offered what rejecting is
worth to it, Osborne & Rubinstein 1990, ch. 3), and from the two responders'
indifference conditions in closed form for the infinite game (Rubinstein 1982; with an
outside option, Binmore, Shaked & Sutton 1989; with breakdown risk, Binmore, Rubinstein
& Wolinsky 1986).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest

import bargain
from tests.conftest import option_of_nearly_everything


def split(lo: float, hi: float, *, bargaining: dict[str, Any] | None = None, **extra: Any):
    """W gets ``x``, A ``1 - x``, ``δ_W = 0.9``, ``δ_A = 0.8``, W first, ``x`` in
    ``[lo, hi]``; ``extra`` adds keys to a party's table."""
    return bargain.model_from_dict(
        {
            "model": {"name": "wide"},
            "variables": {"x": {"min": lo, "max": hi}},
            "parties": {
                "W": {"payoff": "x", "discount_factor": 0.9, **extra.get("W", {})},
                "A": {"payoff": "1 - x", "discount_factor": 0.8, **extra.get("A", {})},
            },
            "bargaining": {"first_proposer": "W", **(bargaining or {})},
        }
    )


def backward(rounds: int, d_w: Fraction, d_a: Fraction, outside_a: Fraction = Fraction(-1)):
    """W's share of the unit in round 0 of ``rounds`` rounds, W proposing in even rounds,
    disagreement 0 after the last: the proposer offers the responder what rejecting is
    worth to it (its outside option, or its share next round discounted)."""
    w_next, a_next = Fraction(0), Fraction(0)  # after the deadline
    for k in reversed(range(rounds)):
        if k % 2 == 0:  # W proposes: A gets max(o_A, δ_A a')
            a_now = max(outside_a, d_a * a_next)
            w_next, a_next = 1 - a_now, a_now
        else:  # A proposes: W gets δ_W w'
            w_now = d_w * w_next
            w_next, a_next = w_now, 1 - w_now
    return w_next


@pytest.mark.parametrize("rounds", [2, 3, 4, 5, 6])
@pytest.mark.parametrize("bounds", [(-1e15, 1e15), (-1e9, 1e9), (0.0, 1.0)])
def test_a_deadline_in_wide_bounds_is_backward_induction(rounds, bounds):
    # Bounds of ±1e15 around a unit agreement: brentq stopped at a tolerance of the
    # range (about 1), and printed dyadic values (0.625 for 0.8624 at five rounds).
    right = backward(rounds, Fraction(9, 10), Fraction(4, 5))
    s = bargain.rubinstein(split(*bounds), horizon=rounds)
    assert s.agreement["x"] == pytest.approx(float(right), rel=1e-14, abs=0)


@pytest.mark.parametrize("bounds", [(-1e15, 1e15), (0.0, 1e15), (-1.0, 2.0)])
def test_an_outside_option_in_wide_bounds_binds(bounds):
    # Binmore, Shaked & Sutton (1989): A's option 0.6 exceeds δ_A (1 - x_A) at the
    # Rubinstein proposals (2/7), so W offers A exactly 0.6: x = 2/5. At ±1e15 the
    # tool printed the option-free 5/7, labelled exact.
    s = bargain.rubinstein(split(*bounds, A={"outside_option": 0.6}))
    assert s.agreement["x"] == pytest.approx(0.4, rel=1e-14, abs=0)
    assert s.binding == ("A outside option",)
    if s.exact:
        assert s.exact_agreement["x"] == Fraction(2, 5)


def test_an_outside_option_and_a_deadline_in_wide_bounds():
    right = backward(4, Fraction(9, 10), Fraction(4, 5), Fraction(3, 5))
    assert right == Fraction(344, 1000)  # the fresh user's value by hand
    s = bargain.rubinstein(split(-1e15, 1e15, A={"outside_option": 0.6}), horizon=4)
    assert s.agreement["x"] == pytest.approx(float(right), rel=1e-14, abs=0)


def test_a_sweep_of_a_deadline_in_wide_bounds_agrees_with_backward_induction():
    m = bargain.model_from_dict(
        {
            "model": {"name": "wide"},
            "parameters": {"dW": 0.9},
            "variables": {"x": {"min": -1e15, "max": 1e15}},
            "parties": {
                "W": {"payoff": "x", "discount_factor": "dW"},
                "A": {"payoff": "1 - x", "discount_factor": 0.8},
            },
            "bargaining": {"first_proposer": "W", "horizon": 5},
        }
    )
    df = bargain.sweep(m, "rubinstein", vary={"dW": (0.5, 0.9, 3)})
    right = [backward(5, Fraction(d), Fraction(4, 5)) for d in ("0.5", "0.7", "0.9")]
    assert list(df["x"]) == pytest.approx([float(r) for r in right], rel=1e-14, abs=0)
    assert list(df["status"]) == ["ok"] * 3


def on_a_level(level: float, risk: float, surplus: float = 1.0):
    """W gets ``L + x``, A ``L + V - x``, both ``L`` on breakdown (risk ``q`` a round),
    no discounting, W first."""
    return bargain.model_from_dict(
        {
            "model": {"name": "level"},
            "parameters": {"L": level, "q": risk, "V": surplus},
            "variables": {"x": {"min": 0, "max": "V"}},
            "parties": {
                "W": {"payoff": "L + x", "disagreement": "L", "discount_factor": 1},
                "A": {"payoff": "L + V - x", "disagreement": "L", "discount_factor": 1},
            },
            "bargaining": {"first_proposer": "W", "breakdown_probability": "q"},
        }
    )


def brw(risk: str, surplus: str = "1") -> float:
    """Binmore, Rubinstein & Wolinsky (1986): with breakdown risk ``q`` a round and no
    discounting the first proposer gets ``V / (2 - q)`` of the surplus over a common
    disagreement level (``x_W = V - (1 - q)(V - x_A)``, ``x_A = (1 - q) x_W``)."""
    return float(Fraction(surplus) / (2 - Fraction(risk)))


@pytest.mark.parametrize(
    ("level", "risk", "surplus"),
    [
        ("1e9", "1e-9", "1"),
        ("1e14", "0.001", "1"),
        ("1", "0.001", "1e-14"),
        ("1e9", "0.001", "1e-5"),
    ],
)
def test_breakdown_risk_on_a_common_level_splits_the_surplus(level, risk, surplus):
    # The level cancels. The responder's level L + V - qV rounded to u(0) = L + V, so
    # every offer was x = 0 (W at its disagreement payoff).
    s = bargain.rubinstein(on_a_level(float(level), float(risk), float(surplus)))
    assert s.agreement["x"] == pytest.approx(brw(risk, surplus), rel=1e-12, abs=0)


def test_a_sweep_of_breakdown_risk_on_a_common_level():
    df = bargain.sweep(
        on_a_level(1e9, 0.001), "rubinstein", vary={"L": (1e9, 1e14, 2), "V": (1e-5, 1, 2)}
    )
    right = [brw("0.001", str(v)) for v in df["V"]]
    assert list(df["x"]) == pytest.approx(right, rel=1e-12, abs=0)
    assert set(df["status"]) == {"ok"}


def patient_on_a_level(level: float, impatience: float):
    """W gets ``L + x``, A ``L + 1 - x``, both ``δ = 1 - e``, disagreement 0, W first."""
    return bargain.model_from_dict(
        {
            "model": {"name": "patient"},
            "parameters": {"L": level, "e": impatience},
            "variables": {"x": {"min": 0, "max": 1}},
            "parties": {
                "W": {"payoff": "L + x", "discount_factor": "1 - e"},
                "A": {"payoff": "L + 1 - x", "discount_factor": "1 - e"},
            },
            "bargaining": {"first_proposer": "W"},
        }
    )


def on_level(level: str, impatience: str) -> float:
    """Rubinstein (1982) on the level: ``L + 1 - x_W = δ (L + 1 - x_A)`` and
    ``L + x_A = δ (L + x_W)`` with ``δ = 1 - e`` give ``x_W = (1 + e L) / (2 - e)``."""
    big, e = Fraction(level), Fraction(impatience)
    return float((1 + e * big) / (2 - e))


@pytest.mark.parametrize("exact", [True, False])
@pytest.mark.parametrize(
    ("level", "impatience"),
    [("1e9", "1e-11"), ("1e9", "1e-12"), ("1e6", "1e-11"), ("1e12", "1e-21")],
)
def test_patient_parties_on_a_large_level_keep_its_term(level, impatience, exact):
    # 1 - δ² below 1e-10: the patient limit (the Nash split, 0.5) was returned without
    # the first-order e L term (0.505 at L = 1e9, e = 1e-11).
    s = bargain.rubinstein(patient_on_a_level(float(level), float(impatience)), exact=exact)
    assert s.agreement["x"] == pytest.approx(on_level(level, impatience), rel=1e-13, abs=0)


def test_a_sweep_of_patient_parties_on_a_large_level():
    df = bargain.sweep(
        patient_on_a_level(1e9, 1e-12),
        "rubinstein",
        vary={"L": (1e6, 1e9, 2), "e": (1e-12, 1e-11, 2)},
    )
    right = [on_level(repr(big), repr(e)) for big, e in zip(df["L"], df["e"], strict=True)]
    assert list(df["x"]) == pytest.approx(right, rel=1e-12, abs=0)
    assert set(df["status"]) == {"ok"}


def impatient(d_w: str, d_a: str, horizon: int | None = None):
    """W gets ``x``, A ``1 - x``, discount factors ``d_W``, ``d_A``, A first."""
    return bargain.model_from_dict(
        {
            "model": {"name": "impatient"},
            "parameters": {"dW": float(d_w), "dA": float(d_a)},
            "variables": {"x": {"min": 0, "max": 1}},
            "parties": {
                "W": {"payoff": "x", "discount_factor": "dW"},
                "A": {"payoff": "1 - x", "discount_factor": "dA"},
            },
            "bargaining": {"first_proposer": "A", **({"horizon": horizon} if horizon else {})},
        }
    )


def second_movers_share(d_w: str, d_a: str) -> float:
    """Rubinstein (1982): the responder W's share when A proposes first,
    ``δ_W (1 - δ_A) / (1 - δ_W δ_A)`` (Osborne & Rubinstein 1990, ch. 3), in fractions."""
    dw, da = Fraction(d_w), Fraction(d_a)
    return float(dw * (1 - da) / (1 - dw * da))


@pytest.mark.parametrize("exact", [True, False])
@pytest.mark.parametrize(("d_w", "d_a"), [("1e-12", "1e-13"), ("1e-9", "2e-9"), ("1e-12", "2e-12")])
def test_tiny_discount_factors_keep_the_small_share_digits(d_w, d_a, exact):
    # The responder's level δ u(y) was computed as u(y) - ε u(y) with ε = 1 - δ:
    # 9.9997787828e-13 for 9.999999999999e-13 (a relative error of 2.2e-5).
    s = bargain.rubinstein(impatient(d_w, d_a), exact=exact)
    assert s.agreement["x"] == pytest.approx(second_movers_share(d_w, d_a), rel=1e-13, abs=0)


@pytest.mark.parametrize("rounds", [2, 3, 4, 7, 50])
def test_tiny_discount_factors_with_a_deadline(rounds):
    # W's share of round 0 by exact backward induction, A proposing in even rounds
    # (W proposes last when ``rounds`` is even): horizon 2 gives δ_W exactly.
    d_w, d_a = Fraction("1e-12"), Fraction("1e-13")
    w = Fraction(1) if rounds % 2 == 0 else Fraction(0)  # the last proposer takes all
    for k in reversed(range(rounds - 1)):
        w = d_w * w if k % 2 == 0 else 1 - d_a * (1 - w)
    s = bargain.rubinstein(impatient("1e-12", "1e-13", rounds))
    assert s.agreement["x"] == pytest.approx(float(w), rel=1e-13, abs=0)


@pytest.mark.parametrize("route", ["auto", "loop"])
def test_a_sweep_of_tiny_discount_factors_agrees_with_the_closed_form(route):
    df = bargain.sweep(
        impatient("1e-12", "1e-13"),
        "rubinstein",
        vary={"dW": (1e-12, 1e-9, 2), "dA": (1e-13, 1e-10, 2)},
        route=route,
    )
    right = [second_movers_share(repr(w), repr(a)) for w, a in zip(df["dW"], df["dA"], strict=True)]
    assert list(df["x"]) == pytest.approx(right, rel=1e-13, abs=0)


def window_high_up(level: float, width: float):
    """``x`` in ``[a, a + w]``, W gets ``x - a``, A ``a + w - x``, ``δ`` 0.9 and 0.8."""
    return bargain.model_from_dict(
        {
            "model": {"name": "window"},
            "parameters": {"a": level, "w": width},
            "variables": {"x": {"min": "a", "max": "a + w"}},
            "parties": {
                "W": {"payoff": "x - a", "discount_factor": 0.9},
                "A": {"payoff": "a + w - x", "discount_factor": 0.8},
            },
            "bargaining": {"first_proposer": "W"},
        }
    )


@pytest.mark.parametrize("exact", [True, False])
@pytest.mark.parametrize(
    ("level", "width"), [(1e9, 1e-3), (1e12, 1.0), (1e6, 1e-6), (1e9, 1.0), (1e3, 1e-3)]
)
def test_a_narrow_window_high_up_is_solved_in_the_window(level, width, exact):
    # Rubinstein (1982): W gets (1 - δ_A)/(1 - δ_W δ_A) = 5/7 of the window. The window
    # was refused as "not strictly monotone" (x - a moves by less than 64 roundings of
    # 1e9 a grid step), and at a = 1e9, w = 1 W got 0.714285731316 (x's own rounding).
    s = bargain.rubinstein(window_high_up(level, width), exact=exact)
    right = float(Fraction(5, 7) * Fraction(width))
    assert s.payoffs["W"] == pytest.approx(right, rel=1e-12, abs=0)
    assert s.payoffs["A"] == pytest.approx(float(Fraction(width) - Fraction(right)), rel=1e-12)
    assert s.agreement["x"] == pytest.approx(level + right, rel=1e-15, abs=0)


def level_with_fields(
    level: float, first: str, w: dict[str, Any], a: dict[str, Any], **bargaining: Any
):
    """W gets L + x, A gets L + 1 - x, both L on disagreement; ``w``, ``a`` add fields."""
    return bargain.model_from_dict(
        {
            "model": {"name": "level_option"},
            "parameters": {"L": level},
            "variables": {"x": {"min": 0, "max": 1}},
            "parties": {
                "W": {"payoff": "L + x", "disagreement": "L", **w},
                "A": {"payoff": "L + 1 - x", "disagreement": "L", **a},
            },
            "bargaining": {"first_proposer": first, **bargaining},
        }
    )


@pytest.mark.parametrize("level", [0.0, 1e9, 1e12, 1e15])
def test_an_outside_option_on_a_common_level(level):
    # The outside-option principle (Binmore, Shaked & Sutton 1989): an option that beats
    # what a party gets by bargaining on is what it gets. W's option 0.7 over L beats its
    # 0.9 * 0.2 / 0.28 = 0.643 as A's responder: x = 0.7. A's option 0.6 beats its
    # 0.8 * 0.1 / 0.28 = 0.286: x = 0.4. With delta = 1 and breakdown 0.1 (BRW 1986) A
    # gets 0.1 / 0.19 = 0.526 < 0.6 bargaining: x = 0.4. On a level of 1e12 and 1e15 the
    # option was compared with the level's floats (0.125 apart at 1e15) and reached in
    # them: 0.699951171875, 0.75, 0.375, 0.49375.
    w_option = level_with_fields(
        level, "A", {"discount_factor": 0.9, "outside_option": "L + 0.7"}, {"discount_factor": 0.8}
    )
    assert bargain.rubinstein(w_option).agreement["x"] == pytest.approx(0.7, abs=1e-12)
    a_option = level_with_fields(
        level, "W", {"discount_factor": 0.9}, {"discount_factor": 0.8, "outside_option": "L + 0.6"}
    )
    assert bargain.rubinstein(a_option).agreement["x"] == pytest.approx(0.4, abs=1e-12)
    risk = level_with_fields(
        level,
        "W",
        {"discount_factor": 1},
        {"discount_factor": 1, "outside_option": "L + 0.6"},
        breakdown_probability=0.1,
    )
    assert bargain.rubinstein(risk).agreement["x"] == pytest.approx(0.4, abs=1e-12)


@pytest.mark.parametrize(("first", "share"), [("W", 1e-12), ("A", 5e-13)])
def test_an_outside_option_of_nearly_everything(first, share):
    # A's option 1 - 1e-12 binds (BSS 1989): W proposing leaves A exactly it, x = 1e-12;
    # A proposing offers W its bargaining-on value delta_W * 1e-12 = 5e-13 (delta_W = 1/2).
    # The float 1 - o kept 4 digits: 9.9997787828e-13, and the exact form was rejected.
    s = bargain.rubinstein(option_of_nearly_everything(first))
    assert s.agreement["x"] == pytest.approx(share, rel=1e-12)
