"""Diffs between two extracts: items added, removed and changed by key, or a unified diff of text."""

from __future__ import annotations

import difflib

from riskreg.watch.sources import Extract, Item

MAX_LISTED = 2000  # items listed in a stored diff; counts are always complete
MAX_DIFF_LINES = 5000


def items_diff(before: dict[str, Item], after: dict[str, Item]) -> tuple[dict, list[Item]]:
    """The diff as stored JSON, and the items added or changed (what alerts are matched against)."""
    added = [after[key] for key in after if key not in before]
    removed = [before[key] for key in before if key not in after]
    changed = [after[key] for key in after if key in before and before[key].fingerprint != after[key].fingerprint]
    diff = {
        "kind": "items",
        "added": [item.as_json() for item in added[:MAX_LISTED]],
        "removed": [item.as_json(text_limit=200) for item in removed[:MAX_LISTED]],
        "changed": [
            {**item.as_json(), "before": before[item.key].as_json(text_limit=500)} for item in changed[:MAX_LISTED]
        ],
        "counts": {"added": len(added), "removed": len(removed), "changed": len(changed)},
    }
    return diff, [*added, *changed]


def text_diff(before: str, after: str, *, label: str) -> tuple[dict, list[Item]]:
    """A unified diff of the page text; the added lines are what alerts are matched against."""
    lines = list(
        difflib.unified_diff(
            before.splitlines(),
            after.splitlines(),
            fromfile=f"{label} (before)",
            tofile=f"{label} (after)",
            lineterm="",
            n=2,
        )
    )
    added = [line[1:] for line in lines if line.startswith("+") and not line.startswith("+++")]
    removed = [line[1:] for line in lines if line.startswith("-") and not line.startswith("---")]
    diff = {
        "kind": "text",
        "unified": "\n".join(lines[:MAX_DIFF_LINES]),
        "counts": {"added": len(added), "removed": len(removed), "changed": 0},
    }
    items = [Item(key="page", title=f"{label}: page changed", text="\n".join(added))] if added else []
    return diff, items


def extract_diff(before: Extract, after: Extract, *, label: str) -> tuple[dict, list[Item]]:
    if after.items is not None:
        return items_diff(before.items or {}, after.items)
    return text_diff(before.text or "", after.text or "", label=label)


def diff_counts(diff: dict) -> tuple[int, int, int]:
    if diff.get("kind") == "entries":
        return len(diff["added"]), len(diff["removed"]), len(diff["changed"])
    counts = diff.get("counts", {})
    return counts.get("added", 0), counts.get("removed", 0), counts.get("changed", 0)
