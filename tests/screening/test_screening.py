"""Screening organisations, reviewing hits, and when screening runs."""

from __future__ import annotations

from unittest import mock

import pytest

from models_catalog.models import AIModel
from riskreg.core.errors import BadInput
from riskreg.core.events import material_change
from riskreg.screening.models import ScreeningHit
from riskreg.screening.selectors import list_hits_by_organisation
from riskreg.screening.services import (
    ReviewError,
    organisation_screen,
    sanctions_list_import,
    screening_hit_review,
)
from riskreg.screening.tasks import screening_run_all, screening_run_organisation
from tests.reactions import applied_on_commit
from tests.screening.conftest import SMALL_SDN_ROWS, sdn_bytes


@pytest.fixture
def sdn(db, small_sdn):
    return sanctions_list_import(list_code="ofac-sdn", data=small_sdn, source_name="sdn.csv").version


@pytest.fixture
def raybeam(make_org):
    return make_org("Raybeam Optronics Company Limited", short_name="Raybeam")


def test_a_matching_organisation_gets_a_potential_hit_with_score_reasons_and_version(sdn, raybeam):
    result = organisation_screen(organisation_id=raybeam.pk)

    (hit,) = ScreeningHit.objects.all()
    assert result.created == 1
    assert hit.status == ScreeningHit.Status.POTENTIAL
    assert hit.entry.external_id == "22685"
    assert hit.score == 100.0
    assert hit.reasons
    assert hit.algorithm_version


def test_screening_twice_writes_nothing_the_second_time(sdn, raybeam):
    organisation_screen(organisation_id=raybeam.pk)
    history = ScreeningHit.history.count()

    result = organisation_screen(organisation_id=raybeam.pk)

    assert (result.created, result.updated, result.removed) == (0, 0, 0)
    assert ScreeningHit.history.count() == history


def test_an_organisation_with_only_generic_words_in_common_gets_no_hit(sdn, make_org):
    org = make_org("Beijing Sunlight Technology Co., Ltd.")

    organisation_screen(organisation_id=org.pk)

    assert not ScreeningHit.objects.exists()


def test_an_identifier_match_is_a_hit_whatever_the_name(sdn, make_org):
    org = make_org("Some Other Name Ltd", identifiers={"uscc": "91110117663725176G"})

    organisation_screen(organisation_id=org.pk)

    (hit,) = ScreeningHit.objects.all()
    assert hit.entry.external_id == "22687"
    assert hit.score == 100.0


def test_legal_confirms_a_hit_with_a_reason_and_the_models_with_that_organisation_are_announced(
    sdn, raybeam, legal, django_capture_on_commit_callbacks
):
    model = AIModel.objects.create(name="Ray-1", slug="ray-1", family="Ray", developer=raybeam, licence="MIT")
    organisation_screen(organisation_id=raybeam.pk)
    hit = ScreeningHit.objects.get()
    received = []
    material_change.connect(lambda **kw: received.append(kw), weak=False, dispatch_uid="test-screening")
    try:
        with applied_on_commit(django_capture_on_commit_callbacks):
            screening_hit_review(hit_id=hit.pk, user=legal, decision="confirmed", reason="Same USCC as the SDN entry")
    finally:
        material_change.disconnect(dispatch_uid="test-screening")

    hit.refresh_from_db()
    assert hit.status == "confirmed"
    assert hit.reviewed_by == legal
    assert hit.review_reason == "Same USCC as the SDN entry"
    assert received[0]["model_ids"] == [model.pk]
    assert received[0]["kind"] == "screening_hit"
    assert received[0]["reference"] == f"screening-hit:{hit.pk}"
    assert hit.history.first().history_user == legal


def test_a_decision_needs_a_reason(sdn, raybeam, legal):
    organisation_screen(organisation_id=raybeam.pk)

    with pytest.raises(BadInput, match="reason"):
        screening_hit_review(hit_id=ScreeningHit.objects.get().pk, user=legal, decision="dismissed", reason="  ")


@pytest.mark.parametrize("who", ["requester", "security", "procurement", "auditor", "outsider"])
def test_only_legal_may_review_hits(sdn, raybeam, request, who):
    organisation_screen(organisation_id=raybeam.pk)
    user = request.getfixturevalue(who)

    with pytest.raises(ReviewError, match="only legal"):
        screening_hit_review(hit_id=ScreeningHit.objects.get().pk, user=user, decision="confirmed", reason="x")


def test_a_dismissed_hit_stays_dismissed_across_reimports_while_the_entry_is_unchanged(sdn, raybeam, legal):
    organisation_screen(organisation_id=raybeam.pk)
    hit = ScreeningHit.objects.get()
    screening_hit_review(hit_id=hit.pk, user=legal, decision="dismissed", reason="Different company")
    other_rows = [*SMALL_SDN_ROWS, SMALL_SDN_ROWS[0].replace("306", "307").replace("BANCO NACIONAL", "BANCO OTRO")]
    sanctions_list_import(list_code="ofac-sdn", data=sdn_bytes(other_rows), source_name="next")

    organisation_screen(organisation_id=raybeam.pk)

    hit.refresh_from_db()
    assert hit.status == "dismissed"


def test_a_dismissed_hit_is_reopened_when_its_entry_changes(sdn, raybeam, legal):
    organisation_screen(organisation_id=raybeam.pk)
    hit = ScreeningHit.objects.get()
    screening_hit_review(hit_id=hit.pk, user=legal, decision="dismissed", reason="Different company")
    changed = [row.replace("LIU, Baoxia", "LIU, Someone") for row in SMALL_SDN_ROWS]
    sanctions_list_import(list_code="ofac-sdn", data=sdn_bytes(changed), source_name="next")

    result = organisation_screen(organisation_id=raybeam.pk)

    hit.refresh_from_db()
    assert result.reopened == 1
    assert hit.status == "potential"
    assert hit.reviewed_by is None
    assert [h.status for h in hit.history.order_by("history_date")] == ["potential", "dismissed", "potential"]


def test_a_potential_hit_that_no_longer_matches_is_removed_but_reviewed_ones_are_kept(sdn, raybeam, make_org, legal):
    sunway = make_org("Sunway Tech Co Ltd")
    organisation_screen(organisation_id=raybeam.pk)
    organisation_screen(organisation_id=sunway.pk)
    screening_hit_review(
        hit_id=ScreeningHit.objects.get(organisation=sunway).pk, user=legal, decision="confirmed", reason="Same"
    )
    raybeam.name, raybeam.short_name = "Entirely Renamed Holdings", ""
    raybeam.save()
    sunway.name = "Sunway Renamed Holdings"
    sunway.save()

    organisation_screen(organisation_id=raybeam.pk)
    organisation_screen(organisation_id=sunway.pk)

    assert list(ScreeningHit.objects.values_list("organisation__name", "status")) == [
        ("Sunway Renamed Holdings", "confirmed")
    ]


def test_exposure_lists_confirmed_and_potential_hits_with_citation_and_reviewer(sdn, raybeam, legal):
    organisation_screen(organisation_id=raybeam.pk)
    hit = ScreeningHit.objects.get()
    screening_hit_review(hit_id=hit.pk, user=legal, decision="confirmed", reason="Same USCC")

    (item,) = list_hits_by_organisation(organisation_ids=[raybeam.pk])[raybeam.pk]

    assert item["list_code"] == "ofac-sdn"
    assert item["entry_id"] == "22685"
    assert item["status"] == "confirmed"
    assert item["reviewed_by"] == "legal"
    assert item["reason"] == "Same USCC"


def test_exposure_leaves_out_dismissed_hits(sdn, raybeam, legal):
    organisation_screen(organisation_id=raybeam.pk)
    screening_hit_review(hit_id=ScreeningHit.objects.get().pk, user=legal, decision="dismissed", reason="No")

    assert list_hits_by_organisation(organisation_ids=[raybeam.pk]) == {raybeam.pk: []}


# --- when screening runs ---------------------------------------------------------------------------------


def test_creating_an_organisation_dispatches_its_screening_after_commit(db, django_capture_on_commit_callbacks):
    from models_catalog.models import Organisation

    with mock.patch.object(screening_run_organisation, "delay") as delay:
        with django_capture_on_commit_callbacks(execute=True):
            org = Organisation.objects.create(name="New Co", country="US")

    delay.assert_called_once_with(organisation_id=org.pk)


def test_changing_names_dispatches_screening_but_changing_notes_does_not(make_org, django_capture_on_commit_callbacks):
    org = make_org("Old Name Ltd")

    with mock.patch.object(screening_run_organisation, "delay") as delay:
        with django_capture_on_commit_callbacks(execute=True):
            org.notes = "a note"
            org.save()
        assert delay.call_count == 0
        with django_capture_on_commit_callbacks(execute=True):
            org.aliases = ["Another Name"]
            org.save()

    delay.assert_called_once_with(organisation_id=org.pk)


def test_the_organisation_task_screens_and_tolerates_a_deleted_organisation(sdn, raybeam):
    assert screening_run_organisation.apply(kwargs={"organisation_id": raybeam.pk}).get()["created"] == 1
    assert screening_run_organisation.apply(kwargs={"organisation_id": 999999}).get()["created"] == 0


def test_the_run_all_task_screens_every_organisation_and_is_idempotent(sdn, raybeam, make_org):
    make_org("Sunway Technology Co., Ltd.")

    first = screening_run_all.apply(kwargs={"list_version_id": sdn.pk}).get()
    second = screening_run_all.apply(kwargs={"list_version_id": sdn.pk}).get()

    assert first["created"] == 2
    assert second == {"created": 0, "updated": 0, "reopened": 0, "removed": 0}


def test_the_run_all_task_skips_a_version_no_longer_in_force(sdn, raybeam):
    sanctions_list_import(
        list_code="ofac-sdn",
        data=sdn_bytes([*SMALL_SDN_ROWS, SMALL_SDN_ROWS[0].replace("306", "308")]),
        source_name="n",
    )

    assert "skipped" in screening_run_all.apply(kwargs={"list_version_id": sdn.pk}).get()


def test_screening_tasks_declare_retries():
    for task in (screening_run_all, screening_run_organisation):
        assert task.max_retries == 5
        assert task.autoretry_for
