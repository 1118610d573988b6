"""Interchange figures (issue 27), in one process on a throwaway database:

1. baseline: the CycloneDX specification's own ML example (one component) imported into an empty register;
2. a BOM of 1,000 machine-learning components (each with its manufacturer and one dataset; the maximum a BOM may
   hold), imported: time and SQL queries, and the queries per component from a 10- and a 100-component BOM (bounded
   per component: the same count per component whatever the size); the ratio printed is 2 / 1;
3. round trips through an empty register, counted: GLM-5 (the demo's) CycloneDX -> register -> CycloneDX and
   SPDX -> register -> SPDX, models, datasets and claims before and after.

    .venv/bin/python bench/interchange.py
"""

from __future__ import annotations

import io
import json
import time

from _harness import BASE_DIR, throwaway_database
from django.db import connection

SPEC_EXAMPLE = BASE_DIR / "tests" / "data" / "interchange" / "valid-machine-learning-1.6.json"


def bom(components: int, tag: str) -> bytes:
    return json.dumps(
        {
            "bomFormat": "CycloneDX",
            "specVersion": "1.6",
            "version": 1,
            "components": [
                {
                    "type": "machine-learning-model",
                    "bom-ref": f"m{n}",
                    "name": f"Bench {tag} {n}",
                    "version": "1.0",
                    "manufacturer": {"name": f"Bench Labs {tag}", "address": {"country": "GB"}},
                    "licenses": [{"license": {"id": "MIT"}}],
                    "modelCard": {"modelParameters": {"datasets": [{"type": "dataset", "name": f"corpus-{n % 50}"}]}},
                }
                for n in range(components)
            ],
        }
    ).encode()


def timed_import(data: bytes) -> tuple[float, int, object]:
    from models_catalog.interchange.cyclonedx import bom_import

    executed = []

    def count(execute, sql, params, many, context):
        executed.append(1)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        started = time.perf_counter()
        result = bom_import(data=data, source_name="bench.json", developer_country="US")
        seconds = time.perf_counter() - started
    return seconds, len(executed), result


def empty() -> None:
    from tests.models_catalog.test_cyclonedx import empty_register

    empty_register()


def counted(model_slug: str) -> dict:
    from models_catalog.models import AIModel

    model = AIModel.objects.get(slug=model_slug)
    return {
        "models": AIModel.objects.count(),
        "datasets": model.claims.filter(subject="training_data").count(),
        "claims": model.claims.count(),
    }


def main() -> None:
    from models_catalog import demo
    from models_catalog.interchange.cyclonedx import bom_import, model_bom_export
    from models_catalog.interchange.modelcard import model_card_import
    from models_catalog.interchange.spdx import model_spdx_export, spdx_import
    from models_catalog.models import AIModel

    with throwaway_database():
        print(f"database: {connection.vendor}")
        timed_import(SPEC_EXAMPLE.read_bytes())  # imports the validator and warms the caches
        empty()
        baseline, base_queries, _ = timed_import(SPEC_EXAMPLE.read_bytes())
        print(
            f"baseline: the specification's ML example (1 component): {baseline * 1000:6.1f} ms, {base_queries} queries"
        )
        per = {}
        for size in (10, 100, 1000):
            seconds, queries, result = timed_import(bom(size, str(size)))
            per[size] = queries
            print(
                f"{size:5d} components: {seconds:6.2f} s ({seconds / baseline:6.1f}x the baseline, "
                f"{seconds / size * 1000:5.1f} ms a component), {queries} queries ({queries / size:.1f} a component); "
                f"{len(result.models_created)} models, {result.claims_created} claims created"
            )
        print(f"queries per component, 1,000 vs 100: {(per[1000] - per[100]) / 900:.2f}")

        empty()
        demo.load(stdout=io.StringIO())
        model_card_import(data=b"---\nlicense: mit\ndatasets:\n  - HuggingFaceFW/fineweb\n---\n", name="GLM-5")
        glm5 = AIModel.objects.get(slug="glm-5")
        for label, export, load in (
            ("CycloneDX", model_bom_export, bom_import),
            ("SPDX", model_spdx_export, spdx_import),
        ):
            before = counted("glm-5")
            document = json.dumps(export(model=AIModel.objects.get(slug="glm-5"))).encode()
            empty()
            load(data=document, source_name=f"glm-5.{label}.json")
            after_import = counted("glm-5")
            again = export(model=AIModel.objects.get(slug="glm-5"))
            print(
                f"round trip {label} -> register -> {label}: GLM-5 before {before}, after the import into an empty "
                f"register {after_import}; "
                f"the export again {len(json.dumps(again)):,} bytes"
            )
            empty()
            demo.load(stdout=io.StringIO())
            model_card_import(data=b"---\nlicense: mit\ndatasets:\n  - HuggingFaceFW/fineweb\n---\n", name="GLM-5")
        del glm5


if __name__ == "__main__":
    main()
