"""The vocabulary of a use: how, where and by whom a model will be used, and with what data.

One place for the choices that an adoption request's context is made of (riskreg.register) and that the law the
catalog records speaks of: an obligation applies to some uses only (``Obligation.conditions``), a licence restricts
some fields of use (``Licence.restricted_areas``). The catalog sits below the register, so the words live here.
The labels are for a lawyer reading a form; the citations are to the texts they come from.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

AI_ACT = "Regulation (EU) 2024/1689"


class UseCaseArea(models.TextChoices):
    """What the use is for, in the EU AI Act's terms: general use, one of the eight high-risk areas of Annex III
    (Art. 6(2)), or a safety component of a product under the Union legislation of Annex I (Art. 6(1))."""

    GENERAL = "general", _("General or internal productivity (none of the areas below)")
    BIOMETRICS = "biometrics", _("Biometrics (Annex III, point 1)")
    CRITICAL_INFRASTRUCTURE = "critical_infrastructure", _("Critical infrastructure (Annex III, point 2)")
    EDUCATION = "education", _("Education and vocational training (Annex III, point 3)")
    EMPLOYMENT = "employment", _("Employment, workers' management, self-employment (Annex III, point 4)")
    ESSENTIAL_SERVICES = (
        "essential_services",
        _("Access to essential private and public services and benefits, emergency calls (Annex III, point 5(a), (d))"),
    )
    CREDIT_INSURANCE = (
        "credit_insurance",
        _("Creditworthiness or credit scores; life and health insurance risk and pricing (Annex III, point 5(b), (c))"),
    )
    LAW_ENFORCEMENT = "law_enforcement", _("Law enforcement (Annex III, point 6)")
    MIGRATION = "migration", _("Migration, asylum and border control (Annex III, point 7)")
    JUSTICE_DEMOCRACY = (
        "justice_democracy",
        _("Administration of justice and democratic processes (Annex III, point 8)"),
    )
    SAFETY_COMPONENT = (
        "safety_component",
        _("Safety component of a product under the Union legislation of Annex I (Art. 6(1))"),
    )


#: The Annex III point of each high-risk area (Art. 6(2)).
ANNEX_III_POINTS = {
    UseCaseArea.BIOMETRICS: "1",
    UseCaseArea.CRITICAL_INFRASTRUCTURE: "2",
    UseCaseArea.EDUCATION: "3",
    UseCaseArea.EMPLOYMENT: "4",
    UseCaseArea.ESSENTIAL_SERVICES: "5(a), (d)",
    UseCaseArea.CREDIT_INSURANCE: "5(b), (c)",
    UseCaseArea.LAW_ENFORCEMENT: "6",
    UseCaseArea.MIGRATION: "7",
    UseCaseArea.JUSTICE_DEMOCRACY: "8",
}
HIGH_RISK_AREAS = frozenset({*ANNEX_III_POINTS, UseCaseArea.SAFETY_COMPONENT})


class ProhibitedPractice(models.TextChoices):
    """The practices Art. 5(1) prohibits (points (a)-(h); (ba) and (bb) inserted by Regulation (EU) 2026/1744,
    applying from 2 Dec 2026). A use that involves any of them is refused."""

    MANIPULATION = (
        "manipulation",
        _("Subliminal, manipulative or deceptive techniques that distort behaviour (Art. 5(1)(a))"),
    )
    VULNERABILITIES = (
        "vulnerabilities",
        _("Exploiting vulnerabilities due to age, disability or a social or economic situation (Art. 5(1)(b))"),
    )
    SOCIAL_SCORING = "social_scoring", _("Social scoring leading to detrimental treatment (Art. 5(1)(c))")
    CRIME_PREDICTION = (
        "crime_prediction",
        _("Predicting that a person will commit a crime from profiling or personality traits alone (Art. 5(1)(d))"),
    )
    FACE_SCRAPING = (
        "face_scraping",
        _("Building facial recognition databases by untargeted scraping of images (Art. 5(1)(e))"),
    )
    EMOTION_WORK_EDUCATION = (
        "emotion_work_education",
        _("Inferring emotions at work or in education, other than for medical or safety reasons (Art. 5(1)(f))"),
    )
    BIOMETRIC_SENSITIVE = (
        "biometric_sensitive",
        _(
            "Biometric categorisation to infer race, political opinions, union membership, religion, sex life or "
            "sexual orientation (Art. 5(1)(g))"
        ),
    )
    REALTIME_BIOMETRIC_POLICING = (
        "realtime_biometric_policing",
        _("Real-time remote biometric identification in public spaces for law enforcement (Art. 5(1)(h))"),
    )
    INTIMATE_IMAGERY = (
        "intimate_imagery",
        _("Intimate images of an identifiable person without their explicit consent (Art. 5(1)(ba), from 2 Dec 2026)"),
    )
    CHILD_ABUSE_MATERIAL = "child_abuse_material", _("Child sexual abuse material (Art. 5(1)(bb), from 2 Dec 2026)")


class Access(models.TextChoices):
    """How we reach the model."""

    SELF_HOSTED = "self_hosted", _("Self-hosted open weights (we run the published weights ourselves)")
    DEVELOPER_API = "developer_api", _("The developer's API (the developer runs it for us)")
    CLOUD_MARKETPLACE = "cloud_marketplace", _("A cloud marketplace (a cloud provider runs it for us)")
    THIRD_PARTY_PRODUCT = "third_party_product", _("A third party's product built on the model")


class Modification(models.TextChoices):
    """What we do to it."""

    NONE = "none", _("None: we use it as it is")
    FINE_TUNING = "fine_tuning", _("Fine-tuning (further training on our data)")
    OWN_NAME = "own_name", _("Integrated into a product or service under our name")


class Audience(models.TextChoices):
    """Who uses its output, the widest group."""

    STAFF = "staff", _("Our staff")
    CUSTOMERS = "customers", _("Our customers")
    PUBLIC = "public", _("The public")


class PersonalData(models.TextChoices):
    """Whose personal data it processes (none: an empty list)."""

    STAFF = "staff", _("Staff")
    CUSTOMERS = "customers", _("Customers")
    OTHERS = "others", _("Other people (applicants, members of the public)")
    SPECIAL_CATEGORIES = "special_categories", _("Special categories (GDPR Art. 9(1): health, biometric, ...)")


class Flow(models.TextChoices):
    """What goes to the model's developer."""

    PAYMENTS = "payments", _("payments")
    DATA = "data", _("data")
    TECHNOLOGY = "technology", _("technology or hardware")


#: Member states of the European Union: a use in any of them is a use in the EU (jurisdiction "EU").
EU_MEMBER_STATES = frozenset("AT BE BG HR CY CZ DK EE FI FR DE GR IE IT LV LT LU MT NL PL PT RO SK SI ES SE HU".split())


def jurisdiction_of(code: str) -> str:
    """The register's jurisdiction for a country or jurisdiction code: an EU member state is "EU"."""
    code = (code or "").strip().upper()
    return "EU" if code in EU_MEMBER_STATES else code


#: What an obligation's ``conditions`` may say about the use (and the model), each key a test of the context.
CONDITION_KEYS = {
    "areas": "the use-case area is one of these (UseCaseArea values)",
    "not_areas": "the use-case area is none of these",
    "high_risk": "true: the area is in Annex III or a safety component (Art. 6)",
    "annex_iii": "true: the area is in Annex III (Art. 6(2))",
    "users": "the output reaches one of these audiences (Audience values)",
    "public_service": "true: we are a body governed by public law or a private entity providing public services",
    "personal_data": "true: the use processes personal data",
    "data_to_no_adequacy": "true: personal data goes to a country without an EU adequacy decision",
    "flows": "one of these goes to the developer (Flow values)",
    "modification": "the modification is one of these (Modification values)",
    "access": "the access is one of these (Access values)",
    "unless_open_source": "true: not when the model's licence qualifies as free and open-source under the AI Act and "
    "the model is not presumed to have systemic risk (Art. 53(2), 54(6))",
    "systemic_risk": "true: the model is presumed to have systemic risk (Art. 51(2): over 10^25 FLOP, estimated)",
    "developer_outside_eu": "true: the model's developer is established outside the EU",
    "runs_on_listed_hardware": "true: we run it on chips made by a listed vendor",
}
