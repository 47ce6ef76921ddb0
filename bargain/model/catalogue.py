"""Finding models: by path, or by name in the models folder.

The models folder is ``$BARGAIN_MODELS`` if set, else the shipped model files:
the package data ``bargain.models`` (the project's ``models/`` folder, installed
with the package), found with :mod:`importlib.resources`.

Examples
--------
>>> import bargain
>>> find_model("split").name
'split.toml'
>>> find_model("no-such-model")
Traceback (most recent call last):
...
bargain.errors.ModelError: no-such-model: no such model file, and no model of that name in ...
"""

from __future__ import annotations

import importlib.resources
import os
from pathlib import Path

from bargain.errors import ModelError


def models_dir() -> Path:
    """The folder of named models."""
    env = os.environ.get("BARGAIN_MODELS")
    if env:
        return Path(env)
    return Path(str(importlib.resources.files("bargain.models")))


def model_names() -> list[str]:
    """Names of the models in :func:`models_dir`, sorted."""
    return sorted(p.stem for p in models_dir().glob("*.toml"))


def find_model(name_or_path: str) -> Path:
    """The file of a model given by path or by name in :func:`models_dir`."""
    path = Path(name_or_path)
    if path.is_dir():
        raise ModelError("is a folder, not a model file", file=name_or_path)
    if path.exists():  # a file, or a device or pipe to read it from (/dev/stdin)
        return path
    named = models_dir() / f"{name_or_path}.toml"
    if "/" not in name_or_path and named.is_file():
        return named
    raise ModelError(
        f"no such model file, and no model of that name in {models_dir()} "
        f"(models: {', '.join(model_names()) or 'none'})",
        file=name_or_path,
    )


__all__ = ["find_model", "model_names", "models_dir"]
