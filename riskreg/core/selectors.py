"""Read-side rules shared by every app: which users a person may see."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import QuerySet


def user_reads_all_users(user) -> bool:
    """Reviewers, auditors and administrators read the user list (who holds which role); a requester does not."""
    return user.is_authenticated and (
        user.has_perm("auth.view_user") or user.has_perm("register.view_all_adoptionrequest")
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
