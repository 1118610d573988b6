"""The demo catalog, from the facts and citations in shared/DOMAIN.md.

Facts are as the fact sheet gives them; where it gives a month but no day, the release date is the
first of the month and the description says so. URLs are given only where the address form is a
stable official one (EUR-Lex ELI, Federal Register citation, arXiv); press items carry publisher and
date. Loading twice changes nothing: each row is written only when it differs.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction

from models_catalog.models import (
    Accelerator,
    AIModel,
    EvidenceSource,
    GuidanceReach,
    Jurisdiction,
    ModelGuidanceStatus,
    Obligation,
    Organisation,
    ProvenanceClaim,
    RegulatoryGuidance,
    SanctionsNote,
    model_slug,
)

ZHIPU = "Beijing Zhipu Huazhang Technology Co., Ltd."
HUAWEI = "Huawei Technologies Co., Ltd."
NVIDIA = "NVIDIA Corporation"
DEEPSEEK = "Hangzhou DeepSeek Artificial Intelligence Basic Technology Research Co., Ltd."
META = "Meta Platforms, Inc."
ALIBABA = "Alibaba Cloud Computing Co., Ltd."
SOPHGO = "Sophgo Technologies Ltd."

ZHIPU_AFFILIATES = [
    "Beijing Zhipu Future Technology Co., Ltd.",
    "Beijing Zhipu Linghang Technology Co., Ltd.",
    "Beijing Zhipu Qingyan Technology Co., Ltd.",
    "Hangzhou Zhipu Huazhang Technology Co., Ltd.",
    "Beijing Lingxin Intelligent Technology Co., Ltd.",
    "Beijing Yuanyin Intelligent Technology Co., Ltd.",
]

FACT_SHEET = "From the riskreg demo fact sheet (shared/DOMAIN.md); verify before relying on it."

SOURCES = {
    "fr-huawei": dict(
        title="Addition of Entities to the Entity List (Huawei Technologies Co., Ltd. and 68 non-U.S. affiliates)",
        publisher="US Department of Commerce, Bureau of Industry and Security (Federal Register)",
        citation="84 FR 22961",
        url="https://www.federalregister.gov/citation/84-FR-22961",
        kind=EvidenceSource.Kind.FEDERAL_REGISTER,
        published_on=date(2019, 5, 21),
        summary="Adds Huawei Technologies Co., Ltd. and 68 non-U.S. affiliates to the Entity List, "
        "effective 16 May 2019. " + FACT_SHEET,
    ),
    "fr-huawei-affiliates": dict(
        title="Addition of Certain Entities to the Entity List (46 further Huawei affiliates)",
        publisher="US Department of Commerce, Bureau of Industry and Security (Federal Register)",
        citation="84 FR 43487",
        url="https://www.federalregister.gov/citation/84-FR-43487",
        kind=EvidenceSource.Kind.FEDERAL_REGISTER,
        published_on=date(2019, 8, 21),
        summary="Adds 46 more Huawei affiliates to the Entity List, 21 August 2019. " + FACT_SHEET,
    ),
    "fr-zhipu": dict(
        title="Additions to the Entity List (Beijing Zhipu Huazhang Technology Co., Ltd. and affiliates); "
        "FR Doc 2025-00704",
        publisher="US Department of Commerce, Bureau of Industry and Security (Federal Register)",
        citation="90 FR 4617",
        url="https://www.federalregister.gov/citation/90-FR-4617",
        kind=EvidenceSource.Kind.FEDERAL_REGISTER,
        published_on=date(2025, 1, 16),
        summary="Adds Zhipu AI (Beijing Zhipu Huazhang Technology Co., Ltd.) and affiliates, 11 entries, "
        "to the Entity List, effective 16 January 2025. " + FACT_SHEET,
    ),
    "fr-sophgo": dict(
        title="Addition of Sophgo to the Entity List",
        publisher="US Department of Commerce, Bureau of Industry and Security (Federal Register)",
        citation="90 FR 4621",
        url="https://www.federalregister.gov/citation/90-FR-4621",
        kind=EvidenceSource.Kind.FEDERAL_REGISTER,
        published_on=date(2025, 1, 16),
        summary="Adds the chip designer Sophgo to the Entity List the same day as Zhipu AI. " + FACT_SHEET,
    ),
    "bis-ascend-guidance": dict(
        title="Guidance on the use of Huawei Ascend 910B, 910C and 910D (issued with the rescission of the "
        "AI Diffusion Rule)",
        publisher="US Department of Commerce, Bureau of Industry and Security",
        kind=EvidenceSource.Kind.GUIDANCE,
        published_on=date(2025, 5, 13),
        summary="BIS states that using Huawei Ascend 910B, 910C or 910D chips anywhere risks violating "
        "General Prohibition 10 of the EAR. Guidance, not a rule: no Federal Register citation. " + FACT_SHEET,
    ),
    "eu-ai-act": dict(
        title="Regulation (EU) 2024/1689 laying down harmonised rules on artificial intelligence (AI Act)",
        publisher="European Union (EUR-Lex)",
        citation="Regulation (EU) 2024/1689",
        url="https://eur-lex.europa.eu/eli/reg/2024/1689/oj",
        kind=EvidenceSource.Kind.LEGISLATION,
        published_on=date(2024, 7, 12),
        summary="Obligations for providers of general-purpose AI models apply from 2 August 2025; models placed "
        "on the market before then have until 2 August 2027. " + FACT_SHEET,
    ),
    "eu-gpai-code": dict(
        title="General-Purpose AI Code of Practice",
        publisher="European Commission",
        kind=EvidenceSource.Kind.GUIDANCE,
        published_on=date(2025, 7, 10),
        summary="Voluntary code for providers of general-purpose AI models, published 10 July 2025. " + FACT_SHEET,
    ),
    "glm5-report": dict(
        title="GLM-5 technical report",
        publisher="Zhipu AI (Z.ai), arXiv",
        citation="arXiv 2602.15763",
        url="https://arxiv.org/abs/2602.15763",
        kind=EvidenceSource.Kind.TECHNICAL_REPORT,
        published_on=date(2026, 2, 1),
        summary="Describes GLM-5: mixture of experts, 744B total / 40B active parameters, 28.5T training "
        "tokens, DeepSeek Sparse Attention, MIT licence. Publication month February 2026. " + FACT_SHEET,
    ),
    "smart-chunks": dict(
        title="GLM-5 article (citing BuildFastWithAI)",
        publisher="Smart Chunks",
        kind=EvidenceSource.Kind.PRESS,
        published_on=date(2026, 4, 6),
        summary="Press article on GLM-5, citing BuildFastWithAI: 744B/40B MoE, 28.5T tokens, MIT licence, "
        "reportedly trained entirely on Huawei Ascend chips. The developer has not confirmed the hardware. "
        + FACT_SHEET,
    ),
    "trendingtopics": dict(
        title="Analysis of GLM-5 citing trendingtopics.eu",
        publisher="trendingtopics.eu (as cited in a press analysis)",
        kind=EvidenceSource.Kind.ANALYSIS,
        published_on=date(2026, 4, 1),
        summary="Analysis repeating the report that GLM-5 was trained on Huawei Ascend chips; April 2026, day "
        "not recorded. " + FACT_SHEET,
    ),
    "glm51-press": dict(
        title="GLM-5.1 coding-focused update (press coverage)",
        publisher="Press, April 2026",
        kind=EvidenceSource.Kind.PRESS,
        published_on=date(2026, 4, 1),
        summary="Reports GLM-5.1 as a coding-focused update, at 94.6% of Claude Opus 4.6 on coding. " + FACT_SHEET,
    ),
    "glm45-card": dict(
        title="GLM-4.5 model card",
        publisher="Zhipu AI (Z.ai)",
        kind=EvidenceSource.Kind.MODEL_CARD,
        summary="355B total / 32B active parameters, MIT licence. " + FACT_SHEET,
    ),
    "deepseek-v3-report": dict(
        title="DeepSeek-V3 Technical Report",
        publisher="DeepSeek-AI, arXiv",
        citation="arXiv 2412.19437",
        url="https://arxiv.org/abs/2412.19437",
        kind=EvidenceSource.Kind.TECHNICAL_REPORT,
        published_on=date(2024, 12, 27),
        summary="Trained on a cluster of 2,048 Nvidia H800 GPUs; full training took 2.788M H800 GPU-hours. "
        + FACT_SHEET,
    ),
    "deepseek-v4-press": dict(
        title="DeepSeek-V4 release and training-hardware reports",
        publisher="Press, April 2026",
        kind=EvidenceSource.Kind.PRESS,
        published_on=date(2026, 4, 1),
        summary="DeepSeek-V4 released April 2026 under MIT. Huawei says it was trained partly on Ascend; other "
        "reports say mostly Nvidia. The hardware is disputed. " + FACT_SHEET,
    ),
    "llama4-card": dict(
        title="Llama 4 model card",
        publisher="Meta",
        kind=EvidenceSource.Kind.MODEL_CARD,
        summary="Trained on Nvidia H100-80GB GPUs; released under the Llama 4 Community License. " + FACT_SHEET,
    ),
    "qwen3-report": dict(
        title="Qwen3 Technical Report",
        publisher="Qwen Team, Alibaba, arXiv",
        citation="arXiv 2505.09388",
        url="https://arxiv.org/abs/2505.09388",
        kind=EvidenceSource.Kind.TECHNICAL_REPORT,
        published_on=date(2025, 5, 14),
        summary="Apache-2.0; pre-trained on 36T tokens; the report does not state the training hardware. " + FACT_SHEET,
    ),
}

ORGANISATIONS = [
    dict(
        name=ZHIPU,
        short_name="Zhipu AI",
        native_name="北京智谱华章科技股份有限公司",
        aliases=["Z.ai", "Zhipu Huazhang", "Zhipu"],
        country="CN",
        roles=["developer"],
        website="https://z.ai",
    ),
    dict(name=HUAWEI, short_name="Huawei", native_name="华为技术有限公司", country="CN", roles=["chip_vendor"]),
    dict(name=NVIDIA, short_name="Nvidia", country="US", roles=["chip_vendor"]),
    dict(
        name=DEEPSEEK,
        short_name="DeepSeek",
        native_name="杭州深度求索人工智能基础技术研究有限公司",
        country="CN",
        roles=["developer"],
    ),
    dict(name=META, short_name="Meta", country="US", roles=["developer"]),
    dict(name=ALIBABA, short_name="Alibaba Cloud", native_name="阿里云计算有限公司", country="CN", roles=["developer"]),
    dict(name=SOPHGO, short_name="Sophgo", country="CN", roles=["chip_vendor"]),
]

ACCELERATORS = [
    (
        HUAWEI,
        "Ascend (model not stated)",
        Accelerator.Kind.NPU,
        "Huawei Ascend AI processors where reports do not say which model.",
    ),
    (HUAWEI, "Ascend 910B", Accelerator.Kind.NPU, "Named in BIS guidance of 13 May 2025 (General Prohibition 10)."),
    (HUAWEI, "Ascend 910C", Accelerator.Kind.NPU, "Named in BIS guidance of 13 May 2025 (General Prohibition 10)."),
    (HUAWEI, "Ascend 910D", Accelerator.Kind.NPU, "Named in BIS guidance of 13 May 2025 (General Prohibition 10)."),
    (NVIDIA, "H800", Accelerator.Kind.GPU, "Export variant of the H100 for China."),
    (NVIDIA, "H100-80GB", Accelerator.Kind.GPU, ""),
]

MODELS = [
    dict(
        name="GLM-5",
        family="GLM",
        version="5",
        developer=ZHIPU,
        parameters_total=744_000_000_000,
        parameters_active=40_000_000_000,
        training_tokens=28_500_000_000_000,
        architecture="Mixture of experts with DeepSeek Sparse Attention",
        licence="MIT",
        weights="open",
        release_date=date(2026, 2, 1),
        description="Released February 2026 (day not stated in our sources). Tech report arXiv 2602.15763.",
    ),
    dict(
        name="GLM-5.1",
        family="GLM",
        version="5.1",
        developer=ZHIPU,
        licence="NOASSERTION",
        weights="open",
        release_date=date(2026, 4, 1),
        description="Coding-focused update of GLM-5, April 2026 (day not stated). Licence not yet confirmed.",
    ),
    dict(
        name="GLM-4.5",
        family="GLM",
        version="4.5",
        developer=ZHIPU,
        parameters_total=355_000_000_000,
        parameters_active=32_000_000_000,
        architecture="Mixture of experts",
        licence="MIT",
        weights="open",
    ),
    dict(
        name="DeepSeek-V3",
        family="DeepSeek",
        version="V3",
        developer=DEEPSEEK,
        architecture="Mixture of experts",
        licence="NOASSERTION",
        weights="open",
        release_date=date(2024, 12, 26),
        description="Licence of the weights not recorded in our fact sheet.",
    ),
    dict(
        name="DeepSeek-V4",
        family="DeepSeek",
        version="V4",
        developer=DEEPSEEK,
        licence="MIT",
        weights="open",
        release_date=date(2026, 4, 1),
        description="Released April 2026 (day not stated in our sources).",
    ),
    dict(
        name="Llama 4",
        family="Llama",
        version="4",
        developer=META,
        licence="LicenseRef-Llama-4-Community",
        weights="gated",
        release_date=date(2025, 4, 5),
    ),
    dict(
        name="Qwen3",
        family="Qwen",
        version="3",
        developer=ALIBABA,
        training_tokens=36_000_000_000_000,
        licence="Apache-2.0",
        weights="open",
        release_date=date(2025, 4, 29),
    ),
]

CLAIMS = [
    dict(
        model="glm-5",
        subject="training_hardware",
        value="Huawei Ascend (entirely)",
        accelerator=(HUAWEI, "Ascend (model not stated)"),
        confidence="reported",
        country="CN",
        statement="GLM-5 was trained entirely on Huawei Ascend chips.",
        source="smart-chunks",
        other_sources=["trendingtopics"],
        notes="Press reports only; unconfirmed by the developer.",
    ),
    dict(
        model="glm-5",
        subject="other",
        value="744B total / 40B active, 28.5T tokens, MIT",
        confidence="developer_stated",
        statement="GLM-5 is a 744B-parameter mixture of experts with 40B active, trained on 28.5T tokens, MIT licence.",
        source="glm5-report",
        other_sources=["smart-chunks"],
    ),
    dict(
        model="glm-5-1",
        subject="other",
        value="94.6% of Claude Opus 4.6 on coding",
        confidence="reported",
        statement="GLM-5.1 is reported at 94.6% of Claude Opus 4.6 on coding benchmarks.",
        source="glm51-press",
    ),
    dict(
        model="glm-4-5",
        subject="other",
        value="355B total / 32B active, MIT",
        confidence="developer_stated",
        statement="GLM-4.5 has 355B total and 32B active parameters and is released under MIT.",
        source="glm45-card",
    ),
    dict(
        model="deepseek-v3",
        subject="training_hardware",
        value="2,048 Nvidia H800; 2.788M GPU-hours",
        accelerator=(NVIDIA, "H800"),
        confidence="developer_stated",
        statement="DeepSeek-V3 was trained on 2,048 Nvidia H800 GPUs, 2.788M H800 GPU-hours in all.",
        source="deepseek-v3-report",
    ),
    dict(
        model="deepseek-v4",
        subject="training_hardware",
        value="Partly Huawei Ascend (per Huawei)",
        accelerator=(HUAWEI, "Ascend (model not stated)"),
        confidence="disputed",
        statement="Huawei says DeepSeek-V4 was trained partly on Ascend chips.",
        source="deepseek-v4-press",
    ),
    dict(
        model="deepseek-v4",
        subject="training_hardware",
        value="Mostly Nvidia (other reports)",
        confidence="disputed",
        statement="Other reports say DeepSeek-V4 was trained mostly on Nvidia GPUs.",
        source="deepseek-v4-press",
    ),
    dict(
        model="llama-4",
        subject="training_hardware",
        value="Nvidia H100-80GB",
        accelerator=(NVIDIA, "H100-80GB"),
        confidence="developer_stated",
        statement="Llama 4 was trained on Nvidia H100-80GB GPUs.",
        source="llama4-card",
    ),
    dict(
        model="qwen3",
        subject="training_hardware",
        value="Not stated by the developer",
        confidence="unverified",
        statement="The Qwen3 technical report does not state the training hardware.",
        source="qwen3-report",
    ),
]

JURISDICTIONS = [("US", "United States"), ("EU", "European Union"), ("UK", "United Kingdom"), ("CN", "China")]

GUIDANCE = [
    dict(
        key="entity-huawei",
        jurisdiction="US",
        issuer="US Department of Commerce, BIS",
        title="Entity List: Huawei Technologies Co., Ltd. and affiliates",
        reference="84 FR 22961",
        kind="list_designation",
        status="in_force",
        issued_on=date(2019, 5, 16),
        effective_from=date(2019, 5, 16),
        summary="Exports, re-exports and transfers of items subject to the EAR to Huawei need a licence. "
        "Effective 16 May 2019; published in the Federal Register on 21 May 2019.",
        source="fr-huawei",
        citation="BIS Entity List, 84 FR 22961 (Huawei Technologies Co., Ltd. and 68 affiliates, effective "
        "16 May 2019)",
        reaches=[dict(kind="organisation", organisation=HUAWEI)],
        obligations=[
            dict(
                applies_from=date(2019, 5, 16),
                what="Huawei and its listed affiliates on the Entity List: exports, re-exports and transfers of items "
                "subject to the EAR to them need a licence",
                citation="84 FR 22961 (Federal Register)",
                source="fr-huawei",
            )
        ],
    ),
    dict(
        key="entity-zhipu",
        jurisdiction="US",
        issuer="US Department of Commerce, BIS",
        title="Entity List: Zhipu AI and affiliates",
        reference="90 FR 4617",
        kind="list_designation",
        status="in_force",
        issued_on=date(2025, 1, 16),
        effective_from=date(2025, 1, 16),
        summary="Zhipu AI and affiliates added to the Entity List (11 entries).",
        source="fr-zhipu",
        citation="BIS Entity List, 90 FR 4617 (Zhipu AI and affiliates, effective 16 Jan 2025)",
        reaches=[dict(kind="organisation", organisation=ZHIPU)],
        obligations=[
            dict(
                applies_from=date(2025, 1, 16),
                what="Zhipu AI and affiliates on the Entity List: exports, re-exports and transfers of items subject "
                "to the EAR to them need a licence",
                citation="90 FR 4617 (Federal Register)",
                source="fr-zhipu",
            )
        ],
    ),
    dict(
        key="bis-ascend",
        jurisdiction="US",
        issuer="US Department of Commerce, BIS",
        title="Guidance on Huawei Ascend 910B/910C/910D and General Prohibition 10",
        reference="",
        kind="guidance",
        status="in_force",
        issued_on=date(2025, 5, 13),
        effective_from=date(2025, 5, 13),
        summary="Using Huawei Ascend 910B, 910C or 910D risks violating General Prohibition 10 of the EAR. "
        "Guidance, not a rule. Whether it reaches use of published weights trained on such chips is open.",
        source="bis-ascend-guidance",
        citation="BIS guidance of 13 May 2025: using Huawei Ascend 910B, 910C or 910D chips anywhere in the world "
        "risks violating General Prohibition 10 of the EAR (guidance, not a rule; no Federal Register citation)",
        reaches=[dict(kind="accelerator", organisation=HUAWEI, product_prefix="Ascend")],
        obligations=[
            dict(
                applies_from=date(2025, 5, 13),
                what="BIS guidance: using Huawei Ascend 910B, 910C or 910D anywhere risks violating General "
                "Prohibition 10 of the EAR (guidance, not a rule)",
                citation="BIS guidance of 13 May 2025 (General Prohibition 10)",
                source="bis-ascend-guidance",
            )
        ],
    ),
    dict(
        key="eu-ai-act",
        jurisdiction="EU",
        issuer="European Parliament and Council",
        title="AI Act: obligations for general-purpose AI models",
        reference="Regulation (EU) 2024/1689",
        kind="legislation",
        status="in_force",
        issued_on=date(2024, 6, 13),
        effective_from=date(2025, 8, 2),
        summary="GPAI obligations apply from 2 August 2025; models placed on the market before then have until "
        "2 August 2027.",
        source="eu-ai-act",
        citation="EU AI Act, Regulation (EU) 2024/1689: obligations for general-purpose AI models apply from "
        "2 Aug 2025 (models placed on the market before then have until 2 Aug 2027)",
        reaches=[dict(kind="jurisdiction", jurisdiction="EU")],
        obligations=[
            dict(
                applies_from=date(2024, 8, 1),
                what="The AI Act enters into force (its obligations apply from the dates below)",
                citation="Regulation (EU) 2024/1689, Art. 113",
                source="eu-ai-act",
            ),
            dict(
                applies_from=date(2025, 2, 2),
                what="Prohibited AI practices and AI literacy",
                citation="Regulation (EU) 2024/1689, Art. 113(a)",
                source="eu-ai-act",
            ),
            dict(
                applies_from=date(2025, 8, 2),
                placed_before=date(2025, 8, 2),
                placed_before_applies_from=date(2027, 8, 2),
                what="Obligations for providers of general-purpose AI models (technical documentation, copyright "
                "policy, training-content summary), governance and penalties",
                citation="Regulation (EU) 2024/1689, Art. 113(b); Art. 111(3) for models placed on the market "
                "before 2 Aug 2025",
                source="eu-ai-act",
            ),
            dict(
                applies_from=date(2026, 8, 2),
                what="Most remaining provisions, including the high-risk systems of Annex III",
                citation="Regulation (EU) 2024/1689, Art. 113",
                source="eu-ai-act",
            ),
            dict(
                applies_from=date(2027, 8, 2),
                what="High-risk classification of Art. 6(1) (AI as a safety component of regulated products)",
                citation="Regulation (EU) 2024/1689, Art. 113(c)",
                source="eu-ai-act",
            ),
        ],
    ),
    dict(
        key="eu-gpai-code",
        jurisdiction="EU",
        issuer="European Commission",
        title="General-Purpose AI Code of Practice",
        reference="",
        kind="code_of_practice",
        status="in_force",
        issued_on=date(2025, 7, 10),
        summary="Voluntary code published 10 July 2025 to help GPAI providers meet AI Act obligations.",
        source="eu-gpai-code",
    ),
]

GUIDANCE_STATUSES = [
    (
        "glm-5",
        "US",
        "under_review",
        ["entity-zhipu", "bis-ascend"],
        "Developer on the Entity List; training hardware reportedly Huawei Ascend. Counsel to advise whether use "
        "of published weights is affected.",
    ),
    (
        "glm-5",
        "EU",
        "under_review",
        ["eu-ai-act", "eu-gpai-code"],
        "GPAI obligations apply; provider documentation to be reviewed.",
    ),
    ("glm-5-1", "US", "under_review", ["entity-zhipu"], "Same developer as GLM-5."),
    ("glm-4-5", "US", "under_review", ["entity-zhipu"], "Same developer as GLM-5."),
    ("deepseek-v4", "US", "under_review", ["bis-ascend"], "Training hardware disputed."),
    ("llama-4", "US", "permitted", [], "US developer, US hardware; no guidance restricts use."),
    ("llama-4", "EU", "permitted_with_conditions", ["eu-ai-act"], "Licence terms for EU use to be observed."),
    ("qwen3", "EU", "under_review", ["eu-ai-act"], "Training hardware not stated."),
]

SANCTIONS_NOTES = [
    (ZHIPU, "US Department of Commerce, BIS", "Entity List", "90 FR 4617", date(2025, 1, 16), "fr-zhipu"),
    *[
        (name, "US Department of Commerce, BIS", "Entity List", "90 FR 4617", date(2025, 1, 16), "fr-zhipu")
        for name in ZHIPU_AFFILIATES
    ],
    (HUAWEI, "US Department of Commerce, BIS", "Entity List", "84 FR 22961", date(2019, 5, 16), "fr-huawei"),
    (SOPHGO, "US Department of Commerce, BIS", "Entity List", "90 FR 4621", date(2025, 1, 16), "fr-sophgo"),
]


class _Counter:
    def __init__(self) -> None:
        self.created = 0
        self.updated = 0


def _upsert(counter: _Counter, model, lookup: dict, values: dict, *, on_create: dict | None = None):
    """Create or update one row, saving only when something differs (so history stays quiet).
    `on_create` holds values set only on a new row (a name a person may have changed since)."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values, **(on_create or {}))
        obj.full_clean()
        obj.save()
        counter.created += 1
        return obj
    changed = [key for key, value in values.items() if getattr(obj, key) != value]
    if changed:
        for key in changed:
            setattr(obj, key, values[key])
        obj.full_clean()
        obj.save()
        counter.updated += 1
    return obj


def _set_m2m(counter: _Counter, manager, objects) -> None:
    wanted = {obj.pk for obj in objects}
    if set(manager.values_list("pk", flat=True)) != wanted:
        manager.set(objects)
        counter.updated += 1


@transaction.atomic
def load(*, stdout) -> None:
    counter = _Counter()
    sources = {
        key: _upsert(
            counter,
            EvidenceSource,
            {"title": v["title"], "publisher": v["publisher"]},
            {
                k: v.get(k, "") if k not in ("published_on",) else v.get(k)
                for k in ("author", "url", "citation", "kind", "published_on", "summary")
            },
        )
        for key, v in SOURCES.items()
    }
    orgs = {}
    for spec in ORGANISATIONS:
        values = {"short_name": "", "native_name": "", "aliases": [], "roles": [], "website": "", **spec}
        name = values.pop("name")
        orgs[name] = _upsert(counter, Organisation, {"name": name}, values)
    for name in ZHIPU_AFFILIATES:
        orgs[name] = _upsert(
            counter,
            Organisation,
            {"name": name},
            {"country": "CN", "roles": ["affiliate"], "parent": orgs[ZHIPU]},
        )
    accelerators = {}
    for vendor, product, kind, notes in ACCELERATORS:
        accelerators[(vendor, product)] = _upsert(
            counter, Accelerator, {"vendor": orgs[vendor], "product": product}, {"kind": kind, "notes": notes}
        )
    models = {}
    for spec in MODELS:
        values = {
            "version": "",
            "parameters_total": None,
            "parameters_active": None,
            "training_tokens": None,
            "architecture": "",
            "release_date": None,
            "description": "",
            **spec,
        }
        values["developer"] = orgs[values["developer"]]
        name = values.pop("name")
        # Found by slug, which never changes: a demo model someone renamed keeps its new name, and is not
        # created again under the old one (which crashed on the slug taken).
        slug = model_slug(name)
        model = _upsert(counter, AIModel, {"slug": slug}, values, on_create={"name": name})
        models[slug] = model
    for spec in CLAIMS:
        accelerator = accelerators[spec["accelerator"]] if spec.get("accelerator") else None
        claim = _upsert(
            counter,
            ProvenanceClaim,
            {"model": models[spec["model"]], "subject": spec["subject"], "value": spec["value"]},
            {
                "statement": spec["statement"],
                "confidence": spec["confidence"],
                "accelerator": accelerator,
                "country": spec.get("country", ""),
                "source": sources[spec["source"]],
                "notes": spec.get("notes", ""),
            },
        )
        _set_m2m(counter, claim.other_sources, [sources[key] for key in spec.get("other_sources", [])])
    jurisdictions = {
        code: _upsert(counter, Jurisdiction, {"code": code}, {"name": name}) for code, name in JURISDICTIONS
    }
    guidance = {}
    for spec in GUIDANCE:
        values = dict(spec)
        key = values.pop("key")
        values["jurisdiction"] = jurisdictions[values["jurisdiction"]]
        values["source"] = sources[values["source"]]
        title = values.pop("title")
        reaches = values.pop("reaches", [])
        obligations = values.pop("obligations", [])
        guidance[key] = _upsert(
            counter, RegulatoryGuidance, {"jurisdiction": values.pop("jurisdiction"), "title": title}, values
        )
        for reach in reaches:
            lookup = {"guidance": guidance[key], **reach}
            if "organisation" in lookup:
                lookup["organisation"] = orgs[lookup["organisation"]]
            if "jurisdiction" in lookup:
                lookup["jurisdiction"] = jurisdictions[lookup["jurisdiction"]]
            _upsert(counter, GuidanceReach, lookup, {})
        for obligation in obligations:
            fields = {"placed_before": None, "placed_before_applies_from": None, **obligation}
            fields["source"] = sources[fields["source"]]
            lookup = {
                "guidance": guidance[key],
                "applies_from": fields.pop("applies_from"),
                "citation": fields.pop("citation"),
            }
            _upsert(counter, Obligation, lookup, fields)
    for slug, code, status, keys, rationale in GUIDANCE_STATUSES:
        row = _upsert(
            counter,
            ModelGuidanceStatus,
            {"model": models[slug], "jurisdiction": jurisdictions[code]},
            {"status": status, "rationale": rationale},
        )
        _set_m2m(counter, row.guidance, [guidance[key] for key in keys])
    for org_name, authority, list_name, citation, listed_on, source in SANCTIONS_NOTES:
        _upsert(
            counter,
            SanctionsNote,
            {"organisation": orgs[org_name], "list_name": list_name, "citation": citation},
            {"authority": authority, "listed_on": listed_on, "source": sources[source]},
        )
    stdout.write(
        f"catalog: {len(models)} models, {len(orgs)} organisations, {len(sources)} sources "
        f"({counter.created} rows created, {counter.updated} updated)"
    )
