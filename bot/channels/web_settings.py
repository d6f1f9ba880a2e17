"""The web chat's settings, read from ``LOTSEN_WEB_*``.

    settings = WebSettings.from_env(os.environ)   # raises SettingsError naming the variable

Checked as they are made, so a setting that would weaken the page (an exit URL that runs
script, a frame-ancestors list that smuggles in another directive) stops the server at start.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from bot.settings import SettingsError

DEFAULT_EXIT_URL = "https://www.wikipedia.org/"

EXIT_URL = "LOTSEN_WEB_EXIT_URL"
FRAME_ANCESTORS = "LOTSEN_WEB_FRAME_ANCESTORS"
ALLOWED_ORIGINS = "LOTSEN_WEB_ALLOWED_ORIGINS"
CLIENT_ADDRESS_HEADER = "LOTSEN_WEB_CLIENT_ADDRESS_HEADER"

_SOURCE = re.compile(r"'none'|'self'|https?:|(https?://)?(\*\.)?[A-Za-z0-9.-]+(:(\d+|\*))?")


@dataclass(frozen=True)
class WebSettings:
    """How the web chat behaves; ``from_env`` reads it from ``LOTSEN_WEB_*``.

    ``exit_url``: where the quick exit goes (a neutral site). ``frame_ancestors``: who may
    embed the page in an ``<iframe>``, as CSP source expressions (``'none'``, ``'self'``,
    ``https://kommun.example.se``). ``allowed_origins``: other origins whose pages may call
    the API (exact ``scheme://host[:port]``). ``client_address_header``: the header in which
    a reverse proxy passes the client's address (``X-Forwarded-For``); empty when Lotsen
    faces the internet itself.
    """

    exit_url: str = DEFAULT_EXIT_URL
    frame_ancestors: str = "'none'"
    allowed_origins: frozenset[str] = field(default_factory=frozenset)
    client_address_header: str = ""
    max_body_bytes: int = 4096
    max_text_chars: int = 1000

    def __post_init__(self) -> None:
        _check_exit_url(self.exit_url)
        _check_frame_ancestors(self.frame_ancestors)
        for origin in self.allowed_origins:
            _check_origin(origin)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> WebSettings:
        """``LOTSEN_WEB_EXIT_URL``, ``LOTSEN_WEB_FRAME_ANCESTORS``,
        ``LOTSEN_WEB_ALLOWED_ORIGINS`` (space or comma separated) and
        ``LOTSEN_WEB_CLIENT_ADDRESS_HEADER``; unset ones keep their defaults."""
        origins = env.get(ALLOWED_ORIGINS, "").replace(",", " ").split()
        return cls(
            exit_url=env.get(EXIT_URL, "").strip() or DEFAULT_EXIT_URL,
            frame_ancestors=" ".join(env.get(FRAME_ANCESTORS, "").split()) or "'none'",
            allowed_origins=frozenset(origin.rstrip("/") for origin in origins),
            client_address_header=env.get(CLIENT_ADDRESS_HEADER, "").strip(),
        )


def _check_exit_url(url: str) -> None:
    parts = urlsplit(url)
    absolute = parts.scheme in ("http", "https") and bool(parts.netloc)
    local = url.startswith("/") and not url.startswith("//")
    if not (absolute or local) or any(c.isspace() or c in "\"'<>\\" for c in url):
        raise SettingsError(
            f"{EXIT_URL} has value {url!r}. Not an http(s) URL or a path starting with '/'."
        )


def _check_frame_ancestors(value: str) -> None:
    for source in value.split():
        if not _SOURCE.fullmatch(source):
            raise SettingsError(
                f"{FRAME_ANCESTORS} has value {value!r}. {source!r} is not a CSP source: use "
                "'none', 'self' or origins such as https://kommun.example.se, space separated."
            )


def _check_origin(origin: str) -> None:
    parts = urlsplit(origin)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.path:
        raise SettingsError(
            f"{ALLOWED_ORIGINS} has value {origin!r}. Not an origin such as "
            "https://kommun.example.se (scheme and host, no path)."
        )
