"""Patience: each party's discount rate, and the bargaining powers it implies.

As offers come faster, the alternating-offers equilibrium converges to the
generalised Nash solution with powers ``r_A / (r_W + r_A)`` for ``W`` and
``r_W / (r_W + r_A)`` for ``A`` (Binmore, Rubinstein & Wolinsky 1986, §3;
without breakdown risk). The brief's "powers from patience" row and the
reputational strike both read the rates from here.
"""

from __future__ import annotations

import math

from bargain.errors import ModelError
from bargain.model.model import Model
from bargain.model.validate import numeric_value, require_two_parties


def discount_rates(model: Model) -> dict[str, float | None]:
    """Each party's discount rate per period: ``discount_rate``, or ``-ln δ`` for a
    ``discount_factor`` δ; ``None`` for a party with neither."""
    rates: dict[str, float | None] = {}
    for p in model.parties:
        where = f"parties.{p.name}"
        if p.discount_rate is not None:
            rates[p.name] = numeric_value(model, p.discount_rate, where, "discount_rate")
        elif p.discount_factor is not None:
            delta = numeric_value(model, p.discount_factor, where, "discount_factor")
            rates[p.name] = -math.log(delta)
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
