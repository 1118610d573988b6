"""Forms of the request page. They check shape only (types, choices, lengths); every rule of the register
(separation of duties, what approval needs, matrix bounds) stays in riskreg.register.services, whose
refusals the views show next to the form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from models_catalog.models import AIModel
from riskreg.register.models import DataClassification, Deployment, RiskItem, RiskMatrix, SignOff


class AdoptionRequestForm(forms.Form):
    model = forms.ModelChoiceField(
        label=_("Model"),
        queryset=AIModel.objects.order_by("name"),
        to_field_name="slug",
        empty_label=_("Choose a model"),
        help_text=_("The register shows what it will propose for this model before you file."),
    )
    use_case = forms.CharField(
        label=_("Use case"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("What the model will be used for, by whom, on what data."),
    )
    deployment = forms.ChoiceField(
        label=_("Deployment"), choices=[("", _("Choose how it will run")), *Deployment.choices]
    )
    data_classification = forms.ChoiceField(
        label=_("Data classification"),
        choices=[("", _("Choose the most sensitive data it will see")), *DataClassification.choices],
        help_text=_("Decides whose sign-off the request needs."),
    )


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
