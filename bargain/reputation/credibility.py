"""Credibility-adjusted bargaining: what a broken promise costs at the table.

A model's promise (``[promises.NAME]``) is evaluated twice — *before* it is
broken, at the prior trust, and *after* the observed outcomes (by default one
broken promise), at the posterior trust of :func:`bargain.reputation.trust.posterior` —
and the model is solved at each trust level under a solution concept.
Three channels link trust to the bargaining problem, each a switch:

1. **Expected value.** The promise is a *package deal*: the recipient
   concedes something worth ``concession`` to it and ``concession_value`` to
   the promiser; the promiser keeps its promise, worth ``promised`` to the
   recipient and costing it ``promised_cost``, with probability
   ``k = trust (1 − error) + (1 − trust) opportunist_keeps``. With the package
   in the agreement the recipient's payoff gains ``k · promised − concession``
   and the promiser's ``concession_value − k · promised_cost``: a promise is
   worth its face value times the probability it is kept, reckoned at the
   beliefs both sides share.
2. **Feasibility** (``package``). ``"threshold"`` (default): the package is in
   the agreement only when both sides gain from it — for the recipient, when
   trust is at least the trust threshold of :mod:`bargain.reputation.promise`;
   ``"always"`` / ``"never"`` force it in or out.
3. **Breakdown risk.** Distrust adds a per-round risk that talks break down:
   ``q = 1 − (1 − q0)(1 − b (1 − trust))``, with ``q0`` the model's
   ``breakdown_probability`` and ``b`` the promise's
   ``breakdown_per_distrust`` (default 0: this channel off). It moves the
   alternating-offers equilibrium; the axiomatic solutions ignore it.

The **expected strike length** comes from reputational bargaining
(:mod:`bargain.reputation.attrition`, Abreu & Gul 2000) when both parties state a
``demand`` and the recipient a ``hardliner`` probability: the promiser's
probability of being a hard-liner is identified with that of being an
opportunist, ``1 − trust``. When the model also lists ``focal_dates`` in
``[bargaining]``, each stage has the strike's full length
(:mod:`bargain.reputation.duration`): the war's concessions, breakdowns at the
stage's breakdown risk (``−ln(1 − q)`` per period) that end the strike at the
next focal date, and the strikes that run to the last date (the impasse among
them); the cost of the broken promise then counts the expected strike cost of
every path.

Examples
--------
>>> import bargain
>>> model = bargain.model_from_dict({
...     "model": {"name": "deal"}, "parameters": {"p": 0.8},
...     "variables": {"x": {"min": 0, "max": 1}},
...     "parties": {"W": {"payoff": "x"}, "A": {"payoff": "1 - x"}},
...     "promises": {"dvd_for_est": {"by": "A", "to": "W", "concession": 0.1,
...                  "concession_value": 0.3, "promised": 0.2, "trust": "p",
...                  "error": 0.1}}})
>>> report = credibility(model)
>>> report.before.package, report.after.package
(True, False)
>>> round(report.after.trust, 4), round(report.cost["surplus_lost"], 4)
(0.2857, 0.2)
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

import sympy

from bargain.concepts.registry import concept
from bargain.concepts.solution import Solution, set_text
from bargain.errors import ModelError, SolverError
from bargain.json_text import dumps
from bargain.model.model import Model, Promise, exact_number
from bargain.model.patience import discount_rates
from bargain.model.validate import numeric_value, validate_model
from bargain.reputation.attrition import Reputation, abreu_gul
from bargain.reputation.delay import DelayInputs, Theory
from bargain.reputation.delay import settings as delay_settings
from bargain.reputation.delay import theory as delay_theory
from bargain.reputation.duration import StrikeDuration, strike_duration
from bargain.reputation.promise import PromiseGame, PromiseResult, promise_game, solve_promise
from bargain.reputation.trust import OUTCOMES, posterior, promises_to_rebuild
from bargain.rounding import sig

PACKAGE_RULES = ("threshold", "always", "never")
"""How the package deal's feasibility is decided (see the module docstring)."""

"""The solution concepts a credibility report can use."""


@dataclass(frozen=True)
class Stage:
    """The negotiation at one trust level (a column of the before/after table).

    Attributes
    ----------
    label
        ``"before"`` or ``"after"``.
    trust
        Probability that the promiser is honest.
    keep_probability
        Probability that the promise is kept.
    package
        Whether the package deal (concession for promise) is in the agreement.
    breakdown_probability
        Per-round risk that talks break down.
    solution
        The solution of the credibility-adjusted model.
    surplus
        Sum of the parties' gains over their disagreement payoffs in the model (also
        under a concept with another threat point, such as the BRW limit's impasse point,
        which moves with the breakdown risk).
    strike
        The reputational war of attrition, or ``None`` when the model does not
        give the demands and hard-liner probabilities it needs.
    duration
        The strike's length with breakdowns and focal dates
        (:class:`bargain.reputation.duration.StrikeDuration`), or ``None``
        without ``focal_dates`` or when the theory of delay lacks its inputs.
    model
        The model at the stage's trust (:func:`adjusted_model`), kept so that the
        strike's length can be taken under another theory of delay
        (:meth:`CredibilityReport.under`).
    """

    label: str
    trust: float
    keep_probability: float
    package: bool
    breakdown_probability: float
    solution: Solution
    surplus: float
    strike: Reputation | None = None
    duration: StrikeDuration | None = None
    model: Model | None = field(default=None, repr=False, compare=False)

    @property
    def expected_strike(self) -> float | None:
        """Expected number of periods before the war of attrition ends."""
        return None if self.strike is None else self.strike.expected_delay

    @property
    def mean_strike(self) -> float | None:
        """Expected length of the strike, every path counted (impasse included)."""
        return None if self.duration is None else self.duration.mean

    def strike_summary(self) -> dict[str, Any] | None:
        """The strike's length as a JSON-ready dict, or ``None`` without a duration."""
        d = self.duration
        if d is None:
            return None
        return {
            "theory": d.time_to_agreement.theory,
            "focal_dates": list(d.focal_dates),
            "breakdown_rate": d.breakdown_rate,
            "survival": [d.survival(t) for t in d.focal_dates[:-1]],
            "settled_by": list(d.settled_by),
            "at_date": list(d.at_date),
            "at_once": d.at_zero,
            "by_agreement": d.agreement,
            "by_breakdown": d.breakdown,
            "to_last_date": d.to_last,
            "impasse": d.impasse,
            "median": d.median,
            "mean": d.mean,
        }

    @property
    def impasse_probability(self) -> float | None:
        """Probability that both sides are hard-liners and no agreement comes."""
        return None if self.strike is None else self.strike.impasse


@dataclass(frozen=True)
class CredibilityReport:
    """Before and after a broken promise: trust, terms, payoffs, surplus, strike length.

    Attributes
    ----------
    model, promise, method
        What was solved, and under which solution concept.
    observed
        The outcomes of the promise that trust is updated on.
    game
        The promise game at the prior trust (:class:`bargain.reputation.promise.PromiseGame`).
    trust_threshold
        The least trust at which the recipient concedes on the promise.
    rebuild
        Kept promises in a row that bring trust back to the prior, or ``None``
        when none can (a broken promise proved the promiser an opportunist).
    before, after
        The two stages.
    strike_cost
        Each party's cost of one period of strike (minus its strike payoff).
    settings
        The switches used: error rates, package rule, breakdown per distrust.
    assumptions
        Every modelling choice behind the numbers, in words.
    period
        The model's period (``[model] period``, e.g. ``"week"``): the unit of every
        strike length and per-period rate in the report.
    """

    model: str
    promise: str
    method: str
    observed: tuple[str, ...]
    game: PromiseGame
    trust_threshold: float
    rebuild: int | None
    before: Stage
    after: Stage
    strike_cost: dict[str, float]
    settings: dict[str, Any]
    assumptions: tuple[str, ...] = field(default=())
    period: str = "period"

    @property
    def periods(self) -> str:
        """The plural of :attr:`period`, for strike lengths (``"weeks"``)."""
        return f"{self.period}s"

    def under(self, delay: str) -> CredibilityReport:
        """The same report with the strike's length under the theory of delay ``delay``.

        The agreements, trust and the war of attrition do not depend on the theory,
        so only the strike's length is taken again (what
        ``credibility(model, ..., delay=delay)`` would give, without solving again).

        Raises
        ------
        ModelError
            For an unknown theory or settings the theory does not accept.

        Examples
        --------
        >>> import bargain
        >>> report = bargain.credibility(bargain.load_model(bargain.find_model("wga2007")),
        ...                              exact=False)
        >>> report.under("screening").settings["delay"]
        'screening'
        """
        stages = (self.before, self.after)
        first = self.before.model
        if first is None:
            raise ModelError("the report keeps no models to take the strike again", key="delay")
        theory = delay_theory(delay, file=first.file)
        promise = first.promise(self.promise)
        before, after = (replace(s, duration=_duration(s, promise, theory)) for s in stages)
        dated = before.duration is not None and after.duration is not None
        return replace(
            self,
            before=before,
            after=after,
            settings={**self.settings, "delay": theory.name},
            assumptions=_assumptions(self.settings["package"], dated, self.period, theory),
        )

    @property
    def cost(self) -> dict[str, float | None]:
        """The cost of the broken promise.

        ``surplus_lost`` (gains from agreement before minus after),
        ``longer_strike`` (periods) and ``strike_cost`` (its cost to both sides,
        periods times their summed per-period strike costs; ``None`` without a
        strike model), and ``total`` (surplus lost plus added strike cost).
        The strike is the war of attrition's ``E[min(τ, T0)]``, or, when both
        stages have a duration (the model gives ``focal_dates``), its mean
        length counting every path, the impasse included (``full_strike`` is
        then ``True``).
        """
        lost = self.before.surplus - self.after.surplus
        full = self.before.duration is not None and self.after.duration is not None
        if full:
            b, a = self.before.mean_strike, self.after.mean_strike
        else:
            b, a = self.before.expected_strike, self.after.expected_strike
        if b is None or a is None:
            return {
                "surplus_lost": lost,
                "longer_strike": None,
                "strike_cost": None,
                "total": lost,
                "full_strike": False,
            }
        added = (a - b) * sum(self.strike_cost.values())
        return {
            "surplus_lost": lost,
            "longer_strike": a - b,
            "strike_cost": added,
            "total": lost + added,
            "full_strike": full,
        }

    def rows(self) -> list[tuple[str, float | bool | None, float | bool | None]]:
        """The before/after table as ``(quantity, before, after)`` rows."""
        b, a = self.before, self.after
        out: list[tuple[str, float | bool | None, float | bool | None]] = [
            ("trust", b.trust, a.trust),
            ("P(promise kept)", b.keep_probability, a.keep_probability),
            ("package deal", b.package, a.package),
            (
                f"breakdown risk per {self.period}",
                b.breakdown_probability,
                a.breakdown_probability,
            ),
        ]
        for k, v in b.solution.agreement.items():
            after = a.solution.agreement.get(k)
            ranges = [_range(stage.solution, k) for stage in (b, a)]
            if ranges[0] is None and ranges[1] is None:
                out.append((f"agreement {k}", v, after))
                continue
            # A set of agreements (a utilitarian sum flat along a transfer): the point is
            # the tie-break's, and the set's ends say what the solution is.
            (low_b, high_b), (low_a, high_a) = (
                r or (p, p) for r, p in zip(ranges, (v, after), strict=True)
            )
            out += [
                (f"agreement {k} (the tie-break's, of a set)", v, after),
                (f"  the set's lowest {k}", low_b, low_a),
                (f"  the set's highest {k}", high_b, high_a),
            ]
        out += [
            (f"payoff {k}", v, a.solution.payoffs.get(k)) for k, v in b.solution.payoffs.items()
        ]
        out += [("surplus over disagreement", b.surplus, a.surplus)]
        dated = b.duration is not None and a.duration is not None
        war = self.settings.get("delay", "reputation") == "reputation" or not dated
        if b.strike is not None and a.strike is not None and war:
            out.append(
                (
                    f"war of attrition, impasse left out ({self.periods})",
                    b.expected_strike,
                    a.expected_strike,
                )
            )
        if dated:
            assert b.duration is not None and a.duration is not None
            out += [
                ("P(impasse: no agreement ever)", b.duration.impasse, a.duration.impasse),
                ("P(agreement at once)", b.duration.at_zero, a.duration.at_zero),
                *_duration_rows(b.duration, a.duration, self.periods),
            ]
        elif b.strike is not None and a.strike is not None:
            out += [
                ("P(impasse)", b.impasse_probability, a.impasse_probability),
                (
                    "P(agreement at once)",
                    b.strike.agreement_at_zero,
                    a.strike.agreement_at_zero,
                ),
            ]
        return out

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: the settings, both stages and the cost."""

        def stage(s: Stage) -> dict[str, Any]:
            return {
                "trust": s.trust,
                "keep_probability": s.keep_probability,
                "package": s.package,
                "breakdown_probability": s.breakdown_probability,
                "agreement": dict(s.solution.agreement),
                "payoffs": dict(s.solution.payoffs),
                "disagreement": dict(s.solution.disagreement),
                "surplus": s.surplus,
                "expected_strike": s.expected_strike,
                "impasse_probability": s.impasse_probability,
                "strike": s.strike_summary(),
                "solution": s.solution.to_dict(),
            }

        return {
            "model": self.model,
            "period": self.period,
            "promise": self.promise,
            "method": self.method,
            "observed": list(self.observed),
            "trust_threshold": self.trust_threshold,
            "promises_to_rebuild": self.rebuild,
            "settings": dict(self.settings),
            "before": stage(self.before),
            "after": stage(self.after),
            "cost": self.cost,
            "assumptions": list(self.assumptions),
        }

    def to_json(self, indent: int | None = 2) -> str:
        """The report as one JSON object (see :meth:`to_dict`)."""
        return dumps(self.to_dict(), indent)

    def _header(self) -> str:
        seen = ", ".join(self.observed) or "nothing"
        return (
            f"credibility of promise {self.promise} in {self.model} ({self.method}); "
            f"observed: {seen}; trust threshold {_fmt(self.trust_threshold)}"
        )

    def _cost_lines(self) -> list[str]:
        c = self.cost
        lines = [f"surplus lost: {_fmt(c['surplus_lost'])}"]
        if c["longer_strike"] is not None:
            what = (
                "strike, every path counted,"
                if c["full_strike"]
                else "war of attrition (the impasse left out, P(impasse) "
                f"{_fmt(self.before.impasse_probability)} -> "
                f"{_fmt(self.after.impasse_probability)})"
            )
            lines.append(f"{what} {strike_change(c['longer_strike'], c['strike_cost'], self)}")
        lines.append(
            f"cost of the broken promise: {_fmt(c['total'])} (surplus lost plus the longer "
            "strike's cost; a shorter strike counts as a gain)"
        )
        lines.append(
            "trust cannot be rebuilt by kept promises"
            if self.rebuild is None
            else f"kept promises to rebuild trust: {self.rebuild}"
        )
        return lines

    def table(self, digits: int = 6) -> list[tuple[str, str, str, str]]:
        """:meth:`rows` as text, ``(quantity, before, after, change)``, to ``digits``
        significant figures; the change is signed, and empty for yes/no rows."""
        return [
            (q, _fmt(b, digits), _fmt(a, digits), _change(b, a, digits)) for q, b, a in self.rows()
        ]

    def to_text(self) -> str:
        """The before/after table as plain text."""
        rows = self.table()
        width = max(len(r[0]) for r in rows)
        lines = [self._header(), f"  {'':<{width}}  {'before':>14}  {'after':>14}  {'change':>14}"]
        lines += [f"  {q:<{width}}  {b:>14}  {a:>14}  {d:>14}" for q, b, a, d in rows]
        lines += [f"  {line}" for line in self._cost_lines()]
        lines += [f"  assumption: {a}" for a in self.assumptions]
        return "\n".join(lines)

    def to_markdown(self) -> str:
        """The before/after table in Markdown."""
        out = [self._header(), "", "| | before | after | change |", "|---|---|---|---|"]
        out += [f"| {q} | {b} | {a} | {d} |" for q, b, a, d in self.table()]
        out += [""] + [f"- {line}" for line in self._cost_lines()]
        out += [f"- assumption: {a}" for a in self.assumptions]
        return "\n".join(out)

    def __str__(self) -> str:
        return self.to_text()


def strike_change(change: float, cost: float, report: CredibilityReport, digits: int = 6) -> str:
    """A change in the strike's length in words: ``"longer by 3 weeks, costing 9"`` or
    ``"shorter by 3.2 weeks, saving 0.06"`` (never "longer by -3.2").

    ``cost`` is the change's cost to both sides together (``cost["strike_cost"]``).

    Examples
    --------
    >>> import bargain
    >>> r = credibility(bargain.load_model(bargain.models_dir() / "package_deal.toml"),
    ...                 package="never")
    >>> strike_change(-3.2, -0.064, r)
    'shorter by 3.2 weeks, saving 0.064'
    """
    if change < 0:
        return f"shorter by {sig(-change, digits)} {report.periods}, saving {sig(-cost, digits)}"
    return f"longer by {sig(change, digits)} {report.periods}, costing {sig(cost, digits)}"


def _range(solution: Solution, name: str) -> tuple[float, float] | None:
    """The range of the contract variable ``name`` over the solution's set of agreements,
    where it is a set; else ``None``."""
    found = (solution.agreement_set or {}).get(name)
    return None if found is None else (float(found[0]), float(found[1]))


def _duration_rows(
    before: StrikeDuration, after: StrikeDuration, periods: str
) -> list[tuple[str, float | bool | None, float | bool | None]]:
    """The strike's length before and after: settled by each date, median, mean."""
    dates = before.focal_dates
    return [  # the last date settles everything: its row is the strikes that run to it
        *(
            (
                f"P(settled by {_fmt(dates[k])} {periods})",
                before.settled_by[k],
                after.settled_by[k],
            )
            for k in range(len(dates) - 1)
        ),
        (
            f"P(strike to {_fmt(before.focal_dates[-1])} {periods})",
            before.at_date[-1],
            after.at_date[-1],
        ),
        (f"median strike ({periods})", before.median, after.median),
        (f"mean strike, every path ({periods})", before.mean, after.mean),
    ]


def _fmt(value: float | bool | None, digits: int = 6) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return sig(value, digits)


def _change(before: float | bool | None, after: float | bool | None, digits: int = 6) -> str:
    if isinstance(before, bool) or isinstance(after, bool) or before is None or after is None:
        return ""
    text = sig(after - before, digits)
    return text if text.startswith("-") else f"+{text}"  # sig prints -0 as 0: "+0"


def _probability(model: Model, expr: sympy.Expr, where: str, key: str) -> sympy.Rational:
    """A parameter-only probability of the model as an exact rational."""
    numeric_value(model, expr, where, key)  # refuses variables and non-finite values
    value = sympy.nsimplify(model.numeric(expr), rational=True)
    return sympy.Rational(value)


def keep_probability(trust: sympy.Expr, error: sympy.Expr, opportunist_keeps: sympy.Expr) -> Any:
    """The probability that the promise is kept: ``trust (1 − error) + (1 − trust)
    opportunist_keeps`` (an honest promiser keeps it but for errors, an opportunist with
    probability ``opportunist_keeps``).

    Examples
    --------
    >>> keep_probability(sympy.Rational(4, 5), sympy.Rational(1, 10), 0)
    18/25
    """
    return trust * (1 - error) + (1 - trust) * opportunist_keeps


def adjusted_model(
    model: Model,
    promise: Promise,
    trust: sympy.Expr,
    *,
    error: sympy.Expr,
    opportunist_keeps: sympy.Expr,
    package: bool | sympy.Expr,
    breakdown_per_distrust: sympy.Expr,
) -> Model:
    """The model as bargained at a trust level: the package deal and the breakdown risk.

    ``package`` says whether the package deal is in the agreement; the
    payoffs then include its expected value (see the module docstring). The settings are
    numbers (a report's stage) or symbols of the model's parameters, ``package`` then one
    worth 1 or 0: one model for every trust level, which a sweep kernel solves at many
    at once (:func:`bargain.sweeps.credibilities.credibilities`).
    """
    keep = keep_probability(trust, error, opportunist_keeps)
    c, v = promise.concession, promise.promised
    c_by, v_by = promise.to_promiser()
    weight = sympy.Integer(package) if isinstance(package, bool) else package
    shift = (
        {promise.to: weight * (keep * v - c), promise.by: weight * (c_by - keep * v_by)}
        if weight != 0
        else {}
    )
    parties = tuple(
        replace(p, payoff=p.payoff + shift[p.name]) if p.name in shift else p for p in model.parties
    )
    q0 = model.bargaining.breakdown_probability
    q = 1 - (1 - q0) * (1 - breakdown_per_distrust * (1 - trust))
    return replace(
        model, parties=parties, bargaining=replace(model.bargaining, breakdown_probability=q)
    )


def _rates(model: Model) -> dict[str, float] | None:
    """Each party's (positive) discount rate, or ``None`` if a party is not impatient."""
    rates = discount_rates(model)
    if any(r is None or r <= 0 for r in rates.values()):
        return None
    return rates  # type: ignore[return-value]


def _strike(model: Model, promise: Promise, trust: float, surplus: float) -> Reputation | None:
    """The reputational war of attrition at a trust level, if the model gives its inputs."""
    recipient = model.party(promise.to)
    if len(model.parties) != 2 or any(p.demand is None for p in model.parties):
        return None
    if recipient.hardliner is None:
        return None
    rates = _rates(model)
    if rates is None or surplus <= 0:
        return None
    demands = {}
    for p in model.parties:
        demand = numeric_value(model, p.demand, f"parties.{p.name}", "demand")
        base = disagreement_payoffs(model)[p.name]
        gain = demand - base
        if not 0 < gain <= surplus:
            raise ModelError(
                f"must be a payoff above {p.name}'s disagreement payoff "
                f"{base:.6g} by at most the surplus over disagreement "
                f"{surplus:.6g} (the war of attrition's demands share that surplus), got "
                f"{demand:.6g}",
                file=model.file,
                table=f"parties.{p.name}",
                key="demand",
            )
        demands[p.name] = gain / surplus
    obstinate = {
        promise.to: numeric_value(model, recipient.hardliner, f"parties.{promise.to}", "hardliner"),
        promise.by: 1 - trust,
    }
    return abreu_gul(demands, obstinate, rates)


def disagreement_payoffs(model: Model) -> dict[str, float]:
    """Each party's disagreement payoff in the model (the base of surplus and demands).

    Examples
    --------
    >>> import bargain
    >>> disagreement_payoffs(bargain.load_model(bargain.models_dir() / "package_deal.toml"))
    {'W': 0.0, 'A': 0.0}
    """
    return {
        p.name: numeric_value(model, p.disagreement, f"parties.{p.name}", "disagreement")
        for p in model.parties
    }


def _duration(stage: Stage, promise: Promise, theory: Theory) -> StrikeDuration | None:
    """The strike's length at ``stage`` under ``theory``: ``None`` without focal dates or
    when the theory lacks what it needs at this stage."""
    model = stage.model
    assert model is not None
    q = stage.breakdown_probability
    if not model.bargaining.focal_dates:
        return None
    dates = tuple(
        sorted(
            numeric_value(model, d, "bargaining", f"focal_dates[{i}]")
            for i, d in enumerate(model.bargaining.focal_dates)
        )
    )
    if q >= 1:
        raise ModelError(
            "must be below 1 for the strike's length with focal_dates (talks that surely break "
            f"down have no breakdown rate), got {q:g} at this trust level",
            file=model.file,
            table="bargaining",
            key="breakdown_probability",
        )
    rate = -math.log1p(-q)
    inputs = DelayInputs(
        model=model,
        label=stage.label,
        trust=stage.trust,
        promise=promise,
        solution=stage.solution,
        surplus=stage.surplus,
        war=stage.strike,
        settings=delay_settings(model, theory),
        breakdown_rate=rate,
        focal_dates=dates,
    )
    tau = theory.agreement(inputs)
    if tau is None:
        return None
    try:
        return strike_duration(tau, breakdown_rate=rate, focal_dates=dates)
    except ModelError as err:
        raise err.located(file=model.file, table="bargaining") from None


@dataclass(frozen=True)
class StageSetup:
    """A stage before its solve: the trust level, the package rule's decision and the
    credibility-adjusted model (:meth:`ReportPlan.setup`)."""

    label: str
    trust: sympy.Rational
    keep: sympy.Rational
    package: bool
    adjusted: Model


@dataclass(frozen=True)
class ReportPlan:
    """Everything a credibility report needs but its stages' solutions: the checked
    settings, the promise game at the prior and the posterior trust.

    :func:`credibility` is ``report_plan``, then for each stage :meth:`setup`,
    :meth:`solve` and :meth:`stage`, then :meth:`report`; a batched route
    (:func:`bargain.sweeps.credibilities.credibilities`) solves the stages' models of many
    points at once and runs the same :meth:`stage` and :meth:`report` on each.
    """

    model: Model
    promise: Promise
    method: str
    options: dict[str, Any]
    observed: tuple[str, ...]
    package: str
    theory: Theory
    prior: sympy.Rational
    error: sympy.Rational
    opportunist_keeps: sympy.Rational
    breakdown_per_distrust: sympy.Rational
    posterior: sympy.Rational
    game: PromiseGame
    result: PromiseResult
    rebuild: int | None
    strike_cost: dict[str, float]

    @property
    def trusts(self) -> tuple[tuple[str, sympy.Rational], tuple[str, sympy.Rational]]:
        """The stages' labels and trust levels, in the order they are solved."""
        return ("before", self.prior), ("after", self.posterior)

    def setup(self, label: str, trust: sympy.Rational) -> StageSetup:
        """The stage at ``trust``: the probability the promise is kept, whether the
        package deal is in the agreement, and the adjusted model."""
        e, h, found = self.error, self.opportunist_keeps, self.promise
        keep = keep_probability(trust, e, h)
        # The game at the prior is the one solved in report_plan: not solved again.
        gains = (
            self.result
            if float(trust) == self.game.trust
            else solve_promise(replace(self.game, trust=float(trust)))
        )
        c_by, v_by = found.to_promiser()
        where = f"promises.{found.name}"
        promiser_gains = (
            numeric_value(self.model, c_by - keep * v_by, where, "concession_value") >= 0
        )
        included = {"always": True, "never": False}.get(
            self.package, gains.concedes and promiser_gains
        )
        adjusted = adjusted_model(
            self.model,
            found,
            trust,
            error=e,
            opportunist_keeps=h,
            package=included,
            breakdown_per_distrust=self.breakdown_per_distrust,
        )
        return StageSetup(label, trust, keep, included, adjusted)

    def solve(self, setup: StageSetup) -> Solution:
        """The stage's adjusted model solved by the concept's scalar solver."""
        solver = concept(self.method, table="credibility", credibility=True).solve
        return solver(setup.adjusted, **self.options)

    def stage(self, setup: StageSetup, solution: Solution) -> Stage:
        """The stage from its solution: the surplus, the war of attrition and the
        strike's length.

        Raises
        ------
        SolverError
            Where the solution is a set of agreements with no tie-break.
        ModelError
            Where the war of attrition or the strike's length refuses the stage.
        """
        label, trust, adjusted = setup.label, setup.trust, setup.adjusted
        if not solution.payoffs:
            # A set of agreements and no tie-break (Rubinstein 1982, §5): the surplus, and so
            # the cost, would depend on which; 0 would be silently wrong.
            where_set = set_text(solution)
            raise SolverError(
                f"the {self.method} solution {label} the broken promise (trust "
                f"{float(trust):.6g}) is not one agreement but a set ({where_set}), so its "
                "surplus and the cost of the broken promise depend on which agreement is "
                "struck; use a method with one answer (e.g. nash), or give the parties "
                "discounting or breakdown risk",
                file=self.model.file,
                table=f"promises.{self.promise.name}",
            )
        # Over the model's disagreement payoffs, whatever threat point the concept used (the
        # BRW limit's impasse point moves with the breakdown risk that distrust raises).
        threat = disagreement_payoffs(adjusted)
        surplus = sum(solution.payoffs[k] - threat[k] for k in solution.payoffs)
        breakdown = numeric_value(
            adjusted,
            adjusted.bargaining.breakdown_probability,
            "bargaining",
            "breakdown_probability",
        )
        war = _strike(adjusted, self.promise, float(trust), surplus)
        bare = Stage(
            label=label,
            trust=float(trust),
            keep_probability=float(setup.keep),
            package=setup.package,
            breakdown_probability=breakdown,
            solution=solution,
            surplus=surplus,
            strike=war,
            model=adjusted,
        )
        return replace(bare, duration=_duration(bare, self.promise, self.theory))

    def report(self, before: Stage, after: Stage) -> CredibilityReport:
        """The report of the two stages."""
        dated = before.duration is not None and after.duration is not None
        return CredibilityReport(
            model=self.model.name,
            promise=self.promise.name,
            method=self.method,
            observed=self.observed,
            game=self.game,
            trust_threshold=self.result.trust_threshold,
            rebuild=self.rebuild,
            before=before,
            after=after,
            strike_cost=self.strike_cost,
            settings={
                "prior": float(self.prior),
                "error": float(self.error),
                "opportunist_keeps": float(self.opportunist_keeps),
                "package": self.package,
                "breakdown_per_distrust": float(self.breakdown_per_distrust),
                "delay": self.theory.name,
            },
            assumptions=_assumptions(self.package, dated, self.model.period, self.theory),
            period=self.model.period,
        )


def report_plan(
    model: Model,
    promise: str | None = None,
    *,
    observed: Iterable[str] = ("broken",),
    prior: float | None = None,
    error: float | None = None,
    opportunist_keeps: float | None = None,
    package: str = "threshold",
    breakdown_per_distrust: float | None = None,
    method: str = "nash",
    delay: str | None = None,
    **options: Any,
) -> ReportPlan:
    """The settings of :func:`credibility` checked and the promise game solved: a
    :class:`ReportPlan` (the arguments are :func:`credibility`'s).

    Raises
    ------
    ModelError
        As :func:`credibility`, for everything it refuses before solving a stage.
    """
    concept(method, table="credibility", credibility=True)
    if package not in PACKAGE_RULES:
        raise ModelError(
            f"unknown rule {package!r}; allowed: {', '.join(PACKAGE_RULES)}",
            table="credibility",
            key="package",
        )
    observed = tuple(observed)
    for outcome in observed:
        if outcome not in OUTCOMES:
            raise ModelError(
                f"unknown outcome {outcome!r}; allowed: {', '.join(OUTCOMES)}",
                table="credibility",
                key="observed",
            )
    validate_model(model)
    found = model.promise(promise)
    where = f"promises.{found.name}"
    theory = delay_theory(model.delay_theory if delay is None else delay, file=model.file)
    if theory.name != "reputation" and not model.bargaining.focal_dates:
        raise ModelError(
            f"missing; the theory of delay {theory.name!r} gives the strike's length only with "
            "focal dates (the dates at which a strike ends); add them, or use 'reputation' "
            "(the war of attrition alone)",
            file=model.file,
            table="bargaining",
            key="focal_dates",
        )
    delay_settings(model, theory)  # refuse unknown or missing settings before any work

    def setting(value: float | None, key: str, argument: str) -> sympy.Rational:
        if value is None:
            return _probability(model, getattr(found, key), where, key)
        number = exact_number(value, table="credibility", key=argument, file=model.file)
        if not 0 <= number <= 1:
            raise ModelError(
                f"must be a probability in [0, 1], got {value!r}",
                file=model.file,
                table="credibility",
                key=argument,
            )
        return number

    p0 = setting(prior, "trust", "prior")
    e = setting(error, "error", "error")
    h = setting(opportunist_keeps, "opportunist_keeps", "opportunist_keeps")
    b = setting(breakdown_per_distrust, "breakdown_per_distrust", "breakdown_per_distrust")
    game = promise_game(
        model, found.name, trust=float(p0), error=float(e), opportunist_keeps=float(h)
    )
    result = solve_promise(game)  # validates the beliefs (1 − error > opportunist_keeps)
    try:
        p1 = posterior(p0, observed, error=e, opportunist_keeps=h)
    except ModelError as err:  # an impossible observation: named in the model's file
        raise err.located(file=model.file, table=where) from None
    try:
        rebuild: int | None = promises_to_rebuild(
            float(p0), observed, error=float(e), opportunist_keeps=float(h)
        )
    except ModelError:
        rebuild = None
    strike_cost = {
        p.name: -numeric_value(model, p.strike_payoff, f"parties.{p.name}", "strike_payoff")
        for p in model.parties
    }
    return ReportPlan(
        model=model,
        promise=found,
        method=method,
        options=dict(options),
        observed=observed,
        package=package,
        theory=theory,
        prior=p0,
        error=e,
        opportunist_keeps=h,
        breakdown_per_distrust=b,
        posterior=p1,
        game=game,
        result=result,
        rebuild=rebuild,
        strike_cost=strike_cost,
    )


def credibility(
    model: Model,
    promise: str | None = None,
    *,
    observed: Iterable[str] = ("broken",),
    prior: float | None = None,
    error: float | None = None,
    opportunist_keeps: float | None = None,
    package: str = "threshold",
    breakdown_per_distrust: float | None = None,
    method: str = "nash",
    delay: str | None = None,
    **options: Any,
) -> CredibilityReport:
    """Solve a model before and after a promise is broken, and report the difference.

    Parameters
    ----------
    model
        A model with at least one ``[promises.NAME]`` table.
    promise
        The promise's name (needed when the model has several).
    observed
        Outcomes of the promise, in order, each ``"kept"`` or ``"broken"``.
    prior, error, opportunist_keeps, breakdown_per_distrust
        Override the promise's ``trust``, ``error``, ``opportunist_keeps`` and
        ``breakdown_per_distrust``.
    package
        ``"threshold"``, ``"always"`` or ``"never"`` (see the module docstring).
    method
        The solution concept: a registered one that a promise can change
        (``bargain.concepts.registry.names(credibility=True)``).
    delay
        The theory of delay behind the strike's length
        (:mod:`bargain.reputation.delay`); default: the model's ``[delay] theory``.
    **options
        Passed to the solver (e.g. ``proposer`` for ``"rubinstein"``).

    Returns
    -------
    CredibilityReport

    Raises
    ------
    ModelError
        For an unknown promise, method, package rule or outcome, or a
        probability outside [0, 1].
    SolverError
        Where the method's solution before or after is a set of agreements with no
        tie-break (the alternating-offers game with fixed strike costs only, Rubinstein
        1982, §5): the cost would depend on which agreement is struck.

    Examples
    --------
    >>> import bargain
    >>> model = bargain.model_from_dict({
    ...     "model": {"name": "m"}, "variables": {"x": {"min": 0, "max": 1}},
    ...     "parties": {"W": {"payoff": "x"}, "A": {"payoff": "1 - x"}},
    ...     "promises": {"p": {"by": "A", "to": "W", "concession": 0.1,
    ...                        "promised": 0.2, "trust": 0.9}}})
    >>> credibility(model, method="egalitarian", package="sometimes")
    Traceback (most recent call last):
    ...
    bargain.errors.ModelError: [credibility] package: unknown rule 'sometimes'; allowed: ...
    """
    plan = report_plan(
        model,
        promise,
        observed=observed,
        prior=prior,
        error=error,
        opportunist_keeps=opportunist_keeps,
        package=package,
        breakdown_per_distrust=breakdown_per_distrust,
        method=method,
        delay=delay,
        **options,
    )
    stages = []
    for label, trust in plan.trusts:  # each stage set up, solved and finished in turn
        setup = plan.setup(label, trust)
        stages.append(plan.stage(setup, plan.solve(setup)))
    return plan.report(*stages)


HARDLINER_ASSUMPTION = "the promiser is a hard-liner (obstinate) exactly when it is an opportunist"
"""The war of attrition's link to trust; left out under a theory of delay without the war."""

ASSUMPTIONS = (
    "trust is the probability that the promiser is an honest type; it is updated by Bayes' rule",
    "a promise is worth its face value times the probability it is kept, at shared beliefs",
    "the package deal is in the agreement only when both sides gain from it",
    "distrust adds a breakdown risk b (1 - trust) per period; it moves the strategic game only",
    HARDLINER_ASSUMPTION,
)
"""The assumptions of a report with the default package rule (``"threshold"``)."""

PACKAGE_ASSUMPTIONS = {
    "threshold": ASSUMPTIONS[2],
    "always": "the package deal is in the agreement at every trust level (package 'always')",
    "never": "the package deal is left out of the agreement at every trust level (package 'never')",
}
"""What each package rule assumes: the rule replaces the default's assumption."""


def _assumptions(package: str, dated: bool, period: str, theory: Theory) -> tuple[str, ...]:
    """A report's assumptions: the package rule's, and with a strike length its theory's
    (the war's link to trust only where the theory reads the war)."""
    if not dated:
        return assumptions(package, period=period)
    kept = (
        a
        for a in assumptions(package, dated=True, period=period)
        if theory.reads_war or a != HARDLINER_ASSUMPTION
    )
    return (*kept, f"delay ({theory.name}): {theory.summary}")


def assumptions(
    package: str = "threshold", *, dated: bool = False, period: str = "period"
) -> tuple[str, ...]:
    """The assumptions behind a report with this package rule (and focal dates), rates
    named per the model's ``period``.

    Examples
    --------
    >>> assumptions("never")[2]
    "the package deal is left out of the agreement at every trust level (package 'never')"
    >>> assumptions(period="week")[3]
    'distrust adds a breakdown risk b (1 - trust) per week; it moves the strategic game only'
    """
    chosen = tuple(PACKAGE_ASSUMPTIONS[package] if a == ASSUMPTIONS[2] else a for a in ASSUMPTIONS)
    every = (*chosen, FOCAL_DATES_ASSUMPTION) if dated else chosen
    return tuple(a.replace("per period", f"per {period}") for a in every)


FOCAL_DATES_ASSUMPTION = (
    "with focal dates, talks that break down (at the stage's risk per period) leave the strike "
    "on until the next focal date; a strike still on at the last date ends there"
)
"""Added to the assumptions when the model lists ``focal_dates``."""


__all__ = [
    "PACKAGE_RULES",
    "CredibilityReport",
    "ReportPlan",
    "Stage",
    "StageSetup",
    "adjusted_model",
    "assumptions",
    "credibility",
    "disagreement_payoffs",
    "keep_probability",
    "report_plan",
    "strike_change",
]
