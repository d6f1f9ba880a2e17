"""The web chat: a page at ``/`` and a small JSON API carrying Events in and Replies out.

    add_web_routes(
        app,
        conversations=conversations,
        content_provider=lambda: content,
        settings=WebSettings.from_env(os.environ),
    )

The page (``bot/static/``) is plain HTML, CSS and JavaScript: no build step, nothing from
third parties, no cookies. The API (see the README's "Web chat" section):

- ``POST /api/session`` -> ``201 {"session": token, "exit_url": url}``. The token is issued
  and signed by the server (``bot.channels.web_tokens``) and its session begins at once; it
  is the platform id of the conversation, so the store sees only its HMAC; nothing else
  identifies the person. The page keeps it in ``sessionStorage``.
- ``POST /api/event`` with ``{"session", "type": "start"|"choice"|"text"|"command", ...}``
  -> the replies rendered in the person's language (``bot.channels.web_render.payload``).
  A token this server did not issue, or whose session is gone (forgotten, expired), gets
  ``401 {"error": "bad_session"}``: the page then asks for a new one.
- ``POST /api/forget`` with ``{"session"}`` -> ``204``: everything about the session is gone.

Typed text goes into the engine as a ``Text`` event and nowhere else: it is neither logged
nor stored. Requests are size-limited and rate-limited per session and per client, the
client known only by a keyed hash of its address that changes every hour; the client's limit
is taken before the body is read.
"""

from __future__ import annotations

import functools
import html
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from bot.channels.web_http import (
    client_address,
    fail,
    origin_allowed,
    read_json,
    security_headers_hook,
)
from bot.channels.web_limits import TokenBuckets, WebLimits, session_bucket_key
from bot.channels.web_render import interface, locale_json, payload
from bot.channels.web_tokens import SessionTokens
from bot.engine import Choice, Command, Event, Start, Text
from bot.engine.locales import negotiate
from bot.flows.model import Content
from bot.i18n.renderer import renderer_for
from bot.service import Conversations, UnknownSession

CHANNEL = "web"
DEFAULT_EXIT_URL = "https://www.wikipedia.org/"

EXIT_URL = "LOTSEN_WEB_EXIT_URL"
FRAME_ANCESTORS = "LOTSEN_WEB_FRAME_ANCESTORS"
ALLOWED_ORIGINS = "LOTSEN_WEB_ALLOWED_ORIGINS"
CLIENT_ADDRESS_HEADER = "LOTSEN_WEB_CLIENT_ADDRESS_HEADER"

SESSION_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")  # see bot.channels.web_tokens
MAX_TOKEN = 64  # of a button token; the engine's are at most 40
MAX_COMMAND = 32
MAX_HINT = 200  # of a locale hint (an Accept-Language header)

_SOURCE = re.compile(r"'none'|'self'|https?:|(https?://)?(\*\.)?[A-Za-z0-9.-]+(:(\d+|\*))?")
_STATIC_TYPES = {
    "chat.css": "text/css",
    "chat.js": "text/javascript",
    "icon.svg": "image/svg+xml",
    "globe.svg": "image/svg+xml",
}
_PLACEHOLDER = re.compile(r"\{\{([a-z_]+)\}\}")


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
        raise ValueError(
            f"{EXIT_URL} has value {url!r}. Not an http(s) URL or a path starting with '/'."
        )


def _check_frame_ancestors(value: str) -> None:
    for source in value.split():
        if not _SOURCE.fullmatch(source):
            raise ValueError(
                f"{FRAME_ANCESTORS} has value {value!r}. {source!r} is not a CSP source: use "
                "'none', 'self' or origins such as https://kommun.example.se, space separated."
            )


def _check_origin(origin: str) -> None:
    parts = urlsplit(origin)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.path:
        raise ValueError(
            f"{ALLOWED_ORIGINS} has value {origin!r}. Not an origin such as "
            "https://kommun.example.se (scheme and host, no path)."
        )


def add_web_routes(
    app: web.Application,
    *,
    conversations: Conversations,
    content_provider: Callable[[], Content],
    settings: WebSettings,
    tokens: SessionTokens,
    limits: WebLimits | None = None,
) -> None:
    """Mount the page, its files and the API on ``app``, and put the security headers on
    every response of ``app`` (an ``on_response_prepare`` hook)."""
    channel = WebChannel(conversations, content_provider, settings, limits or WebLimits(), tokens)
    app.router.add_get("/", channel.page)
    app.router.add_get("/static/{name}", channel.static)
    app.router.add_post("/api/session", channel.new_session)
    app.router.add_post("/api/event", channel.event)
    app.router.add_post("/api/forget", channel.forget)
    app.router.add_route("OPTIONS", "/api/{name}", channel.preflight)
    app.on_response_prepare.append(security_headers_hook(settings.frame_ancestors))


class WebChannel:
    """The handlers. One instance per application; its state is the rate limits only."""

    def __init__(
        self,
        conversations: Conversations,
        content_provider: Callable[[], Content],
        settings: WebSettings,
        limits: WebLimits,
        tokens: SessionTokens,
    ) -> None:
        self._conversations = conversations
        self._content = content_provider
        self._settings = settings
        self._limits = limits
        self._tokens = tokens
        files = resources.files("bot") / "static"
        self._template = (files / "index.html").read_text(encoding="utf-8")
        self._files = {name: (files / name).read_bytes() for name in _STATIC_TYPES}

    # --- the page ----------------------------------------------------------------------------

    async def page(self, request: web.Request) -> web.Response:
        """The chat page, its words already in the browser's language (when the pack has it),
        so the quick exit's explanation is readable before any script runs."""
        content = self._content()
        renderer = renderer_for(content, negotiate(content, _hint(request)))
        where = locale_json(renderer)
        values = {
            **interface(renderer),
            "lang": where["lang"],
            "dir": where["dir"],
            "exit_url": self._settings.exit_url,
            "max_text": str(self._settings.max_text_chars),
        }
        return web.Response(
            text=fill_template(self._template, values), content_type="text/html", charset="utf-8"
        )

    async def static(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if name not in self._files:
            raise web.HTTPNotFound()
        kind = _STATIC_TYPES[name]
        charset = None if kind.startswith("image/") else "utf-8"
        return web.Response(body=self._files[name], content_type=kind, charset=charset)

    # --- the API -----------------------------------------------------------------------------

    async def new_session(self, request: web.Request) -> web.Response:
        """A signed token whose session begins now, so that a token whose session is later
        gone is refused rather than silently starting again."""
        self._check_origin(request)
        self._take(self._limits.client_sessions, self._client(request))
        await read_json(request, self._settings.max_body_bytes)
        token = self._tokens.issue()
        await self._conversations.begin(CHANNEL, token, Start(locale_hint=_hint(request)))
        body = {"session": token, "exit_url": self._settings.exit_url}
        return self._json(request, body, status=201)

    async def event(self, request: web.Request) -> web.Response:
        self._check_origin(request)
        self._take(self._limits.client_events, self._client(request))
        body = await read_json(request, self._settings.max_body_bytes)
        session = self._session(body)
        self._take(self._limits.events, session_bucket_key(session))
        event = parse_event(
            body, max_text=self._settings.max_text_chars, fallback_hint=_hint(request)
        )
        try:
            result = await self._conversations.handle(CHANNEL, session, event, existing=True)
        except UnknownSession:
            fail(web.HTTPUnauthorized, "bad_session")
        return self._json(request, payload(self._content(), result))

    async def forget(self, request: web.Request) -> web.Response:
        """The quick exit and the forget button: delete everything about the session. Done
        twice, or for a session already gone, it is still 204."""
        self._check_origin(request)
        self._take(self._limits.client_forgets, self._client(request))
        body = await read_json(request, self._settings.max_body_bytes)
        session = self._session(body)
        await self._conversations.handle(CHANNEL, session, Command("forget"))
        return self._cors(request, web.Response(status=204))

    async def preflight(self, request: web.Request) -> web.Response:
        """CORS for the configured ``allowed_origins``, so another front end's page can call
        the API; any other origin gets no permission."""
        origin = request.headers.get("Origin")
        if origin is None or origin not in self._settings.allowed_origins:
            fail(web.HTTPForbidden, "origin")
        response = web.Response(status=204)
        response.headers["Access-Control-Allow-Methods"] = "POST"
        response.headers["Access-Control-Allow-Headers"] = "Content-Type"
        response.headers["Access-Control-Max-Age"] = "600"
        return self._cors(request, response)

    # --- helpers -----------------------------------------------------------------------------

    def _session(self, body: Mapping[str, Any]) -> str:
        """The body's session token: 400 when it is not one in form, 401 when this server
        did not issue it (or long ago). Checked before any database work."""
        session = _session(body)
        if not self._tokens.valid(session):
            fail(web.HTTPUnauthorized, "bad_session")
        return session

    def _check_origin(self, request: web.Request) -> None:
        origin = request.headers.get("Origin")
        if not origin_allowed(origin, request.host, self._settings.allowed_origins):
            fail(web.HTTPForbidden, "origin")

    def _client(self, request: web.Request) -> str:
        address = client_address(request, self._settings.client_address_header)
        return self._limits.client_key(address)

    def _take(self, buckets: TokenBuckets, key: str) -> None:
        if not buckets.allow(key):
            retry = str(buckets.retry_after(key))
            fail(web.HTTPTooManyRequests, "rate_limited", **{"Retry-After": retry})

    def _json(self, request: web.Request, body: Any, *, status: int = 200) -> web.Response:
        response = web.json_response(body, status=status, dumps=_dumps)
        return self._cors(request, response)

    def _cors(self, request: web.Request, response: web.Response) -> web.Response:
        origin = request.headers.get("Origin")
        if origin is not None and origin in self._settings.allowed_origins:
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Vary"] = "Origin"
        return response


_dumps = functools.partial(json.dumps, ensure_ascii=False)


def _hint(request: web.Request) -> str | None:
    return request.headers.get("Accept-Language", "")[:MAX_HINT] or None


def _session(body: Mapping[str, Any]) -> str:
    session = body.get("session")
    if not isinstance(session, str) or not SESSION_PATTERN.fullmatch(session):
        fail(web.HTTPBadRequest, "bad_session")
    return session


def _string(body: Mapping[str, Any], key: str, limit: int, *, default: str | None = None) -> str:
    value = body.get(key, default)
    if not isinstance(value, str):
        fail(web.HTTPBadRequest, f"bad_{key}")
    if len(value) > limit:
        fail(web.HTTPBadRequest, f"{key}_too_long")
    return value


# As a Telegram deep link's (t.me/<bot>?start=...): letters, digits, _ and -, 64 at most. The
# page passes its own `?start=` on, so a municipality's site can link to /?start=m-0480.
_PAYLOAD = re.compile(r"[A-Za-z0-9_-]{0,64}")


def parse_event(body: Mapping[str, Any], *, max_text: int, fallback_hint: str | None) -> Event:
    """The Event a request body describes::

    {"type": "start", "payload": "m-0480"}        -> Start(payload="m-0480")
    {"type": "choice", "token": "n.back"}         -> Choice("n.back")
    {"type": "text", "text": "akut"}              -> Text("akut")
    {"type": "command", "name": "language", "arg": "ar"} -> Command("language", "ar")

    ``locale_hint`` (the browser's languages) may come with any; the Accept-Language header
    stands in when it does not.
    """
    hint = _string(body, "locale_hint", MAX_HINT, default="") or fallback_hint
    kind = body.get("type")
    if kind == "start":
        payload = _string(body, "payload", MAX_TOKEN, default="").strip()
        return Start(payload=payload if _PAYLOAD.fullmatch(payload) else "", locale_hint=hint)
    if kind == "choice":
        return Choice(_string(body, "token", MAX_TOKEN), locale_hint=hint)
    if kind == "text":
        text = _string(body, "text", max_text)
        if not text.strip():
            fail(web.HTTPBadRequest, "bad_text")
        return Text(text, locale_hint=hint)
    if kind == "command":
        name = _string(body, "name", MAX_COMMAND).strip().lstrip("/").lower()
        return Command(name, _string(body, "arg", MAX_TOKEN, default="").strip(), locale_hint=hint)
    fail(web.HTTPBadRequest, "bad_type")


def fill_template(template: str, values: Mapping[str, str]) -> str:
    """``{{name}}`` in ``template`` replaced by ``values[name]``, HTML-escaped (quotes too,
    so a value is safe in an attribute). A name without a value is a KeyError: a bug."""
    return _PLACEHOLDER.sub(lambda match: html.escape(values[match.group(1)], quote=True), template)
