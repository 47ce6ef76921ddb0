"""Faults a tester found on the surfaces of ``bargain``, each a kind of fault.

The files in ``tests/surfaces/tryout`` are the reported examples; every kind also has
an example of its own here. Bad input must give a typed exception from
``bargain.errors`` naming the file or key and what is allowed, never a traceback.
"""

from __future__ import annotations

import math
import re
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sympy

import bargain
from bargain.sweeps.stream import parts_dir
from tests.sweeps.test_stream import interrupt_after
from tests.test_surfaces import one_line, run

CASES = Path(__file__).parent / "surfaces" / "tryout"


# -- 1. a file that is not UTF-8 ---------------------------------------------------------


def test_a_file_not_in_utf8_is_named_as_such(capsys):
    code, _, err = run(capsys, "solve", str(CASES / "bad_utf8.toml"))
    assert code == 1
    assert "bad_utf8.toml: not UTF-8 text (byte 0xff at offset 0)" in one_line(err)
    assert "must be saved as UTF-8" in err


def test_a_latin1_file_names_the_offending_byte(tmp_path):
    path = tmp_path / "latin.toml"
    path.write_bytes('[model]\nname = "caf\xe9"\n'.encode("latin-1"))
    with pytest.raises(bargain.ModelError, match=r"latin\.toml: not UTF-8 text \(byte 0xe9 at"):
        bargain.load_model(path)


# -- 1. payoffs whose value has an exponent too long to hold -----------------------------


@pytest.mark.parametrize("name", ["deep_exp", "deep_exp_6"])
def test_nested_exponentials_are_beyond_floating_point(capsys, name):
    code, _, err = run(capsys, "solve", str(CASES / f"{name}.toml"))
    assert code == 1
    assert f"{name}.toml: [parties.W] payoff: payoff is beyond floating point" in one_line(err)
    assert "pole" not in err


def test_a_large_finite_payoff_is_beyond_floating_point_not_a_pole():
    model = bargain.load_model(CASES / "deep_exp_4.toml")
    with pytest.raises(bargain.SolverError, match=r"beyond floating point at x = .*e\+14154"):
        bargain.nash(model)


def test_an_exponential_tower_in_the_second_party_is_named(tmp_path):
    path = tmp_path / "tower.toml"
    path.write_text(
        '[model]\nname = "t"\n[variables]\nx = { min = 0, max = 1 }\n'
        '[parties.W]\npayoff = "x"\n'
        '[parties.A]\npayoff = "1 - x + exp(exp(exp(exp(exp(exp(exp(2 - x)))))))"\n'
    )
    with pytest.raises(bargain.SolverError, match=r"\[parties\.A\] payoff: payoff is beyond"):
        bargain.kalai_smorodinsky(bargain.load_model(path))


@pytest.mark.parametrize("depth", [4, 6])
def test_alternating_offers_say_a_payoff_is_beyond_floating_point(tmp_path, depth):
    # Was "must be finite and strictly monotone" (it is monotone) at depth 4, and minutes
    # of mpmath work at depth 6 (exp of a number of 1.6 million digits, at x = 0).
    text = (CASES / "deep_exp_4.toml").read_text()
    text = text.replace("exp(exp(exp(exp(x))))", "exp(" * depth + "x" + ")" * depth)
    text = text.replace('"1 - x"', '"1 - x"\ndiscount_factor = 0.8')
    path = tmp_path / f"tower_{depth}.toml"
    path.write_text(text.replace('"\n[parties.A]', '"\ndiscount_factor = 0.9\n[parties.A]'))
    with pytest.raises(
        bargain.errors.UndefinedPayoffError, match=r"\[parties\.W\] payoff: payoff is beyond"
    ):
        bargain.rubinstein(bargain.load_model(path))


@pytest.mark.parametrize(
    ("table", "key", "entry"),
    [
        ("variables.x", "max", 'x = { min = 0, max = "exp(exp(exp(exp(exp(exp(1))))))" }'),
        ("parties.W", "disagreement", 'disagreement = "-exp(exp(exp(exp(exp(exp(1))))))"'),
    ],
    ids=["bound", "disagreement"],
)
def test_a_constant_exponential_tower_is_beyond_floating_point_at_once(tmp_path, table, key, entry):
    # Was minutes of mpmath work on the value's 1.6-million-digit exponent, then no answer.
    lines = ["[model]", 'name = "t"', "[variables]", "x = { min = 0, max = 1 }"]
    lines += ["[parties.W]", 'payoff = "x"', "[parties.A]", 'payoff = "1 - x"']
    if key == "max":
        lines[3] = entry
    else:
        lines.insert(6, entry)
    path = tmp_path / "tower.toml"
    path.write_text("\n".join(lines) + "\n")
    message = rf"tower\.toml: \[{table}\] {key}: is beyond floating point: .*at most 1\.8e308"
    with pytest.raises(bargain.ModelError, match=message):
        bargain.nash(bargain.load_model(path))


# -- 3. a resumed sweep checks the parts it keeps ----------------------------------------

SETTINGS = {
    "vary": {"d_W": (0, 0.4), "d_A": (0, 0.4)},
    "design": "sobol",
    "n": 20,
    "seed": 3,
    "chunk_size": 4,
}


def interrupted(monkeypatch, out: Path, model: bargain.Model, chunks: int) -> list[Path]:
    """Run a sweep into ``out`` stopped (as if killed) after ``chunks`` chunks; its parts."""
    interrupt_after(monkeypatch, chunks)
    with pytest.raises(KeyboardInterrupt):
        bargain.sweep_to_file(out, model, "nash", **SETTINGS)
    monkeypatch.undo()
    return sorted(parts_dir(out).glob("chunk-*"))


def cut_in_half(part: Path) -> None:
    data = part.read_bytes()
    part.write_bytes(data[: len(data) // 2])


def edit_values(part: Path) -> None:
    frame = pd.read_csv(part, index_col="point")
    frame["x"] = 0.123
    frame.to_csv(part, index_label="point")


def flip_a_byte(part: Path) -> None:
    data = bytearray(part.read_bytes())
    data[len(data) // 2] ^= 0x01
    part.write_bytes(bytes(data))


@pytest.mark.parametrize(
    ("suffix", "damage"),
    [(".csv", cut_in_half), (".csv", edit_values), (".parquet", flip_a_byte)],
    ids=["csv-cut-in-half", "csv-values-edited", "parquet-byte-flipped"],
)
def test_resume_solves_a_damaged_part_again(tmp_path, split, monkeypatch, suffix, damage):
    out = tmp_path / f"sweep{suffix}"
    parts = interrupted(monkeypatch, out, split, 3)
    assert len(parts) == 3
    damage(parts[0])
    report = bargain.sweep_to_file(out, split, "nash", resume=True, **SETTINGS)
    assert (report.reused, report.damaged) == (2, 1)
    reference = tmp_path / f"reference{suffix}"
    bargain.sweep_to_file(reference, split, "nash", **SETTINGS)
    if suffix == ".csv":
        assert out.read_bytes() == reference.read_bytes()
    else:
        pd.testing.assert_frame_equal(pd.read_parquet(out), pd.read_parquet(reference))
    assert report.statuses == {**{s: 0 for s in report.statuses}, "ok": 20}
    assert not parts_dir(out).exists()


# -- 2. a sweep's status says what `bargain solve` says ----------------------------------


def statuses(frame: pd.DataFrame) -> list[str]:
    return list(frame["status"].astype(str))


def test_alternating_offers_without_discounting_is_a_set_not_no_convergence(split, capsys):
    undiscounted = split.with_values(delta_W=1, delta_A=1)
    code, out, _ = run(capsys, "solve", "split", "--method", "rubinstein", "--set", "delta_W=1",
                       "--set", "delta_A=1")  # fmt: skip
    assert code == 0 and "agreement: not unique" in out
    df = bargain.sweep(undiscounted, "rubinstein", {"d_W": (0, 0.4, 3)})
    assert statuses(df) == ["not_unique"] * 3
    assert df["x"].isna().all()


def test_a_utilitarian_tie_is_flagged_not_unique(split):
    solution = bargain.utilitarian(split, exact=False)
    assert solution.agreement_set or len(solution.agreement_points) > 1  # solve: a set
    df = bargain.sweep(split, "utilitarian", {"d_W": (0, 0.4, 3)})
    assert statuses(df) == ["not_unique"] * 3
    # Each row holds the tie-break `bargain solve` reports (docs/sweeps.md): the Nash
    # product's maximum on the set [d_W, 1 - d_A], its middle (Nash 1950); the rows were NaN.
    assert list(df["x"]) == pytest.approx([0.5, 0.6, 0.7], abs=1e-12)
    for d_w, x in zip(df["d_W"], df["x"], strict=True):
        assert bargain.utilitarian(split.with_values(d_W=d_w), exact=False).agreement["x"] == x


def test_a_pole_in_the_contract_set_is_unbounded_as_solve_says():
    model = bargain.load_model(CASES / "sweep_pole.toml")
    with pytest.raises(bargain.errors.UnboundedError, match="grows without bound"):
        bargain.nash(model.with_values(c=0.5))
    df = bargain.sweep(model, "nash", {"c": (-1, 0.5, 4)})
    assert statuses(df) == ["ok", "ok", "unbounded", "unbounded"]
    assert list(df["x"].iloc[:2]) == [0.0, 0.0]  # 1/(x - c) is largest at x = 0
    assert df[["x", "payoff_W", "payoff_A"]].iloc[2:].isna().all().all()


def test_a_squared_pole_in_the_second_party_is_unbounded(tmp_path):
    path = tmp_path / "pole_A.toml"
    path.write_text(
        '[model]\nname = "p"\n[parameters]\nc = { value = 2, range = [0.5, 2] }\n'
        "[variables]\nx = { min = 0, max = 1 }\n"
        '[parties.W]\npayoff = "x"\n[parties.A]\npayoff = "1/(c - x)**2"\n'
    )
    df = bargain.sweep(bargain.load_model(path), "kalai-smorodinsky", {"c": (0.5, 2, 2)})
    assert statuses(df) == ["unbounded", "ok"]


def test_a_payoff_outside_its_domain_is_undefined_as_solve_says(capsys):
    path = CASES / "sweep_sqrt_domain.toml"
    code, _, err = run(capsys, "solve", str(path), "--set", "V=-0.5")
    assert code == 1 and "is not a finite real number" in one_line(err)
    df = bargain.sweep(bargain.load_model(path), "nash", {"V": (-1, 1, 5)})
    assert statuses(df) == ["undefined"] * 4 + ["ok"]
    assert df["x"].iloc[4] == pytest.approx(2 / 3, rel=1e-12)  # max x sqrt(1 - x): x = 2/3


def test_a_logarithm_of_a_negative_number_is_undefined(tmp_path):
    path = tmp_path / "log_domain.toml"
    path.write_text(
        '[model]\nname = "l"\n[parameters]\nV = { value = 2, range = [-1, 2] }\n'
        "[variables]\nx = { min = 0, max = 1 }\n"
        '[parties.W]\npayoff = "x"\n[parties.A]\npayoff = "log(V - x)"\n'
        "disagreement = -10\n"
    )
    df = bargain.sweep(bargain.load_model(path), "nash", {"V": (-1, 2, 2)})
    assert statuses(df) == ["undefined", "ok"]


def test_a_negative_zero_is_written_as_zero(tmp_path):
    from bargain.sweeps.sweep import _frame

    frame = _frame({"x": np.array([-0.0, -1.5]), "status": np.array([0, 0], np.int8)}, 0, 2)
    assert list(np.signbit(frame["x"])) == [False, True]
    assert "-0.0" not in frame.to_csv()


# -- 4. the Python API checks a sympy expression's symbols when the model is built ------


def two_party(w: object, a: object, **bounds: object) -> bargain.Model:
    x_min, x_max = bounds.get("min", 0), bounds.get("max", 1)
    return bargain.Model(
        name="m",
        parameters=(bargain.Parameter("V", 1),),
        variables=(bargain.Variable("x", x_min, x_max),),
        parties=(bargain.Party("W", payoff=w), bargain.Party("A", payoff=a)),
    )


def test_a_symbol_without_real_true_is_the_models_symbol_of_that_name():
    x = sympy.Symbol("x")  # not real=True: another symbol to sympy, the same name to a user
    model = two_party(x, 1 - x)
    assert model.parties[0].payoff == model.variables[0].symbol
    assert bargain.nash(model).agreement["x"] == pytest.approx(0.5, rel=1e-12)


def test_a_parameter_given_as_a_plain_symbol_is_matched_by_name():
    x, v = sympy.Symbol("x", positive=True), sympy.Symbol("V")
    model = two_party(x, v - x, max=v)
    assert model.variables[0].max == model.parameters[0].symbol
    assert bargain.nash(model.with_values(V=3)).agreement["x"] == pytest.approx(1.5, rel=1e-12)


@pytest.mark.parametrize(
    ("w", "a", "message"),
    [
        (sympy.Symbol("z", real=True), "1 - x", r"\[parties\.W\] payoff: unknown name 'z'"),
        (
            "x",
            sympy.Symbol("y") + sympy.Symbol("q"),
            r"\[parties\.A\] payoff: unknown names 'q', 'y'",
        ),
    ],
    ids=["undeclared-z", "two-undeclared"],
)
def test_an_undeclared_symbol_is_refused_when_the_model_is_built(w, a, message):
    with pytest.raises(bargain.ModelError, match=message + r".*allowed names: V, x"):
        two_party(w, a)


@pytest.mark.parametrize("party", ["W", "A"])
def test_a_missing_payoff_is_named(party):
    payoffs = {"W": "x", "A": "1 - x", party: None}
    with pytest.raises(bargain.ModelError, match=rf"\[parties\.{party}\] payoff: must be an"):
        two_party(payoffs["W"], payoffs["A"])


# -- 5. the brief's text has the same form at any scale of the payoffs ------------------


def brief_at(scale: float) -> str:
    """The brief of the reported model with every payoff amount multiplied by ``scale``."""
    text = (CASES / "nash_disagree_1e9.toml").read_text()
    for name, value in (("V", 1.0), ("d_W", 0.3), ("d_A", 0.1)):
        text = re.sub(rf"(?m)^{name} = .*$", f"{name} = {value * scale!r}", text)
    return bargain.brief(bargain.model_from_dict(tomllib.loads(text))).to_text()


def brw_lines(text: str) -> tuple[str, str]:
    row = next(line for line in text.splitlines() if line.startswith("  generalised Nash (BRW"))
    note = next(line for line in text.splitlines() if line.startswith("generalised Nash (BRW"))
    return row, note


@pytest.mark.parametrize("name", ["nash_disagree_1e9", "nash_disagree_1e-9"])
def test_the_brw_powers_and_impasse_point_are_shown_at_any_scale(name):
    text = bargain.brief(bargain.load_model(CASES / f"{name}.toml")).to_text()
    row, note = brw_lines(text)
    # BRW (Binmore, Rubinstein & Wolinsky 1986, RAND J. Econ. 17(2)): powers proportional to
    # 1/r_i, r = -ln(delta): 1/ln(1/0.9) : 1/ln(1/0.8) = 0.6793 : 0.3207.
    r_w, r_a = -math.log(0.9), -math.log(0.8)
    assert (
        f"powers W {1 / r_w / (1 / r_w + 1 / r_a):.4f}, A {1 / r_a / (1 / r_w + 1 / r_a):.4f}"
        in note
    )
    assert "powers W 0.6793, A 0.3207" in note
    assert row.endswith("over the impasse point W 0, A 0")


def test_the_brw_text_has_one_form_from_1e_minus_12_to_1e12():
    forms = set()
    for scale in (1e-12, 1.0, 1e12):
        row, note = brw_lines(brief_at(scale))
        forms.add((re.sub(r"[0-9.]+e[-+][0-9]+|\b[0-9.]+\b", "N", row), note))
    assert len(forms) == 1, forms


# -- 6. a refusal says what the user can do, in the file format there is ----------------


def test_a_long_sum_is_refused_with_remedies_the_format_has(capsys):
    code, _, err = run(capsys, "solve", str(CASES / "long_sum.toml"))
    assert code == 1 and "more than 2000 tokens" in one_line(err)
    assert "named parts" not in err and "no named sub-expressions" in err
    assert "collect repeated terms" in err and "bargain.Model" in err


def test_a_long_product_is_refused_and_the_python_route_it_names_works():
    terms = " * ".join(["x"] * 1200)
    with pytest.raises(bargain.errors.ExpressionError, match=r"\[parties\.W\] payoff: .*x\*\*3"):
        two_party(terms, "1 - x")
    x = sympy.Symbol("x")
    model = two_party(sympy.Mul(*[x] * 3, evaluate=False), 1 - x)  # the remedy: x**3
    # Nash: max x^3 (1 - x) at x = 3/4 (first-order condition 3x^2 - 4x^3 = 0).
    assert bargain.nash(model).agreement["x"] == pytest.approx(0.75, rel=1e-9)


def test_bargain_sweep_says_how_many_damaged_parts_it_solved_again(
    tmp_path, split, monkeypatch, capsys
):
    out = tmp_path / "sweep.csv"
    parts = interrupted(monkeypatch, out, split, 3)
    cut_in_half(parts[1])
    argv = ["sweep", "split", "--method", "nash", "--vary", "d_W=0:0.4", "--vary", "d_A=0:0.4"]
    argv += ["--design", "sobol", "--samples", "20", "--seed", "3", "--chunk-size", "4"]
    code, out_text, err = run(capsys, *argv, "--out", str(out), "--resume")
    assert (code, err) == (0, "")
    assert "2 kept from the interrupted run, 1 damaged (not as written) solved again" in out_text
