"""Generating, versioning, immutability and verification of memos."""

from __future__ import annotations

import os
import stat

import pytest
from django.conf import settings
from django.db import IntegrityError

from reports.models import Memo, MemoImmutable, MemoVerification
from reports.services import MemoError, memo_create, memo_generate, memo_generate_now, memo_pdf_path, memo_verify
from reports.services.render import pdf_text
from reports.services.snapshot import snapshot_sha256
from reports.services.versions import TEMPLATE_VERSION
from reports.tasks import memo_generate_task
from tests.reports.factories import light_model

# Every test here runs on the rows the module builds once (tests/conftest.py, built_once_for_the_module).
pytestmark = pytest.mark.usefixtures("_glm5_world")


def test_generated_memo_stores_snapshot_pdf_and_both_hashes(model_memo, legal):
    memo = model_memo

    assert memo.status == Memo.Status.DONE and memo.version == 1 and memo.generated_by == legal
    assert memo.snapshot_sha256 == snapshot_sha256(memo.snapshot)
    path = memo_pdf_path(memo=memo)
    assert path.is_relative_to(settings.RISKREG_DATA_DIR / "memos")
    assert path.read_bytes()[:5] == b"%PDF-" and not os.stat(path).st_mode & stat.S_IWUSR
    assert memo.pages >= 5 and memo.template_version == TEMPLATE_VERSION and memo.renderer.startswith("WeasyPrint")
    assert memo.snapshot["memo"]["generated_by"]["name"] == "Lena Legal"


def test_a_done_memo_is_not_rendered_again(light_memo):
    before = (light_memo.pdf_path, light_memo.pdf_sha256, light_memo.attempts, light_memo.finished_at)

    again = memo_generate(memo_id=light_memo.pk)

    assert (again.pdf_path, again.pdf_sha256, again.attempts, again.finished_at) == before


def test_a_new_memo_is_a_new_version_and_earlier_versions_stay(light_memo, legal, world):
    second = memo_create(kind=Memo.Kind.MODEL, model=light_memo.model, user=legal)
    request_memo = memo_create(kind=Memo.Kind.REQUEST, request=world.request, user=legal)

    assert second.version == 2 and request_memo.version == 1 and request_memo.model == world.model
    light_memo.refresh_from_db()
    assert light_memo.status == Memo.Status.DONE


def test_done_memos_cannot_be_edited_or_deleted(light_memo):
    light_memo.pdf_sha256 = "0" * 64
    with pytest.raises(MemoImmutable):
        light_memo.save()
    with pytest.raises(MemoImmutable):
        light_memo.delete()


def test_database_refuses_a_duplicate_version_and_a_done_memo_without_hashes(world):
    Memo.objects.create(kind="model", model=world.model, version=1)
    with pytest.raises(IntegrityError):
        Memo.objects.create(kind="model", model=world.model, version=1)


def test_database_refuses_done_without_hashes(world):
    with pytest.raises(IntegrityError):
        Memo.objects.create(kind="model", model=world.model, version=1, status="done")


def test_subject_must_match_the_kind(world):
    with pytest.raises(MemoError):
        memo_create(kind=Memo.Kind.MODEL)
    with pytest.raises(MemoError):
        memo_create(kind=Memo.Kind.PORTFOLIO, model=world.model)
    with pytest.raises(IntegrityError):
        Memo.objects.create(kind="portfolio", model=world.model, version=1)


def test_verification_passes_on_an_untouched_memo(light_memo, auditor):
    result = memo_verify(memo=light_memo, user=auditor)

    assert result["ok"] is True and result["problems"] == []
    assert result["rerender_identical"] and result["pdf_sha256_ok"] and result["snapshot_sha256_ok"]
    assert MemoVerification.objects.get().verified_by == auditor


def test_a_memo_made_with_the_previous_template_still_verifies(world, legal, monkeypatch):
    import reports.services.versions

    monkeypatch.setattr(reports.services.versions, "TEMPLATE_VERSION", "memo-2")
    memo = memo_generate_now(kind=Memo.Kind.MODEL, model=world.model, user=legal)
    monkeypatch.undo()

    result = memo_verify(memo=memo)

    assert memo.template_version == "memo-2" != TEMPLATE_VERSION
    assert result["ok"] and result["rerender_identical"], result["problems"]
    assert "LIST AND AUTHORITY" in pdf_text(memo_pdf_path(memo=memo).read_bytes())  # memo-2's table layout


def test_a_memo_made_with_template_memo_3_still_verifies(world, legal, monkeypatch):
    """memo-4 added the sources' captures and one block per listing; memo-3 memos keep verifying byte for byte."""
    import reports.services.versions

    monkeypatch.setattr(reports.services.versions, "TEMPLATE_VERSION", "memo-3")
    memo = memo_generate_now(kind=Memo.Kind.MODEL, model=world.model, user=legal)
    monkeypatch.undo()

    result = memo_verify(memo=memo)

    assert memo.template_version == "memo-3" != TEMPLATE_VERSION
    assert result["ok"] and result["rerender_identical"], result["problems"]
    text = pdf_text(memo_pdf_path(memo=memo).read_bytes())
    assert "retrieved 6 Apr 2026" in text and "Not captured" not in text  # memo-3's appendix, not memo-4's


def test_a_tampered_stored_pdf_fails_verification(light_memo):
    path = memo_pdf_path(memo=light_memo)
    os.chmod(path, 0o644)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))

    result = memo_verify(memo=light_memo)

    assert result["ok"] is False and result["pdf_sha256_ok"] is False
    assert "the stored PDF does not match its recorded SHA-256 (altered or replaced)" in result["problems"]
    assert MemoVerification.objects.get().ok is False


def test_a_replaced_pdf_with_a_matching_snapshot_edit_still_fails(light_memo):
    """Editing the stored snapshot in the database (e.g. to hide a list entry) breaks its hash."""
    snapshot = dict(light_memo.snapshot)
    snapshot["supply_chain"] = []
    Memo.objects.filter(pk=light_memo.pk).update(snapshot=snapshot)
    light_memo.refresh_from_db()

    result = memo_verify(memo=light_memo)

    assert result["ok"] is False and result["snapshot_sha256_ok"] is False and result["rerender_identical"] is False


def test_a_missing_pdf_fails_verification(light_memo):
    path = memo_pdf_path(memo=light_memo)
    path.unlink()

    result = memo_verify(memo=light_memo)

    assert result["ok"] is False and "cannot be read" in result["problems"][0]


def test_a_failed_render_is_recorded_and_can_be_retried(legal, monkeypatch):
    memo = memo_create(kind=Memo.Kind.MODEL, model=light_model(), user=legal)

    def broken(**kwargs):
        raise RuntimeError("template exploded")

    monkeypatch.setattr("reports.services.render.memo_render", broken)
    with pytest.raises(RuntimeError):
        memo_generate(memo_id=memo.pk)
    memo.refresh_from_db()
    assert memo.status == Memo.Status.FAILED and "template exploded" in memo.error

    monkeypatch.undo()
    assert memo_generate(memo_id=memo.pk).status == Memo.Status.DONE


def test_a_memo_being_rendered_elsewhere_is_left_alone(world, legal):
    memo = memo_create(kind=Memo.Kind.MODEL, model=world.model, user=legal)
    from django.utils import timezone

    Memo.objects.filter(pk=memo.pk).update(status=Memo.Status.RENDERING, started_at=timezone.now())

    assert memo_generate(memo_id=memo.pk).status == Memo.Status.RENDERING


def test_task_renders_by_id_and_tolerates_a_vanished_memo(legal):
    memo = memo_create(kind=Memo.Kind.MODEL, model=light_model(), user=legal)

    assert memo_generate_task.apply(args=(memo.pk,)).get() == "done"
    assert memo_generate_task.apply(args=(987654,)).get() is None


def test_task_declares_its_retries():
    assert memo_generate_task.max_retries == 3 and memo_generate_task.autoretry_for
