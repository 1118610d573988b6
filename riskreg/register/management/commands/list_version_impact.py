"""`manage.py list_version_impact ID [--json]`: what a sanctions list version's added and removed entries would
change in the register (the catalog organisations they match, the models, requests, sign-offs and memos)."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from riskreg.register.management.impact_text import impact_lines
from riskreg.register.services.list_impact import list_version_impact
from riskreg.screening.models import ListVersion


class Command(BaseCommand):
    help = "Show what a sanctions list version's added and removed entries would change (nothing is written)."

    def add_arguments(self, parser):
        parser.add_argument("id", type=int, help="The list version (admin: Sanctions screening > List versions).")
        parser.add_argument("--json", action="store_true", help="One JSON document on stdout.")

    def handle(self, *args, **options):
        if not ListVersion.objects.filter(pk=options["id"]).exists():
            raise CommandError(f"No list version with id {options['id']}.")
        impact = list_version_impact(version_id=options["id"], reader=None)  # the operator reads everything
        if options["json"]:
            self.stdout.write(json.dumps(impact.as_dict(), indent=2, default=str))
            return
        v = impact.version
        self.stdout.write(f"{v['list']} version #{v['id']}: +{v['added']} -{v['removed']} ~{v['changed']}")
        for label, entries in (("added", impact.entries_added), ("removed", impact.entries_removed)):
            for entry in entries:
                names = ", ".join(org["name"] for org in entry["organisations"])
                self.stdout.write(f"  {label} {entry['name']} ({entry['external_id']}) matches {names}")
        if not impact.entries_added and not impact.entries_removed:
            self.stdout.write("  no added or removed entry matches the catalog")
        for line in impact_lines(impact):
            self.stdout.write(line)
