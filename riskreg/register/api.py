"""The register's API: adoption requests (submit, sign-offs, withdraw), risk items, risk matrices.

Views are thin: they validate the shape of the input with serializers and call a service.
Service refusals become 403 with the reason, bad input 400 by field, a role already signed 409.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from models_catalog.api import RegulatoryGuidanceViewSet
from models_catalog.models import AIModel
from models_catalog.uses import Access, Audience, Modification, PersonalData, ProhibitedPractice, UseCaseArea
from riskreg.core.permissions import ModelPermissions
from riskreg.core.selectors import users_visible_to
from riskreg.register import services
from riskreg.register.context import AdoptionContext, context_row
from riskreg.register.models import (
    AdoptionRequest,
    ApprovalCondition,
    DataClassification,
    RequestEvent,
    RiskItem,
    RiskMatrix,
    SignOff,
    SignOffRole,
)
from riskreg.register.obligations import approvals_to_review, request_obligations
from riskreg.register.our_role import our_roles
from riskreg.register.selectors import (
    adoption_request_detail_queryset,
    adoption_request_list_queryset,
    model_risk_items,
    risk_item_queryset,
    risk_level,
    risk_state_sha256,
    sign_off_status,
)
from riskreg.register.services.guidance import guidance_impact, guidance_publish
from riskreg.register.services.list_impact import list_version_impact
from riskreg.register.wording import decision_label, event_sentence, fact_sentences, role_label
from riskreg.screening.models import ListVersion


class CanSeeRequests(BasePermission):
    """For actions on one request: the user must be able to see adoption requests at all; the
    service then applies separation of duties and answers with the reason."""

    message = "Your role has no access to adoption requests."

    def has_permission(self, request, view) -> bool:
        return bool(
            request.user and request.user.is_authenticated and request.user.has_perm("register.view_adoptionrequest")
        )


# --- serializers ------------------------------------------------------------------------------


def _level(matrix: RiskMatrix, likelihood, impact):
    return risk_level(matrix=matrix, likelihood=likelihood, impact=impact)


class RiskMatrixSerializer(serializers.ModelSerializer):
    in_use = serializers.BooleanField(read_only=True, default=False)

    class Meta:
        model = RiskMatrix
        fields = [
            "id",
            "name",
            "version",
            "likelihood_labels",
            "impact_labels",
            "bands",
            "is_default",
            "description",
            "in_use",
            "created_at",
        ]
        read_only_fields = ["version", "created_at"]
        # A new version of an existing name is allowed: the service numbers it. A new default is allowed:
        # the service withdraws the old one (the "one default" constraint holds in the database).
        validators = []
        extra_kwargs = {"is_default": {"validators": []}}


class RiskItemSerializer(serializers.ModelSerializer):
    model = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=AIModel.objects.all(),
        required=False,
        error_messages={"does_not_exist": 'No model with slug "{value}" in the catalog.'},
    )
    request = serializers.PrimaryKeyRelatedField(
        queryset=AdoptionRequest.objects.none(),
        required=False,
        allow_null=True,
        error_messages={"does_not_exist": "No adoption request #{pk_value} that you can see."},
    )
    owner = serializers.SlugRelatedField(
        slug_field="username", queryset=get_user_model().objects.none(), required=False, allow_null=True
    )
    assessed_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    accepted_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    matrix = serializers.SerializerMethodField()
    inherent_level = serializers.SerializerMethodField()
    residual_level = serializers.SerializerMethodField()
    category_label = serializers.CharField(source="get_category_display", read_only=True)
    treatment_label = serializers.CharField(source="get_treatment_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    facts_in_words = serializers.SerializerMethodField(
        help_text="The facts the item was derived from, as sentences with their citations."
    )

    class Meta:
        model = RiskItem
        fields = [
            "id",
            "model",
            "request",
            "matrix",
            "category",
            "category_label",
            "title",
            "description",
            "inherent_likelihood",
            "inherent_impact",
            "inherent_level",
            "existing_controls",
            "planned_controls",
            "residual_likelihood",
            "residual_impact",
            "residual_level",
            "treatment",
            "treatment_label",
            "owner",
            "next_review_on",
            "origin",
            "rule",
            "derivation_key",
            "facts",
            "facts_in_words",
            "status",
            "status_label",
            "proposal",
            "assessed_by",
            "assessed_at",
            "accepted_by",
            "accepted_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "origin",
            "rule",
            "derivation_key",
            "facts",
            "status",
            "proposal",
            "assessed_at",
            "accepted_at",
            "created_at",
            "updated_at",
        ]
        validators = []  # the services and the database enforce uniqueness of derived items
        extra_kwargs = {
            "inherent_likelihood": {"required": False},
            "inherent_impact": {"required": False},
            "category": {"required": False},
            "title": {"required": False},
        }

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            fields["request"].queryset = AdoptionRequest.objects.visible_to(request.user)
            fields["owner"].queryset = users_visible_to(user=request.user)
        return fields

    def get_matrix(self, item: RiskItem) -> dict:
        return {"id": item.matrix_id, "name": item.matrix.name, "version": item.matrix.version}

    def get_inherent_level(self, item: RiskItem) -> dict | None:
        return _level(item.matrix, item.inherent_likelihood, item.inherent_impact)

    def get_residual_level(self, item: RiskItem) -> dict | None:
        return _level(item.matrix, item.residual_likelihood, item.residual_impact)

    def get_facts_in_words(self, item: RiskItem) -> list[dict]:
        return fact_sentences(item)


class RiskItemAcceptSerializer(serializers.Serializer):
    """Optional assessment given together with the acceptance."""

    existing_controls = serializers.CharField(required=False, allow_blank=True)
    planned_controls = serializers.CharField(required=False, allow_blank=True)
    inherent_likelihood = serializers.IntegerField(required=False)
    inherent_impact = serializers.IntegerField(required=False)
    residual_likelihood = serializers.IntegerField(required=False, allow_null=True)
    residual_impact = serializers.IntegerField(required=False, allow_null=True)
    treatment = serializers.ChoiceField(choices=RiskItem.Treatment.choices, required=False, allow_blank=True)
    owner = serializers.SlugRelatedField(
        slug_field="username", queryset=get_user_model().objects.none(), required=False, allow_null=True
    )
    next_review_on = serializers.DateField(required=False, allow_null=True)

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            fields["owner"].queryset = users_visible_to(user=request.user)
        return fields


class SignOffSerializer(serializers.ModelSerializer):
    signer = serializers.SlugRelatedField(slug_field="username", read_only=True)
    role_label = serializers.CharField(source="get_role_display", read_only=True)
    decision_label = serializers.CharField(source="get_decision_display", read_only=True)

    class Meta:
        model = SignOff
        fields = [
            "id",
            "review_round",
            "role",
            "role_label",
            "signer",
            "decision",
            "decision_label",
            "comment",
            "conditions",
            "risk_state_sha256",
            "created_at",
        ]


class SignOffInputSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=SignOffRole.choices)
    decision = serializers.ChoiceField(choices=SignOff.Decision.choices)
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    conditions = serializers.CharField(required=False, allow_blank=True, default="")


class RequestEventSerializer(serializers.ModelSerializer):
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    summary = serializers.SerializerMethodField(help_text="The event in words, as the request page shows it.")

    class Meta:
        model = RequestEvent
        fields = [
            "id",
            "at",
            "actor",
            "kind",
            "kind_label",
            "from_state",
            "to_state",
            "review_round",
            "summary",
            "detail",
        ]

    def get_summary(self, event: RequestEvent) -> str:
        return event_sentence(event)


class AdoptionContextSerializer(serializers.Serializer):
    """The use: how, where and by whom the model will be used. The choices are models_catalog.uses' (listed in the
    schema); riskreg.register.context checks the combination and refuses a practice of Art. 5."""

    use_case_area = serializers.ChoiceField(
        choices=UseCaseArea.choices, help_text="General use, an EU AI Act Annex III area or a safety component."
    )
    prohibited_practices = serializers.ListField(
        child=serializers.ChoiceField(choices=ProhibitedPractice.choices),
        required=False,
        max_length=20,
        help_text="Art. 5 practices the use involves; any one and the request is refused. Empty for an ordinary use.",
    )
    public_service = serializers.BooleanField(
        required=False, help_text="We are a body governed by public law or provide a public service (Art. 27)."
    )
    access = serializers.ChoiceField(choices=Access.choices)
    modification = serializers.ChoiceField(choices=Modification.choices, required=False)
    finetune_flop = serializers.FloatField(
        required=False, allow_null=True, help_text="Training compute of the fine-tuning, FLOP (fine-tuning only)."
    )
    users = serializers.ChoiceField(choices=Audience.choices, help_text="Who uses the output: the widest group.")
    expected_users = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=10**10)
    jurisdictions = serializers.ListField(
        child=serializers.CharField(max_length=8),
        min_length=1,
        max_length=60,
        help_text="Where it will be used: EU, US, UK, CN or EU member states (which count as EU).",
    )
    personal_data = serializers.ListField(
        child=serializers.ChoiceField(choices=PersonalData.choices), required=False, max_length=3
    )
    data_to = serializers.CharField(
        required=False, allow_blank=True, max_length=8, help_text="Country our data goes to (e.g. CN); empty if none."
    )
    payments_to_developer = serializers.BooleanField(required=False)
    technology_to_developer = serializers.BooleanField(required=False)
    runs_on_listed_hardware = serializers.BooleanField(required=False)
    business_owner = serializers.CharField(max_length=150, help_text="The business owner's username.")


class AdoptionRequestCreateSerializer(serializers.Serializer):
    model = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=AIModel.objects.all(),
        error_messages={"does_not_exist": 'No model with slug "{value}" in the catalog.'},
    )
    use_case = serializers.CharField(max_length=2000, help_text="The purpose, in a sentence or two.")
    data_classification = serializers.ChoiceField(choices=DataClassification.choices)
    context = AdoptionContextSerializer()


class AdoptionRequestChangeSerializer(serializers.Serializer):
    use_case = serializers.CharField(max_length=2000)
    data_classification = serializers.ChoiceField(choices=DataClassification.choices)
    context = AdoptionContextSerializer()


class ConsiderInputSerializer(serializers.Serializer):
    obligation = serializers.IntegerField(help_text="The obligation's id (obligation_id in the request's review).")
    reason = serializers.CharField(max_length=4000, help_text="Why the approval stands with this obligation.")


class ConditionSerializer(serializers.ModelSerializer):
    request = serializers.PrimaryKeyRelatedField(read_only=True)
    owner = serializers.SlugRelatedField(slug_field="username", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    set_by = serializers.CharField(source="sign_off.role", read_only=True)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = ApprovalCondition
        fields = [
            "id",
            "request",
            "text",
            "owner",
            "due",
            "state",
            "state_label",
            "evidence",
            "set_by",
            "overdue",
            "met_at",
            "created_at",
        ]

    def get_overdue(self, condition) -> bool:
        return bool(condition.due and condition.state == "open" and condition.due < timezone.localdate())


class ConditionChangeSerializer(serializers.Serializer):
    owner = serializers.CharField(required=False, max_length=150, help_text="The owner's username.")
    due = serializers.DateField(required=False, allow_null=True, help_text="null: ongoing.")
    evidence = serializers.CharField(required=False, max_length=4000, help_text="Records the condition as met.")


class ConditionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Conditions of approval, of the requests one may see. ``?mine=1``: the ones I own. POST to ``{id}/update/`` with
    ``owner`` and ``due`` (reviewers) or ``evidence`` (the owner or a reviewer: it is met)."""

    serializer_class = ConditionSerializer
    queryset = ApprovalCondition.objects.none()
    filterset_fields = ["state", "request"]
    ordering_fields = ["due", "created_at"]
    permission_classes = [CanSeeRequests]

    def get_queryset(self):
        rows = ApprovalCondition.objects.visible_to(self.request.user).select_related("owner", "sign_off", "request")
        if self.request.query_params.get("mine") in ("1", "true"):
            rows = rows.filter(owner=self.request.user)
        return rows.order_by("pk")

    @extend_schema(request=ConditionChangeSerializer, responses=ConditionSerializer)
    @action(detail=True, methods=["post"], url_path="update")
    def change(self, request, pk=None):
        condition = self.get_object()
        serializer = ConditionChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if "evidence" in data:
            services.approval_condition_meet(condition_id=condition.pk, actor=request.user, evidence=data["evidence"])
        if "owner" in data or "due" in data:
            owner = None
            if data.get("owner"):
                owner = get_user_model().objects.filter(username=data["owner"], is_active=True).first()
                if owner is None:
                    raise exceptions.ValidationError({"owner": [f"{data['owner']} is not an active user."]})
            services.approval_condition_update(
                condition_id=condition.pk,
                actor=request.user,
                owner=owner,
                due=data.get("due"),
                clear_due="due" in data and data["due"] is None,
            )
        condition.refresh_from_db()
        return Response(ConditionSerializer(condition).data)


class AdoptionRequestListSerializer(serializers.ModelSerializer):
    model = serializers.SerializerMethodField()
    requester = serializers.SlugRelatedField(slug_field="username", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    context = serializers.SerializerMethodField(help_text="The use (see the create body's `context`), with labels.")
    data_classification_label = serializers.CharField(source="get_data_classification_display", read_only=True)
    required_sign_offs = serializers.SerializerMethodField()
    risk_item_count = serializers.IntegerField(read_only=True, default=None)
    pending_proposal_count = serializers.IntegerField(read_only=True, default=None)
    review = serializers.SerializerMethodField(
        help_text="Set when the approval's validity crosses a day on which a new obligation of this request's use "
        "starts to apply (and no reviewer marked it considered): {review_before, review_before_label, overdue, "
        "label, obligations}; null otherwise."
    )
    conditions = serializers.SerializerMethodField(
        help_text="The conditions of approval set in the current review round: [{text, owner, due (null: ongoing), "
        "state, set_by}]."
    )
    sign_offs_summary = serializers.SerializerMethodField(
        help_text="The current round's sign-offs in words, one per role (for exports)."
    )

    class Meta:
        model = AdoptionRequest
        fields = [
            "id",
            "model",
            "use_case",
            "context",
            "data_classification",
            "data_classification_label",
            "requester",
            "state",
            "state_label",
            "review_round",
            "required_sign_offs",
            "risk_item_count",
            "pending_proposal_count",
            "submitted_at",
            "decided_at",
            "expires_on",
            "review",
            "conditions",
            "sign_offs_summary",
            "created_at",
        ]

    def get_conditions(self, request: AdoptionRequest) -> list[dict]:
        return [condition_row(c) for c in request.conditions.all() if c.sign_off.review_round == request.review_round]

    def get_sign_offs_summary(self, request: AdoptionRequest) -> str:
        return "; ".join(
            f"{role_label(s.role)}: {decision_label(s.decision)} by {s.signer.get_username()}"
            + (f" ({s.conditions})" if s.conditions else "")
            for s in request.sign_offs.all()
            if s.review_round == request.review_round
        )

    def get_model(self, request: AdoptionRequest) -> dict:
        return {"slug": request.model.slug, "name": request.model.name}

    def get_context(self, request: AdoptionRequest) -> dict:
        return context_row(request)

    def get_review(self, request: AdoptionRequest) -> dict | None:
        # One computation for the whole page of a list (a fixed number of queries), or for the one request.
        if "_review_flags" not in self.context:
            page = self.parent.instance if isinstance(self.parent, serializers.ListSerializer) else [request]
            self.context["_review_flags"] = approvals_to_review(requests=list(page))
        return self.context["_review_flags"].get(request.pk)

    def get_required_sign_offs(self, request: AdoptionRequest) -> list[dict]:
        return [
            {
                **row,
                "role_label": role_label(row["role"]),
                "decision_label": decision_label(row["decision"]) if row["decision"] else None,
            }
            for row in sign_off_status(request)
        ]


def condition_row(condition) -> dict:
    return {
        "id": condition.pk,
        "text": condition.text,
        "owner": condition.owner.get_username() if condition.owner_id else None,
        "due": condition.due.isoformat() if condition.due else None,
        "due_label": f"{condition.due.day} {condition.due:%b %Y}" if condition.due else "ongoing",
        "state": condition.state,
        "state_label": str(condition.get_state_display()),
        "evidence": condition.evidence,
        "set_by": condition.sign_off.role,
    }


class AdoptionRequestDetailSerializer(AdoptionRequestListSerializer):
    role = serializers.SerializerMethodField(
        help_text="Our role under each jurisdiction's law, derived from the use: {jurisdiction: {role, role_label, "
        "because, citation, also, unsettled}}."
    )
    obligations = serializers.SerializerMethodField(
        help_text="The obligations of this use: ours and the developer's we rely on, each with title, jurisdiction, "
        "holder (us or developer), citation, applies_from, in_force, applies_because, exempt."
    )
    matrix = RiskMatrixSerializer(read_only=True)
    sign_offs = serializers.SerializerMethodField()
    risk_items = serializers.SerializerMethodField()
    model_risk_items = serializers.SerializerMethodField()
    risk_state_sha256 = serializers.SerializerMethodField()
    timeline = RequestEventSerializer(source="events", many=True, read_only=True)

    class Meta(AdoptionRequestListSerializer.Meta):
        fields = [
            *AdoptionRequestListSerializer.Meta.fields,
            "role",
            "obligations",
            "matrix",
            "sign_offs",
            "risk_items",
            "model_risk_items",
            "risk_state_sha256",
            "timeline",
        ]

    def get_role(self, request: AdoptionRequest) -> dict:
        if not request.context_recorded:
            return {}
        return our_roles(context=AdoptionContext.of(request), model=request.model)

    def get_obligations(self, request: AdoptionRequest) -> list[dict]:
        return request_obligations(request=request)

    def _current_hash(self, request: AdoptionRequest) -> str:
        cache = self.context.setdefault("_risk_state", {})
        if request.pk not in cache:
            cache[request.pk] = risk_state_sha256(request=request)
        return cache[request.pk]

    def get_sign_offs(self, request: AdoptionRequest) -> list[dict]:
        current = self._current_hash(request)
        rows = []
        for sign_off in request.sign_offs.all():
            row = SignOffSerializer(sign_off).data
            row["current_round"] = sign_off.review_round == request.review_round
            row["applies_to_current_risk_state"] = sign_off.risk_state_sha256 == current
            rows.append(row)
        return rows

    def get_risk_items(self, request: AdoptionRequest) -> list[dict]:
        return RiskItemSerializer(request.risk_items.all(), many=True, context=self.context).data

    def get_model_risk_items(self, request: AdoptionRequest) -> list[dict]:
        items = model_risk_items(model_ids=[request.model_id])[request.model_id]
        return RiskItemSerializer(items, many=True, context=self.context).data

    def get_risk_state_sha256(self, request: AdoptionRequest) -> str:
        return self._current_hash(request)


# --- viewsets ---------------------------------------------------------------------------------


class AdoptionRequestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Adoption requests. Requesters see their own; signers and auditors see all."""

    queryset = AdoptionRequest.objects.none()
    filterset_fields = ["state", "model__slug", "use_case_area", "access", "users", "data_classification"]
    search_fields = ["use_case", "model__name"]
    ordering_fields = ["created_at", "submitted_at", "expires_on", "state"]

    def get_permissions(self):
        if self.action in ("submit", "withdraw", "sign_offs", "derive_risks", "consider", "change"):
            return [CanSeeRequests()]
        return [ModelPermissions()]

    def get_queryset(self):
        base = adoption_request_detail_queryset() if self.action != "list" else adoption_request_list_queryset()
        visible = AdoptionRequest.objects.visible_to(self.request.user).values("pk")
        return base.filter(pk__in=visible).order_by("-created_at", "-pk")

    def get_serializer_class(self):
        if self.action == "list":
            return AdoptionRequestListSerializer
        if self.action == "create":
            return AdoptionRequestCreateSerializer
        if self.action == "sign_offs":
            return SignOffInputSerializer
        if self.action == "consider":
            return ConsiderInputSerializer
        if self.action == "change":
            return AdoptionRequestChangeSerializer
        return AdoptionRequestDetailSerializer

    def _detail(self, pk: int, *, code: int = status.HTTP_200_OK) -> Response:
        instance = adoption_request_detail_queryset().get(pk=pk)
        return Response(
            AdoptionRequestDetailSerializer(instance, context=self.get_serializer_context()).data, status=code
        )

    def create(self, request, *args, **kwargs):
        serializer = AdoptionRequestCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        created = services.adoption_request_create(
            requester=request.user,
            model=data["model"],
            use_case=data["use_case"],
            data_classification=data["data_classification"],
            context=dict(data["context"]),
        )
        return self._detail(created.pk, code=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        target = self.get_object()
        services.adoption_request_submit(request_id=target.pk, actor=request.user)
        return self._detail(target.pk)

    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        target = self.get_object()
        reason = str(request.data.get("reason", ""))[:2000]
        services.adoption_request_withdraw(request_id=target.pk, actor=request.user, reason=reason)
        return self._detail(target.pk)

    @action(detail=True, methods=["post"])
    def change(self, request, pk=None):
        """The requester changes their draft: purpose, classification and context (the whole context again)."""
        target = self.get_object()
        serializer = AdoptionRequestChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.adoption_request_update(
            request_id=target.pk,
            actor=request.user,
            use_case=data["use_case"],
            data_classification=data["data_classification"],
            context=dict(data["context"]),
        )
        return self._detail(target.pk)

    @action(detail=True, methods=["post"], url_path="obligations-considered")
    def consider(self, request, pk=None):
        """A reviewer marks an obligation starting within the approval's validity as considered, with the reason
        the approval stands: the review flag no longer counts it (recorded in the timeline)."""
        target = self.get_object()
        serializer = ConsiderInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.obligation_consider(
            request_id=target.pk,
            obligation_id=serializer.validated_data["obligation"],
            actor=request.user,
            reason=serializer.validated_data["reason"],
        )
        return self._detail(target.pk, code=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"], url_path="sign-offs")
    def sign_offs(self, request, pk=None):
        target = self.get_object()
        serializer = SignOffInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        sign_off = services.sign_off_create(request_id=target.pk, signer=request.user, **serializer.validated_data)
        data = SignOffSerializer(sign_off).data
        data["request_state"] = AdoptionRequest.objects.values_list("state", flat=True).get(pk=target.pk)
        return Response(data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"], url_path="derive-risks")
    def derive_risks(self, request, pk=None):
        target = self.get_object()
        if not request.user.has_perm("register.add_riskitem"):
            raise exceptions.PermissionDenied("Your role cannot propose risk items.")
        services.risk_item_write_check(actor=request.user, request=target, action="add")
        result = services.risk_items_derive(model=target.model, request=target, actor=request.user)
        return Response(
            {
                "created": result.created,
                "updated": result.updated,
                "proposed": result.proposed,
                "retired": result.retired,
            }
        )


class RiskItemViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Risk items of requests and of models. PATCH assesses an item; POST .../accept/ accepts a proposal."""

    queryset = RiskItem.objects.none()
    serializer_class = RiskItemSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]
    filterset_fields = ["model__slug", "request", "status", "category", "origin", "rule"]
    search_fields = ["title", "description"]

    def get_permissions(self):
        if self.action == "accept":
            return [CanChangeRiskItems()]
        return [ModelPermissions()]

    def get_queryset(self):
        visible = RiskItem.objects.visible_to(self.request.user).values("pk")
        return risk_item_queryset().filter(pk__in=visible).order_by("model_id", "request_id", "category", "pk")

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        target_request = data.pop("request", None)
        model = data.pop("model", None) or (target_request.model if target_request else None)
        if model is None:
            raise serializers.ValidationError({"model": ["Give the model (slug), or the request the risk belongs to."]})
        item = services.risk_item_create(actor=request.user, model=model, request=target_request, values=data)
        item = risk_item_queryset().get(pk=item.pk)
        return Response(self.get_serializer(item).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        item = self.get_object()
        serializer = self.get_serializer(item, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        for fixed in ("model", "request"):
            if fixed in data and data.pop(fixed) != getattr(item, fixed):
                raise serializers.ValidationError({fixed: ["A risk item cannot move to another model or request."]})
        services.risk_item_update(item_id=item.pk, actor=request.user, values=data)
        return Response(self.get_serializer(risk_item_queryset().get(pk=item.pk)).data)

    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        item = self.get_object()
        serializer = RiskItemAcceptSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        services.risk_item_accept(item_id=item.pk, actor=request.user, values=dict(serializer.validated_data))
        return Response(self.get_serializer(risk_item_queryset().get(pk=item.pk)).data)


class CanChangeRiskItems(BasePermission):
    message = "Your role cannot change risk items."

    def has_permission(self, request, view) -> bool:
        return bool(
            request.user and request.user.is_authenticated and request.user.has_perm("register.change_riskitem")
        )


class RiskMatrixViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Risk matrices. POST with an existing name makes its next version; versions in use never change."""

    queryset = RiskMatrix.objects.none()
    serializer_class = RiskMatrixSerializer
    filterset_fields = ["name", "is_default"]

    def get_queryset(self):
        used = AdoptionRequest.objects.filter(matrix=OuterRef("pk"))
        used_by_items = RiskItem.objects.filter(matrix=OuterRef("pk"))
        return RiskMatrix.objects.annotate(in_use=Exists(used) | Exists(used_by_items)).order_by("name", "-version")

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        matrix = services.risk_matrix_create(actor=request.user, **serializer.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=matrix.pk)).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"], url_path="make-default")
    def make_default(self, request, pk=None):
        """Make this matrix the default for new requests (legal); recorded in the matrices' history."""
        matrix = self.get_object()
        services.risk_matrix_default_set(matrix_id=matrix.pk, actor=request.user)
        return Response(self.get_serializer(self.get_queryset().get(pk=matrix.pk)).data)


class CanPublishGuidance(BasePermission):
    """Reading an impact needs the right to view guidance; publishing needs the right to change it (legal)."""

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        perm = "view" if request.method in ("GET", "HEAD", "OPTIONS") else "change"
        return user.has_perm(f"models_catalog.{perm}_regulatoryguidance")


class GuidanceImpactViewSet(RegulatoryGuidanceViewSet):
    """The catalog's guidance endpoints plus ``GET /api/guidance/{id}/impact/`` and
    ``POST /api/guidance/{id}/publish/`` (the catalog cannot import the register's derivation, so the
    register takes the catalog's place on the router with this subclass)."""

    @action(detail=True, methods=["get"], permission_classes=[CanPublishGuidance])
    def impact(self, request, pk=None):
        """What publishing this draft would do: models gaining or losing risk items (with the reason),
        approved requests that would reopen, sign-offs that would lapse, memos out of date."""
        return Response(guidance_impact(guidance=self.get_object(), reader=request.user).as_dict())

    @action(detail=True, methods=["post"], permission_classes=[CanPublishGuidance])
    def publish(self, request, pk=None):
        """Publish the draft and apply its impact, once; a second publish gets 409."""
        guidance = self.get_object()
        impact = guidance_publish(guidance_id=guidance.pk, actor=request.user)
        return Response(impact.as_dict())


class CanReadListVersions(BasePermission):
    """A list version's impact is for those who read list versions (every role but requester)."""

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.has_perm("screening.view_listversion"))


class ListVersionImpactView(APIView):
    """``GET /api/screening/list-versions/{id}/impact/``: for the entries the version adds (and removes), the
    catalog organisations they match, the models whose risk items would change (the derivation a confirmed hit
    runs), the approved requests that would reopen, the sign-offs that would lapse, the memos out of date."""

    permission_classes = [CanReadListVersions]

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request, pk: int):
        if not ListVersion.objects.filter(pk=pk).exists():
            raise NotFound(f"There is no list version #{pk}.")
        return Response(list_version_impact(version_id=pk, reader=request.user).as_dict())


def register(router) -> None:
    """Register this app's viewsets on the project router."""
    router.registry[:] = [entry for entry in router.registry if entry[2] != "guidance"]
    router.register("guidance", GuidanceImpactViewSet, basename="guidance")
    router.register("adoption-requests", AdoptionRequestViewSet, basename="adoption-request")
    router.register("risk-items", RiskItemViewSet, basename="risk-item")
    router.register("risk-matrices", RiskMatrixViewSet, basename="risk-matrix")
    router.register("conditions", ConditionViewSet, basename="condition")
