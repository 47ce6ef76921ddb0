"""Patience: each party's discount rate, and the bargaining powers it implies.

As offers come faster, the alternating-offers equilibrium converges to the
generalised Nash solution with powers ``r_A / (r_W + r_A)`` for ``W`` and
``r_W / (r_W + r_A)`` for ``A`` (Binmore, Rubinstein & Wolinsky 1986, §3;
without breakdown risk). The brief's "powers from patience" row and the
reputational strike both read the rates from here.
"""

from __future__ import annotations

import sympy

from bargain.errors import ModelError
from bargain.model.model import Model
from bargain.model.validate import numeric_value, require_two_parties


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
    rates: dict[str, float | None] = {}
    for p in model.parties:
        where = f"parties.{p.name}"
        if p.discount_rate is not None:
            rates[p.name] = numeric_value(model, p.discount_rate, where, "discount_rate")
        elif p.discount_factor is not None:
            rate = -sympy.log(p.discount_factor)
            rates[p.name] = numeric_value(model, rate, where, "discount_factor")
        else:
            rates[p.name] = None
    return rates


def patience_powers(model: Model) -> dict[str, float]:
    """Bargaining powers ``r_j / (r_i + r_j)`` from the parties' discount rates (BRW 1986).

    Examples
    --------
    >>> import bargain
    >>> powers = patience_powers(bargain.load_model(bargain.models_dir() / "package_deal.toml"))
    >>> {k: round(v, 12) for k, v in powers.items()}
    {'W': 0.333333333333, 'A': 0.666666666667}
    """
    require_two_parties(
        model,
        "the patience limit of the alternating-offers game (Binmore, Rubinstein & Wolinsky 1986)",
    )
    rates = discount_rates(model)
    missing = [name for name, r in rates.items() if r is None]
    if missing:
        raise ModelError(
            "powers from patience need each party's discount_rate or discount_factor",
            file=model.file,
            table=f"parties.{missing[0]}",
            key="discount_rate",
        )
    total = sum(rates.values())
    (w, rw), (a, ra) = rates.items()
    return {w: ra / total, a: rw / total}


__all__ = ["discount_rates", "patience_powers"]
