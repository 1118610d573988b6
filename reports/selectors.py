"""Read-side rules of the memos. Who sees which memo is Memo.objects.visible_to(user) (reports/models.py)."""

from __future__ import annotations


def memo_can_generate(*, user) -> bool:
    return user.is_authenticated and user.has_perm("reports.add_memo")
