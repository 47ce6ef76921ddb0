"""Cases worked through in the docs: providers for ``bargain docs``.

The 2007–08 WGA strike (:mod:`~bargain.cases.wga2007`), the flat rate or the
percentage (:mod:`~bargain.cases.flat_rate`) and the textbook validation table
(:mod:`~bargain.cases.validation`). The library core never imports this
package; :mod:`bargain.reporting.docbuild` finds the providers by name.

May import: everything below the command line.
"""
