"""Demo watch sources: the real ones legal would watch. Disabled, since the machine may have no internet;
enable them in the admin (Watch sources > enabled) or check one with `manage.py watch check --source ID`.

The alerts inbox is not empty: the Federal Register source records a local capture of the API's answer
(demo_data/federal-register-entity-list.json: the Entity List rules that name Zhipu AI and Huawei) the way a
check would, so its alerts on GLM-5 carry a real reason. Nothing is fetched."""

from __future__ import annotations

import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction

from models_catalog.models import Jurisdiction
from riskreg.watch.models import Snapshot, SourceKind, WatchSource
from riskreg.watch.services import watch_source_record

FEDERAL_REGISTER_SOURCE = "Federal Register: BIS Entity List rules"
FEDERAL_REGISTER_CAPTURE = Path(__file__).resolve().parent / "demo_data" / "federal-register-entity-list.json"

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
        "jurisdiction": "US",
    },
    {
        "name": "EU AI Office news",
        "kind": SourceKind.HTML,
        "url": "https://digital-strategy.ec.europa.eu/en/policies/ai-office",
        "selector": "main",
        "keywords": ["general-purpose AI", "code of practice", "GPAI"],
        "every_minutes": 720,
        "jurisdiction": "EU",
    },
]


@transaction.atomic
def load(*, stdout) -> None:
    owner = get_user_model().objects.filter(username="legal").first()
    created = []
    jurisdictions = {j.code: j for j in Jurisdiction.objects.filter(code__in=["US", "EU"])}
    for spec in DEMO_SOURCES:
        spec = dict(spec)
        # A regulator's source names its jurisdiction (data): its alerts can propose guidance drafts there.
        jurisdiction = jurisdictions.get(spec.pop("jurisdiction", ""))
        existing = WatchSource.objects.filter(name=spec["name"]).first()
        if existing is not None:
            if jurisdiction is not None and existing.jurisdiction_id is None:
                WatchSource.objects.filter(pk=existing.pk).update(jurisdiction=jurisdiction)
            continue
        WatchSource.objects.create(**spec, enabled=False, owner=owner, jurisdiction=jurisdiction)
        created.append(spec["name"])
    if created:
        stdout.write(f"watch sources created (disabled): {', '.join(created)}")
    else:
        stdout.write("watch sources: present")
    _federal_register_alerts(stdout)


def _federal_register_alerts(stdout) -> None:
    """A first (empty) answer as the baseline, then the capture: its two rules are new items, and each that
    names the catalog becomes an alert, as on a real check. Skipped once the source has any snapshot."""
    source = WatchSource.objects.filter(name=FEDERAL_REGISTER_SOURCE).first()
    if source is None or Snapshot.objects.filter(source=source).exists():
        return
    body = FEDERAL_REGISTER_CAPTURE.read_bytes()
    baseline = {**json.loads(body), "count": 0, "total_pages": 0, "results": []}
    watch_source_record(source_id=source.pk, body=json.dumps(baseline).encode(), content_type="application/json")
    result = watch_source_record(source_id=source.pk, body=body, content_type="application/json")
    stdout.write(
        f"watch demo: {len(result.alert_ids)} alert(s) from a local capture of the Federal Register "
        f"({FEDERAL_REGISTER_CAPTURE.name})"
    )
