"""The register's roles as Django groups, and the permissions each one holds.

The roles cover the tables of every installed app that has a ``roles.py`` (core names none of them). In its
``roles.py`` an app declares ``ROLE_PERMISSIONS``: a mapping from role to permission codenames of that app
(``"add_adoptionrequest"``); ``EVERY_ROLE_VIEWS = True`` when every role, the requester too, views its tables
(the catalog); ``USER_LIST_PERMISSIONS``: codenames whose holders may read the user list. Every role but the
requester views every covered table; the auditor views everything and changes nothing. Groups are synced after
every migrate.
"""

from __future__ import annotations

from functools import cache
from importlib import import_module
from importlib.util import find_spec
from types import ModuleType

from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.db import models, transaction


class Role(models.TextChoices):
    REQUESTER = "requester", "Requester"
    LEGAL = "legal", "Legal reviewer"
    SECURITY = "security", "Security reviewer"
    PROCUREMENT = "procurement", "Procurement approver"
    AUDITOR = "auditor", "Auditor (read-only)"


SIGN_OFF_ROLES = (Role.LEGAL, Role.SECURITY, Role.PROCUREMENT)


@cache
def _roles_modules() -> dict[str, ModuleType]:
    """{app label: its roles module}, for every installed app with a roles.py, in INSTALLED_APPS order."""
    found = {}
    for config in apps.get_app_configs():
        if find_spec(f"{config.name}.roles") is not None:
            found[config.label] = import_module(f"{config.name}.roles")
    return found


def register_app_labels() -> tuple[str, ...]:
    """The apps whose tables the roles cover (those with a roles.py)."""
    return tuple(_roles_modules())


def user_list_permissions() -> tuple[str, ...]:
    """ "app_label.codename" permissions whose holders may read the user list, as the apps declare them."""
    return tuple(
        f"{label}.{codename}"
        for label, module in _roles_modules().items()
        for codename in getattr(module, "USER_LIST_PERMISSIONS", ())
    )


def _app_role_permissions() -> dict[str, set[tuple[str, str]]]:
    """(app_label, codename) pairs per role, from every app's roles.py."""
    granted: dict[str, set[tuple[str, str]]] = {role: set() for role in Role.values}
    for label, module in _roles_modules().items():
        for role, codenames in getattr(module, "ROLE_PERMISSIONS", {}).items():
            granted[role].update((label, codename) for codename in codenames)
    return granted


@transaction.atomic
def roles_sync(*, using: str = "default") -> None:
    """Create the role groups and give each exactly the permissions the apps declare."""
    granted = _app_role_permissions()
    view_all = Permission.objects.using(using).filter(
        content_type__app_label__in=register_app_labels(), codename__startswith="view_"
    )
    every_role_views = [
        label for label, module in _roles_modules().items() if getattr(module, "EVERY_ROLE_VIEWS", False)
    ]
    view_catalog = view_all.filter(content_type__app_label__in=every_role_views)
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
