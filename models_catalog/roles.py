"""Who may change the catalog: legal keeps it. Everyone in a role can read it (see riskreg.core.roles)."""

_CATALOG = [
    "organisation",
    "aimodel",
    "accelerator",
    "provenanceclaim",
    "evidencesource",
    "jurisdiction",
    "regulatoryguidance",
    "guidancereach",
    "obligation",
    "modelguidancestatus",
    "sanctionsnote",
]

#: Every role, the requester too, reads the catalog.
EVERY_ROLE_VIEWS = True

ROLE_PERMISSIONS = {
    "legal": [f"{action}_{model}" for model in _CATALOG for action in ("add", "change", "delete")],
}
