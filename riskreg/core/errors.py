"""The register's two errors, for every app: a refusal and bad input.

- `Refused`: the action is not allowed, for this person (`code="permission"`, answered 403) or in this state
  (any other code, answered 409: already published, already signed, a finished memo). Nothing changed.
- `BadInput`: what was sent cannot be taken: the message (or one list per field) says what is wrong, `where`
  says where (a file's line, an element); answered 400. Nothing was written.

App errors are subclasses of these two (`TransitionRefused`, `ListImportError`, `MemoError` ...), so their
callers may keep catching them by name. Both extend Django's own exceptions (`PermissionDenied`,
`ValidationError`): a plain view that lets a refusal through answers 403, forms take a `BadInput` like any
validation error. The API turns them into answers in `riskreg.core.exceptions.exception_handler`, the admin
into messages with `message_error`; `permission_refused` is the one sentence for a missing permission.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError

#: The code of a refusal for this person (403); every other code is a refusal in this state (409).
PERMISSION = "permission"


class Refused(PermissionDenied):
    """The action is not allowed (for this person, or in this state); the message says why; nothing changed."""

    def __init__(self, message: str, *, code: str = "refused") -> None:
        super().__init__(message)
        self.message = message
        self.code = code

    @property
    def status_code(self) -> int:
        return 403 if self.code == PERMISSION else 409

    def __str__(self) -> str:
        return self.message


class BadInput(ValidationError):
    """Input that cannot be taken: a message, or messages by field; `where` names the line or element."""

    def __init__(self, message, *, where: str = "", code: str | None = None, params=None) -> None:
        super().__init__(message, code=code, params=params)
        self.where = where

    def __str__(self) -> str:
        return error_text(self)


def permission_refused(*, perm: str, what: str = "This action") -> Refused:
    """The one sentence for a role that lacks a permission (raise what this returns)."""
    return Refused(
        f"{what} needs the permission {perm}, which your role does not have. "
        "An administrator can add you to a group that holds it.",
        code=PERMISSION,
    )


def permission_require(*, user, perm: str, what: str = "This action") -> None:
    """Refuse (403) unless the user holds the permission."""
    if not (user and user.is_authenticated and user.has_perm(perm)):
        raise permission_refused(perm=perm, what=what)


def error_text(exc: Exception) -> str:
    """A refusal or a validation error in one line a person reads: `field: message; ...`, `where: message`."""
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            text = "; ".join(
                " ".join(msgs) if field == "__all__" else f"{field}: {' '.join(msgs)}"
                for field, msgs in exc.message_dict.items()
            )
        else:
            text = " ".join(exc.messages)
        where = getattr(exc, "where", "")
        return f"{where}: {text}" if where else text
    return str(exc)


def error_fields(exc: ValidationError) -> dict[str, list[str]]:
    """Messages by field (messages about no field under `non_field_errors`, as DRF names them)."""
    if hasattr(exc, "error_dict"):
        return {("non_field_errors" if field == "__all__" else field): msgs for field, msgs in exc.message_dict.items()}
    return {"non_field_errors": exc.messages}


def message_error(request, exc: Exception, *, about: str = "") -> None:
    """The admin's one way to show a refusal or bad input: an error message above the page (never a 403)."""
    text = error_text(exc)
    messages.error(request, f"{about}: {text}" if about else text)
