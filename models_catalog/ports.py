"""What the catalog's pages and API show but other apps know, each provided by the app that knows it.

The catalog sits below screening and evidence (they build on its organisations and sources), so it does not
import them: it declares here what it needs, and each app plugs its selector in from its ``AppConfig.ready``
(see riskreg.core.extensions.Port).
"""

from __future__ import annotations

from riskreg.core.extensions import Port

organisations_list_exposure = Port(
    "organisations_list_exposure",
    """(*, organisation_ids) -> {organisation id: [hit rows]}: each organisation's confirmed and potential
    sanctions-list hits (riskreg.screening.selectors.list_hits_by_organisation provides it, with the row contract).""",
)

source_evidence_state = Port(
    "source_evidence_state",
    """(source) -> dict: the captured copy of one EvidenceSource (state, the capture the claims rest on and the
    latest one, or why it is not captured); riskreg.evidence.selectors.evidence_state_of provides it.""",
)

model_cited_sources = Port(
    "model_cited_sources",
    """(*, model_id) -> [row]: the sources a model's claims cite, each with its state and captured copy in words,
    changed and gone first; riskreg.evidence.selectors.model_cited_sources provides it.""",
)
