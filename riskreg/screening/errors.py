"""The one error a list import raises; re-exported by services (the contract names it there)."""

from __future__ import annotations

from riskreg.core.errors import BadInput


class ListImportError(BadInput):
    """A list file was refused whole. `location` names the line or element ("line 1234", "<INDIVIDUAL> #17")."""

    def __init__(self, message: str, *, location: str = "") -> None:
        super().__init__(message, where=location)
        self.message = message
        self.location = location
