"""The content-addressed store of captured copies: RISKREG_DATA_DIR/evidence/<first two hex digits>/<sha256>.

A body is written once, to a temporary name and renamed into place, so a reader never sees half a file and a
second capture of the same bytes (another source, a later re-check) reuses the file.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from django.conf import settings


def copy_relative_path(sha256: str) -> str:
    return f"evidence/{sha256[:2]}/{sha256}"


def copy_write(*, body: bytes) -> tuple[str, str]:
    """Store the body; (sha256, path relative to RISKREG_DATA_DIR)."""
    sha256 = hashlib.sha256(body).hexdigest()
    relative = copy_relative_path(sha256)
    target = Path(settings.RISKREG_DATA_DIR) / relative
    if target.exists():
        return sha256, relative
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(body)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, 0o444)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return sha256, relative


def copy_read(*, path: str) -> bytes:
    return (Path(settings.RISKREG_DATA_DIR) / path).read_bytes()


def copy_problem(*, path: str, sha256: str) -> str:
    """'' when the stored copy exists and still hashes to sha256; otherwise what is wrong."""
    try:
        body = copy_read(path=path)
    except OSError as exc:
        return f"the stored copy {path} cannot be read: {exc.strerror or exc}"
    if hashlib.sha256(body).hexdigest() != sha256:
        return f"the stored copy {path} no longer matches its SHA-256 (altered or replaced)"
    return ""
