"""Trust: Bayes' rule for a promiser's type after kept and broken promises.

The promiser is one of two types (in the spirit of Kreps & Wilson 1982 and
Milgrom & Roberts 1982 on reputation):

- **honest**, with prior probability ``prior``: it means to keep every
  promise, but fails to deliver with probability ``error`` (events it does not
  control);
- **opportunist**: it keeps a promise with probability ``opportunist_keeps``
  (when keeping happens to suit it) and breaks it otherwise.

*Trust* is the probability that the promiser is honest. An observed outcome
multiplies the odds of honesty by its likelihood ratio: ``(1 − error) /
opportunist_keeps`` for a kept promise and ``error / (1 − opportunist_keeps)``
for a broken one. Honest types are required to keep promises more often than
opportunists (``1 − error > opportunist_keeps``); then a broken promise
always lowers trust and a kept one always raises it.

Examples
--------
>>> round(posterior(0.8, ["broken"], error=0.1, opportunist_keeps=0.2), 6)
0.333333
>>> promises_to_rebuild(0.8, ["broken"], error=0.1, opportunist_keeps=0.2)
2
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable

from bargain.errors import ModelError

OUTCOMES = ("kept", "broken")


def check_beliefs(prior: float, error: float, opportunist_keeps: float) -> None:
    """Refuse probabilities outside [0, 1] and honest types no more reliable than opportunists."""
    for key, value in (
        ("prior", prior),
        ("error", error),
        ("opportunist_keeps", opportunist_keeps),
    ):
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 <= value <= 1:
            raise ModelError(f"must be a probability in [0, 1], got {value!r}", key=key)
    if not 1 - error > opportunist_keeps:
        raise ModelError(
            f"an honest promiser must keep promises more often than an opportunist: need "
            f"1 - error > opportunist_keeps, got 1 - {error:g} <= {opportunist_keeps:g}",
            key="error",
        )


def likelihood(outcome: str, honest: bool, *, error: float, opportunist_keeps: float) -> float:
    """Probability of ``outcome`` (``"kept"`` or ``"broken"``) for one type. Each is the
    given probability or one minus it, never ``1 - (1 - error)``, which loses a small
    error's digits (all of them below 1.1e-16).

    >>> likelihood("broken", True, error=1e-17, opportunist_keeps=0.5)
    1e-17
    """
    if outcome not in OUTCOMES:
        raise ModelError(f"unknown outcome {outcome!r}; allowed: kept, broken", key="observed")
    if honest:
        return 1 - error if outcome == "kept" else error
    return opportunist_keeps if outcome == "kept" else 1 - opportunist_keeps


def posterior(
    prior: float,
    observed: Iterable[str],
    *,
    error: float = 0.0,
    opportunist_keeps: float = 0.0,
) -> float:
    """Trust after a sequence of kept and broken promises (Bayes' rule).

    Parameters
    ----------
    prior
        Probability that the promiser is honest before the observations.
    observed
        Outcomes in order, each ``"kept"`` or ``"broken"``.
    error
        Probability that an honest promiser fails to deliver.
    opportunist_keeps
        Probability that an opportunist keeps a promise.

    Raises
    ------
    ModelError
        For a probability outside [0, 1], an unknown outcome, honest types no
        more reliable than opportunists, or an observation that neither type
        could produce.

    Examples
    --------
    With no error, one broken promise reveals an opportunist:

    >>> posterior(0.9, ["broken"])
    0.0
    >>> round(posterior(0.5, ["kept", "kept"], error=0.1, opportunist_keeps=0.5), 6)
    0.764151
    """
    check_beliefs(prior, error, opportunist_keeps)
    honest, opportunist = prior, 1 - prior
    for outcome in observed:
        honest *= likelihood(outcome, True, error=error, opportunist_keeps=opportunist_keeps)
        opportunist *= likelihood(outcome, False, error=error, opportunist_keeps=opportunist_keeps)
        total = honest + opportunist
        if total == 0:
            raise ModelError(
                f"the observation {outcome!r} is impossible for both types given the "
                "earlier ones and the error rates",
                key="observed",
            )
        honest, opportunist = honest / total, opportunist / total
    return honest


def promises_to_rebuild(
    target: float,
    observed: Iterable[str],
    *,
    error: float = 0.0,
    opportunist_keeps: float = 0.0,
) -> int:
    """How many kept promises in a row bring trust back to at least ``target``.

    ``observed`` are the outcomes so far (e.g. one broken promise) starting
    from trust ``target``. Each kept promise multiplies the odds of honesty by
    ``(1 − error) / opportunist_keeps``, so the count is the smallest ``n``
    with ``odds_now · ratio**n >= odds_target``.

    Raises
    ------
    ModelError
        If trust is 0 (an opportunist revealed for sure), from which no kept
        promise can rebuild it.

    Examples
    --------
    >>> promises_to_rebuild(0.8, ["broken"], error=0.05, opportunist_keeps=0.5)
    4
    """
    observed = list(observed)
    now = posterior(target, observed, error=error, opportunist_keeps=opportunist_keeps)
    if now >= target:
        return 0
    if now == 0 and error > 0 and opportunist_keeps > 0:
        # Trust below the smallest float (two broken promises at error 1e-200), not zero:
        # the count from the log-odds, which hold it.
        beliefs = {"error": error, "opportunist_keeps": opportunist_keeps}
        log_odds = sum(
            math.log(likelihood(o, True, **beliefs)) - math.log(likelihood(o, False, **beliefs))
            for o in observed
        )
        ratio = math.log((1 - error) / opportunist_keeps)
        return max(1, math.ceil(-log_odds / ratio - 1e-12))
    if now == 0:
        raise ModelError(
            "trust is zero after these observations (with error = 0 a broken promise proves "
            "the promiser an opportunist): no number of kept promises rebuilds it",
            key="observed",
        )
    if opportunist_keeps == 0:
        return 1  # a kept promise is proof of honesty
    ratio = (1 - error) / opportunist_keeps
    odds_now, odds_target = now / (1 - now), target / (1 - target)
    n = math.ceil(math.log(odds_target / odds_now) / math.log(ratio) - 1e-12)
    # Guard the rounding of the closed form with the update of the whole history (updating
    # the rounded posterior `now` instead can differ from it in the last bit).

    def reaches(k: int) -> bool:
        history = observed + ["kept"] * k
        trust = posterior(target, history, error=error, opportunist_keeps=opportunist_keeps)
        return trust >= target

    while not reaches(n):
        n += 1
    while n > 1 and reaches(n - 1):
        n -= 1
    return n


__all__ = ["OUTCOMES", "check_beliefs", "likelihood", "posterior", "promises_to_rebuild"]
