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
    Licence,
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
    "eu-ai-omnibus": dict(
        title="Regulation (EU) 2026/1744 amending Regulation (EU) 2024/1689 (Digital Omnibus on AI)",
        publisher="European Union (Official Journal)",
        citation="Regulation (EU) 2026/1744",
        url="https://eur-lex.europa.eu/eli/reg/2026/1744/oj",
        kind=EvidenceSource.Kind.LEGISLATION,
        published_on=date(2026, 7, 24),
        summary="Signed 8 July 2026, in force 27 July 2026. Annex III high-risk obligations apply from 2 Dec 2027 "
        "and Annex I (Art. 6(1)) ones from 2 Aug 2028 (new Art. 113(c)); Art. 4 on AI literacy replaced; new "
        "prohibitions Art. 5(1)(ba), (bb) from 2 Dec 2026. Read in the OJ Formex text.",
    ),
    "gpai-guidelines": dict(
        title="Guidelines on the scope of the obligations for general-purpose AI models (C(2025) 5045)",
        publisher="European Commission",
        citation="C(2025) 5045",
        kind=EvidenceSource.Kind.GUIDANCE,
        published_on=date(2025, 7, 18),
        summary="Para 17: a model trained with over 10^23 FLOP that generates language or images is indicatively "
        "general-purpose. Para 63: a downstream modifier becomes the provider of the modified model when the "
        "modification uses more than a third of the original's training compute (para 64: fallbacks); para 68: "
        "its duties are limited to the modification. Para 83: user caps disqualify a licence from the open-source "
        "exemptions. Not binding (para 9).",
    ),
    "gdpr": dict(
        title="Regulation (EU) 2016/679 (General Data Protection Regulation)",
        publisher="European Union (EUR-Lex)",
        citation="Regulation (EU) 2016/679",
        url="https://eur-lex.europa.eu/eli/reg/2016/679/oj",
        kind=EvidenceSource.Kind.LEGISLATION,
        published_on=date(2016, 5, 4),
        summary="Chapter V: a transfer of personal data to a third country needs an adequacy decision (Art. 45), "
        "appropriate safeguards such as standard contractual clauses (Art. 46) or a derogation (Art. 49).",
    ),
    "licence-llama4": dict(
        title="Llama 4 Community License Agreement and Llama 4 Acceptable Use Policy",
        publisher="Meta (meta-llama/llama-models: models/llama4/LICENSE, USE_POLICY.md)",
        url="https://github.com/meta-llama/llama-models/blob/main/models/llama4/LICENSE",
        kind=EvidenceSource.Kind.OTHER,
        published_on=date(2025, 4, 5),
        summary="Llama 4 Version Effective Date: 5 April 2025. Read in the repository at commit 5fdf831.",
    ),
    "licence-deepseek": dict(
        title="DeepSeek License Agreement, Version 1.0 (LICENSE-MODEL)",
        publisher="DeepSeek (deepseek-ai/DeepSeek-V3: LICENSE-MODEL, LICENSE-CODE)",
        url="https://github.com/deepseek-ai/DeepSeek-V3/blob/main/LICENSE-MODEL",
        kind=EvidenceSource.Kind.OTHER,
        published_on=date(2023, 10, 23),
        summary="Version 1.0 of 23 October 2023, with its Attachment A of use restrictions. Read in the repository "
        "at commit 4c2fdb8.",
    ),
    "licence-qwen": dict(
        title="Tongyi Qianwen License Agreement",
        publisher="Alibaba Cloud (QwenLM/Qwen: Tongyi Qianwen LICENSE AGREEMENT)",
        url="https://github.com/QwenLM/Qwen/blob/main/Tongyi%20Qianwen%20LICENSE%20AGREEMENT",
        kind=EvidenceSource.Kind.OTHER,
        published_on=date(2023, 8, 3),
        summary="Release date 3 August 2023; covers Qwen-7B, -14B and -72B (Qwen3 is Apache-2.0). Read in the "
        "repository at commit e8e1596.",
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
        licence="LicenseRef-DeepSeek-Model-1.0",
        weights="open",
        release_date=date(2024, 12, 26),
        description="Weights under the DeepSeek License Agreement 1.0 (LICENSE-MODEL), code under MIT (LICENSE-CODE), "
        "as the deepseek-ai/DeepSeek-V3 repository says; its README: the series supports commercial use.",
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

#: Code, name, EU adequacy (GDPR Art. 45) and its basis; adequacy list as of Dec 2026 (docs/obligations.md).
JURISDICTIONS = [
    (
        "US",
        "United States",
        "partial",
        "Commission Implementing Decision (EU) 2023/1795 (EU-US Data Privacy Framework): certified organisations only",
    ),
    ("EU", "European Union", "eu", ""),
    (
        "UK",
        "United Kingdom",
        "adequate",
        "Commission adequacy decisions for the United Kingdom (GDPR and LED), renewed 19 Dec 2025 until 27 Dec 2031",
    ),
    ("CN", "China", "none", "No adequacy decision (European Commission's list of adequacy decisions)"),
]

#: The AI Act's duties as data: who holds each (us, for the roles and uses named; or the developer as provider of
#: the general-purpose model), from when (Art. 113, as amended by Regulation (EU) 2026/1744, Art. 1(40)).
AI_ACT = "Regulation (EU) 2024/1689"
AMENDED = "as amended by Regulation (EU) 2026/1744"
ANNEX_III_FROM = date(2027, 12, 2)
ANNEX_I_FROM = date(2028, 8, 2)
HIGH_RISK_DEPLOYER = (
    "As deployer of a high-risk AI system: use it as its instructions say, give human oversight to competent "
    "people, keep its logs at least six months, monitor it, tell workers' representatives and the workers before "
    "using it at work, and tell the people it decides about (Art. 26(1), (2), (5)-(7), (11))"
)
HIGH_RISK_PROVIDER = (
    "As provider of a high-risk AI system: risk management, data governance, technical documentation, logs, "
    "instructions for deployers, human oversight, accuracy and robustness, a quality management system, conformity "
    "assessment, EU declaration of conformity and CE marking, registration (Art. 16 with Art. 8-15, 17, 43, 47-49)"
)
EU_AI_ACT_OBLIGATIONS = [
    dict(
        applies_from=date(2025, 2, 2),
        what="Use it for no practice the AI Act prohibits (manipulation, exploiting vulnerabilities, social scoring, "
        "emotion recognition at work or school, biometric categorisation by sensitive traits ...)",
        citation=f"{AI_ACT}, Art. 5(1); Art. 113, third paragraph, point (a)",
        source="eu-ai-act",
    ),
    dict(
        applies_from=date(2026, 12, 2),
        what="Use it to make no intimate images of an identifiable person without explicit consent and no child "
        "sexual abuse material (the prohibitions added in 2026)",
        citation=f"{AI_ACT}, Art. 5(1)(ba), (bb), inserted by Regulation (EU) 2026/1744, Art. 1(7); "
        f"Art. 113(a) {AMENDED}",
        source="eu-ai-omnibus",
    ),
    dict(
        applies_from=date(2025, 2, 2),
        what="Take measures to support the AI literacy of the staff and others who operate or use the system on our "
        "behalf (no specific level has to be guaranteed; until 26 Jul 2026 the original Art. 4 asked us to ensure, "
        "to our best extent, a sufficient level)",
        citation=f"{AI_ACT}, Art. 4, as replaced by Regulation (EU) 2026/1744, Art. 1(5)",
        source="eu-ai-omnibus",
    ),
    dict(
        applies_from=ANNEX_III_FROM,
        what=HIGH_RISK_DEPLOYER,
        citation=f"{AI_ACT}, Art. 26; Art. 113, third paragraph, point (c)(i), {AMENDED}",
        source="eu-ai-omnibus",
        roles=["deployer"],
        conditions={"annex_iii": True},
    ),
    dict(
        applies_from=ANNEX_I_FROM,
        what=HIGH_RISK_DEPLOYER + ", for a safety component of a product",
        citation=f"{AI_ACT}, Art. 26; Art. 113, third paragraph, point (c)(ii), {AMENDED}",
        source="eu-ai-omnibus",
        roles=["deployer"],
        conditions={"areas": ["safety_component"]},
    ),
    dict(
        applies_from=ANNEX_III_FROM,
        what="Before first use, assess the impact on fundamental rights (processes, period and frequency of use, "
        "the people affected, the risks of harm, human oversight, what is done if risks materialise) and notify "
        "the market surveillance authority",
        citation=f"{AI_ACT}, Art. 27(1), (3), for bodies governed by public law and private entities providing public "
        f"services; Art. 113(c)(i) {AMENDED}",
        source="eu-ai-act",
        roles=["deployer"],
        conditions={"annex_iii": True, "public_service": True, "not_areas": ["critical_infrastructure"]},
    ),
    dict(
        applies_from=ANNEX_III_FROM,
        what="Before first use, assess the impact on fundamental rights of a system for credit scoring or for life "
        "and health insurance pricing, and notify the market surveillance authority",
        citation=f"{AI_ACT}, Art. 27(1), (3), for Annex III, point 5(b) and (c); Art. 113(c)(i) {AMENDED}",
        source="eu-ai-act",
        roles=["deployer"],
        conditions={"areas": ["credit_insurance"]},
    ),
    dict(
        applies_from=ANNEX_III_FROM,
        what=HIGH_RISK_PROVIDER,
        citation=f"{AI_ACT}, Art. 16 and Art. 25(1); Art. 113, third paragraph, point (c)(i), {AMENDED}",
        source="eu-ai-omnibus",
        roles=["provider_high_risk"],
        conditions={"annex_iii": True},
    ),
    dict(
        applies_from=ANNEX_I_FROM,
        what=HIGH_RISK_PROVIDER + ", for a safety component of a product",
        citation=f"{AI_ACT}, Art. 16 and Art. 25(1); Art. 113, third paragraph, point (c)(ii), {AMENDED}",
        source="eu-ai-omnibus",
        roles=["provider_high_risk"],
        conditions={"areas": ["safety_component"]},
    ),
    dict(
        applies_from=date(2026, 8, 2),
        what="Design it so that people who interact with it are told they are dealing with an AI system, unless "
        "that is obvious",
        citation=f"{AI_ACT}, Art. 50(1), (5); Art. 113, second paragraph",
        source="eu-ai-act",
        roles=["provider_system", "provider_high_risk"],
        conditions={"users": ["customers", "public"]},
    ),
    dict(
        applies_from=date(2026, 8, 2),
        what="Mark the text, images, audio or video it generates as artificially generated, in a machine-readable way",
        citation=f"{AI_ACT}, Art. 50(2); Art. 113, second paragraph",
        source="eu-ai-act",
        roles=["provider_system", "provider_high_risk"],
    ),
    dict(
        applies_from=date(2026, 8, 2),
        what="Disclose that content is artificially generated where it is a deep fake, or text published to inform "
        "the public on matters of public interest without human editorial review",
        citation=f"{AI_ACT}, Art. 50(4); Art. 113, second paragraph",
        source="eu-ai-act",
        roles=["deployer"],
        conditions={"users": ["public"]},
    ),
    dict(
        applies_from=date(2025, 8, 2),
        what="As provider of the modified general-purpose model: technical documentation, information for "
        "downstream providers, a copyright policy and a summary of the training content, each limited to the "
        "modification",
        citation=f"{AI_ACT}, Art. 53(1); Commission GPAI guidelines of 18 Jul 2025 (C(2025) 5045), para 63-68",
        source="gpai-guidelines",
        roles=["provider_gpai"],
    ),
    dict(
        applies_from=date(2025, 8, 2),
        placed_before=date(2025, 8, 2),
        placed_before_applies_from=date(2027, 8, 2),
        what="The developer keeps technical documentation of the model (Annex XI) and gives providers who build on "
        "it the information of Annex XII: ask the vendor for it",
        citation=f"{AI_ACT}, Art. 53(1)(a), (b); Art. 53(2) exempts free and open-source models without systemic "
        "risk; Art. 111(3) for models placed on the market before 2 Aug 2025",
        source="eu-ai-act",
        holder="developer",
        conditions={"unless_open_source": True},
    ),
    dict(
        applies_from=date(2025, 8, 2),
        placed_before=date(2025, 8, 2),
        placed_before_applies_from=date(2027, 8, 2),
        what="The developer has a copyright policy that respects text-and-data-mining opt-outs and publishes a "
        "summary of the content used for training (AI Office template): ask the vendor for both",
        citation=f"{AI_ACT}, Art. 53(1)(c), (d); Art. 111(3) for models placed on the market before 2 Aug 2025",
        source="eu-ai-act",
        holder="developer",
    ),
    dict(
        applies_from=date(2025, 8, 2),
        placed_before=date(2025, 8, 2),
        placed_before_applies_from=date(2027, 8, 2),
        what="The developer, established outside the EU, appoints an authorised representative in the EU by written "
        "mandate: ask the vendor who it is",
        citation=f"{AI_ACT}, Art. 54(1); Art. 54(6) exempts free and open-source models without systemic risk",
        source="eu-ai-act",
        holder="developer",
        conditions={"developer_outside_eu": True, "unless_open_source": True},
    ),
    dict(
        applies_from=date(2025, 8, 2),
        placed_before=date(2025, 8, 2),
        placed_before_applies_from=date(2027, 8, 2),
        what="The developer of a model with systemic risk evaluates it (adversarial testing included), assesses and "
        "mitigates systemic risks, reports serious incidents to the AI Office and protects its cybersecurity",
        citation=f"{AI_ACT}, Art. 55(1); Art. 51(2) (over 10^25 FLOP)",
        source="eu-ai-act",
        holder="developer",
        conditions={"systemic_risk": True},
    ),
]


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
                holder="supply_chain",
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
                holder="supply_chain",
            ),
            dict(
                applies_from=date(2025, 1, 16),
                what="Send no technology, software or hardware subject to the EAR to Zhipu AI or its listed "
                "affiliates without a licence from BIS (no licence exception is available)",
                citation="15 CFR 744.11, 744.16 and Supplement No. 4 to Part 744; 90 FR 4617",
                source="fr-zhipu",
                holder="us",
                conditions={"flows": ["technology"]},
            ),
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
                holder="supply_chain",
            ),
            dict(
                applies_from=date(2025, 5, 13),
                what="Check that the Huawei Ascend chips we run it on were not obtained in breach of the EAR: BIS "
                "presumes Ascend 910B, 910C and 910D subject to the EAR, and General Prohibition 10 bars dealing "
                "in items exported in violation (guidance, not a rule; it speaks of using the chips, not of models "
                "trained on them)",
                citation="BIS guidance of 13 May 2025; 15 CFR 736.2(b)(10) (General Prohibition 10)",
                source="bis-ascend-guidance",
                holder="us",
                conditions={"runs_on_listed_hardware": True},
            ),
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
        "2 August 2027. As amended by Regulation (EU) 2026/1744: high-risk obligations from 2 Dec 2027 (Annex "
        "III) and 2 Aug 2028 (Annex I). Which duties are ours depends on the use and our role.",
        source="eu-ai-act",
        citation="EU AI Act, Regulation (EU) 2024/1689: obligations for general-purpose AI models apply from "
        "2 Aug 2025 (models placed on the market before then have until 2 Aug 2027)",
        reaches=[dict(kind="jurisdiction", jurisdiction="EU")],
        obligations=EU_AI_ACT_OBLIGATIONS,
    ),
    dict(
        key="eu-gdpr-transfers",
        jurisdiction="EU",
        issuer="European Parliament and Council",
        title="GDPR: transfers to third countries and impact assessments",
        reference="Regulation (EU) 2016/679",
        kind="legislation",
        status="in_force",
        issued_on=date(2016, 4, 27),
        effective_from=date(2018, 5, 25),
        summary="Personal data may go to a third country only under an adequacy decision (Art. 45), appropriate "
        "safeguards (Art. 46) or a derogation (Art. 49). China has no adequacy decision.",
        source="gdpr",
        citation="GDPR, Regulation (EU) 2016/679, Chapter V (Art. 44-49)",
        reaches=[dict(kind="jurisdiction", jurisdiction="EU")],
        obligations=[
            dict(
                applies_from=date(2018, 5, 25),
                what="Carry out a data protection impact assessment before the processing: a high-risk AI system "
                "evaluating people is a systematic evaluation of personal aspects (its provider's information helps, "
                "AI Act Art. 26(9))",
                citation="Regulation (EU) 2016/679, Art. 35(1), (3)(a), (b); Regulation (EU) 2024/1689, Art. 26(9)",
                source="gdpr",
                holder="us",
                conditions={"high_risk": True, "personal_data": True},
            ),
            dict(
                applies_from=date(2018, 5, 25),
                what="Transfer personal data to a country without an EU adequacy decision only under appropriate "
                "safeguards (standard contractual clauses with a transfer impact assessment) or an Art. 49 "
                "derogation for occasional transfers",
                citation="Regulation (EU) 2016/679, Art. 44, 45(1), 46(1), 46(2)(c), 49",
                source="gdpr",
                holder="us",
                conditions={"data_to_no_adequacy": True},
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


READ_ON = date(2026, 12, 6)

#: The terms of the demo's licences, read in the licence texts themselves (docs/obligations.md says where).
LICENCES = [
    dict(
        identifier="MIT",
        name="MIT License",
        version="SPDX MIT",
        commercial_use="allowed",
        attribution="Keep the copyright notice and the permission notice in all copies or substantial portions.",
        derivatives="None beyond the notice: derivatives may be licensed on any terms.",
        ai_act_open_source=True,
        ai_act_open_source_reason="Allows use, copying, modification and distribution without restriction "
        "(AI Act Art. 53(2); Commission GPAI guidelines para 76-83).",
        citation="The MIT License (SPDX: MIT), as in zai-org/GLM-4.5 README and deepseek-ai/DeepSeek-V3 LICENSE-CODE",
    ),
    dict(
        identifier="Apache-2.0",
        name="Apache License 2.0",
        version="Version 2.0, January 2004",
        commercial_use="allowed",
        attribution="Give recipients a copy of the licence, mark changed files, keep the NOTICE file's "
        "attributions (§4(a), (b), (d)); patent licence ends on patent litigation (§3).",
        derivatives="Derivatives may carry other terms if §4 is met (§4, last paragraph).",
        ai_act_open_source=True,
        ai_act_open_source_reason="Allows use, modification and distribution without restriction on use or users "
        "(AI Act Art. 53(2); Commission GPAI guidelines para 76-83).",
        citation="Apache License 2.0, §3-4 (as in zai-org/GLM-4.5 LICENSE; Qwen3's README: open weights Apache-2.0)",
    ),
    dict(
        identifier="LicenseRef-Llama-4-Community",
        name="Llama 4 Community License Agreement",
        version="Llama 4 Version Effective Date: April 5, 2025",
        commercial_use="conditions",
        user_cap=700_000_000,
        user_cap_terms="Licensees whose products had more than 700 million monthly active users in the month "
        "before the Llama 4 release date must ask Meta for a licence, which Meta may refuse (§2).",
        restricted_areas=["employment", "credit_insurance", "essential_services", "critical_infrastructure"],
        use_restrictions="The Acceptable Use Policy, incorporated by §1.b.iv, bars discrimination or harmful "
        "conduct in employment, credit, housing and essential goods and services (1.3), the unlicensed practice "
        "of a profession (1.4), and the operation of critical infrastructure, transportation or heavy machinery "
        "(risk of death or bodily harm).",
        excluded_jurisdictions=["EU"],
        exclusion_terms="The Acceptable Use Policy withholds the licence of §1(a) for the multimodal Llama 4 models "
        "from individuals domiciled in, and companies with their principal place of business in, the European "
        "Union; end users of a product that incorporates them are not affected.",
        attribution='Give a copy of the Agreement with the materials, display "Built with Llama", keep the '
        "Notice file, and start the name of any model trained or improved with Llama 4 or its outputs with "
        '"Llama" (§1.b.i, iii).',
        derivatives='No same-licence clause; what passes downstream is the Agreement, "Built with Llama", the '
        '"Llama" name prefix and the Acceptable Use Policy (§1.b.i, iv).',
        governing_law="California (§7)",
        ai_act_open_source=False,
        ai_act_open_source_reason="The 700 million user threshold is a restriction triggered by user scale, which "
        "the Commission's GPAI guidelines (para 83) say a free and open-source licence does not have.",
        citation="meta-llama/llama-models, models/llama4/LICENSE and USE_POLICY.md (commit 5fdf831)",
        source="licence-llama4",
    ),
    dict(
        identifier="LicenseRef-DeepSeek-Model-1.0",
        name="DeepSeek License Agreement",
        version="Version 1.0, 23 October 2023",
        commercial_use="allowed",
        restricted_areas=["employment", "credit_insurance", "essential_services", "law_enforcement"],
        use_restrictions="Attachment A (§5): no military use; no fully automated decision making that adversely "
        "impacts an individual's legal rights; no discrimination based on social behaviour, predicted "
        "personality or legally protected characteristics; no exploiting vulnerabilities.",
        attribution="Give recipients a copy of the licence, mark changed files, keep all notices (§4.b-d).",
        derivatives="The use restrictions must be made an enforceable part of any agreement under which the model "
        "or a derivative is used or distributed, a hosted service included, and users told of them (§4.a, §5).",
        flow_down=True,
        governing_law="People's Republic of China; courts of DeepSeek's domicile in Hangzhou (§14)",
        ai_act_open_source=None,
        ai_act_open_source_reason="Not settled: the Commission's GPAI guidelines (para 84) accept specific, "
        "proportionate safety-oriented restrictions, and Attachment A is broader than safety; counsel to assess.",
        citation="deepseek-ai/DeepSeek-V3, LICENSE-MODEL (commit 4c2fdb8)",
        source="licence-deepseek",
    ),
    dict(
        identifier="LicenseRef-Tongyi-Qianwen",
        name="Tongyi Qianwen License Agreement",
        version="Tongyi Qianwen Release Date: August 3, 2023",
        commercial_use="conditions",
        user_cap=100_000_000,
        user_cap_terms="A commercial product or service with more than 100 million monthly active users needs a "
        "licence from Alibaba Cloud (§4).",
        use_restrictions="No use of the materials or their output to improve any other large language model "
        "(§5.b); export controls of China, the United States and others apply (§5.a).",
        attribution="Give recipients a copy of the Agreement, mark changed files, keep the Notice file (§3).",
        derivatives="Own terms allowed for modifications if the use otherwise complies with the Agreement (§3.d).",
        governing_law="China; People's Courts in Hangzhou (§9)",
        ai_act_open_source=False,
        ai_act_open_source_reason="The 100 million user threshold is a restriction triggered by user scale "
        "(Commission GPAI guidelines para 83).",
        citation="QwenLM/Qwen, Tongyi Qianwen LICENSE AGREEMENT (commit e8e1596); used by Qwen-7B/14B/72B, not Qwen3",
        source="licence-qwen",
    ),
]


def _obligations_retire(counter, guidance, *, keep: list[int]) -> None:
    """Obligations of a demo guidance record that the demo no longer lists (the law as read before) are removed,
    unless a reviewer's record cites one."""
    from django.db.models import ProtectedError

    for stale in Obligation.objects.filter(guidance=guidance).exclude(pk__in=keep):
        try:
            stale.delete()
            counter.updated += 1
        except ProtectedError:
            continue


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
        code: _upsert(
            counter,
            Jurisdiction,
            {"code": code},
            {"name": name, "eu_adequacy": adequacy, "eu_adequacy_basis": basis},
        )
        for code, name, adequacy, basis in JURISDICTIONS
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
        kept = []
        for obligation in obligations:
            fields = {
                "placed_before": None,
                "placed_before_applies_from": None,
                "holder": Obligation.Holder.US,
                "roles": [],
                "conditions": {},
                **obligation,
            }
            fields["source"] = sources[fields["source"]]
            lookup = {
                "guidance": guidance[key],
                "applies_from": fields.pop("applies_from"),
                "citation": fields.pop("citation"),
            }
            kept.append(_upsert(counter, Obligation, lookup, fields).pk)
        _obligations_retire(counter, guidance[key], keep=kept)
    for slug, code, status, keys, rationale in GUIDANCE_STATUSES:
        row = _upsert(
            counter,
            ModelGuidanceStatus,
            {"model": models[slug], "jurisdiction": jurisdictions[code]},
            {"status": status, "rationale": rationale},
        )
        _set_m2m(counter, row.guidance, [guidance[key] for key in keys])
    for spec in LICENCES:
        values = {
            "user_cap": None,
            "user_cap_terms": "",
            "restricted_areas": [],
            "use_restrictions": "",
            "excluded_jurisdictions": [],
            "exclusion_terms": "",
            "attribution": "",
            "derivatives": "",
            "flow_down": False,
            "governing_law": "",
            "read_on": READ_ON,
            **spec,
        }
        values["source"] = sources[values["source"]] if values.get("source") else None
        _upsert(counter, Licence, {"identifier": values.pop("identifier")}, values)
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
