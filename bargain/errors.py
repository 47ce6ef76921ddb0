"""One exception hierarchy for everything ``bargain`` refuses.

Every error says *where* (file, table, key) and *what is allowed*, so a user
can fix a model file from the message alone. The command-line interface turns
a :class:`BargainError` into one line on stderr and a non-zero exit status.

Examples
--------
>>> err = ModelError("must be a number", file="m.toml", table="parameters", key="V")
>>> str(err)
'm.toml: [parameters] V: must be a number'
>>> isinstance(err, BargainError)
True
"""

from __future__ import annotations


class BargainError(Exception):
    """Base class of every error ``bargain`` raises on purpose.

    Parameters
    ----------
    message
        What is wrong and what is allowed instead.
    file, table, key
        Where the offending input lives; any may be omitted. They prefix the
        message as ``file: [table] key: message``.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        table: str | None = None,
        key: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.table = table
        self.key = key
        super().__init__(self._render())

    def _render(self) -> str:
        where = []
        if self.file:
            where.append(f"{self.file}:")
        if self.table:
            where.append(f"[{self.table}]")
        if self.key:
            where.append(f"{self.key}:")
        elif self.table:
            where[-1] += ":"
        return " ".join([*where, self.message])

    def located(
        self, *, file: str | None = None, table: str | None = None, key: str | None = None
    ) -> BargainError:
        """Return a copy of this error with missing location fields filled in."""
        return type(self)(
            self.message,
            file=self.file or file,
            table=self.table or table,
            key=self.key or key,
        )


class ModelError(BargainError):
    """A model (file or Python-built) is malformed: wrong type, unknown name, bad value."""


class ExpressionError(ModelError):
    """An expression string was refused by the safe parser."""


class UnboundedError(ModelError):
    """A payoff grows without bound inside the contract set (a pole): the
    utility-possibility set is unbounded, and no axiomatic solution exists."""


class FeasibilityError(BargainError):
    """The bargaining problem is degenerate: no agreement, or none that improves on disagreement."""


class SolverError(BargainError):
    """A solver failed to reach an answer it can vouch for."""


class UndefinedPayoffError(SolverError):
    """A payoff is not a finite real number at a contract inside the set: outside its
    domain (``sqrt`` of a negative number), on a pole, or beyond floating point."""


class ClusterError(BargainError):
    """A Dask cluster cannot be reached or started, or lost the work given to it."""


__all__ = [
    "BargainError",
    "ClusterError",
    "ExpressionError",
    "FeasibilityError",
    "ModelError",
    "SolverError",
    "UnboundedError",
    "UndefinedPayoffError",
]
