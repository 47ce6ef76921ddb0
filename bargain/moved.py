"""The module paths of before the layout by family, kept working as aliases.

Until version 0.2 the package was one flat folder (``bargain.promise``,
``bargain.trust``, ``bargain.kernel`` …). Scripts that import those paths keep
working: ``import bargain.promise`` or ``from bargain.promise import PromiseGame``
loads the module's new home (here ``bargain.reputation.promise``) under the old
name too, with a :class:`DeprecationWarning` that names the new path, and
``bargain.promise`` as an attribute gives the same module. Old paths that are also
the names of public functions (``bargain.nash``, ``bargain.rubinstein``,
``bargain.credibility``, ``bargain.brief``, ``bargain.sweep``, ``bargain.simulate``,
``bargain.egalitarian``, ``bargain.utilitarian``, ``bargain.kalai_smorodinsky``)
are not aliased: importing a module under such a name would replace the function.

Examples
--------
>>> import warnings
>>> with warnings.catch_warnings():
...     warnings.simplefilter("ignore", DeprecationWarning)
...     from bargain.promise import PromiseGame
>>> PromiseGame.__module__
'bargain.reputation.promise'
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
import warnings
from collections.abc import Sequence
from types import ModuleType

MOVED: dict[str, str] = {
    "bargain.expr": "bargain.model.expr",
    "bargain.modelfile": "bargain.model.modelfile",
    "bargain.validate": "bargain.model.validate",
    "bargain.registry": "bargain.model.catalogue",
    "bargain.solution": "bargain.concepts.solution",
    "bargain.problem": "bargain.axiomatic.problem",
    "bargain.program": "bargain.axiomatic.program",
    "bargain.transfer": "bargain.strategic.transfer",
    "bargain.holdout": "bargain.strategic.holdout",
    "bargain.promise": "bargain.reputation.promise",
    "bargain.trust": "bargain.reputation.trust",
    "bargain.attrition": "bargain.reputation.attrition",
    "bargain.contract": "bargain.contracts.flat_rate",
    "bargain.kernel": "bargain.sweeps.compile",
    "bargain.stream": "bargain.sweeps.stream",
    "bargain.cluster": "bargain.sweeps.cluster",
    "bargain.plot": "bargain.reporting.plot",
    "bargain.docbuild": "bargain.reporting.docbuild",
    "bargain.flagship": "bargain.cases.wga2007",
    "bargain.contract_docs": "bargain.cases.flat_rate",
    "bargain.validation": "bargain.cases.validation",
}
"""Old module path → new module path (``bargain.model`` is now the model's package;
its ``Model``, ``Party``, ``exact_number`` … are in ``bargain.model.model``)."""


class _Alias(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds an old module path and loads the module at its new path under it."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in MOVED:
            return None
        return importlib.util.spec_from_loader(fullname, self)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        new = MOVED[spec.name]
        warnings.warn(
            f"{spec.name} moved to {new}; import it from there", DeprecationWarning, stacklevel=2
        )
        return importlib.import_module(new)

    def exec_module(self, module: ModuleType) -> None:
        """The module is already executed at its new path."""


def install() -> None:
    """Put the alias finder on :data:`sys.meta_path` (once)."""
    if not any(isinstance(f, _Alias) for f in sys.meta_path):
        sys.meta_path.append(_Alias())


__all__ = ["MOVED", "install"]
