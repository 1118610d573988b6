"""Demo: the first GLM-5 memo, so the admin shows one. Idempotent: nothing is written once a memo exists."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from models_catalog.models import AIModel
from reports.models import Memo
from reports.services import memo_generate_now

#: This part renders a PDF: `load_demo --without-memos` skips it.
RENDERS_MEMOS = True


def load(*, stdout) -> None:
    model = AIModel.objects.filter(slug="glm-5").first()
    if model is None:
        stdout.write("memos: no glm-5 in the catalog; no demo memo")
        return
    if Memo.objects.filter(kind=Memo.Kind.MODEL, model=model).exists():
        stdout.write("memos: GLM-5 memo present")
        return
    author = get_user_model().objects.filter(username="legal").first()
    memo = memo_generate_now(kind=Memo.Kind.MODEL, model=model, user=author)
    stdout.write(f"memos: {memo} rendered ({memo.pages} pages, SHA-256 {memo.pdf_sha256[:12]}…)")
