"""Strike or hold out: wage bargaining under an old contract (Fernandez & Glazer 1991).

A union and a firm bargain by alternating offers (the timing of
:mod:`bargain.rubinstein`) while an old contract, the ``status_quo``, is
still in force. After each rejection the union chooses, for that round,
between a **strike** (each side gets its ``strike_payoff`` flow) and a
**holdout**: work goes on under the old contract, so each side gets the flow
of the status quo, worth ``u_i(w0) (1 − δ_i^Δ)`` over a round (holding out
forever is worth ``u_i(w0)``). Fernandez & Glazer (1991) and Haller & Holden
(1990) show that this game has many subgame-perfect equilibria.

The two extremes are stationary equilibria of the alternating-offers
equations with different values of a rejection, so they are solved by the
same machinery as :func:`bargain.rubinstein`:

- **lowest wage** — the union never strikes: after any rejection both sides
  get the holdout flow. The equations are solved by ``w = w0``: agreement on
  the old contract at once, whatever the discount factors.
- **highest wage** — the union strikes after the firm rejects its offer and
  holds out after rejecting the firm's offer (a deviation from striking is
  punished by a switch to the lowest-wage equilibrium). On a linear frontier
  (a pie of 1) the union's proposal is ``M = w0 + (1 − δ_F)(1 − w0)/(1 − δ_U δ_F)``,
  the firm's ``z = w0 + δ_U (M − w0)``.
- **credibility** — striking after the firm's rejection is worth
  ``s_U + δ_U u_U(z)`` to the union, against ``u_U(w0)`` if it holds out and
  is punished. If the threat is credible every wage between the two extremes
  is an equilibrium agreement (the set is reported); if not, the only
  equilibrium is immediate agreement on ``w0``. With a common discount factor
  on a linear frontier the threat is credible iff ``w0 <= δ²``.

These closed forms were derived for this project from the indifference
conditions and checked with sympy and a one-shot-deviation test (the stored
copies of the original papers hold only their abstracts); the tests check the
general solver against them and against the inside-option formula of the
plain alternating-offers game. The highest-wage construction needs
``δ_U <= δ_F``: with a more patient union a holdout delay can pay the firm
and the maximal wage is a different problem (Houba & Wen), refused here.

Examples
--------
>>> import bargain
>>> m = bargain.model_from_dict({
...     "model": {"name": "wages"}, "parameters": {"w0": 0.5},
...     "variables": {"w": {"min": 0, "max": 1}},
...     "parties": {"U": {"payoff": "w", "discount_factor": 0.9},
...                 "F": {"payoff": "1 - w", "discount_factor": 0.9}},
...     "bargaining": {"first_proposer": "U", "status_quo": "w0"}})
>>> s = strike_or_holdout(m)
>>> [round(w, 12) for w in s.agreement_set["w"]], s.extra["strike threat"]["credible"]
([0.5, 0.763157894737], 1.0)
"""

from __future__ import annotations

from bargain.concepts.registry import Concept, register
from bargain.concepts.solution import Solution
from bargain.errors import ModelError, SolverError
from bargain.model.model import Model
from bargain.model.validate import numeric_value
from bargain.scale import ROUNDING, RTOL, negligible
from bargain.strategic.rubinstein import _Numeric, _stationary, game_of


def strike_or_holdout(
    model: Model,
    *,
    union: str | None = None,
    proposer: str | None = None,
    period: float | None = None,
) -> Solution:
    """The range of equilibrium wages when the union may strike or hold out.

    Parameters
    ----------
    model
        A model the alternating-offers solver accepts, with
        ``[bargaining] status_quo`` (the old contract) and no breakdown risk
        or outside options.
    union
        The party that chooses between strike and holdout (default: the party
        whose payoff rises with the contract variable).
    proposer, period
        As for :func:`bargain.rubinstein`.

    Returns
    -------
    Solution
        ``method="strike-or-holdout"``. With a credible strike threat,
        ``agreement_set`` holds the range of equilibrium agreements; without,
        ``agreement`` is the status quo. ``extra["strike threat"]`` holds the
        extremes, the credibility margin and whether the threat is credible.

    Raises
    ------
    ModelError
        If there is no status quo, or the model has breakdown risk or outside
        options, or ``union`` is not a party.
    SolverError
        If the union is more patient than the firm (see the module notes).
    """
    game = game_of(model, proposer=proposer, period=period)
    m = game.model
    if m.bargaining.status_quo is None:
        raise ModelError(
            "the strike-or-holdout game needs the old contract: give status_quo",
            file=m.file,
            table="bargaining",
            key="status_quo",
        )
    num = _Numeric(game)
    if num.q != 0 or any(o != float("-inf") for o in num.outside.values()):
        raise ModelError(
            "the strike-or-holdout game is solved without breakdown risk and outside options",
            file=m.file,
            table="bargaining",
            key="breakdown_probability",
        )
    u = union or num.rising
    m.party(u)
    f = num.falling if u == num.rising else num.rising
    if num.delta[u] == 1:
        # Without discounting (or a rate below floating point per round) the holdout's
        # value per round, u(w0)(1 - delta), is 0, and w = 0, below the old contract, was
        # reported as the one equilibrium.
        raise ModelError(
            f"the strike-or-holdout game needs the union {u} to discount (a discount factor "
            "below 1): without discounting, holding out at the old contract is worth nothing "
            "per round in its stationary equilibria, which are not computed (Fernandez & "
            "Glazer 1991 assume discounting)",
            file=m.file,
            table=f"parties.{u}",
            key="discount_factor",
        )
    if num.delta[u] > num.delta[f]:
        raise SolverError(
            f"the union {u} is more patient than {f}: the highest equilibrium wage is then not "
            "given by the strike-threat construction (Houba & Wen), and is not computed",
            file=m.file,
            table=f"parties.{u}",
            key="discount_factor",
        )
    w0 = numeric_value(m, m.bargaining.status_quo, "bargaining", "status_quo")
    if not num.lo <= w0 <= num.hi:
        raise ModelError(
            f"the old contract {w0:g} lies outside the contract range [{num.lo:g}, {num.hi:g}]",
            file=m.file,
            table="bargaining",
            key="status_quo",
        )
    holdout = {n: num.utility(n, w0) * num.discounting[n] for n in (u, f)}
    # Lowest wage: the union never strikes.
    low = num.rejecting_with(holdout, held={u: w0, f: w0})
    (low_u, _), (low_f, _) = _by_party(low, _stationary(low), u)
    # Highest wage: strike after the firm rejects, hold out after the union rejects.
    high = num.rejecting_with({u: holdout[u], f: num.strike[f]}, held={u: w0})
    (high_u, _), (high_f, _) = _by_party(high, _stationary(high), u)
    strike_value = num.strike[u] + num.delta[u] * num.utility(u, high_f)
    margin = strike_value - num.utility(u, w0)
    # Tolerances relative to the contract's own scale (bargain.scale), so the same game in
    # dollars or in billions takes the same decisions: a margin below zero by more than a
    # few units of its terms' rounding is a threat that is not credible (w0 = 0.810000000001
    # against delta**2 = 0.81, a margin of -5e-13, was called credible at 1e-12 of them).
    credible = margin >= 0 or negligible(margin, [strike_value, num.utility(u, w0)], 64 * ROUNDING)
    first = game.first
    var = m.variables[0].name
    low_x, high_x = (low_u, high_u) if first == u else (low_f, high_f)
    threat = {
        "credible": 1.0 if credible else 0.0,
        "status quo": w0,
        "highest, union proposes": high_u,
        "highest, firm proposes": high_f,
        "strike value to the union": strike_value,
        "margin": margin,
    }
    common = {
        "model": m.name,
        "method": "strike-or-holdout",
        "disagreement": dict(num.disagreement),
        "parameters": {p.name: float(p.value) for p in m.parameters},
        "route": "two stationary alternating-offers equilibria (no strike; strike after the "
        "firm's rejection), brentq on the proposal map",
        "extra": {"strike threat": threat},
        "assumptions": (
            f"{u} chooses strike or holdout after each rejection; holding out pays the old "
            f"contract {var} = {w0:g}",
            f"{first} proposes first; one round lasts {float(game.period):g} {m.period}(s)",
        ),
    }
    if credible and high_x - low_x > RTOL * num.unit:
        return Solution(agreement={}, payoffs={}, agreement_set={var: (low_x, high_x)}, **common)
    return Solution(
        agreement={var: low_x},
        payoffs={n: num.utility(n, low_x) for n in m.party_names},
        **common,
    )


def _by_party(
    num: _Numeric, result: tuple[tuple[float, float], tuple[float, float]], union: str
) -> tuple[tuple[float, float], tuple[float, float]]:
    """Reorder ``_stationary``'s (rising, falling) proposals as (union's, firm's)."""
    rising, falling = result
    return (rising, falling) if union == num.rising else (falling, rising)


register(
    Concept(
        name="strike-or-holdout",
        solve=strike_or_holdout,
        summary="the range of equilibrium wages when the union may strike or hold out",
        order=60,
        options=("union", "proposer", "period"),
        parties=2,
    )
)


__all__ = ["strike_or_holdout"]
