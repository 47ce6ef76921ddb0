"""The model: what a negotiation is, written down.

Holds the safe expression language (:mod:`~bargain.model.expr`), the immutable
:class:`~bargain.model.model.Model` and its parts (:mod:`~bargain.model.model`),
model files in TOML (:mod:`~bargain.model.modelfile`), the checks every solver
relies on (:mod:`~bargain.model.validate`) and the catalogue of shipped model
files (:mod:`~bargain.model.catalogue`).

May import: :mod:`bargain.errors`, :mod:`bargain.rounding` and third-party libraries.
Nothing above it (concepts, games, reputation, sweeps, reporting, cases, CLI).
"""
