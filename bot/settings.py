"""The server's settings, read from the environment in this one place.

    settings = Settings.from_env(os.environ)   # raises SettingsError naming the variable

Every mistake names the variable, the value it has and what would be valid, so an operator
reading a PaaS log can fix it without reading code. Nothing else in the server reads
``os.environ``.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from bot.channels.web import WebSettings
from bot.storage import config as storage_config

DEFAULT_HOST = "127.0.0.1"  # a developer's `make run` is not reachable from the network
DEFAULT_PORT = 8080
DEFAULT_CONTENT = Path("content")
DEFAULT_MIN_COVERAGE = 90.0
MIN_ADMIN_TOKEN = 24

# Telegram allows 1-256 of these characters in a webhook's secret token.
_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


class SettingsError(ValueError):
    """A variable has a value the server cannot use; the message says which and why."""


@dataclass(frozen=True)
class TelegramSettings:
    """The Telegram channel. ``webhook_url`` None means long polling (for development)."""

    token: str
    webhook_url: str | None
    webhook_secret: str
    api_base_url: str | None = None
    protect_content: bool = True


@dataclass(frozen=True)
class Settings:
    host: str
    port: int
    content: Path
    database: Path
    secret: bytes
    session_ttl: timedelta
    min_language_coverage: float
    telegram: TelegramSettings | None  # None: no token, the Telegram channel is off
    web: WebSettings = field(default_factory=WebSettings)
    admin_token: str | None = None  # None: no admin endpoint
    reload: bool = True  # watch content/ and locales/, and reload on SIGHUP
    reload_interval: float = 1.0  # seconds between two looks at the files

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        """Every setting from ``env``; see the README's "Deploy" section for the list."""
        try:
            ttl = storage_config.session_ttl(env)
            secret = storage_config.secret(env)
            web_settings = WebSettings.from_env(env)
        except ValueError as exc:
            raise SettingsError(str(exc)) from exc
        return cls(
            host=env.get("HOST", "").strip() or DEFAULT_HOST,
            port=_port(env),
            content=Path(env.get("LOTSEN_CONTENT", "").strip() or DEFAULT_CONTENT),
            database=storage_config.database_path(env),
            secret=secret,
            session_ttl=ttl,
            min_language_coverage=_coverage(env),
            telegram=_telegram(env, secret),
            web=web_settings,
            admin_token=_admin_token(env),
            reload=_flag(env, "LOTSEN_RELOAD", default=True),
        )


def _port(env: Mapping[str, str]) -> int:
    raw = env.get("PORT", "").strip()
    if not raw:
        return DEFAULT_PORT
    if not raw.isdigit() or not 1 <= int(raw) <= 65535:
        raise SettingsError(f"PORT has value {raw!r}. Use a port number from 1 to 65535.")
    return int(raw)


def _coverage(env: Mapping[str, str]) -> float:
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


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
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


def _telegram(env: Mapping[str, str], secret: bytes) -> TelegramSettings | None:
    token = env.get("TELEGRAM_BOT_TOKEN", "").strip()
    if not token:
        return None
    if ":" not in token or any(c.isspace() or c == "/" for c in token):
        # Never echo a token, even a broken one: the log may be shared.
        raise SettingsError(
            "TELEGRAM_BOT_TOKEN does not look like a bot token. Copy it from @BotFather: "
            "digits, a colon, then letters (123456:ABC-...)."
        )
    webhook_url = env.get("TELEGRAM_WEBHOOK_URL", "").strip() or None
    if webhook_url is not None and not webhook_url.startswith("https://"):
        raise SettingsError(
            f"TELEGRAM_WEBHOOK_URL has value {webhook_url!r}. Telegram delivers only to https:// "
            "addresses; leave it unset to use long polling."
        )
    return TelegramSettings(
        token=token,
        webhook_url=webhook_url,
        webhook_secret=_webhook_secret(env, secret),
        api_base_url=env.get("TELEGRAM_API_BASE_URL", "").strip() or None,
        protect_content=_flag(env, "TELEGRAM_PROTECT_CONTENT", default=True),
    )


def _webhook_secret(env: Mapping[str, str], secret: bytes) -> str:
    """``TELEGRAM_WEBHOOK_SECRET``, else one derived from the secret key: stable across
    restarts and instances without another variable to manage, and useless to anyone who
    does not hold the key."""
    raw = env.get("TELEGRAM_WEBHOOK_SECRET", "").strip()
    if not raw:
        return hmac.new(secret, b"telegram-webhook-secret", hashlib.sha256).hexdigest()
    if not _SECRET_TOKEN.fullmatch(raw):
        raise SettingsError(
            "TELEGRAM_WEBHOOK_SECRET has a value Telegram does not accept. Use 1 to 256 of the "
            "characters A-Z, a-z, 0-9, _ and -."
        )
    return raw
