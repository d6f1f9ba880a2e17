"""The web chat: a page at ``/`` and a small JSON API carrying Events in and Replies out.

    channel = WebChannel.configure(os.environ, secret)   # always on; LOTSEN_WEB_* tune it
    channel.mount(app, services)

The page (``bot/static/``) is plain HTML, CSS and JavaScript: no build step, nothing from
third parties, no cookies. The API (see the README's "Web chat" section):

- ``POST /api/session`` -> ``201 {"session": token, "exit_url": url}``. The token is issued
  and signed by the server (``bot.channels.web_tokens``) and its session begins at once; it
  is the platform id of the conversation, so the store sees only its HMAC; nothing else
  identifies the person. The page keeps it in ``sessionStorage``.
- ``POST /api/event`` with ``{"session", "id", "type": "start"|"choice"|"text"|"command",
  ...}`` -> the replies rendered in the person's language (``bot.channels.web_render``).
  ``id`` is the client's id for the event, repeated when it retries the event after a lost
  answer: the store deduplicates it as it does a platform's redelivered update, and the
  retry gets the answer the event had, not a second turn. A token this server did not
  issue, or whose session is gone (forgotten, expired), gets ``401 {"error":
  "bad_session"}``: the page then asks for a new one.
- ``POST /api/forget`` with ``{"session"}`` -> ``204``: everything about the session is gone.

Typed text goes into the engine as a ``Text`` event and nowhere else: it is neither logged
nor stored. Requests are size-limited and rate-limited per session and per client, the
client known only by a keyed hash of its address that changes every hour; the client's limit
is taken before the body is read.
"""

from __future__ import annotations

import functools
import gzip
import html
import json
import re
from collections.abc import Callable, Mapping
from importlib import resources
from typing import Any

from aiohttp import web

from bot.channels.channel import Services
from bot.channels.outbox import Outbox
from bot.channels.web_events import MAX_HINT, event_id, parse_event
from bot.channels.web_http import (
    client_address,
    fail,
    origin_allowed,
    read_json,
    security_headers_hook,
)
from bot.channels.web_limits import TokenBuckets, WebLimits, session_bucket_key
from bot.channels.web_render import (
    answer_body,
    interface,
    locale_json,
    owed,
    rendered,
    repeat,
)
from bot.channels.web_settings import WebSettings
from bot.channels.web_tokens import SessionTokens
from bot.engine import Command, Start
from bot.engine.locales import negotiate
from bot.flows.model import Content
from bot.i18n.renderer import Renderer, renderer_for
from bot.service import Conversations, HandleResult, UnknownSession

CHANNEL = "web"
SESSION_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")  # see bot.channels.web_tokens
# Sessions whose last answer is remembered for settling; one forgotten here (or on another
# instance) is dropped by the store's purge (UPDATES_KEPT) instead.
ANSWERS_KEPT = 10_000
_STATIC_TYPES = {
    "chat.css": "text/css",
    "chat.js": "text/javascript",
    "early.js": "text/javascript",
    "icon.svg": "image/svg+xml",
    "globe.svg": "image/svg+xml",
}
_PLACEHOLDER = re.compile(r"\{\{([a-z_]+)\}\}")


class WebChannel:
    """The web chat as a channel (``bot.channels.channel.Channel``). Always on: without
    ``LOTSEN_WEB_*`` it has its defaults. Nothing to start or stop: its routes are all of it."""

    def __init__(
        self, settings: WebSettings, tokens: SessionTokens, limits: WebLimits | None = None
    ) -> None:
        self.settings = settings
        self._tokens = tokens
        self._limits = limits or WebLimits()

    @classmethod
    def configure(cls, env: Mapping[str, str], secret: bytes) -> WebChannel:
        return cls(WebSettings.from_env(env), SessionTokens(secret))

    def mount(self, app: web.Application, services: Services) -> None:
        """The page, its files and the API on ``app``, and the security headers on every
        response of ``app`` (an ``on_response_prepare`` hook)."""
        chat = WebChat(
            services.conversations, services.content, self.settings, self._limits, self._tokens
        )
        app.router.add_get("/", chat.page)
        app.router.add_get("/static/{name}", chat.static)
        app.router.add_post("/api/session", chat.new_session)
        app.router.add_post("/api/event", chat.event)
        app.router.add_post("/api/forget", chat.forget)
        app.router.add_route("OPTIONS", "/api/{name}", chat.preflight)
        app.on_response_prepare.append(security_headers_hook(self.settings.frame_ancestors))

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None


class WebChat:
    """The handlers. One instance per application; its state, in memory only, is the rate
    limits and each session's last event whose answer the store keeps for a retry."""

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
        self._answered: Outbox[str] = Outbox(ANSWERS_KEPT)
        files = resources.files("bot") / "static"
        self._template = (files / "index.html").read_text(encoding="utf-8")
        self._files = {name: (files / name).read_bytes() for name in _STATIC_TYPES}
        # Compressed once at start, not per request; the files stay readable in the repo.
        self._gzipped = {
            name: gzip.compress(body, mtime=0)
            for name, body in self._files.items()
            if _STATIC_TYPES[name].startswith("text/")
        }

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
        page = fill_template(self._template, values)
        # The language menu as it will be, in the HTML: filled in by the script only after the
        # first paint, it grew the header and pushed the quick exit down under a thumb.
        languages = where["languages"]
        assert isinstance(languages, list)
        page = page.replace("<!--language-options-->", language_options(languages, renderer))
        page = page.replace("<!--language-hidden-->", "" if len(languages) > 1 else " hidden")
        response = web.Response(text=page, content_type="text/html", charset="utf-8")
        response.enable_compression()  # gzip when the browser takes it: a phone on 3G
        response.headers["Vary"] = "Accept-Encoding"
        return response

    async def static(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if name not in self._files:
            raise web.HTTPNotFound()
        kind = _STATIC_TYPES[name]
        charset = None if kind.startswith("image/") else "utf-8"
        headers = {"Vary": "Accept-Encoding"}
        body = self._files[name]
        if name in self._gzipped and "gzip" in request.headers.get("Accept-Encoding", ""):
            body, headers["Content-Encoding"] = self._gzipped[name], "gzip"
        return web.Response(body=body, content_type=kind, charset=charset, headers=headers)

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
        bucket = session_bucket_key(session)  # a hash: the bearer token is not kept
        self._take(self._limits.events, bucket)
        event = parse_event(
            body, max_text=self._settings.max_text_chars, fallback_hint=_hint(request)
        )
        client_id = event_id(body)
        # Under the session's own key: one client's id can never reach another's event.
        update_id = None if client_id is None else self._tokens.event_key(session, client_id)
        made: list[str] = []  # the replies as rendered (JSON) to be kept, to answer with too
        previous = self._answered.peek(bucket)
        try:
            result = await self._conversations.handle(
                CHANNEL,
                session,
                event,
                existing=True,
                update_id=update_id,
                owe=functools.partial(self._owe, made),
                settles=previous,
            )
        except UnknownSession:
            fail(web.HTTPUnauthorized, "bad_session")
        if result.duplicate:  # a retry of an event already answered: the same answer
            return self._answer(request, self._repeat(result.owed))
        await self._answered_now(
            session, bucket, None if result.forgotten else update_id, settled=previous
        )
        answer = answer_body(self._content(), result, made[0] if made else None)
        return self._answer(request, answer)

    async def forget(self, request: web.Request) -> web.Response:
        """The quick exit and the forget button: delete everything about the session. Done
        twice, or for a session already gone, it is still 204."""
        self._check_origin(request)
        self._take(self._limits.client_forgets, self._client(request))
        body = await read_json(request, self._settings.max_body_bytes)
        session = self._session(body)
        bucket = session_bucket_key(session)  # a hash: the bearer token is not kept
        previous = self._answered.peek(bucket)
        await self._conversations.handle(CHANNEL, session, Command("forget"), settles=previous)
        await self._answered_now(session, bucket, None, settled=previous)
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

    def _owe(self, made: list[str], result: HandleResult) -> str | None:
        """The answer a retry of the event gets, kept in the turn's own transaction; nothing
        after a forget, which keeps nothing for the person. The replies rendered for it go
        in ``made``: the event's own answer is the same."""
        if result.forgotten:
            return None
        replies = rendered(self._content(), result)
        made.append(replies)
        return owed(result, replies)

    async def _answered_now(
        self, session: str, bucket: str, update_id: str | None, *, settled: str | None
    ) -> None:
        """Keep ``update_id`` as the session's last answered event, the one the store keeps
        an answer for: the page sends one event at a time, so by its next one (or a forget)
        it has had that answer or given up on it. The answer kept before, ``settled``, was
        dropped in the turn's own transaction (``handle(settles=...)``); one kept by an event
        that overlapped this one (a client that does not wait) is dropped here. ``bucket``
        is the session's key in that memory (``session_bucket_key``)."""
        previous = self._answered.take(bucket)
        if update_id is not None:
            self._answered.keep(bucket, update_id)
        if previous is not None and previous not in (settled, update_id):
            await self._conversations.remember_messages(CHANNEL, session, "", (), settled=previous)

    def _repeat(self, answer: str | None) -> bytes:
        if answer is None:  # answered so long ago that the store has let it go
            fail(web.HTTPConflict, "answered")
        return repeat(self._content(), answer)

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

    def _answer(self, request: web.Request, body: bytes) -> web.Response:
        """An event's answer, already encoded (``web_render.answer_body``)."""
        response = web.Response(body=body, content_type="application/json", charset="utf-8")
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


def language_options(languages: list[Any], renderer: Renderer) -> str:
    """The language menu's ``<option>``s, as chat.js would make them from the same JSON."""
    chosen = renderer.locale or renderer.content.source_language
    return "".join(
        f'<option value="{html.escape(str(item["token"]), quote=True)}"'
        f' lang="{html.escape(str(item["lang"]), quote=True)}"'
        f' dir="{html.escape(str(item["dir"]), quote=True)}"'
        f"{' selected' if item['code'] == chosen else ''}>"
        f"{html.escape(str(item['name']))}</option>"
        for item in languages
    )


def fill_template(template: str, values: Mapping[str, str]) -> str:
    """``{{name}}`` in ``template`` replaced by ``values[name]``, HTML-escaped (quotes too,
    so a value is safe in an attribute). A name without a value is a KeyError: a bug."""
    return _PLACEHOLDER.sub(lambda match: html.escape(values[match.group(1)], quote=True), template)
