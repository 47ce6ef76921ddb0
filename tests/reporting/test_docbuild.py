"""Generated docs: the committed tables and figures are what the code produces now.

``test_committed_docs_are_up_to_date`` is the staleness test: it fails when a
change to the code or the models changes a generated file and ``bargain docs``
was not run (or when a generated file was edited by hand).
"""

from __future__ import annotations

import sys
import types
from pathlib import Path

import matplotlib
import pytest

from bargain.cli import main
from bargain.reporting import docbuild
from tests.conftest import DOCS_GROUP

pytestmark = DOCS_GROUP

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"


@pytest.fixture(scope="session")
def built() -> dict[str, bytes]:
    # Session scope: the docs group also holds doctests of other modules (docs/cli.md), and
    # a module-scoped build would be torn down and built again when the worker moves
    # between them.
    return docbuild.build()


@pytest.fixture
def copy(tmp_path: Path, built: dict[str, bytes]) -> Path:
    """A docs folder holding exactly the generated files, freshly built."""
    for path, data in built.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_bytes(data)
    return tmp_path


def test_committed_docs_are_up_to_date(built):
    stale = docbuild.check(DOCS, built=built)
    assert not stale, "run `bargain docs` and commit the result:\n" + "\n".join(stale)


def test_every_artefact_is_listed_in_its_index(built):
    for path in built:
        folder, name = path.split("/")
        if name != "index.md":
            assert f"]({name})" in built[f"{folder}/index.md"].decode()


def test_two_builds_are_byte_identical_whatever_the_users_matplotlib_settings(built):
    # The second build runs under a user's matplotlib settings: figures must ignore them.
    with matplotlib.rc_context({"font.size": 22, "lines.linewidth": 7, "svg.fonttype": "path"}):
        again = docbuild.build()
    assert again == built


def test_every_generated_markdown_file_starts_with_the_notice(built):
    markdown = [path for path in built if path.endswith(".md")]
    assert "tables/wga2007-flat-rate.md" in markdown
    for path in markdown:
        text = built[path].decode()
        assert text.startswith(docbuild.NOTICE + "\n\n") and text.count(docbuild.NOTICE) == 1, path


def test_svg_is_text_without_date_or_version(built):
    for path, data in built.items():
        if path.endswith(".svg"):
            text = data.decode()
            assert "<text" in text  # svg.fonttype = none: text stays text
            assert "<dc:date>" not in text and matplotlib.__version__ not in text


def test_tampered_copy_is_reported(copy, built):
    assert docbuild.check(copy, built=built) == []
    (copy / "tables" / "validation.md").write_text("edited by hand\n", encoding="utf-8")
    (copy / "figures" / "index.md").unlink()
    (copy / "tables" / "orphan.md").write_text("no artefact makes this\n", encoding="utf-8")
    stale = docbuild.check(copy, built=built)
    assert len(stale) == 3
    assert any("validation.md: differs" in s for s in stale)
    assert any("figures/index.md: missing" in s for s in stale)
    assert any("orphan.md: not produced by any artefact" in s for s in stale)
    done = docbuild.write(copy, built=built)
    assert len(done) == 3 and any(d.startswith("removed") for d in done)
    assert docbuild.check(copy, built=built) == []


def test_cli_writes_the_files_and_check_fails_on_a_stale_copy(tmp_path, capsys, monkeypatch, built):
    # The command's plumbing (what it writes, prints and returns) on the session's build:
    # the build itself is checked above, and run end to end through `bargain docs` by the
    # doctest of docs/cli.md.
    monkeypatch.setattr(docbuild, "build", lambda providers=docbuild.PROVIDERS: built)
    assert main(["docs", "--docs", str(tmp_path)]) == 0
    out, _ = capsys.readouterr()
    assert "wrote" in out and "tables/validation.md" in out
    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.*"))
    assert written == sorted(docbuild.artefacts())
    (tmp_path / "tables" / "validation.md").write_bytes(b"stale\n")
    (tmp_path / "figures" / "rubinstein-limit.svg").unlink()
    assert main(["docs", "--check", "--docs", str(tmp_path)]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 2 and all(line.startswith("bargain: stale: ") for line in lines)
    assert "validation.md: differs" in err and "rubinstein-limit.svg: missing" in err


# -- the provider interface ----------------------------------------------------------------


@pytest.fixture
def provider(monkeypatch):
    """A provider module named ``fake_provider``, whose ARTEFACTS the test sets."""
    module = types.ModuleType("fake_provider")
    monkeypatch.setitem(sys.modules, "fake_provider", module)
    return module


def test_a_provider_plugs_in_by_name(provider, tmp_path, built):
    provider.ARTEFACTS = {
        "tables/extra.md": ("an extra table", lambda: "| a |\n|---|\n| 1 |\n"),
        "figures/extra.svg": ("an extra figure", lambda: b"<svg/>"),
    }
    files = docbuild.build(["fake_provider"])
    # Markdown gets the "generated, do not edit" notice; a figure is written as built.
    assert files["tables/extra.md"] == f"{docbuild.NOTICE}\n\n| a |\n|---|\n| 1 |\n".encode()
    assert files["figures/extra.svg"] == b"<svg/>"
    assert "[`extra.svg`](extra.svg) — an extra figure" in files["figures/index.md"].decode()
    docbuild.write(tmp_path, ["fake_provider"])
    assert docbuild.check(tmp_path, ["fake_provider"]) == []
    # The default providers do not make extra.md.
    assert docbuild.check(tmp_path, built=built) != []


@pytest.mark.parametrize(
    "path",
    ["extra.md", "tables/extra.svg", "figures/extra.png", "tables/sub/extra.md", "../x.md"],
)
def test_artefact_paths_are_restricted(provider, path):
    provider.ARTEFACTS = {path: ("bad", lambda: "")}
    with pytest.raises(docbuild.DocsError, match="is not allowed"):
        docbuild.build(["fake_provider"])


def test_indexes_and_duplicates_are_refused(provider):
    provider.ARTEFACTS = {"tables/index.md": ("mine", lambda: "")}
    with pytest.raises(
        docbuild.DocsError, match=r"generated by bargain\.reporting\.docbuild itself"
    ):
        docbuild.build(["fake_provider"])
    provider.ARTEFACTS = {"tables/validation.md": ("again", lambda: "")}
    with pytest.raises(docbuild.DocsError, match=r"already provided by bargain\.cases\.validation"):
        docbuild.build(["bargain.cases.validation", "fake_provider"])


def test_builders_return_text_or_bytes(provider):
    provider.ARTEFACTS = {"tables/extra.md": ("a number", lambda: 3)}
    with pytest.raises(docbuild.DocsError, match="must return str or bytes"):
        docbuild.build(["fake_provider"])


def test_generated_files_are_only_in_the_generated_folders():
    for path in docbuild.artefacts():
        assert path.split("/")[0] in docbuild.GENERATED
    hand_written = [p for p in DOCS.rglob("*.md") if p.parent.name not in docbuild.GENERATED]
    assert hand_written  # the other pages are not touched by `bargain docs`
