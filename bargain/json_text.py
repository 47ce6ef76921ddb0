"""JSON for programs: the one writer of the reports' ``to_json``.

Each report's ``to_dict`` gives plain values; a number or truth value computed with sympy
or numpy on its way there (``tau > d`` of two sympy numbers is ``sympy.false``, not
``False``) is written as the JSON value it stands for, rather than failing the whole
output with ``TypeError: Object of type BooleanFalse is not JSON serializable``. A value
that is not finite is refused (JSON has no ``NaN``), as ``json.dumps(allow_nan=False)``
refuses it.

Examples
--------
>>> import numpy as np, sympy
>>> print(dumps({"binds": sympy.false, "n": np.int64(3), "x": sympy.Rational(1, 4)}, None))
{"binds": false, "n": 3, "x": 0.25}
"""

from __future__ import annotations

import json
import numbers
from typing import Any


def _plain(value: Any) -> Any:
    """A truth value or number of sympy or numpy as Python's ``bool``, ``int`` or ``float``."""
    kind = type(value).__name__
    if kind in ("BooleanTrue", "BooleanFalse") or kind == "bool_":
        return bool(value)
    if isinstance(value, numbers.Integral) or getattr(value, "is_Integer", False):
        return int(value)
    if isinstance(value, numbers.Real) or getattr(value, "is_Number", False):
        return float(value)
    raise TypeError(f"Object of type {kind} is not JSON serializable")


def dumps(data: Any, indent: int | None = 2) -> str:
    """``data`` as JSON text, with ``indent`` (see the module)."""
    return json.dumps(data, indent=indent, allow_nan=False, default=_plain)
