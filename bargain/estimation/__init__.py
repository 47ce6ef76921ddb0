"""Estimation: parameters implied by observed outcomes, and outcomes implied by uncertain
parameters.

:mod:`~bargain.estimation.calibrate` finds the values of free parameters that make
chosen outputs of chosen solution concepts equal observed values (exactly where the
concept's closed form inverts, by bounded root finding elsewhere), with the residuals,
the local sensitivity and which observation identifies which parameter.
:mod:`~bargain.estimation.uncertainty` samples the parameters' declared distributions and
reports each output's median and 5–95% interval.

May import everything below reporting: the sweeps, reputation, the games, the concepts,
the model and the base modules (see ``docs/architecture.md``).
"""
