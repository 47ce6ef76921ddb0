"""The shipped model files, installed as the package data ``bargain.models``.

This folder is the source of the model files; :func:`bargain.models_dir` finds
it with :mod:`importlib.resources`, in a checkout and in an installed wheel alike.
"""
