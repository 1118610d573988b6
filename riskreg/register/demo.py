"""Demo requests so every queue has something in it, each with the use it is for. Idempotent: a request that
exists is left alone. The demo company works in the EU and the US; `requester` files, and is the business owner.

- Llama 4: an internal knowledge assistant in the US, approved (legal, security, procurement).
- GLM-5, three uses whose law differs (the adoption context decides role, obligations and risks):
  - an internal coding assistant, self-hosted, EU and US: in review, its risk items accepted by legal with
    residual levels, legal's approval with conditions given; security and procurement still to sign;
  - a customer chatbot under our name through Zhipu AI's API, with customers' personal data going to China (EU):
    in review;
  - a fine-tune to screen job applications (EU AI Act Annex III, point 4): a draft.
- DeepSeek-V4: drafting support replies through the developer's API, rejected by security.
- GLM-4.5: approved, then reopened by the watch alert on the Federal Register rule that lists Zhipu AI
  (90 FR 4617; the watch demo records it from a local capture), as a real alert reopens approvals.
- Qwen3: approved for a pilot ending in 21 days (the "expiring in 30 days" queue).
"""

from __future__ import annotations

import datetime

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from models_catalog.models import AIModel
from riskreg.register import services
from riskreg.register.models import AdoptionRequest, RiskItem

DEMO_NOTE = "Demo data"

#: An internal use on our own servers: staff only, nothing to the developer (the usual pilot).
INTERNAL = {
    "use_case_area": "general",
    "access": "self_hosted",
    "modification": "none",
    "users": "staff",
    "jurisdictions": ["EU", "US"],
    "personal_data": ["staff"],
}
GLM5_USES = {
    "coding": (
        "Coding assistant for the platform team",
        {**INTERNAL, "personal_data": [], "expected_users": 120},
        "internal",
    ),
    "chatbot": (
        "Customer support chatbot on our website, answering account and billing questions",
        {
            "use_case_area": "general",
            "access": "developer_api",
            "modification": "own_name",
            "users": "customers",
            "expected_users": 40_000,
            "jurisdictions": ["DE", "FR", "NL"],
            "personal_data": ["customers"],
            "data_to": "CN",
            "payments_to_developer": True,
        },
        "confidential",
    ),
    "cv": (
        "Fine-tune GLM-5 on our past hiring decisions to rank job applications for recruiters",
        {
            "use_case_area": "employment",
            "access": "self_hosted",
            "modification": "fine_tuning",
            "finetune_flop": 4.0e21,
            "users": "staff",
            "expected_users": 25,
            "jurisdictions": ["EU"],
            "personal_data": ["others", "special_categories"],
        },
        "restricted",
    ),
}

# Residual assessment legal gives to each derived rule for GLM-5 (likelihood, impact, treatment, controls).
GLM5_ASSESSMENT = {
    "sanctions_listed_party": (
        2,
        5,
        "mitigate",
        "Self-hosted published weights only; no payment, data exchange or support contract with Zhipu AI or "
        "its affiliates.",
    ),
    "training_hardware_listed_vendor": (
        2,
        4,
        "accept",
        "No Ascend hardware in our deployment; legal to follow BIS guidance on those chips.",
    ),
    "regulatory_guidance_status": (
        2,
        3,
        "mitigate",
        "Legal records the status in this jurisdiction before production use.",
    ),
    "licence_open_permissive": (2, 2, "accept", "Internal use only; no redistribution."),
    "provenance_weak_claim": (3, 2, "accept", "Re-check the training-hardware claim at each review."),
}
GLM5_CONDITIONS = "Self-hosted only; no support contract or payment to Zhipu AI or its affiliates."
# What legal records for the other approved demo requests: approval needs a residual assessment of every
# item in the matrix's two highest bands.
STANDARD_ASSESSMENT = {
    "sanctions_listed_party": (
        2,
        4,
        "mitigate",
        "No contract, payment or data exchange with the listed party; screening re-run at each list update.",
    ),
    "training_hardware_listed_vendor": (2, 3, "accept", "No listed vendor's hardware in our deployment."),
    "regulatory_guidance_status": (2, 3, "mitigate", "Legal records the status before production use."),
    "licence_open_permissive": (2, 2, "accept", "Internal use only; no redistribution."),
    "provenance_weak_claim": (3, 2, "accept", "Re-check the claim at each review."),
    "licence_terms_unknown": (2, 3, "mitigate", "Legal reads the licence before production use."),
    "licence_terms_against_use": (2, 3, "mitigate", "Meet the licence's terms; legal keeps the notices."),
    "personal_data_transfer": (3, 4, "mitigate", "Standard contractual clauses and a transfer impact assessment."),
    "high_risk_use": (3, 4, "mitigate", "Provider duties planned before 2 Dec 2027; human review of every ranking."),
    "modified_gpai_provider": (2, 3, "mitigate", "Documentation of the modification kept by the ML team."),
}


def _users(stdout) -> dict | None:
    names = ("requester", "legal", "security", "procurement")
    users = {user.username: user for user in get_user_model().objects.filter(username__in=names)}
    missing = [name for name in names if name not in users]
    if missing:
        stdout.write(f"register demo: skipped (demo users missing: {', '.join(missing)})")
        return None
    return users


def _model(slug: str, stdout) -> AIModel | None:
    model = AIModel.objects.filter(slug=slug).first()
    if model is None:
        stdout.write(f"register demo: {slug} is not in the catalog; its request is skipped")
    return model


def _existing(model: AIModel, requester, use_case: str) -> AdoptionRequest | None:
    return AdoptionRequest.objects.filter(model=model, requester=requester, use_case=use_case).first()


def _file(model, users, use_case, context: dict, classification: str) -> AdoptionRequest:
    return services.adoption_request_create(
        requester=users["requester"],
        model=model,
        use_case=use_case,
        data_classification=classification,
        context={"business_owner": users["requester"], **context},
    )


def _accept_proposals(
    request: AdoptionRequest | None, reviewer, assessment: dict | None = None, *, model: AIModel | None = None
) -> None:
    items = RiskItem.objects.filter(request=request, status=RiskItem.Status.PROPOSED)
    if request is None:
        items = items.filter(model=model)
    for item in items.order_by("pk"):
        values = {}
        if assessment and item.rule in assessment:
            likelihood, impact, treatment, controls = assessment[item.rule]
            values = {
                "residual_likelihood": min(likelihood, item.inherent_likelihood),
                "residual_impact": min(impact, item.inherent_impact),
                "treatment": treatment,
                "planned_controls": controls,
                "owner": reviewer,
                "next_review_on": timezone.localdate() + datetime.timedelta(days=90),
            }
        services.risk_item_accept(item_id=item.pk, actor=reviewer, values=values)


def _approve(request: AdoptionRequest, users, conditions: dict | None = None) -> None:
    conditions = conditions or {}
    for role in ("legal", "security", "procurement"):
        if role not in request.required_roles:
            continue
        services.sign_off_create(
            request_id=request.pk,
            signer=users[role],
            role=role,
            decision="approve_with_conditions" if role in conditions else "approve",
            conditions=conditions.get(role, ""),
            comment=f"{DEMO_NOTE}.",
        )


def approved(
    model,
    users,
    use_case,
    *,
    context: dict | None = None,
    classification: str = "internal",
    conditions: dict | None = None,
) -> AdoptionRequest:
    """File (an internal self-hosted use unless ``context`` says otherwise), assess (accept legal's proposals), submit
    and approve a request: the path every approval takes."""
    request = _file(model, users, use_case, context or INTERNAL, classification)
    _accept_proposals(request, users["legal"], STANDARD_ASSESSMENT)
    services.adoption_request_submit(request_id=request.pk, actor=users["requester"])
    _approve(request, users, conditions)
    return request


def _llama4(users, stdout) -> None:
    model = _model("llama-4", stdout)
    use_case = "Internal knowledge assistant over our policy documents"
    if model is None or _existing(model, users["requester"], use_case):
        return
    with transaction.atomic():
        request = approved(
            model,
            users,
            use_case,
            context={**INTERNAL, "jurisdictions": ["US"], "expected_users": 800},
            classification="confidential",
            conditions={"security": "Self-hosted in our own cloud account; no fine-tuning on customer data."},
        )
    stdout.write(f"register demo: Llama 4 request #{request.pk} approved")


def _glm5(users, stdout) -> None:
    model = _model("glm-5", stdout)
    if model is None:
        return
    use_case, context, classification = GLM5_USES["coding"]
    if not _existing(model, users["requester"], use_case):
        with transaction.atomic():
            request = _file(model, users, use_case, context, classification)
            _accept_proposals(request, users["legal"], GLM5_ASSESSMENT)
            services.adoption_request_submit(request_id=request.pk, actor=users["requester"])
            services.sign_off_create(
                request_id=request.pk,
                signer=users["legal"],
                role="legal",
                decision="approve_with_conditions",
                conditions=GLM5_CONDITIONS,
                comment=f"{DEMO_NOTE}. Derived risks reviewed; see residual levels.",
            )
        count = RiskItem.objects.filter(request=request).count()
        stdout.write(f"register demo: GLM-5 request #{request.pk} in review ({count} derived risk items, legal signed)")
    use_case, context, classification = GLM5_USES["chatbot"]
    if not _existing(model, users["requester"], use_case):
        with transaction.atomic():
            request = _file(model, users, use_case, context, classification)
            services.adoption_request_submit(request_id=request.pk, actor=users["requester"])
        stdout.write(f"register demo: GLM-5 customer chatbot request #{request.pk} in review")
    use_case, context, classification = GLM5_USES["cv"]
    if not _existing(model, users["requester"], use_case):
        request = _file(model, users, use_case, context, classification)
        stdout.write(f"register demo: GLM-5 CV-screening fine-tune request #{request.pk} filed as a draft")


def _deepseek_v4(users, stdout) -> None:
    model = _model("deepseek-v4", stdout)
    use_case = "Drafting replies to customer support tickets"
    if model is None or _existing(model, users["requester"], use_case):
        return
    with transaction.atomic():
        context = {
            "use_case_area": "general",
            "access": "developer_api",
            "modification": "none",
            "users": "staff",
            "jurisdictions": ["EU"],
            "personal_data": ["customers"],
            "data_to": "CN",
            "payments_to_developer": True,
        }
        request = _file(model, users, use_case, context, "confidential")
        services.adoption_request_submit(request_id=request.pk, actor=users["requester"])
        services.sign_off_create(
            request_id=request.pk,
            signer=users["security"],
            role="security",
            decision="reject",
            comment=(
                f"{DEMO_NOTE}. The vendor API would send confidential customer data to a provider we have not "
                "assessed, and the training hardware is disputed."
            ),
        )
    stdout.write(f"register demo: DeepSeek-V4 request #{request.pk} rejected")


def _glm45(users, stdout) -> None:
    model = _model("glm-4-5", stdout)
    use_case = "Translating internal documents"
    if model is None or _existing(model, users["requester"], use_case):
        return
    try:  # read through the app registry: the register does not import watch (the arrows point one way)
        alerts = apps.get_model("watch", "Alert").objects.filter(ai_models=model, change__isnull=False)
        alert = alerts.select_related("change__source").order_by("pk").first()
    except LookupError:
        alert = None
    if alert is not None:  # the same reason and reference a live alert gives (riskreg.watch.services)
        reason = f"Watch alert from {alert.change.source.name}: {alert.title}"
        reference = f"alert:{alert.pk}"
    else:  # the watch demo was not loaded
        reason = f"{DEMO_NOTE}: reopened to show the queue; no real change."
        reference = "demo:reopen"
    with transaction.atomic():
        request = approved(model, users, use_case, context={**INTERNAL, "jurisdictions": ["EU"]})
        services.adoption_requests_reopen(model_ids=[model.pk], kind="watch_alert", reason=reason, reference=reference)
    stdout.write(f"register demo: GLM-4.5 request #{request.pk} approved, then reopened ({reason})")


def _qwen3(users, stdout) -> None:
    model = _model("qwen3", stdout)
    use_case = "Pilot: summarising meeting notes"
    if model is None or _existing(model, users["requester"], use_case):
        return
    with transaction.atomic():
        request = approved(model, users, use_case)
        services.adoption_request_expiry_set(
            request_id=request.pk,
            actor=users["procurement"],
            expires_on=timezone.localdate() + datetime.timedelta(days=21),
            reason=f"{DEMO_NOTE}: approved for a three-week pilot.",
        )
    stdout.write(f"register demo: Qwen3 request #{request.pk} approved for a pilot ending in 21 days")


def _model_registers(users, stdout) -> None:
    """The model's own register (what a model memo shows): derived, then assessed by legal."""
    for slug, assessment in (("glm-5", GLM5_ASSESSMENT), ("deepseek-v4", None), ("llama-4", None)):
        model = _model(slug, stdout)
        if model is None or RiskItem.objects.filter(model=model, request=None).exists():
            continue
        with transaction.atomic():
            services.risk_items_derive(model=model, request=None, actor=users["legal"])
            _accept_proposals(None, users["legal"], assessment, model=model)
        count = RiskItem.objects.filter(model=model, request=None).count()
        if count:
            stdout.write(f"register demo: {model.name} model register ({count} derived risk items, assessed by legal)")


def load(*, stdout) -> None:
    services.risk_matrix_default_get()
    users = _users(stdout)
    if users is None:
        return
    _model_registers(users, stdout)
    before = AdoptionRequest.objects.count()
    for step in (_llama4, _glm5, _deepseek_v4, _glm45, _qwen3):
        step(users, stdout)
    if AdoptionRequest.objects.count() == before:
        stdout.write("register demo: present (nothing to add)")
