"""Uncertainty propagation: what the parameters' declared distributions imply for the terms.

A parameter may carry ``distribution = { kind = "triangular", c = 0.5, loc = 0.1,
scale = 0.3 }`` beside its ``range`` (kinds: :data:`bargain.model.model.DISTRIBUTIONS`,
with the :mod:`scipy.stats` family's arguments). :func:`uncertainty` draws ``n`` points
with a sweep design (:func:`bargain.sweeps.sweep.plan`: ``sobol`` by default, or
``random`` / ``lhs``) on the unit cube, maps each coordinate through its distribution's
quantile function (``ppf``), solves every point with the concept's sweep kernel and
reports each output's median, mean and 5–95% interval.

The sweep's checks run on the box between each distribution's ``1e-6`` and
``1 - 1e-6`` quantiles (the draws are kept inside it): the model's values must be allowed
at its corners, so a discount factor needs a bounded distribution (``beta``,
``triangular``, ``uniform``) that stays below 1, not a ``normal`` one.

Examples
--------
>>> import bargain
>>> m = bargain.model_from_dict({
...     "model": {"name": "surplus"},
...     "parameters": {
...         "V": {"value": 1.0, "distribution": {"kind": "uniform", "loc": 1, "scale": 1}},
...         "d_W": 0.0},
...     "variables": {"x": {"min": 0, "max": "V"}},
...     "parties": {"W": {"payoff": "x", "disagreement": "d_W"}, "A": {"payoff": "V - x"}}})
>>> u = bargain.uncertainty(m, "nash", n=1024, seed=1)
>>> round(u.summary["x"]["median"], 3), round(u.summary["x"]["q05"], 3)
(0.75, 0.525)
>>> u.failed
0
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from bargain.errors import ModelError, SolverError
from bargain.json_text import dumps
from bargain.markdown import markdown_table
from bargain.model.model import Model
from bargain.model.validate import validate_model
from bargain.sweeps.compile import OK, STATUSES
from bargain.sweeps.sweep import plan, resolved

if TYPE_CHECKING:
    import pandas as pd

TAIL = 1e-6
"""The draws are kept between each distribution's ``TAIL`` and ``1 - TAIL`` quantiles."""
QUANTILES = {"q05": 0.05, "median": 0.5, "q95": 0.95}
"""The quantiles reported for every output."""


@dataclass(frozen=True)
class Uncertainty:
    """The distribution of a solution's terms under uncertain parameters (:func:`uncertainty`).

    Attributes
    ----------
    model, method
        The model's name and the solution concept.
    options
        The concept's options.
    distributions
        Each uncertain parameter's distribution, in words.
    design, n, seed
        How the draws were made (the seed reproduces them).
    summary
        For each output (contract variables, ``payoff_<party>``): ``q05``, ``median``,
        ``q95`` and ``mean`` over the draws with a solution.
    failed
        Draws at which the concept has no solution (left out of ``summary``).
    route
        The sweep kernel's route.
    samples
        Every draw: the uncertain parameters, the outputs and ``status``.
    """

    model: str
    method: str
    options: tuple[tuple[str, Any], ...]
    distributions: dict[str, str]
    design: str
    n: int
    seed: int
    summary: dict[str, dict[str, float]]
    failed: int
    route: str
    samples: pd.DataFrame = field(repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (without the samples)."""
        return {
            "model": self.model,
            "method": self.method,
            "options": dict(self.options),
            "distributions": dict(self.distributions),
            "design": self.design,
            "samples": self.n,
            "seed": self.seed,
            "failed": self.failed,
            "route": self.route,
            "summary": {k: dict(v) for k, v in self.summary.items()},
        }

    def to_json(self, indent: int | None = 2) -> str:
        """The report as a JSON object (:meth:`to_dict`)."""
        return dumps(self.to_dict(), indent)

    def _rows(self) -> list[list[str]]:
        return [
            [name, *(f"{s[k]:.6g}" for k in ("median", "q05", "q95", "mean"))]
            for name, s in self.summary.items()
        ]

    def _title(self) -> str:
        return (
            f"{self.method} solution of {self.model} under uncertainty: {self.n} {self.design} "
            f"draws (seed {self.seed}), {self.failed} without a solution"
        )

    def to_text(self) -> str:
        """A short human-readable report: one line per output."""
        lines = [self._title(), "  uncertain parameters:"]
        lines += [f"    {k} ~ {v}" for k, v in self.distributions.items()]
        header = ["output", "median", "5%", "95%", "mean"]
        rows = [header, *self._rows()]
        widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
        for row in rows:
            lines.append("  " + "  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)))
        lines.append(f"  route: {self.route}")
        return "\n".join(lines)

    def to_markdown(self) -> str:
        """A Markdown table of the outputs' medians and 5–95% intervals."""
        out = [f"**{self._title()}**", ""]
        out += [f"- `{k}` ~ {v}" for k, v in self.distributions.items()]
        header = ("output", "median", "5%", "95%", "mean")
        out += ["", markdown_table(header, self._rows()).rstrip("\n")]
        return "\n".join(out)

    def __str__(self) -> str:
        return self.to_text()


def uncertainty(
    model: Model,
    method: str = "nash",
    *,
    n: int = 1000,
    seed: int | None = None,
    design: str = "sobol",
    route: str = "auto",
    timeout: float = 10.0,
    **options: Any,
) -> Uncertainty:
    """Propagate the parameters' declared distributions through a solution concept.

    Parameters
    ----------
    model
        The model; its parameters with a ``distribution`` are drawn, the others keep
        their values.
    method
        The solution concept (any registered one).
    n
        Number of draws.
    seed
        Seed of the draws (drawn and recorded if ``None``).
    design
        ``"sobol"`` (scrambled Sobol points), ``"random"`` or ``"lhs"``.
    route, timeout
        The sweep kernel's route and the seconds allowed for its closed-form attempt.
    **options
        The concept's options (``powers``, ``proposer``, ``period``, ``horizon``).

    Raises
    ------
    ModelError
        If no parameter declares a distribution, for the grid design, and for what
        :func:`bargain.sweeps.sweep.plan` refuses (an unknown method, design or option;
        a box of quantiles where the model's values are not allowed).
    SolverError
        If the concept has no solution at any draw.
    """
    validate_model(model)
    uncertain = [p for p in model.parameters if p.distribution is not None]
    if not uncertain:
        raise ModelError(
            'no parameter declares a distribution; add distribution = { kind = "triangular", '
            "c = ..., loc = ..., scale = ... } to a parameter (see docs/howto-calibrate.md)",
            file=model.file,
            table="parameters",
        )
    if design == "grid":
        raise ModelError(
            "draws need a sampled design: sobol, random or lhs", table="uncertainty", key="design"
        )
    frozen = {p.name: p.distribution.frozen() for p in uncertain}
    with np.errstate(all="ignore"):
        box = {name: (float(d.ppf(TAIL)), float(d.ppf(1 - TAIL))) for name, d in frozen.items()}
    try:
        spec, kernel = resolved(
            plan(
                model,
                method,
                box,
                design=design,
                n=n,
                seed=seed,
                route=route,
                timeout=timeout,
                **options,
            )
        )
    except ModelError as err:
        if err.table != "vary" or err.key not in frozen:
            raise
        # The box is the distribution's, not a --vary the user gave: say so, and where.
        raise ModelError(
            f"{err.message} (the box between its distribution's {TAIL:g} and {1 - TAIL:g} "
            "quantiles)",
            file=model.file,
            table="parameters",
            key=f"{err.key}.distribution",
        ) from None
    import pandas as pd  # only when draws are made: import bargain stays light

    parts = []
    for i in range(spec.n_chunks):
        start, stop = spec.chunk(i)
        draws = {
            name: frozen[name].ppf(
                np.clip((x - box[name][0]) / (box[name][1] - box[name][0]), TAIL, 1 - TAIL)
            )
            for name, x in spec.points(start, stop).items()
        }
        out = kernel(draws)
        frame = pd.DataFrame({**draws, **{k: v for k, v in out.items() if k != "status"}})
        frame["status"] = [STATUSES[s] for s in out["status"]]
        parts.append(frame)
    samples = pd.concat(parts, ignore_index=True)
    ok = samples[samples["status"] == STATUSES[OK]]
    if ok.empty:
        raise SolverError(
            f"{method} has no solution at any of the {spec.n} draws (the first is "
            f"{samples['status'].iloc[0]}): check the distributions",
            table="uncertainty",
        )
    outputs = [k for k in kernel.outputs if k != "status"]
    summary = {
        k: {
            **{q: float(np.quantile(ok[k], level)) for q, level in QUANTILES.items()},
            "mean": float(ok[k].mean()),
        }
        for k in outputs
    }
    return Uncertainty(
        model=model.name,
        method=method,
        options=spec.options,
        distributions={
            p.name: f"{p.distribution.kind}("
            + ", ".join(f"{k}={v:g}" for k, v in p.distribution.arguments)
            + ")"
            for p in uncertain
        },
        design=design,
        n=spec.n,
        seed=spec.seed,
        summary=summary,
        failed=int(len(samples) - len(ok)),
        route=kernel.route,
        samples=samples,
    )


__all__ = ["QUANTILES", "TAIL", "Uncertainty", "uncertainty"]
