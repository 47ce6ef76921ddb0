"""Credibility: promises, trust, and what lost trust does to a negotiation.

Promise games (:mod:`~bargain.reputation.promise`, nashpy), Bayesian trust
(:mod:`~bargain.reputation.trust`), credibility-adjusted bargaining
(:mod:`~bargain.reputation.credibility`) and the reputational war of attrition
behind the expected strike (:mod:`~bargain.reputation.attrition`).

May import: the solution concepts (:mod:`bargain.strategic`, :mod:`bargain.axiomatic`,
through :mod:`bargain.concepts.registry`), :mod:`bargain.model`, the base modules.
"""
