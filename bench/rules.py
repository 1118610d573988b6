"""Rules figures: the impact of one draft guidance over a 1,000-model portfolio, against deriving every
model one by one, in the same process and run.

1. baseline: ``rules.derive(model=m)`` for each of the 1,000 models, one after another (each call loads the
   guidance that applies, as a single derivation does);
2. ``guidance_impact`` of a draft reaching Huawei's Ascend accelerators: it narrows the portfolio in SQL to
   the models the draft could reach (half of them here), loads the guidance once, and derives each of those
   twice (without and with the draft); the ratio printed is 2 / 1;
3. SQL queries: the impact's queries for 10 and 200 reached models, and the difference per model.

    .venv/bin/python bench/rules.py

Works on a throwaway SQLite database (or DATABASE_URL's server).
"""

from __future__ import annotations

import time

from _harness import throwaway_database
from django.db import connection
from django.test.utils import CaptureQueriesContext

MODELS = 1000


def build_portfolio(size: int, *, tag: str = ""):
    """``size`` models, every other one claimed to be trained on a Huawei Ascend accelerator; a draft EU guidance
    reaching Huawei's Ascend family. Returns the draft."""
    from models_catalog.models import (
        Accelerator,
        AIModel,
        EvidenceSource,
        GuidanceReach,
        Jurisdiction,
        Organisation,
        ProvenanceClaim,
        RegulatoryGuidance,
    )

    huawei = Organisation.objects.create(name=f"Huawei Technologies Co., Ltd.{tag}", short_name="Huawei", country="CN")
    nvidia = Organisation.objects.create(name=f"NVIDIA Corporation{tag}", country="US")
    developer = Organisation.objects.create(name=f"Bench Developer{tag}", country="CN")
    ascend = Accelerator.objects.create(product="Ascend 910B", vendor=huawei, kind="npu")
    h100 = Accelerator.objects.create(product="H100", vendor=nvidia)
    source = EvidenceSource.objects.create(title=f"Bench report{tag}", publisher="Bench", kind="press")
    models = AIModel.objects.bulk_create(
        AIModel(
            name=f"Bench {tag}{n}",
            slug=f"bench-{tag}{n}".lower(),
            family="Bench",
            developer=developer,
            licence="LicenseRef-Bench",
            weights="closed",
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
            confidence="developer_stated",
            source=source,
        )
        for n, model in enumerate(models)
    )
    eu, _ = Jurisdiction.objects.get_or_create(code="EU", defaults={"name": "European Union"})
    draft = RegulatoryGuidance.objects.create(
        jurisdiction=eu,
        issuer="European Commission",
        title=f"EU: models trained on Huawei Ascend accelerators, under review{tag}",
        kind="guidance",
        status="proposed",
        risk_category="regulatory",
        risk_likelihood=3,
        risk_impact=4,
        publication="draft",
    )
    GuidanceReach.objects.create(guidance=draft, kind="accelerator", organisation=huawei, product_prefix="Ascend")
    return draft


def main() -> None:
    from models_catalog.models import AIModel
    from riskreg.register import rules
    from riskreg.register.services.guidance import guidance_impact

    with throwaway_database():
        print(f"database: {connection.vendor}")
        draft = build_portfolio(MODELS)
        models = list(AIModel.objects.order_by("pk"))

        started = time.perf_counter()
        for model in models:
            rules.derive(model=model)
        baseline = time.perf_counter() - started

        started = time.perf_counter()
        impact = guidance_impact(guidance=draft, reader=None)
        elapsed = time.perf_counter() - started
        print(f"baseline: derive each of {len(models)} models one by one: {baseline:6.2f} s")
        print(
            f"impact of one draft over {len(models)} models ({impact.models_considered} could be reached, "
            f"{len(impact.models)} change): {elapsed:6.2f} s; ratio {elapsed / baseline:4.2f}x the baseline"
        )

        counts = {}
        for size in (10, 200):
            small = build_portfolio(size * 2, tag=f"q{size}-")
            with CaptureQueriesContext(connection) as ctx:
                reached = len(guidance_impact(guidance=small, reader=None).models)
            counts[size] = len(ctx.captured_queries)
            print(f"impact with {reached} reached models: {counts[size]} SQL queries")
        print(f"queries per reached model: {(counts[200] - counts[10]) / 190:.2f}")


if __name__ == "__main__":
    main()
