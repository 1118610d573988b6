"""One place to make test rows: factory_boy factories for the catalog, screening, register and watch.

Each factory fills what the database requires with plain, readable defaults; a test passes the facts it is
about (`OrganisationFactory(name="Huawei Technologies Co., Ltd.", country="CN")`). Rows with a natural key
(a jurisdiction's code, a list's code, the risk matrix's name and version, a user's username) are fetched when
they exist, so two builders that need "US" or the Enterprise 5x5 matrix share one row.

The test worlds are built on these: the fixed cast (tests/conftest.py), the small catalogs of
tests/register/conftest.py and tests/watch/conftest.py, and the GLM-5 register of tests/reports/factories.py.
"""

from __future__ import annotations

import datetime

import factory
from django.contrib.auth.models import User
from django.utils import timezone
from factory.django import DjangoModelFactory

from models_catalog.models import (
    Accelerator,
    AIModel,
    EvidenceSource,
    Jurisdiction,
    Licence,
    ModelGuidanceStatus,
    Organisation,
    ProvenanceClaim,
    RegulatoryGuidance,
    SanctionsNote,
)
from riskreg.register.models import AdoptionRequest, RiskItem, RiskMatrix, SignOff
from riskreg.screening.models import ListEntry, ListVersion, SanctionsList, ScreeningHit
from riskreg.watch.models import Alert, ChangeEvent, Snapshot, WatchSource

PASSWORD = "test-password-123"

# The Enterprise 5x5 matrix's bands, as the demo and the memos show them.
BANDS = [
    {"name": "Low", "min": 1, "max": 4, "colour": "#2e7d32"},
    {"name": "Medium", "min": 5, "max": 9, "colour": "#f9a825"},
    {"name": "High", "min": 10, "max": 16, "colour": "#ef6c00"},
    {"name": "Critical", "min": 17, "max": 25, "colour": "#c62828"},
]


# --- people -----------------------------------------------------------------------------------------------------


class UserFactory(DjangoModelFactory):
    """A user with the suite's one password (hashed by the test settings' fast hasher)."""

    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.test")
    password = factory.django.Password(PASSWORD)


# --- catalog ----------------------------------------------------------------------------------------------------


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Example Organisation {n} Ltd.")
    country = "CN"


class AcceleratorFactory(DjangoModelFactory):
    class Meta:
        model = Accelerator

    product = factory.Sequence(lambda n: f"Accelerator {n}")
    vendor = factory.SubFactory(OrganisationFactory)


class EvidenceSourceFactory(DjangoModelFactory):
    class Meta:
        model = EvidenceSource

    title = factory.Sequence(lambda n: f"Report {n}")
    publisher = "Press"
    kind = EvidenceSource.Kind.PRESS


class AIModelFactory(DjangoModelFactory):
    class Meta:
        model = AIModel

    name = factory.Sequence(lambda n: f"Model-{n}")
    family = "Test"
    developer = factory.SubFactory(OrganisationFactory)
    licence = "MIT"
    weights = AIModel.Weights.OPEN


class LicenceFactory(DjangoModelFactory):
    """A licence as legal recorded it: by default plain terms (commercial use, no cap, no policy), so that a test
    world's custom licence raises no item unless the test gives it the term it is about."""

    class Meta:
        model = Licence
        django_get_or_create = ("identifier",)

    identifier = factory.Sequence(lambda n: f"LicenseRef-Test-{n}")
    name = factory.LazyAttribute(lambda o: o.identifier.removeprefix("LicenseRef-").replace("-", " "))
    commercial_use = Licence.Commercial.ALLOWED
    citation = "Test licence text"
    read_on = datetime.date(2026, 12, 6)


class ProvenanceClaimFactory(DjangoModelFactory):
    """A training-hardware claim by default: the one the register is most about."""

    class Meta:
        model = ProvenanceClaim
        skip_postgeneration_save = True

    model = factory.SubFactory(AIModelFactory)
    subject = ProvenanceClaim.Subject.TRAINING_HARDWARE
    statement = factory.LazyAttribute(lambda claim: f"{claim.model.name} was trained on {claim.value}.")
    value = "unknown hardware"
    confidence = ProvenanceClaim.Confidence.REPORTED
    source = factory.SubFactory(EvidenceSourceFactory)

    @factory.post_generation
    def other_sources(self, create, extracted, **kwargs):
        if create and extracted:
            self.other_sources.set(extracted)


class JurisdictionFactory(DjangoModelFactory):
    class Meta:
        model = Jurisdiction
        django_get_or_create = ("code",)

    code = "US"
    name = "United States"


class RegulatoryGuidanceFactory(DjangoModelFactory):
    class Meta:
        model = RegulatoryGuidance

    jurisdiction = factory.SubFactory(JurisdictionFactory)
    issuer = "US Department of Commerce, BIS"
    title = factory.Sequence(lambda n: f"Guidance {n}")
    kind = RegulatoryGuidance.Kind.GUIDANCE
    status = RegulatoryGuidance.Status.IN_FORCE


class ModelGuidanceStatusFactory(DjangoModelFactory):
    class Meta:
        model = ModelGuidanceStatus
        skip_postgeneration_save = True

    model = factory.SubFactory(AIModelFactory)
    jurisdiction = factory.SubFactory(JurisdictionFactory)
    status = ModelGuidanceStatus.Status.UNDER_REVIEW

    @factory.post_generation
    def guidance(self, create, extracted, **kwargs):
        if create and extracted:
            self.guidance.set(extracted)


class SanctionsNoteFactory(DjangoModelFactory):
    """What legal recorded of a listing: the BIS Entity List by default."""

    class Meta:
        model = SanctionsNote

    organisation = factory.SubFactory(OrganisationFactory)
    authority = "US Department of Commerce, BIS"
    list_name = "Entity List"


# --- screening --------------------------------------------------------------------------------------------------


class SanctionsListFactory(DjangoModelFactory):
    class Meta:
        model = SanctionsList
        django_get_or_create = ("code",)

    code = "us-csl"
    name = "US Consolidated Screening List (incl. BIS Entity List)"
    authority = "US Department of Commerce, BIS (Entity List)"
    format = "us-csl-csv"


class ListVersionFactory(DjangoModelFactory):
    class Meta:
        model = ListVersion

    sanctions_list = factory.SubFactory(SanctionsListFactory)
    sha256 = factory.Sequence(lambda n: f"{n:064x}")
    source_name = "consolidated.csv"
    format = factory.SelfAttribute("sanctions_list.format")


class ListEntryFactory(DjangoModelFactory):
    class Meta:
        model = ListEntry

    sanctions_list = factory.SubFactory(SanctionsListFactory)
    external_id = factory.Sequence(lambda n: f"EL-{n}")
    primary_name = factory.Sequence(lambda n: f"Listed Entity {n}")
    content_hash = factory.LazyAttribute(lambda entry: entry.external_id.ljust(64, "0")[:64])
    first_version = factory.SubFactory(ListVersionFactory, sanctions_list=factory.SelfAttribute("..sanctions_list"))
    last_version = factory.SelfAttribute("first_version")


class ScreeningHitFactory(DjangoModelFactory):
    class Meta:
        model = ScreeningHit

    organisation = factory.SubFactory(OrganisationFactory)
    entry = factory.SubFactory(ListEntryFactory)
    query_name = factory.SelfAttribute("organisation.name")
    matched_name = factory.SelfAttribute("entry.primary_name")
    score = 100.0
    algorithm_version = "test"


# --- register ---------------------------------------------------------------------------------------------------


class RiskMatrixFactory(DjangoModelFactory):
    """The Enterprise 5x5 matrix (one row, however many builders ask for it)."""

    class Meta:
        model = RiskMatrix
        django_get_or_create = ("name", "version")

    name = "Enterprise 5x5"
    version = 1
    likelihood_labels = ["Rare", "Unlikely", "Possible", "Likely", "Almost certain"]
    impact_labels = ["Negligible", "Minor", "Moderate", "Major", "Severe"]
    bands = BANDS


class AdoptionRequestFactory(DjangoModelFactory):
    """A request as stored (no workflow service runs): for a request at a given step, use the services."""

    class Meta:
        model = AdoptionRequest

    model = factory.SubFactory(AIModelFactory)
    use_case = "Summarise internal policy documents"
    access = "self_hosted"
    jurisdictions = factory.LazyFunction(lambda: ["EU", "US"])
    business_owner = factory.SelfAttribute("requester")
    data_classification = "internal"
    requester = factory.SubFactory(UserFactory)
    matrix = factory.SubFactory(RiskMatrixFactory)


class RiskItemFactory(DjangoModelFactory):
    class Meta:
        model = RiskItem

    model = factory.SubFactory(AIModelFactory)
    matrix = factory.SubFactory(RiskMatrixFactory)
    category = "sanctions"
    title = factory.Sequence(lambda n: f"Risk {n}")
    inherent_likelihood = 3
    inherent_impact = 3


class SignOffFactory(DjangoModelFactory):
    class Meta:
        model = SignOff

    request = factory.SubFactory(AdoptionRequestFactory)
    review_round = factory.SelfAttribute("request.review_round")
    role = "legal"
    signer = factory.SubFactory(UserFactory)
    decision = SignOff.Decision.APPROVE
    risk_state_sha256 = "a" * 64


# --- watch ------------------------------------------------------------------------------------------------------


class WatchSourceFactory(DjangoModelFactory):
    """A source as stored; `watch_source_create` (the service, which checks the URL) is for tests about sources."""

    class Meta:
        model = WatchSource

    name = factory.Sequence(lambda n: f"source {n + 1}")
    kind = "rss"
    url = factory.Sequence(lambda n: f"https://example.org/feed-{n}.xml")


class SnapshotFactory(DjangoModelFactory):
    class Meta:
        model = Snapshot

    source = factory.SubFactory(WatchSourceFactory)
    fetched_at = factory.LazyFunction(timezone.now)
    sha256 = factory.Sequence(lambda n: f"{n:064x}")
    http_status = 200
    path = "x"
    size = 1


class ChangeEventFactory(DjangoModelFactory):
    class Meta:
        model = ChangeEvent

    source = factory.SubFactory(WatchSourceFactory)
    after = factory.SubFactory(SnapshotFactory, source=factory.SelfAttribute("..source"))


class AlertFactory(DjangoModelFactory):
    class Meta:
        model = Alert
        skip_postgeneration_save = True

    change = factory.SubFactory(ChangeEventFactory)
    dedupe_key = factory.Sequence(lambda n: f"alert-{n}")
    title = factory.Sequence(lambda n: f"Alert {n}")

    @factory.post_generation
    def ai_models(self, create, extracted, **kwargs):
        if create and extracted:
            self.ai_models.set(extracted)

    @factory.post_generation
    def organisations(self, create, extracted, **kwargs):
        if create and extracted:
            self.organisations.set(extracted)


def use(owner, **changes) -> dict:
    """An adoption context, as a request is filed with (riskreg.register.context): an internal use of published
    weights on our own servers, by staff, in the EU and the US, with ``owner`` as business owner; ``changes`` for the
    facts a test is about."""
    return {
        "use_case_area": "general",
        "access": "self_hosted",
        "modification": "none",
        "users": "staff",
        "jurisdictions": ["EU", "US"],
        "business_owner": owner,
        **changes,
    }
