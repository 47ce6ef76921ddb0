"""Patience: each party's discount rate, and what patience and breakdown risk imply as
offers come faster.

As offers come faster, the alternating-offers equilibrium converges to the
generalised Nash solution (Binmore, Rubinstein & Wolinsky 1986, *RAND Journal of
Economics* 17(2), §3–4; Muthoo 1999, *Bargaining Theory with Applications*, §4.4–4.5):
with discount rates ``r_i`` per period, a breakdown hazard ``λ = −ln(1 − q)`` per
period (``q`` the model's ``breakdown_probability`` per period), strike payoffs ``s_i``
per period and disagreement payoffs ``d_i`` received on breakdown, its powers are
proportional to ``1 / (r_i + λ)`` and its threat point is the *impasse point*
``e_i = (s_i + λ d_i) / (r_i + λ)``, the value of bargaining for ever without agreeing.

Derivation (the limit of the responders' indifference conditions). With rounds of
length ``Δ``, let ``x`` be W's proposal and ``y`` A's. A accepts ``x`` exactly when it
gets what rejecting is worth: a round of strike, then breakdown with probability
``λΔ + o(Δ)`` and otherwise A's own proposal a round later, discounted by
``e^{−r_A Δ}``:

    u_A(x) = u_A(y) + Δ [s_A + λ d_A − (r_A + λ) u_A(y)] + o(Δ),

and likewise ``u_W(y) = u_W(x) + Δ [s_W + λ d_W − (r_W + λ) u_W(x)] + o(Δ)``. As
``Δ → 0`` both proposals tend to one point of the frontier where its slope is

    −du_A/du_W = (r_A + λ)(u_A − e_A) / ((r_W + λ)(u_W − e_W)),

which is the first-order condition of maximising ``(u_W − e_W)^{α_W} (u_A − e_A)^{α_A}``
with ``α_W / α_A = (r_A + λ) / (r_W + λ)``. Without breakdown (``λ = 0``) and
strike payoffs the powers are ``r_A / (r_W + r_A)`` for W (BRW 1986, §3) and the
threat point is 0; with breakdown and no discounting (``r_i = 0``) the powers are
equal and the threat point is ``d_i + s_i / λ`` (BRW 1986, §4). The brief's
"BRW limit" row (:func:`bargain.nash` with ``limit=True``) and the reputational
strike read the rates from here; a test checks the limit against the
alternating-offers game with ever shorter rounds.
"""

from __future__ import annotations

import math
from dataclasses import replace

import sympy

from bargain.errors import ModelError
from bargain.model.model import Constraint, Model, Party
from bargain.model.validate import numeric_value, require_two_parties

_WHAT = "the limit of the alternating-offers game (Binmore, Rubinstein & Wolinsky 1986)"


def discount_rates(model: Model) -> dict[str, float | None]:
    """Each party's discount rate per period: ``discount_rate``, or ``-ln δ`` for a
    ``discount_factor`` δ; ``None`` for a party with neither.

    ``-ln δ`` is evaluated from the exact δ in 30 digits, never from δ rounded to a
    float: that would lose the digits of a δ within 1e-12 of 1 (a rate of 1e-12 would
    come out as 1.0000889e-12) and turn ``d**10000`` with ``d = 0.9``, which rounds to zero, into an
    infinite rate.

    Examples
    --------
    >>> import bargain
    >>> m = bargain.model_from_dict({"model": {"name": "m"}, "parameters": {"d": 0.9},
    ...     "variables": {"x": {"min": 0, "max": 1}},
    ...     "parties": {"W": {"payoff": "x", "discount_factor": "1 - 1e-12"},
    ...                 "A": {"payoff": "1 - x", "discount_factor": "d**10000"}}})
    >>> {k: f"{v:.12g}" for k, v in discount_rates(m).items()}
    {'W': '1e-12', 'A': '1053.60515658'}
    """
    return {p.name: discount_rate(model, p) for p in model.parties}


def discount_rate(model: Model, party: Party) -> float | None:
    """A party's discount rate per period (see :func:`discount_rates`).

    Near 1, ``-ln δ`` is ``-log1p(-(1 - δ))`` with ``1 - δ`` evaluated in 30 digits
    from the exact δ: sympy's evaluation of ``log`` at a number within 1e-300 of 1 runs
    out of precision and returns noise (``5.2e-141``). A factor written as ``exp(-a)``
    has the rate ``a`` exactly (sympy takes ``log(exp(-a))`` to ``-a``): ``1 - δ`` would
    be evaluated to 0 for ``a = 1e-400``.

    Examples
    --------
    >>> import bargain
    >>> m = bargain.model_from_dict({"model": {"name": "m"},
    ...     "variables": {"x": {"min": 0, "max": 1}},
    ...     "parties": {"W": {"payoff": "x", "discount_factor": "1 - 4e-300"},
    ...                 "A": {"payoff": "1 - x", "discount_factor": "exp(-2e-300)"}}})
    >>> [discount_rate(m, p) for p in m.parties]
    [4e-300, 2e-300]
    """
    where = f"parties.{party.name}"
    if party.discount_rate is not None:
        return numeric_value(model, party.discount_rate, where, "discount_rate")
    if party.discount_factor is None:
        return None
    rate = -sympy.log(model.numeric(party.discount_factor))
    if rate.has(sympy.log):  # not taken to -a as log(exp(-a)) is: near 1, by the exact gap
        gap = numeric_value(model, 1 - party.discount_factor, where, "discount_factor")
        if abs(gap) < 0.5:
            return -math.log1p(-gap)
    return numeric_value(model, rate, where, "discount_factor")


def _rate(model: Model, party: Party) -> sympy.Expr:
    """A party's discount rate as an expression: ``discount_rate``, or ``-ln δ``; a number
    (no parameters) is evaluated by :func:`discount_rate`, so that floating point does not
    take ``-ln(1 - 1e-20)`` for ``-ln 1 = 0`` where the expression is compiled."""
    if party.discount_rate is not None:
        return party.discount_rate
    rate = -sympy.log(party.discount_factor)
    return rate if rate.free_symbols else sympy.Float(discount_rate(model, party))


def _breakdown_hazard(model: Model) -> sympy.Expr:
    """``λ = −ln(1 − q)`` as an expression in the parameters (refuses ``q >= 1``)."""
    q = model.bargaining.breakdown_probability
    if numeric_value(model, q, "bargaining", "breakdown_probability") >= 1:
        raise ModelError(
            f"must be below 1 for {_WHAT} (talks that surely break down have no hazard rate)",
            file=model.file,
            table="bargaining",
            key="breakdown_probability",
        )
    return sympy.Integer(0) if q == 0 else -sympy.log(1 - q)


def breakdown_rate(model: Model) -> float:
    """The breakdown hazard per period, ``λ = −ln(1 − q)`` with ``q`` the model's
    ``breakdown_probability`` per period (0 without breakdown risk).

    Examples
    --------
    >>> import bargain
    >>> round(breakdown_rate(bargain.load_model(bargain.models_dir() / "wga2007.toml")), 6)
    0.051293
    """
    return numeric_value(model, _breakdown_hazard(model), "bargaining", "breakdown_probability")


def _rates(model: Model) -> dict[str, float]:
    require_two_parties(model, _WHAT)
    rates = discount_rates(model)
    missing = [name for name, r in rates.items() if r is None]
    if missing:
        raise ModelError(
            "powers from patience need each party's discount_rate or discount_factor",
            file=model.file,
            table=f"parties.{missing[0]}",
            key="discount_rate",
        )
    return rates  # type: ignore[return-value]


def patience_powers(model: Model) -> dict[str, float]:
    """Bargaining powers of the alternating-offers limit: proportional to
    ``1 / (r_i + λ)``, i.e. ``(r_j + λ) / (r_i + r_j + 2λ)`` for party ``i``, with
    ``λ`` the breakdown hazard (:func:`breakdown_rate`; BRW 1986, §3–4).

    Without breakdown risk they are ``r_j / (r_i + r_j)``; a breakdown risk far above
    the discount rates makes them nearly equal.

    Examples
    --------
    >>> import bargain
    >>> powers = patience_powers(bargain.load_model(bargain.models_dir() / "package_deal.toml"))
    >>> {k: round(v, 12) for k, v in powers.items()}
    {'W': 0.333333333333, 'A': 0.666666666667}
    >>> powers = patience_powers(bargain.load_model(bargain.models_dir() / "wga2007.toml"))
    >>> {k: round(v, 4) for k, v in powers.items()}
    {'W': 0.4955, 'A': 0.5045}
    """
    rates = _rates(model)
    lam = breakdown_rate(model)
    if not sum(rates.values()) + 2 * lam > 0:
        raise ModelError(
            f"{_WHAT} needs impatience or breakdown risk: both discount rates and the "
            "breakdown risk are 0",
            file=model.file,
            table="bargaining",
            key="breakdown_probability",
        )
    return {
        k: numeric_value(model, v, f"parties.{k}", "discount_rate")
        for k, v in _power_expressions(model).items()
    }


def _power_expressions(model: Model) -> dict[str, sympy.Expr]:
    """``(r_j + λ) / (r_i + r_j + 2λ)`` for each of the two parties, unchecked."""
    lam = _breakdown_hazard(model)
    (w, rw), (a, ra) = ((p.name, _rate(model, p)) for p in model.parties)
    total = rw + ra + 2 * lam
    return {w: (ra + lam) / total, a: (rw + lam) / total}


def patience_power_expressions(model: Model) -> dict[str, sympy.Expr]:
    """The powers of :func:`patience_powers` as expressions in the parameters, for
    solving at many parameter points at once (a sweep's kernel).

    Examples
    --------
    >>> import bargain
    >>> m = bargain.load_model(bargain.models_dir() / "package_deal.toml")
    >>> {k: round(float(m.numeric(v)), 12) for k, v in patience_power_expressions(m).items()}
    {'W': 0.333333333333, 'A': 0.666666666667}
    """
    patience_powers(model)  # refuses a model without patience or with q >= 1
    return _power_expressions(model)


def impasse_model(model: Model) -> Model:
    """The model with each party's disagreement payoff replaced by its impasse point
    ``(s_i + λ d_i) / (r_i + λ)``: the value of bargaining for ever without agreeing
    (strike payoffs ``s_i`` until talks break down at the hazard ``λ``, then ``d_i``,
    discounted at ``r_i``), the threat point of the alternating-offers limit.

    Examples
    --------
    >>> import bargain
    >>> m = impasse_model(bargain.load_model(bargain.models_dir() / "package_deal.toml"))
    >>> {p.name: float(m.numeric(p.disagreement)) for p in m.parties}
    {'W': -1.0, 'A': -2.0}
    """
    patience_powers(model)  # refuses a model without patience or with q >= 1
    lam = _breakdown_hazard(model)
    parties = []
    for p in model.parties:
        rate = _rate(model, p)
        if numeric_value(model, rate + lam, f"parties.{p.name}", "discount_rate") <= 0:
            raise ModelError(
                f"{_WHAT} needs a positive discount rate or breakdown risk for the impasse "
                f"point of {p.name}",
                file=model.file,
                table=f"parties.{p.name}",
                key="discount_rate",
            )
        point = (p.strike_payoff + lam * p.disagreement) / (rate + lam)
        parties.append(replace(p, disagreement=point))
    return replace(model, parties=tuple(parties))


def limit_model(model: Model) -> Model:
    """The model whose Nash solution is the limit of the alternating-offers game as
    offers come faster (Binmore, Rubinstein & Wolinsky 1986, §3–4): the impasse point as
    each party's disagreement (:func:`impasse_model`) and the powers from patience as
    each party's ``bargaining_power``, both expressions in the parameters, so the same
    model serves one solve and a sweep over the discount rates and the breakdown risk.
    A party's outside option ``o_i`` is the constraint ``u_i >= o_i``
    (``outside_option_<party>``): the outside-option principle (Binmore, Shaked & Sutton
    1989; Muthoo 1999, ch. 5) gives the Nash point where it leaves each party at least
    its option, else the agreement that gives the party whose option binds exactly that,
    which on a two-party frontier is the Nash product's maximum under those constraints
    (where the other's inside options lift its impasse point above what that leaves it,
    :func:`bargain.axiomatic.nash.nash` takes the other's best agreement under them).

    Examples
    --------
    >>> import bargain
    >>> m = limit_model(bargain.load_model(bargain.models_dir() / "package_deal.toml"))
    >>> [round(float(m.numeric(p.bargaining_power)), 12) for p in m.parties]
    [0.333333333333, 0.666666666667]
    """
    powers = patience_power_expressions(model)
    limit = impasse_model(model)
    parties = tuple(replace(p, bargaining_power=powers[p.name]) for p in limit.parties)
    options = tuple(
        Constraint(
            name=f"outside_option_{p.name}",
            relation=sympy.GreaterThan(p.payoff, p.outside_option),
            description=f"{p.name} gets at least its outside option (outside-option principle)",
        )
        for p in model.parties
        if p.outside_option is not None
    )
    return replace(limit, parties=parties, constraints=(*limit.constraints, *options))


__all__ = [
    "breakdown_rate",
    "discount_rate",
    "discount_rates",
    "impasse_model",
    "limit_model",
    "patience_power_expressions",
    "patience_powers",
]
