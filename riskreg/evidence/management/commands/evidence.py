"""`manage.py evidence capture --all --json`: capture cited sources now; `evidence check`: re-check them."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from riskreg.evidence import services
from riskreg.evidence.models import CitedSource
from riskreg.evidence.selectors import sources_not_captured


class Command(BaseCommand):
    help = "Capture cited evidence sources (store a hashed copy of each) and re-check them for change or rot."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        capture = sub.add_parser("capture", help="Capture sources from their addresses now.")
        which = capture.add_mutually_exclusive_group(required=True)
        which.add_argument("--all", action="store_true", help="Every source with a URL not captured yet.")
        which.add_argument("--source", type=int, action="append", help="This source (id); repeat for more.")
        capture.add_argument("--workers", type=int, default=None, help="Fetches at once (RISKREG_EVIDENCE_WORKERS).")
        capture.add_argument("--json", action="store_true", help="One JSON document on stdout.")
        check = sub.add_parser("check", help="Re-check captured sources for change or rot.")
        which = check.add_mutually_exclusive_group(required=True)
        which.add_argument("--all", action="store_true", help="Every captured source, due or not.")
        which.add_argument("--due", action="store_true", help="Only the sources due for their re-check.")
        which.add_argument("--source", type=int, action="append", help="This source (id); repeat for more.")
        check.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        if options["action"] == "capture":
            if options["all"]:
                ids = list(sources_not_captured().values_list("pk", flat=True))
            else:
                ids = options["source"]
            if options["workers"] is not None and options["workers"] < 1:
                raise CommandError("--workers must be 1 or more")
            results = services.evidence_sources_capture(source_ids=ids, workers=options["workers"])
        else:
            if options["source"]:
                ids = options["source"]
            else:
                captured = CitedSource.objects.filter(cited_capture__isnull=False).exclude(source__url="")
                ids = list(captured.order_by("pk").values_list("source_id", flat=True))
            results = [
                services.evidence_source_recheck(source_id=source_id, force=not options["due"]) for source_id in ids
            ]
        failed = [r for r in results if r.status == services.Status.FAILED]
        if options["json"]:
            counts: dict[str, int] = {}
            for result in results:
                counts[result.status] = counts.get(result.status, 0) + 1
            self.stdout.write(json.dumps({"results": [r.as_json() for r in results], "counts": counts}, indent=1))
        else:
            for result in results:
                detail = result.sha256 or result.error
                self.stdout.write(f"source {result.source_id}: {result.status}{' - ' + detail if detail else ''}")
            self.stdout.write(f"{len(results)} source(s), {len(failed)} failed")
