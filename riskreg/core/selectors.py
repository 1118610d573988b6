"""Read-side rules shared by every app: which users a person may see."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from riskreg.core.roles import user_list_permissions


def user_reads_all_users(user) -> bool:
    """Reviewers, auditors and administrators read the user list (who holds which role); a requester does not.
    Which permission makes a reviewer is the apps' to say (USER_LIST_PERMISSIONS in their roles.py)."""
    return user.is_authenticated and (
        user.has_perm("auth.view_user") or any(user.has_perm(perm) for perm in user_list_permissions())
    )


def users_visible_to(*, user) -> QuerySet:
    """The users a person may see, and so pick in a choice list: everyone for those who read the user
    list, only themselves for a requester (a choice list must not reveal who else works here)."""
    users = get_user_model().objects.all()
    if not user.is_authenticated:
        return users.none()
    if user_reads_all_users(user):
        return users
    return users.filter(pk=user.pk)
