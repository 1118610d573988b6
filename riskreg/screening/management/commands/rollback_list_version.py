"""Roll back a bad list file: `manage.py rollback_list_version 12 --by legal --reason "..."`."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from riskreg.screening.services import ListRollbackError, list_version_rollback


class Command(BaseCommand):
    help = (
        "Roll back the version in force of a list (a bad file): the version before it is in force again; "
        "who, when and why are kept with the version. Find the id with the admin's list versions or "
        "GET /api/screening/versions/?sanctions_list__code=ofac-sdn."
    )

    def add_arguments(self, parser):
        parser.add_argument("version_id", type=int)
        parser.add_argument("--by", required=True, help="the legal user who decides the rollback")
        parser.add_argument("--reason", required=True, help="why, e.g. 'test file with bogus entry 999999'")

    def handle(self, *args, version_id, by, reason, **options):
        user = get_user_model().objects.filter(username=by).first()
        if user is None:
            raise CommandError(f"--by {by}: no such user. Nothing changed.")
        try:
            version = list_version_rollback(version_id=version_id, user=user, reason=reason)
        except (ListRollbackError, PermissionDenied) as exc:
            raise CommandError(f"version {version_id}: {exc}") from None
        current = version.sanctions_list.current_version_id
        self.stdout.write(
            self.style.SUCCESS(
                f"{version.sanctions_list.code}: version {version.pk} rolled back by {by}; "
                + (f"version {current} is in force again." if current else "no version is in force now.")
            )
        )
        self.stdout.write("Screening of every organisation against it was queued.")
