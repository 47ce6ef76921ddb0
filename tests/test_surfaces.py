"""Issue 14, the surfaces: one error type everywhere, a safe Python API, clear messages.

Each test is a kind of fault found by using ``bargain`` as a user would; the files in
``tests/surfaces`` are the reported examples (``/work/shared/cases/surfaces``), and
every kind also has an example of its own here.
"""

from __future__ import annotations

import ast
import importlib.metadata
import math
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import sympy

import bargain
from bargain import Model, Party, Variable
from bargain.cli import main
from bargain.concepts.registry import concept
from bargain.sweeps.sweep import MAX_LHS_POINTS, MAX_POINTS, plan

HERE = Path(__file__).parent
CASES = HERE / "surfaces"
PACKAGE = Path(bargain.__file__).parent


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def one_line(err: str) -> str:
    """The error output, checked to be one line of ours (no traceback)."""
    assert err.count("\n") == 1 and "Traceback" not in err, err
    return err


def split_with(**parties: dict) -> bargain.Model:
    x = sympy.Symbol("x", real=True)
    return Model(
        name="m",
        parameters=(),
        variables=(Variable("x", sympy.S(0), sympy.S(1)),),
        parties=(
            Party("W", **{"payoff": x, **parties.get("W", {})}),
            Party("A", **{"payoff": 1 - x, **parties.get("A", {})}),
        ),
    )


# -- 1. no code runs through the Python API ----------------------------------------------


def test_api_string_field_case_creates_no_canary(tmp_path):
    done = subprocess.run(
        [sys.executable, str(CASES / "api_string_field.py")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert not (tmp_path / "canary_api_bp").exists()
    assert done.stdout.splitlines() == [
        "ExpressionError [parties.W] bargaining_power: name '__import__' at position 0 in "
        "\"__import__('os').system('touch canary_api_bp') or 1\": names starting with an "
        "underscore are never allowed",
        "canary file created: False",
    ]


@pytest.mark.parametrize(
    "field", ["bargaining_power", "disagreement", "discount_factor", "payoff", "outside_option"]
)
def test_python_built_string_fields_go_through_the_safe_parser(tmp_path, field):
    canary = tmp_path / "canary"
    with pytest.raises(bargain.ExpressionError, match=rf"\[parties.W\] {field}:"):
        split_with(W={field: f"open({str(canary)!r}, 'w')"})
    assert not canary.exists()


def test_python_built_strings_and_numbers_are_parsed_exactly():
    m = split_with(W={"bargaining_power": "3"}, A={"bargaining_power": 1, "disagreement": "1/10"})
    assert m.party("W").bargaining_power == 3 and m.party("A").disagreement == sympy.Rational(1, 10)
    # Generalised Nash, powers 3:1 over x, 1 - x with d_A = 1/10: x = 3/4 (1 - 1/10) = 0.675
    # (Muthoo 1999, §2.3: each gets d_i plus its power's share of the surplus).
    assert bargain.nash(m).agreement["x"] == pytest.approx(0.675, abs=1e-9)
    V = sympy.Symbol("V", real=True)
    bounded = Model(
        name="m",
        parameters=(bargain.Parameter("V", "1/3"),),
        variables=(Variable("x", "0", "2*V"),),
        parties=split_with().parties,
    )
    assert bounded.parameter("V").value == sympy.Rational(1, 3)
    assert bounded.variables[0].max == 2 * V


def test_utilitarian_weights_are_parsed_safely(tmp_path, split):
    canary = tmp_path / "canary"
    with pytest.raises(bargain.ExpressionError, match=r"\[utilitarian\] weights.W"):
        bargain.utilitarian(split, weights={"W": f"open({str(canary)!r}, 'w') or 1"})
    assert not canary.exists()
    assert bargain.utilitarian(split, weights={"W": "2"}).agreement["x"] == pytest.approx(1.0)


# Calls that run or parse code, and the places allowed to make them: sympy.lambdify
# writes and runs code from a sympy expression, so only bargain.model.model.lambdify
# calls it (after the model's strings went through the safe parser); the other modules
# call that wrapper by name. bargain.model.model.lambdify_each writes the same code for
# several expressions as one module, and compiles and runs it there (compile, exec).
BUILTINS = {"eval", "exec", "compile", "__import__", "sympify", "parse_expr", "S"}
SYMPY = {"sympify", "parse_expr", "lambdify", "S"}
ALLOWED = {
    ("bargain/model/model.py", "lambdify"),
    ("bargain/model/model.py", "compile"),
    ("bargain/model/model.py", "exec"),
}


def _dangerous(tree: ast.AST) -> list[str]:
    """Calls of eval-like builtins, sympy's string parsers and code generators, and imports
    of the latter from sympy."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            f = node.func
            if isinstance(f, ast.Name) and f.id in BUILTINS:
                found.append(f.id)
            elif isinstance(f, ast.Attribute) and f.attr in SYMPY:
                found.append(f.attr)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sympy"):
            found += [a.name for a in node.names if a.name in SYMPY]
    return found


def test_no_code_execution_on_user_input_in_the_package():
    found = set()
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE.parent).as_posix()
        for name in _dangerous(ast.parse(path.read_text(encoding="utf-8"))):
            found.add((rel, name))
    assert found == ALLOWED


# -- 2. only our own exceptions ------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        (CASES / "deep_nesting.toml").read_text(),
        "[model]\nname = 'm'\nx = " + "{a = " * 3000 + "1" + "}" * 3000 + "\n",
    ],
    ids=["arrays", "inline-tables"],
)
def test_deep_toml_nesting_is_one_line(capsys, tmp_path, text):
    path = tmp_path / "deep.toml"
    path.write_text(text)
    code, _, err = run(capsys, "solve", str(path))
    assert code == 1
    assert "nested too deeply" in one_line(err) and str(path) in err


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[" + ".".join(["a"] * 1200) + "]\nb = 1\n", "unknown table [a]"),
        ("[parameters.p]\nvalue = 1\n" + ".".join(["q"] * 1500) + " = 1\n", "[parameters.p] q"),
    ],
    ids=["table-header", "dotted-key"],
)
def test_dotted_keys_a_thousand_deep_are_one_line(capsys, tmp_path, text, message):
    # TOML reads 1,200 dotted parts as tables that deep; the check that every name is a
    # string walked them by recursion and ended in a RecursionError's traceback.
    path = tmp_path / "dotted.toml"
    path.write_text("[model]\nname = 'm'\n" + text)
    code, _, err = run(capsys, "solve", str(path))
    assert code == 1
    assert message in one_line(err) and str(path) in err


@pytest.mark.parametrize(
    ("line", "where"),
    [
        ('title = "\\u001b[2J\\u001b[31mred"', "[model] title"),
        ('description = "a\\u0000b"', "[model] description"),
    ],
)
def test_control_characters_in_text_are_refused(capsys, tmp_path, line, where):
    # A title of ESC [2J cleared the screen of whoever ran `bargain brief` or `show`, and
    # an OSC sequence set the terminal's title: text fields are printed raw.
    path = tmp_path / "ctrl.toml"
    path.write_text(
        f"[model]\nname = 'm'\n{line}\n[variables]\nx = {{ min = 0, max = 1 }}\n"
        "[parties.W]\npayoff = 'x'\n[parties.A]\npayoff = '1 - x'\n"
    )
    code, out, err = run(capsys, "brief", str(path))
    assert code == 1
    assert f"{where}: holds the control character" in one_line(err)
    assert "\x1b" not in out + err and "\x00" not in out + err
    with pytest.raises(bargain.ModelError, match=r"\[parties\.W\] title: holds the control"):
        bargain.Model("m", (), (), (bargain.Party("W", "1", title="\x1b]0;pwned\x07"),))
    # A line break and a tab stay allowed (a multi-line description).
    assert bargain.Model("m", (), (), (bargain.Party("W", "1", title="a\tb\nc"),))


@pytest.mark.parametrize("digits", [4301, 20_000])
def test_integer_literals_beyond_python_limit_are_refused(tmp_path, digits):
    path = tmp_path / "big.toml"
    path.write_text(f"[model]\nname = 'm'\n[parameters]\nV = {'9' * digits}\n")
    with pytest.raises(bargain.ModelError, match=r"an integer has more than \d+ digits"):
        bargain.load_model(path)


def test_huge_integer_base_is_compiled_as_a_float():
    m = bargain.model_from_dict(
        {
            "model": {"name": "m"},
            "variables": {"x": {"min": 0, "max": 1}},
            "parties": {
                "W": {"payoff": "1000000000000000000000000000000**x"},
                "A": {"payoff": "1 - x"},
            },
        }
    )
    # max 30 x ln 10 + ln(1 - x): the first-order condition gives x = 1 - 1/(30 ln 10).
    assert bargain.nash(m, exact=False).agreement["x"] == pytest.approx(
        1 - 1 / (30 * math.log(10)), rel=1e-6
    )
    f = bargain.model.model.lambdify(
        [sympy.Symbol("y")], sympy.Integer(3) ** 100 * sympy.Symbol("y")
    )
    assert f(np.array([1.0, 2.0])).tolist() == pytest.approx([3.0**100, 2 * 3.0**100])


@pytest.mark.parametrize("payoff", ["x/(V - 1)", "log(V - 1) + x", "x + (V - 1)**-1"])
@pytest.mark.parametrize("method", ["rubinstein", "nash", "egalitarian"])
def test_complex_infinity_at_the_values_is_a_model_error(payoff, method):
    m = bargain.model_from_dict(
        {
            "model": {"name": "m"},
            "parameters": {"V": 1},
            "variables": {"x": {"min": 0, "max": 1}},
            "parties": {
                "W": {"payoff": payoff, "discount_factor": 0.9},
                "A": {"payoff": "1 - x", "discount_factor": 0.8},
            },
        }
    )
    with pytest.raises(bargain.BargainError, match=r"\[parties.W\] payoff"):
        concept(method).solve(m)


@pytest.mark.parametrize("period", ["inf", "nan", "-1", "0", "x"])
def test_period_must_be_finite_and_positive(capsys, period):
    with pytest.raises(SystemExit) as info:
        main(["solve", "split", "--method", "rubinstein", "--period", period])
    assert info.value.code == 2
    assert "--period: must be a finite positive number" in capsys.readouterr().err


def test_period_in_the_api(split):
    with pytest.raises(bargain.ModelError, match=r"\[rubinstein\] period: must be a finite"):
        bargain.rubinstein(split, period=math.inf)
    half = bargain.rubinstein(split, period=np.float64(0.5)).agreement["x"]
    # Rubinstein 1982 with per-round factors δ^Δ: x = (1 - δ_A^Δ) / (1 - δ_W^Δ δ_A^Δ).
    assert half == pytest.approx((1 - 0.8**0.5) / (1 - 0.9**0.5 * 0.8**0.5), rel=1e-9)


def test_out_under_a_file_or_unwritable_is_one_line(capsys, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    code, _, err = run(capsys, "sweep", "split", "--vary", "V=1:2:3", "--out", f"{blocker}/x.csv")
    assert code == 1 and str(blocker) in one_line(err)


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_out_in_an_unwritable_folder_is_one_line(capsys, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    code, _, err = run(capsys, "sweep", "split", "--vary", "V=1:2:3", "--out", f"{locked}/x.csv")
    assert code == 1 and str(locked) in one_line(err)


@pytest.mark.parametrize("address", ["not-an-address", "tcp://host", "host:99999", "tcp://:8786"])
def test_scheduler_address_form_is_checked_before_connecting(capsys, tmp_path, address):
    start = time.perf_counter()
    code, _, err = run(
        capsys, "sweep", "split", "--vary", "V=1:2:3", "--out", str(tmp_path / "s.csv"),
        "--scheduler", address,
    )  # fmt: skip
    assert code == 1 and "[PROTOCOL://]HOST:PORT" in one_line(err)
    # Wall time, because a connection attempt waits without using CPU: dask's connect
    # timeout (30 s) is far above this, and the refusal far below it even on a loaded machine.
    assert time.perf_counter() - start < 15


def test_plot_output_checked_before_the_sweep(capsys, tmp_path):
    out = tmp_path / "s.csv"
    code, _, err = run(
        capsys, "sweep", "split", "--vary", "V=1:2:3", "--out", str(out),
        "--plot", str(tmp_path / "p.png"), "--output", "nope",
    )  # fmt: skip
    assert code == 1 and "unknown output 'nope'; the outputs are x, payoff_W" in one_line(err)
    assert not out.exists()


def test_docs_folder_that_is_a_file(capsys, tmp_path):
    path = tmp_path / "docs"
    path.write_text("")
    code, _, err = run(capsys, "docs", "--check", "--docs", str(path))
    assert code == 1 and "[--docs]: must be a folder" in one_line(err)


@pytest.mark.parametrize("value", [None, 42, b"m.toml"])
def test_load_model_of_a_non_path(value):
    with pytest.raises(bargain.ModelError, match="a model file is a path"):
        bargain.load_model(value)


@pytest.mark.parametrize(
    ("value", "exact"),
    [
        (np.float64(0.28), sympy.Rational(7, 25)),
        (np.float32(0.5), sympy.Rational(1, 2)),
        (np.int64(3), sympy.Integer(3)),
    ],
)
def test_numpy_scalars_are_numbers(split, value, exact):
    assert split.with_values(V=value).parameter("V").value == exact


def test_numpy_non_finite_is_refused(split):
    with pytest.raises(bargain.ModelError, match="must be a finite number, got nan"):
        split.with_values(V=np.float64("nan"))


def test_designs_beyond_the_limit_are_refused_up_front(split):
    start = time.thread_time()  # CPU time: a design built before its size is checked
    with pytest.raises(bargain.ModelError, match=r"\[sweep\] n: the lhs design has 1e\+10 points"):
        plan(split, "nash", {"V": (1, 2)}, design="lhs", n=10**10, seed=0)
    with pytest.raises(bargain.ModelError, match=r"\[sweep\] vary: the grid design has 1e\+12"):
        plan(split, "nash", {"V": (1, 2, 10**6), "d_W": (0, 0.4, 10**6)})
    plan(split, "nash", {"V": (1, 2)}, design="lhs", n=MAX_LHS_POINTS, seed=0)
    plan(split, "nash", {"V": (1, 2)}, design="sobol", n=MAX_POINTS, seed=0)
    assert time.thread_time() - start < 5


def test_brief_of_three_parties_lists_who_refuses_and_why(capsys):
    code, out, err = run(capsys, "brief", str(CASES / "three_parties.toml"))
    assert code == 0 and not err
    # Symmetric parties over x + y <= 1 (x, y, 1 - x - y): every symmetric concept gives 1/3 each.
    for label in ("Nash (equal powers)", "Kalai–Smorodinsky", "egalitarian"):
        assert re.search(rf"{re.escape(label)}\s+x = 0.3333, y = 0.3333", out), label
    assert "Rubinstein, C proposes first" in out
    # the two-party concepts say so from the registry (Concept.parties), without solving
    assert out.count("not solved: rubinstein solves two-party models only; the model has 3") == 3
    assert "the limit of the alternating-offers game (Binmore, Rubinstein & Wolinsky" in out


def test_brief_of_a_shipped_model_without_patience(capsys):
    code, out, _ = run(capsys, "brief", "concave")
    assert code == 0
    # max x sqrt(1 - x): x = 2/3 (the first-order condition 1/x = 1/(2 (1 - x))).
    assert re.search(r"Nash \(equal powers\)\s+x = 0.6667", out)
    assert re.search(
        r"Rubinstein, A proposes first\s+not solved: \[parties.A\] discount_factor", out
    )
    assert "concave.toml" not in out


# -- 3. clear messages ---------------------------------------------------------------------


def test_contradicting_constraints_name_the_file_and_the_constraints(capsys):
    path = CASES / "contradicting_constraints.toml"
    code, _, err = run(capsys, "solve", str(path))
    assert code == 1
    assert one_line(err).startswith(f"bargain: error: {path}: [constraints]")
    assert "low (x <= 1/5) and high (x >= 4/5) contradict each other" in err


def test_contradicting_equality_among_others_is_singled_out():
    m = bargain.model_from_dict(
        {
            "model": {"name": "m"},
            "variables": {"a": {"min": 0, "max": 1}, "b": {"min": 0, "max": 1}},
            "constraints": {"cap": "a + b <= 1", "sum": "a + b == 1.5", "order": "a >= b"},
            "parties": {"W": {"payoff": "a"}, "A": {"payoff": "b"}},
        },
        file="two.toml",
    )
    with pytest.raises(bargain.FeasibilityError) as info:
        bargain.nash(m)
    message = str(info.value)
    assert message.startswith("two.toml: [constraints]")
    assert "cap (a + b <= 1) and sum (a + b == 3/2) contradict" in message
    assert "order" not in message


@pytest.mark.parametrize(
    ("value", "shown"), [("1e400", "1.0e+400"), ("-1e-400", "-1.0e-400"), ("1.5", "1.5 (3/2)")]
)
def test_values_outside_their_interval_say_the_interval(capsys, value, shown):
    code, _, err = run(
        capsys, "solve", "split", "--method", "rubinstein", "--set", f"delta_W={value}"
    )
    assert code == 1
    assert f"discount_factor: must lie in (0, 1], got {shown}" in one_line(err)
    assert len(err) < 200


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--power", "W=1e-400", "--power", "A=1"], "power's share of the total, 1.0e-400, "),
        # Normalised, A's share of 1e400 and 1 is 1e-400: it was solved as a power of 0.
        (["--power", "W=1e400", "--power", "A=1"], "power's share of the total, 1.0e-400, "),
    ],
)
def test_tiny_values_print_short(capsys, argv, message):
    code, _, err = run(capsys, "solve", "split", *argv)
    assert code == 1 and message in one_line(err) and len(err) < 250


def test_equal_tiny_powers_are_normalised_before_they_are_rounded(capsys):
    # 1e-400 and 1e-400 are a half each (docs/cli.md: "any positive numbers, normalised");
    # each was refused as rounding to 0. The symmetric Nash split of V = 1 is x = 1/2.
    code, out, _ = run(capsys, "solve", "split", "--power", "W=1e-400", "--power", "A=1e-400")
    assert code == 0 and "bargaining powers: W = 0.5, A = 0.5" in out
    assert "x = 0.5 " in out


def test_long_exact_values_are_not_printed(capsys):
    argv = ["solve", "split", "--method", "rubinstein", "--set", "delta_A=1e-300"]
    code, out, _ = run(capsys, *argv)
    # x = (1 - δ_A) / (1 - δ_W δ_A): 1 to 12 digits; its exact form has 600 digits.
    assert code == 0 and "    x = 1    formula: V*(delta_A - 1)/(delta_A*delta_W - 1)" in out
    assert max(map(len, out.splitlines())) < 300
    code, out, _ = run(capsys, "solve", "split", "--method", "rubinstein")
    assert "x = 0.714285714286 (= 5/7)" in out


def test_a_huge_value_says_floating_point(capsys):
    code, _, err = run(capsys, "solve", "split", "--set", "d_W=1e400")
    assert (
        code == 1 and "must be at most 1.8e308 in magnitude (floating point), got 1.0e+400" in err
    )


def test_model_path_that_is_a_folder(capsys, tmp_path):
    code, _, err = run(capsys, "show", str(tmp_path))
    assert code == 1 and f"{tmp_path}: is a folder, not a model file" in one_line(err)
    with pytest.raises(bargain.ModelError, match="is a folder, not a model file"):
        bargain.load_model(tmp_path)


@pytest.mark.parametrize("option", ["--chunk-size", "--samples", "--jobs", "--sobol-samples"])
def test_counts_name_their_option(capsys, tmp_path, option):
    with pytest.raises(SystemExit) as info:
        main(["sweep", "split", "--vary", "V=1:2:3", "--out", str(tmp_path / "s.csv"), option, "0"])
    assert info.value.code == 2
    assert f"argument {option}: must be a positive whole number, got '0'" in capsys.readouterr().err


def test_chunk_size_in_the_api_names_chunk_size(split):
    with pytest.raises(bargain.ModelError, match=r"\[sweep\] chunk_size: the chunk size must be"):
        plan(split, "nash", {"V": (1, 2, 3)}, chunk_size=0)


def test_unicode_names_case_is_solved(capsys):
    code, out, _ = run(capsys, "solve", str(CASES / "unicode_names.toml"))
    assert code == 0 and "Écrivains = 0.5" in out  # the symmetric Nash split of x, 1 - x


def test_unicode_parameter_in_expressions():
    m = bargain.model_from_dict(
        {
            "model": {"name": "m"},
            "parameters": {"δ_W": 0.9, "δ_A": 0.8},
            "variables": {"x": {"min": 0, "max": 1}},
            "parties": {
                "Écrivains": {"payoff": "x", "discount_factor": "δ_W"},
                "Studios": {"payoff": "1 - x", "discount_factor": "δ_A"},
            },
        }
    )
    # Rubinstein 1982: x = (1 - δ_A) / (1 - δ_W δ_A) = 0.2 / 0.28.
    assert bargain.rubinstein(m).agreement["x"] == pytest.approx(5 / 7, rel=1e-12)


@pytest.mark.parametrize("route", ["closed", "numeric", "loop"])
def test_unicode_parameters_sweep_on_every_route(tmp_path, route):
    path = tmp_path / "uni.toml"
    path.write_text(
        '[model]\nname = "uni"\n[parameters]\n"δ_W" = 0.9\n"δ_A" = 0.8\n'
        "[variables]\nx = { min = 0, max = 1 }\n"
        '[parties."Écrivains"]\npayoff = "x"\ndiscount_factor = "δ_W"\n'
        '[parties.Studios]\npayoff = "1 - x"\ndiscount_factor = "δ_A"\n',
        encoding="utf-8",
    )
    df = bargain.sweep(bargain.load_model(path), "rubinstein", {"δ_W": (0.5, 0.9, 3)}, route=route)
    # Rubinstein 1982: x = (1 - δ_A) / (1 - δ_W δ_A) at δ_W = 0.5, 0.7, 0.9.
    assert df["x"].tolist() == pytest.approx([0.2 / 0.6, 0.2 / 0.44, 0.2 / 0.28], rel=1e-9)
    assert list(df.columns)[:3] == ["δ_W", "x", "payoff_Écrivains"]


@pytest.mark.parametrize("name", ["ﬁ", "x²", "_x", "2x"])
def test_names_that_are_not_identifiers_say_what_is_allowed(name):
    with pytest.raises(bargain.ModelError, match=r"Unicode letters allowed.*NFKC"):
        bargain.model_from_dict(
            {
                "model": {"name": "m"},
                "variables": {"x": {"min": 0, "max": 1}},
                "parties": {name: {"payoff": "x"}, "A": {"payoff": "1 - x"}},
            }
        )


@pytest.mark.parametrize(("horizon", "value"), [("5", 5), ("2*3", 6), (7, 7), ("inf", sympy.oo)])
def test_horizon_accepts_expression_strings(horizon, value):
    m = bargain.model_from_dict(
        {
            "model": {"name": "m"},
            "variables": {"x": {"min": 0, "max": 1}},
            "parties": {"W": {"payoff": "x"}, "A": {"payoff": "1 - x"}},
            "bargaining": {"horizon": horizon},
        }
    )
    assert m.bargaining.horizon == value


@pytest.mark.parametrize("horizon", ["0.5", "0", "-3", "x"])
def test_horizon_refuses_non_integers(horizon):
    with pytest.raises(bargain.ModelError, match=r"\[bargaining\] horizon"):
        bargain.model_from_dict(
            {
                "model": {"name": "m"},
                "variables": {"x": {"min": 0, "max": 1}},
                "parties": {"W": {"payoff": "x"}, "A": {"payoff": "1 - x"}},
                "bargaining": {"horizon": horizon},
            }
        )


# -- 5. a payoff below the disagreement point ----------------------------------------------


def test_rubinstein_payoff_below_disagreement_is_explained(split):
    s = bargain.rubinstein(split.with_values(d_W=0.398, d_A=0.3))
    # Rubinstein 1982 (disagreement only on breakdown, which never comes): x = 5/7.
    assert s.agreement["x"] == pytest.approx(5 / 7, rel=1e-12)
    assert s.below_disagreement == ("A",)
    text = s.to_text()
    assert "A = 0.285714285714   (disagreement 0.3; the payoff is below it: in this game" in text
    assert "W = 0.714285714286   (disagreement 0.398)\n" in text
    assert "A: the payoff is below it" in s.to_markdown()
    assert bargain.nash(split.with_values(d_W=0.398, d_A=0.3)).below_disagreement == ()


# -- 6. help -------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["solve", "credibility", "sweep"])
def test_every_option_has_help_and_shows_its_default(command):
    from bargain.cli import parser

    sub = parser()._subparsers._group_actions[0].choices[command]
    for action in sub._actions:
        assert action.help, (command, action.dest)
    text = sub.format_help()
    assert "(default: nash)" in text
    if command == "sweep":
        assert "(default: 65536;" in text and "N worker processes" in text


def test_version(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.strip() == f"bargain {importlib.metadata.version('bargain')}"


@pytest.mark.parametrize(
    "name", ["nash", "rubinstein", "brief", "credibility", "sweep", "tornado", "promise_game"]
)
@pytest.mark.parametrize("given", ["split", {"model": {"name": "split"}}], ids=["str", "dict"])
def test_anything_but_a_model_is_a_model_error_naming_what_to_call(name, given):
    # bargain.nash("split") ended in AttributeError: 'str' object has no attribute ...
    with pytest.raises(bargain.ModelError, match=r"expected a bargain\.Model, got (str|dict)"):
        getattr(bargain, name)(given)


def _nested(levels: int) -> sympy.Expr:
    """sqrt(abs(...) + 1), ``levels`` deep, built unevaluated (sympy's evaluation of each
    level asks the assumptions of all below it: 13 s for 150 levels)."""
    x = sympy.Symbol("x")
    for _ in range(levels):
        inner = sympy.Add(sympy.Abs(x, evaluate=False), 1, evaluate=False)
        x = sympy.Pow(inner, sympy.Rational(1, 2), evaluate=False)
    return x


def test_a_sympy_payoff_too_deep_is_a_typed_error_not_a_recursion_error():
    # Built in Python, a payoff 150 levels of sqrt(abs(...) + 1) deep (a tree 450 deep)
    # ended in RecursionError inside sympy's differentiation. A tree deeper than a written
    # expression can give is refused where the model is built; one the solver's recursive
    # steps still cannot walk (99 levels, 297 deep) is refused by the solver, by name.
    x = Variable("x", sympy.Integer(0), sympy.Integer(1))
    with pytest.raises(bargain.ExpressionError, match=r"\[parties\.W\] payoff: .*300 levels"):
        Model("deep", (), (x,), (Party("W", _nested(150)), Party("A", "1 - x")))
    m = Model("deep", (), (x,), (Party("W", _nested(99)), Party("A", "1 - x")))
    with pytest.raises(bargain.ModelError, match="nested too deeply for the solver"):
        bargain.nash(m, exact=False)
    # A shallow one of the same form is solved: the maximiser of the Nash product
    # u_W(x) (1 - x) (Nash 1950), found independently by scipy's bounded scalar search.
    from scipy.optimize import minimize_scalar

    shallow = Model("shallow", (), (x,), (Party("W", _nested(3)), Party("A", "1 - x")))

    def u_w(t: float) -> float:
        for _ in range(3):
            t = math.sqrt(abs(t) + 1)
        return t

    best = minimize_scalar(
        lambda t: -u_w(t) * (1 - t), bounds=(0, 1), method="bounded", options={"xatol": 1e-12}
    )
    assert bargain.nash(shallow, exact=False).agreement["x"] == pytest.approx(best.x, abs=1e-7)


@pytest.mark.parametrize("timeout", [-1, math.nan, "10", True])
def test_a_safety_net_that_is_not_a_number_of_seconds_is_refused(split, timeout):
    # timeout=-1 was taken silently as "no safety net" (documented for 0 only).
    with pytest.raises(bargain.ModelError, match=r"\[solver\] timeout: must be a number"):
        bargain.nash(split, timeout=timeout)


def test_an_infinite_horizon_written_as_in_a_model_file(split):
    # The message said "or infinity", and a model file and the command line take "inf";
    # the API refused horizon="inf". x* = (1 - δ_A)/(1 - δ_W δ_A) (Rubinstein 1982).
    data = bargain.model_to_dict(split)
    data["parties"]["W"]["discount_factor"] = 0.9
    data["parties"]["A"]["discount_factor"] = 0.8
    m = bargain.model_from_dict(data)
    for written in ("inf", "infinity", math.inf):
        s = bargain.rubinstein(m, horizon=written)
        assert s.agreement["x"] == pytest.approx(0.2 / 0.28 * float(m.values["V"]), rel=1e-12)
