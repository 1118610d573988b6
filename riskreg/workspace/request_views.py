"""The request page: file, submit, assess and sign off an adoption request on one page.

Each view checks who may read the request (a requester only their own: 404 otherwise), calls one service of
riskreg.register and shows its refusal next to the form that caused it, with what was typed kept. The
register's rules (separation of duties, what approval needs, matrix bounds) live in the services only.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from models_catalog.models import AIModel
from reports.selectors import memo_can_generate
from riskreg.register import services
from riskreg.register.context import CONTEXT_FIELDS
from riskreg.register.models import AdoptionRequest, RiskItem
from riskreg.register.services import SignOffConflict
from riskreg.workspace.forms import (
    AdoptionRequestForm,
    ConditionForm,
    ConsiderForm,
    RiskItemAddForm,
    RiskItemAssessmentForm,
    SignOffForm,
    WithdrawForm,
)
from riskreg.workspace.request_selectors import item_prefill, request_page, request_preview
from riskreg.workspace.views import page_context, require_a_role


def _messages_of(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [message for messages_ in error.message_dict.values() for message in messages_]
    return list(error.messages)


def _render_page(
    request,
    *,
    request_id: int,
    status: int = 200,
    item_forms: dict[int, RiskItemAssessmentForm] | None = None,
    sign_off_form: SignOffForm | None = None,
    refusal: str = "",
    refusal_at: str = "",
    refusal_item: int | None = None,
    add_item_form: RiskItemAddForm | None = None,
    condition_forms: dict | None = None,
    consider_form: ConsiderForm | None = None,
):
    page = request_page(request_id=request_id, user=request.user)
    condition_forms = condition_forms or {}
    for condition in page.conditions:
        condition.form = condition_forms.get(condition.pk) or ConditionForm(
            prefix=f"condition-{condition.pk}",
            initial={"owner": condition.owner.get_username() if condition.owner_id else None, "due": condition.due},
        )
    item_forms = item_forms or {}
    for row in page.rows:
        if row.item.pk in item_forms:
            row.form = item_forms[row.item.pk]
        else:
            initial = (
                row.prefill
                if row.needs_accepting
                else {
                    name: getattr(row.item, name)
                    for name in ("residual_likelihood", "residual_impact", "treatment", "planned_controls")
                }
            )
            row.form = RiskItemAssessmentForm(matrix=row.item.matrix, initial=initial, prefix=f"item-{row.item.pk}")
    if sign_off_form is None and page.sign_off_roles:
        sign_off_form = SignOffForm(roles=page.sign_off_roles)
    adoption = page.request
    return render(
        request,
        "workspace/requests/detail.html",
        page_context(
            request,
            title=f"Request #{adoption.pk}: {adoption.model.name}",
            page=page,
            adoption=adoption,
            sign_off_form=sign_off_form,
            add_item_form=add_item_form
            or (RiskItemAddForm(matrix=adoption.matrix, prefix="add") if page.can_add_item else None),
            consider_form=consider_form,
            refusal=refusal,
            refusal_at=refusal_at,
            refusal_item=refusal_item,
            can_generate_memo=memo_can_generate(user=request.user),
            is_nav_sidebar_enabled=False,
            nav="requests",
        ),
        status=status,
    )


@login_required
@require_GET
def request_detail(request, request_id: int):
    require_a_role(request.user)
    return _render_page(request, request_id=request_id)


@login_required
@require_http_methods(["GET", "POST"])
def request_new(request):
    """File a request. `?model=<slug>` (the dossier's *Request adoption*) chooses the model and shows at once
    what the register will propose for it."""
    require_a_role(request.user)
    if not request.user.has_perm("register.add_adoptionrequest"):
        raise PermissionDenied(
            "Filing an adoption request needs the requester role. An administrator adds you to the requester "
            "group in Authentication > Users."
        )
    refusal = ""
    duplicates = []
    if request.method == "POST":
        form = AdoptionRequestForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            duplicates = _duplicates(request.user, data) if not request.POST.get("file_anyway") else []
        if form.is_valid() and not duplicates:
            data = form.cleaned_data
            try:
                adoption = services.adoption_request_create(
                    requester=request.user,
                    model=data["model"],
                    use_case=data["use_case"],
                    data_classification=data["data_classification"],
                    context=form.context(),
                )
            except ValidationError as error:
                _errors_onto(form, error)
            except PermissionDenied as error:
                refusal = str(error)
            else:
                messages.success(
                    request,
                    f"Request #{adoption.pk} filed as a draft. Check the risk items below, then submit it for review.",
                )
                return redirect("workspace:request-detail", request_id=adoption.pk)
    else:
        # The requester is the business owner unless they name someone else: the usual case, one choice fewer.
        form = AdoptionRequestForm(
            initial={"model": request.GET.get("model") or None, "business_owner": request.user.get_username()}
        )
    model = _chosen_model(form)
    status = 200 if request.method == "GET" or (form.is_valid() and not refusal) else 400
    return render(
        request,
        "workspace/requests/new.html",
        page_context(
            request,
            title="Request adoption of a model",
            form=form,
            model=model,
            preview=request_preview(model=model) if model else None,
            refusal=refusal,
            duplicates=duplicates,
            is_nav_sidebar_enabled=False,
            nav="requests",
        ),
        status=403 if refusal else status,
    )


def _duplicates(user, data: dict) -> list:
    """Open requests the user may see for the same model and use: filing another is probably a mistake, so the
    page says so, with links, and files only when asked again."""
    found = services.adoption_requests_open_for(
        model=data["model"], use_case_area=data["use_case_area"], jurisdictions=data["jurisdictions"].split(",")
    )
    visible = set(AdoptionRequest.objects.visible_to(user).values_list("pk", flat=True))
    return [r for r in found if r.pk in visible]


def _chosen_model(form: AdoptionRequestForm) -> AIModel | None:
    slug = form.data.get("model") if form.is_bound else form.initial.get("model")
    if not slug:
        return None
    return AIModel.objects.select_related("developer").filter(slug=slug).first()


@login_required
@require_GET
def request_preview_fragment(request):
    """The preview alone, for requests.js to swap in when the model changes (no page reload)."""
    require_a_role(request.user)
    if not request.user.has_perm("register.add_adoptionrequest"):
        raise PermissionDenied("Filing an adoption request needs the requester role.")
    model = AIModel.objects.select_related("developer").filter(slug=request.GET.get("model", "")).first()
    return render(
        request,
        "workspace/requests/includes/preview.html",
        {"model": model, "preview": request_preview(model=model) if model else None},
    )


@login_required
@require_POST
def request_submit(request, request_id: int):
    require_a_role(request.user)
    request_page(request_id=request_id, user=request.user)  # 404 when not readable
    try:
        services.adoption_request_submit(request_id=request_id, actor=request.user)
    except PermissionDenied as error:
        return _render_page(request, request_id=request_id, status=403, refusal=str(error), refusal_at="submit")
    except ValidationError as error:
        return _render_page(
            request, request_id=request_id, status=400, refusal=" ".join(_messages_of(error)), refusal_at="submit"
        )
    messages.success(request, "Submitted for review. Legal, security and procurement see it in their queue now.")
    return redirect("workspace:request-detail", request_id=request_id)


def _item_of(request, request_id: int, item_id: int) -> RiskItem:
    request_page(request_id=request_id, user=request.user)  # 404 when the request is not readable
    return get_object_or_404(RiskItem.objects.select_related("matrix"), pk=item_id, request_id=request_id)


@login_required
@require_POST
def risk_item_assess(request, request_id: int, item_id: int):
    """Accept a proposed item (or its pending change) with the residual assessment typed, or change the
    assessment of an accepted one."""
    require_a_role(request.user)
    item = _item_of(request, request_id, item_id)
    form = RiskItemAssessmentForm(request.POST, matrix=item.matrix, prefix=f"item-{item.pk}")
    if not form.is_valid():
        return _render_page(request, request_id=request_id, status=400, item_forms={item.pk: form})
    accepting = item.status == RiskItem.Status.PROPOSED or item.proposal is not None
    try:
        if accepting:
            services.risk_item_accept(item_id=item.pk, actor=request.user, values=form.values())
        else:
            services.risk_item_update(item_id=item.pk, actor=request.user, values=form.values())
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            _errors_onto(form, error)
        else:
            form.add_error(None, error.messages)
        return _render_page(request, request_id=request_id, status=400, item_forms={item.pk: form})
    except PermissionDenied as error:
        return _render_page(
            request,
            request_id=request_id,
            status=403,
            item_forms={item.pk: form},
            refusal=str(error),
            refusal_at="item",
            refusal_item=item.pk,
        )
    messages.success(request, f"{'Accepted' if accepting else 'Saved'}: {item.title}.")
    return redirect(reverse("workspace:request-detail", args=[request_id]) + f"#item-{item.pk}")


@login_required
@require_POST
def risk_items_accept_all(request, request_id: int):
    """Accept every proposed item as prefilled (the model's accepted assessment of the same risk where there is
    one), all or nothing: one refusal keeps every item as it was."""
    require_a_role(request.user)
    page = request_page(request_id=request_id, user=request.user)
    items = [row.item for row in page.rows if row.needs_accepting]
    try:
        with transaction.atomic():
            for item in items:
                services.risk_item_accept(item_id=item.pk, actor=request.user, values=item_prefill(item=item))
    except PermissionDenied as error:
        return _render_page(request, request_id=request_id, status=403, refusal=str(error), refusal_at="accept-all")
    except ValidationError as error:
        return _render_page(
            request, request_id=request_id, status=400, refusal=" ".join(_messages_of(error)), refusal_at="accept-all"
        )
    messages.success(request, f"Accepted {len(items)} risk item{'s' if len(items) != 1 else ''} as prefilled.")
    return redirect(reverse("workspace:request-detail", args=[request_id]) + "#sign-off")


@login_required
@require_POST
def request_sign_off(request, request_id: int):
    require_a_role(request.user)
    page = request_page(request_id=request_id, user=request.user)
    roles = page.sign_off_roles or [(value, value) for value in (request.POST.get("role", ""),) if value]
    form = SignOffForm(request.POST, roles=roles)
    if not form.is_valid():
        return _render_page(request, request_id=request_id, status=400, sign_off_form=form)
    data = form.cleaned_data
    try:
        services.sign_off_create(
            request_id=request_id,
            signer=request.user,
            role=data["role"],
            decision=data["decision"],
            comment=data["comment"],
            conditions=data["conditions"],
        )
    except ValidationError as error:
        _errors_onto(form, error)
        return _render_page(request, request_id=request_id, status=400, sign_off_form=form)
    except PermissionDenied as error:
        return _render_page(
            request, request_id=request_id, status=403, sign_off_form=form, refusal=str(error), refusal_at="sign-off"
        )
    except SignOffConflict as error:
        return _render_page(
            request, request_id=request_id, status=409, sign_off_form=form, refusal=str(error), refusal_at="sign-off"
        )
    messages.success(request, "Your sign-off is recorded.")
    return redirect(reverse("workspace:request-detail", args=[request_id]) + "#sign-offs")


def _errors_onto(form, error: ValidationError) -> None:
    """A service's refusal by field shown on the form: next to the field it names, else above the form."""
    for name, errors in error.message_dict.items():
        form.add_error(name if name in form.fields else None, errors)


def _to_page(request_id: int, anchor: str = "") -> HttpResponseRedirect:
    return redirect(reverse("workspace:request-detail", args=[request_id]) + (f"#{anchor}" if anchor else ""))


@login_required
@require_http_methods(["GET", "POST"])
def request_edit(request, request_id: int):
    """The requester changes their draft: the same form as filing, with what was filed; the register derives
    the risk items again for the changed use."""
    require_a_role(request.user)
    page = request_page(request_id=request_id, user=request.user)
    adoption = page.request
    if not page.can_edit:
        raise PermissionDenied("Only the requester changes a request, and only while it is a draft.")
    if request.method == "POST":
        form = AdoptionRequestForm(request.POST)
        form.fields["model"].disabled = True
        form.fields["model"].initial = adoption.model.slug
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.adoption_request_update(
                    request_id=adoption.pk,
                    actor=request.user,
                    use_case=data["use_case"],
                    data_classification=data["data_classification"],
                    context=form.context(),
                )
            except ValidationError as error:
                _errors_onto(form, error)
            else:
                messages.success(request, "Saved. The register proposed the risk items again for the use as it is now.")
                return _to_page(adoption.pk)
    else:
        form = AdoptionRequestForm(initial=_form_initial(adoption))
        form.fields["model"].disabled = True
    return render(
        request,
        "workspace/requests/edit.html",
        page_context(
            request,
            title=f"Change request #{adoption.pk}: {adoption.model.name}",
            form=form,
            adoption=adoption,
            is_nav_sidebar_enabled=False,
            nav="requests",
        ),
        status=400 if request.method == "POST" else 200,
    )


def _form_initial(adoption) -> dict:
    initial = {name: getattr(adoption, name) for name in CONTEXT_FIELDS if name != "business_owner"}
    initial["jurisdictions"] = ", ".join(adoption.jurisdictions or [])
    initial["finetune_flop"] = f"{adoption.finetune_flop:g}" if adoption.finetune_flop else ""
    initial["business_owner"] = adoption.business_owner.get_username() if adoption.business_owner_id else None
    initial.update(
        model=adoption.model.slug, use_case=adoption.use_case, data_classification=adoption.data_classification
    )
    return initial


@login_required
@require_POST
def request_withdraw(request, request_id: int):
    require_a_role(request.user)
    request_page(request_id=request_id, user=request.user)  # 404 when not readable
    form = WithdrawForm(request.POST)
    reason = form.cleaned_data.get("reason", "") if form.is_valid() else ""
    try:
        services.adoption_request_withdraw(request_id=request_id, actor=request.user, reason=reason)
    except (PermissionDenied, ValidationError) as error:
        status = 403 if isinstance(error, PermissionDenied) else 400
        text = str(error) if isinstance(error, PermissionDenied) else " ".join(_messages_of(error))
        return _render_page(request, request_id=request_id, status=status, refusal=text, refusal_at="withdraw")
    messages.success(request, "Withdrawn. It stays on record; file a new request for another use.")
    return _to_page(request_id)


@login_required
@require_POST
def risk_item_add(request, request_id: int):
    """A reviewer adds a risk item the rules did not propose (accepted as entered, in the timeline)."""
    require_a_role(request.user)
    page = request_page(request_id=request_id, user=request.user)
    form = RiskItemAddForm(request.POST, matrix=page.request.matrix, prefix="add")
    if form.is_valid():
        try:
            item = services.risk_item_create(
                actor=request.user, model=page.request.model, request=page.request, values=form.cleaned_data
            )
        except PermissionDenied as error:
            return _render_page(request, request_id=request_id, status=403, refusal=str(error), refusal_at="add-item")
        except ValidationError as error:
            _errors_onto(form, error)
        else:
            messages.success(request, f"Added: {item.title}.")
            return _to_page(request_id, f"item-{item.pk}")
    return _render_page(request, request_id=request_id, status=400, add_item_form=form)


@login_required
@require_POST
def request_condition(request, request_id: int, condition_id: int):
    """A reviewer sets a condition's owner and due date; its owner (or a reviewer) records the evidence it is met."""
    require_a_role(request.user)
    page = request_page(request_id=request_id, user=request.user)
    condition = next((c for c in page.conditions if c.pk == condition_id), None)
    if condition is None:
        raise Http404("No such condition on this request.")
    form = ConditionForm(request.POST, prefix=f"condition-{condition.pk}")
    if not form.is_valid():
        return _render_page(request, request_id=request_id, status=400, condition_forms={condition.pk: form})
    data = form.cleaned_data
    try:
        if data.get("evidence"):
            services.approval_condition_meet(condition_id=condition.pk, actor=request.user, evidence=data["evidence"])
        elif page.can_set_conditions:
            services.approval_condition_update(
                condition_id=condition.pk,
                actor=request.user,
                owner=data.get("owner"),
                due=data.get("due"),
                clear_due=data.get("due") is None,
            )
        else:
            raise ValidationError({"evidence": ["Say what shows the condition met."]})
    except PermissionDenied as error:
        return _render_page(request, request_id=request_id, status=403, refusal=str(error), refusal_at="conditions")
    except ValidationError as error:
        _errors_onto(form, error)
        return _render_page(request, request_id=request_id, status=400, condition_forms={condition.pk: form})
    messages.success(request, "The condition is updated.")
    return _to_page(request_id, "conditions")


@login_required
@require_POST
def request_obligation_consider(request, request_id: int):
    """A reviewer records that a new obligation within the approval's validity was considered, and why."""
    require_a_role(request.user)
    request_page(request_id=request_id, user=request.user)
    form = ConsiderForm(request.POST)
    if not form.is_valid():
        return _render_page(request, request_id=request_id, status=400, consider_form=form)
    try:
        services.obligation_consider(
            request_id=request_id,
            obligation_id=form.cleaned_data["obligation"],
            actor=request.user,
            reason=form.cleaned_data["reason"],
        )
    except PermissionDenied as error:
        return _render_page(request, request_id=request_id, status=403, refusal=str(error), refusal_at="review")
    except ValidationError as error:
        return _render_page(
            request, request_id=request_id, status=400, refusal=" ".join(_messages_of(error)), refusal_at="review"
        )
    messages.success(request, "Recorded: the obligation was considered; the approval is no longer flagged for it.")
    return _to_page(request_id, "missing")
