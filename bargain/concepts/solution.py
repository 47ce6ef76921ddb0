"""The answer of every solver: a frozen :class:`Solution` and its renderings.

A solution records the agreement, the payoffs, the disagreement point, the
expected delay, the method and how it was solved (exactly or numerically),
the closed form where one was found, and the assumptions made. It renders as
plain text, Markdown, JSON (the stable format other programs read) and, in
Jupyter, as LaTeX.

Examples
--------
>>> import bargain
>>> s = bargain.nash(bargain.load_model(bargain.models_dir() / "split.toml"))
>>> s.agreement
{'x': 0.5}
>>> s.formula["x"]
V/2 - d_A/2 + d_W/2
>>> import json
>>> json.loads(s.to_json())["formula"]
{'x': 'V/2 - d_A/2 + d_W/2'}
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import sympy

from bargain.json_text import dumps
from bargain.model.expr import expressible, expression_to_string

EXACT_SHOWN = 60
"""The longest exact value the text and Markdown reports print beside the decimal (the
JSON output always has it)."""
BELOW_DISAGREEMENT = (
    "the payoff is below it: in this game the disagreement payoff is paid only if talks "
    "break down, so an agreement may give less"
)


@dataclass(frozen=True)
class Solution:
    """A solution of a bargaining model under one solution concept.

    Attributes
    ----------
    model
        Name of the model solved.
    method
        The solution concept: ``"nash"``, ``"kalai-smorodinsky"``,
        ``"egalitarian"`` or ``"utilitarian"`` (later: ``"rubinstein"``, …).
    agreement
        Value of each contract variable.
    payoffs
        Each party's payoff from the agreement.
    disagreement
        The disagreement point used.
    parameters
        The parameter values solved at.
    delay
        Expected number of periods before agreement (0: agreement at once).
    exact
        Whether the agreement comes from a closed form (``formula``) rather
        than from numeric optimisation alone.
    formula
        Closed form of each contract variable in the parameters, or ``None``.
    exact_agreement
        The closed form evaluated at the parameter values (e.g. ``2/3``), or ``None``
        (also where the expression language cannot write it, e.g. a rational of
        thousands of digits).
    route
        How the answer was computed (which algorithm, which library).
    binding
        Bounds and constraints that bind at the agreement.
    powers
        Bargaining powers used (generalised Nash), or ``None``.
    extra
        Further concept-specific numbers (e.g. the ideal point of
        Kalai–Smorodinsky), by name.
    assumptions
        Modelling choices behind the answer, in words.
    agreement_set
        Where the solution concept has many solutions, the range ``(low, high)``
        of each contract variable over them; ``agreement`` and ``payoffs`` are
        then empty (no arbitrary point is picked), unless a tie-break stated in
        ``assumptions`` picks one of them (the utilitarian solution with
        transferable utility: the Nash product among the maximisers). ``None``
        when unique.
    agreement_points
        Where the solutions are finitely many separate agreements (e.g. two
        maximisers of the payoff sum with nothing between them), each of them;
        ``agreement_set`` is then ``None``: a range would say that the agreements
        between them are solutions too, which they are not. Empty otherwise.
    agreement_point_sets
        For each of ``agreement_points``, where it lies in a set of solutions (a face of
        maximisers beside a separate maximiser), the range ``(low, high)`` of each contract
        variable over that set; ``None`` for one that is a solution alone. Empty when
        ``agreement_points`` is, or when each of them is alone.
    """

    model: str
    method: str
    agreement: dict[str, float]
    payoffs: dict[str, float]
    disagreement: dict[str, float]
    parameters: dict[str, float]
    delay: float = 0.0
    exact: bool = False
    formula: dict[str, sympy.Expr] | None = None
    exact_agreement: dict[str, sympy.Expr] | None = None
    route: str = ""
    binding: tuple[str, ...] = ()
    powers: dict[str, float] | None = None
    extra: dict[str, dict[str, float]] = field(default_factory=dict)
    assumptions: tuple[str, ...] = ()
    agreement_set: dict[str, tuple[float, float]] | None = None
    agreement_points: tuple[dict[str, float], ...] = ()
    agreement_point_sets: tuple[dict[str, tuple[float, float]] | None, ...] = ()

    def __post_init__(self) -> None:
        # A closed form at the parameter values that the expression language cannot write
        # (a rational of thousands of digits, from 0.9**10000 say) is not reported.
        written = [expressible(e, special=True) for e in (self.exact_agreement or {}).values()]
        if not all(written):
            object.__setattr__(self, "exact_agreement", None)

    @property
    def unique(self) -> bool:
        """Whether the solution is one agreement (else ``agreement_set`` holds the set, or
        ``agreement_points`` its separate agreements)."""
        return self.agreement_set is None and len(self.agreement_points) <= 1

    @property
    def below_disagreement(self) -> tuple[str, ...]:
        """The parties whose payoff is below their disagreement payoff.

        An axiomatic solution never puts a party there; in the alternating-offers
        games it can, because the disagreement payoff is paid only if talks break
        down, and the strike payoffs of the rounds before, not it, are what
        waiting is worth.
        """
        return tuple(
            p
            for p, v in self.payoffs.items()
            if v < self.disagreement[p] - 1e-9 * max(1.0, abs(self.disagreement[p]))
        )

    # -- renderings -----------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; the keys are those of the documented JSON output."""
        return {
            "model": self.model,
            "method": self.method,
            "agreement": dict(self.agreement),
            "payoffs": dict(self.payoffs),
            "disagreement": dict(self.disagreement),
            "delay": self.delay,
            "formula": _strings(self.formula),
            "exact_agreement": _strings(self.exact_agreement),
            "exact": self.exact,
            "parameters": dict(self.parameters),
            "powers": None if self.powers is None else dict(self.powers),
            "binding": list(self.binding),
            "route": self.route,
            "extra": {k: dict(v) for k, v in self.extra.items()},
            "assumptions": list(self.assumptions),
            "unique": self.unique,
            "agreement_set": None
            if self.agreement_set is None
            else {k: list(v) for k, v in self.agreement_set.items()},
            "agreement_points": [dict(p) for p in self.agreement_points] or None,
            "agreement_point_sets": [
                None if r is None else {k: list(v) for k, v in r.items()}
                for r in self.agreement_point_sets
            ]
            or None,
        }

    def to_json(self, indent: int | None = 2) -> str:
        """The solution as a JSON object (see :meth:`to_dict` for the keys)."""
        return dumps(self.to_dict(), indent)

    def _rows(self) -> list[tuple[str, str, str]]:
        rows = []
        for name, value in self.agreement.items():
            exact = ""
            if self.exact_agreement and name in self.exact_agreement:
                e = self.exact_agreement[name]
                if not isinstance(e, sympy.Float) and not (e.is_Integer and float(e) == value):
                    exact = expression_to_string(e, special=True)
            if len(exact) > EXACT_SHOWN:
                exact = ""  # a rational of hundreds of digits says nothing the decimal does not
            formula = expression_to_string(self.formula[name], special=True) if self.formula else ""
            rows.append((name, f"{value:.12g}" + (f" (= {exact})" if exact else ""), formula))
        return rows

    def to_text(self) -> str:
        """A short human-readable report."""
        lines = [f"{self.method} solution of {self.model}" + (" (exact)" if self.exact else "")]
        if self.powers:
            lines.append(
                "  bargaining powers: "
                + ", ".join(f"{k} = {v:.6g}" for k, v in self.powers.items())
            )
        if self.agreement_points:
            lines.append("  agreement: not unique; each of these agreements:")
            lines.extend(f"    {p}" for p in self._points())
        elif self.agreement_set is not None:
            lines.append("  agreement: not unique; every agreement in")
            lines.extend(f"    {_range(k, lo, hi)}" for k, (lo, hi) in self.agreement_set.items())
            if self.agreement:
                lines.append("  the tie-break picks (see the assumption):")
        else:
            lines.append("  agreement:")
        for name, value, formula in self._rows():
            lines.append(f"    {name} = {value}" + (f"    formula: {formula}" if formula else ""))
        if self.payoffs:
            lines.append("  payoffs:")
        below = self.below_disagreement
        for party, value in self.payoffs.items():
            shown, beside = _apart(value, self.disagreement[party])
            lines.append(
                f"    {party} = {shown}   (disagreement {beside}"
                + (f"; {BELOW_DISAGREEMENT}" if party in below else "")
                + ")"
            )
        lines.extend(f"  {label}: {_values(values)}" for label, values in self.extra.items())
        lines.append(f"  delay: {self.delay:g} periods")
        if self.binding:
            lines.append(f"  binding: {', '.join(self.binding)}")
        lines.append(f"  route: {self.route}")
        lines.extend(f"  assumption: {a}" for a in self.assumptions)
        return "\n".join(lines)

    def to_markdown(self) -> str:
        """A Markdown report: a table of the agreement and one of the payoffs."""
        title = f"**{self.method}** solution of `{self.model}`" + (" (exact)" if self.exact else "")
        out = [title, ""]
        if self.powers:
            powers = ", ".join(f"{k} = {v:.6g}" for k, v in self.powers.items())
            out += [f"Bargaining powers: {powers}.", ""]
        out += ["| term | value | formula |", "|---|---|---|"]
        out += [f"| {n} | {v} | {f'`{f}`' if f else ''} |" for n, v, f in self._rows()]
        if self.agreement_points:
            out += [f"| agreement | one of: {'; '.join(self._points())} | |"]
        else:
            label = " (every solution)" if self.agreement else ""
            out += [
                f"| {n}{label} | any in [{lo:.12g}, {hi:.12g}] | |"
                for n, (lo, hi) in (self.agreement_set or {}).items()
            ]
        if self.payoffs:
            out += ["", "| party | payoff | disagreement |", "|---|---|---|"]
            out += [
                "| {} | {} | {} |".format(p, *_apart(v, self.disagreement[p]))
                for p, v in self.payoffs.items()
            ]
        if self.below_disagreement:
            out += ["", f"{', '.join(self.below_disagreement)}: {BELOW_DISAGREEMENT}."]
        if self.extra:
            out.append("")
        out += [f"- {label}: {_values(values)}" for label, values in self.extra.items()]
        binding = f" Binding: {', '.join(self.binding)}." if self.binding else ""
        out += ["", f"Delay: {self.delay:g} periods.{binding} Route: {self.route}."]
        out += [f"- {a}" for a in self.assumptions]
        return "\n".join(out)

    def _points(self) -> list[str]:
        """Each of ``agreement_points`` in words, with the set it lies in where it does."""
        sets = self.agreement_point_sets or (None,) * len(self.agreement_points)
        return [
            _point(p)
            + ("" if r is None else f" (one of a set of maximisers spanning {_ranges(r)})")
            for p, r in zip(self.agreement_points, sets, strict=True)
        ]

    def _repr_latex_(self) -> str:
        """LaTeX for Jupyter: the agreement with its closed form where known."""
        parts = []
        for name, value in self.agreement.items():
            if self.formula and name in self.formula:
                parts.append(
                    f"{sympy.latex(sympy.Symbol(name))} = {sympy.latex(self.formula[name])}"
                    f" \\approx {value:.6g}"
                )
            else:
                parts.append(f"{sympy.latex(sympy.Symbol(name))} \\approx {value:.6g}")
        return "$\\displaystyle " + ",\\quad ".join(parts) + "$"

    def __str__(self) -> str:
        return self.to_text()


def _apart(value: float, other: float) -> tuple[str, str]:
    """``value`` and ``other`` in 12 significant digits, or in as many more (up to 17, which
    tell any two floats apart) as show that they differ: a payoff of ``1e12 + 1`` beside a
    disagreement payoff of ``1e12`` is not printed as the same number.

    >>> _apart(1e12 + 1, 1e12), _apart(0.5, 0.25)
    (('1000000000001', '1000000000000'), ('0.5', '0.25'))
    """
    for digits in range(12, 18):
        shown, beside = f"{value:.{digits}g}", f"{other:.{digits}g}"
        if shown != beside or value == other:
            return shown, beside
    return shown, beside


def _range(name: str, low: float, high: float) -> str:
    """A variable's range over a set of solutions, e.g. ``x in [0, 1]`` (``x = 0`` if one)."""
    return f"{name} = {low:.12g}" if low == high else f"{name} in [{low:.12g}, {high:.12g}]"


def _ranges(ranges: Mapping[str, tuple[float, float]], between: str = ", ") -> str:
    """Each variable's range over a set of solutions, e.g. ``x in [0, 1], y = 0``."""
    return between.join(_range(k, lo, hi) for k, (lo, hi) in ranges.items())


def _values(values: Mapping[str, float]) -> str:
    """``k = v`` for each of ``values``, in 12 significant digits (an extra's line).

    >>> _values({"A": 0.5, "B": 2 / 3})
    'A = 0.5, B = 0.666666666667'
    """
    return ", ".join(f"{k} = {v:.12g}" for k, v in values.items())


def _point(point: Mapping[str, float]) -> str:
    """One agreement of a finite set, e.g. ``x = 0, y = 1``."""
    return ", ".join(f"{k} = {v:.12g}" for k, v in point.items())


def set_text(solution: Solution) -> str:
    """A solution's set of agreements in words: its separate agreements (``x = 0 or
    x = 1``), else each variable's range (``x in [0.1, 1]``); ``""`` for one agreement.

    Examples
    --------
    >>> s = Solution(model="m", method="utilitarian", agreement={}, payoffs={},
    ...     disagreement={}, parameters={}, agreement_points=({"x": 0.0}, {"x": 1.0}))
    >>> set_text(s)
    'x = 0 or x = 1'
    """
    if solution.agreement_points:
        return " or ".join(solution._points())
    return _ranges(solution.agreement_set or {}, "; ")


def _strings(exprs: Mapping[str, sympy.Expr] | None) -> dict[str, str] | None:
    if exprs is None:
        return None
    return {k: expression_to_string(v, special=True) for k, v in exprs.items()}


__all__ = ["Solution", "set_text"]
