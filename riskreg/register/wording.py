"""The register in words: labels instead of codes, one date format, facts and timeline events as sentences.

Shared by the admin, the emails, the API's display fields and the workspace pages, so that a sign-off reads
"Approve with conditions" and a date "16 Jan 2025" wherever a person meets it.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from models_catalog.models import AIModel
from riskreg.register.models import AdoptionRequest, RequestEvent, RiskItem, SignOff, SignOffRole

State = AdoptionRequest.State
Kind = RequestEvent.Kind


def _label(choices, value) -> str:
    return choices(value).label if value in choices.values else (value or "")


def role_label(value: str) -> str:
    """legal -> Legal."""
    return str(_label(SignOffRole, value))


def decision_label(value: str) -> str:
    """approve_with_conditions -> Approve with conditions."""
    return str(_label(SignOff.Decision, value))


def state_label(value: str) -> str:
    """in_review -> In review."""
    return str(_label(State, value))


def roles_sentence(roles) -> str:
    """["legal", "security"] -> "legal and security"."""
    words = [role_label(role).lower() for role in roles]
    if len(words) < 2:
        return "".join(words)
    return f"{', '.join(words[:-1])} and {words[-1]}"


def person_name(user) -> str:
    """One way to name people (issue 23 item 7): the full name, else the username; "the register" for no one.
    The workspace's {% person %} tag shows the same name with the username on hover."""
    if user is None:
        return "the register"
    return user.get_full_name() or user.get_username()


def human_datetime(value: datetime.datetime | None) -> str:
    """16 Jan 2025, 08:28 UTC (the register keeps time in UTC)."""
    if value is None:
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return f"{value.day} {value:%b %Y, %H:%M} {value.tzname() or 'UTC'}"


def human_date(value: datetime.date | datetime.datetime | str | None) -> str:
    """One date format everywhere on the page: 16 Jan 2025."""
    if not value:
        return ""
    if isinstance(value, str):
        try:
            value = datetime.date.fromisoformat(value[:10])
        except ValueError:
            return value
    return f"{value.day} {value:%b %Y}"


# --- facts in sentences ------------------------------------------------------------------------------------------


def _listing_sentence(listing: dict) -> dict:
    """One listing as {"text", "citation"}: the list, since when, and the notice that put the party there."""
    who = listing.get("entry") or ""
    when = f", listed on {human_date(listing['listed_on'])}" if listing.get("listed_on") else ""
    kind = "a confirmed screening match" if listing.get("kind") == "screening_hit" else "legal's sanctions note"
    via = " (through its parent organisation)" if listing.get("via_parent") else ""
    text = f"On the {listing.get('list') or 'list'}{when}{via}: {kind}" + (f" on {who}" if who else "") + "."
    return {"text": text, "citation": listing.get("citation") or ""}


def fact_sentences(item: RiskItem) -> list[dict]:
    """The facts a derived item rests on, as sentences a lawyer reads, each with its citation when there is one.
    Never the raw JSON."""
    facts = item.facts or {}
    if item.origin != RiskItem.Origin.DERIVED or not facts:
        return []
    sentences: list[dict] = []
    if item.rule == "sanctions_listed_party":
        for org in facts.get("organisations", []):
            sentences.append({"text": f"{org.get('name')} is in the supply chain as {org.get('via')}.", "citation": ""})
        sentences += [_listing_sentence(listing) for listing in facts.get("listings", [])]
    elif item.rule == "training_hardware_listed_vendor":
        accelerator = facts.get("accelerator") or {}
        vendor = facts.get("vendor") or {}
        for claim in facts.get("claims", []):
            confidence = claim.get("confidence", "").replace("_", " ").replace("-", " ")
            sentences.append(
                {
                    "text": f"Claimed training hardware: {claim.get('value')} ({confidence}).",
                    "citation": claim.get("source") or "",
                }
            )
        sentences.append({"text": f"{accelerator.get('product')} is made by {vendor.get('name')}.", "citation": ""})
        sentences += [_listing_sentence(listing) for listing in facts.get("listings", [])]
        guidance = facts.get("guidance")
        if guidance:
            sentences.append(
                {
                    "text": f"Guidance issued on {human_date(guidance.get('issued_on'))}: {guidance.get('title')}.",
                    "citation": guidance.get("citation") or "",
                }
            )
    elif item.rule == "regulatory_guidance_status":
        status = facts.get("status")
        if status is None:
            sentences.append(
                {
                    "text": f"No guidance status is recorded for {item.model.name} in {facts.get('jurisdiction')}.",
                    "citation": "; ".join(text.get("citation", "") for text in facts.get("guidance") or []),
                }
            )
        else:
            label = status.replace("_", " ")
            conditions = f" Conditions: {facts['conditions']}." if facts.get("conditions") else ""
            sentences.append(
                {"text": f"Guidance status in {facts.get('jurisdiction')}: {label}.{conditions}", "citation": ""}
            )
    elif item.rule == "licence_open_permissive":
        weights = AIModel.Weights(facts["weights"]).label if facts.get("weights") in AIModel.Weights.values else ""
        sentences.append(
            {
                "text": f"Published as {weights.lower() or 'open weights'} under the {facts.get('licence')} licence.",
                "citation": "",
            }
        )
    elif item.rule == "provenance_weak_claim":
        subject = (facts.get("subject") or "claim").replace("_", " ")
        confidence = (facts.get("confidence") or "").replace("_", " ")
        sentences.append(
            {
                "text": f"The {subject} claim ({facts.get('value')}) is {confidence}.",
                "citation": facts.get("source") or "",
            }
        )
    elif item.rule == "guidance_reaches_model":
        guidance = facts.get("guidance") or {}
        for reason in facts.get("reasons", []):
            sentences.append({"text": f"{reason[0].upper()}{reason[1:]}.", "citation": ""})
        sentences.append(
            {
                "text": f"Guidance issued on {human_date(guidance.get('issued_on'))}: {guidance.get('title')}.",
                "citation": guidance.get("citation") or "",
            }
        )
    else:
        for key, value in sorted(facts.items()):
            sentences.append({"text": f"{key.replace('_', ' ').capitalize()}: {value}.", "citation": ""})
    unique = {(sentence["text"], sentence["citation"]): sentence for sentence in sentences}
    return list(unique.values())


def event_sentence(event: RequestEvent, *, titles: dict[int, str] | None = None) -> str:
    """One timeline event in words: what happened, from which state to which, why."""
    titles = titles or {}
    detail = event.detail or {}
    label = event.get_kind_display()
    if event.kind == Kind.SIGNED_OFF:
        role = SignOffRole(detail["role"]).label if detail.get("role") in SignOffRole.values else detail.get("role")
        decision = (
            SignOff.Decision(detail["decision"]).label if detail.get("decision") in SignOff.Decision.values else ""
        )
        text = f"{role} sign-off: {decision.lower()}"
        if detail.get("conditions"):
            text += f" ({detail['conditions']})"
        return text + "."
    if event.kind in (Kind.REOPENED, Kind.REVIEW_RESTARTED):
        reason = detail.get("reason") or ""
        return f"{label}: {reason}" if reason else f"{label}."
    if event.kind == Kind.RISK_CHANGED:
        title = titles.get(detail.get("risk_item"), f"#{detail.get('risk_item')}")
        return f"Risk item {detail.get('what', 'changed')}: {title}."
    if event.kind == Kind.RISKS_DERIVED:
        parts = []
        for key, words in (
            ("created", "proposed"),
            ("updated", "refreshed"),
            ("proposed", "with a proposed change"),
            ("retired", "retired"),
        ):
            if detail.get(key):
                parts.append(f"{len(detail[key])} {words}")
        return f"{label}: {', '.join(parts)}." if parts else f"{label}."
    if event.kind == Kind.EXPIRY_CHANGED and detail.get("reason"):
        return f"{label}: {detail['reason']}"
    if event.from_state and event.to_state and event.from_state != event.to_state:
        before = State(event.from_state).label.lower() if event.from_state in State.values else event.from_state
        after = State(event.to_state).label.lower() if event.to_state in State.values else event.to_state
        return f"{label}: from {before} to {after}."
    return f"{label}."
