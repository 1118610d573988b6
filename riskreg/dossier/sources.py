"""The dossier's sources: numbered [1], [2] ... in the order they are first cited, with their captured copies."""

from __future__ import annotations

from typing import TypedDict

from riskreg.dossier.rows import iso
from riskreg.evidence.selectors import evidence_states


class CaptureRow(TypedDict):
    id: int
    outcome: str
    origin: str
    origin_label: str
    retrieved_at: str | None
    sha256: str
    final_url: str
    http_status: int | None
    note: str


class SourceRow(TypedDict, total=False):
    n: int
    id: int
    title: str
    publisher: str
    author: str
    url: str
    citation: str
    kind: str
    kind_label: str
    published_on: str | None
    retrieved_on: str | None
    summary: str
    captured_sha256: str
    # live only (SourceIndex.add_captures): the copy the claims rest on and its state
    capture_state: str
    capture_state_label: str
    capture_state_since: str | None
    not_captured_reason: str
    capture: CaptureRow | None
    latest_capture: CaptureRow | None


def capture_row(capture: dict | None) -> CaptureRow | None:
    if capture is None:
        return None
    keys = ("id", "outcome", "origin", "origin_label", "retrieved_at", "sha256", "final_url", "http_status", "note")
    return {key: capture[key] for key in keys}


class SourceIndex:
    """Numbers sources [1], [2] ... in order of first citation."""

    def __init__(self) -> None:
        self.numbers: dict[int, int] = {}
        self.sources: list[SourceRow] = []

    def cite(self, source) -> int | None:
        """The number of an EvidenceSource (given one the first time it is cited); None for no source."""
        if source is None:
            return None
        if source.pk not in self.numbers:
            self.numbers[source.pk] = len(self.sources) + 1
            self.sources.append(
                {
                    "n": self.numbers[source.pk],
                    "id": source.pk,
                    "title": source.title,
                    "publisher": source.publisher,
                    "author": source.author,
                    "url": source.url,
                    "citation": source.citation,
                    "kind": source.kind,
                    "kind_label": str(source.get_kind_display()),
                    "published_on": iso(source.published_on),
                    "retrieved_on": iso(source.retrieved_on),
                    "summary": source.summary,
                    "captured_sha256": source.captured_sha256,
                }
            )
        return self.numbers[source.pk]

    def add_captures(self, *, claims: list[dict] | None = None) -> list[int]:
        """Each source's capture: the copy its claims rest on (retrieval time, SHA-256, how it was made), its
        state (captured, changed since cited, gone) or why it is not captured. One query. Returns the ids of
        the captures the document names (a memo records them, so that verification checks their stored copies)."""
        states = evidence_states(source_ids=[source["id"] for source in self.sources])
        ids: set[int] = set()
        for source in self.sources:
            state = states.get(source["id"]) or {"state": "not_captured", "state_label": "Not captured"}
            cited, latest = state.get("cited_capture"), state.get("latest_capture")
            source["capture_state"] = state["state"]
            source["capture_state_label"] = state["state_label"]
            source["capture_state_since"] = state.get("state_since")
            source["not_captured_reason"] = state.get("not_captured_reason", "")
            source["capture"] = capture_row(cited)
            source["latest_capture"] = (
                capture_row(latest)
                if latest and cited and latest["id"] != cited["id"] and state["state"] != "captured"
                else None
            )
            ids.update(c["id"] for c in (source["capture"], source["latest_capture"]) if c)
        by_number = {source["n"]: source for source in self.sources}
        for claim in claims or []:  # each claim names its sources that changed since cited or are gone
            claim["source_flags"] = [
                {"n": n, "state": by_number[n]["capture_state"], "label": by_number[n]["capture_state_label"]}
                for n in claim["citations"]
                if n and by_number[n]["capture_state"] in ("changed", "gone")
            ]
        return sorted(ids)
