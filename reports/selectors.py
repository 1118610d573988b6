"""Read-side rules of the memos: who sees which memo."""

from __future__ import annotations

from django.db.models import QuerySet

from reports.models import Memo
from riskreg.core.roles import Role, user_roles


def memos_visible_to(*, user) -> QuerySet[Memo]:
    """Every memo for anyone holding view_memo, except a requester (and nothing else), who sees only the
    memos of their own adoption requests."""
    memos = Memo.objects.select_related("model", "request", "generated_by")
    if not user.is_authenticated or not user.has_perm("reports.view_memo"):
        return memos.none()
    if user.is_superuser:
        return memos
    roles = user_roles(user)
    if roles == {Role.REQUESTER}:
        return memos.filter(kind=Memo.Kind.REQUEST, request__requester=user)
    return memos


def memo_can_generate(*, user) -> bool:
    return user.is_authenticated and user.has_perm("reports.add_memo")
