"""The lines the `guidance` and `list_version_impact` commands print for what an impact would change."""

from __future__ import annotations

from collections.abc import Iterator


def impact_lines(impact) -> Iterator[str]:
    """Per model the risk items it gains, loses or changes; then the requests that reopen, the sign-offs that lapse
    and the memos out of date (a GuidanceImpact or a ListVersionImpact: both carry these)."""
    for model in impact.models:
        for label, risks in (("gains", model.gains), ("loses", model.loses), ("changes", model.changes)):
            for risk in risks:
                yield f"  {model.name} {label}: {risk['title']}"
    for request in impact.requests_reopening:
        yield f"  request #{request['id']} ({request['model']}, {request['use_case']}) reopens"
    for sign_off in impact.approvals_lapsing:
        yield f"  {sign_off['role']} sign-off by {sign_off['signer']} on request #{sign_off['request']} lapses"
    for memo in impact.memos_out_of_date:
        yield f"  memo #{memo['id']} ({memo['model']}, v{memo['version']}) is out of date"
