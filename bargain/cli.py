"""The ``bargain`` command line.

``bargain models`` lists the models, ``bargain show MODEL`` prints one,
``bargain solve MODEL`` solves it under an axiomatic solution or the
alternating-offers game (``--method rubinstein``), ``bargain credibility
MODEL`` solves it before and after a broken promise, and ``bargain sweep MODEL``
solves it over many parameter points, streaming the rows to a CSV or Parquet
file (see ``docs/sweeps.md``), and ``bargain docs`` writes the generated tables
and figures of ``docs/`` (``--check``: list the stale ones). Errors are one line on stderr and a
non-zero exit status (1 for a refused model or problem, or a file that cannot be read or
written; 2 for bad usage): :func:`main` is the one place that turns them into that line.
"""

from __future__ import annotations

import argparse
import gc
import importlib.metadata
import math
import os
import sys
from collections.abc import Callable, Collection, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from bargain.errors import BargainError, ModelError

if TYPE_CHECKING:
    from bargain.coalitions.coalition import CoalitionReport
    from bargain.concepts.solution import Solution
    from bargain.estimation.calibrate import Calibration
    from bargain.estimation.uncertainty import Uncertainty
    from bargain.model.model import Model
    from bargain.reputation.credibility import CredibilityReport


def _pairs(items: Sequence[str], option: str) -> dict[str, object]:
    from bargain.model.model import exact_value

    out: dict[str, object] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise ModelError(f"expected NAME=VALUE, got {item!r}", table=option)
        if name.strip() in out:
            raise ModelError(
                "is given more than once; give each name once", table=option, key=name.strip()
            )
        out[name.strip()] = exact_value(value.strip(), table=option, key=name.strip())
    return out


def _horizon(text: str) -> int | float:
    """A horizon on the command line, in the forms a model file's ``[bargaining] horizon``
    takes: a whole number of rounds written as arithmetic on numbers, or ``inf``.

    Examples
    --------
    >>> _horizon("1e3"), _horizon("10**3"), _horizon("inf")
    (1000, 1000, inf)
    >>> _horizon("2.5")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: must be a positive integer number of rounds or inf, got '2.5'
    """
    from bargain.model.model import exact_value

    if text.strip().lower() in ("inf", "infinity"):
        return math.inf
    try:
        value = exact_value(text, table="--horizon", key="T")
    except ModelError:
        value = None
    if value is None or not (value.is_Integer and value >= 1):
        raise argparse.ArgumentTypeError(
            f"must be a positive integer number of rounds or inf, got {text!r}"
        )
    return int(value)


def _positive_int(text: str, what: str = "a positive whole number") -> int:
    """A count on the command line (``--chunk-size``, ``--samples``, ``--jobs``, ...).

    Examples
    --------
    >>> _positive_int("12")
    12
    >>> _positive_int("0")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: must be a positive whole number, got '0'
    """
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be {what}, got {text!r}")
    return value


def _positive_number(text: str) -> float:
    """A length of time on the command line: a finite positive number (``--period``).

    Examples
    --------
    >>> _positive_number("0.5")
    0.5
    >>> _positive_number("inf")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: must be a finite positive number, got 'inf'
    """
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"must be a finite positive number, got {text!r}")
    return value


def _load(name: str, sets: Sequence[str]) -> Model:
    from bargain.model.catalogue import find_model
    from bargain.model.modelfile import load_model

    model = load_model(find_model(name))
    values = _pairs(sets, "--set")
    return model.with_values(values) if values else model


def cmd_models(args: argparse.Namespace) -> None:
    from bargain.model.catalogue import model_names, models_dir
    from bargain.model.modelfile import load_model

    names = model_names()
    if not names:
        print(f"no models in {models_dir()}")
    for name in names:
        model = load_model(models_dir() / f"{name}.toml")
        print(f"{name:<20} {model.title}")


def cmd_show(args: argparse.Namespace) -> None:
    from bargain.model.expr import expression_to_string

    m = _load(args.model, args.set)
    print(f"{m.name}: {m.title}" if m.title else m.name)
    if m.description:
        print("\n" + m.description.strip())
    if m.parameters:
        print("\nparameters:")
        for p in m.parameters:
            rng = f"  range [{float(p.range[0]):g}, {float(p.range[1]):g}]" if p.range else ""
            unit = f" {p.unit}" if p.unit else ""
            print(f"  {p.name} = {float(p.value):g}{unit}{rng}")
            if p.description:
                print(f"      {p.description}")
            if p.source:
                print(f"      source: {p.source}")
    print("\ncontract variables:")
    for v in m.variables:
        unit = f" ({v.unit})" if v.unit else ""
        print(
            f"  {expression_to_string(v.min)} <= {v.name} <= {expression_to_string(v.max)}{unit}"
            + (f"  {v.description}" if v.description else "")
        )
    if m.constraints:
        print("\nconstraints:")
        for c in m.constraints:
            print(f"  {c.name}: {expression_to_string(c.relation)}")
    print("\nparties:")
    for p in m.parties:
        print(f"  {p.name}" + (f" ({p.title})" if p.title else ""))
        fields = [
            ("payoff", p.payoff),
            ("disagreement", p.disagreement),
            ("strike_payoff", p.strike_payoff),
            ("outside_option", p.outside_option),
            ("discount_factor", p.discount_factor),
            ("discount_rate", p.discount_rate),
            ("bargaining_power", p.bargaining_power),
            ("demand", p.demand),
            ("hardliner", p.hardliner),
        ]
        for label, expr in fields:
            if expr is not None:
                print(f"      {label:<16} {expression_to_string(expr)}")
    if m.promises:
        print("\npromises:")
    for pr in m.promises:
        print(
            f"  {pr.name}: {pr.by} promised {pr.to}"
            + (f"  {pr.description}" if pr.description else "")
        )
        for label in (
            "concession",
            "concession_value",
            "promised",
            "promised_cost",
            "trust",
            "error",
            "opportunist_keeps",
            "breakdown_per_distrust",
        ):
            expr = getattr(pr, label)
            if expr is not None:
                print(f"      {label:<22} {expression_to_string(expr)}")


def _solver_options(args: argparse.Namespace, method: str) -> dict[str, object]:
    """The keyword arguments of a concept's solver from the command line's solver options
    (each option is refused, naming it, by a concept that does not take it)."""
    from bargain.concepts.registry import concept

    found = concept(method)
    kwargs: dict[str, object] = {}
    if "exact" in found.parameters:
        kwargs["exact"] = not args.numeric
    if args.power:
        if "powers" not in found.options:
            raise ModelError("bargaining powers apply to the Nash solution only", table="--power")
        kwargs["powers"] = _pairs(args.power, "--power")
    for option in ("proposer", "period", "horizon"):
        value = getattr(args, option)
        if value is None:
            continue
        if option not in found.options:
            raise ModelError(
                "applies to the alternating-offers games only (--method rubinstein or "
                "strike-or-holdout)",
                table=f"--{option}",
            )
        kwargs[option] = value
    return kwargs


def _print(
    result: Solution | CredibilityReport | CoalitionReport | Calibration | Uncertainty, form: str
) -> None:
    if form == "json":
        print(result.to_json())
    elif form == "markdown":
        print(result.to_markdown())
    else:
        print(result.to_text())


def cmd_solve(args: argparse.Namespace) -> None:
    from bargain.concepts.registry import concept

    model = _load(args.model, args.set)
    solve = concept(args.method).solve
    _print(solve(model, **_solver_options(args, args.method)), args.format)


def cmd_brief(args: argparse.Namespace) -> None:
    from bargain.reporting.brief import brief

    if args.uncertainty is not None:
        _uncertain_brief(args)
        return
    print(brief(_load(args.model, args.set)).to_text())


def _uncertain_brief(args: argparse.Namespace) -> None:
    """``bargain brief MODEL --uncertainty N``: medians and 5-95% intervals (and a figure)."""
    from bargain.reporting import plot
    from bargain.reporting.brief import uncertain_brief

    result = uncertain_brief(_load(args.model, args.set), args.uncertainty, seed=args.seed)
    print(result.to_text())
    if args.plot:
        plot.save(result.figure(), args.plot)
        print(f"plot written to {args.plot}")


def cmd_credibility(args: argparse.Namespace) -> None:
    from bargain.reputation.credibility import credibility

    model = _load(args.model, args.set)
    report = credibility(
        model,
        args.promise,
        observed=args.observed or ("broken",),
        prior=args.prior,
        error=args.error,
        opportunist_keeps=args.opportunist_keeps,
        package=args.package,
        breakdown_per_distrust=args.breakdown_per_distrust,
        method=args.method,
        delay=args.delay,
        **_solver_options(args, args.method),
    )
    _print(report, args.format)


def _solver_arguments(p: argparse.ArgumentParser, methods: Sequence[str]) -> None:
    """The options shared by ``solve`` and ``credibility``: the method and how to solve."""
    p.add_argument("--method", choices=sorted(methods), default="nash", help=METHOD_HELP)
    _power_argument(p)
    p.add_argument(
        "--format",
        choices=("text", "markdown", "json"),
        default="text",
        help="how to print the result",
    )
    p.add_argument("--numeric", action="store_true", help="skip the closed-form attempt")
    p.add_argument("--proposer", metavar="PARTY", help="who proposes first (rubinstein)")
    _period_argument(p)
    p.add_argument(
        "--horizon",
        type=_horizon,
        metavar="T",
        help="number of rounds, or inf (rubinstein; default: the model's)",
    )


METHOD_HELP = "the solution concept (`bargain brief MODEL` compares them all)"


def _power_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--power",
        action="append",
        default=[],
        metavar="PARTY=W",
        help="bargaining power of a party for the generalised Nash solution (repeatable)",
    )


def _period_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--period",
        type=_positive_number,
        metavar="D",
        help="length of a round in model periods (rubinstein; default: 1)",
    )


def _probability(text: str) -> float:
    """A probability on the command line."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number in [0, 1], got {text!r}") from None
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"must be a probability in [0, 1], got {text!r}")
    return value


def _vary(items: Sequence[str]) -> dict[str, tuple[float, ...]]:
    """``NAME=LO:HI`` or ``NAME=LO:HI:N`` options as a ``vary`` mapping."""
    from bargain.model.model import exact_value

    out: dict[str, tuple[float, ...]] = {}
    for item in items:
        name, sep, spec = item.partition("=")
        name = name.strip()
        parts = spec.split(":")
        if not sep or not name or len(parts) not in (2, 3) or not all(p.strip() for p in parts):
            raise ModelError(f"expected NAME=LO:HI or NAME=LO:HI:N, got {item!r}", table="--vary")
        if name in out:
            raise ModelError("given twice", table="--vary", key=name)
        lo, hi = (float(exact_value(p.strip(), table="--vary", key=name)) for p in parts[:2])
        if len(parts) == 3:
            try:
                count = int(parts[2])
            except ValueError:
                raise ModelError(
                    f"the number of values must be a whole number, got {parts[2]!r}",
                    table="--vary",
                    key=name,
                ) from None
            out[name] = (lo, hi, count)
        else:
            out[name] = (lo, hi)
    return out


def cmd_sweep(args: argparse.Namespace) -> None:
    from bargain.sweeps.stream import sweep_to_file
    from bargain.sweeps.sweep import output_column

    model = _load(args.model, args.set)
    vary = _vary(args.vary)
    options: dict[str, object] = {}
    if args.power:
        options["powers"] = _pairs(args.power, "--power")
    for option in ("proposer", "period"):
        if getattr(args, option) is not None:
            options[option] = getattr(args, option)
    if args.plot:
        output_column(
            model, args.output, table="--output", key=None
        )  # refused before the sweep runs
    n = args.samples
    if args.design == "grid" and n is not None and all(len(v) == 3 for v in vary.values()):
        raise ModelError(
            "the grid takes its counts from --vary NAME=LO:HI:N; --samples sets the count "
            "of the parameters given as NAME=LO:HI",
            table="--samples",
        )
    report = sweep_to_file(
        args.out,
        model,
        args.method,
        vary,
        design=args.design,
        n=n,
        seed=args.seed,
        chunk_size=args.chunk_size,
        route=args.route,
        jobs=args.jobs,
        scheduler=args.scheduler,
        resume=args.resume,
        progress=not args.quiet and sys.stderr.isatty(),
        **options,
    )
    counts = ", ".join(f"{k} {v}" for k, v in report.statuses.items() if v)
    print(
        f"{report.points} points ({report.chunks} chunks"
        + (f", {report.reused} kept from the interrupted run" if report.reused else "")
        + (f", {report.damaged} damaged (not as written) solved again" if report.damaged else "")
        + f") written to {report.path} in {report.seconds:.3g} s; route {report.route}"
        + (f", seed {report.seed}" if args.design != "grid" else "")
        + f"; {counts}"
    )
    if args.plot:
        _plot(args, model, vary, options, report.path)
        print(f"plot written to {args.plot}")


def _plot(
    args: argparse.Namespace,
    model: Model,
    vary: dict[str, tuple[float, ...]],
    options: dict[str, object],
    path: object,
) -> None:
    from bargain.reporting import plot
    from bargain.sweeps.sweep import sensitivity, tornado

    kind = args.plot_kind
    names = list(vary)
    output = args.output or model.variable_names[0]
    if kind == "auto":
        kind = {1: "line", 2: "heatmap"}.get(len(names), "tornado")
    ranges = {k: v[:2] for k, v in vary.items()}
    if kind in ("line", "heatmap"):
        if len(names) != (1 if kind == "line" else 2):
            raise ModelError(
                f"a {kind} plot needs {'one' if kind == 'line' else 'two'} varied parameters, "
                f"the sweep has {len(names)}; use --plot-kind tornado or sobol",
                table="--plot-kind",
            )
        import pandas as pd

        columns = [*names, output]
        out = str(path)
        df = (
            pd.read_csv(out, usecols=columns)
            if out.endswith(".csv")
            else pd.read_parquet(out, columns=columns)
        )
        df.attrs.update({"model": model.name, "method": args.method})
        fig = plot.line(df, *columns) if kind == "line" else plot.heatmap(df, *columns)
    elif kind == "tornado":
        fig = plot.tornado_chart(
            tornado(model, args.method, ranges, output=output, route=args.route, **options)
        )
    else:
        s = sensitivity(
            model,
            args.method,
            ranges,
            output=output,
            n=args.sobol_samples,
            seed=args.seed or 0,
            route=args.route,
            **options,
        )
        fig = plot.sobol_chart(s)
    plot.save(fig, args.plot)


class _HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Help that shows each option's default, where it has one worth showing."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        if action.default in (None, False, [], argparse.SUPPRESS) or "default" in text:
            return text
        return super()._get_help_string(action)


class _Parser(argparse.ArgumentParser):
    """A subcommand's parser, with the same help formatter as the top one."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("formatter_class", _HelpFormatter)
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]


def _model_arguments(
    p: argparse.ArgumentParser, func: Callable[[argparse.Namespace], int | None]
) -> None:
    """What ``show``, ``solve``, ``credibility``, ``brief`` and ``coalition`` share: the
    model, ``--set``, and the function that runs the command."""
    p.add_argument("model", help="a model file, or a model's name in the models folder")
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="change a parameter value (repeatable)",
    )
    p.set_defaults(func=func)


def _models_arguments(p: argparse.ArgumentParser) -> None:
    p.set_defaults(func=cmd_models)


def _show_arguments(p: argparse.ArgumentParser) -> None:
    _model_arguments(p, cmd_show)


def _solve_arguments(p: argparse.ArgumentParser) -> None:
    from bargain.concepts.registry import names

    _model_arguments(p, cmd_solve)
    _solver_arguments(p, names())


def _credibility_arguments(p: argparse.ArgumentParser) -> None:
    from bargain.concepts.registry import names
    from bargain.reputation.credibility import PACKAGE_RULES
    from bargain.reputation.delay import names as delay_names
    from bargain.reputation.trust import OUTCOMES

    _model_arguments(p, cmd_credibility)
    _solver_arguments(p, names(credibility=True))
    p.add_argument("--promise", metavar="NAME", help="the promise (needed if there are several)")
    p.add_argument(
        "--observed",
        action="append",
        choices=OUTCOMES,
        metavar="kept|broken",
        help="an outcome of the promise, in order (repeatable; default: broken)",
    )
    for option, helptext in (
        ("--prior", "prior trust (default: the promise's trust)"),
        ("--error", "probability that an honest promiser fails to deliver"),
        ("--opportunist-keeps", "probability that an opportunist keeps the promise"),
        ("--breakdown-per-distrust", "per-round breakdown risk when trust is zero"),
    ):
        p.add_argument(option, type=_probability, metavar="P", help=helptext)
    p.add_argument(
        "--package",
        choices=PACKAGE_RULES,
        default="threshold",
        help="is the package deal in the agreement: when both gain (threshold), always, never",
    )
    p.add_argument(
        "--delay",
        choices=delay_names(),
        help="the theory of delay behind the strike's length (default: the model's "
        "[delay] theory, else reputation)",
    )


def cmd_coalition(args: argparse.Namespace) -> None:
    from bargain.coalitions.coalition import coalition

    model = _load(args.model, args.set)
    report = coalition(
        model,
        args.coalition,
        rule=args.rule,
        veto=args.veto,
        method=args.method,
        exact=args.exact,
        proposer=args.proposer,
    )
    _print(report, args.format)


def _coalition_arguments(p: argparse.ArgumentParser) -> None:
    """``bargain coalition``: which coalition, its rule, the method and the format."""
    from bargain.concepts.registry import names
    from bargain.model.model import RULES

    _model_arguments(p, cmd_coalition)
    p.add_argument(
        "--coalition", metavar="NAME", help="the coalition (needed if there are several)"
    )
    p.add_argument("--rule", choices=RULES, help="the coalition's internal rule (default: its own)")
    p.add_argument("--veto", metavar="MEMBER", help="the veto member (with --rule veto)")
    p.add_argument(
        "--proposer",
        metavar="NAME",
        help="who proposes first under alternating offers: the counterpart, the coalition or "
        "a member (default: the model's first_proposer)",
    )
    p.add_argument(
        "--method", choices=sorted(names(credibility=True)), default="nash", help=METHOD_HELP
    )
    p.add_argument(
        "--format", choices=("text", "markdown", "json"), default="text", help="how to print it"
    )
    p.add_argument(
        "--exact", action="store_true", help="also look for closed forms (slower; same numbers)"
    )


def _brief_arguments(p: argparse.ArgumentParser) -> None:
    _model_arguments(p, cmd_brief)
    p.add_argument(
        "--uncertainty",
        type=_positive_count,
        metavar="N",
        help="N draws of the parameters that declare a distribution: each answer's median "
        "and 5-95%% interval",
    )
    p.add_argument("--seed", type=int, default=0, metavar="S", help="seed of the draws (0)")
    p.add_argument(
        "--plot", metavar="PATH", help="with --uncertainty: the intervals per concept as a figure"
    )


def _positive_count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of draws, at least 1: {text!r}")
    return value


def _sweep_arguments(p: argparse.ArgumentParser) -> None:
    from bargain.sweeps.compile import ROUTES, methods
    from bargain.sweeps.sweep import CHUNK_SIZE, DESIGNS

    p.description = (
        "Solve MODEL at every point of a design over the parameters given with "
        "--vary, streaming one row per point to --out."
    )
    p.add_argument("model", help="a model file, or a model's name in the models folder")
    p.add_argument("--method", choices=methods(), default="nash", help=METHOD_HELP)
    p.add_argument(
        "--vary",
        action="append",
        default=[],
        required=True,
        metavar="NAME=LO:HI[:N]",
        help="a parameter to vary from LO to HI (N grid values) (repeatable)",
    )
    p.add_argument(
        "--design",
        choices=DESIGNS,
        default="grid",
        help="grid: every combination; random, lhs (Latin hypercube), sobol: --samples points",
    )
    p.add_argument(
        "--samples",
        type=_positive_int,
        metavar="N",
        help="number of points (random, lhs, sobol), or grid values per parameter without :N",
    )
    p.add_argument("--seed", type=int, metavar="S", help="seed of the sampled designs")
    p.add_argument("--out", required=True, metavar="FILE", help="output file, .csv or .parquet")
    p.add_argument(
        "--jobs",
        type=_positive_int,
        metavar="N",
        help="run on a local Dask cluster of N worker processes",
    )
    p.add_argument(
        "--scheduler", metavar="HOST:PORT", help="run on the Dask scheduler at tcp://HOST:PORT"
    )
    p.add_argument("--resume", action="store_true", help="continue an interrupted run")
    p.add_argument("--plot", metavar="FILE.png", help="also draw a plot of the sweep")
    p.add_argument(
        "--plot-kind",
        choices=("auto", "line", "heatmap", "tornado", "sobol"),
        default="auto",
        help="auto: a line for one varied parameter, a heatmap for two, else a tornado",
    )
    p.add_argument(
        "--output", metavar="COLUMN", help="what to plot (default: the first contract variable)"
    )
    p.add_argument(
        "--sobol-samples",
        type=_positive_int,
        default=1024,
        metavar="N",
        help="base sample of the Sobol-index plot",
    )
    p.add_argument(
        "--route",
        choices=ROUTES,
        default="auto",
        help="closed: a closed form; numeric: vectorised iterations; loop: the scalar solver at "
        "each point; auto: the fastest that applies (docs/sweeps.md)",
    )
    p.add_argument(
        "--chunk-size",
        type=_positive_int,
        default=None,
        metavar="N",
        help=f"points solved and written at a time (bounds the memory used) (default: "
        f"{CHUNK_SIZE}; with --jobs or --scheduler, small enough to give every worker "
        "several chunks)",
    )
    p.add_argument(
        "--set", action="append", default=[], metavar="NAME=VALUE", help="fix a parameter value"
    )
    _power_argument(p)
    p.add_argument("--proposer", metavar="PARTY", help="who proposes first (rubinstein)")
    _period_argument(p)
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_sweep)


def cmd_calibrate(args: argparse.Namespace) -> None:
    from bargain.estimation.calibrate import calibrate

    model = _load(args.model, args.set)
    result = calibrate(model, args.free, args.match, starts=args.starts, seed=args.seed)
    _print(result, args.format)


def _calibrate_arguments(p: argparse.ArgumentParser) -> None:
    p.description = (
        "Find the values of the --free parameters (in their declared ranges) at "
        "which each --match observation holds: CONCEPT[opt=val,...]:OUTPUT=VALUE, where "
        "OUTPUT is a contract variable or payoff_<party> (see docs/howto-calibrate.md)."
    )
    p.add_argument("model", help="a model file, or a model's name in the models folder")
    p.add_argument(
        "--free",
        action="append",
        required=True,
        metavar="NAME",
        help="a parameter to find (repeatable; it needs a range in the model)",
    )
    p.add_argument(
        "--match",
        action="append",
        required=True,
        metavar="CONCEPT[opt=val,...]:OUTPUT=VALUE",
        help='an observed outcome, e.g. "nash:F=140.5" (repeatable)',
    )
    p.add_argument("--starts", type=int, default=8, metavar="N", help="starts of the search")
    p.add_argument("--seed", type=int, default=0, metavar="S", help="seed of the starts")
    p.add_argument("--format", choices=("text", "markdown", "json"), default="text")
    p.add_argument(
        "--set", action="append", default=[], metavar="NAME=VALUE", help="fix a parameter value"
    )
    p.set_defaults(func=cmd_calibrate)


def _uncertainty_arguments(p: argparse.ArgumentParser) -> None:
    from bargain.sweeps.compile import ROUTES, methods

    p.description = (
        "Draw the parameters that declare a distribution, solve MODEL at every "
        "draw and print each output's median, 5%% and 95%% quantiles and mean."
    )
    p.add_argument("model", help="a model file, or a model's name in the models folder")
    p.add_argument("--method", choices=methods(), default="nash")
    p.add_argument("--samples", type=int, default=1000, metavar="N", help="number of draws")
    p.add_argument("--seed", type=int, metavar="S", help="seed of the draws")
    p.add_argument("--design", choices=("sobol", "random", "lhs"), default="sobol")
    p.add_argument("--route", choices=ROUTES, default="auto", help="kernel route (default auto)")
    p.add_argument("--proposer", metavar="PARTY", help="who proposes first (rubinstein)")
    p.add_argument("--period", type=float, metavar="D", help="length of a round (rubinstein)")
    p.add_argument("--format", choices=("text", "markdown", "json"), default="text")
    p.add_argument(
        "--set", action="append", default=[], metavar="NAME=VALUE", help="fix a parameter value"
    )
    p.set_defaults(func=cmd_uncertainty)


def cmd_uncertainty(args: argparse.Namespace) -> None:
    from bargain.estimation.uncertainty import uncertainty

    model = _load(args.model, args.set)
    options = {k: getattr(args, k) for k in ("proposer", "period") if getattr(args, k) is not None}
    result = uncertainty(
        model,
        args.method,
        n=args.samples,
        seed=args.seed,
        design=args.design,
        route=args.route,
        **options,
    )
    _print(result, args.format)


def cmd_docs(args: argparse.Namespace) -> int:
    from bargain.reporting import docbuild

    if args.docs is not None and not Path(args.docs).is_dir():
        raise ModelError("must be a folder (the docs/ folder of the project)", table="--docs")
    if args.check:
        stale = docbuild.check(args.docs)
        for line in stale:
            print(f"bargain: stale: {line}", file=sys.stderr)
        if stale:
            return 1
        print(f"{len(docbuild.artefacts())} generated files up to date")
        return 0
    done = docbuild.write(args.docs)
    for line in done:
        print(line)
    if not done:
        print(f"{len(docbuild.artefacts())} generated files up to date; nothing written")
    return 0


def _docs_arguments(p: argparse.ArgumentParser) -> None:
    p.description = (
        "Build the generated tables (docs/tables) and figures (docs/figures) "
        "from the code and the model files, and write those that changed."
    )
    p.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit with status 1 and one line per stale file on stderr",
    )
    p.add_argument(
        "--docs",
        metavar="DIR",
        help="the docs folder (default: docs/ beside the package)",
    )
    p.set_defaults(func=cmd_docs)


COMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None]]] = {
    "models": ("list the models in the models folder", _models_arguments),
    "show": ("print a model: parameters with sources, payoffs as formulas", _show_arguments),
    "solve": ("solve a model under a solution concept", _solve_arguments),
    "credibility": ("before and after a broken promise", _credibility_arguments),
    "brief": (
        "the terms under every solution concept, and a broken promise's cost",
        _brief_arguments,
    ),
    "coalition": (
        "a coalition as one player, each member alone, who leaves; its rule under "
        "alternating offers and in the strike",
        _coalition_arguments,
    ),
    "sweep": (
        "solve a model over a grid or sample of parameter points, to CSV or Parquet",
        _sweep_arguments,
    ),
    "calibrate": ("the parameter values that reproduce observed outcomes", _calibrate_arguments),
    "uncertainty": (
        "the median and 5-95%% interval of the terms under the parameters' distributions",
        _uncertainty_arguments,
    ),
    "docs": (
        "write the generated tables and figures of docs/ (--check: list stale ones)",
        _docs_arguments,
    ),
}
"""Each command's one-line help and the function that adds its options. That function
imports what the options need (the concepts' names for ``--method``, the sweep designs
...), and the command's function imports what it runs, so a command imports nothing
that only another command uses."""


def parser(commands: Collection[str] | None = None) -> argparse.ArgumentParser:
    """The argument parser of the ``bargain`` command.

    Every command is listed with its help; the options are added for ``commands`` only
    (default: all). :func:`main` adds those of the command it runs.

    Examples
    --------
    >>> top = parser(["solve"])
    >>> sub = next(a for a in top._actions if a.dest == "command").choices
    >>> list(sub)[:4], "--method" in sub["solve"].format_help()
    (['models', 'show', 'solve', 'credibility'], True)
    >>> "--promise" in sub["credibility"].format_help()
    False
    """
    top = argparse.ArgumentParser(
        prog="bargain",
        description="Solve bargaining models written as TOML files.",
        formatter_class=_HelpFormatter,
    )
    top.add_argument(
        "--version", action="version", version=f"%(prog)s {importlib.metadata.version('bargain')}"
    )
    sub = top.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name, (helptext, arguments) in COMMANDS.items():
        p = sub.add_parser(name, help=helptext)
        if commands is None or name in commands:
            arguments(p)
    return top


def _command(argv: Sequence[str]) -> str | None:
    """The command a command line runs: its first word that is not an option (the
    top-level options, ``--help`` and ``--version``, take no value).

    Examples
    --------
    >>> _command(["solve", "split", "--method", "rubinstein"])
    'solve'
    >>> _command(["--version"]) is None
    True
    """
    return next((word for word in argv if not word.startswith("-")), None)


GC_THRESHOLDS = (10_000, 10, 10)
"""The cyclic garbage collector's thresholds while a command runs (CPython's are
``(700, 10, 10)``): a collection of the youngest generation after 10,000 new objects
rather than 700. A command imports sympy, scipy and its own modules, hundreds of
thousands of objects that live as long as the process, and the collector scanned them
again and again: about a sixth of ``bargain solve split``'s CPU time, nearly half of it in
two full collections (docs/design-notes.md, "Imports where they are used")."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status.

    Only the options of the command run are built (:func:`parser`), so that it imports
    nothing another command needs. The garbage collector runs less often meanwhile
    (:data:`GC_THRESHOLDS`); its thresholds are put back when the command returns.
    """
    before = gc.get_threshold()
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        return _run(argv)
    finally:
        gc.set_threshold(*before)


def _run(argv: Sequence[str] | None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    command = _command(argv)
    args = parser(() if command is None else (command,)).parse_args(argv)
    try:
        status = args.func(args)
    except BargainError as err:
        print(f"bargain: error: {err}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # The reader stopped early (``bargain brief wga2007 | head``): not an error of
        # ours. Point stdout at devnull so the interpreter's final flush stays quiet.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as err:
        # A file we were told to read or write (--out, --plot, --docs): name it, no traceback.
        where = f"{err.filename}: " if err.filename else ""
        print(f"bargain: error: {where}{err.strerror or err}", file=sys.stderr)
        return 1
    return status or 0


if __name__ == "__main__":
    sys.exit(main())
