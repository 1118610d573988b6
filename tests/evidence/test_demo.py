"""The demo ships captures of its sources made from local copies: the demo memo shows dates and hashes."""

from __future__ import annotations

import hashlib
import io

import models_catalog.demo
from models_catalog.models import AIModel
from reports.services.snapshot import memo_meta, model_snapshot_build
from riskreg.evidence import demo
from riskreg.evidence.models import Capture, CitedSource


def test_every_demo_source_is_captured_from_its_local_copy_without_the_network(db, data_dir, settings):
    settings.RISKREG_WATCH_ALLOW_PRIVATE = False  # nothing may be fetched
    models_catalog.demo.load(stdout=io.StringIO())

    demo.load(stdout=io.StringIO())
    demo.load(stdout=io.StringIO())  # idempotent

    captures = Capture.objects.all()
    assert captures.count() == len(models_catalog.demo.SOURCES)
    assert {c.origin for c in captures} == {"local_copy"}
    for capture in captures:
        assert hashlib.sha256((data_dir / capture.path).read_bytes()).hexdigest() == capture.sha256
        assert "Local copy for the riskreg demo" in capture.text and "local copy" in capture.note
    assert not CitedSource.objects.exclude(state="captured").exists()
    assert not CitedSource.objects.filter(next_check_at__isnull=False).exists()  # the demo schedules no fetch


def test_the_demo_memo_snapshot_cites_a_capture_for_every_source(db, data_dir):
    models_catalog.demo.load(stdout=io.StringIO())
    demo.load(stdout=io.StringIO())
    model = AIModel.objects.get(slug="glm-5")
    meta = memo_meta(kind="model", version=1, generated_by=None, template_version="memo-4", subject="GLM-5")

    snapshot = model_snapshot_build(model_id=model.pk, request_id=None, memo=meta, at=model.created_at)

    assert snapshot["sources"] and all(s["capture"] and len(s["capture"]["sha256"]) == 64 for s in snapshot["sources"])
    assert snapshot["captures"] == sorted(s["capture"]["id"] for s in snapshot["sources"])
