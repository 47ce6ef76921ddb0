"""The strategic (non-cooperative) bargaining games.

The alternating-offers game (:mod:`~bargain.strategic.rubinstein`, with its
vectorised kernel), its reduction over a transfer for several contract terms
(:mod:`~bargain.strategic.transfer`), strike-or-holdout
(:mod:`~bargain.strategic.holdout`) and round-by-round play
(:mod:`~bargain.strategic.simulate`).

May import: :mod:`bargain.axiomatic`, :mod:`bargain.concepts`, :mod:`bargain.model`,
the base modules.
"""
