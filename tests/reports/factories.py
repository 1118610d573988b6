"""A demo-like GLM-5 register, built from the facts in DOMAIN.md, for memo tests and the benchmark.

The demo catalog is written concurrently on another branch, so the memos build their own: the
catalog rows (organisations, accelerator, sources, claims, guidance, sanctions notes), a screening
list with confirmed hits, two watch alerts, a risk matrix with risk items, and an adoption request
with sign-offs. Dates and figures are the DOMAIN.md ones; where DOMAIN.md gives no date we leave it empty.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.utils import timezone

from models_catalog.models import (
    Accelerator,
    AIModel,
    EvidenceSource,
    ModelGuidanceStatus,
    Organisation,
    ProvenanceClaim,
    RegulatoryGuidance,
)
from riskreg.register.models import AdoptionRequest, RiskItem, RiskMatrix, SignOff
from riskreg.screening.models import ScreeningHit
from tests.factories import (
    AcceleratorFactory,
    AdoptionRequestFactory,
    AIModelFactory,
    AlertFactory,
    ChangeEventFactory,
    EvidenceSourceFactory,
    JurisdictionFactory,
    ListEntryFactory,
    ListVersionFactory,
    ModelGuidanceStatusFactory,
    OrganisationFactory,
    ProvenanceClaimFactory,
    RegulatoryGuidanceFactory,
    RiskItemFactory,
    RiskMatrixFactory,
    SanctionsListFactory,
    SanctionsNoteFactory,
    ScreeningHitFactory,
    SignOffFactory,
    SnapshotFactory,
    WatchSourceFactory,
)

ZHIPU = "Beijing Zhipu Huazhang Technology Co., Ltd."
ZHIPU_SUBSIDIARIES = [
    "Beijing Zhipu Future Technology Co., Ltd.",
    "Beijing Zhipu Linghang Technology Co., Ltd.",
    "Beijing Zhipu Qingyan Technology Co., Ltd.",
    "Hangzhou Zhipu Huazhang Technology Co., Ltd.",
    "Beijing Lingxin Intelligent Technology Co., Ltd.",
    "Beijing Yuanyin Intelligent Technology Co., Ltd.",
]
HUAWEI = "Huawei Technologies Co., Ltd."


@dataclass
class World:
    model: AIModel
    request: AdoptionRequest
    matrix: RiskMatrix
    zhipu: Organisation
    huawei: Organisation
    ascend: Accelerator
    sources: dict[str, EvidenceSource]
    users: dict[str, User]


def _user(username: str, first: str, last: str) -> User:
    user, _ = User.objects.get_or_create(
        username=username, defaults={"first_name": first, "last_name": last, "email": f"{username}@example.test"}
    )
    if not user.first_name:
        User.objects.filter(pk=user.pk).update(first_name=first, last_name=last)
        user.refresh_from_db()
    return user


def risk_matrix() -> RiskMatrix:
    """The Enterprise 5x5 matrix (fetched when it exists)."""
    return RiskMatrixFactory()


def glm5_world(*, extra_claims: int = 0) -> World:
    """The GLM-5 register (5 claims), plus `extra_claims` more (with further sources) for query-count tests."""
    users = {
        "requester": _user("requester", "Rhea", "Requester"),
        "legal": _user("legal", "Lena", "Legal"),
        "security": _user("security", "Sami", "Security"),
        "procurement": _user("procurement", "Priya", "Procurement"),
    }

    zhipu = OrganisationFactory(
        name=ZHIPU,
        short_name="Zhipu AI",
        native_name="北京智谱华章科技股份有限公司",
        aliases=["Z.ai", "Zhipu"],
        country="CN",
        roles=["developer"],
    )
    for name in ZHIPU_SUBSIDIARIES:
        OrganisationFactory(name=name, country="CN", roles=["affiliate"], parent=zhipu)
    huawei = OrganisationFactory(
        name=HUAWEI, short_name="Huawei", native_name="华为技术有限公司", country="CN", roles=["chip_vendor"]
    )
    ascend = AcceleratorFactory(product="Ascend 910B", vendor=huawei, kind=Accelerator.Kind.NPU)

    src = {
        "report": EvidenceSourceFactory(
            title="GLM-5 technical report",
            publisher="Zhipu AI (arXiv)",
            url="https://arxiv.org/abs/2602.15763",
            citation="arXiv 2602.15763",
            kind=EvidenceSource.Kind.TECHNICAL_REPORT,
            retrieved_on=dt.date(2026, 4, 6),
            summary="Mixture-of-experts model, 744B total and 40B active parameters, 28.5T training tokens, "
            "DeepSeek Sparse Attention; released under the MIT licence.",
        ),
        "card": EvidenceSourceFactory(
            title="GLM-5 model card",
            publisher="Zhipu AI (Z.ai)",
            url="https://huggingface.co/zai-org/GLM-5",
            kind=EvidenceSource.Kind.MODEL_CARD,
            retrieved_on=dt.date(2026, 4, 6),
            summary="Model card: architecture, licence (MIT), weights published for download.",
        ),
        "press": EvidenceSourceFactory(
            title="GLM-5: what Zhipu's new open model means",
            publisher="Smart Chunks",
            kind=EvidenceSource.Kind.PRESS,
            published_on=dt.date(2026, 4, 6),
            retrieved_on=dt.date(2026, 4, 7),
            summary="Reports, citing BuildFastWithAI, that GLM-5 was trained entirely on Huawei Ascend chips. "
            "The developer has not confirmed the hardware.",
        ),
        "analysis": EvidenceSourceFactory(
            title="Analysis of GLM-5's training stack",
            publisher="Independent analysis (citing trendingtopics.eu)",
            kind=EvidenceSource.Kind.ANALYSIS,
            retrieved_on=dt.date(2026, 4, 7),
            summary="Repeats the report that GLM-5 was trained on Huawei Ascend hardware; no primary source.",
        ),
        "fr_huawei": EvidenceSourceFactory(
            title="Addition of Entities to the Entity List (Huawei Technologies Co., Ltd. and affiliates)",
            publisher="Federal Register (US Department of Commerce, BIS)",
            url="https://www.federalregister.gov/citation/84-FR-22961",
            citation="84 FR 22961",
            kind=EvidenceSource.Kind.FEDERAL_REGISTER,
            retrieved_on=dt.date(2026, 4, 6),
            summary="Adds Huawei and 68 non-US affiliates to the Entity List, effective 16 May 2019; 46 more "
            "affiliates were added by 84 FR 43487 (21 Aug 2019).",
        ),
        "fr_zhipu": EvidenceSourceFactory(
            title="Additions to the Entity List (FR Doc 2025-00704)",
            publisher="Federal Register (US Department of Commerce, BIS)",
            url="https://www.federalregister.gov/d/2025-00704",
            citation="90 FR 4617",
            kind=EvidenceSource.Kind.FEDERAL_REGISTER,
            retrieved_on=dt.date(2026, 4, 6),
            summary="Adds Beijing Zhipu Huazhang Technology Co., Ltd. and affiliates (among 11 entries), "
            "effective 16 January 2025.",
        ),
        "bis_guidance": EvidenceSourceFactory(
            title="Guidance on the use of Huawei Ascend chips (General Prohibition 10)",
            publisher="US Department of Commerce, BIS",
            kind=EvidenceSource.Kind.GUIDANCE,
            published_on=dt.date(2025, 5, 13),
            retrieved_on=dt.date(2026, 4, 6),
            summary="Using Huawei Ascend 910B, 910C or 910D chips anywhere risks violating General Prohibition 10 "
            "of the EAR. Issued with the rescission of the AI Diffusion Rule; guidance, not a rule.",
        ),
        "ai_act": EvidenceSourceFactory(
            title="Regulation (EU) 2024/1689 (Artificial Intelligence Act)",
            publisher="EUR-Lex",
            url="https://eur-lex.europa.eu/eli/reg/2024/1689/oj",
            citation="Regulation (EU) 2024/1689",
            kind=EvidenceSource.Kind.LEGISLATION,
            retrieved_on=dt.date(2026, 4, 6),
            summary="Obligations for providers of general-purpose AI models apply from 2 August 2025; models "
            "placed on the market before then have until 2 August 2027.",
        ),
        "gpai_code": EvidenceSourceFactory(
            title="General-Purpose AI Code of Practice",
            publisher="European Commission",
            kind=EvidenceSource.Kind.GUIDANCE,
            published_on=dt.date(2025, 7, 10),
            retrieved_on=dt.date(2026, 4, 6),
            summary="Voluntary code for GPAI providers on transparency, copyright and safety obligations.",
        ),
    }

    model = AIModelFactory(
        name="GLM-5",
        family="GLM",
        version="5",
        developer=zhipu,
        parameters_total=744_000_000_000,
        parameters_active=40_000_000_000,
        training_tokens=28_500_000_000_000,
        architecture="Mixture of experts, DeepSeek Sparse Attention",
        licence="MIT",
        weights=AIModel.Weights.OPEN,
        description="Zhipu AI's (Z.ai) flagship open-weights model, released February 2026.",
    )

    def claim(subject, statement, value, confidence, source, others=(), **extra) -> ProvenanceClaim:
        c = ProvenanceClaimFactory(
            model=model,
            subject=subject,
            statement=statement,
            value=value,
            confidence=confidence,
            source=source,
            **extra,
        )
        if others:
            c.other_sources.set(others)
        return c

    S, C = ProvenanceClaim.Subject, ProvenanceClaim.Confidence
    claim(
        S.TRAINING_HARDWARE,
        "GLM-5 was trained entirely on Huawei Ascend chips.",
        "Huawei Ascend 910B",
        C.REPORTED,
        src["press"],
        [src["analysis"]],
        accelerator=ascend,
        as_of=dt.date(2026, 4, 7),
        notes="Press reports only; the technical report does not name the training hardware.",
    )
    claim(S.TRAINING_LOCATION, "GLM-5 was trained in China.", "China", C.REPORTED, src["press"], country="CN")
    claim(S.TRAINING_DATA, "Pre-trained on 28.5T tokens.", "28.5T tokens", C.DEVELOPER_STATED, src["report"])
    claim(
        S.OTHER,
        "Mixture of experts with 744B total and 40B active parameters, using DeepSeek Sparse Attention.",
        "744B / 40B MoE",
        C.DEVELOPER_STATED,
        src["report"],
        [src["card"]],
    )
    claim(
        S.HOSTING,
        "Zhipu AI serves GLM-5 through its own Z.ai API.",
        "Z.ai API",
        C.DEVELOPER_STATED,
        src["card"],
        organisation=zhipu,
    )
    for n in range(extra_claims):
        claim(
            S.OTHER,
            f"Benchmark observation {n + 1} reported by a third party.",
            f"observation {n + 1}",
            C.UNVERIFIED,
            src["analysis"] if n % 2 else src["press"],
            [src["report"], src["card"]] if n % 3 == 0 else [src["card"]],
            accelerator=ascend if n % 5 == 0 else None,
        )

    SanctionsNoteFactory(
        organisation=huawei,
        authority="US Department of Commerce, BIS",
        list_name="Entity List",
        citation="84 FR 22961",
        listed_on=dt.date(2019, 5, 16),
        source=src["fr_huawei"],
        notes="With 68 non-US affiliates; 46 more affiliates added by 84 FR 43487 (21 Aug 2019).",
    )
    SanctionsNoteFactory(
        organisation=zhipu,
        authority="US Department of Commerce, BIS",
        list_name="Entity List",
        citation="90 FR 4617",
        listed_on=dt.date(2025, 1, 16),
        source=src["fr_zhipu"],
        notes="FR Doc 2025-00704; Zhipu AI and affiliates among 11 entries.",
    )

    csl = SanctionsListFactory(
        code="us-csl",
        name="US Consolidated Screening List (incl. BIS Entity List)",
        authority="US Department of Commerce, BIS (Entity List)",
        format="us-csl-csv",
    )
    version = ListVersionFactory(
        sanctions_list=csl, sha256="0" * 64, source_name="consolidated.csv", format="us-csl-csv", entry_count=3
    )
    reviewed_at = timezone.make_aware(dt.datetime(2026, 4, 8, 9, 30))

    def entry_hit(org, external_id, name, listed_on, citation):
        entry = ListEntryFactory(
            sanctions_list=csl,
            external_id=external_id,
            primary_name=name,
            programs=["EAR (Entity List)"],
            countries=["CN"],
            listed_on=listed_on,
            citation=citation,
            content_hash=external_id.ljust(64, "0")[:64],
            first_version=version,
            last_version=version,
        )
        ScreeningHitFactory(
            organisation=org,
            entry=entry,
            query_name=org.name,
            matched_name=name,
            score=100.0,
            algorithm_version="test",
            status=ScreeningHit.Status.CONFIRMED,
            reviewed_by=users["legal"],
            reviewed_at=reviewed_at,
            review_reason="Same legal name and address as our record.",
        )

    entry_hit(huawei, "EL-huawei", HUAWEI, dt.date(2019, 5, 16), "84 FR 22961")
    entry_hit(zhipu, "EL-zhipu", ZHIPU, dt.date(2025, 1, 16), "90 FR 4617")
    future = Organisation.objects.get(name=ZHIPU_SUBSIDIARIES[0])
    entry_hit(future, "EL-zhipu-future", ZHIPU_SUBSIDIARIES[0], dt.date(2025, 1, 16), "90 FR 4617")

    us = JurisdictionFactory(code="US", name="United States")
    eu = JurisdictionFactory(code="EU", name="European Union")
    uk = JurisdictionFactory(code="UK", name="United Kingdom")
    bis = RegulatoryGuidanceFactory(
        jurisdiction=us,
        issuer="US Department of Commerce, BIS",
        title="Guidance on Huawei Ascend 910B, 910C and 910D chips (General Prohibition 10)",
        kind=RegulatoryGuidance.Kind.GUIDANCE,
        status=RegulatoryGuidance.Status.IN_FORCE,
        issued_on=dt.date(2025, 5, 13),
        summary="Use of these chips anywhere risks violating General Prohibition 10; guidance, not a rule.",
        source=src["bis_guidance"],
    )
    el_zhipu = RegulatoryGuidanceFactory(
        jurisdiction=us,
        issuer="US Department of Commerce, BIS",
        title="Entity List designation of Zhipu AI and affiliates",
        reference="90 FR 4617",
        kind=RegulatoryGuidance.Kind.LIST_DESIGNATION,
        status=RegulatoryGuidance.Status.IN_FORCE,
        issued_on=dt.date(2025, 1, 16),
        effective_from=dt.date(2025, 1, 16),
        source=src["fr_zhipu"],
    )
    ai_act = RegulatoryGuidanceFactory(
        jurisdiction=eu,
        issuer="European Parliament and Council",
        title="Artificial Intelligence Act: obligations for general-purpose AI models",
        reference="Regulation (EU) 2024/1689",
        kind=RegulatoryGuidance.Kind.LEGISLATION,
        status=RegulatoryGuidance.Status.IN_FORCE,
        effective_from=dt.date(2025, 8, 2),
        summary="GPAI obligations apply from 2 Aug 2025; models already on the market have until 2 Aug 2027.",
        source=src["ai_act"],
    )
    code = RegulatoryGuidanceFactory(
        jurisdiction=eu,
        issuer="European Commission",
        title="General-Purpose AI Code of Practice",
        kind=RegulatoryGuidance.Kind.CODE_OF_PRACTICE,
        status=RegulatoryGuidance.Status.IN_FORCE,
        issued_on=dt.date(2025, 7, 10),
        source=src["gpai_code"],
    )
    us_status = ModelGuidanceStatusFactory(
        model=model,
        jurisdiction=us,
        status=ModelGuidanceStatus.Status.UNDER_REVIEW,
        rationale="The developer is on the Entity List and the model is reported to be trained on Ascend chips "
        "covered by the BIS guidance; neither addresses use of published weights directly.",
        reviewed_on=dt.date(2026, 4, 8),
    )
    us_status.guidance.set([bis, el_zhipu])
    eu_status = ModelGuidanceStatusFactory(
        model=model,
        jurisdiction=eu,
        status=ModelGuidanceStatus.Status.PERMITTED_WITH_CONDITIONS,
        rationale="A general-purpose AI model; provider obligations rest with Zhipu AI, deployer duties with us.",
        conditions="Keep the provider's technical documentation on file; review when the AI Office acts on GLM-5.",
        reviewed_on=dt.date(2026, 4, 8),
    )
    eu_status.guidance.set([ai_act, code])
    ModelGuidanceStatusFactory(
        model=model, jurisdiction=uk, status=ModelGuidanceStatus.Status.NO_GUIDANCE, reviewed_on=dt.date(2026, 4, 8)
    )

    matrix = risk_matrix()
    request = AdoptionRequestFactory(
        model=model,
        use_case="Self-hosted code assistant for the platform team (internal repositories only)",
        access="self_hosted",
        data_classification="internal",
        requester=users["requester"],
        state=AdoptionRequest.State.IN_REVIEW,
        required_roles=["legal", "security", "procurement"],
        matrix=matrix,
        submitted_at=timezone.make_aware(dt.datetime(2026, 4, 9, 14, 0)),
    )
    risks = [
        (
            "sanctions",
            "Developer and affiliates on the BIS Entity List (90 FR 4617)",
            "Zhipu AI and affiliates are listed; any export, payment or service relationship with them "
            "needs a licence.",
            (4, 5),
            (3, 4),
            "No contract, payment, support or API use with Zhipu AI or affiliates; weights obtained from a "
            "public mirror.",
            "mitigate",
        ),
        (
            "provenance",
            "Reported training on Huawei Ascend 910B (BIS guidance of 13 May 2025)",
            "Press reports, unconfirmed by the developer, say the model was trained on Ascend chips.",
            (3, 4),
            (3, 3),
            "Track the developer's statements and BIS guidance; re-assess on any confirmation.",
            "accept",
        ),
        (
            "regulatory",
            "EU AI Act duties as deployer of a general-purpose AI model",
            "",
            (3, 3),
            (2, 3),
            "Provider documentation on file; internal use only.",
            "mitigate",
        ),
        (
            "security",
            "Behaviour of open weights from a listed developer",
            "Hidden behaviours or data exfiltration paths cannot be excluded without testing.",
            (3, 4),
            (2, 3),
            "Air-gapped inference; no outbound network; red-team evaluation before use.",
            "mitigate",
        ),
        (
            "reputational",
            "Public perception of using a model from a listed developer",
            "",
            (3, 3),
            (2, 2),
            "",
            "accept",
        ),
        ("licence", "MIT licence", "Permissive; attribution only.", (1, 2), (1, 1), "", "accept"),
    ]
    for category, title, description, inherent, residual, controls, treatment in risks:
        RiskItemFactory(
            model=model,
            matrix=matrix,
            category=category,
            title=title,
            description=description,
            inherent_likelihood=inherent[0],
            inherent_impact=inherent[1],
            residual_likelihood=residual[0],
            residual_impact=residual[1],
            existing_controls=controls,
            treatment=treatment,
            owner=users["legal"] if category in ("sanctions", "regulatory", "licence") else users["security"],
            next_review_on=dt.date(2026, 10, 1),
        )
    RiskItemFactory(
        model=model,
        matrix=matrix,
        category="operational",
        title="Cloud providers withdraw GLM-5 hosting",
        inherent_likelihood=2,
        inherent_impact=2,
        origin=RiskItem.Origin.DERIVED,
        rule="watch.cloud_positioning",
        status=RiskItem.Status.PROPOSED,
    )
    SignOffFactory(
        request=request,
        review_round=1,
        role="security",
        signer=users["security"],
        decision=SignOff.Decision.APPROVE_WITH_CONDITIONS,
        conditions="Air-gapped inference cluster; weights pinned by SHA-256; no outbound network.",
        risk_state_sha256="a" * 64,
    )
    SignOffFactory(
        request=request,
        review_round=1,
        role="legal",
        signer=users["legal"],
        decision=SignOff.Decision.APPROVE_WITH_CONDITIONS,
        conditions="No contract, payment, support or API relationship with Zhipu AI or any Entity-Listed affiliate; "
        "re-review on any new BIS guidance on models trained on Ascend hardware.",
        comment="Open questions referred to outside counsel.",
        risk_state_sha256="a" * 64,
    )

    source = WatchSourceFactory(
        name="Federal Register: BIS rules", kind="federal-register", url="https://www.federalregister.gov/api/v1"
    )
    snap = SnapshotFactory(source=source, fetched_at=timezone.now(), sha256="1" * 64, http_status=200, path="x", size=1)
    change = ChangeEventFactory(source=source, after=snap)
    for key, title in [
        ("a1", "BIS guidance: Huawei Ascend chips and General Prohibition 10"),
        ("a2", "Entity List additions mention Zhipu affiliates"),
    ]:
        alert = AlertFactory(
            change=change, dedupe_key=key, title=title, url="https://www.federalregister.gov/d/2025-00704"
        )
        alert.ai_models.add(model)
        alert.organisations.add(zhipu)

    return World(
        model=model,
        request=request,
        matrix=matrix,
        zhipu=zhipu,
        huawei=huawei,
        ascend=ascend,
        sources=src,
        users=users,
    )


def light_model(*, name: str = "Tiny-1") -> AIModel:
    """A model with nothing around it: a two-page memo that renders fast (lifecycle tests, the worker bench)."""
    developer = Organisation.objects.filter(name="Example Research Lab Ltd.").first() or OrganisationFactory(
        name="Example Research Lab Ltd.", short_name="Example Lab", country="GB"
    )
    return AIModelFactory(name=name, family="Tiny", developer=developer)
