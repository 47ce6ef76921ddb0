"""Validation: every textbook case, its published value, what the solvers compute, the error.

Each :class:`Case` names a model (a file in ``models/``, with parameter
overrides) or plain inputs, the public solver call, and the **published
value** as a closed form from the cited source, evaluated exactly with sympy
from the same parameter values — never a number copied from this package's
output. :func:`run_cases` computes every case and reports the absolute error
against the case's tolerance; ``tests/test_validation.py`` asserts that every
case passes, and ``bargain docs`` writes the table ``docs/tables/validation.md``
and the figure ``docs/figures/rubinstein-limit.svg`` (this module is a
provider of :mod:`bargain.reporting.docbuild`).

Tolerances: ``1e-9`` where the solver's answer is exact or polished to machine
precision; a limit case (the period length ``Δ → 0``) is compared at a small
``Δ`` with a tolerance of the order of the discretisation error it predicts.

Examples
--------
>>> rows = run_cases([CASES_BY_ID["rubinstein-1982"]])
>>> row = rows[0]
>>> row.published, row.passed
(0.7142857142857143, True)
>>> row.error <= row.case.tolerance
True
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd
import sympy

from bargain.axiomatic.egalitarian import egalitarian
from bargain.axiomatic.kalai_smorodinsky import kalai_smorodinsky
from bargain.axiomatic.nash import nash
from bargain.axiomatic.utilitarian import utilitarian
from bargain.contracts.flat_rate import flat_vs_percentage
from bargain.model.catalogue import models_dir
from bargain.model.model import Model
from bargain.model.modelfile import load_model
from bargain.reporting.docbuild import markdown_table, render_svg, sig
from bargain.reputation.attrition import abreu_gul
from bargain.reputation.promise import promise_game, solve_promise
from bargain.reputation.trust import posterior
from bargain.strategic.holdout import strike_or_holdout
from bargain.strategic.rubinstein import rubinstein

Values = Mapping[str, sympy.Expr]
"""Parameter values (or inputs) of a case, as exact sympy numbers."""


@dataclass(frozen=True)
class Case:
    """One textbook case.

    Attributes
    ----------
    id
        A short identifier.
    what
        What is checked, e.g. "Rubinstein (1982) first-proposer share".
    source
        Where the published closed form comes from (book or paper, and the
        section or chapter where it is known).
    model
        A model in ``models/`` by name, or ``None`` for a function of plain
        ``inputs``.
    inputs
        Parameter overrides of the model, or the inputs of a plain function;
        numbers or strings such as ``"1/3"``, read exactly.
    call
        The solver call, as shown in the table.
    compute
        Computes the quantity: ``compute(model, values)`` (``model`` is
        ``None`` for plain inputs) with the public API.
    formula
        The published closed form, as shown in the table.
    published
        The closed form as a function of the exact values: ``published(values)``.
    tolerance
        The largest absolute error that passes.
    """

    id: str
    what: str
    source: str
    model: str | None
    call: str
    compute: Callable[[Model | None, Values], float]
    formula: str
    published: Callable[[Values], sympy.Expr]
    tolerance: float = 1e-9
    inputs: Mapping[str, object] = field(default_factory=dict)

    def load(self) -> tuple[Model | None, dict[str, sympy.Expr]]:
        """The model (with the overrides applied) and the exact values of its parameters."""
        exact = {k: sympy.Rational(str(v)) for k, v in self.inputs.items()}
        if self.model is None:
            return None, exact
        model = load_model(models_dir() / f"{self.model}.toml")
        if exact:
            model = model.with_values(exact)
        return model, {p.name: p.value for p in model.parameters}


@dataclass(frozen=True)
class Row:
    """The result of one case."""

    case: Case
    published: float
    computed: float
    error: float
    passed: bool


def _x(solution) -> float:  # the one contract variable of a solution
    (value,) = solution.agreement.values()
    return float(value)


def _f(model: Model | None) -> Model:
    assert model is not None
    return model


# (√5 − 1)/2: equal gains x = sqrt(1 − x) on the concave frontier, and the ideal point (1, 1).
_GOLDEN = (sympy.sqrt(5) - 1) / 2

# A war of attrition with asymmetric demands and rates (so W's and A's formulas differ).
_WAR = {"a_W": "0.7", "a_A": "0.6", "z_W": "0.1", "z_A": "0.2", "r_W": "0.1", "r_A": "0.05"}

CASES: tuple[Case, ...] = (
    Case(
        id="nash-split",
        what="Nash solution of a split with disagreement payoffs (split the difference)",
        source="Nash (1950); Muthoo (1999), §2.2",
        model="split",
        inputs={"d_W": "0.1", "d_A": "0.2"},
        call="nash(split)",
        compute=lambda m, v: _x(nash(_f(m))),
        formula="d_W + (V − d_W − d_A)/2",
        published=lambda v: v["d_W"] + (v["V"] - v["d_W"] - v["d_A"]) / 2,
    ),
    Case(
        id="nash-powers",
        what="Generalised Nash solution with bargaining powers 1 : 3",
        source="Muthoo (1999), §2.3 (asymmetric Nash solution)",
        model="split",
        inputs={"d_W": "0.1", "d_A": "0.2"},
        call='nash(split, powers={"W": 1, "A": 3})',
        compute=lambda m, v: _x(nash(_f(m), powers={"W": 1, "A": 3})),
        formula="d_W + τ (V − d_W − d_A), τ = 1/4",
        published=lambda v: v["d_W"] + sympy.Rational(1, 4) * (v["V"] - v["d_W"] - v["d_A"]),
    ),
    Case(
        id="nash-concave",
        what="Nash solution on the frontier u_B = √(1 − x)",
        source="Nash (1950); Osborne & Rubinstein (1990), ch. 2",
        model="concave",
        call="nash(concave)",
        compute=lambda m, v: _x(nash(_f(m))),
        formula="argmax x √(1 − x) = 2/3",
        published=lambda v: sympy.Rational(2, 3),
    ),
    Case(
        id="ks-concave",
        what="Kalai–Smorodinsky solution on the frontier u_B = √(1 − x)",
        source="Kalai & Smorodinsky (1975)",
        model="concave",
        call="kalai_smorodinsky(concave)",
        compute=lambda m, v: _x(kalai_smorodinsky(_f(m))),
        formula="x = √(1 − x) (ideal point (1, 1)): (√5 − 1)/2",
        published=lambda v: _GOLDEN,
    ),
    Case(
        id="egalitarian-concave",
        what="Egalitarian solution on the frontier u_B = √(1 − x)",
        source="Kalai (1977)",
        model="concave",
        call="egalitarian(concave)",
        compute=lambda m, v: _x(egalitarian(_f(m))),
        formula="x = √(1 − x): (√5 − 1)/2",
        published=lambda v: _GOLDEN,
    ),
    Case(
        id="utilitarian-concave",
        what="Utilitarian solution on the frontier u_B = √(1 − x)",
        source="Harsanyi (1955); Thomson (1994)",
        model="concave",
        call="utilitarian(concave)",
        compute=lambda m, v: _x(utilitarian(_f(m))),
        formula="argmax x + √(1 − x) = 3/4",
        published=lambda v: sympy.Rational(3, 4),
    ),
    Case(
        id="rubinstein-1982",
        what="Rubinstein (1982) first-proposer share",
        source="Rubinstein (1982); Muthoo (1999), ch. 3",
        model="split",
        call="rubinstein(split)",
        compute=lambda m, v: _x(rubinstein(_f(m))),
        formula="V (1 − δ_A)/(1 − δ_W δ_A)",
        published=lambda v: v["V"] * (1 - v["delta_A"]) / (1 - v["delta_W"] * v["delta_A"]),
    ),
    Case(
        id="rubinstein-fixed-costs",
        what="Fixed bargaining costs, no discounting, c_W > c_A: the first proposer gets c_A",
        source="Rubinstein (1982), §5",
        model="fixed_costs",
        call="rubinstein(fixed_costs)",
        compute=lambda m, v: _x(rubinstein(_f(m))),
        formula="c_A (when c_W > c_A)",
        published=lambda v: v["c_A"] if v["c_W"] > v["c_A"] else sympy.Integer(1),
    ),
    Case(
        id="brw-limit",
        what="Nash limit of alternating offers as the period length Δ → 0 (at Δ = 0.001)",
        source="Binmore, Rubinstein & Wolinsky (1986)",
        model="rates",
        call="rubinstein(rates, period=0.001)",
        compute=lambda m, v: _x(rubinstein(_f(m), period=0.001)),
        formula="generalised Nash, powers r_A : r_W: r_A/(r_W + r_A)",
        published=lambda v: v["r_A"] / (v["r_W"] + v["r_A"]),
        # The equilibrium share is (1 − e^{−r_A Δ})/(1 − e^{−(r_W + r_A) Δ}) = limit
        # × (1 + r_W Δ/2 + O(Δ²)): an error of about 1.7e-5 at Δ = 0.001.
        tolerance=1e-4,
    ),
    Case(
        id="outside-option-binding",
        what="Outside-option principle: A's outside option binds, W's offer gives A exactly o_A",
        source="Binmore, Shaked & Sutton (1989); Muthoo (1999), ch. 5",
        model="outside_option",
        call="rubinstein(outside_option)",
        compute=lambda m, v: _x(rubinstein(_f(m))),
        formula="1 − o_A (as o_A > δ_A (1 − δ_W)/(1 − δ_W δ_A))",
        published=lambda v: 1 - v["o_A"],
    ),
    Case(
        id="outside-option-idle",
        what="Outside-option principle: an outside option below A's game payoff changes nothing",
        source="Binmore, Shaked & Sutton (1989); Muthoo (1999), ch. 5",
        model="outside_option",
        inputs={"o_A": "0.2"},
        call="rubinstein(outside_option)",
        compute=lambda m, v: _x(rubinstein(_f(m))),
        formula="(1 − δ_A)/(1 − δ_W δ_A) (as o_A < δ_A (1 − δ_W)/(1 − δ_W δ_A))",
        published=lambda v: (1 - v["delta_A"]) / (1 - v["delta_W"] * v["delta_A"]),
    ),
    Case(
        id="breakdown-risk",
        what="Risk of breakdown q after each rejection, no discounting",
        source="Binmore, Rubinstein & Wolinsky (1986); Muthoo (1999), ch. 4",
        model="breakdown",
        call="rubinstein(breakdown)",
        compute=lambda m, v: _x(rubinstein(_f(m))),
        formula="1/(2 − q)",
        published=lambda v: 1 / (2 - v["q"]),
    ),
    Case(
        id="breakdown-and-discounting",
        what="Risk of breakdown and discounting together",
        source="Muthoo (1999), ch. 4",
        model="breakdown",
        inputs={"delta_W": "0.9", "delta_A": "0.8"},
        call="rubinstein(breakdown)",
        compute=lambda m, v: _x(rubinstein(_f(m))),
        formula="(1 − (1 − q) δ_A)/(1 − (1 − q)² δ_W δ_A)",
        published=lambda v: (
            (1 - (1 - v["q"]) * v["delta_A"])
            / (1 - (1 - v["q"]) ** 2 * v["delta_W"] * v["delta_A"])
        ),
    ),
    Case(
        id="finite-horizon",
        what="Finite horizon of T = 5 rounds, common discount factor (backward induction)",
        source="Ståhl (1972)",
        model="split",
        inputs={"delta_A": "0.9"},
        call="rubinstein(split, horizon=5)",
        compute=lambda m, v: _x(rubinstein(_f(m), horizon=5)),
        formula="(1 − (−δ)^T)/(1 + δ)",
        published=lambda v: (1 - (-v["delta_W"]) ** 5) / (1 + v["delta_W"]),
    ),
    Case(
        id="strike-or-holdout",
        what="Strike or hold out: the highest equilibrium wage, union proposing",
        source=(
            "game of Fernandez & Glazer (1991); the value is Muthoo (1999), ch. 6's "
            "inside-option formula with the union's impasse point w0 (derivation in "
            "bargain/strategic/holdout.py)"
        ),
        model="wages",
        call="strike_or_holdout(wages)",
        compute=lambda m, v: float(strike_or_holdout(_f(m)).agreement_set["w"][1]),
        formula="w0 + (1 − δ)(1 − w0)/(1 − δ²) = (1 + δ w0)/(1 + δ)",
        published=lambda v: (1 + v["delta"] * v["w0"]) / (1 + v["delta"]),
    ),
    Case(
        id="trust-posterior",
        what="Trust after one broken promise",
        source="Bayes' rule (two types, as in Kreps & Wilson 1982)",
        model="package_deal",
        call='posterior(p, ["broken"], error=e)',
        compute=lambda m, v: posterior(float(v["p"]), ["broken"], error=float(v["e"])),
        formula="p e / (p e + (1 − p)(1 − h)), h = 0",
        published=lambda v: v["p"] * v["e"] / (v["p"] * v["e"] + (1 - v["p"])),
    ),
    Case(
        id="trust-threshold",
        what="Trust threshold of the promise game: the least prior at which W concedes",
        source="the recipient's indifference (p (1 − e) + (1 − p) h) v = c (docs/credibility.md)",
        model="package_deal",
        call="solve_promise(promise_game(package_deal)).trust_threshold",
        compute=lambda m, v: solve_promise(promise_game(_f(m))).trust_threshold,
        formula="(c/v − h)/(1 − e − h), h = 0",
        published=lambda v: (v["c"] / v["v"]) / (1 - v["e"]),
    ),
    Case(
        id="abreu-gul-W",
        what="Abreu–Gul concession rate of W",
        source="Abreu & Gul (2000), Econometrica 68(1), 85–117",
        model=None,
        inputs=_WAR,
        call="abreu_gul(demands, obstinate, rates).concession_rates['W']",
        compute=lambda m, v: _war(v).concession_rates["W"],
        formula="λ_W = r_A (1 − α_W)/(α_W + α_A − 1)",
        published=lambda v: v["r_A"] * (1 - v["a_W"]) / (v["a_W"] + v["a_A"] - 1),
    ),
    Case(
        id="abreu-gul-A",
        what="Abreu–Gul concession rate of A",
        source="Abreu & Gul (2000), Econometrica 68(1), 85–117",
        model=None,
        inputs=_WAR,
        call="abreu_gul(demands, obstinate, rates).concession_rates['A']",
        compute=lambda m, v: _war(v).concession_rates["A"],
        formula="λ_A = r_W (1 − α_A)/(α_W + α_A − 1)",
        published=lambda v: v["r_W"] * (1 - v["a_A"]) / (v["a_W"] + v["a_A"] - 1),
    ),
    Case(
        id="cara-normal",
        what="Writers' certainty equivalent of a percentage, CARA utility and normal revenue "
        "(by numerical integration)",
        source="Holmström & Milgrom (1987), mean–variance form; from the normal MGF",
        model=None,
        inputs={"s": "0.02", "mu": "1000", "sigma": "400", "h_W": "0.3", "a": "0.05"},
        call='flat_vs_percentage(s, ..., method="quad").writers_flat_rate',
        compute=lambda m, v: _contract(v, "cara", "normal").writers_flat_rate,
        formula="k μ − (a/2) k² σ², k = s (1 − h_W)",
        published=lambda v: (
            v["s"] * (1 - v["h_W"]) * v["mu"]
            - v["a"] / 2 * (v["s"] * (1 - v["h_W"])) ** 2 * v["sigma"] ** 2
        ),
    ),
    Case(
        id="crra-lognormal",
        what="Writers' certainty equivalent of a percentage, CRRA utility and lognormal revenue "
        "(by numerical integration)",
        source="Johnson, Kotz & Balakrishnan (1994), ch. 14: E[R^p] = exp(p m + p² v²/2)",
        model=None,
        inputs={"s": "0.02", "m": "6.8", "v": "0.4", "h_W": "0.3", "gamma": "2"},
        call='flat_vs_percentage(s, ..., utility="crra", method="quad").writers_flat_rate',
        compute=lambda m, v: _contract(v, "crra", "lognormal").writers_flat_rate,
        formula="s (1 − h_W) exp(m + (1 − γ) v²/2)",
        published=lambda v: (
            v["s"] * (1 - v["h_W"]) * sympy.exp(v["m"] + (1 - v["gamma"]) * v["v"] ** 2 / 2)
        ),
        tolerance=1e-8,
    ),
)
"""The textbook cases, in the order of the table."""

CASES_BY_ID = {case.id: case for case in CASES}


def _war(v: Values):
    return abreu_gul(
        {"W": float(v["a_W"]), "A": float(v["a_A"])},
        {"W": float(v["z_W"]), "A": float(v["z_A"])},
        {"W": float(v["r_W"]), "A": float(v["r_A"])},
    )


def _contract(v: Values, utility: str, distribution: str):
    revenue = (
        {"mean": float(v["mu"]), "sd": float(v["sigma"])}
        if distribution == "normal"
        else {"log_mean": float(v["m"]), "log_sd": float(v["v"])}
    )
    return flat_vs_percentage(
        float(v["s"]),
        revenue=revenue,
        haircut_writers=float(v["h_W"]),
        risk_aversion=float(v["a"] if utility == "cara" else v["gamma"]),
        utility=utility,
        distribution=distribution,
        method="quad",
    )


def run_case(case: Case) -> Row:
    """Compute one case."""
    model, values = case.load()
    published = float(sympy.N(case.published(values), 30))
    computed = float(case.compute(model, values))
    error = abs(computed - published)
    return Row(case, published, computed, error, bool(error <= case.tolerance))


def run_cases(cases: Sequence[Case] = CASES) -> list[Row]:
    """Compute every case: published value, computed value, absolute error, pass."""
    return [run_case(case) for case in cases]


# -- generated documentation ---------------------------------------------------------------

DIGITS = 6
"""Significant figures of the values in the table."""

ERROR_FLOOR = 1e-10
"""Errors below this print as ``< 1e-10``: they are rounding noise, and would change the
table's bytes from one numpy/scipy build to the next."""


def _sci(x: float, digits: int = 1) -> str:
    """``x`` in scientific notation without a padded exponent: ``1.7e-5``, ``1e-9``."""
    mantissa, _, exponent = f"{x:.{digits - 1}e}".partition("e")
    return f"{mantissa}e{int(exponent)}"


def _error(error: float) -> str:
    return f"< {_sci(ERROR_FLOOR)}" if error < ERROR_FLOOR else _sci(error, 2)


def _setting(case: Case) -> str:
    model = f" on [`{case.model}`](#models)" if case.model else ""
    values = ", ".join(f"{k} = {v}" for k, v in case.inputs.items())
    return model + (f" with {values}" if values else "")


def validation_table() -> str:
    """``docs/tables/validation.md``: every case with its source, the published and computed
    values (to :data:`DIGITS` significant figures), the error and whether it passes."""
    rows = run_cases()
    body = [
        [
            f"**{r.case.what}** — `{r.case.call}`" + _setting(r.case),
            r.case.source,
            f"{r.case.formula} = {sig(r.published, DIGITS)}",
            sig(r.computed, DIGITS),
            _error(r.error),
            ("pass" if r.passed else "**FAIL**") + f" (≤ {_sci(r.case.tolerance)})",
        ]
        for r in rows
    ]
    passed = sum(r.passed for r in rows)
    used = sorted({c.model for c in CASES if c.model})
    models = [[f"`{name}`", load_model(models_dir() / f"{name}.toml").title] for name in used]
    lines = [
        "# Validation table",
        "",
        f"{passed} of {len(rows)} textbook cases pass. Published values are the sources' "
        f"closed forms evaluated exactly (sympy); values are shown to {DIGITS} significant "
        f"figures, errors are absolute (below {_sci(ERROR_FLOOR)} they are rounding noise). "
        "What is checked and how: [validation](../validation.md).",
        "",
        markdown_table(["case", "source", "published", "computed", "error", "pass"], body),
        "## Models",
        "",
        "The model files of the cases are in `models/` (`bargain show NAME` prints one, with "
        "every parameter's description and source); where a case changes a parameter, its row "
        "says so.",
        "",
        markdown_table(["model", "title"], models).rstrip("\n"),
    ]
    return "\n".join(lines) + "\n"


PERIODS = tuple(float(sig(10 ** (k / 4 - 3), DIGITS)) for k in range(17))
"""The period lengths Δ of the figure (weeks), from 0.001 to 10."""


def rubinstein_limit_data() -> pd.DataFrame:
    """W's equilibrium share in ``models/rates.toml`` for each period length in
    :data:`PERIODS`, and the Nash limit ``r_A/(r_W + r_A)``, rounded to :data:`DIGITS`."""
    model = load_model(models_dir() / "rates.toml")
    values = {p.name: p.value for p in model.parameters}
    limit = float(values["r_A"] / (values["r_W"] + values["r_A"]))
    shares = [_x(rubinstein(model, period=d, exact=False)) for d in PERIODS]
    df = pd.DataFrame(
        {
            "period": PERIODS,
            "x": [float(sig(x, DIGITS)) for x in shares],
            "limit": float(sig(limit, DIGITS)),
        }
    )
    df.attrs.update({"model": "rates", "method": "rubinstein"})
    return df


def rubinstein_limit_figure() -> bytes:
    """``docs/figures/rubinstein-limit.svg``: the share against Δ and its Nash limit."""
    from bargain.reporting import plot

    data = rubinstein_limit_data()
    limit = float(data["limit"].iloc[0])

    def make():
        fig = plot.line(data, "period", "x")
        ax = fig.axes[0]
        ax.lines[0].set_label("alternating offers, offers Δ weeks apart")
        ax.axhline(limit, color="black", linestyle="--", linewidth=0.8)
        ax.lines[-1].set_label(f"generalised Nash, powers r_A : r_W to W : A (= {sig(limit, 4)})")
        ax.set_xscale("log")
        ax.set_xlabel("period length Δ (weeks)")
        ax.set_ylabel("W's equilibrium share x")
        ax.set_title("Binmore–Rubinstein–Wolinsky limit (models/rates.toml)")
        ax.legend(loc="best")
        return fig

    return render_svg(make)


ARTEFACTS = {
    "tables/validation.md": (
        "every textbook case the tests check: source, published value, computed value, error",
        validation_table,
    ),
    "figures/rubinstein-limit.svg": (
        "the alternating-offers share converging to the generalised Nash solution as the "
        "period length Δ → 0 (Binmore, Rubinstein & Wolinsky 1986)",
        rubinstein_limit_figure,
    ),
}
"""The artefacts of this module (see :mod:`bargain.reporting.docbuild`)."""

__all__ = ["CASES", "CASES_BY_ID", "Case", "Row", "run_case", "run_cases", "validation_table"]
