"""Contract forms: a flat rate against a percentage of reported revenue.

:mod:`~bargain.contracts.flat_rate` holds the closed forms (CARA–normal,
CRRA–lognormal), the quadrature route and the region where a flat rate is
better for both sides.

May import: the base modules and third-party libraries only.
"""
