from __future__ import annotations

import io

from reports import demo
from reports.models import Memo
from tests.reports.factories import glm5_world


def test_demo_renders_the_glm5_memo_once(requester, legal, security, procurement):
    world = glm5_world()
    out = io.StringIO()

    demo.load(stdout=out)
    demo.load(stdout=out)

    assert Memo.objects.filter(model=world.model, status="done").count() == 1
    assert "GLM-5 memo present" in out.getvalue()


def test_demo_skips_without_the_catalog(db):
    out = io.StringIO()

    demo.load(stdout=out)

    assert "no glm-5" in out.getvalue() and not Memo.objects.exists()
