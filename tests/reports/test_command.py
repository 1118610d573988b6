"""manage.py memo: generate in-process (model, request, portfolio) and verify (exit 1 when not ok)."""

from __future__ import annotations

import hashlib
import io
import json
import os

import pytest
from django.core.management import CommandError, call_command

from reports.models import Memo
from reports.services import memo_pdf_path
from tests.reports.factories import light_model

# Every test here runs on the rows the module builds once (tests/conftest.py, built_once_for_the_module).
pytestmark = pytest.mark.usefixtures("_glm5_world")


def run(*args) -> str:
    out = io.StringIO()
    call_command("memo", *args, stdout=out)
    return out.getvalue()


def test_memo_command_writes_the_pdf_and_prints_json(world, legal, tmp_path):
    target = tmp_path / "out" / "glm-5.pdf"

    result = json.loads(run("glm-5", "--output", str(target), "--json", "--user", "legal"))

    memo = Memo.objects.get(pk=result["memo_id"])
    assert set(result) >= {"memo_id", "path", "sha256", "snapshot_sha256", "pages"}
    assert result["path"] == str(target.resolve()) and result["pages"] == memo.pages
    assert hashlib.sha256(target.read_bytes()).hexdigest() == result["sha256"] == memo.pdf_sha256
    assert memo.generated_by == legal and memo.kind == "model"


def test_memo_command_for_a_request(world, tmp_path):
    result = json.loads(run("glm-5", "--request", str(world.request.pk), "--output", str(tmp_path / "r.pdf"), "--json"))

    assert Memo.objects.get(pk=result["memo_id"]).request == world.request


def test_memo_command_refuses_a_request_of_another_model(world, tmp_path):
    light_model()
    with pytest.raises(CommandError, match="is for GLM-5, not Tiny-1"):
        run("tiny-1", "--request", str(world.request.pk), "--output", str(tmp_path / "x.pdf"))


def test_memo_command_needs_an_output_and_a_known_model(db, tmp_path):
    with pytest.raises(CommandError, match="--output"):
        run("glm-5")
    with pytest.raises(CommandError, match="No model with slug 'nope'"):
        run("nope", "--output", str(tmp_path / "x.pdf"))


def test_an_output_folder_gets_the_download_name_and_an_unwritable_path_is_a_clear_error(db, tmp_path):
    light_model()

    result = json.loads(run("tiny-1", "--output", str(tmp_path), "--json"))
    assert result["path"] == str((tmp_path / "riskreg-tiny-1-memo-v1.pdf").resolve())

    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(CommandError, match=r"was generated and stored \(memo \d+\), but the copy to .* failed"):
        run("tiny-1", "--output", str(blocker / "memo.pdf"))


def test_portfolio_option(tmp_path, db):
    light_model()

    result = json.loads(run("--portfolio", "--output", str(tmp_path / "p.pdf"), "--json"))

    assert Memo.objects.get(pk=result["memo_id"]).kind == "portfolio" and result["pages"] == 1


def test_verify_prints_ok(light_memo):
    result = json.loads(run("--verify", str(light_memo.pk), "--json"))

    assert result["ok"] is True and result["memo_id"] == light_memo.pk


def test_verify_exits_1_on_a_tampered_pdf(light_memo):
    path = memo_pdf_path(memo=light_memo)
    os.chmod(path, 0o644)
    original = path.read_bytes()
    path.write_bytes(original + b"\n% appended after signing\n")  # still a valid PDF, different bytes

    with pytest.raises(SystemExit) as exit_info:
        run("--verify", str(light_memo.pk), "--json")

    assert exit_info.value.code == 1


def test_verify_of_an_unknown_memo_says_so(db):
    with pytest.raises(CommandError, match="No memo with id 999"):
        run("--verify", "999")
