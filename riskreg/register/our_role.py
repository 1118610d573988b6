"""Who we are under the law, for one use: our role per jurisdiction, each with one sentence of why and its article.

The same model makes us a deployer for an internal assistant and the provider of a high-risk AI system for CV
screening. The EU AI Act's roles (Regulation (EU) 2024/1689, as amended by Regulation (EU) 2026/1744):
- deployer: we use an AI system under our authority (Art. 3(4));
- provider of an AI system: we put one into service or on the market under our own name (Art. 3(3));
- provider of a high-risk AI system: we put our name on a high-risk system, or we put an AI system, including a
  general-purpose one, to a use that makes it high-risk (Art. 25(1)(a), (c); Art. 6);
- provider of a modified general-purpose AI model: our fine-tuning uses more than a third of the original model's
  training compute (Commission Guidelines on the scope of the obligations for general-purpose AI models, C(2025)
  5045, 18 Jul 2025, para 63; when that compute is unknown, a third of 10^23 FLOP, or of 10^25 FLOP for a model
  with systemic risk, para 64).
The role is derived, never chosen; ``unsettled`` says in words where the law leaves room.
"""

from __future__ import annotations

from typing import TypedDict

from models_catalog.models import OUR_ROLES
from models_catalog.selectors import training_compute_estimate
from models_catalog.uses import AI_ACT, ANNEX_III_POINTS, Access, Modification, UseCaseArea
from riskreg.register.context import AdoptionContext

GPAI_GUIDELINES = "Commission Guidelines on the scope of the obligations for general-purpose AI models, 18 Jul 2025"
GPAI_INDICATIVE_FLOP = 1e23  # GPAI guidelines para 17: the indicative criterion of a general-purpose AI model
SYSTEMIC_RISK_FLOP = 1e25  # Art. 51(2): presumption of high-impact capabilities


class RoleRow(TypedDict):
    role: str | None  # a key of models_catalog.models.OUR_ROLES; None where the register holds no rules
    role_label: str
    because: str
    citation: str
    also: list[dict]  # further roles we hold there: {"role", "role_label", "because", "citation"}
    unsettled: str  # where the law leaves room, in words ("" when it does not)


def _role(code: str, because: str, citation: str) -> dict:
    return {"role": code, "role_label": str(OUR_ROLES[code]), "because": because, "citation": citation}


def modification_threshold(model) -> tuple[float, str]:
    """A third of the original model's training compute (para 63), or the fallback of para 64 when it is not
    known, with how it was found."""
    compute = training_compute_estimate(model)
    if compute:
        return compute / 3, (
            f"a third of {model.name}'s estimated training compute of {compute:.1e} FLOP "
            "(6 x parameters x tokens, an estimate)"
        )
    return GPAI_INDICATIVE_FLOP / 3, (
        f"a third of 10^23 FLOP, since {model.name}'s training compute is not known (GPAI guidelines para 64)"
    )


def _gpai_provider(context: AdoptionContext, model) -> tuple[dict | None, str]:
    """Whether our fine-tuning makes us the provider of the modified general-purpose model, and what to say."""
    if context.modification != Modification.FINE_TUNING or not context.finetune_flop:
        return None, ""
    threshold, basis = modification_threshold(model)
    if context.finetune_flop > threshold:
        return (
            _role(
                "provider_gpai",
                f"the fine-tuning uses {context.finetune_flop:.1e} FLOP, more than {basis}: we become the provider "
                f"of the modified general-purpose model, with duties limited to the modification (para 63, 68)",
                f"{GPAI_GUIDELINES}, para 63-64, 68; {AI_ACT}, Art. 53",
            ),
            "",
        )
    return None, (
        f"The fine-tuning uses {context.finetune_flop:.1e} FLOP, not more than {basis}: the developer stays the "
        f"provider of the general-purpose model ({GPAI_GUIDELINES}, para 63); the guidelines are not binding."
    )


def _eu_role(context: AdoptionContext, model) -> RoleRow:
    roles: list[dict] = []
    notes: list[str] = []
    area = context.label("use_case_area").split(" (")[0].lower()
    if context.high_risk:
        point = (
            f"Annex III, point {ANNEX_III_POINTS[context.use_case_area]}"
            if context.annex_iii
            else "Art. 6(1) and Annex I"
        )
        if context.access == Access.THIRD_PARTY_PRODUCT and context.modification == Modification.NONE:
            notes.append(
                "A third party's product built for this purpose makes that third party its provider; if the product "
                "was not meant for it, putting it to this use makes us the provider instead (Art. 25(1)(c))."
            )
        elif context.modification == Modification.OWN_NAME:
            roles.append(
                _role(
                    "provider_high_risk",
                    f"we put our name on a system used in {area} ({point}), which makes it high-risk",
                    f"{AI_ACT}, Art. 25(1)(a), Art. 6",
                )
            )
        else:
            roles.append(
                _role(
                    "provider_high_risk",
                    f"we put a general-purpose model to a use in {area} ({point}), which makes the system built on "
                    "it high-risk",
                    f"{AI_ACT}, Art. 25(1)(c), Art. 6",
                )
            )
    elif context.modification == Modification.OWN_NAME:
        roles.append(
            _role(
                "provider_system",
                "we put the system into service under our own name",
                f"{AI_ACT}, Art. 3(3)",
            )
        )
    gpai, note = _gpai_provider(context, model)
    if gpai:
        roles.append(gpai)
    if note:
        notes.append(note)
    deployer_why = "we use the system under our authority in the course of our business"
    if context.high_risk and not any(r["role"] == "provider_high_risk" for r in roles):
        deployer_why += f", for a high-risk use in {area}"
    roles.append(_role("deployer", deployer_why, f"{AI_ACT}, Art. 3(4)"))
    if context.access == Access.SELF_HOSTED and not any(r["role"].startswith("provider") for r in roles):
        notes.append(
            "Building our own system on published weights for our own use can also make us that system's provider "
            "(Art. 3(3) with 3(11), putting into service for own use); for a system that is not high-risk that "
            "adds the transparency duties of Art. 50(1)-(2). Counsel to confirm."
        )
    if context.use_case_area == UseCaseArea.SAFETY_COMPONENT:
        notes.append(
            "Whether it is a safety component depends on the product's Union legislation (Annex I) and its "
            "third-party conformity assessment (Art. 6(1)(b), narrowed by Regulation (EU) 2026/1744)."
        )
    first, *rest = roles
    return {
        "role": first["role"],
        "role_label": first["role_label"],
        "because": first["because"],
        "citation": first["citation"],
        "also": rest,
        "unsettled": " ".join(notes),
    }


def _us_role(context: AdoptionContext, model) -> RoleRow:
    return {
        "role": "user",
        "role_label": str(OUR_ROLES["user"]),
        "because": (
            "US federal law sets no roles for using AI models; the duties are those of export controls and "
            "sanctions: items subject to the EAR may not go to an Entity-Listed party without a licence, and no "
            "US person may deal with a blocked (SDN) party"
        ),
        "citation": "15 CFR 744.11 and Supplement No. 4 to Part 744 (Entity List); 31 CFR chapter V (OFAC)",
        "also": [],
        "unsettled": "",
    }


def our_roles(*, context: AdoptionContext, model) -> dict[str, RoleRow]:
    """Our role in each jurisdiction of the use (member states count as the EU)."""
    roles: dict[str, RoleRow] = {}
    for jurisdiction in context.where:
        if jurisdiction == "EU":
            roles[jurisdiction] = _eu_role(context, model)
        elif jurisdiction == "US":
            roles[jurisdiction] = _us_role(context, model)
        else:
            roles[jurisdiction] = {
                "role": None,
                "role_label": "not derived",
                "because": f"the register holds no rules on roles under the law of {jurisdiction} yet",
                "citation": "",
                "also": [],
                "unsettled": f"Our role under the law of {jurisdiction} is for counsel to advise.",
            }
    return roles


def role_codes(row: RoleRow) -> set[str]:
    """Every role we hold in a jurisdiction: the first and the others."""
    return {code for code in [row["role"], *(r["role"] for r in row["also"])] if code}
