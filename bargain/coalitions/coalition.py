"""The counterpart against a coalition, against each member alone, and breaking ranks.

A model with a ``[coalitions.NAME]`` table is solved three ways:

(a) **The coalition as one player.** A two-party model: the counterpart as it is,
    and the coalition with the joint payoff ``U_C(x) = sum_i u_i(x)`` (the members'
    payoffs add: the coalition's agreement is shared by the ``shares``, which sum to
    one), the joint disagreement payoff ``D_C = sum_i d_i`` (and the sums of the
    members' strike payoffs, outside options and bargaining powers), and the
    constraint ``U_C(x) >= tau`` of its internal rule (:mod:`bargain.coalitions.rule`:
    under unanimity, the coalition signs only if every member gains). The constraint
    is added only where it asks more than ``D_C``.
(b) **Each member alone.** A two-party model for each member ``i``: the member as it
    is, and the counterpart with its payoff from, and disagreement payoff against,
    that member alone (``counterpart_payoff``, ``counterpart_disagreement``; by
    default the counterpart's own in proportion to the member's share), over the
    contract variables that the two payoffs use.
(c) **Breaking ranks.** Member ``i`` gets ``s_i U_C*`` inside the coalition and its
    payoff from (b) alone; breaking ranks pays when the second is larger, by the
    difference. Leaving is free here: the member keeps its stand-alone terms and the
    others' terms are unchanged.

This is multi-employer against single-employer bargaining (Horn & Wolinsky 1988,
*RAND J. Econ.* 19(4); Jun 1989, *Rev. Econ. Stud.* 56(1)) in its simplest form:
with payoffs linear in a transfer and a counterpart whose payoff is the sum of its
payoffs from the members, the Nash solution gives the coalition at most the sum of
its members' stand-alone terms, since the sum of the separate maximal surpluses is at
least the maximal joint surplus (``docs/coalitions.md`` derives it; the tests check
it). Coalitional bargaining with endogenous coalitions (Chatterjee, Dutta, Ray &
Sengupta 1993, *Rev. Econ. Stud.* 60(2)) and pattern bargaining (Marshall & Merlo
2004, *Int. Econ. Rev.* 45(1)) are discussed there.

Examples
--------
>>> import bargain
>>> m = bargain.load_model(bargain.models_dir() / "coalition_three.toml")
>>> r = coalition(m)  # unanimity: N, the hard-liner, needs a joint payoff of 3
>>> round(r.payoff, 6), round(r.joint.agreement["rate"], 6), r.binds
(3.0, 0.5, True)
>>> {m.name: round(m.gain, 6) for m in r.members}
{'F': -0.05, 'N': 0.3, 'B': -0.4}
>>> r.leavers
('N',)
>>> round(coalition(m, rule="majority").payoff, 6), round(r.alone_total, 6)
(2.85, 2.85)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bargain.coalitions.alternating import CoalitionGame, coalition_rubinstein
from bargain.coalitions.joint import joint_model, member_model, solve_alone
from bargain.coalitions.rule import thresholds
from bargain.coalitions.strike import CoalitionStrike, coalition_strike
from bargain.concepts.registry import concept
from bargain.concepts.solution import Solution
from bargain.errors import BargainError, FeasibilityError, ModelError, SolverError
from bargain.json_text import dumps
from bargain.markdown import TableReport
from bargain.model.model import Model, counterpart_of
from bargain.model.validate import validate_model
from bargain.rounding import sig
from bargain.scale import magnitude, negligible

GAIN_RTOL = 1e-7
"""A gain from breaking ranks counts when it exceeds this, relative to the payoffs it is
computed from (the solvers' answers agree to far better than this)."""


@dataclass(frozen=True)
class Member:
    """One member of the coalition: inside it, alone, and what leaving is worth.

    Attributes
    ----------
    name
        The member party.
    share
        Its share of the coalition's joint payoff.
    threshold
        ``t_i = d_i / s_i``: the least joint payoff at which it gains inside.
    inside
        Its payoff inside the coalition, ``share`` times the coalition's payoff.
    alone
        The counterpart against this member alone (a two-party solution), or ``None``
        when no agreement improves on disagreement for both (the member alone then gets
        its disagreement payoff, ``disagreement``).
    disagreement
        Its own disagreement payoff.
    """

    name: str
    share: float
    threshold: float
    inside: float
    alone: Solution | None
    disagreement: float

    @property
    def alone_payoff(self) -> float:
        """Its payoff from bargaining alone (its disagreement payoff if no agreement)."""
        return self.disagreement if self.alone is None else self.alone.payoffs[self.name]

    @property
    def gain(self) -> float:
        """What breaking ranks is worth to it: alone minus inside (negative: it loses)."""
        return self.alone_payoff - self.inside

    @property
    def leaves(self) -> bool:
        """Whether breaking ranks pays (the gain is positive beyond the solvers' rounding)."""
        scale = magnitude((self.inside, self.alone_payoff, self.disagreement))
        return self.gain > GAIN_RTOL * scale


@dataclass(frozen=True)
class CoalitionReport(TableReport):
    """A coalition's bargain as one player, its members' bargains alone, and who leaves.

    Attributes
    ----------
    model, coalition, counterpart, method
        What was solved, and under which solution concept.
    rule, veto
        The internal rule used (and its veto member, else ``None``).
    threshold
        The least joint payoff the rule signs for (``tau``).
    binds
        Whether that constraint binds at the joint agreement.
    joint
        The counterpart against the coalition as one player.
    members
        Each member, in the coalition's order.
    assumptions
        Every modelling choice behind the numbers, in words.
    game
        The alternating-offers game with the coalition deciding by its rule
        (:mod:`bargain.coalitions.alternating`), or ``None`` when the model lacks what it
        needs (then ``unsolved`` says what).
    strike
        The strike's length with the coalition holding out as its pivotal member
        (:mod:`bargain.coalitions.strike`), or ``None`` (``unsolved`` says why).
    unsolved
        For each of those not solved, the reason: the missing key, located.
    period
        The model's period (the strike's unit of time).
    """

    model: str
    coalition: str
    counterpart: str
    method: str
    rule: str
    veto: str | None
    threshold: float
    binds: bool
    joint: Solution
    members: tuple[Member, ...]
    assumptions: tuple[str, ...] = field(default=())
    game: CoalitionGame | None = None
    strike: CoalitionStrike | None = None
    unsolved: dict[str, str] = field(default_factory=dict)
    period: str = "period"

    @property
    def payoff(self) -> float:
        """The coalition's payoff as one player."""
        return self.joint.payoffs[self.coalition]

    @property
    def alone_total(self) -> float:
        """The sum of the members' payoffs when each bargains alone."""
        return sum(m.alone_payoff for m in self.members)

    @property
    def leavers(self) -> tuple[str, ...]:
        """The members for whom breaking ranks pays."""
        return tuple(m.name for m in self.members if m.leaves)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: the joint solution, each member inside and alone, who leaves."""
        return {
            "model": self.model,
            "coalition": self.coalition,
            "counterpart": self.counterpart,
            "method": self.method,
            "rule": self.rule,
            "veto": self.veto,
            "threshold": self.threshold,
            "threshold_binds": self.binds,
            "joint": self.joint.to_dict(),
            "payoff": self.payoff,
            "alone_total": self.alone_total,
            "members": [
                {
                    "name": m.name,
                    "share": m.share,
                    "threshold": m.threshold,
                    "inside": m.inside,
                    "alone": m.alone_payoff,
                    "gain": m.gain,
                    "leaves": m.leaves,
                    "alone_solution": None if m.alone is None else m.alone.to_dict(),
                }
                for m in self.members
            ],
            "leavers": list(self.leavers),
            "alternating_offers": None if self.game is None else self.game.to_dict(),
            "strike": None if self.strike is None else self.strike.to_dict(),
            "unsolved": dict(self.unsolved),
            "assumptions": list(self.assumptions),
        }

    def to_json(self, indent: int | None = 2) -> str:
        """The report as one JSON object (see :meth:`to_dict`)."""
        return dumps(self.to_dict(), indent)

    def _header(self) -> list[str]:
        rule = f"{self.rule} (veto: {self.veto})" if self.veto else self.rule
        terms = ", ".join(f"{k} = {sig(v)}" for k, v in self.joint.agreement.items())
        binds = "binds" if self.binds else "does not bind"
        return [
            f"coalition {self.coalition} against {self.counterpart} in {self.model} "
            f"({self.method}); rule: {rule}",
            f"as one player: {terms}; payoffs {self.counterpart} "
            f"{sig(self.joint.payoffs[self.counterpart])}, {self.coalition} {sig(self.payoff)}",
            f"the rule asks a joint payoff of at least {sig(self.threshold)} ({binds})",
            f"members alone: {sig(self.alone_total)} in all; breaking ranks pays for "
            f"{', '.join(self.leavers) or 'no member'}",
            *([self.game.line()] if self.game is not None else []),
            *([self.strike.line(self.period)] if self.strike is not None else []),
            *(f"{what}: not solved ({why})" for what, why in self.unsolved.items()),
        ]

    def table(self, digits: int = 6) -> list[tuple[str, ...]]:
        """One row per member: share, inside, the terms alone, alone, gain, leaves."""
        names = self.joint.agreement
        return [
            (
                m.name,
                sig(m.share, digits),
                sig(m.inside, digits),
                "no agreement"
                if m.alone is None
                else ", ".join(
                    f"{k} = {sig(m.alone.agreement[k], digits)}"
                    for k in names
                    if k in m.alone.agreement
                ),
                sig(m.alone_payoff, digits),
                sig(m.gain, digits),
                "yes" if m.leaves else "no",
            )
            for m in self.members
        ]

    _COLUMNS = ("member", "share", "inside", "terms alone", "alone", "gain", "leaves")

    def to_text(self) -> str:
        """The report as plain text."""
        rows = [self._COLUMNS, *self.table()]
        widths = [max(len(r[i]) for r in rows) for i in range(len(self._COLUMNS))]
        lines = self._header()
        lines += [
            "  " + "  ".join(f"{c:<{w}}" for c, w in zip(r, widths, strict=True)).rstrip()
            for r in rows
        ]
        lines += [f"  assumption: {a}" for a in self.assumptions]
        return "\n".join(lines)


def _unsolved(err: BargainError) -> str:
    """An error's message and location, without the file (the report names the model)."""
    return str(BargainError(err.message, table=err.table, key=err.key))


def _games(
    model: Model,
    name: str,
    rule: str | None,
    veto: str | None,
    method: str,
    joint: Solution,
    proposer: str | None,
) -> tuple[CoalitionGame | None, CoalitionStrike | None, dict[str, str]]:
    """The alternating-offers game and the strike's length where the model gives what
    they need, and the reason for each that it does not."""
    unsolved: dict[str, str] = {}
    game = strike = None
    try:
        game = coalition_rubinstein(model, name, rule=rule, veto=veto, proposer=proposer)
    except (FeasibilityError, ModelError, SolverError) as err:
        unsolved["alternating offers"] = _unsolved(err)
    try:
        strike = coalition_strike(model, name, rule=rule, veto=veto, method=method, agreement=joint)
    except ModelError as err:
        unsolved["strike length"] = _unsolved(err)
    return game, strike, unsolved


def coalition(
    model: Model,
    name: str | None = None,
    *,
    rule: str | None = None,
    veto: str | None = None,
    method: str = "nash",
    exact: bool = False,
    proposer: str | None = None,
) -> CoalitionReport:
    """Solve a coalition's bargain as one player, each member's alone, and who leaves.

    Parameters
    ----------
    model
        A model with a ``[coalitions.NAME]`` table whose members and counterpart are all
        its parties.
    name
        The coalition (needed when the model has several).
    rule, veto
        The internal rule (``"unanimity"``, ``"majority"``, ``"veto"``) and the veto
        member; by default the coalition's own.
    method
        A solution concept that gives one agreement (those :func:`bargain.credibility`
        takes: ``bargain.concepts.registry.names(credibility=True)``).
    exact
        Whether the solvers look for closed forms (slower; the numbers agree).
    proposer
        Who proposes first in the alternating-offers game: the counterpart, the coalition
        or a member (default: ``[bargaining] first_proposer``, else the counterpart).

    Returns
    -------
    CoalitionReport

    Raises
    ------
    ModelError
        For an unknown coalition, rule, veto member, method or proposer; a party that is
        neither a member nor the counterpart; a method that refuses a derived model.
    FeasibilityError
        ``[coalitions.NAME] rule`` when the rule asks more than any agreement gives.
    """
    validate_model(model)
    c = model.coalition(name)
    other = counterpart_of(model, c)
    extra = [p for p in model.party_names if p not in c.members and p != other]
    if extra:
        raise ModelError(
            f"the coalition bargains with {other} alone; the model also has "
            f"{', '.join(extra)} (leave them out, or make them members)",
            file=model.file,
            table=f"coalitions.{c.name}",
            key="members",
        )
    solve = concept(method, table="coalition", credibility=True).solve
    if proposer is not None and proposer not in (other, c.name, *c.members):
        raise ModelError(
            f"must be {other}, {c.name} or one of its members, got {proposer!r}",
            file=model.file,
            table="coalition",
            key="proposer",
        )
    if veto is not None and (rule or c.rule) != "veto":
        raise ModelError(
            f"a veto member is given only with the veto rule, not {rule or c.rule!r}",
            file=model.file,
            table="coalition",
            key="veto",
        )
    joint, tau = joint_model(model, c, rule, veto)
    used_rule = rule or c.rule
    used_veto = (veto or c.veto) if used_rule == "veto" else None
    try:
        solution = solve(joint, exact=exact)
    except FeasibilityError as err:
        if not tau > model.numeric(joint.party(c.name).disagreement):
            raise
        raise FeasibilityError(
            f"under its {used_rule} rule the coalition signs only for a joint payoff of at "
            f"least {sig(float(tau))}, and no agreement gives it that while leaving {other} "
            f"at least its disagreement payoff ({err.message})",
            file=model.file,
            table=f"coalitions.{c.name}",
            key="rule",
        ) from None
    total = solution.payoffs[c.name]
    game, strike, unsolved = _games(model, c.name, rule, veto, method, solution, proposer)
    t = thresholds(model, c)
    members = tuple(
        Member(
            name=m,
            share=float(model.numeric(s)),
            threshold=t[m],
            inside=float(model.numeric(s)) * total,
            alone=solve_alone(solve, member_model(model, c, m), exact),
            disagreement=float(model.numeric(model.party(m).disagreement)),
        )
        for m, s in zip(c.members, c.shares, strict=True)
    )
    return CoalitionReport(
        model=model.name,
        coalition=c.name,
        counterpart=other,
        method=method,
        rule=used_rule,
        veto=used_veto,
        threshold=float(tau),
        binds=bool(tau > model.numeric(joint.party(c.name).disagreement))
        and negligible(total - float(tau), (total, float(tau)), GAIN_RTOL),
        joint=solution,
        members=members,
        assumptions=(
            "the members' payoffs add up: the coalition's payoff is their sum, shared by "
            "fixed shares",
            "a member gains inside the coalition when its share of the joint payoff is at "
            "least its own disagreement payoff; the rule asks enough members to gain",
            "the counterpart's payoff and disagreement against a member alone are "
            + (
                "declared per member"
                if c.counterpart_payoff is not None
                else "its own times the member's share"
            ),
            "breaking ranks is free: a member that leaves gets its terms alone, and the "
            "others' terms do not change",
            *(
                ()
                if game is None
                else (
                    "alternating offers: each member accepts an offer when its share of it is "
                    "worth its own value of rejecting; the coalition accepts when enough do",
                )
            ),
            *(
                ()
                if strike is None
                else (
                    "strike length: the coalition concedes when the member whose consent it "
                    "needs last does, and is obstinate when that member is",
                )
            ),
        ),
        game=game,
        strike=strike,
        unsolved=unsolved,
        period=model.period,
    )


__all__ = ["CoalitionReport", "Member", "coalition", "joint_model", "member_model"]
