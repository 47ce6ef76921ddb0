"""Degenerate bargaining problems are refused with clear errors, never a wrong number."""

from __future__ import annotations

import pytest

import bargain
from tests.conftest import two_party

AXIOMATIC = [bargain.nash, bargain.kalai_smorodinsky, bargain.egalitarian, bargain.utilitarian]


@pytest.mark.parametrize("solve", AXIOMATIC)
def test_empty_contract_set(solve):
    m = two_party("x", "1 - x", constraints={"impossible": "x >= 2"})
    with pytest.raises(bargain.FeasibilityError, match="feasible set is empty"):
        solve(m)


@pytest.mark.parametrize("solve", AXIOMATIC)
def test_disagreement_not_improved_upon(solve):
    m = two_party("x", "1 - x", d_a=0.6, d_b=0.6)
    with pytest.raises(bargain.FeasibilityError, match="not improved upon"):
        solve(m)


@pytest.mark.parametrize("solve", AXIOMATIC)
def test_disagreement_on_the_frontier(solve):
    # d = (0.5, 0.5) lies on the frontier of a split: nothing improves on it strictly.
    m = two_party("x", "1 - x", d_a=0.5, d_b=0.5)
    with pytest.raises(bargain.FeasibilityError, match="not improved upon"):
        solve(m)


def test_values_changed_out_of_range_are_refused(split):
    with pytest.raises(bargain.ModelError, match=r"\[parties.W\] discount_factor"):
        bargain.nash(split.with_values(delta_W=0))
    with pytest.raises(bargain.ModelError, match=r"\[variables.x\] max: min \(0\) exceeds max"):
        bargain.nash(split.with_values(V=-1))


def test_non_finite_disagreement_is_refused():
    m = two_party("x", "1 - x", parameters={"V": 2}, d_a="1/(V - 1)")
    with pytest.raises(bargain.ModelError, match="finite"):
        bargain.nash(m.with_values(V=1))


def test_ks_formula_on_the_degenerate_split(split):
    # At d_W = d_A = 0 the producers' rationality constraint and the bound x <= V bind
    # together in the ideal-point problem; the formula must still be the split-the-difference
    # rule, valid for positive disagreement payoffs (regression test).
    s = bargain.kalai_smorodinsky(split)
    assert s.formula == bargain.nash(split).formula
