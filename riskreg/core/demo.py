"""Demo users: one per role plus an administrator, sharing one password."""

from __future__ import annotations

import os
import secrets

from django.contrib.auth.models import Group, User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.db import transaction

from riskreg.core.roles import Role

DEMO_USERS = [
    ("admin", None, "Ada", "Admin"),
    ("requester", Role.REQUESTER, "Rhea", "Requester"),
    ("legal", Role.LEGAL, "Lena", "Legal"),
    ("security", Role.SECURITY, "Sami", "Security"),
    ("procurement", Role.PROCUREMENT, "Priya", "Procurement"),
    ("auditor", Role.AUDITOR, "Aldo", "Auditor"),
]


def _password_check(password: str) -> None:
    """RISKREG_DEMO_PASSWORD must pass the password rules of the register (AUTH_PASSWORD_VALIDATORS) for
    every demo user (admin is a superuser): refused with the rules it breaks, before anything is written."""
    problems: list[str] = []
    for username, _role, first, last in DEMO_USERS:
        user = User(username=username, email=f"{username}@example.com", first_name=first, last_name=last)
        try:
            validate_password(password, user=user)
        except ValidationError as exc:
            problems.extend(message for message in exc.messages if message not in problems)
    if problems:
        raise CommandError(
            "RISKREG_DEMO_PASSWORD is refused by the password rules: "
            + " ".join(problems)
            + " Choose another (e.g. RISKREG_DEMO_PASSWORD=$(python3 -c 'import secrets; "
            "print(secrets.token_urlsafe(12))')), or unset it for a random one. No demo user was created or changed."
        )


@transaction.atomic
def load(*, stdout) -> None:
    """Create the demo users that are missing. RISKREG_DEMO_PASSWORD, when set, is also given to the
    demo users that exist (so `RISKREG_DEMO_PASSWORD=... make run` works after a first `make run`);
    unset, existing passwords are left alone and a new random one is printed once for new users."""
    password = os.environ.get("RISKREG_DEMO_PASSWORD")
    if password:
        _password_check(password)
    missing = [spec for spec in DEMO_USERS if not User.objects.filter(username=spec[0]).exists()]
    if password:
        present = User.objects.filter(username__in=[spec[0] for spec in DEMO_USERS if spec not in missing])
        for user in present:
            if not user.check_password(password):
                user.set_password(password)
                user.save(update_fields=["password"])
    if not missing:
        stdout.write(
            "demo users: present (password from RISKREG_DEMO_PASSWORD)"
            if password
            else "demo users: present (passwords unchanged; set RISKREG_DEMO_PASSWORD to choose one)"
        )
        return
    generated = not password
    if generated:
        password = secrets.token_urlsafe(12)
    for username, role, first, last in missing:
        user = User(username=username, email=f"{username}@example.com", first_name=first, last_name=last)
        user.is_staff = True
        user.is_superuser = role is None
        user.set_password(password)
        user.save()
        if role:
            user.groups.add(Group.objects.get(name=role))
    names = ", ".join(spec[0] for spec in missing)
    if generated:
        rule = "=" * 72
        stdout.write(f"{rule}\ndemo users created: {names}\n  password (shown once): {password}\n{rule}")
    else:
        stdout.write(f"demo users created: {names} (password from RISKREG_DEMO_PASSWORD)")
