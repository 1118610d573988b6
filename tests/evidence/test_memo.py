"""The memo cites what was captured: retrieval date and SHA-256 (or why not), capture ids verified; one listing
block per listing naming the group's members; one date format; the regulations behind each finding."""

from __future__ import annotations

import datetime as dt
import os
import re

import pytest
from bs4 import BeautifulSoup

from reports.models import Memo
from reports.services import memo_generate_now
from reports.services.memos import memo_verify
from reports.services.render import memo_html
from reports.services.snapshot import memo_meta, model_snapshot_build
from riskreg.evidence.models import Capture
from riskreg.evidence.services import evidence_capture_upload, evidence_source_capture
from riskreg.register.models import RiskItem
from tests.evidence.conftest import pdf_with_text
from tests.reports.factories import glm5_world


@pytest.fixture
def world(db):
    return glm5_world()


def snapshot_of(world) -> dict:
    meta = memo_meta(kind="model", version=1, generated_by=None, template_version="memo-4", subject="GLM-5")
    meta["id"] = 1
    return model_snapshot_build(
        model_id=world.model.pk, request_id=None, memo=meta, at=dt.datetime(2026, 11, 28, 9, 0, tzinfo=dt.UTC)
    )


def body_text(html: str) -> str:
    return re.sub(r"\s+", " ", BeautifulSoup(html, "html.parser").body.get_text(""))


def test_each_source_shows_its_capture_or_why_it_has_none(world, settings):
    settings.RISKREG_WATCH_ALLOW_PRIVATE = False
    report = world.sources["report"]
    evidence_capture_upload(
        source=report, body=pdf_with_text("GLM-5 technical report"), filename="2602.15763.pdf", note="arXiv PDF"
    )
    card = world.sources["card"]
    card.url = "http://127.0.0.1:9/card"
    card.save()
    evidence_source_capture(source_id=card.pk)

    snapshot = snapshot_of(world)
    text = body_text(memo_html(snapshot=snapshot))

    uploaded = Capture.objects.get(source=report)
    assert snapshot["captures"] == [uploaded.pk]
    assert f"SHA-256 {uploaded.sha256}" in text
    assert f"Captured {uploaded.retrieved_at.day} {uploaded.retrieved_at:%b %Y}" in text
    assert "copy uploaded by legal: arXiv PDF" in text
    assert "Not captured: refused to connect to 127.0.0.1" in text


def test_verification_covers_the_captures_the_memo_cites(world, data_dir):
    capture = evidence_capture_upload(
        source=world.sources["report"], body=pdf_with_text("GLM-5 technical report"), filename="report.pdf"
    )
    memo = memo_generate_now(kind=Memo.Kind.MODEL, model=world.model, user=world.users["legal"])
    assert memo_verify(memo=memo)["captures_ok"] is True

    stored = data_dir / capture.path
    os.chmod(stored, 0o644)
    stored.write_bytes(b"edited after the memo")

    result = memo_verify(memo=memo)
    assert result["ok"] is False and result["captures_ok"] is False
    assert f"capture {capture.pk}: the stored copy" in result["problems"][0]


def test_a_listing_is_one_block_naming_every_member_of_the_group(world):
    html = memo_html(snapshot=snapshot_of(world))
    soup = BeautifulSoup(html, "html.parser")

    blocks = [b for b in soup.select("div.org.listing") if "90 FR 4617" in b.select_one(".org-name").get_text()]

    assert len(blocks) == 1
    members = [m.b.get_text() for m in blocks[0].select("p.member")]
    assert members == ["Beijing Zhipu Huazhang Technology Co., Ltd.", "Beijing Zhipu Future Technology Co., Ltd."]


def test_the_memo_uses_one_date_format(world):
    RiskItem.objects.filter(model=world.model).update(
        description="Listed 2025-01-16 under 90 FR 4617, effective 16 January 2025."
    )

    text = body_text(memo_html(snapshot=snapshot_of(world)))

    assert not re.search(r"\b\d{4}-\d{2}-\d{2}\b", text)
    assert not re.search(r"\b\d{1,2} (January|February|August|July|September|October|December) \d{4}\b", text)
    assert "Listed 16 Jan 2025 under 90 FR 4617, effective 16 Jan 2025." in text


def test_the_summary_names_the_regulation_behind_each_finding(world):
    snapshot = snapshot_of(world)
    driver = snapshot["risk"]["drivers"][0]
    item = RiskItem.objects.get(pk=next(i["id"] for i in snapshot["risk"]["items"] if i["ref"] == driver))
    item.origin, item.rule, item.derivation_key = "derived", "regulatory_guidance_status", "jurisdiction:EU"
    item.save()

    snapshot = snapshot_of(world)
    soup = BeautifulSoup(memo_html(snapshot=snapshot), "html.parser")
    summary = re.sub(r"\s+", " ", soup.find("h2", string="1. Executive summary").parent.get_text(""))

    regulations = next(i for i in snapshot["risk"]["items"] if i["id"] == item.pk)["regulations"]
    assert any("Regulation (EU) 2024/1689" in r for r in regulations)
    assert "driving it: Regulation (EU) 2024/1689" in summary
