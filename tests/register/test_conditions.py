"""Conditions of approval are obligations we track (issue 21 item 6): each condition a sign-off sets becomes a record
with an owner, a due date or "ongoing", evidence and a state; it is shown where the approval is (the requester's
page, the approval email, the API, the auditors' export) and its owner finds it under "My work"."""

from __future__ import annotations

import datetime
import io
import json
import zipfile

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from riskreg.register import services
from riskreg.register.models import ApprovalCondition, RequestEvent
from riskreg.register.tasks import request_event_notify_task

LEGAL_CONDITIONS = "Self-hosted only; no support contract or payment to the developer."


@pytest.fixture
def approved_with_conditions(in_review, legal, security, procurement, django_capture_on_commit_callbacks):
    services.sign_off_create(
        request_id=in_review.pk,
        signer=legal,
        role="legal",
        decision="approve_with_conditions",
        conditions=LEGAL_CONDITIONS,
    )
    for user in (security, procurement):
        services.sign_off_create(request_id=in_review.pk, signer=user, role=user.username, decision="approve")
    in_review.refresh_from_db()
    return in_review


def test_each_condition_a_sign_off_sets_becomes_a_record_owned_by_the_business_owner(
    approved_with_conditions, requester
):
    conditions = list(ApprovalCondition.objects.filter(request=approved_with_conditions).order_by("pk"))

    assert approved_with_conditions.state == "approved"
    assert [c.text for c in conditions] == [
        "Self-hosted only.",
        "No support contract or payment to the developer.",
    ]
    assert {(c.owner, c.due, c.state, c.sign_off.role) for c in conditions} == {(requester, None, "open", "legal")}


def test_the_requesters_page_shows_the_conditions_next_to_the_approval(approved_with_conditions, requester):
    client = Client()
    client.force_login(requester)

    html = client.get(f"/requests/{approved_with_conditions.pk}/").content.decode()

    top = html[: html.index('id="missing"')]
    assert "Approved with conditions" in top
    conditions = html[html.index('data-testid="conditions"') :]
    assert "Self-hosted only." in conditions and "No support contract or payment to the developer." in conditions
    assert "ongoing" in conditions


def test_the_approval_email_lists_the_conditions_with_owner_and_due_date(approved_with_conditions):
    event = RequestEvent.objects.get(request=approved_with_conditions, kind="approved")

    request_event_notify_task(event.pk)

    body = mail.outbox[-1].body
    assert "Approved with conditions:" in body
    assert "- Self-hosted only. (set by legal; owner: requester; ongoing)" in body


def test_the_api_gives_the_conditions_with_text_owner_due_and_state(approved_with_conditions, requester, as_user):
    detail = as_user(requester).get(f"/api/adoption-requests/{approved_with_conditions.pk}/").json()

    assert [{k: c[k] for k in ("text", "owner", "due", "state")} for c in detail["conditions"]] == [
        {"text": "Self-hosted only.", "owner": "requester", "due": None, "state": "open"},
        {
            "text": "No support contract or payment to the developer.",
            "owner": "requester",
            "due": None,
            "state": "open",
        },
    ]


def test_a_reviewer_sets_a_due_date_and_the_owner_marks_it_met_only_with_evidence(
    approved_with_conditions, requester, legal, outsider
):
    condition = ApprovalCondition.objects.filter(request=approved_with_conditions).first()

    services.approval_condition_update(
        condition_id=condition.pk, actor=legal, owner=None, due=datetime.date(2027, 1, 31)
    )
    with pytest.raises(PermissionDenied):
        services.approval_condition_update(
            condition_id=condition.pk, actor=requester, owner=None, due=datetime.date(2028, 1, 1)
        )
    with pytest.raises(ValidationError):
        services.approval_condition_meet(condition_id=condition.pk, actor=requester, evidence="  ")
    with pytest.raises(PermissionDenied):
        services.approval_condition_meet(condition_id=condition.pk, actor=outsider, evidence="Deployed in our VPC.")
    met = services.approval_condition_meet(condition_id=condition.pk, actor=requester, evidence="Deployed in our VPC.")

    assert (met.due, met.state, met.evidence, met.met_by) == (
        datetime.date(2027, 1, 31),
        "met",
        "Deployed in our VPC.",
        requester,
    )
    assert RequestEvent.objects.filter(request=approved_with_conditions, kind="condition_changed").count() == 2


def test_the_owner_finds_open_conditions_under_my_work_and_an_overdue_one_flags_the_approval(
    approved_with_conditions, requester, legal
):
    first = ApprovalCondition.objects.filter(request=approved_with_conditions).first()
    services.approval_condition_update(
        condition_id=first.pk, actor=legal, owner=None, due=datetime.date.today() + datetime.timedelta(days=1)
    )
    ApprovalCondition.objects.filter(pk=first.pk).update(due=datetime.date.today() - datetime.timedelta(days=3))  # time
    owner, reviewer = Client(), Client()
    owner.force_login(requester)
    reviewer.force_login(legal)

    mine = owner.get("/").content.decode()
    theirs = reviewer.get("/").content.decode()

    mine_list = mine[mine.index('data-testid="work-list-conditions"') :]
    assert "Self-hosted only." in mine_list and 'data-testid="condition-overdue"' in mine_list
    assert "Approvals with an overdue condition" in theirs  # everyone who sees the request sees the flag
    assert 'data-testid="work-list-conditions"' not in theirs  # legal owns none


@pytest.mark.parametrize(
    ("table", "column", "expected"),
    [
        ("register-signoff", "conditions", LEGAL_CONDITIONS),
        ("register-approvalcondition", "text", "Self-hosted only."),
    ],
)
def test_the_auditors_export_has_a_sign_offs_table_and_a_conditions_table(
    approved_with_conditions, auditor, table, column, expected
):
    client = Client()
    client.force_login(auditor)
    app, model = table.split("-")
    changelist = reverse(f"admin:{app}_{model}_changelist")
    ids = client.get(changelist).context["cl"].result_list.values_list("pk", flat=True)

    response = client.post(changelist, {"action": "export_for_auditors", "_selected_action": list(ids)})

    assert response.status_code == 200, response.content[:300]
    bundle = zipfile.ZipFile(io.BytesIO(response.content))
    rows = json.loads(bundle.read(f"{table}.json"))
    assert expected in {row[column] for row in rows}
    if table == "register-signoff":
        assert {row["decision"] for row in rows} >= {"approve_with_conditions", "approve"}


def test_nobody_adds_or_changes_a_sign_off_or_condition_in_the_admin(approved_with_conditions, admin_user):
    client = Client()
    client.force_login(admin_user)
    condition = ApprovalCondition.objects.filter(request=approved_with_conditions).first()

    assert client.get(reverse("admin:register_approvalcondition_add")).status_code == 403
    page = client.get(reverse("admin:register_approvalcondition_change", args=[condition.pk]))
    assert page.status_code == 200 and b'name="_save"' not in page.content  # read, not changed
