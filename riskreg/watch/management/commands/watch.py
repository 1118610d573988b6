"""Watch sources from the command line: add one, check now, list alerts.

  manage.py watch add NAME --kind KIND --url URL [--selector S] [--every MINUTES] [--keyword K ...] [--json]
  manage.py watch check (--source ID | --all | --due) [--json]
  manage.py watch alerts [--status new|acknowledged|resolved] [--json]
  manage.py watch prune

`check` runs the same service as the Celery task, in this process. With --json it prints one JSON object
per source and line: {"source", "status", "diff": {"added", "removed", "changed"}, "alerts", "error"}.
"""

from __future__ import annotations

import json
import sys

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from riskreg.core.errors import error_text
from riskreg.watch.models import Alert, SourceKind, WatchSource
from riskreg.watch.selectors import alert_as_json, alert_list, watch_sources_due
from riskreg.watch.services import Status, watch_snapshots_prune, watch_source_check, watch_source_create


class Command(BaseCommand):
    help = "Configure and check watch sources, and list their alerts."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)

        add = sub.add_parser("add", help="Configure a new source (due at once).")
        add.add_argument("name")
        add.add_argument("--kind", required=True, choices=SourceKind.values)
        add.add_argument("--url", required=True)
        add.add_argument("--selector", default="", help="CSS selector, JSON path or Federal Register conditions")
        add.add_argument("--every", type=int, default=1440, metavar="MINUTES", help="check period (default a day)")
        add.add_argument("--keyword", action="append", default=[], help="extra word that makes a change an alert")
        add.add_argument("--disabled", action="store_true", help="configure it without checking it yet")
        add.add_argument(
            "--owner", metavar="USERNAME", help="who is told of its alerts (the API and admin default to you)"
        )
        add.add_argument("--json", action="store_true")

        check = sub.add_parser("check", help="Check sources now, in this process.")
        which = check.add_mutually_exclusive_group(required=True)
        which.add_argument("--source", type=int, metavar="ID", help="this source, even if disabled or not due")
        which.add_argument("--all", action="store_true", help="every enabled source")
        which.add_argument("--due", action="store_true", help="the enabled sources that are due")
        check.add_argument("--json", action="store_true")

        alerts = sub.add_parser("alerts", help="List alerts, newest first.")
        alerts.add_argument("--status", choices=Alert.Status.values)
        alerts.add_argument("--json", action="store_true")

        sub.add_parser("prune", help="Delete snapshots older than RISKREG_WATCH_RETENTION_DAYS (never the latest).")

    def handle(self, *args, **options):
        getattr(self, f"handle_{options['action']}")(options)

    def handle_add(self, options):
        owner = None
        if options["owner"]:
            owner = get_user_model().objects.filter(username=options["owner"], is_active=True).first()
            if owner is None:
                raise CommandError(f"owner: no active user {options['owner']!r}")
        try:
            source = watch_source_create(
                name=options["name"],
                kind=options["kind"],
                url=options["url"],
                selector=options["selector"],
                keywords=options["keyword"],
                every_minutes=options["every"],
                enabled=not options["disabled"],
                owner=owner,
            )
        except ValidationError as exc:
            raise CommandError(_validation_message(exc)) from None
        if options["json"]:
            self.stdout.write(json.dumps({"id": source.pk}))
        else:
            self.stdout.write(
                f"source {source.pk} added: {source.name} ({source.kind}, every {source.every_minutes} min)"
            )
        if owner is None:
            self.stderr.write(
                f"source {source.pk} has no owner: its alerts are mailed to nobody until one is set "
                "(--owner, or the admin)"
            )

    def handle_check(self, options):
        if options["source"] is not None:
            if not WatchSource.objects.filter(pk=options["source"]).exists():
                raise CommandError(f"no watch source with id {options['source']}")
            ids, force = [options["source"]], True
        elif options["all"]:
            ids, force = (
                list(WatchSource.objects.filter(enabled=True).order_by("pk").values_list("pk", flat=True)),
                True,
            )
        else:
            ids, force = list(watch_sources_due(now=timezone.now()).values_list("pk", flat=True)), False
        failed = 0
        for source_id in ids:
            result = watch_source_check(source_id=source_id, force=force)
            if result.status == Status.SKIPPED:
                result.status, result.error = Status.ERROR, f"skipped: {result.error}"
            failed += result.status == Status.ERROR
            if options["json"]:
                self.stdout.write(json.dumps(result.as_json()))
            else:
                line = (
                    f"source {source_id}: {result.status} +{result.added} -{result.removed} ~{result.changed}"
                    f" alerts {result.alert_ids or '-'}"
                )
                self.stdout.write(line + (f"  error: {result.error}" if result.error else ""))
        if not ids:  # JSON lines: no line per source; the note goes to stderr so stdout stays parseable
            (self.stderr if options["json"] else self.stdout).write("no sources to check")
        if failed:
            if not options["json"]:
                self.stderr.write(f"{failed} of {len(ids)} checks failed")
            # Scripts and cron can tell a failed check from a clean run; the output above is complete.
            sys.exit(1)

    def handle_alerts(self, options):
        alerts = [alert_as_json(alert) for alert in alert_list(status=options["status"])]
        if options["json"]:
            self.stdout.write(json.dumps(alerts, ensure_ascii=False))
            return
        for alert in alerts:
            models = ", ".join(alert["models"]) or "-"
            orgs = ", ".join(alert["organisations"]) or "-"
            self.stdout.write(f"#{alert['id']} [{alert['status']}] {alert['title']}  (source: {alert['source']})")
            self.stdout.write(f"    models: {models}; organisations: {orgs}")
        if not alerts:
            self.stdout.write("no alerts")

    def handle_prune(self, options):
        self.stdout.write(f"{watch_snapshots_prune()} old snapshots deleted")


def _validation_message(exc: ValidationError) -> str:
    return error_text(exc)
