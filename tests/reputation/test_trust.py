"""Bayesian trust updates: closed forms, an enumeration route, and the monotonicity properties."""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

import bargain
from bargain.reputation.trust import posterior, promises_to_rebuild

probability = st.floats(0, 1)
outcomes = st.lists(st.sampled_from(["kept", "broken"]), max_size=8)


def joint_probabilities(prior, observed, error, keeps):
    """Independent route: P(type and outcomes) for each type, by direct multiplication."""
    joint = {}
    for honest in (True, False):
        p = prior if honest else 1 - prior
        p_keep = 1 - error if honest else keeps
        for outcome in observed:
            p *= p_keep if outcome == "kept" else 1 - p_keep
        joint[honest] = p
    return joint


def test_one_broken_promise_closed_form():
    # Bayes' rule: p e / (p e + (1 - p)(1 - h)).
    p, e, h = 0.8, 0.1, 0.2
    assert posterior(p, ["broken"], error=e, opportunist_keeps=h) == pytest.approx(
        p * e / (p * e + (1 - p) * (1 - h)), abs=1e-15
    )


@given(
    prior=st.floats(0.01, 0.99),
    error=st.floats(0, 0.45),
    keeps=st.floats(0, 0.5),
    observed=outcomes,
)
def test_against_enumeration(prior, error, keeps, observed):
    joint = joint_probabilities(prior, observed, error, keeps)
    total = joint[True] + joint[False]
    if total == 0:  # a history neither type can produce is refused, never a NaN
        with pytest.raises(bargain.ModelError, match="impossible for both types"):
            posterior(prior, observed, error=error, opportunist_keeps=keeps)
        return
    value = posterior(prior, observed, error=error, opportunist_keeps=keeps)
    assert value == pytest.approx(joint[True] / total, abs=1e-12)


def test_impossible_history_is_refused():
    # With no error only an opportunist breaks a promise, and this one never keeps any.
    with pytest.raises(bargain.ModelError, match="impossible for both types"):
        posterior(0.5, ["broken", "kept"])


@given(prior=probability, error=st.floats(0, 0.45), keeps=st.floats(0, 0.5), before=outcomes)
def test_a_broken_promise_never_raises_trust(prior, error, keeps, before):
    try:
        now = posterior(prior, before, error=error, opportunist_keeps=keeps)
        after = posterior(now, ["broken"], error=error, opportunist_keeps=keeps)
    except bargain.ModelError:
        return  # an impossible history
    assert after <= now + 1e-15


@given(
    low=st.floats(0, 0.98),
    step=st.floats(0.01, 0.5),
    observed=outcomes,
    error=st.floats(0.01, 0.45),
    keeps=st.floats(0.01, 0.5),
)
def test_posterior_is_monotone_in_the_prior(low, step, observed, error, keeps):
    high = min(1.0, low + step)
    assert (
        posterior(low, observed, error=error, opportunist_keeps=keeps)
        <= posterior(high, observed, error=error, opportunist_keeps=keeps) + 1e-15
    )


@given(target=st.floats(0.05, 0.95), error=st.floats(0.01, 0.45), keeps=st.floats(0.05, 0.5))
def test_rebuilding_count_is_minimal(target, error, keeps):
    n = promises_to_rebuild(target, ["broken"], error=error, opportunist_keeps=keeps)
    history = ["broken"] + ["kept"] * n
    assert posterior(target, history, error=error, opportunist_keeps=keeps) >= target
    shorter = ["broken"] + ["kept"] * (n - 1)
    assert posterior(target, shorter, error=error, opportunist_keeps=keeps) < target


def test_no_error_broken_promise_is_proof():
    assert posterior(0.99, ["broken"]) == 0.0
    with pytest.raises(bargain.ModelError, match="no number of kept promises rebuilds it"):
        promises_to_rebuild(0.99, ["broken"])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"prior": 1.5}, r"prior: must be a probability in \[0, 1\]"),
        ({"prior": -0.1}, "prior: must be a probability"),
        ({"error": 2}, "error: must be a probability"),
        ({"opportunist_keeps": float("nan")}, "opportunist_keeps: must be a probability"),
        ({"error": 0.6, "opportunist_keeps": 0.5}, "more often than an opportunist"),
        ({"observed": ["maybe"]}, "unknown outcome 'maybe'; allowed: kept, broken"),
    ],
)
def test_bad_input(kwargs, match):
    args = {"prior": 0.5, "observed": ["kept"], "error": 0.1, "opportunist_keeps": 0.2, **kwargs}
    prior, observed = args.pop("prior"), args.pop("observed")
    with pytest.raises(bargain.ModelError, match=match):
        posterior(prior, observed, **args)


def test_rebuild_over_longer_histories():
    for history in itertools.product(["kept", "broken"], repeat=3):
        if "broken" not in history:
            assert promises_to_rebuild(0.7, history, error=0.1, opportunist_keeps=0.3) == 0


@pytest.mark.parametrize("error", [1e-12, 1e-15, 1e-16, 1e-17, 1e-300])
def test_a_small_error_rate_keeps_its_digits(error):
    # One broken promise from prior 1/2, opportunists never keeping (h = 0): Bayes' rule
    # gives p e / (p e + (1 - p)) = e / (1 + e) (Kreps & Wilson 1982's two types). Computed
    # as 1 - (1 - e), the honest type's chance of breaking lost e's digits: 2e-5 off at
    # 1e-12, 0 at 1e-17, where "trust is zero" then refused any rebuilding.
    trust = posterior(0.5, ["broken"], error=error, opportunist_keeps=0.0)
    assert trust == pytest.approx(error / (1 + error), rel=1e-15)
    # A kept promise, which no opportunist keeps here, proves honesty.
    assert promises_to_rebuild(0.5, ["broken"], error=error, opportunist_keeps=0.0) == 1
    # With h = 1/2 each kept promise doubles the odds e/(1 - h) = 2e: the least n with
    # 2**n 2e >= 1 (the target's odds), by exact integer arithmetic on the exponent.
    n = promises_to_rebuild(0.5, ["broken"], error=error, opportunist_keeps=0.5)
    assert 2.0**n * 2 * error >= 1 > 2.0 ** (n - 1) * 2 * error


@pytest.mark.parametrize(("broken", "error"), [(2, 1e-200), (3, 1e-120)])
def test_trust_below_the_smallest_float_is_rebuilt_by_its_log_odds(broken, error):
    # After k broken promises from trust 1/2 with h = 1/2 the odds of honesty are
    # (e / (1 - h))**k = (2e)**k, below the smallest float (1e-400, 1e-360): trust is not
    # zero, and each kept promise multiplies the odds by (1 - e)/h = 2 (to 1e-120), so the
    # count is the least n with 2**n (2e)**k >= 1: n = ceil(-k log2(2e)).
    n = promises_to_rebuild(0.5, ["broken"] * broken, error=error, opportunist_keeps=0.5)
    assert n == math.ceil(-broken * math.log2(2 * error))
