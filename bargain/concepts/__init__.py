"""What every solution concept shares: the registry, the result, the vectorised helpers.

Holds the solution-concept registry (:mod:`~bargain.concepts.registry`: each
concept registers once, and the CLI, sweeps, brief and credibility read it),
the frozen :class:`~bargain.concepts.solution.Solution` every solver returns,
the building blocks of the vectorised sweep kernels
(:mod:`~bargain.concepts.vectorised`), and the work budget that bounds every
closed-form attempt (:mod:`~bargain.concepts.budget`).

May import: :mod:`bargain.model`, :mod:`bargain.errors`, :mod:`bargain.rounding`.
"""
