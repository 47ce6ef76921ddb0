"""What every solution concept shares: the registry, the result, the vectorised helpers.

Holds the solution-concept registry (:mod:`~bargain.concepts.registry`: each
concept registers once, and the CLI, sweeps, brief and credibility read it),
the frozen :class:`~bargain.concepts.solution.Solution` every solver returns,
and the building blocks of the vectorised sweep kernels
(:mod:`~bargain.concepts.vectorised`).

May import: :mod:`bargain.model`, :mod:`bargain.errors`, :mod:`bargain.rounding`.
"""
