"""The admin: queues, the request page with sign-offs and timeline, sign-off through the same service."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from riskreg.register import services
from riskreg.register.models import SignOff
from tests.conftest import staff_client
from tests.factories import use

CHANGELIST = "/admin/register/adoptionrequest/"


def listed_ids(answer) -> set[int]:
    return {obj.pk for obj in answer.context["cl"].result_list}


def test_waiting_for_my_sign_off_lists_what_i_still_have_to_sign(in_review, legal, security):
    services.sign_off_create(request_id=in_review.pk, signer=legal, role="legal", decision="approve")

    assert listed_ids(staff_client(legal).get(CHANGELIST, {"queue": "mine"})) == set()
    assert listed_ids(staff_client(security).get(CHANGELIST, {"queue": "mine"})) == {in_review.pk}


def test_the_reopened_queue(approved, llama4, admin_user):
    services.adoption_requests_reopen(model_ids=[llama4.pk], kind="watch_alert", reason="x", reference="a")

    assert listed_ids(staff_client(admin_user).get(CHANGELIST, {"queue": "reopened"})) == {approved.pk}


def test_the_expiring_in_30_days_queue(approved, procurement, admin_user):
    assert listed_ids(staff_client(admin_user).get(CHANGELIST, {"queue": "expiring"})) == set()

    services.adoption_request_expiry_set(
        request_id=approved.pk,
        actor=procurement,
        expires_on=timezone.localdate() + datetime.timedelta(days=20),
        reason="Pilot",
    )

    assert listed_ids(staff_client(admin_user).get(CHANGELIST, {"queue": "expiring"})) == {approved.pk}


def test_the_request_page_shows_sign_offs_risk_items_and_timeline(approved, legal):
    answer = staff_client(legal).get(f"{CHANGELIST}{approved.pk}/change/")

    assert answer.status_code == 200
    html = answer.content.decode()
    assert "sign-offs (every round, kept for the record)" in html.lower()
    assert SignOff.objects.filter(request=approved).first().risk_state_sha256 in html
    assert "Approved" in html and "timeline" in html.lower()


def test_the_admin_signs_off_through_the_request_pages_one_form(in_review, legal):
    """One door for signing off (issue 25 item 6): the admin's two forms had drifted apart."""
    client = staff_client(legal)

    change = client.get(f"{CHANGELIST}{in_review.pk}/change/").content.decode()
    old_link = client.get(f"{CHANGELIST}{in_review.pk}/sign-off/")

    assert f'href="/requests/{in_review.pk}/#sign-off"' in change and "Sign off on the request page" in change
    assert (old_link.status_code, old_link["Location"]) == (302, f"/requests/{in_review.pk}/#sign-off")
    assert not SignOff.objects.exists()


def test_the_admins_add_button_opens_the_request_page_form_and_the_list_submits(requester, llama4):
    """One door for filing: the admin's add page sends the requester to the form that asks for the use."""
    client = staff_client(requester)

    answer = client.get(f"{CHANGELIST}add/")
    assert (answer.status_code, answer["Location"]) == (302, "/requests/new/")
    request = services.adoption_request_create(
        requester=requester,
        model=llama4,
        use_case="Draft replies",
        data_classification="internal",
        context=use(requester),
    )

    client.post(CHANGELIST, {"action": "submit_selected", "_selected_action": [request.pk]})

    request.refresh_from_db()
    assert request.state == "in_review"


def offered_actions(client, page) -> set[str]:
    form = client.get(page).context["action_form"]  # None when no action is offered
    return set() if form is None else {name for name, _ in form.fields["action"].choices if name}


def test_each_role_is_offered_only_the_actions_it_may_take(in_review, requester, legal, auditor):
    """Found in review: the auditor was offered Submit, Withdraw, Accept and Generate memo (all refused)."""
    export = "export_for_auditors"  # every reader may export what they read (riskreg/core/exports.py)
    assert offered_actions(staff_client(auditor), CHANGELIST) == {export}
    assert offered_actions(staff_client(auditor), "/admin/register/riskitem/") == {export}
    assert offered_actions(staff_client(requester), CHANGELIST) == {"submit_selected", "withdraw_selected", export}
    assert offered_actions(staff_client(legal), CHANGELIST) == {"generate_request_memo", export}
    assert offered_actions(staff_client(legal), "/admin/register/riskitem/") == {"accept_proposals", export}
    assert "generate_model_memo" not in offered_actions(staff_client(requester), "/admin/models_catalog/aimodel/")


@pytest.mark.parametrize("page", ["/admin/register/riskitem/", "/admin/register/riskmatrix/"])
def test_risk_item_and_matrix_pages_open(page, approved, admin_user):
    assert staff_client(admin_user).get(page).status_code == 200


def test_another_requester_cannot_read_a_request_through_its_history_pages(in_review, requester):
    """Found in review: simple-history fell back to the last record for objects outside the queryset."""
    from django.contrib.auth.models import Group, User

    other = User.objects.create_user("requester2", password="x", is_staff=True)
    other.groups.add(Group.objects.get(name="requester"))
    browser = Client()
    browser.force_login(other)
    record = in_review.history.latest("history_date")
    item = in_review.risk_items.first()

    assert browser.get(f"/admin/register/adoptionrequest/{in_review.pk}/history/").status_code == 403
    assert (
        browser.get(f"/admin/register/adoptionrequest/{in_review.pk}/history/{record.history_id}/").status_code == 403
    )
    if item is not None:
        assert browser.get(f"/admin/register/riskitem/{item.pk}/history/").status_code == 403


def test_the_requester_reads_the_history_of_their_own_request(in_review, requester):
    browser = Client()
    browser.force_login(requester)

    assert browser.get(f"/admin/register/adoptionrequest/{in_review.pk}/history/").status_code == 200


def test_risk_level_badges_in_the_admin_read_at_4_5_to_1_or_better_on_every_default_colour():
    """Issue 23 item 8: white on the default matrix's amber (#f9a825) was 1.97:1, 15 axe findings on a request."""
    from riskreg.register.admin import luminance, text_on
    from riskreg.register.matrices import DEFAULT_MATRIX

    def contrast(a: str, b: str) -> float:
        high, low = sorted((luminance(a), luminance(b)), reverse=True)
        return (high + 0.05) / (low + 0.05)

    for band in DEFAULT_MATRIX["bands"]:
        text = "#ffffff" if text_on(band["colour"]) == "#fff" else text_on(band["colour"])
        assert contrast(text, band["colour"]) >= 4.5, band
