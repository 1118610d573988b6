"""Demo: a capture of every demo source, made from the local copies in demo_data/ (no network at load_demo).

Each local copy is a short excerpt of the public page the demo cites, written for the demo on 28 Nov 2026 and
labelled as such in the page and in the capture's note; its origin is "local copy", not "fetched". The demo
does not schedule re-checks of these sources (this machine may have no internet): `evidence check --source ID`
re-checks one on demand. Idempotent: a source that already has a capture its claims rest on is left alone.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from django.db import transaction

from models_catalog.demo import SOURCES
from models_catalog.models import EvidenceSource
from riskreg.evidence.models import Capture, CitedSource
from riskreg.evidence.store import copy_write
from riskreg.evidence.text import readable_text, text_sha256

DATA = Path(__file__).resolve().parent / "demo_data"
WRITTEN_AT = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
#: The copies of the texts the adoption context's law and licences rest on were written later.
WRITTEN_LATER = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
LATER = {"eu-ai-omnibus", "gpai-guidelines", "gdpr", "licence-llama4", "licence-deepseek", "licence-qwen"}
NOTE = "local copy shipped with the riskreg demo: a short excerpt of the public page written on {day}, not fetched"


@transaction.atomic
def load(*, stdout) -> None:
    made = 0
    for key, spec in SOURCES.items():
        source = EvidenceSource.objects.filter(title=spec["title"], publisher=spec["publisher"]).first()
        path = DATA / f"{key}.html"
        if source is None or not path.is_file():
            continue
        cited, _ = CitedSource.objects.get_or_create(source=source)
        if cited.cited_capture_id is not None:
            continue
        written = WRITTEN_LATER if key in LATER else WRITTEN_AT
        body = path.read_bytes()
        sha256, relative = copy_write(body=body)
        text = readable_text(body=body, content_type="text/html; charset=utf-8")
        capture = Capture.objects.create(
            source=source,
            origin=Capture.Origin.LOCAL_COPY,
            outcome=Capture.Outcome.OK,
            requested_url=source.url,
            final_url=source.url,
            content_type="text/html; charset=utf-8",
            retrieved_at=written,
            sha256=sha256,
            size=len(body),
            path=relative,
            text=text,
            text_sha256=text_sha256(text),
            note=NOTE.format(day=f"{written.day} {written:%b %Y}"),
        )
        CitedSource.objects.filter(pk=cited.pk).update(
            state=CitedSource.State.CAPTURED,
            state_since=written,
            cited_capture=capture,
            latest_capture=capture,
            next_check_at=None,
            last_error="",
            consecutive_failures=0,
        )
        made += 1
    stdout.write(f"evidence: {made} sources captured from local copies ({len(SOURCES)} demo sources)")
