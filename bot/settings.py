"""The server's settings, read from the environment in this one place.

    settings = Settings.from_env(os.environ)   # raises SettingsError naming the variable

Every mistake names the variable, the value it has and what would be valid, so an operator
reading a PaaS log can fix it without reading code. Nothing else in the server reads
``os.environ``: each channel reads its own variables from ``Settings.environment`` when the
server configures it (``bot.channels.registry``), so its settings live in its own module.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from bot.pack.cache import PackCache
from bot.storage import config as storage_config

DEFAULT_HOST = "127.0.0.1"  # a developer's `make run` is not reachable from the network
DEFAULT_PORT = 8080
DEFAULT_CONTENT = Path("content")
DEFAULT_MIN_COVERAGE = 90.0
MIN_ADMIN_TOKEN = 24

_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


class SettingsError(ValueError):
    """A variable has a value the server cannot use; the message says which and why."""


@dataclass(frozen=True)
class Settings:
    host: str
    port: int
    content: Path
    database: str  # a URL (sqlite:///path, ...) or a SQLite file path: see bot.storage
    secret: bytes
    session_ttl: timedelta
    min_language_coverage: float
    # The variables as read, for the channels: each reads its own (empty: every channel's
    # defaults; Telegram is off). Not shown in a repr: it may hold tokens.
    environment: Mapping[str, str] = field(default_factory=dict, repr=False)
    admin_token: str | None = None  # None: no admin endpoint
    reload: bool = True  # watch content/ and locales/, and reload on SIGHUP
    reload_interval: float = 1.0  # seconds between two looks at the files
    # How many instances share the platforms' sending limits (LOTSEN_INSTANCES): each
    # sends at its share, so together they stay within a bot's limit.
    instances: int = 1
    # Loaded packs kept on disk by their files' hash (LOTSEN_CACHE_DIR): None, none kept.
    content_cache: PackCache | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        """Every setting from ``env``; see the README's "Deploy" section for the list."""
        try:
            database = storage_config.database_url(env)
            ttl = storage_config.session_ttl(env)
            secret = storage_config.secret(env)
        except ValueError as exc:
            raise SettingsError(str(exc)) from exc
        return cls(
            host=env.get("HOST", "").strip() or DEFAULT_HOST,
            port=_port(env),
            content=Path(env.get("LOTSEN_CONTENT", "").strip() or DEFAULT_CONTENT),
            database=database,
            secret=secret,
            session_ttl=ttl,
            min_language_coverage=min_coverage(env),
            environment=dict(env),
            admin_token=_admin_token(env),
            reload=flag(env, "LOTSEN_RELOAD", default=True),
            instances=_instances(env),
            content_cache=PackCache.from_env(env),
        )


def _port(env: Mapping[str, str]) -> int:
    raw = env.get("PORT", "").strip()
    if not raw:
        return DEFAULT_PORT
    if not raw.isdigit() or not 1 <= int(raw) <= 65535:
        raise SettingsError(f"PORT has value {raw!r}. Use a port number from 1 to 65535.")
    return int(raw)


def _instances(env: Mapping[str, str]) -> int:
    raw = env.get("LOTSEN_INSTANCES", "").strip()
    if not raw:
        return 1
    if not raw.isdigit() or not 1 <= int(raw) <= 1000:
        raise SettingsError(
            f"LOTSEN_INSTANCES has value {raw!r}. Give the number of `lotsen serve` processes "
            "that share one bot (1 to 1000)."
        )
    return int(raw)


def min_coverage(env: Mapping[str, str]) -> float:
    """``LOTSEN_MIN_LANGUAGE_COVERAGE``: the percent of a catalog that must be translated
    before its language is offered to people (default 90); :class:`SettingsError` naming the
    variable when it is not a percentage."""
    raw = env.get("LOTSEN_MIN_LANGUAGE_COVERAGE", "").strip()
    if not raw:
        return DEFAULT_MIN_COVERAGE
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0.0 <= value <= 100.0:
        raise SettingsError(
            f"LOTSEN_MIN_LANGUAGE_COVERAGE has value {raw!r}. Use a percentage from 0 to 100."
        )
    return value


def flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    """A yes/no variable (``1``/``0``, ``true``/``false``, ``yes``/``no``, ``on``/``off``)."""
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    choices = ", ".join(_TRUE + _FALSE)
    raise SettingsError(f"{name} has value {raw!r}. Not a valid flag; use one of: {choices}.")


def _admin_token(env: Mapping[str, str]) -> str | None:
    """``LOTSEN_ADMIN_TOKEN``: the bearer token of ``POST /admin/reload``; unset, no endpoint."""
    raw = env.get("LOTSEN_ADMIN_TOKEN", "").strip()
    if not raw:
        return None
    if len(raw) < MIN_ADMIN_TOKEN or not raw.isascii() or any(c.isspace() for c in raw):
        # Never echo the token, even a weak one: the log may be shared.
        raise SettingsError(
            f"LOTSEN_ADMIN_TOKEN is too weak. Use at least {MIN_ADMIN_TOKEN} ASCII characters "
            'without spaces, e.g. python -c "import secrets; print(secrets.token_urlsafe(32))".'
        )
    return raw
