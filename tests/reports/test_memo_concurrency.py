"""Ten simultaneous memo requests for one model all get a memo, with distinct versions (PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from django.contrib.auth.models import User
from django.db import connection

from models_catalog.models import AIModel, Organisation
from reports.models import Memo
from reports.services import memo_create

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks need PostgreSQL (DATABASE_URL=postgres://...)"
    ),
]


def race(n: int, create) -> list[str]:
    barrier = threading.Barrier(n)
    outcomes = [""] * n

    def run(index: int) -> None:
        try:
            barrier.wait()
            outcomes[index] = f"v{create().version}"
        except Exception as exc:  # the outcome under test
            outcomes[index] = f"{type(exc).__name__}: {exc}"
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_ten_simultaneous_memos_of_one_model_all_get_distinct_versions():
    user = User.objects.create_user("race-legal")
    org = Organisation.objects.create(name="Race Org", country="US")
    model = AIModel.objects.create(name="Race Model", family="R", developer=org, licence="MIT", weights="open")

    outcomes = race(10, lambda: memo_create(kind=Memo.Kind.MODEL, model=model, user=user))

    assert sorted(outcomes, key=lambda o: int(o[1:]) if o.startswith("v") else 0) == [f"v{i}" for i in range(1, 11)]
    assert sorted(Memo.objects.filter(model=model).values_list("version", flat=True)) == list(range(1, 11))


def test_ten_simultaneous_portfolio_memos_get_distinct_versions():
    outcomes = race(10, lambda: memo_create(kind=Memo.Kind.PORTFOLIO))

    assert all(o.startswith("v") for o in outcomes), outcomes
    assert sorted(Memo.objects.filter(kind="portfolio").values_list("version", flat=True)) == list(range(1, 11))
