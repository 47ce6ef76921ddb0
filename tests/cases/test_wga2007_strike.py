"""The flagship's strike-length tables: every theory, and the duration tornado."""

from __future__ import annotations

import pytest

import bargain
from bargain.cases import wga2007_strike as strike
from bargain.reputation.delay import names

pytestmark = pytest.mark.xdist_group("wga2007")


def test_every_theory_with_settings_has_rows() -> None:
    table = strike.theories_table()
    for name, report in strike._theories():
        assert name in names()
        if report.after.duration is not None:
            assert f"| `{name}` | before |" in table
            assert strike._n(report.after.duration.mean) in table
        else:
            assert name in table.split("Theories the model gives no settings for:")[1]


def test_duration_parameters_are_those_the_strike_reads() -> None:
    m = strike.model()
    found = strike._duration_parameters(m)
    # the hard-liner probability, breakdown risk, the June date and the promise's trust
    assert {"z_W", "q", "T_D", "p", "err", "b", "m_A"} <= set(found)
    # the DVD market and the writers' stake in it enter the terms, not the strike's length
    assert not {"D", "E_W", "cv_D"} & set(found)


def test_tornado_ends_are_reports_at_the_ends_of_each_range() -> None:
    m = strike.model()
    rows = {r[0]: r for r in strike._strike_tornado()}
    _, lo, hi, _m0, _m1, c0, c1 = rows["z_W"]
    assert (lo, hi) == tuple(float(x) for x in m.parameter("z_W").range)
    low = bargain.credibility(m.with_values(z_W=lo), delay=m.delay_theory, exact=False)
    # the tornado's reports are batched (bargain.sweeps.credibilities): the scalar's to 1e-9
    assert low.cost["total"] == pytest.approx(c0, rel=1e-9)
    # more obstinate writers make the broken promise cost more (a longer strike)
    assert c1 > c0
