"""Forms of the request page. They check shape only (types, choices, lengths); every rule of the register
(separation of duties, what approval needs, matrix bounds) stays in riskreg.register.services, whose
refusals the views show next to the form."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from models_catalog.models import AIModel
from models_catalog.uses import Access, Audience, Modification, PersonalData, ProhibitedPractice, UseCaseArea
from riskreg.register.context import CONTEXT_FIELDS
from riskreg.register.models import DataClassification, RiskItem, RiskMatrix, SignOff


class AdoptionRequestForm(forms.Form):
    """The request and its use, in the order a requester thinks of it: what for, how, who, where, what data. Each
    choice says what it means; riskreg.register.context checks the combination (a fine-tuning needs its compute,
    an API needs the country our data goes to) and names the field that is wrong."""

    model = forms.ModelChoiceField(
        label=_("Model"),
        queryset=AIModel.objects.order_by("name"),
        to_field_name="slug",
        empty_label=_("Choose a model"),
        help_text=_("The register shows what it will propose for this model before you file."),
    )
    use_case = forms.CharField(
        label=_("Purpose"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("What the model will be used for, in a sentence or two."),
    )
    use_case_area = forms.ChoiceField(
        label=_("Use-case area"),
        choices=[("", _("Choose the area of the use")), *UseCaseArea.choices],
        help_text=_(
            "The EU AI Act treats uses in these areas as high-risk (Annex III) or as safety components (Art. 6(1))."
        ),
    )
    prohibited_practices = forms.MultipleChoiceField(
        label=_("Does the use involve any of these practices?"),
        choices=ProhibitedPractice.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "The EU AI Act prohibits them (Art. 5): tick none for an ordinary use. A ticked practice is refused."
        ),
    )
    public_service = forms.BooleanField(
        label=_("We are a public body, or provide a public service"),
        required=False,
        help_text=_("A body governed by public law, or a private entity providing public services (AI Act Art. 27)."),
    )
    access = forms.ChoiceField(label=_("Access"), choices=[("", _("Choose how we reach the model")), *Access.choices])
    modification = forms.ChoiceField(label=_("Modification"), choices=Modification.choices, initial=Modification.NONE)
    finetune_flop = forms.CharField(
        label=_("Fine-tuning compute (FLOP)"),
        required=False,
        max_length=30,
        help_text=_(
            "Only for a fine-tuning: the training compute it will use, e.g. 3e23. Above a third of the original "
            "model's, we become the provider of the modified general-purpose model."
        ),
    )
    users = forms.ChoiceField(
        label=_("Who uses the output"), choices=[("", _("Choose the widest group")), *Audience.choices]
    )
    expected_users = forms.IntegerField(
        label=_("Expected users (monthly)"), required=False, min_value=1, max_value=10**10
    )
    jurisdictions = forms.CharField(
        label=_("Where it will be used"),
        max_length=200,
        help_text=_("Codes separated by commas, e.g. EU, US; a member state (DE, FR) counts as the EU."),
    )
    personal_data = forms.MultipleChoiceField(
        label=_("Personal data it processes"),
        choices=PersonalData.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick none when it processes no personal data."),
    )
    data_to = forms.CharField(
        label=_("Our data goes to (country)"),
        required=False,
        max_length=8,
        help_text=_("The country whoever runs the model receives our data in, e.g. CN; empty when self-hosted."),
    )
    payments_to_developer = forms.BooleanField(label=_("We will pay the developer"), required=False)
    technology_to_developer = forms.BooleanField(
        label=_("We will send technology or hardware to the developer"), required=False
    )
    runs_on_listed_hardware = forms.BooleanField(
        label=_("We will run it on chips made by a listed vendor (e.g. Huawei Ascend)"), required=False
    )
    business_owner = forms.ModelChoiceField(
        label=_("Business owner"),
        queryset=None,
        to_field_name="username",
        empty_label=_("Choose the person accountable for the use"),
    )
    data_classification = forms.ChoiceField(
        label=_("Data classification"),
        choices=[("", _("Choose the most sensitive data it will see")), *DataClassification.choices],
        help_text=_("Decides whose sign-off the request needs."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["business_owner"].queryset = (
            get_user_model().objects.filter(is_active=True).order_by("first_name", "last_name", "username")
        )
        self.fields["business_owner"].label_from_instance = lambda user: user.get_full_name() or user.get_username()

    def context(self) -> dict:
        """The adoption context for riskreg.register.services (which checks it)."""
        data = self.cleaned_data
        return {name: data.get(name) for name in CONTEXT_FIELDS}


def _level_choices(labels: list[str], *, blank: str) -> list[tuple[str, str]]:
    return [("", blank)] + [(str(number), f"{number} - {label}") for number, label in enumerate(labels, start=1)]


class RiskItemAssessmentForm(forms.Form):
    """A reviewer's residual assessment of one risk item, on the item's own matrix."""

    residual_likelihood = forms.TypedChoiceField(label=_("Residual likelihood"), coerce=int, required=False)
    residual_impact = forms.TypedChoiceField(label=_("Residual impact"), coerce=int, required=False)
    treatment = forms.ChoiceField(
        label=_("Treatment"), choices=[("", _("Not decided")), *RiskItem.Treatment.choices], required=False
    )
    planned_controls = forms.CharField(
        label=_("Planned controls"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=4000
    )

    def __init__(self, *args, matrix: RiskMatrix, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["residual_likelihood"].choices = _level_choices(matrix.likelihood_labels, blank=_("Not assessed"))
        self.fields["residual_impact"].choices = _level_choices(matrix.impact_labels, blank=_("Not assessed"))
        self.fields["residual_likelihood"].empty_value = None
        self.fields["residual_impact"].empty_value = None

    def values(self) -> dict:
        """What to hand to risk_item_accept / risk_item_update."""
        data = self.cleaned_data
        return {
            "residual_likelihood": data.get("residual_likelihood"),
            "residual_impact": data.get("residual_impact"),
            "treatment": data.get("treatment") or "",
            "planned_controls": (data.get("planned_controls") or "").strip(),
        }


class SignOffForm(forms.Form):
    role = forms.ChoiceField(label=_("Signing as"))
    decision = forms.ChoiceField(label=_("Decision"), choices=SignOff.Decision.choices, widget=forms.RadioSelect)
    conditions = forms.CharField(
        label=_("Conditions"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=4000,
        help_text=_(
            "Required for an approval with conditions, e.g. Self-hosted only; no fine-tuning on customer data."
        ),
    )
    comment = forms.CharField(
        label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=4000
    )

    def __init__(self, *args, roles: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = roles
        if len(roles) == 1:
            self.fields["role"].initial = roles[0][0]
            self.fields["role"].widget = forms.HiddenInput()


class RiskItemAddForm(forms.Form):
    """A risk item a reviewer adds to a request on its page (accepted as entered; inherent levels on the matrix)."""

    category = forms.ChoiceField(label=_("Category"), choices=RiskItem.Category.choices)
    title = forms.CharField(label=_("Risk"), max_length=255)
    description = forms.CharField(
        label=_("Why"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=4000
    )
    inherent_likelihood = forms.TypedChoiceField(label=_("Likelihood"), coerce=int)
    inherent_impact = forms.TypedChoiceField(label=_("Impact"), coerce=int)
    planned_controls = forms.CharField(
        label=_("Planned controls"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=4000
    )

    def __init__(self, *args, matrix: RiskMatrix, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["inherent_likelihood"].choices = _level_choices(matrix.likelihood_labels, blank=_("Choose"))
        self.fields["inherent_impact"].choices = _level_choices(matrix.impact_labels, blank=_("Choose"))


class ConditionForm(forms.Form):
    """A reviewer sets who sees to a condition and by when; or its owner records the evidence that it is met."""

    owner = forms.ModelChoiceField(label=_("Owner"), queryset=None, to_field_name="username", required=False)
    due = forms.DateField(
        label=_("Due"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Empty: ongoing, for as long as it is used."),
    )
    evidence = forms.CharField(
        label=_("Evidence that it is met"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=4000
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = get_user_model().objects.filter(is_active=True).order_by("username")
        self.fields["owner"].label_from_instance = lambda user: user.get_full_name() or user.get_username()


class ConsiderForm(forms.Form):
    obligation = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Why the approval stands"), widget=forms.Textarea(attrs={"rows": 2}), max_length=4000
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Why"), required=False, max_length=2000)
