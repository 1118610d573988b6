"""Obligations figures: the timelines of a 1,000-model portfolio in one call, and which approvals to review,
against asking for each model's timeline one by one, in the same process and run.

1. baseline: ``obligations_timeline(model=m)`` for each of the 1,000 models, one after another;
2. ``obligations_timelines(model_ids=...)`` for all 1,000 at once; the ratio printed is 2 / 1;
3. ``approvals_to_review`` over 1,000 approved requests (one per model), as the home page and the admin queue
   ask it; and the SQL queries of 2 for 10 and for 1,000 models.

    .venv/bin/python bench/obligations.py

Works on a throwaway SQLite database (or DATABASE_URL's server). Half the models are said to be trained on Huawei
Ascend (the BIS guidance reaches them), half were released before 2 Aug 2025 (the AI Act's GPAI duties apply to
them from 2 Aug 2027).
"""

from __future__ import annotations

import datetime
import time

from _harness import throwaway_database
from django.db import connection
from django.test.utils import CaptureQueriesContext

MODELS = 1000
D = datetime.date


def build_portfolio(size: int) -> None:
    from django.contrib.auth.models import User
    from django.utils import timezone

    from models_catalog.models import (
        Accelerator,
        AIModel,
        EvidenceSource,
        GuidanceReach,
        Jurisdiction,
        Obligation,
        Organisation,
        ProvenanceClaim,
        RegulatoryGuidance,
    )
    from riskreg.register.models import AdoptionRequest, RiskMatrix

    huawei = Organisation.objects.create(name="Huawei Technologies Co., Ltd.", short_name="Huawei", country="CN")
    nvidia = Organisation.objects.create(name="NVIDIA Corporation", country="US")
    developer = Organisation.objects.create(name="Bench Developer", country="CN")
    ascend = Accelerator.objects.create(product="Ascend 910B", vendor=huawei, kind="npu")
    h100 = Accelerator.objects.create(product="H100", vendor=nvidia)
    source = EvidenceSource.objects.create(title="Bench report", publisher="Bench", kind="press")
    models = AIModel.objects.bulk_create(
        AIModel(
            name=f"Bench {n}",
            slug=f"bench-{n}",
            family="Bench",
            developer=developer,
            licence="LicenseRef-Bench",
            weights="open",
            release_date=D(2025, 4, 1) if n % 2 else D(2026, 2, 1),
        )
        for n in range(size)
    )
    ProvenanceClaim.objects.bulk_create(
        ProvenanceClaim(
            model=model,
            subject="training_hardware",
            statement="Trained on the accelerator named.",
            value="Ascend 910B" if n % 2 == 0 else "H100",
            accelerator=ascend if n % 2 == 0 else h100,
            confidence="reported",
            source=source,
        )
        for n, model in enumerate(models)
    )
    eu, _ = Jurisdiction.objects.get_or_create(code="EU", defaults={"name": "European Union"})
    us, _ = Jurisdiction.objects.get_or_create(code="US", defaults={"name": "United States"})
    act = RegulatoryGuidance.objects.create(
        jurisdiction=eu, issuer="EU", title="AI Act", kind="legislation", status="in_force", issued_on=D(2024, 6, 13)
    )
    GuidanceReach.objects.create(guidance=act, kind="jurisdiction", jurisdiction=eu)
    bis = RegulatoryGuidance.objects.create(
        jurisdiction=us, issuer="BIS", title="Ascend guidance", kind="guidance", status="in_force"
    )
    GuidanceReach.objects.create(guidance=bis, kind="accelerator", organisation=huawei, product_prefix="Ascend")
    rows = [
        (act, D(2025, 2, 2), None, None, "Art. 113(a)"),
        (act, D(2025, 8, 2), D(2025, 8, 2), D(2027, 8, 2), "Art. 113(b)"),
        (act, D(2026, 8, 2), None, None, "Art. 113"),
        (act, D(2027, 8, 2), None, None, "Art. 113(c)"),
        (bis, D(2025, 5, 13), None, None, "General Prohibition 10"),
    ]
    for guidance, day, before, late, citation in rows:
        Obligation.objects.create(
            guidance=guidance,
            applies_from=day,
            placed_before=before,
            placed_before_applies_from=late,
            what=f"Bench obligation ({citation})",
            citation=citation,
        )
    requester = User.objects.create(username="bench-requester")
    matrix = RiskMatrix.objects.first()
    now = timezone.now()
    AdoptionRequest.objects.bulk_create(
        AdoptionRequest(
            model=model,
            requester=requester,
            use_case="Bench",
            access="self_hosted",
            jurisdictions=["EU", "US"],
            data_classification="internal",
            matrix=matrix,
            state="approved",
            submitted_at=now,
            decided_at=now,
            expires_on=timezone.localdate() + datetime.timedelta(days=365),
        )
        for model in models
    )


def main() -> None:
    from models_catalog.models import AIModel
    from riskreg.register.models import AdoptionRequest
    from riskreg.register.obligations import approvals_to_review, obligations_timeline, obligations_timelines

    with throwaway_database():
        print(f"database: {connection.vendor}")
        build_portfolio(MODELS)
        models = list(AIModel.objects.order_by("pk"))
        ids = [m.pk for m in models]

        started = time.perf_counter()
        one_by_one = {model.pk: obligations_timeline(model=model) for model in models}
        baseline = time.perf_counter() - started

        started = time.perf_counter()
        together = obligations_timelines(model_ids=ids)
        elapsed = time.perf_counter() - started
        assert together == one_by_one, "the batch and the one-by-one timelines differ"
        print(f"baseline: obligations_timeline of each of {len(models)} models one by one: {baseline:6.2f} s")
        print(
            f"obligations_timelines of the {len(models)} models at once: {elapsed:6.2f} s; "
            f"ratio {elapsed / baseline:4.3f}x the baseline"
        )

        requests = list(AdoptionRequest.objects.all())
        started = time.perf_counter()
        flags = approvals_to_review(requests=requests)
        print(
            f"approvals_to_review over {len(requests)} approvals ({len(flags)} flagged): "
            f"{time.perf_counter() - started:6.2f} s"
        )
        for size in (10, len(ids)):
            with CaptureQueriesContext(connection) as ctx:
                obligations_timelines(model_ids=ids[:size])
            print(f"obligations_timelines of {size} models: {len(ctx.captured_queries)} SQL queries")


if __name__ == "__main__":
    main()
