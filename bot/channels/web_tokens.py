"""Web chat session tokens: issued by the server, checked without reading the database.

    tokens = SessionTokens(secret)
    token = tokens.issue()        # 43 URL-safe characters
    tokens.valid(token)           # True; False for a token this server did not issue

A token is its issue time (4 bytes, Unix seconds), 12 random bytes and an HMAC-SHA256 of both
under a key derived from the server's secret (16 bytes), in URL-safe base64. So a made-up
token is refused before any database work, and one older than ``max_age`` too. The token is
also the platform id of the conversation: the store sees only its keyed hash.

An event the client names (its ``"id"``) is kept by the store as processed under
``event_key(token, id)``: a keyed hash of both, so one session's ids never meet another's,
and the stored id leads back to no session.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import struct
import time
from collections.abc import Callable

TOKEN_CHARS = 43  # 32 bytes in base64 without padding
MAX_AGE_SECONDS = 30 * 24 * 3600  # a conversation this old starts afresh
SKEW_SECONDS = 300  # a token "issued" further in the future than this is forged
_NONCE = 12
_MAC = 16
_LABEL = b"lotsen web session token v1"


class SessionTokens:
    """Issues and checks tokens; ``clock`` (Unix seconds) and ``random`` are injectable."""

    def __init__(
        self,
        secret: bytes,
        *,
        clock: Callable[[], float] = time.time,
        random: Callable[[int], bytes] = secrets.token_bytes,
        max_age: float = MAX_AGE_SECONDS,
    ) -> None:
        # A key of its own, so a token's MAC can never stand in for a session key's HMAC.
        self._key = hmac.new(secret, _LABEL, hashlib.sha256).digest()
        self._clock = clock
        self._random = random
        self._max_age = max_age

    def issue(self) -> str:
        issued = struct.pack(">I", int(self._clock()) & 0xFFFFFFFF)
        body = issued + self._random(_NONCE)
        return base64.urlsafe_b64encode(body + self._mac(body)).decode("ascii").rstrip("=")

    def valid(self, token: str) -> bool:
        """Whether ``token`` was issued here, not longer than ``max_age`` ago."""
        if len(token) != TOKEN_CHARS or not token.isascii():
            return False
        try:
            raw = base64.urlsafe_b64decode(token + "=")
        except (binascii.Error, ValueError):
            return False
        body, mac = raw[:-_MAC], raw[-_MAC:]
        if len(body) != 4 + _NONCE or not hmac.compare_digest(mac, self._mac(body)):
            return False
        (issued,) = struct.unpack(">I", body[:4])
        age = self._clock() - float(issued)
        return -SKEW_SECONDS <= age <= self._max_age

    def event_key(self, token: str, client_id: str) -> str:
        """The id the store keeps for the client's event ``client_id`` of ``token``'s session:
        32 hex digits."""
        message = b"event\0" + token.encode() + b"\0" + client_id.encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()[:32]

    def _mac(self, body: bytes) -> bytes:
        return hmac.new(self._key, body, hashlib.sha256).digest()[:_MAC]
