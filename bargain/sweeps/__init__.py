"""Sensitivity sweeps: many parameter points, solved as arrays.

A model compiled once into a vectorised kernel (:mod:`~bargain.sweeps.compile`,
which asks each concept in the registry for its closed form or kernel), the
designs and the in-memory sweep with its sensitivity indices
(:mod:`~bargain.sweeps.sweep`), streaming to CSV or Parquet with resume
(:mod:`~bargain.sweeps.stream`) and Dask clusters
(:mod:`~bargain.sweeps.cluster`).

May import: the concepts (through the registry), :mod:`bargain.model`, the base modules.
"""
