"""Pattern bargaining: the first agreement's terms become every later contract's.

A common party (the coalition table's counterpart) bargains with several others (the
coalition's members) whose contracts are written over the same terms. It can settle them
two ways:

- **One by one**: a separate two-party bargain with each member over its own terms
  (:func:`bargain.coalitions.coalition.member_model`); the common party's payoff is the
  sum of its payoffs from the separate agreements.
- **By a pattern** (Marshall & Merlo 2004, "Pattern bargaining", *International Economic
  Review* 45(1): 239-255): the common party bargains first with the member that sets the
  pattern; the agreement becomes the take-it-or-leave-it offer to every later member, who
  signs when it gains. In the first talk the common party weighs the terms by everything
  they will cost or bring it in *all* the contracts: its payoff is its whole payoff and its
  disagreement payoff its whole disagreement payoff, so the Nash product is the first
  member's gain times the common party's gain summed over the contracts; every later
  member's acceptance is a constraint.

With payoffs linear in one term ``r`` (member ``i``: ``p_i + s_i r``, the common party from
``i``: ``c_i - s_i r``, disagreement payoffs ``d_i`` and ``e_i``), the Nash solution gives
(derived here; Marshall & Merlo's text was not available, see ``docs/coalitions.md``)

- one by one: ``r_i = (d_i - p_i + S_i/2) / s_i`` with ``S_i = p_i + c_i - d_i - e_i``;
- the pattern set by member ``m``: ``r_P = C/(2 sigma) - (p_m - d_m)/(2 s_m)`` with
  ``C = sum_i (c_i - e_i)`` and ``sigma = sum_i s_i`` (before a later member's acceptance
  binds).

With identical members ``r_P = r_i``; otherwise ``r_P`` need *not* lie between the
one-by-one terms (the tests hold a counterexample). With ``t_i = (d_i - p_i)/s_i``, the
term at which member ``i`` gains nothing, the common party's gain from the pattern is
``(1/2) sum_i s_i (t_i - t_m)``: it gains by setting the pattern with the member whose
``t_m`` is the most favourable to it (``linear_pattern_gain``).

Examples
--------
>>> import bargain
>>> m = bargain.load_model(bargain.models_dir() / "coalition_three.toml")
>>> r = pattern(m, order=("N", "F", "B"))  # the guild sets the pattern with the network
>>> round(r.solution.agreement["rate"], 6)
0.3
>>> {x.name: round(x.alone_terms["rate"], 6) for x in r.members}
{'N': 0.3, 'F': 0.9, 'B': 0.6}
>>> round(r.common_gain, 6)  # the guild loses 0.75 by copying the network's rate
-0.75
>>> round(pattern(m, order=("F", "N", "B")).solution.agreement["rate"], 6)  # N must accept
0.6
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import sympy

from bargain.coalitions.joint import member_model, solve_alone
from bargain.concepts.registry import concept
from bargain.concepts.solution import Solution
from bargain.errors import FeasibilityError, ModelError
from bargain.json_text import dumps
from bargain.markdown import TableReport
from bargain.model.model import Constraint, Model, counterpart_of
from bargain.model.validate import validate_model
from bargain.rounding import sig


@dataclass(frozen=True)
class PatternMember:
    """One member's contract one by one and under the pattern.

    Attributes
    ----------
    name
        The member party.
    alone
        Its payoff from bargaining one by one (its disagreement payoff if no agreement).
    alone_terms
        The terms it signs one by one (empty if no agreement).
    common_alone
        The common party's payoff from this member's contract one by one.
    patterned
        Its payoff under the pattern's terms.
    common_patterned
        The common party's payoff from this member's contract under the pattern.
    """

    name: str
    alone: float
    alone_terms: dict[str, float]
    common_alone: float
    patterned: float
    common_patterned: float

    @property
    def gain(self) -> float:
        """What the pattern is worth to the member: patterned minus alone."""
        return self.patterned - self.alone


@dataclass(frozen=True)
class PatternReport(TableReport):
    """A common party's contracts one by one and under a pattern set by ``order[0]``.

    Attributes
    ----------
    model, coalition, common, method
        What was solved, the coalition table read, the common party, the concept.
    order
        The order of the negotiations; the first sets the pattern.
    solution
        The first negotiation under the pattern (the common party's whole payoff against
        the first member's, every later member's acceptance a constraint).
    members
        Each member, in ``order``.
    assumptions
        The modelling choices behind the numbers, in words.
    """

    model: str
    coalition: str
    common: str
    method: str
    order: tuple[str, ...]
    solution: Solution
    members: tuple[PatternMember, ...]
    assumptions: tuple[str, ...] = field(default=())

    @property
    def common_alone(self) -> float:
        """The common party's payoff summed over the contracts signed one by one."""
        return sum(m.common_alone for m in self.members)

    @property
    def common_patterned(self) -> float:
        """The common party's payoff under the pattern."""
        return self.solution.payoffs[self.common]

    @property
    def common_gain(self) -> float:
        """What the pattern is worth to the common party (patterned minus one by one)."""
        return self.common_patterned - self.common_alone

    @property
    def accepting(self) -> tuple[str, ...]:
        """The later members whose acceptance binds the pattern's terms."""
        return tuple(m for m in self.order[1:] if _accepts(m) in self.solution.binding)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: the pattern's terms, and each member one by one and patterned."""
        return {
            "model": self.model,
            "coalition": self.coalition,
            "common": self.common,
            "method": self.method,
            "order": list(self.order),
            "terms": self.solution.agreement,
            "common_alone": self.common_alone,
            "common_patterned": self.common_patterned,
            "common_gain": self.common_gain,
            "binding_acceptance": list(self.accepting),
            "members": [
                {
                    "name": m.name,
                    "alone_terms": m.alone_terms,
                    "alone": m.alone,
                    "patterned": m.patterned,
                    "gain": m.gain,
                    "common_alone": m.common_alone,
                    "common_patterned": m.common_patterned,
                }
                for m in self.members
            ],
            "assumptions": list(self.assumptions),
        }

    def to_json(self, indent: int | None = 2) -> str:
        """The report as one JSON object (see :meth:`to_dict`)."""
        return dumps(self.to_dict(), indent)

    def _header(self) -> list[str]:
        terms = ", ".join(f"{k} = {sig(v)}" for k, v in self.solution.agreement.items())
        return [
            f"pattern set by {self.order[0]} for {self.common} in {self.model} "
            f"({self.method}); order: {', '.join(self.order)}",
            f"pattern: {terms}; {self.common} {sig(self.common_patterned)} against "
            f"{sig(self.common_alone)} one by one (gain {sig(self.common_gain)})",
        ]

    def table(self) -> list[tuple[str, ...]]:
        """One row per member: terms one by one, payoff one by one, patterned, gain."""
        return [
            (
                m.name,
                ", ".join(f"{k} = {sig(v)}" for k, v in m.alone_terms.items()) or "no agreement",
                sig(m.alone),
                sig(m.patterned),
                sig(m.gain),
            )
            for m in self.members
        ]

    _COLUMNS = ("member", "terms one by one", "one by one", "patterned", "gain")

    def to_text(self) -> str:
        """The report as plain text: the pattern's terms, then one line per member."""
        lines = self._header()
        lines += [
            f"  {name}: one by one {terms}, payoff {alone}; patterned {patterned} (gain {gain})"
            for name, terms, alone, patterned, gain in self.table()
        ]
        lines += [f"  assumption: {a}" for a in self.assumptions]
        return "\n".join(lines)


def _accepts(member: str) -> str:
    """The name of the constraint that ``member`` signs the pattern's terms."""
    return f"{member}_accepts_pattern"


def checked_order(
    model: Model, members: Sequence[str], order: Sequence[str] | None
) -> tuple[str, ...]:
    """``order`` as a tuple, checked to be the members each once (the members' order if
    ``None``).

    Raises
    ------
    ModelError
        ``[pattern] order`` naming the unknown, missing or repeated members.
    """
    if order is None:
        return tuple(members)
    got = tuple(order)
    unknown = [m for m in got if m not in members]
    missing = [m for m in members if m not in got]
    repeated = sorted({m for m in got if got.count(m) > 1})
    if unknown or missing or repeated:
        problems = [
            f"{label} {', '.join(names)}"
            for label, names in (("unknown", unknown), ("missing", missing), ("repeated", repeated))
            if names
        ]
        raise ModelError(
            f"the order of the negotiations names each member once ({', '.join(members)}); "
            f"{'; '.join(problems)}",
            file=model.file,
            table="pattern",
            key="order",
        )
    return got


def _value(model: Model, expr: sympy.Expr, terms: dict[str, float]) -> float:
    at = {v.symbol: terms[v.name] for v in model.variables if v.name in terms}
    return float(model.numeric(expr).xreplace(at))


def pattern_model(
    model: Model, name: str | None = None, order: Sequence[str] | None = None
) -> Model:
    """The first negotiation under a pattern (see the module docstring): the common party
    with its whole payoff and disagreement payoff against the first member, every later
    member's acceptance of the same terms a constraint.

    Raises
    ------
    ModelError
        ``[pattern] order`` for a bad order; ``[coalitions.NAME] members`` when the members'
        contracts are not written over the same terms (there is nothing to copy).
    """
    c = model.coalition(name)
    sequence = checked_order(model, c.members, order)
    terms = {m: tuple(member_model(model, c, m).variable_names) for m in c.members}
    if len(set(terms.values())) > 1:
        raise ModelError(
            "a pattern copies the first agreement's terms, so every member's contract must be "
            "over the same terms; "
            + "; ".join(f"{m}'s is over {', '.join(v) or 'none'}" for m, v in terms.items()),
            file=model.file,
            table=f"coalitions.{c.name}",
            key="members",
        )
    common = model.party(counterpart_of(model, c))
    first = model.party(sequence[0])
    accept = tuple(
        Constraint(
            _accepts(m),
            sympy.GreaterThan(model.party(m).payoff, model.party(m).disagreement),
            description=f"{m} signs the pattern's terms only if it gains",
        )
        for m in sequence[1:]
    )
    proposer = model.bargaining.first_proposer
    return replace(
        model,
        name=f"{model.name}_pattern_{first.name}",
        parties=(common, first),
        constraints=model.constraints + accept,
        coalitions=(),
        promises=(),
        bargaining=replace(
            model.bargaining,
            first_proposer=first.name if proposer in c.members else proposer,
        ),
    )


def pattern(
    model: Model,
    name: str | None = None,
    *,
    order: Sequence[str] | None = None,
    method: str = "nash",
    exact: bool = False,
) -> PatternReport:
    """Settle a common party's contracts one by one and under a pattern, and compare.

    Parameters
    ----------
    model
        A model with a ``[coalitions.NAME]`` table: its counterpart is the common party,
        its members the parties it bargains with, and ``counterpart_payoff`` /
        ``counterpart_disagreement`` split the common party's payoff among the contracts
        (the members need not bargain as one: the table says who sits at which talk).
    name
        The coalition table (needed when the model has several).
    order
        The order of the negotiations (the members, each once); the first sets the
        pattern. By default the members' order.
    method
        A solution concept that gives one agreement
        (``bargain.concepts.registry.names(credibility=True)``).
    exact
        Whether the solvers look for closed forms.

    Returns
    -------
    PatternReport

    Raises
    ------
    ModelError
        For an unknown coalition or method, a bad ``order``, members whose contracts are
        over different terms.
    FeasibilityError
        ``[pattern] order`` when no terms give the first member and the common party a
        gain while every later member accepts them.

    Notes
    -----
    Marshall & Merlo (2004), *International Economic Review* 45(1), model the pattern as
    a union's take-it-or-leave-it offer of its first agreement to later firms; the first
    negotiation here is its Nash (or any registered concept's) counterpart, derived in
    ``docs/coalitions.md``.
    """
    validate_model(model)
    c = model.coalition(name)
    solve = concept(method, table="pattern", credibility=True).solve
    sequence = checked_order(model, c.members, order)
    first = pattern_model(model, name, sequence)
    common = counterpart_of(model, c)
    try:
        solution = solve(first, exact=exact)
    except FeasibilityError as err:
        raise FeasibilityError(
            f"no terms give {sequence[0]} and {common} a gain while "
            f"{', '.join(sequence[1:])} accept them ({err.message})",
            file=model.file,
            table="pattern",
            key="order",
        ) from None
    split = dict(
        zip(
            c.members,
            c.counterpart_payoff or tuple(model.party(common).payoff * share for share in c.shares),
            strict=True,
        )
    )
    members = []
    for m in sequence:
        sub = member_model(model, c, m)
        alone = solve_alone(solve, sub, exact)
        own = model.party(m)
        members.append(
            PatternMember(
                name=m,
                alone=_value(model, own.disagreement, {}) if alone is None else alone.payoffs[m],
                alone_terms={} if alone is None else dict(alone.agreement),
                common_alone=_value(model, sub.party(common).disagreement, {})
                if alone is None
                else alone.payoffs[common],
                patterned=_value(model, own.payoff, solution.agreement),
                common_patterned=_value(model, split[m], solution.agreement),
            )
        )
    return PatternReport(
        model=model.name,
        coalition=c.name,
        common=common,
        method=method,
        order=sequence,
        solution=solution,
        members=tuple(members),
        assumptions=(
            f"one by one, {common} bargains with each member separately over its own terms",
            f"under the pattern, {common} bargains once with {sequence[0]} with its whole "
            "payoff and disagreement payoff at stake (if that talk fails, no contract copies "
            "it), and every later member signs the same terms when it gains",
            "the members' contracts are independent: a contract's payoffs do not depend on "
            "another's terms",
        ),
    )


def linear_pattern_gain(
    p: Sequence[float], s: Sequence[float], d: Sequence[float], first: int = 0
) -> float:
    """The common party's gain from the pattern set by member ``first``, linear payoffs,
    Nash: ``(1/2) sum_i s_i (t_i - t_first)`` with ``t_i = (d_i - p_i)/s_i`` (derived from
    :func:`linear_pattern`; before any later member's acceptance binds).

    Examples
    --------
    >>> round(linear_pattern_gain([1.0, 1.5, 2.0], [-0.5, -1.0, -1.5], [0.1, 0.9, 0.2], 1), 9)
    -0.75
    """
    t = [(di - pi) / si for pi, si, di in zip(p, s, d, strict=True)]
    return sum(si * (ti - t[first]) for si, ti in zip(s, t, strict=True)) / 2


def linear_pattern(
    p: Sequence[float],
    s: Sequence[float],
    c: Sequence[float],
    d: Sequence[float],
    e: Sequence[float],
    first: int = 0,
) -> tuple[tuple[float, ...], float]:
    """The one-by-one terms and the pattern's term in closed form, linear payoffs, Nash.

    Member ``i`` gets ``p_i + s_i r``, the common party ``c_i - s_i r`` from it; their
    disagreement payoffs are ``d_i`` and ``e_i``. Returns ``(r_1..r_n, r_P)`` with the
    pattern set by member ``first`` (before any later member's acceptance binds). Derived
    from the Nash product's first-order condition (module docstring; the tests check it
    against a direct maximisation).

    Examples
    --------
    >>> one, r = linear_pattern(
    ...     [1.0, 1.5, 2.0], [-0.5, -1.0, -1.5], [0, 0, 0], [0.1, 0.9, 0.2], [0, 0, 0], first=1
    ... )
    >>> [round(x, 9) for x in one], round(r, 9)
    ([0.9, 0.3, 0.6], 0.3)
    """
    one = tuple(
        (di - pi + (pi + ci - di - ei) / 2) / si
        for pi, si, ci, di, ei in zip(p, s, c, d, e, strict=True)
    )
    total_c = sum(ci - ei for ci, ei in zip(c, e, strict=True))
    sigma = sum(s)
    return one, total_c / (2 * sigma) - (p[first] - d[first]) / (2 * s[first])


__all__ = [
    "PatternMember",
    "PatternReport",
    "checked_order",
    "linear_pattern",
    "linear_pattern_gain",
    "pattern",
    "pattern_model",
]
