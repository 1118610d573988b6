"""Write-side rules of screening. The importer entry point is a contract used by watch sources."""

from __future__ import annotations

from dataclasses import dataclass, field

from riskreg.screening.models import ListVersion


class ListImportError(Exception):
    """A list file was refused whole. `location` names the line or element ("line 1234", "<INDIVIDUAL> #17")."""

    def __init__(self, message: str, *, location: str = "") -> None:
        super().__init__(f"{location}: {message}" if location else message)
        self.message = message
        self.location = location


@dataclass
class ListImportResult:
    version: ListVersion | None  # the new version, or the one in force when the file did not change
    unchanged: bool  # the file's SHA-256 matched the version in force: nothing was written
    added: list[str] = field(default_factory=list)  # external ids
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)


def sanctions_list_import(
    *, list_code: str, data: bytes, source_name: str, fmt: str | None = None, user=None
) -> ListImportResult:
    """Parse `data` in the list's format and make it the version in force, or raise ListImportError
    and leave the previous version untouched. Implemented by the screening app."""
    raise NotImplementedError
