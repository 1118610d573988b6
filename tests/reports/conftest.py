from __future__ import annotations

import copy
import datetime

import pytest

from reports.models import Memo
from reports.services import memo_generate_now
from tests.conftest import built_once_for_the_module, cast
from tests.reports.factories import World, glm5_world, light_model


@pytest.fixture(scope="module")
def _glm5_world(request, django_db_setup, django_db_blocker, glm5_snapshot) -> World:
    # glm5_snapshot first: it builds (and rolls back) a GLM-5 world of its own once per run, which inside this
    # module's open transaction would collide with this one (a module run on its own failed so).
    def build() -> World:
        cast()  # first, so the world reuses those users
        return glm5_world()

    yield from built_once_for_the_module(request, django_db_blocker, build)


@pytest.fixture
def world(_glm5_world, db) -> World:
    """The GLM-5 register, built once per test module; each test gets its own copy of the objects, as the rows
    are back to what they were when it starts (Django's setUpTestData does the same)."""
    return copy.deepcopy(_glm5_world)


@pytest.fixture
def model_memo(world, legal) -> Memo:
    """A rendered GLM-5 model memo."""
    return memo_generate_now(kind=Memo.Kind.MODEL, model=world.model, user=legal)


@pytest.fixture
def light_memo(legal) -> Memo:
    """A rendered memo of a model with no claims, risks or requests (fast)."""
    return memo_generate_now(kind=Memo.Kind.MODEL, model=light_model(), user=legal)


@pytest.fixture(scope="session")
def glm5_snapshot(django_db_setup, django_db_blocker) -> dict:
    """A GLM-5 memo snapshot built once per run (inside a rolled-back transaction). Rendering needs only this."""
    from django.db import transaction

    from reports.services.snapshot import memo_meta, model_snapshot_build

    with django_db_blocker.unblock(), transaction.atomic():
        world = glm5_world()
        meta = memo_meta(
            kind="model", version=1, generated_by=world.users["legal"], template_version="memo-1", subject=""
        )
        meta["id"] = 1
        snapshot = model_snapshot_build(
            model_id=world.model.pk,
            request_id=None,
            memo=meta,
            at=datetime.datetime(2026, 4, 10, 9, 0, tzinfo=datetime.UTC),
        )
        transaction.set_rollback(True)
    return snapshot


@pytest.fixture(scope="session")
def glm5_render(glm5_snapshot):
    """(RenderResult, text) of the GLM-5 memo, rendered once per run."""
    from reports.services import memo_render
    from reports.services.render import pdf_text

    result = memo_render(snapshot=glm5_snapshot)
    return result, pdf_text(result.pdf)
