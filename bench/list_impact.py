"""List version impact figures: the real OFAC SDN diff (sdn-2024-03-14.csv then sdn-2024-05-03.csv, +516 -15 ~11)
against a 1,000-organisation, 1,000-model catalog, in the same process and run.

The catalog: 999 organisations with names on no list, and "Wuhan Global Sensor Technology Co., Ltd." (an entity the
05-03 file adds, SDN 46633, as an alias) developing half of the 1,000 models.

1. baseline: ``rules.derive(model=m)`` for each of the 1,000 models, one after another (what deriving the portfolio
   one model at a time costs);
2. ``list_version_impact`` of the 05-03 version, with the screening index warm (built by the import's process, as
   after an import), then cold (the index built in the call); the ratio printed is 2 / 1;
3. ``list_version_impact`` of the first import (every entry of the list added: only the matched ones are read);
4. SQL queries of the impact for 10 and 200 reached models.

    .venv/bin/python bench/list_impact.py

Works on a throwaway SQLite database (or DATABASE_URL's server).
"""

from __future__ import annotations

import time

from _harness import BASE_DIR, throwaway_database
from django.db import connection
from django.test.utils import CaptureQueriesContext

LISTS = BASE_DIR / "tests" / "data" / "lists" / "ofac"
ORGANISATIONS = 1000
MODELS = 1000


def build_catalog(*, organisations: int, models: int, tag: str = ""):
    from models_catalog.models import AIModel, Organisation

    listed = Organisation.objects.create(
        name=f"Bench listed developer {tag}", aliases=["Wuhan Global Sensor Technology Co., Ltd."], country="CN"
    )
    others = Organisation.objects.bulk_create(
        Organisation(name=f"Quillmark Verdant {tag}{n} Holdings", country="US") for n in range(organisations - 1)
    )
    AIModel.objects.bulk_create(
        AIModel(
            name=f"Bench {tag}{n}",
            slug=f"bench-{tag}{n}".lower(),
            family="Bench",
            developer=listed if n % 2 == 0 else others[n % len(others)],
            licence="LicenseRef-Bench",
            weights="closed",
        )
        for n in range(models)
    )
    return listed


def main() -> None:
    from models_catalog.models import AIModel, Organisation
    from riskreg.register import rules
    from riskreg.register.services.list_impact import list_version_impact
    from riskreg.screening.matching import index_cache_clear
    from riskreg.screening.services import sanctions_list_import

    with throwaway_database():
        print(f"database: {connection.vendor}")
        main_listed = build_catalog(organisations=ORGANISATIONS, models=MODELS)
        first = sanctions_list_import(
            list_code="ofac-sdn", data=(LISTS / "sdn-2024-03-14.csv").read_bytes(), source_name="a"
        ).version
        version = sanctions_list_import(
            list_code="ofac-sdn", data=(LISTS / "sdn-2024-05-03.csv").read_bytes(), source_name="b"
        ).version
        models = list(AIModel.objects.order_by("pk"))

        started = time.perf_counter()
        for model in models:
            rules.derive(model=model)
        baseline = time.perf_counter() - started

        index_cache_clear(stored=True)
        started = time.perf_counter()
        impact = list_version_impact(version_id=version.pk, reader=None)
        cold = time.perf_counter() - started
        started = time.perf_counter()
        impact = list_version_impact(version_id=version.pk, reader=None)
        warm = time.perf_counter() - started
        matched = [(e["external_id"], [o["name"] for o in e["organisations"]]) for e in impact.entries_added]
        print(f"SDN diff +{version.added_count} -{version.removed_count} ~{version.changed_count}; matched: {matched}")
        print(f"baseline: derive each of {len(models)} models one by one: {baseline:6.2f} s")
        print(
            f"impact of the version over {Organisation.objects.count()} organisations ({impact.models_considered} "
            f"models reached, {len(impact.models)} change), index warm: {warm:6.2f} s; ratio {warm / baseline:4.2f}x "
            f"the baseline; index cold: {cold:6.2f} s ({cold / baseline:4.2f}x)"
        )

        started = time.perf_counter()
        whole = list_version_impact(version_id=first.pk, reader=None)
        first_import = time.perf_counter() - started
        print(
            f"impact of the first import (the whole list, +{first.added_count}; {len(whole.entries_added)} entries "
            f"match): {first_import:6.2f} s; ratio {first_import / baseline:4.2f}x the baseline"
        )

        counts = {}
        Organisation.objects.filter(pk=main_listed.pk).update(aliases=[])  # each round: its own models only
        for size in (10, 200):
            listed = build_catalog(organisations=2, models=size * 2, tag=f"q{size}-")
            with CaptureQueriesContext(connection) as ctx:
                found = list_version_impact(version_id=version.pk, reader=None)
            counts[size] = len(ctx.captured_queries)
            print(f"impact with {found.models_considered} reached models: {counts[size]} SQL queries")
            Organisation.objects.filter(pk=listed.pk).update(aliases=[])
        print(f"queries per reached model: {(counts[200] - counts[10]) / 190:.2f}")


if __name__ == "__main__":
    main()
