"""Model files: TOML (or a plain dict of the same shape) to :class:`Model` and back.

A model file is data. It is read with :mod:`tomllib`, every expression string
goes through the whitelisting parser :func:`bargain.model.expr.parse_expression`, and
nothing in it is ever executed. Every error names the file, the table and the
key, and says what is allowed.

Examples
--------
>>> import bargain
>>> m = bargain.model_from_dict({
...     "model": {"name": "split", "title": "Splitting a dollar"},
...     "parameters": {"V": {"value": 1.0, "range": [0.5, 2], "unit": "$"}},
...     "variables": {"x": {"min": 0, "max": "V"}},
...     "parties": {"W": {"payoff": "x"}, "A": {"payoff": "V - x"}},
... })
>>> print(dumps_model(m))  # doctest: +ELLIPSIS
[model]
name = "split"
title = "Splitting a dollar"
...
>>> model_from_dict(tomllib.loads(dumps_model(m))) == m
True
"""

from __future__ import annotations

import math
import sys
import tomllib
from collections.abc import Mapping
from os import PathLike
from pathlib import Path
from typing import Any

import sympy
import tomli_w

from bargain.errors import ModelError
from bargain.model.catalogue import models_dir
from bargain.model.expr import expression_to_string, is_name
from bargain.model.model import (
    DISTRIBUTIONS,
    SHAPES,
    Bargaining,
    Coalition,
    Constraint,
    DelayTable,
    Distribution,
    Model,
    Parameter,
    Party,
    Promise,
    Variable,
    WrittenFloat,
    allowed_arguments,
    as_expression,
    exact_value,
)
from bargain.model.validate import validate_model

TABLES = (
    "model",
    "parameters",
    "variables",
    "parties",
    "constraints",
    "bargaining",
    "promises",
    "delay",
    "coalitions",
)
MODEL_KEYS = ("name", "title", "period", "payoff_unit", "description")
PARAMETER_KEYS = ("value", "range", "unit", "description", "source", "distribution")
VARIABLE_KEYS = ("min", "max", "unit", "description")
PARTY_KEYS = (
    "title",
    "payoff",
    "disagreement",
    "strike_payoff",
    "outside_option",
    "discount_factor",
    "discount_rate",
    "bargaining_power",
    "demand",
    "hardliner",
)
CONSTRAINT_KEYS = ("expr", "description")
BARGAINING_KEYS = (
    "first_proposer",
    "breakdown_probability",
    "horizon",
    "status_quo",
    "transfer",
    "focal_dates",
)
PROMISE_KEYS = (
    "by",
    "to",
    "concession",
    "promised",
    "trust",
    "description",
    "error",
    "opportunist_keeps",
    "concession_value",
    "promised_cost",
    "breakdown_per_distrust",
)
COALITION_KEYS = (
    "members",
    "rule",
    "shares",
    "weights",
    "veto",
    "counterpart",
    "counterpart_payoff",
    "counterpart_disagreement",
    "description",
)
_MEMBER_TABLES = ("shares", "weights", "counterpart_payoff", "counterpart_disagreement")


class _Reader:
    """Reads one model dict, remembering the file name for error messages."""

    def __init__(self, file: str | None) -> None:
        self.file = file
        self.names: dict[str, str] = {}
        """The model's parameters and contract variables read so far, each with what it is
        (for the error on a name a value may not use)."""

    def error(self, message: str, table: str | None = None, key: str | None = None) -> ModelError:
        return ModelError(message, file=self.file, table=table, key=key)

    def table(self, data: Mapping[str, Any], name: str, *, required: bool) -> dict[str, Any]:
        if name not in data:
            if required:
                raise self.error(f"missing table [{name}]", table=name)
            return {}
        value = data[name]
        if not isinstance(value, Mapping):
            raise self.error(f"must be a table, got {type(value).__name__}", table=name)
        return dict(value)

    def check_keys(self, entry: Mapping[str, Any], allowed: tuple[str, ...], table: str) -> None:
        for key in entry:
            if key not in allowed:
                raise self.error(f"unknown key; allowed keys are {', '.join(allowed)}", table, key)

    def text(self, entry: Mapping[str, Any], key: str, table: str, default: str = "") -> str:
        value = entry.get(key, default)
        if not isinstance(value, str):
            raise self.error(f"must be a string, got {type(value).__name__}", table, key)
        return value

    def identifier(self, name: str, table: str) -> str:
        if not is_name(name):
            raise self.error(
                "is not a valid name; names start with a letter and contain only letters, "
                "digits and underscores (Unicode letters allowed, as in Python identifiers, "
                "in NFKC normal form)",
                table,
                name,
            )
        return name

    def expression(
        self,
        value: object,
        symbols: Mapping[str, sympy.Symbol],
        table: str,
        key: str,
        *,
        relational: bool = False,
    ) -> sympy.Expr:
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise self.error(
                f"must be an expression string or a number, got {type(value).__name__}",
                table,
                key,
            )
        elsewhere = {n: what for n, what in self.names.items() if n not in symbols}
        return as_expression(
            value,
            symbols,
            relational=relational,
            file=self.file,
            table=table,
            key=key,
            elsewhere=elsewhere,
        )


def _string_keys(r: _Reader, data: Any, table: str | None) -> None:
    """Refuse a key that is not a string anywhere in ``data`` (tables nested in tables and
    in arrays), naming its table: a TOML file has only string keys, a dict written by hand
    may not.

    Examples
    --------
    >>> _string_keys(_Reader(None), {"parameters": {"c": {"value": 1}, 3: 1.0}}, None)
    Traceback (most recent call last):
    ...
    bargain.errors.ModelError: [parameters] 3: a name must be a string, got int 3

    Walked with a stack of its own, not by recursion: a TOML table header of 1,200 dotted
    parts (``[a.a.a…]``) is tables that deep, and recursion ended in a RecursionError's
    traceback.
    """
    stack = [(data, table)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, Mapping):
            for key, value in item.items():
                if not isinstance(key, str):
                    raise r.error(
                        f"a name must be a string, got {type(key).__name__} {key!r}",
                        where,
                        repr(key),
                    )
                stack.append((value, key if where is None else f"{where}.{key}"))
        elif isinstance(item, list | tuple):
            stack.extend((each, where) for each in item)


def model_from_dict(data: Mapping[str, Any], *, file: str | None = None) -> Model:
    """Build a :class:`Model` from a dict shaped like a model file.

    Parameters
    ----------
    data
        The parsed TOML document (or a dict written by hand in the same shape).
    file
        The file name used in error messages.

    Raises
    ------
    ModelError
        On any malformed entry, with the file, table and key in the message.
    """
    r = _Reader(file)
    if not isinstance(data, Mapping):
        raise r.error("a model must be a table of tables")
    _string_keys(r, data, None)
    for name in data:
        if name not in TABLES:
            raise r.error(f"unknown table [{name}]; allowed tables are {', '.join(TABLES)}", name)

    head = r.table(data, "model", required=True)
    r.check_keys(head, MODEL_KEYS, "model")
    if "name" not in head:
        raise r.error("missing; every model has a name", "model", "name")
    name = r.identifier(r.text(head, "name", "model"), "model")

    parameters = _parameters(r, r.table(data, "parameters", required=False))
    param_symbols = {p.name: p.symbol for p in parameters}
    variables = _variables(r, r.table(data, "variables", required=True), param_symbols)
    r.names = {
        **dict.fromkeys(param_symbols, "a parameter"),
        **dict.fromkeys((v.name for v in variables), "a contract variable"),
    }
    all_symbols = {**param_symbols, **{v.name: v.symbol for v in variables}}

    parties = _parties(r, r.table(data, "parties", required=True), param_symbols, all_symbols)
    party_names = [p.name for p in parties]
    constraints = _constraints(r, r.table(data, "constraints", required=False), all_symbols)
    bargaining = _bargaining(r, r.table(data, "bargaining", required=False), param_symbols)
    if bargaining.first_proposer is not None and bargaining.first_proposer not in party_names:
        raise r.error(
            f"unknown party {bargaining.first_proposer!r}; the parties are "
            f"{', '.join(party_names)}",
            "bargaining",
            "first_proposer",
        )
    transfer = bargaining.transfer
    if transfer is not None and transfer not in (v.name for v in variables):
        raise r.error(
            f"unknown variable {transfer!r}; the variables are "
            f"{', '.join(v.name for v in variables)}",
            "bargaining",
            "transfer",
        )
    promises = _promises(r, r.table(data, "promises", required=False), param_symbols, party_names)
    theory, delays = _delay(r, r.table(data, "delay", required=False), param_symbols)
    coalitions = _coalitions(
        r, r.table(data, "coalitions", required=False), param_symbols, all_symbols, party_names
    )

    model = Model(
        name=name,
        title=r.text(head, "title", "model"),
        period=r.text(head, "period", "model", "period"),
        payoff_unit=r.text(head, "payoff_unit", "model"),
        description=r.text(head, "description", "model"),
        parameters=parameters,
        variables=variables,
        parties=parties,
        constraints=constraints,
        bargaining=bargaining,
        promises=promises,
        delays=delays,
        delay_theory=theory,
        coalitions=coalitions,
        file=file,
    )
    validate_model(model)
    return model


def _entries(
    r: _Reader, table: Mapping[str, Any], table_name: str
) -> list[tuple[str, Mapping[str, Any]]]:
    out = []
    for key, entry in table.items():
        r.identifier(key, table_name)
        if not isinstance(entry, Mapping):
            raise r.error(f"must be a table, got {type(entry).__name__}", f"{table_name}.{key}")
        out.append((key, entry))
    return out


def _parameters(r: _Reader, table: Mapping[str, Any]) -> tuple[Parameter, ...]:
    params = []
    for name, entry in table.items():
        r.identifier(name, "parameters")
        if not isinstance(entry, Mapping):
            entry = {"value": entry}
        r.check_keys(entry, PARAMETER_KEYS, f"parameters.{name}")
        if "value" not in entry:
            raise r.error("missing key 'value'", "parameters", name)
        value = exact_value(entry["value"], table="parameters", key=name, file=r.file)
        rng = None
        if "range" in entry:
            raw = entry["range"]
            if not isinstance(raw, list) or len(raw) != 2:
                raise r.error("range must be a list [low, high]", "parameters", f"{name}.range")
            lo, hi = (
                exact_value(v, table="parameters", key=f"{name}.range", file=r.file) for v in raw
            )
            if not lo < hi:
                raise r.error(
                    f"range must have low < high, got [{lo}, {hi}]", "parameters", f"{name}.range"
                )
            if not lo <= value <= hi:
                # The range is where sweeps, tornados and calibration look for the value: a
                # value outside it is a typo in one or the other.
                raise r.error(
                    f"is {value}, outside the parameter's own range [{lo}, {hi}]; widen the "
                    "range or correct the value",
                    "parameters",
                    f"{name}.value",
                )
            rng = (lo, hi)
        params.append(
            Parameter(
                name=name,
                value=value,
                range=rng,
                unit=r.text(entry, "unit", f"parameters.{name}"),
                description=r.text(entry, "description", f"parameters.{name}"),
                source=r.text(entry, "source", f"parameters.{name}"),
                distribution=_distribution(r, entry["distribution"], name)
                if "distribution" in entry
                else None,
            )
        )
    return tuple(params)


def _distribution(r: _Reader, raw: object, name: str) -> Distribution:
    """A parameter's ``distribution = { kind = ..., <scipy.stats arguments> }``, checked:
    a known kind, only its family's arguments (its shapes, ``loc``, ``scale``), every shape
    given, finite numbers, and values scipy accepts (:func:`allowed_arguments`)."""
    table = f"parameters.{name}.distribution"
    if not isinstance(raw, Mapping):
        raise r.error(
            'must be a table such as { kind = "triangular", c = 0.5, loc = 0, scale = 1 }',
            "parameters",
            f"{name}.distribution",
        )
    kinds = {*DISTRIBUTIONS, *DISTRIBUTIONS.values()}
    kind = raw.get("kind")
    if kind not in kinds:
        raise r.error(
            f"unknown kind {kind!r}; the kinds are {', '.join(DISTRIBUTIONS)} "
            "(or their scipy.stats names "
            f"{', '.join(v for k, v in DISTRIBUTIONS.items() if k != v)})",
            table,
            "kind",
        )
    family = DISTRIBUTIONS.get(kind, kind)
    shapes = SHAPES[family]
    allowed = (*shapes, "loc", "scale")
    arguments = {}
    for key, value in raw.items():
        if key == "kind":
            continue
        if key not in allowed:
            raise r.error(
                f"not an argument of {kind} (scipy.stats.{family}); its arguments are "
                f"{', '.join(allowed)}",
                table,
                key,
            )
        arguments[key] = float(exact_value(value, table=table, key=key, file=r.file))
    missing = [s for s in shapes if s not in arguments]
    if missing:
        raise r.error(
            f"{kind} (scipy.stats.{family}) needs its shape {', '.join(missing)}; its "
            f"arguments are {', '.join(allowed)}",
            table,
            missing[0],
        )
    if not allowed_arguments(family, arguments):
        given = ", ".join(f"{k} = {v:g}" for k, v in arguments.items()) or "none"
        raise r.error(
            f"scipy.stats.{family} refuses the arguments ({given}): see its documentation "
            "for the allowed values (scale > 0; triangular 0 <= c <= 1; beta a, b > 0; "
            "lognormal s > 0)",
            table,
            "kind",
        )
    return Distribution(kind, tuple(arguments.items()))


def _variables(
    r: _Reader, table: Mapping[str, Any], params: Mapping[str, sympy.Symbol]
) -> tuple[Variable, ...]:
    if not table:
        raise r.error("at least one contract variable is needed", "variables")
    out = []
    for name, entry in _entries(r, table, "variables"):
        where = f"variables.{name}"
        if name in params:
            raise r.error("is both a parameter and a variable; use distinct names", where)
        r.check_keys(entry, VARIABLE_KEYS, where)
        for key in ("min", "max"):
            if key not in entry:
                raise r.error(f"missing key {key!r}; every variable has bounds", where, key)
        out.append(
            Variable(
                name=name,
                min=r.expression(entry["min"], params, where, "min"),
                max=r.expression(entry["max"], params, where, "max"),
                unit=r.text(entry, "unit", where),
                description=r.text(entry, "description", where),
            )
        )
    return tuple(out)


def _parties(
    r: _Reader,
    table: Mapping[str, Any],
    params: Mapping[str, sympy.Symbol],
    everything: Mapping[str, sympy.Symbol],
) -> tuple[Party, ...]:
    entries = _entries(r, table, "parties")
    if len(entries) < 2:
        raise r.error(f"a negotiation needs at least two parties, got {len(entries)}", "parties")
    out = []
    for name, entry in entries:
        where = f"parties.{name}"
        r.check_keys(entry, PARTY_KEYS, where)
        if "payoff" not in entry:
            raise r.error("missing key; every party has a payoff expression", where, "payoff")
        if "discount_factor" in entry and "discount_rate" in entry:
            raise r.error(
                "give either discount_factor or discount_rate, not both", where, "discount_rate"
            )

        def optional(
            key: str, where: str = where, entry: Mapping[str, Any] = entry
        ) -> sympy.Expr | None:
            return r.expression(entry[key], params, where, key) if key in entry else None

        out.append(
            Party(
                name=name,
                title=r.text(entry, "title", where),
                payoff=r.expression(entry["payoff"], everything, where, "payoff"),
                disagreement=r.expression(
                    entry.get("disagreement", 0), params, where, "disagreement"
                ),
                strike_payoff=r.expression(
                    entry.get("strike_payoff", 0), params, where, "strike_payoff"
                ),
                outside_option=optional("outside_option"),
                discount_factor=optional("discount_factor"),
                discount_rate=optional("discount_rate"),
                bargaining_power=optional("bargaining_power"),
                demand=optional("demand"),
                hardliner=optional("hardliner"),
            )
        )
    return tuple(out)


def _constraints(
    r: _Reader, table: Mapping[str, Any], everything: Mapping[str, sympy.Symbol]
) -> tuple[Constraint, ...]:
    out = []
    for name, entry in table.items():
        r.identifier(name, "constraints")
        if isinstance(entry, str):
            entry = {"expr": entry}
        if not isinstance(entry, Mapping):
            raise r.error(
                "must be a comparison string such as \"a + b <= 1\" or a table with 'expr'",
                "constraints",
                name,
            )
        r.check_keys(entry, CONSTRAINT_KEYS, f"constraints.{name}")
        if "expr" not in entry:
            raise r.error("missing key 'expr'", f"constraints.{name}", "expr")
        relation = r.expression(entry["expr"], everything, "constraints", name, relational=True)
        if isinstance(relation, sympy.Ne):
            raise r.error("'!=' is not a constraint; use <=, >=, or ==", "constraints", name)
        out.append(
            Constraint(
                name, relation, description=r.text(entry, "description", f"constraints.{name}")
            )
        )
    return tuple(out)


def _bargaining(
    r: _Reader, table: Mapping[str, Any], params: Mapping[str, sympy.Symbol]
) -> Bargaining:
    r.check_keys(table, BARGAINING_KEYS, "bargaining")
    proposer = table.get("first_proposer")
    if proposer is not None and not isinstance(proposer, str):
        raise r.error("must be the name of a party", "bargaining", "first_proposer")
    transfer = table.get("transfer")
    if transfer is not None and not isinstance(transfer, str):
        raise r.error("must be the name of a contract variable", "bargaining", "transfer")
    horizon: sympy.Expr = sympy.oo
    if "horizon" in table:
        raw = table["horizon"]
        if isinstance(raw, str) and raw.strip().lower() in ("inf", "infinity"):
            horizon = sympy.oo
        else:
            horizon = r.expression(raw, {}, "bargaining", "horizon")
            if not (horizon.is_Integer and horizon >= 1):
                raise r.error(
                    f'must be a positive integer number of periods or "inf", got {raw!r}',
                    "bargaining",
                    "horizon",
                )
    dates = table.get("focal_dates", [])
    if not isinstance(dates, list):
        raise r.error(
            f"must be a list of times (expressions in parameters), got {dates!r}",
            "bargaining",
            "focal_dates",
        )
    return Bargaining(
        first_proposer=proposer,
        breakdown_probability=r.expression(
            table.get("breakdown_probability", 0), params, "bargaining", "breakdown_probability"
        ),
        horizon=horizon,
        status_quo=r.expression(table["status_quo"], params, "bargaining", "status_quo")
        if "status_quo" in table
        else None,
        transfer=transfer,
        focal_dates=tuple(
            r.expression(d, params, "bargaining", f"focal_dates[{i}]") for i, d in enumerate(dates)
        ),
    )


def _promises(
    r: _Reader,
    table: Mapping[str, Any],
    params: Mapping[str, sympy.Symbol],
    parties: list[str],
) -> tuple[Promise, ...]:
    out = []
    for name, entry in _entries(r, table, "promises"):
        where = f"promises.{name}"
        r.check_keys(entry, PROMISE_KEYS, where)
        for key in ("by", "to", "concession", "promised", "trust"):
            if key not in entry:
                raise r.error("missing key", where, key)
        for key in ("by", "to"):
            if entry[key] not in parties:
                raise r.error(
                    f"unknown party {entry[key]!r}; the parties are {', '.join(parties)}",
                    where,
                    key,
                )
        if entry["by"] == entry["to"]:
            raise r.error("a party cannot make a promise to itself", where, "to")

        def expression(
            key: str, default: object = None, where: str = where, entry: Mapping[str, Any] = entry
        ) -> sympy.Expr | None:
            if key not in entry and default is None:
                return None
            return r.expression(entry.get(key, default), params, where, key)

        out.append(
            Promise(
                name=name,
                by=entry["by"],
                to=entry["to"],
                concession=expression("concession"),
                promised=expression("promised"),
                trust=expression("trust"),
                description=r.text(entry, "description", where),
                error=expression("error", 0),
                opportunist_keeps=expression("opportunist_keeps", 0),
                concession_value=expression("concession_value"),
                promised_cost=expression("promised_cost"),
                breakdown_per_distrust=expression("breakdown_per_distrust", 0),
            )
        )
    return tuple(out)


def _delay(
    r: _Reader, table: Mapping[str, Any], params: Mapping[str, sympy.Symbol]
) -> tuple[str, tuple[DelayTable, ...]]:
    """``[delay]``: the theory of delay the reports use (``theory``) and one table of
    settings per theory (``[delay.NAME]``, expressions in the parameters). Which
    theories exist, and which keys each reads, :mod:`bargain.reputation.delay` checks."""
    theory = table.get("theory", "reputation")
    if not isinstance(theory, str):
        raise r.error(f"must be the name of a theory of delay, got {theory!r}", "delay", "theory")
    tables = []
    for name, entry in table.items():
        if name == "theory":
            continue
        if not isinstance(entry, Mapping):
            raise r.error(
                f"must be a table of settings ([delay.{name}]) or the key theory, "
                f"got {type(entry).__name__}",
                "delay",
                name,
            )
        r.identifier(name, "delay")
        where = f"delay.{name}"
        keys = tuple(entry)
        for key in keys:
            r.identifier(key, where)
        values = tuple(r.expression(entry[key], params, where, key) for key in keys)
        tables.append(DelayTable(name=name, keys=keys, values=values))
    return theory, tuple(tables)


def _coalitions(
    r: _Reader,
    table: Mapping[str, Any],
    params: Mapping[str, sympy.Symbol],
    everything: Mapping[str, sympy.Symbol],
    parties: list[str],
) -> tuple[Coalition, ...]:
    """``[coalitions.NAME]`` tables; the checks that need the whole model (members that
    are parties, in one coalition each, shares summing to one) are the :class:`Model`'s."""
    out = []
    for name, entry in _entries(r, table, "coalitions"):
        where = f"coalitions.{name}"
        r.check_keys(entry, COALITION_KEYS, where)
        for key in ("members", "shares"):
            if key not in entry:
                raise r.error("missing key; every coalition has members and shares", where, key)
        members = entry["members"]
        if not isinstance(members, list) or not all(isinstance(m, str) for m in members):
            raise r.error('must be a list of party names, e.g. ["S", "N"]', where, "members")
        for m in members:
            if m not in parties:
                raise r.error(
                    f"unknown party {m!r}; the parties are {', '.join(parties)}", where, "members"
                )
        per_member: dict[str, tuple[sympy.Expr, ...] | None] = {}
        for key in _MEMBER_TABLES:
            raw = entry.get(key)
            if raw is None:
                per_member[key] = None
                continue
            if not isinstance(raw, Mapping):
                raise r.error("must be a table { MEMBER = expression, ... }", where, key)
            for m in raw:
                if m not in members:
                    raise r.error(
                        f"{m!r} is not a member; the members are {', '.join(members)}",
                        where,
                        f"{key}.{m}",
                    )
            missing = [m for m in members if m not in raw]
            if missing:
                raise r.error(
                    f"missing for {', '.join(missing)}; give every member one", where, key
                )
            symbols = everything if key == "counterpart_payoff" else params
            per_member[key] = tuple(
                r.expression(raw[m], symbols, where, f"{key}.{m}") for m in members
            )
        for key in ("rule", "veto", "counterpart"):
            if key in entry and not isinstance(entry[key], str):
                raise r.error(f"must be a string, got {type(entry[key]).__name__}", where, key)
        shares = per_member.pop("shares")
        assert shares is not None  # required above
        out.append(
            Coalition(
                name=name,
                members=tuple(members),
                shares=shares,
                rule=entry.get("rule", "unanimity"),
                veto=entry.get("veto"),
                counterpart=entry.get("counterpart"),
                description=r.text(entry, "description", where),
                **per_member,
            )
        )
    return tuple(out)


def load_model(path: str | Path) -> Model:
    """Load a model from a TOML file.

    Parameters
    ----------
    path
        Path of the ``.toml`` file.

    Raises
    ------
    ModelError
        If the file cannot be read, is not valid TOML, or any entry is malformed.

    Examples
    --------
    >>> import bargain
    >>> m = bargain.load_model(bargain.models_dir() / "split.toml")
    >>> m.name, m.party_names
    ('split', ('W', 'A'))
    """
    if not isinstance(path, str | PathLike):
        raise ModelError(f"a model file is a path, got {type(path).__name__}")
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        named = models_dir() / f"{path.name}.toml"
        hint = (
            "; a shipped model has that name: "
            f"bargain.load_model(bargain.find_model({str(path)!r}))"
            if path.parent == Path() and not path.suffix and named.is_file()
            else ""
        )
        raise ModelError(f"no such model file{hint}", file=str(path)) from None
    except IsADirectoryError:
        raise ModelError("is a folder, not a model file", file=str(path)) from None
    except UnicodeDecodeError as err:
        raise ModelError(
            f"not UTF-8 text (byte {err.object[err.start]:#04x} at offset {err.start}): "
            "a model file is TOML, which must be saved as UTF-8",
            file=str(path),
        ) from None
    except OSError as err:
        raise ModelError(f"cannot read the file: {err.strerror or err}", file=str(path)) from None
    return model_from_dict(_toml(text, str(path)), file=str(path))


def _toml(text: str, file: str) -> dict[str, Any]:
    """The TOML document ``text``; what Python's reader cannot take becomes a ModelError.

    Besides syntax errors, that is nesting deeper than the interpreter's recursion
    limit and integer literals longer than Python converts (4,300 digits).
    """
    try:
        return tomllib.loads(text, parse_float=WrittenFloat)
    except RecursionError:
        message = "not read: arrays or tables nested too deeply for the TOML reader"
    except tomllib.TOMLDecodeError as err:
        message = f"not valid TOML: {err}"
    except ValueError:
        message = (
            f"an integer has more than {sys.get_int_max_str_digits()} digits; "
            "a model's numbers must be smaller"
        )
    raise ModelError(message, file=file)


def model_to_dict(model: Model) -> dict[str, Any]:
    """The model as a dict shaped like a model file (the inverse of :func:`model_from_dict`)."""
    out: dict[str, Any] = {
        "model": _nonempty(
            name=model.name,
            title=model.title,
            period=model.period,
            payoff_unit=model.payoff_unit,
            description=model.description,
        )
    }
    out["parameters"] = {
        p.name: _nonempty(
            value=_number_out(p.value),
            range=[_number_out(v) for v in p.range] if p.range else None,
            unit=p.unit,
            description=p.description,
            source=p.source,
            distribution=None
            if p.distribution is None
            else {"kind": p.distribution.kind, **dict(p.distribution.arguments)},
        )
        for p in model.parameters
    }
    out["variables"] = {
        v.name: _nonempty(
            min=_expr_out(v.min), max=_expr_out(v.max), unit=v.unit, description=v.description
        )
        for v in model.variables
    }
    out["parties"] = {
        p.name: _nonempty(
            title=p.title,
            payoff=_expr_out(p.payoff),
            disagreement=_expr_out(p.disagreement),
            strike_payoff=_expr_out(p.strike_payoff),
            outside_option=_expr_out(p.outside_option),
            discount_factor=_expr_out(p.discount_factor),
            discount_rate=_expr_out(p.discount_rate),
            bargaining_power=_expr_out(p.bargaining_power),
            demand=_expr_out(p.demand),
            hardliner=_expr_out(p.hardliner),
        )
        for p in model.parties
    }
    if model.constraints:
        out["constraints"] = {
            c.name: _nonempty(expr=expression_to_string(c.relation), description=c.description)
            for c in model.constraints
        }
    b = model.bargaining
    out["bargaining"] = _nonempty(
        first_proposer=b.first_proposer,
        breakdown_probability=_expr_out(b.breakdown_probability),
        horizon="inf" if b.horizon == sympy.oo else int(b.horizon),
        status_quo=_expr_out(b.status_quo),
        transfer=b.transfer,
        focal_dates=[_expr_out(d) for d in b.focal_dates] or None,
    )
    if model.promises:
        out["promises"] = {
            p.name: _nonempty(
                by=p.by,
                to=p.to,
                concession=_expr_out(p.concession),
                promised=_expr_out(p.promised),
                trust=_expr_out(p.trust),
                description=p.description,
                error=_expr_out(p.error) if p.error != 0 else None,
                opportunist_keeps=_expr_out(p.opportunist_keeps)
                if p.opportunist_keeps != 0
                else None,
                concession_value=_expr_out(p.concession_value),
                promised_cost=_expr_out(p.promised_cost),
                breakdown_per_distrust=_expr_out(p.breakdown_per_distrust)
                if p.breakdown_per_distrust != 0
                else None,
            )
            for p in model.promises
        }
    if model.delays or model.delay_theory != "reputation":
        out["delay"] = {
            **({"theory": model.delay_theory} if model.delay_theory != "reputation" else {}),
            **{
                t.name: {k: _expr_out(v) for k, v in zip(t.keys, t.values, strict=True)}
                for t in model.delays
            },
        }
    if model.coalitions:
        out["coalitions"] = {c.name: _coalition_out(c) for c in model.coalitions}
    return out


def _coalition_out(c: Coalition) -> dict[str, Any]:
    def per_member(values: tuple[sympy.Expr, ...] | None) -> dict[str, Any] | None:
        if values is None:
            return None
        return {m: _expr_out(v) for m, v in zip(c.members, values, strict=True)}

    return _nonempty(
        members=list(c.members),
        rule=c.rule,
        shares=per_member(c.shares),
        weights=per_member(c.weights),
        veto=c.veto,
        counterpart=c.counterpart,
        counterpart_payoff=per_member(c.counterpart_payoff),
        counterpart_disagreement=per_member(c.counterpart_disagreement),
        description=c.description,
    )


def dumps_model(model: Model) -> str:
    """The model as TOML text that :func:`load_model` reads back to an equal model."""
    return tomli_w.dumps(model_to_dict(model))


def _nonempty(**items: Any) -> dict[str, Any]:
    return {k: v for k, v in items.items() if v is not None and v != ""}


def _number_out(value: sympy.Rational) -> int | float | str:
    if value.is_Integer:
        return int(value)
    as_float = float(value)
    if math.isfinite(as_float) and sympy.Rational(repr(as_float)) == value:
        return as_float
    return str(value)


def _expr_out(expr: sympy.Expr | None) -> int | float | str | None:
    if expr is None:
        return None
    if isinstance(expr, sympy.Rational):
        return _number_out(expr)
    return expression_to_string(expr)


__all__ = ["dumps_model", "load_model", "model_from_dict", "model_to_dict"]
