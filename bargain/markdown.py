"""Markdown for people: the one table writer of the reports and the generated docs.

Examples
--------
>>> print(markdown_table(["a", "b"], [["1", "x|y"]]), end="")
| a | b |
|---|---|
| 1 | x\\|y |
"""

from __future__ import annotations

from collections.abc import Callable, Sequence


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A GitHub-flavoured Markdown table of strings (``|`` in a cell is escaped), each line
    ending in a newline."""

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |"

    out = [line(header), "|" + "---|" * len(header)]
    out += [line(row) for row in rows]
    return "\n".join(out) + "\n"


class TableReport:
    """The Markdown form and ``str`` of a report that has header lines (``_header()``),
    rows of strings (``table()``, under the column names ``_COLUMNS``), ``assumptions``
    and a ``to_text()``: shared by the coalition and pattern reports."""

    _COLUMNS: tuple[str, ...]
    assumptions: tuple[str, ...]
    _header: Callable[[], list[str]]
    table: Callable[[], list[tuple[str, ...]]]
    to_text: Callable[[], str]

    def to_markdown(self) -> str:
        """The report in Markdown: the header as a list, the rows as a table, then the
        assumptions."""
        out = [f"- {line}" for line in self._header()]
        out += ["", markdown_table(self._COLUMNS, self.table())]
        out += [f"- assumption: {a}" for a in self.assumptions]
        return "\n".join(out)

    def __str__(self) -> str:
        return self.to_text()


__all__ = ["TableReport", "markdown_table"]
