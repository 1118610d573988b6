"""The register in the admin: queues, read-only sign-offs and timeline, sign-off through the service.

Nothing here writes a request, a sign-off or a risk item directly: every change calls the
same service the API calls, so the rules (transition table, separation of duties, matrix
bounds, history) are the same wherever a person acts.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import NoReverseMatch, path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from riskreg.core.admin import ReadOnlyAdminMixin, ScopedHistoryAdmin
from riskreg.core.errors import message_error
from riskreg.core.extensions import ExtensibleAdmin
from riskreg.core.selectors import users_visible_to
from riskreg.register import services
from riskreg.register.context import CONTEXT_FIELDS
from riskreg.register.models import AdoptionRequest, ApprovalCondition, RiskItem, RiskMatrix, SignOff
from riskreg.register.obligations import approvals_to_review
from riskreg.register.selectors import (
    adoption_requests_expiring,
    adoption_requests_open_for_risk_items,
    adoption_requests_waiting_for,
    risk_level,
    risk_matrix_in_use,
    roles_missing,
    sign_off_status,
    user_is_reviewer,
)
from riskreg.register.wording import (
    decision_label,
    event_sentence,
    fact_sentences,
    human_datetime,
    person_name,
    role_label,
)
from riskreg.register.workflow import OPEN_STATES, REVIEW_STATES


def luminance(colour: str) -> float:
    """WCAG 2 relative luminance of a #rrggbb colour."""
    channels = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def text_on(colour: str) -> str:
    """White or near-black, whichever reads better on the level's colour (WCAG contrast): white on the
    default matrix's amber #f9a825 was 1.97:1 (issue 23 item 8), #1d1d1d on it is 8.6:1."""
    try:
        background = luminance(colour)
    except (ValueError, IndexError):
        return "#fff"
    on_white = 1.05 / (background + 0.05)
    on_dark = (background + 0.05) / (luminance("#1d1d1d") + 0.05)
    return "#fff" if on_white >= on_dark else "#1d1d1d"


def _level_badge(matrix, likelihood, impact):
    level = risk_level(matrix=matrix, likelihood=likelihood, impact=impact)
    if level is None:
        return "-"
    return format_html(
        '<span style="background:{};color:{};padding:1px 6px;border-radius:3px;white-space:nowrap">{} ({})</span>',
        level["colour"],
        text_on(level["colour"]),
        level["name"],
        level["score"],
    )


# --- matrices --------------------------------------------------------------------------------


class RiskMatrixForm(forms.ModelForm):
    class Meta:
        model = RiskMatrix
        fields = ["name", "likelihood_labels", "impact_labels", "bands", "is_default", "description"]

    def _get_validation_exclusions(self):
        # A new default is allowed: the service withdraws the old one (with history) in the same transaction.
        return {*super()._get_validation_exclusions(), "is_default"}


@admin.register(RiskMatrix)
class RiskMatrixAdmin(SimpleHistoryAdmin):
    form = RiskMatrixForm
    list_display = ("name", "version", "is_default", "size", "in_use")
    list_filter = ("is_default",)
    actions = ["new_version", "make_default"]

    @admin.display(description=_("size"))
    def size(self, matrix: RiskMatrix) -> str:
        return f"{matrix.likelihood_levels} x {matrix.impact_levels}"

    @admin.display(description=_("in use (frozen)"), boolean=True)
    def in_use(self, matrix: RiskMatrix) -> bool:
        return risk_matrix_in_use(matrix=matrix)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and risk_matrix_in_use(matrix=obj):
            return ("name", "version", "likelihood_labels", "impact_labels", "bands")
        return ("version",) if obj is not None else ()

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in form.cleaned_data}
        if change:
            changed = {name: data[name] for name in form.changed_data if name in data}
            updated = services.risk_matrix_update(matrix=obj, actor=request.user, changes=changed)
        else:
            updated = services.risk_matrix_create(actor=request.user, **data)
        obj.pk, obj.version = updated.pk, updated.version

    def has_make_default_permission(self, request) -> bool:
        return request.user.has_perm("register.change_riskmatrix")

    @admin.action(description=_("Make the selected matrix the default for new requests"), permissions=["make_default"])
    def make_default(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Select exactly one matrix to make the default.", messages.ERROR)
            return
        try:
            matrix = services.risk_matrix_default_set(matrix_id=queryset.get().pk, actor=request.user)
        except PermissionDenied as exc:
            message_error(request, exc)
            return
        self.message_user(
            request,
            f"{matrix} is the default for new requests; requests already filed keep their matrix.",
            messages.SUCCESS,
        )

    @admin.action(description=_("Make a new version of the selected matrices (to edit before use)"))
    def new_version(self, request, queryset):
        for matrix in queryset:
            try:
                made = services.risk_matrix_create(
                    actor=request.user,
                    name=matrix.name,
                    likelihood_labels=matrix.likelihood_labels,
                    impact_labels=matrix.impact_labels,
                    bands=matrix.bands,
                    description=matrix.description,
                )
            except (PermissionDenied, ValidationError) as exc:
                message_error(request, exc)
                return
            self.message_user(request, f"Created {made}.", messages.SUCCESS)


# --- adoption requests -------------------------------------------------------------------------


class QueueFilter(admin.SimpleListFilter):
    title = _("queue")
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [
            ("mine", _("Waiting for my sign-off")),
            ("reopened", _("Reopened")),
            ("expiring", _("Expiring in 30 days")),
            ("review", _("To review before a new obligation applies")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "mine":
            return queryset.filter(pk__in=adoption_requests_waiting_for(user=request.user).values("pk"))
        if self.value() == "reopened":
            return queryset.filter(state=AdoptionRequest.State.REOPENED)
        if self.value() == "expiring":
            return queryset.filter(pk__in=adoption_requests_expiring(within_days=30).values("pk"))
        if self.value() == "review":
            approved = AdoptionRequest.objects.filter(state=AdoptionRequest.State.APPROVED)
            return queryset.filter(pk__in=list(approvals_to_review(requests=approved)))
        return queryset


class SignOffInline(admin.TabularInline):
    model = SignOff
    extra = 0
    can_delete = False
    fields = ("review_round", "role", "signer", "decision", "conditions", "comment", "risk_state_sha256", "created_at")
    readonly_fields = fields
    ordering = ("review_round", "created_at")
    verbose_name_plural = _("sign-offs (every round, kept for the record)")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class RiskItemInline(admin.TabularInline):
    model = RiskItem
    extra = 0
    can_delete = False
    fields = ("item", "category", "status", "inherent", "residual", "treatment", "origin", "pending_proposal")
    readonly_fields = fields
    verbose_name_plural = _("risk items of this request")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("matrix")

    @admin.display(description=_("risk"))
    def item(self, obj: RiskItem):
        url = reverse("admin:register_riskitem_change", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.title)

    @admin.display(description=_("inherent"))
    def inherent(self, obj: RiskItem):
        return _level_badge(obj.matrix, obj.inherent_likelihood, obj.inherent_impact)

    @admin.display(description=_("residual"))
    def residual(self, obj: RiskItem):
        return _level_badge(obj.matrix, obj.residual_likelihood, obj.residual_impact)

    @admin.display(description=_("proposal pending"), boolean=True)
    def pending_proposal(self, obj: RiskItem) -> bool:
        return obj.proposal is not None or obj.status == RiskItem.Status.PROPOSED

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AdoptionRequest)
class AdoptionRequestAdmin(ExtensibleAdmin, ScopedHistoryAdmin):
    """Reports adds the memos tab and the generate-memo action (reports.apps, riskreg.core.extensions)."""

    list_display = ("id", "model", "short_use_case", "requester", "state", "review_round", "waiting_for", "expires_on")
    list_filter = (QueueFilter, "state", "use_case_area", "access", "users", "data_classification")
    list_select_related = ("model", "requester")
    search_fields = ("use_case", "model__name")
    inlines = [SignOffInline, RiskItemInline]
    actions = ["submit_selected", "withdraw_selected"]
    fieldsets = (
        (None, {"fields": ("model", "use_case", "data_classification", "requester", "business_owner")}),
        (
            _("Use"),
            {"fields": (*(name for name in CONTEXT_FIELDS if name != "business_owner"), "context_recorded")},
        ),
        (
            _("Review"),
            {"fields": ("state", "review_round", "sign_off_table", "submitted_at", "decided_at", "expires_on")},
        ),
        (_("Risk"), {"fields": ("matrix", "risk_state", "model_items")}),
        (_("Timeline"), {"fields": ("timeline",)}),
    )

    def get_queryset(self, request):
        visible = AdoptionRequest.objects.visible_to(request.user).values("pk")
        return super().get_queryset(request).filter(pk__in=visible).prefetch_related("sign_offs")

    def get_readonly_fields(self, request, obj=None):
        return (
            *(field for _name, options in self.fieldsets[:2] for field in options["fields"]),
            "state",
            "review_round",
            "sign_off_table",
            "submitted_at",
            "decided_at",
            "expires_on",
            "matrix",
            "risk_state",
            "model_items",
            "timeline",
        )

    def get_inlines(self, request, obj):
        return super().get_inlines(request, obj) if obj is not None else []

    @admin.display(description=_("use case"))
    def short_use_case(self, obj: AdoptionRequest) -> str:
        return obj.use_case[:60]

    @admin.display(description=_("sign-offs missing"))
    def waiting_for(self, obj: AdoptionRequest) -> str:
        if obj.state not in REVIEW_STATES:
            return "-"
        return ", ".join(role_label(role) for role in roles_missing(obj)) or "-"

    @admin.display(description=_("sign-offs this round"))
    def sign_off_table(self, obj: AdoptionRequest):
        rows = sign_off_status(obj)
        body = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    role_label(row["role"]),
                    decision_label(row["decision"]) if row["decision"] else "Waiting",
                    row["signer_name"] or "",
                    human_datetime(row["at"]),
                )
                for row in rows
            ),
        )
        link = ""
        try:
            page = reverse("workspace:request-detail", args=[obj.pk])
        except NoReverseMatch:
            page = ""
        if page and obj.state in REVIEW_STATES:
            link = format_html(
                '<p><a class="button" href="{}#sign-off">Sign off on the request page</a></p>'
                "<p>Assess the risk items and sign off in one place, with the form every signer uses.</p>",
                page,
            )
        elif page:
            link = format_html('<p><a href="{}">Open the request page</a></p>', page)
        return format_html(
            "<table><tr><th>Role</th><th>Decision</th><th>By</th><th>When</th></tr>{}</table>{}", body, link
        )

    @admin.display(description=_("current risk state (SHA-256)"))
    def risk_state(self, obj: AdoptionRequest) -> str:
        from riskreg.register.selectors import risk_state_sha256

        return risk_state_sha256(request=obj)

    @admin.display(description=_("risk items of the model itself"))
    def model_items(self, obj: AdoptionRequest):
        items = RiskItem.objects.filter(model=obj.model, request__isnull=True).select_related("matrix")
        if not items:
            return "-"
        return format_html_join(
            "",
            '<div><a href="{}">{}</a> {}</div>',
            (
                (
                    reverse("admin:register_riskitem_change", args=[item.pk]),
                    item.title,
                    _level_badge(item.matrix, item.inherent_likelihood, item.inherent_impact),
                )
                for item in items
            ),
        )

    @admin.display(description=_("timeline"))
    def timeline(self, obj: AdoptionRequest):
        events = obj.events.select_related("actor").order_by("at", "pk")
        titles = dict(obj.risk_items.values_list("pk", "title"))
        body = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    human_datetime(event.at),
                    event.review_round,
                    person_name(event.actor),
                    event_sentence(event, titles=titles),
                )
                for event in events
            ),
        )
        return format_html(
            "<table><tr><th>When</th><th>Round</th><th>Who</th><th>What happened</th></tr>{}</table>",
            body,
        )

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if object_id is not None:
            extra_context = {**(extra_context or {}), "show_save": False, "show_save_and_continue": False}
        return super().changeform_view(request, object_id, form_url, extra_context)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        return  # every field is read-only; changes go through the request page, actions and services

    def save_related(self, request, form, formsets, change):
        return None

    def add_view(self, request, form_url="", extra_context=None):
        """One door for filing: the request page's form, which asks for the use (riskreg.workspace)."""
        if not self.has_add_permission(request):
            raise PermissionDenied("Filing an adoption request needs the requester role.")
        return HttpResponseRedirect(reverse("workspace:request-new"))

    def has_requester_permission(self, request) -> bool:
        """Submitting and withdrawing are the requester's (the service checks it is their own request)."""
        return request.user.has_perm("register.add_adoptionrequest")

    @admin.action(description=_("Submit the selected drafts for review"), permissions=["requester"])
    def submit_selected(self, request, queryset):
        self._each(request, queryset, services.adoption_request_submit, "submitted")

    @admin.action(description=_("Withdraw the selected requests"), permissions=["requester"])
    def withdraw_selected(self, request, queryset):
        self._each(request, queryset, services.adoption_request_withdraw, "withdrawn")

    def _each(self, request, queryset, service, verb):
        done = 0
        for pk in queryset.values_list("pk", flat=True):
            try:
                service(request_id=pk, actor=request.user)
                done += 1
            except (PermissionDenied, ValidationError) as exc:
                message_error(request, exc, about=f"#{pk}")
        if done:
            self.message_user(request, f"{done} request(s) {verb}.", messages.SUCCESS)

    def get_urls(self):
        return [
            path(
                "<int:object_id>/sign-off/",
                self.admin_site.admin_view(self.sign_off_view),
                name="register_adoptionrequest_sign_off",
            ),
            *super().get_urls(),
        ]

    def sign_off_view(self, request, object_id: int):
        """One door for signing off (issue 25): the request page, whose form and service every signer uses; an
        old link or bookmark to the admin's sign-off lands there."""
        target = get_object_or_404(self.get_queryset(request), pk=object_id)
        return HttpResponseRedirect(reverse("workspace:request-detail", args=[target.pk]) + "#sign-off")


# --- risk items ----------------------------------------------------------------------------------


class PendingProposalFilter(admin.SimpleListFilter):
    title = _("awaiting a person")
    parameter_name = "pending"

    def lookups(self, request, model_admin):
        return [("yes", _("Proposed or with a pending proposal"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(Q(status=RiskItem.Status.PROPOSED) | Q(proposal__isnull=False)).exclude(
                status=RiskItem.Status.RETIRED, proposal__isnull=True
            )
        return queryset


class RiskItemForm(forms.ModelForm):
    class Meta:
        model = RiskItem
        fields = [
            "model",
            "request",
            *services.ASSESSMENT_FIELDS,
        ]

    def clean(self):
        data = super().clean()
        if self.instance.pk:
            matrix = self.instance.matrix
        elif data.get("request"):
            matrix = data["request"].matrix
        else:
            matrix = services.risk_matrix_default_get()
        for field, msgs in services.levels_problems(matrix=matrix, values=data).items():
            self.add_error(field, msgs)
        return data


class _ServiceRefusal(Exception):
    """Carries a service's refusal out of save_model, through the admin's transaction, to changeform_view."""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


@admin.register(RiskItem)
class RiskItemAdmin(ScopedHistoryAdmin):
    form = RiskItemForm
    list_display = (
        "title",
        "model",
        "request",
        "category",
        "status",
        "inherent",
        "residual",
        "origin",
        "proposal_pending",
    )
    list_filter = (PendingProposalFilter, "status", "category", "origin", "rule")
    list_select_related = ("model", "request", "matrix")
    search_fields = ("title", "description")
    actions = ["accept_proposals"]

    def get_queryset(self, request):
        visible = RiskItem.objects.visible_to(request.user).values("pk")
        return super().get_queryset(request).filter(pk__in=visible)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        """Choice lists show only what the user may see and use: the requests they may add items to, and
        the users they may see (a requester: only themselves)."""
        if db_field.name == "request":
            kwargs["queryset"] = adoption_requests_open_for_risk_items(user=request.user)
        elif db_field.name == "owner":
            kwargs["queryset"] = users_visible_to(user=request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        fixed = (
            "matrix",
            "origin",
            "rule",
            "derivation_key",
            "facts_in_words",
            "status",
            "proposal_in_words",
            "assessed_by",
            "assessed_at",
            "accepted_by",
            "accepted_at",
        )
        return ("model", "request", *fixed) if obj is not None else fixed

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        if obj is None or obj.request_id is None:
            return True
        # Whoever filed the request reads its items but never changes them (the service refuses it too).
        return obj.request.state in OPEN_STATES and obj.request.requester_id != request.user.pk

    @admin.display(description=_("inherent"))
    def inherent(self, obj: RiskItem):
        return _level_badge(obj.matrix, obj.inherent_likelihood, obj.inherent_impact)

    @admin.display(description=_("residual"))
    def residual(self, obj: RiskItem):
        return _level_badge(obj.matrix, obj.residual_likelihood, obj.residual_impact)

    @admin.display(description=_("facts it was derived from"))
    def facts_in_words(self, obj: RiskItem):
        sentences = fact_sentences(obj)
        if not sentences:
            return "-"
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li>{}{}</li>",
                (
                    (fact["text"], format_html(" <cite>{}</cite>", fact["citation"]) if fact["citation"] else "")
                    for fact in sentences
                ),
            ),
        )

    @admin.display(description=_("pending proposal"))
    def proposal_in_words(self, obj: RiskItem) -> str:
        proposal = obj.proposal
        if not proposal:
            return "-"
        if proposal.get("retire"):
            return f"Retire this item: {proposal.get('reason', '')} Accepting applies it."
        return (
            f"Update this item: {proposal.get('reason', '')} Proposed title: {proposal.get('title', obj.title)}. "
            "Accepting applies it."
        )

    @admin.display(description=_("awaiting a person"), boolean=True)
    def proposal_pending(self, obj: RiskItem) -> bool:
        return obj.proposal is not None or obj.status == RiskItem.Status.PROPOSED

    def save_model(self, request, obj, form, change):
        try:
            if change:
                values = {
                    name: form.cleaned_data[name] for name in form.changed_data if name in services.ASSESSMENT_FIELDS
                }
                services.risk_item_update(item_id=obj.pk, actor=request.user, values=values)
            else:
                data = dict(form.cleaned_data)
                model, target = data.pop("model"), data.pop("request", None)
                values = {k: v for k, v in data.items() if v not in (None, "")}
                created = services.risk_item_create(actor=request.user, model=model, request=target, values=values)
                obj.pk = created.pk
        except (PermissionDenied, ValidationError) as exc:
            raise _ServiceRefusal(exc) from exc

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """A refusal or bad input from the service is a message above the same form (the transaction is rolled
        back), not a 403; the admin's own permission checks still answer 403."""
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except _ServiceRefusal as refusal:
            message_error(request, refusal.error)
            return HttpResponseRedirect(request.get_full_path())

    def save_related(self, request, form, formsets, change):
        return None

    def has_accept_permission(self, request) -> bool:
        return user_is_reviewer(request.user)

    @admin.action(description=_("Accept what the register proposes for the selected items"), permissions=["accept"])
    def accept_proposals(self, request, queryset):
        done = 0
        for pk in queryset.values_list("pk", flat=True):
            try:
                services.risk_item_accept(item_id=pk, actor=request.user)
                done += 1
            except (PermissionDenied, ValidationError) as exc:
                message_error(request, exc, about=f"Risk item {pk}")
        if done:
            self.message_user(request, f"{done} proposal(s) accepted.", messages.SUCCESS)


class _ReadOnlyRecordAdmin(ReadOnlyAdminMixin, ScopedHistoryAdmin):
    """A record of the workflow, read and exported here (the auditors' export is the site-wide action), changed
    only through the request page and the services: no add, change or delete in the admin."""

    @admin.display(description=_("request"), ordering="request")
    def request_link(self, obj):
        url = reverse("workspace:request-detail", args=[obj.request_id])
        return format_html('<a href="{}">#{} {}</a>', url, obj.request_id, obj.request.model.name)


@admin.register(SignOff)
class SignOffAdmin(_ReadOnlyRecordAdmin):
    """Every sign-off with its decision and conditions: the auditors' sign-offs table."""

    list_display = ("request_link", "review_round", "role", "decision", "signer", "conditions", "created_at")
    list_filter = ("role", "decision")
    search_fields = ("request__use_case", "request__model__name", "conditions", "comment")
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        visible = SignOff.objects.visible_to(request.user).values("pk")
        return super().get_queryset(request).filter(pk__in=visible).select_related("request__model", "signer")


@admin.register(ApprovalCondition)
class ApprovalConditionAdmin(_ReadOnlyRecordAdmin):
    """Every condition of approval, its owner, due date, state and evidence: the auditors' conditions table.
    Owners mark theirs met on the request page."""

    list_display = ("request_link", "text", "set_by", "owner", "due_or_ongoing", "state", "met_at")
    list_filter = ("state", "sign_off__role")
    search_fields = ("text", "evidence", "request__use_case", "request__model__name")

    def get_queryset(self, request):
        visible = ApprovalCondition.objects.visible_to(request.user).values("pk")
        return (
            super()
            .get_queryset(request)
            .filter(pk__in=visible)
            .select_related("request__model", "owner", "sign_off", "sign_off__signer")
        )

    @admin.display(description=_("set by"))
    def set_by(self, obj):
        signer = obj.sign_off.signer
        return f"{obj.sign_off.get_role_display()}" + (f" ({signer.get_username()})" if signer else "")

    @admin.display(description=_("due"), ordering="due")
    def due_or_ongoing(self, obj):
        return obj.due or _("ongoing")
