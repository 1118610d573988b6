"""The dossier: one read model of a model (and of one adoption request for it), built once.

What a legal reader is shown about a model, in one document: its facts, provenance claims with numbered sources,
supply chain with list exposure, guidance status per jurisdiction, obligations on a timeline, risk items, the
adoption requests with their sign-offs, and the sources. The dossier page, the register as of a day, the API's
model detail and the memo snapshot all read it from ``dossier_build`` (riskreg/dossier/builder.py), live or as the
register stood at a past moment, through one reader (riskreg/dossier/readers.py). Each row shape is written once
(riskreg/dossier/rows.py, riskreg/dossier/risk.py); sources are numbered by one index (riskreg/dossier/sources.py).

It sits between the apps it reads (catalog, screening, watch, register, evidence) and those that show it (reports,
workspace): import-linter holds the layer. It writes nothing and shows nothing: presenters (the heat map, the
supply-chain layout) turn its rows into pictures for a page or a memo.
"""

from riskreg.dossier.builder import Dossier, dossier_build

__all__ = ["Dossier", "dossier_build"]
