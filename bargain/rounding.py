"""Numbers for people: significant figures, with ``-0`` and solver noise shown as ``0``.

One formatter for every printed number (the brief, the credibility report, the
generated docs), so the same value never prints two ways.

Examples
--------
>>> sig(2 / 3), sig(1234567.0), sig(-0.0), sig(1e-20, 3)
('0.666667', '1.23457e+06', '0', '1e-20')
>>> sig(-3.5e-15, 4, zero=1e-7)   # noise on a problem whose numbers are in the hundreds
'0'
"""

from __future__ import annotations


def sig(x: float, digits: int = 6, *, zero: float = 0.0) -> str:
    """``x`` to ``digits`` significant figures; ``"0"`` for ``-0`` and for ``|x| <= zero``.

    Parameters
    ----------
    x
        The number.
    digits
        Significant figures. Rounding to a stated precision also keeps a
        generated table's bytes the same when a different numpy or scipy build
        changes the last bits of a computed number.
    zero
        Magnitudes up to this print as ``0``: pass a tolerance on the problem's
        scale to hide a solver's rounding noise (default: only zero itself).
    """
    if abs(float(x)) <= zero:
        return "0"
    text = f"{float(x):.{digits}g}"
    return "0" if text in ("-0", "0") else text
