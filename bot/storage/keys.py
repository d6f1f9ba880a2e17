"""Session keys, and the secret they are made with.

A session's key is HMAC-SHA256(secret, platform + ":" + id) in hex: the same person on the
same platform always gets the same key, and without the secret nobody can tell whose it is,
not even by hashing every possible Telegram id (privacy rule 2).

The secret comes from ``LOTSEN_SECRET_KEY`` or, when that is unset, a file made on first
start. The file holds 32 random bytes as hex text, and the secret is that text's bytes, so
its contents can be moved into ``LOTSEN_SECRET_KEY`` and every key stays the same.
Losing the secret only orphans sessions, which expire within a day anyway.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
import stat
from pathlib import Path

logger = logging.getLogger(__name__)

MIN_SECRET = 32  # characters of an operator's secret; the generated one has 64


def session_key(secret: bytes, platform: str, platform_id: str) -> str:
    """The key of ``platform_id``'s session on ``platform``::

    session_key(secret, "telegram", "987654321")  # 64 hex digits
    """
    if ":" in platform:
        # "telegram:1" + ":2" would otherwise collide with "telegram" + ":1:2".
        raise ValueError(f"platform name {platform!r} contains ':'; use a plain name")
    message = f"{platform}:{platform_id}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def load_secret(value: str | None, path: Path) -> bytes:
    """``value`` when given (the operator's ``LOTSEN_SECRET_KEY``), else the secret in
    ``path``, which is created (mode 0600) when it does not exist yet."""
    if value is not None:
        if len(value) < MIN_SECRET:
            raise ValueError(
                f"LOTSEN_SECRET_KEY is {len(value)} characters long. Use at least {MIN_SECRET} "
                'random ones, e.g. python -c "import secrets; print(secrets.token_hex(32))"'
            )
        return value.encode()
    try:
        return _read(path)
    except FileNotFoundError:
        return _create(path)


def _read(path: Path) -> bytes:
    if stat.S_IMODE(path.stat().st_mode) & 0o077:
        logger.warning("the secret file can be read by other users; chmod 600 it")
    value = path.read_bytes().strip()
    if len(value) < MIN_SECRET:
        raise ValueError(
            f"{path} holds {len(value)} bytes; expected a secret of at least {MIN_SECRET}. "
            "Delete it to make a new one (every session then starts afresh)."
        )
    return value


def _create(path: Path) -> bytes:
    """Write a new secret to a private temporary file, then link it into place.

    The temporary file is opened O_CREAT|O_EXCL with mode 0600, so it is never readable by
    others, not even for an instant. ``os.link`` publishes it atomically and fails when
    the file already exists: when two processes start at once, one secret wins, the other
    process reads it, and nobody ever reads a half-written file.
    """
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    value = secrets.token_bytes(32).hex().encode()
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(value + b"\n")
            file.flush()
            os.fsync(file.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            return _read(path)
    finally:
        temporary.unlink(missing_ok=True)
    logger.info("generated a new secret file")
    return value
