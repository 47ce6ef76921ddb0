"""The axiomatic bargaining solutions on the utility-possibility set.

One module per concept — :mod:`~bargain.axiomatic.nash` (Nash and generalised
Nash), :mod:`~bargain.axiomatic.kalai_smorodinsky`,
:mod:`~bargain.axiomatic.egalitarian`, :mod:`~bargain.axiomatic.utilitarian` —
over the utility-possibility problem a model induces
(:mod:`~bargain.axiomatic.problem`) and its constrained program
(:mod:`~bargain.axiomatic.program`). Each concept module registers itself in
:mod:`bargain.concepts.registry` with its scalar solver and vectorised kernel.

May import: :mod:`bargain.concepts`, :mod:`bargain.model`, the base modules.
"""
