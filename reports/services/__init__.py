"""Write-side rules of the memos. Import from here: `from reports.services import memo_request`."""

from __future__ import annotations

from reports.services.memos import (
    MemoError,
    memo_create,
    memo_download_name,
    memo_generate,
    memo_generate_now,
    memo_pdf_path,
    memo_request,
    memo_storage_dir,
    memo_verify,
)
from reports.services.snapshot import snapshot_canonical, snapshot_sha256
from reports.services.versions import TEMPLATE_VERSION

#: Names served from reports.services.render on first use, so that importing the services (the admin does
#: at start-up) does not import WeasyPrint (`from reports.services import memo_render` works; they stay out of
#: __all__, which names what the module itself defines).
_FROM_RENDER = ("StaticOnlyFetcher", "memo_render")


def __getattr__(name: str):
    if name in _FROM_RENDER:
        from reports.services import render

        return getattr(render, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "TEMPLATE_VERSION",
    "MemoError",
    "memo_create",
    "memo_download_name",
    "memo_generate",
    "memo_generate_now",
    "memo_pdf_path",
    "memo_request",
    "memo_storage_dir",
    "memo_verify",
    "snapshot_canonical",
    "snapshot_sha256",
]
