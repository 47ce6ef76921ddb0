"""Markdown for people: the one table writer of the reports and the generated docs.

Examples
--------
>>> print(markdown_table(["a", "b"], [["1", "x|y"]]), end="")
| a | b |
|---|---|
| 1 | x\\|y |
"""

from __future__ import annotations

from collections.abc import Sequence


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A GitHub-flavoured Markdown table of strings (``|`` in a cell is escaped), each line
    ending in a newline."""

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |"

    out = [line(header), "|" + "---|" * len(header)]
    out += [line(row) for row in rows]
    return "\n".join(out) + "\n"


__all__ = ["markdown_table"]
