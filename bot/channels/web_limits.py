"""Rate limits for the web chat that remember no IP address.

    limits = WebLimits()
    client = limits.client_key(request.remote or "")   # a keyed hash, never the address
    if not limits.events.allow(session_key) or not limits.client_events.allow(client):
        ...  # 429

Buckets live in memory only. A client's bucket is keyed by an HMAC of its address under a
random key that is replaced every hour, so the key cannot be turned back into an address
(not even by trying all four billion IPv4 addresses) and yesterday's keys match nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

Clock = Callable[[], float]

MAX_KEYS = 50_000  # buckets kept per limit; the least recently used goes first
ROTATE_SECONDS = 3600.0


@dataclass
class _Bucket:
    tokens: float
    at: float


class TokenBuckets:
    """A token bucket per key: ``capacity`` requests at once, refilled at ``per_second``.

    >>> buckets = TokenBuckets(capacity=2, per_second=1.0, clock=lambda: 0.0)
    >>> [buckets.allow("a") for _ in range(3)]
    [True, True, False]
    """

    def __init__(
        self,
        capacity: float,
        per_second: float,
        *,
        clock: Clock = time.monotonic,
        max_keys: int = MAX_KEYS,
    ) -> None:
        self.capacity = capacity
        self.per_second = per_second
        self._clock = clock
        self._max_keys = max_keys
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    def allow(self, key: str) -> bool:
        """Take one token from ``key``'s bucket; False when it is empty."""
        now = self._clock()
        bucket = self._buckets.pop(key, None) or _Bucket(self.capacity, now)
        bucket.tokens = min(self.capacity, bucket.tokens + (now - bucket.at) * self.per_second)
        bucket.at = now
        allowed = bucket.tokens >= 1.0
        if allowed:
            bucket.tokens -= 1.0
        self._buckets[key] = bucket  # re-inserted last: the most recently used
        while len(self._buckets) > self._max_keys:
            self._buckets.popitem(last=False)
        return allowed

    def retry_after(self, key: str) -> int:
        """Whole seconds until ``key`` has a token again (at least 1)."""
        bucket = self._buckets.get(key)
        if bucket is None or self.per_second <= 0:
            return 1
        missing = max(0.0, 1.0 - bucket.tokens)
        return max(1, int(missing / self.per_second + 0.999))

    def __len__(self) -> int:
        return len(self._buckets)


class ClientKeys:
    """Keyed hashes of client addresses under a key replaced every ``rotate_seconds``."""

    def __init__(
        self,
        *,
        clock: Clock = time.monotonic,
        rotate_seconds: float = ROTATE_SECONDS,
        random_key: Callable[[], bytes] = lambda: secrets.token_bytes(32),
    ) -> None:
        self._clock = clock
        self._rotate = rotate_seconds
        self._random_key = random_key
        self._key = random_key()
        self._since = clock()

    def key(self, address: str) -> str:
        """32 hex digits standing for ``address`` until the next rotation."""
        now = self._clock()
        if now - self._since >= self._rotate:
            self._key, self._since = self._random_key(), now
        return hmac.new(self._key, address.encode(), hashlib.sha256).hexdigest()[:32]


@dataclass
class WebLimits:
    """Every limit of the web chat. Defaults allow a person clicking as fast as they read,
    and a whole office behind one address; they stop a script hammering the engine."""

    clock: Clock = time.monotonic
    events: TokenBuckets = field(init=False)  # per session
    client_events: TokenBuckets = field(init=False)  # per client address (hashed)
    client_sessions: TokenBuckets = field(init=False)  # new sessions per client address
    client_forgets: TokenBuckets = field(init=False)  # quick exits per client address
    clients: ClientKeys = field(init=False)

    def __post_init__(self) -> None:
        self.events = TokenBuckets(20, 1.0, clock=self.clock)
        self.client_events = TokenBuckets(200, 20.0, clock=self.clock)
        self.client_sessions = TokenBuckets(30, 0.5, clock=self.clock)
        # Generous and separate: a quick exit must not fail because the person clicked a lot.
        self.client_forgets = TokenBuckets(60, 2.0, clock=self.clock)
        self.clients = ClientKeys(clock=self.clock)

    def client_key(self, address: str) -> str:
        return self.clients.key(address)


def session_bucket_key(session: str) -> str:
    """The per-session bucket's key: a hash, so the bearer token itself is not kept."""
    return hashlib.blake2s(session.encode(), digest_size=16).hexdigest()
