"""Sanctions list files: the screening importer reads them; its entry diff is the change.

Contract (riskreg.screening.services): ``sanctions_list_import(*, list_code, data, source_name, fmt, user=None)
-> ListImportResult(version, unchanged, added, removed, changed)``, raising ``ListImportError``.
"""

from __future__ import annotations

from riskreg.screening.models import ListCode
from riskreg.screening.selectors import list_entries
from riskreg.watch.models import WatchSource
from riskreg.watch.sources.base import Extract, Item, ListFileKind, SourceError, squash


class SanctionsListKind(ListFileKind):
    def __init__(self, *, list_code: str, fmt: str, accept: str) -> None:
        self.list_code = list_code
        self.fmt = fmt
        self.accept = accept

    def extract(self, *, body: bytes, content_type: str, source: WatchSource) -> Extract:
        raise SourceError("list files are read by the sanctions importer, not extracted")

    def list_import(self, *, body: bytes, source: WatchSource) -> tuple[dict, int]:
        """Import the file as the list's new version. Returns (diff, entry count); the diff holds the
        external ids added, removed and changed. Runs inside the caller's transaction."""
        from riskreg.screening.services import ListImportError, sanctions_list_import

        try:
            result = sanctions_list_import(
                list_code=self.list_code, data=body, source_name=source.url, fmt=self.fmt, user=None
            )
        except ListImportError as exc:
            raise SourceError(f"the list file was refused by the importer: {exc}") from None
        added, removed, changed = list(result.added), list(result.removed), list(result.changed)
        version = result.version
        if result.unchanged and version is not None and not (added or removed or changed):
            # Imported already (by an earlier check that was cut off before it recorded its snapshot,
            # or by hand): the version in force carries the diff of that import.
            stored = version.diff or {}
            added, removed, changed = (list(stored.get(name, [])) for name in ("added", "removed", "changed"))
        diff = {
            "kind": "entries",
            "list_code": self.list_code,
            "list_version": version.pk if version is not None else None,
            "added": added,
            "removed": removed,
            "changed": changed,
        }
        return diff, (version.entry_count if version is not None else 0)

    def entry_items(self, *, external_ids: list[str]) -> list[Item]:
        entries = list_entries(list_code=self.list_code, external_ids=external_ids)
        return [
            Item(
                key=entry.external_id,
                title=entry.primary_name,
                text=squash(" ".join([*entry.aliases, entry.remarks, " ".join(entry.programs)])),
            )
            for entry in entries
        ]


def list_kinds() -> dict[str, SanctionsListKind]:
    return {
        "ofac-sdn-csv": SanctionsListKind(list_code=ListCode.OFAC_SDN, fmt="ofac-sdn-csv", accept="text/csv, */*"),
        "us-csl-json": SanctionsListKind(list_code=ListCode.US_CSL, fmt="us-csl-json", accept="application/json"),
        "us-csl-csv": SanctionsListKind(list_code=ListCode.US_CSL, fmt="us-csl-csv", accept="text/csv, */*"),
        "un-sc-xml": SanctionsListKind(list_code=ListCode.UN_SC, fmt="un-sc-xml", accept="application/xml, */*"),
        "eu-fsf-xml": SanctionsListKind(list_code=ListCode.EU_FSF, fmt="eu-fsf-xml", accept="application/xml, */*"),
        "opensanctions-ftm": SanctionsListKind(
            list_code=ListCode.OPENSANCTIONS, fmt="opensanctions-ftm", accept="application/json, */*"
        ),
    }
