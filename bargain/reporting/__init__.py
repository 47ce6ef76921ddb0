"""Reporting: what a person reads.

The short answer under every concept (:mod:`~bargain.reporting.brief`), plots
of sweeps (:mod:`~bargain.reporting.plot`), and the build of the generated
tables and figures in ``docs/`` (:mod:`~bargain.reporting.docbuild`, which
imports its providers by name).

May import: everything below it (sweeps, reputation, contracts, games, concepts, model).
"""
