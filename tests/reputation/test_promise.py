"""Promise games: nashpy vs backward induction vs brute force, the trust threshold, bad input."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import bargain
from bargain.reputation.promise import PromiseGame, promise_game, solve_promise

TOL = 1e-9


def game(c=0.3, v=0.5, trust=0.8, error=0.0, keeps=0.0) -> PromiseGame:
    return PromiseGame("p", "W", "A", c, v, trust, error, keeps)


def test_equilibria_of_the_normal_form():
    # Against an opportunist, reneging is dominant after a concession. The Nash equilibria
    # are "hold" with the promiser honouring with any probability q <= c/v; the extreme
    # points are q = 0 (subgame perfect) and q = c/v (resting on a promise that would not
    # be kept once the concession is made).
    r = solve_promise(game())
    assert len(r.equilibria) == 2
    spe, non_credible = r.equilibria
    assert spe.recipient == {"concede": 0.0, "hold": 1.0}
    assert spe.promiser == {"honour": 0.0, "renege": 1.0} and spe.subgame_perfect
    assert non_credible.promiser["honour"] == pytest.approx(0.3 / 0.5, abs=TOL)
    assert not non_credible.subgame_perfect
    assert "nashpy vertex enumeration" in non_credible.found_by


@given(c=st.floats(0.05, 2), v=st.floats(0.05, 2))
def test_every_reported_equilibrium_is_a_best_response(c, v):
    g = game(c=c, v=v)
    a, b = g.payoffs()
    for e in solve_promise(g).equilibria:
        x = np.array(list(e.recipient.values()))
        y = np.array(list(e.promiser.values()))
        assert x @ a @ y >= np.max(a @ y) - TOL
        assert x @ b @ y >= np.max(x @ b) - TOL


@given(c=st.floats(0.05, 2), v=st.floats(0.05, 2))
def test_three_routes_agree_on_pure_play(c, v):
    r = solve_promise(game(c=c, v=v))
    # Brute force over the four pure profiles vs nashpy's pure equilibria vs backward induction.
    nashpy_pure = {
        (max(e.recipient, key=e.recipient.get), max(e.promiser, key=e.promiser.get))
        for e in r.equilibria
        if max(e.recipient.values()) == 1.0 and max(e.promiser.values()) == 1.0
    }
    assert set(r.pure_equilibria) == nashpy_pure
    assert r.backward_induction == ("hold", "renege")
    assert r.backward_induction in r.pure_equilibria


def test_trust_threshold_closed_form():
    # The recipient concedes iff (p (1 - e) + (1 - p) h) v >= c.
    c, v, e, h = 0.3, 0.5, 0.1, 0.2
    r = solve_promise(game(c=c, v=v, trust=0.5, error=e, keeps=h))
    assert r.trust_threshold == pytest.approx((c / v - h) / (1 - e - h), abs=TOL)


@pytest.mark.parametrize("exponent", [0, 40, -300, -1030, -1060, -1070])
def test_the_game_is_the_same_at_every_scale(exponent):
    # Scaling both payoffs by 2**exponent scales every payoff of the normal form and changes
    # nothing else (a positive affine map of utilities; von Neumann & Morgenstern 1944): at
    # 2**-1070 the payoffs are subnormal (below 2.2e-308), once a TypeError from nashpy.
    # Threshold c/v = 3/5 at trust 1/2: hold (the tryout's 3e-322 and 5e-322).
    r = solve_promise(game(c=3 * 2.0**exponent, v=5 * 2.0**exponent, trust=0.5))
    assert r.trust_threshold == 0.6 and not r.concedes
    assert r.backward_induction == ("hold", "renege")
    assert [e.promiser["honour"] for e in r.equilibria] == pytest.approx([0.0, 0.6], abs=TOL)
    assert [e.subgame_perfect for e in r.equilibria] == [True, False]
    assert r.expected == {"W": 0.0, "A": 0.0}
    conceding = solve_promise(game(c=3 * 2.0**exponent, v=5 * 2.0**exponent, trust=0.8))
    # p v - c = (4 - 3) 2**exponent, exactly.
    assert conceding.concedes
    assert conceding.expected == {"W": 2.0**exponent, "A": -(2.0**exponent)}


def test_subnormal_floats_keep_their_own_ratio():
    # 3e-322 and 5e-322 are 61 and 101 times 2**-1074: the threshold is their ratio.
    r = solve_promise(game(c=3e-322, v=5e-322, trust=0.5))
    assert r.trust_threshold == 61 / 101 and not r.concedes and len(r.equilibria) == 2


@given(c=st.floats(0.05, 1), v=st.floats(0.05, 1), e=st.floats(0, 0.4), h=st.floats(0, 0.4))
def test_threshold_against_bisection(c, v, e, h):
    def concedes(p):
        return solve_promise(game(c=c, v=v, trust=p, error=e, keeps=h)).concedes

    threshold = solve_promise(game(c=c, v=v, trust=0.5, error=e, keeps=h)).trust_threshold
    if concedes(0.0):
        assert threshold == 0.0
        return
    if not concedes(1.0):
        assert threshold > 1 - 1e-9
        return
    lo, hi = 0.0, 1.0
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (lo, mid) if concedes(mid) else (mid, hi)
    assert threshold == pytest.approx(hi, abs=1e-7)


@given(low=st.floats(0, 1), high=st.floats(0, 1), e=st.floats(0, 0.4), h=st.floats(0, 0.4))
def test_a_lower_prior_never_makes_conceding_more_attractive(low, high, e, h):
    low, high = min(low, high), max(low, high)
    lo = solve_promise(game(trust=low, error=e, keeps=h))
    hi = solve_promise(game(trust=high, error=e, keeps=h))
    assert lo.expected["W"] <= hi.expected["W"] + TOL
    assert not (lo.concedes and not hi.concedes)


def test_broken_promise_turns_concession_into_holding():
    # Before: trust 0.8 > threshold 0.6, the writers concede. After a broken promise (with a
    # 10% chance an honest producer fails to deliver) trust falls below the threshold.
    before = solve_promise(game(trust=0.8, error=0.1))
    after_trust = bargain.reputation.trust.posterior(0.8, ["broken"], error=0.1)
    after = solve_promise(game(trust=after_trust, error=0.1))
    assert before.concedes and not after.concedes
    assert after.expected == {"W": 0.0, "A": 0.0}


def model_with_promise(**promise):
    spec = {"by": "A", "to": "W", "concession": "c", "promised": "v", "trust": "p", **promise}
    return bargain.model_from_dict(
        {
            "model": {"name": "m"},
            "parameters": {"c": 0.3, "v": 0.5, "p": 0.8},
            "variables": {"x": {"min": 0, "max": 1}},
            "parties": {"W": {"payoff": "x"}, "A": {"payoff": "1 - x"}},
            "promises": {"dvd_for_est": spec},
        },
        file="m.toml",
    )


def test_read_from_a_model():
    g = promise_game(model_with_promise())
    assert (g.recipient, g.promiser, g.concession, g.promised, g.trust) == ("W", "A", 0.3, 0.5, 0.8)
    assert promise_game(model_with_promise(), trust=0.1).trust == 0.1


@pytest.mark.parametrize(
    ("kwargs", "promise", "match"),
    [
        ({}, {"concession": "0"}, r"m.toml: \[promises.dvd_for_est\] concession: must be positive"),
        ({}, {"promised": "-1"}, r"\[promises.dvd_for_est\] promised: must be positive"),
        ({"trust": 1.5}, {}, r"\[promises.dvd_for_est\] trust: must be a probability"),
        ({"error": -0.1}, {}, r"\[promises.dvd_for_est\] error: must be a probability"),
        ({"name": "nope"}, {}, "unknown promise 'nope'; the promises are dvd_for_est"),
    ],
)
def test_bad_input(kwargs, promise, match):
    with pytest.raises(bargain.ModelError, match=match):
        promise_game(model_with_promise(**promise), **kwargs)


def test_model_without_promises():
    m = bargain.load_model(bargain.models_dir() / "split.toml")
    with pytest.raises(bargain.ModelError, match="no promises"):
        promise_game(m)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        # Built directly (not from a model file), with fields as strings: each is named, not
        # a TypeError from math.isfinite (the shared case kind "API fields given as strings").
        ({"concession": "0.05"}, r"\[promises.p\] concession: must be a number, got str '0.05'"),
        ({"promised": "0.08"}, r"\[promises.p\] promised: must be a number, got str '0.08'"),
        ({"concession": float("inf")}, r"\[promises.p\] concession: must be a finite number"),
        ({"trust": "0.8"}, r"\[promises.p\] trust: must be a probability in \[0, 1\], got '0.8'"),
    ],
)
def test_fields_given_as_strings_are_named(kwargs, match):
    fields = {"concession": 0.05, "promised": 0.08, "trust": 0.8, **kwargs}
    with pytest.raises(bargain.ModelError, match=match):
        PromiseGame("p", "W", "A", **fields)


MORAN = """
import json, sys
import numpy as np
{first}
before = "networkx" in sys.modules
from nashpy.egt.moran_process import moran_process
# A replacement matrix that splits the population in two: the Moran process checks
# with networkx (nx.Graph, nx.connected_components) that each component can fix.
R = np.array([[0, 1, 0, 0], [1, 0, 0, 0], [0, 0, 0, 1], [0, 0, 1, 0]], dtype=float)
np.random.seed(0)
A = np.array([[3, 1], [4, 2]])
start = np.array([0, 1, 0, 1])
run = moran_process(A=A, initial_population=start, replacement_stochastic_matrix=R)
steps = [p.tolist() for p in run]
import networkx
print(json.dumps({{"networkx_before": before, "steps": steps,
                  "real": sys.modules["networkx"] is networkx and hasattr(networkx, "Graph")}}))
"""


def _fresh(first: str) -> dict:
    code = MORAN.format(first=first)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.splitlines()[-1])


def test_nashpy_is_imported_without_networkx_until_networkx_is_used():
    # A promise game imports nashpy but not networkx (which nashpy's Moran process imports
    # at its top, for graphs the promise games never build): while nashpy is imported,
    # networkx is a stand-in that imports it on first use. nashpy's Moran process, which
    # uses networkx, runs as with networkx imported first (same seed, same steps), and an
    # import of networkx afterwards gets networkx itself.
    solve = (
        "from bargain.reputation.promise import PromiseGame, solve_promise\n"
        "r = solve_promise(PromiseGame('p', 'W', 'A', concession=0.3, promised=0.5, trust=0.8))\n"
        "assert r.concedes and 'nashpy' in sys.modules"
    )
    ours, theirs = _fresh(solve), _fresh("import networkx")
    assert ours["networkx_before"] is False and theirs["networkx_before"] is True
    assert ours["steps"] == theirs["steps"] and ours["real"] and theirs["real"]
    # The process ends when each component ({0, 1} and {2, 3}) has one strategy.
    (a, b, c, d) = ours["steps"][-1]
    assert a == b and c == d


def test_equilibria_kept_per_game(monkeypatch):
    # The same game again (a credibility report's stage at the same numbers) is not solved
    # again by nashpy; a copy goes to each caller, so changing one cannot change the next.
    import nashpy

    from bargain.reputation import promise as module

    module._equilibria_of.cache_clear()
    games = []
    game_class = nashpy.Game
    monkeypatch.setattr(nashpy, "Game", lambda a, b: games.append(1) or game_class(a, b))
    game = PromiseGame("p", "W", "A", 0.3, 0.5, trust=0.8)
    size = 0.5  # a power of two near the payoffs, as solve_promise scales them
    a, b = (m / size for m in game.payoffs())
    first = module._nash_equilibria(a, b)
    first[0][0][:] = -1.0
    again = module._nash_equilibria(a.copy(), b.copy())
    assert len(games) == 1
    assert all(np.all(x >= 0) for x, _, _ in again)
    # The promiser honours with probability 0 or c / v = 0.6 (the extreme equilibria).
    assert {round(float(y[0]), 12) for _, y, _ in again} == {0.0, 0.6}
    computed = module._equilibria_of.__wrapped__(a.shape, a.tobytes(), b.tobytes())
    assert len(again) == len(computed) == 3
    for (x, y, how), (x0, y0, how0) in zip(again, computed, strict=True):
        assert np.array_equal(x, x0) and np.array_equal(y, y0) and how == how0
    assert solve_promise(game).equilibria == solve_promise(game).equilibria


@pytest.mark.parametrize(("c", "v"), [(1.0, 1e9), (1e-9, 1.0), (1e-12, 1.0), (1e-18, 1.0)])
def test_a_concession_tiny_beside_the_promise_is_not_a_best_response_for_nothing(c, v):
    # A concession of $1 against a promise of $1e9: against "renege" the recipient gets -c by
    # conceding and 0 by holding, so (concede, renege) is no equilibrium, however small c / v
    # (Osborne & Rubinstein 1994, §2.6: a best response to each other's strategy). With a
    # tolerance of 1e-9 of the game's unit (the larger payoff) it was one for c / v <= 1e-9,
    # and the mixed equilibria's end point P(honour) = c / v was merged into 0 below 1e-9.
    r = solve_promise(PromiseGame("p", "W", "A", c, v, trust=0.5))
    assert r.pure_equilibria == (("hold", "renege"),)
    ends = sorted(e.promiser["honour"] for e in r.equilibria)
    if c / v >= 1e-13:  # a probability above the round-off of nashpy's enumerations
        assert ends == [0.0, pytest.approx(c / v, rel=1e-9)]
