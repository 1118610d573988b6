"""Demo: the lists, an Entity List version with the entries DOMAIN.md cites (in the Consolidated Screening
List CSV format), every organisation screened, and legal's decisions on the hits. Idempotent."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model

from models_catalog.models import Organisation
from riskreg.screening.models import ListCode, SanctionsList, ScreeningHit
from riskreg.screening.services import (
    LIST_DEFAULTS,
    ListImportError,
    organisations_screen,
    sanctions_list_ensure,
    sanctions_list_import,
    screening_hit_review,
)

DEMO_FILE = Path(__file__).resolve().parent / "demo_data" / "entity-list-demo.csv"

#: Organisation (by legal name) -> the Entity List entry (by name) that is the same party, and the notice.
SAME_PARTY = {
    "Huawei Technologies Co., Ltd.": ("Huawei Technologies Co., Ltd.", "84 FR 22961 (effective 16 May 2019)"),
    "Beijing Zhipu Huazhang Technology Co., Ltd.": (
        "Beijing Zhipu Huazhang Technology Co., Ltd.",
        "90 FR 4617 (FR Doc 2025-00704, effective 16 Jan 2025)",
    ),
    "Beijing Zhipu Future Technology Co., Ltd.": ("Beijing Zhipu Future Technology", "90 FR 4617"),
    "Beijing Zhipu Linghang Technology Co., Ltd.": ("Beijing Zhipu Linghang Technology", "90 FR 4617"),
    "Beijing Zhipu Qingyan Technology Co., Ltd.": ("Beijing Zhipu Qingyan Technology", "90 FR 4617"),
    "Hangzhou Zhipu Huazhang Technology Co., Ltd.": ("Hangzhou Zhipu Huazhang Technology", "90 FR 4617"),
    "Beijing Lingxin Intelligent Technology Co., Ltd.": ("Beijing Lingxin Intelligent Technology", "90 FR 4617"),
    "Beijing Yuanyin Intelligent Technology Co., Ltd.": ("Beijing Yuanyin Intelligent Technology", "90 FR 4617"),
    "Sophgo Technologies Ltd.": ("Sophgo", "90 FR 4621 (effective 16 Jan 2025)"),
}


def load(*, stdout) -> None:
    for code in LIST_DEFAULTS:
        sanctions_list_ensure(list_code=code)
    in_force = (
        SanctionsList.objects.filter(code=ListCode.US_CSL)
        .values_list("current_version__source_name", flat=True)
        .first()
    )
    if in_force and not in_force.startswith("demo:"):
        # Someone imported a real Consolidated Screening List: the demo file must not replace it.
        stdout.write(f"screening: us-csl already has a version in force ({in_force}); demo file not imported")
    else:
        try:
            result = sanctions_list_import(
                list_code=ListCode.US_CSL,
                data=DEMO_FILE.read_bytes(),
                source_name=f"demo:{DEMO_FILE.name}",
                fmt="us-csl-csv",
            )
        except ListImportError as exc:
            stdout.write(f"screening: demo Entity List not imported: {exc}")
        else:
            if result.unchanged:
                stdout.write("screening: demo Entity List version present")
            else:
                stdout.write(f"screening: demo Entity List version imported ({result.version.entry_count} entries)")

    screened = organisations_screen()
    if screened.created or screened.updated or screened.reopened or screened.removed:
        stdout.write(f"screening: organisations screened ({screened.created} new potential hits)")

    legal = get_user_model().objects.filter(username="legal").first()
    if legal is None:
        stdout.write("screening: no demo user 'legal'; hits left for review")
        return
    decided = 0
    for org_name, (entry_name, notice) in SAME_PARTY.items():
        organisation = Organisation.objects.filter(name=org_name).first()
        if organisation is None:
            stdout.write(f"screening: organisation {org_name!r} not in the catalog; skipped")
            continue
        hits = ScreeningHit.objects.filter(organisation=organisation, entry__sanctions_list__code=ListCode.US_CSL)
        for hit in hits.select_related("entry"):
            if hit.entry.primary_name == entry_name:
                decision = ScreeningHit.Status.CONFIRMED
                reason = (
                    f"Same party: {org_name} is listed on the BIS Entity List as {entry_name!r} by {notice}. "
                    "Confirmed against the Federal Register notice."
                )
            else:
                decision = ScreeningHit.Status.DISMISSED
                reason = (
                    f"Different party: the entry {hit.entry.primary_name!r} is a separately listed affiliate "
                    f"with its own catalog record; {org_name} is listed in its own name by {notice}."
                )
            if hit.status != decision or hit.review_reason != reason:
                screening_hit_review(hit_id=hit.pk, user=legal, decision=decision, reason=reason)
                decided += 1
    if decided:
        stdout.write(f"screening: legal reviewed {decided} demo hit(s)")
    else:
        stdout.write("screening: demo hits reviewed already")
