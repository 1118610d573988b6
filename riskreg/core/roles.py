"""The register's roles as Django groups, and the permissions each one holds.

Each app may declare ``ROLE_PERMISSIONS`` in its own ``roles.py``: a mapping from role to
permission codenames of that app (``"add_adoptionrequest"``). Every role can view the catalog;
the auditor can view everything and change nothing. Groups are synced after every migrate.
"""

from __future__ import annotations

from importlib import import_module

from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.db import models, transaction

REGISTER_APPS = ("models_catalog", "screening", "watch", "evidence", "register", "reports", "core")


class Role(models.TextChoices):
    REQUESTER = "requester", "Requester"
    LEGAL = "legal", "Legal reviewer"
    SECURITY = "security", "Security reviewer"
    PROCUREMENT = "procurement", "Procurement approver"
    AUDITOR = "auditor", "Auditor (read-only)"


SIGN_OFF_ROLES = (Role.LEGAL, Role.SECURITY, Role.PROCUREMENT)


def _app_role_permissions() -> dict[str, set[tuple[str, str]]]:
    """(app_label, codename) pairs per role, from every app's roles.py."""
    granted: dict[str, set[tuple[str, str]]] = {role: set() for role in Role.values}
    for label in REGISTER_APPS:
        config = apps.get_app_config(label)
        try:
            module = import_module(f"{config.name}.roles")
        except ModuleNotFoundError:
            continue
        for role, codenames in getattr(module, "ROLE_PERMISSIONS", {}).items():
            granted[role].update((label, codename) for codename in codenames)
    return granted


@transaction.atomic
def roles_sync(*, using: str = "default") -> None:
    """Create the role groups and give each exactly the permissions the apps declare."""
    granted = _app_role_permissions()
    view_all = Permission.objects.using(using).filter(
        content_type__app_label__in=REGISTER_APPS, codename__startswith="view_"
    )
    view_catalog = view_all.filter(content_type__app_label="models_catalog")
    for role in Role.values:
        group, _ = Group.objects.using(using).get_or_create(name=role)
        wanted = set(view_catalog.values_list("pk", flat=True))
        if role != Role.REQUESTER:
            wanted |= set(view_all.values_list("pk", flat=True))
        for app_label, codename in granted[role]:
            perm = Permission.objects.using(using).filter(content_type__app_label=app_label, codename=codename).first()
            if perm is not None:
                wanted.add(perm.pk)
        if role == Role.AUDITOR:
            wanted = set(view_all.values_list("pk", flat=True))
        current = set(group.permissions.values_list("pk", flat=True))
        if current != wanted:
            group.permissions.set(wanted)


_GROUP_NAMES = "_riskreg_group_names"


def user_group_names(user) -> frozenset[str]:
    """The names of the user's groups, read once per user object (one query per web request, however many
    checks a page makes). Adding or removing the user's groups forgets them (group_names_forget)."""
    if not user.is_authenticated:
        return frozenset()
    names = getattr(user, _GROUP_NAMES, None)
    if names is None:
        names = frozenset(user.groups.values_list("name", flat=True))
        setattr(user, _GROUP_NAMES, names)
    return names


def group_names_forget(sender, instance, action, **kwargs) -> None:
    """Connected to m2m_changed on User.groups: a user object whose groups changed reads them again."""
    if action.startswith("post_"):
        instance.__dict__.pop(_GROUP_NAMES, None)


def user_roles(user) -> set[str]:
    return set(user_group_names(user)) & set(Role.values)
