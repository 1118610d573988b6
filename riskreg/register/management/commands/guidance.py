"""`manage.py guidance impact ID [--json]`: what publishing a draft would change;
`manage.py guidance publish ID --as USERNAME`: publish it and apply exactly that."""

from __future__ import annotations

import json

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from models_catalog.models import RegulatoryGuidance
from riskreg.register.management.impact_text import impact_lines
from riskreg.register.services.guidance import PublishRefused, guidance_impact, guidance_publish


class Command(BaseCommand):
    help = "Show the impact of a draft guidance record, or publish it."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        impact = sub.add_parser("impact", help="What publishing the draft would change (nothing is written).")
        impact.add_argument("id", type=int)
        impact.add_argument("--json", action="store_true", help="One JSON document on stdout.")
        publish = sub.add_parser("publish", help="Publish the draft and apply its impact, once.")
        publish.add_argument("id", type=int)
        publish.add_argument("--as", dest="username", required=True, help="Who publishes (recorded).")
        publish.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        guidance = RegulatoryGuidance.objects.filter(pk=options["id"]).first()
        if guidance is None:
            raise CommandError(f"No guidance with id {options['id']}.")
        if options["action"] == "impact":
            impact = guidance_impact(guidance=guidance, reader=None)  # the operator reads everything
        else:
            user = get_user_model().objects.filter(username=options["username"]).first()
            if user is None or not user.has_perm("models_catalog.change_regulatoryguidance"):
                raise CommandError(f"{options['username']} does not exist or may not publish guidance.")
            try:
                impact = guidance_publish(guidance_id=guidance.pk, actor=user)
            except PublishRefused as exc:
                raise CommandError(str(exc)) from None
        if options["json"]:
            self.stdout.write(json.dumps(impact.as_dict(), indent=2, default=str))
            return
        self.stdout.write(f"{guidance.title} ({impact.guidance['publication']})")
        if not impact.models:
            self.stdout.write("  changes no model")
        for line in impact_lines(impact):
            self.stdout.write(line)
