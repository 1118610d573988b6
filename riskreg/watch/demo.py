"""Demo watch sources: the real ones legal would watch. Disabled, since the machine may have no internet;
enable them in the admin (Watch sources > enabled) or check one with `manage.py watch check --source ID`."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from riskreg.watch.models import SourceKind, WatchSource

DEMO_SOURCES = [
    {
        "name": "OFAC SDN list (sdn.csv)",
        "kind": SourceKind.OFAC_SDN_CSV,
        "url": "https://www.treasury.gov/ofac/downloads/sdn.csv",
        "selector": "",
        "keywords": [],
        "every_minutes": 1440,
    },
    {
        "name": "US Consolidated Screening List (JSON)",
        "kind": SourceKind.US_CSL_JSON,
        "url": "https://data.trade.gov/downloadable_consolidated_screening_list/v1/consolidated.json",
        "selector": "",
        "keywords": [],
        "every_minutes": 1440,
    },
    {
        "name": "Federal Register: BIS Entity List rules",
        "kind": SourceKind.FEDERAL_REGISTER,
        "url": "https://www.federalregister.gov/api/v1/documents.json",
        "selector": "agency=industry-and-security-bureau; term=entity list; type=RULE",
        "keywords": ["Entity List", "advanced computing", "Ascend"],
        "every_minutes": 360,
    },
    {
        "name": "EU AI Office news",
        "kind": SourceKind.HTML,
        "url": "https://digital-strategy.ec.europa.eu/en/policies/ai-office",
        "selector": "main",
        "keywords": ["general-purpose AI", "code of practice", "GPAI"],
        "every_minutes": 720,
    },
]


@transaction.atomic
def load(*, stdout) -> None:
    owner = get_user_model().objects.filter(username="legal").first()
    created = []
    for spec in DEMO_SOURCES:
        if WatchSource.objects.filter(name=spec["name"]).exists():
            continue
        WatchSource.objects.create(**spec, enabled=False, owner=owner)
        created.append(spec["name"])
    if created:
        stdout.write(f"watch sources created (disabled): {', '.join(created)}")
    else:
        stdout.write("watch sources: present")
