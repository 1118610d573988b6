"""A small catalog (GLM-5 on Huawei Ascend, Llama 4 on Nvidia) and requests at each step of review."""

from __future__ import annotations

import datetime

import pytest

from models_catalog.models import (
    Accelerator,
    AIModel,
    EvidenceSource,
    GuidanceReach,
    Jurisdiction,
    Organisation,
    RegulatoryGuidance,
)
from riskreg.register import services
from riskreg.register.models import AdoptionRequest
from tests.factories import (
    AcceleratorFactory,
    AIModelFactory,
    EvidenceSourceFactory,
    JurisdictionFactory,
    LicenceFactory,
    ModelGuidanceStatusFactory,
    OrganisationFactory,
    ProvenanceClaimFactory,
    RegulatoryGuidanceFactory,
    SanctionsNoteFactory,
    use,
)


@pytest.fixture
def press(db) -> EvidenceSource:
    return EvidenceSourceFactory(title="GLM-5 trained entirely on Huawei Ascend chips", publisher="Smart Chunks")


@pytest.fixture
def model_card(db) -> EvidenceSource:
    return EvidenceSourceFactory(title="Llama 4 model card", publisher="Meta", kind="model_card")


@pytest.fixture
def zhipu(db) -> Organisation:
    return OrganisationFactory(
        name="Beijing Zhipu Huazhang Technology Co., Ltd.",
        short_name="Zhipu AI",
        native_name="北京智谱华章科技股份有限公司",
        roles=["developer"],
    )


@pytest.fixture
def huawei(db) -> Organisation:
    return OrganisationFactory(name="Huawei Technologies Co., Ltd.", short_name="Huawei", roles=["chip_vendor"])


@pytest.fixture
def nvidia(db) -> Organisation:
    return OrganisationFactory(name="NVIDIA Corporation", short_name="Nvidia", country="US")


@pytest.fixture
def meta(db) -> Organisation:
    return OrganisationFactory(name="Meta Platforms, Inc.", short_name="Meta", country="US")


@pytest.fixture
def ascend(huawei) -> Accelerator:
    return AcceleratorFactory(product="Ascend 910B", vendor=huawei, kind="npu")


@pytest.fixture
def h100(nvidia) -> Accelerator:
    return AcceleratorFactory(product="H100-80GB", vendor=nvidia)


@pytest.fixture
def eu(db) -> Jurisdiction:
    return JurisdictionFactory(code="EU", name="European Union")


@pytest.fixture
def us(db) -> Jurisdiction:
    return JurisdictionFactory(code="US", name="United States")


@pytest.fixture
def glm5(zhipu, ascend, press) -> AIModel:
    model = AIModelFactory(name="GLM-5", family="GLM", developer=zhipu)
    ProvenanceClaimFactory(
        model=model,
        statement="GLM-5 was trained entirely on Huawei Ascend chips.",
        value="Huawei Ascend 910B",
        accelerator=ascend,
        source=press,
    )
    return model


@pytest.fixture
def llama4(meta, h100, model_card, eu) -> AIModel:
    model = AIModelFactory(name="Llama 4", family="Llama", developer=meta, licence="LicenseRef-Llama-4-Community")
    LicenceFactory(identifier=model.licence, name="Llama 4 Community License Agreement")
    ProvenanceClaimFactory(
        model=model,
        statement="Llama 4 was trained on Nvidia H100-80GB.",
        value="Nvidia H100-80GB",
        accelerator=h100,
        confidence="developer_stated",
        source=model_card,
    )
    ModelGuidanceStatusFactory(model=model, jurisdiction=eu, status="permitted")
    return model


@pytest.fixture
def entity_listed(zhipu, huawei):
    """Zhipu AI and Huawei on the BIS Entity List, as legal recorded them."""
    SanctionsNoteFactory(organisation=zhipu, citation="90 FR 4617", listed_on=datetime.date(2025, 1, 16))
    SanctionsNoteFactory(organisation=huawei, citation="84 FR 22961", listed_on=datetime.date(2019, 5, 16))


@pytest.fixture
def bis_guidance(us, huawei) -> RegulatoryGuidance:
    """The BIS guidance, reaching Huawei's Ascend accelerators as data (no code knows the vendor)."""
    guidance = RegulatoryGuidanceFactory(
        jurisdiction=us,
        title="Guidance on Huawei Ascend 910B, 910C and 910D (General Prohibition 10)",
        issued_on=datetime.date(2025, 5, 13),
    )
    GuidanceReach.objects.create(guidance=guidance, kind="accelerator", organisation=huawei, product_prefix="Ascend")
    return guidance


@pytest.fixture
def draft(requester, llama4) -> AdoptionRequest:
    return services.adoption_request_create(
        requester=requester,
        model=llama4,
        use_case="Summarise internal policy documents",
        context=use(requester),
        data_classification="internal",
    )


@pytest.fixture
def in_review(draft, requester) -> AdoptionRequest:
    services.adoption_request_submit(request_id=draft.pk, actor=requester)
    draft.refresh_from_db()
    return draft


@pytest.fixture
def approved(in_review, legal, security, procurement) -> AdoptionRequest:
    for user in (legal, security, procurement):
        services.sign_off_create(request_id=in_review.pk, signer=user, role=user.username, decision="approve")
    in_review.refresh_from_db()
    assert in_review.state == "approved"
    return in_review
