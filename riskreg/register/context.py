"""The adoption context: how, where and by whom a request's model will be used, and with what data.

Legal decides on the use, not on the model: the same model raises different duties for an internal pilot and for
a customer product. A request records its context in its own fields (riskreg.register.models.AdoptionRequest);
``context_clean`` checks what a form, the API or the admin hands in, field by field, with a sentence for each
problem; ``AdoptionContext`` is what the rules, our role and the obligations read. The choices live in
models_catalog.uses, shared with the catalog's law data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from django.contrib.auth import get_user_model
from iso3166 import countries_by_alpha2

from models_catalog.models import Jurisdiction
from models_catalog.uses import (
    ANNEX_III_POINTS,
    EU_MEMBER_STATES,
    HIGH_RISK_AREAS,
    Access,
    Audience,
    Flow,
    Modification,
    PersonalData,
    ProhibitedPractice,
    UseCaseArea,
    jurisdiction_of,
)
from riskreg.core.errors import BadInput

#: The context's fields, in the order a form and the API list them.
CONTEXT_FIELDS = (
    "use_case_area",
    "prohibited_practices",
    "public_service",
    "access",
    "modification",
    "finetune_flop",
    "users",
    "expected_users",
    "jurisdictions",
    "personal_data",
    "data_to",
    "payments_to_developer",
    "technology_to_developer",
    "runs_on_listed_hardware",
    "business_owner",
)
COUNTRY = re.compile(r"^[A-Z]{2}$")
MAX_FLOP = 1e30  # far above any training run; a typo (1e300) is refused with the bound
MAX_USERS = 10**10


def data_to_countries_read(requests) -> None:
    """Read, in one query, the catalog's record (its EU adequacy) of the countries many requests send data to, and
    keep each on its request for AdoptionContext.of (as prefetch_related_objects keeps related rows)."""
    unread = [r for r in requests if getattr(r, "_data_to_country", (None,))[0] != (r.data_to or "")]
    codes = {request.data_to for request in unread if request.data_to}
    found = {j.code: j for j in Jurisdiction.objects.filter(code__in=codes)} if codes else {}
    for request in unread:
        request._data_to_country = (request.data_to or "", found.get(request.data_to or ""))


@dataclass(frozen=True)
class AdoptionContext:
    """What the rules, our role and the obligations read of a request's use."""

    use_case_area: str = UseCaseArea.GENERAL
    prohibited_practices: tuple[str, ...] = ()
    public_service: bool = False
    access: str = Access.SELF_HOSTED
    modification: str = Modification.NONE
    finetune_flop: float | None = None
    users: str = Audience.STAFF
    expected_users: int | None = None
    jurisdictions: tuple[str, ...] = ()  # as given: EU, US, DE ...
    personal_data: tuple[str, ...] = ()
    data_to: str = ""
    payments_to_developer: bool = False
    technology_to_developer: bool = False
    runs_on_listed_hardware: bool = False
    recorded: bool = True
    # Where our data goes, as the catalog's jurisdictions record it (GDPR Art. 45): resolved by ``of``.
    data_to_adequacy: str = field(default="", compare=False)
    data_to_name: str = field(default="", compare=False)
    data_to_basis: str = field(default="", compare=False)

    @classmethod
    def of(cls, request, *, adequacy: bool = True) -> AdoptionContext:
        """The context of a request. The country the data goes to (its EU adequacy) is read once per request
        object, for many requests at once with data_to_countries_read first; ``adequacy=False`` when the caller
        reads nothing of it (the where and the area)."""
        code = request.data_to or ""
        found = None
        if adequacy:
            data_to_countries_read([request])
            found = request._data_to_country[1]
        return cls(
            use_case_area=request.use_case_area,
            prohibited_practices=tuple(request.prohibited_practices or ()),
            public_service=request.public_service,
            access=request.access,
            modification=request.modification,
            finetune_flop=request.finetune_flop,
            users=request.users,
            expected_users=request.expected_users,
            jurisdictions=tuple(request.jurisdictions or ()),
            personal_data=tuple(request.personal_data or ()),
            data_to=request.data_to or "",
            payments_to_developer=request.payments_to_developer,
            technology_to_developer=request.technology_to_developer,
            runs_on_listed_hardware=request.runs_on_listed_hardware,
            recorded=request.context_recorded,
            data_to_adequacy="eu" if code in EU_MEMBER_STATES else (found.eu_adequacy if found else ""),
            data_to_name=found.name if found else code,
            data_to_basis=found.eu_adequacy_basis if found else "",
        )

    def same_use(self, other: AdoptionContext) -> bool:
        """Two requests for the same use: every answer of the context alike, the answers of several choices in any
        order (what a prefilled assessment needs)."""
        return self._unordered() == other._unordered()

    def _unordered(self) -> AdoptionContext:
        return replace(
            self,
            jurisdictions=tuple(sorted(self.jurisdictions)),
            personal_data=tuple(sorted(self.personal_data)),
            prohibited_practices=tuple(sorted(self.prohibited_practices)),
        )

    @property
    def transfer_without_adequacy(self) -> bool:
        """Personal data goes to a country with no EU adequacy decision (or one for some recipients only, or none
        recorded): a transfer under GDPR Chapter V that needs Art. 46 safeguards or an Art. 49 derogation."""
        return bool(self.personal_data and self.data_to) and self.data_to_adequacy not in ("eu", "adequate")

    def adequacy_words(self) -> str:
        name = self.data_to_name or self.data_to
        if self.data_to_adequacy == "eu":
            return f"{name} is in the EU"
        if self.data_to_adequacy == "adequate":
            return f"{name} has an EU adequacy decision ({self.data_to_basis or 'GDPR Art. 45'})"
        if self.data_to_adequacy == "partial":
            return (
                f"{name} has an EU adequacy decision for some recipients only ({self.data_to_basis}): unless the "
                "recipient is one of them, it is a transfer without adequacy"
            )
        if self.data_to_adequacy == "none":
            return f"{name} has no EU adequacy decision"
        return f"no EU adequacy decision is recorded in the register for {name}"

    @property
    def where(self) -> tuple[str, ...]:
        """The jurisdictions of the use, member states counted as the EU, in the order given."""
        return tuple(dict.fromkeys(jurisdiction_of(code) for code in self.jurisdictions))

    def places_in(self, jurisdiction: str) -> list[str]:
        """The codes given for a jurisdiction: ["DE", "FR"] for the EU when those were named, else [code]."""
        return [code for code in self.jurisdictions if jurisdiction_of(code) == jurisdiction] or [jurisdiction]

    @property
    def annex_iii(self) -> bool:
        return self.use_case_area in ANNEX_III_POINTS

    @property
    def high_risk(self) -> bool:
        return self.use_case_area in HIGH_RISK_AREAS

    @property
    def flows(self) -> tuple[str, ...]:
        """What goes to the developer: payments, data (the developer receives what we send), technology."""
        found = []
        if self.payments_to_developer:
            found.append(Flow.PAYMENTS)
        if self.access == Access.DEVELOPER_API:
            found.append(Flow.DATA)
        if self.technology_to_developer:
            found.append(Flow.TECHNOLOGY)
        return tuple(found)

    @property
    def self_hosted_without_flows(self) -> bool:
        """A copy of published weights run by us, with no payment, data or technology going to the developer."""
        return self.access == Access.SELF_HOSTED and not self.flows

    def label(self, name: str) -> str:
        """A value of the context in words (for sentences)."""
        choices = {
            "use_case_area": UseCaseArea,
            "access": Access,
            "modification": Modification,
            "users": Audience,
        }[name]
        value = getattr(self, name)
        return str(choices(value).label) if value in choices.values else value

    def personal_data_words(self) -> str:
        words = {
            PersonalData.STAFF: "staff",
            PersonalData.CUSTOMERS: "customers",
            PersonalData.OTHERS: "other people",
            PersonalData.SPECIAL_CATEGORIES: "special categories of GDPR Art. 9(1)",
        }
        return ", ".join(words.get(value, value) for value in self.personal_data)


# --- checking what is handed in -------------------------------------------------------------------------------


def _choice(value, choices, problems: dict, name: str, *, required: bool = True) -> str | None:
    if value in (None, "") and not required:
        return None
    if value not in choices.values:
        problems[name] = [f"Choose one of: {', '.join(choices.values)}."]
        return None
    return value


def _choices(value, choices, problems: dict, name: str) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = [part.strip() for part in value.split(",") if part.strip()]
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        problems[name] = ["Give a list of values."]
        return []
    unknown = [v for v in value if v not in choices.values]
    if unknown:
        problems[name] = [
            f"Unknown value(s) {', '.join(map(repr, unknown))}; choose from: {', '.join(choices.values)}."
        ]
        return []
    return list(dict.fromkeys(value))


def _bool(value, problems: dict, name: str) -> bool:
    if isinstance(value, bool):
        return value
    if value in (None, "", 0, "0", "false", "False", "no", "off"):
        return False
    if value in (1, "1", "true", "True", "yes", "on"):
        return True
    problems[name] = ["Give true or false."]
    return False


def _number(value, problems: dict, name: str, *, maximum: float, integer: bool = False):
    if value in (None, ""):
        return None
    try:
        number = int(value) if integer else float(value)
    except (TypeError, ValueError):
        problems[name] = ["Give a number, e.g. 3e23." if not integer else "Give a whole number, e.g. 200."]
        return None
    if not 0 < number <= maximum:
        problems[name] = [f"Give a number above 0 and at most {maximum:g}."]
        return None
    return number


def _jurisdictions(value, problems: dict) -> list[str]:
    if isinstance(value, str):
        value = [part for part in re.split(r"[,\s]+", value) if part]
    if not isinstance(value, list | tuple) or not value or not all(isinstance(v, str) for v in value):
        problems["jurisdictions"] = ["Name at least one place of use, e.g. EU, US, or a member state such as DE."]
        return []
    codes = [register_code(v) for v in value]
    unknown = [code for code in codes if not known_place(code)]
    if unknown:
        problems["jurisdictions"] = [
            f"Unknown jurisdiction(s) {', '.join(unknown)}: give EU or a country's two-letter ISO 3166 code (US, UK, "
            "DE, CN ...)."
        ]
        return []
    return list(dict.fromkeys(codes))


#: ISO 3166 codes the catalog records under another name: the United Kingdom is "UK" in the register.
REGISTER_CODES = {"GB": "UK"}


def register_code(value: str) -> str:
    """A place as the catalog records it: upper case, "GB" as "UK" (so its adequacy record is found)."""
    code = str(value or "").strip().upper()
    return REGISTER_CODES.get(code, code)


def known_place(code: str) -> bool:
    """EU, UK (the register's name for GB), or an ISO 3166-1 country code."""
    return code in ("EU", "UK") or code in countries_by_alpha2


def _owner(value, problems: dict):
    if value in (None, ""):
        problems["business_owner"] = ["Name the business owner: the person accountable for the use."]
        return None
    users = get_user_model().objects.filter(is_active=True)
    owner = value if isinstance(value, get_user_model()) else users.filter(username=str(value)).first()
    if owner is None or not owner.is_active:
        problems["business_owner"] = [f"{value!s} is not an active user of the register."]
        return None
    return owner


def context_clean(values: dict) -> dict:
    """The context's fields checked and normalised, ready to set on a request; BadInput names every field that
    is wrong, with what to give instead. A use involving a practice of Art. 5(1) is refused outright."""
    problems: dict[str, list[str]] = {}
    unknown = sorted(set(values) - set(CONTEXT_FIELDS))
    for name in unknown:
        problems[name] = [f"Not a field of the context; the fields are: {', '.join(CONTEXT_FIELDS)}."]
    clean = {
        "use_case_area": _choice(values.get("use_case_area"), UseCaseArea, problems, "use_case_area"),
        "prohibited_practices": _choices(
            values.get("prohibited_practices"), ProhibitedPractice, problems, "prohibited_practices"
        ),
        "public_service": _bool(values.get("public_service"), problems, "public_service"),
        "access": _choice(values.get("access"), Access, problems, "access"),
        "modification": _choice(
            values.get("modification") or Modification.NONE, Modification, problems, "modification"
        ),
        "finetune_flop": _number(values.get("finetune_flop"), problems, "finetune_flop", maximum=MAX_FLOP),
        "users": _choice(values.get("users"), Audience, problems, "users"),
        "expected_users": _number(
            values.get("expected_users"), problems, "expected_users", maximum=MAX_USERS, integer=True
        ),
        "jurisdictions": _jurisdictions(values.get("jurisdictions"), problems),
        "personal_data": _choices(values.get("personal_data"), PersonalData, problems, "personal_data"),
        "data_to": register_code(values.get("data_to")),
        "payments_to_developer": _bool(values.get("payments_to_developer"), problems, "payments_to_developer"),
        "technology_to_developer": _bool(values.get("technology_to_developer"), problems, "technology_to_developer"),
        "runs_on_listed_hardware": _bool(values.get("runs_on_listed_hardware"), problems, "runs_on_listed_hardware"),
        "business_owner": _owner(values.get("business_owner"), problems),
    }
    _consistency(clean, problems)
    if problems:
        raise BadInput(problems)
    return clean


def _consistency(clean: dict, problems: dict) -> None:
    if clean["prohibited_practices"] and "prohibited_practices" not in problems:
        labels = dict(ProhibitedPractice.choices)
        problems["prohibited_practices"] = [
            "The EU AI Act prohibits this use: "
            + "; ".join(str(labels[value]) for value in clean["prohibited_practices"])
            + ". The register does not file a request for a prohibited practice (Regulation (EU) 2024/1689, Art. 5)."
        ]
    if clean["modification"] == Modification.FINE_TUNING and clean["finetune_flop"] is None:
        problems.setdefault(
            "finetune_flop",
            [
                "Give the training compute the fine-tuning will use (FLOP, e.g. 3e23): above a third of the original "
                "model's, we become the provider of the modified general-purpose model."
            ],
        )
    if clean["modification"] != Modification.FINE_TUNING and clean["finetune_flop"] is not None:
        problems.setdefault("finetune_flop", ["Fine-tuning compute is for a fine-tuning only; leave it empty."])
    if clean["data_to"] and not (COUNTRY.match(clean["data_to"]) and known_place(clean["data_to"])):
        problems["data_to"] = ["Give the country as a two-letter ISO 3166 code, e.g. CN, US, IE."]
    if clean["access"] in (Access.DEVELOPER_API, Access.CLOUD_MARKETPLACE, Access.THIRD_PARTY_PRODUCT):
        if not clean["data_to"] and "data_to" not in problems:
            problems["data_to"] = [
                "Whoever runs the model for us receives what we send it: give the country it goes to (e.g. CN)."
            ]


# --- the context as a row (the API, the dossier, the memo) --------------------------------------------------------


def context_row(request, *, owner=None) -> dict:
    """The request's context as JSON with labels, for the API, the dossier and the memo. ``owner``: the business
    owner when the caller has it (a request read from history); otherwise the request's own."""
    labels = {
        "use_case_area": dict(UseCaseArea.choices),
        "access": dict(Access.choices),
        "modification": dict(Modification.choices),
        "users": dict(Audience.choices),
        "personal_data": dict(PersonalData.choices),
        "prohibited_practices": dict(ProhibitedPractice.choices),
    }
    owner = owner if owner is not None else (request.business_owner if request.business_owner_id else None)
    context = AdoptionContext.of(request, adequacy=False)  # the row reads the where and the area only
    return {
        "recorded": request.context_recorded,
        "use_case_area": request.use_case_area,
        "use_case_area_label": str(labels["use_case_area"].get(request.use_case_area, request.use_case_area)),
        "high_risk": context.high_risk,
        "prohibited_practices": list(request.prohibited_practices or []),
        "prohibited_practices_labels": [
            str(labels["prohibited_practices"].get(v, v)) for v in request.prohibited_practices or []
        ],
        "public_service": request.public_service,
        "access": request.access,
        "access_label": str(labels["access"].get(request.access, request.access)),
        "modification": request.modification,
        "modification_label": str(labels["modification"].get(request.modification, request.modification)),
        "finetune_flop": request.finetune_flop,
        "users": request.users,
        "users_label": str(labels["users"].get(request.users, request.users)),
        "expected_users": request.expected_users,
        "jurisdictions": list(request.jurisdictions or []),
        "where": list(context.where),
        "personal_data": list(request.personal_data or []),
        "personal_data_labels": [str(labels["personal_data"].get(v, v)) for v in request.personal_data or []],
        "data_to": request.data_to,
        "payments_to_developer": request.payments_to_developer,
        "technology_to_developer": request.technology_to_developer,
        "runs_on_listed_hardware": request.runs_on_listed_hardware,
        "business_owner": owner.get_username() if owner else None,
        "business_owner_name": (owner.get_full_name() or owner.get_username()) if owner else None,
    }
