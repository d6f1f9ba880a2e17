"""HTTP hygiene for the web chat: security headers, the Origin check, bounded JSON bodies.

Nothing here reads or logs what a request carries beyond its size and its JSON shape: a
body may hold what a person typed.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, NoReturn
from urllib.parse import urlsplit

from aiohttp import web

ResponseHook = Callable[[web.Request, web.StreamResponse], Awaitable[None]]


def content_security_policy(frame_ancestors: str) -> str:
    """The page's CSP: its own files only, no inline code, no HTML sinks (Trusted Types with
    no policy, so even a stray ``innerHTML`` would throw), embedding as configured."""
    return "; ".join(
        (
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            f"frame-ancestors {frame_ancestors}",
            "require-trusted-types-for 'script'",
            "trusted-types 'none'",
        )
    )


def security_headers(frame_ancestors: str) -> dict[str, str]:
    headers = {
        "Content-Security-Policy": content_security_policy(frame_ancestors),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cross-Origin-Resource-Policy": "same-origin",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
        # Nothing here may be cached: a shared computer's disk cache would keep the chat.
        "Cache-Control": "no-store",
    }
    if frame_ancestors == "'none'":
        headers["X-Frame-Options"] = "DENY"  # for browsers that predate frame-ancestors
    return headers


def security_headers_hook(frame_ancestors: str) -> ResponseHook:
    """An ``on_response_prepare`` hook putting the headers on every response, errors and
    aiohttp's own 404s included (a middleware would miss responses it never sees)."""
    headers = security_headers(frame_ancestors)

    async def add_headers(request: web.Request, response: web.StreamResponse) -> None:
        for name, value in headers.items():
            response.headers.setdefault(name, value)

    return add_headers


def fail(error: type[web.HTTPError], code: str, **headers: str) -> NoReturn:
    """Stop with ``error`` and a JSON body ``{"error": code}`` a front end can act on."""
    raise error(text=json.dumps({"error": code}), content_type="application/json", headers=headers)


def origin_allowed(origin: str | None, host: str | None, allowed: Iterable[str]) -> bool:
    """Whether a state-changing request may come from ``origin``.

    The page's own origin (same host as the request) and the configured ``allowed`` ones
    pass; ``null`` and every other origin do not. A request without an Origin header is
    not from a browser (browsers send it on every POST), and since the API uses no cookies
    such a client could only act on a session whose token it already holds.
    """
    if origin is None:
        return True
    if origin in allowed:
        return True
    parts = urlsplit(origin)
    return (
        parts.scheme in ("http", "https")
        and bool(parts.netloc)
        and host is not None
        and parts.netloc.lower() == host.lower()
    )


async def read_json(request: web.Request, limit: int) -> dict[str, Any]:
    """The request's JSON object, refusing more than ``limit`` bytes (413) before reading
    them all, and anything that is not a JSON object (400)."""
    if request.content_length is not None and request.content_length > limit:
        _too_large(limit, request.content_length)
    data = bytearray()
    while len(data) <= limit:
        chunk = await request.content.read(limit + 1 - len(data))
        if not chunk:
            break
        data += chunk
    if len(data) > limit:
        _too_large(limit, len(data))
    try:
        body = json.loads(data.decode("utf-8")) if data else {}
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError; deep nesting
        fail(web.HTTPBadRequest, "bad_json")
    if not isinstance(body, dict):
        fail(web.HTTPBadRequest, "bad_json")
    return body


def _too_large(limit: int, size: int) -> NoReturn:
    raise web.HTTPRequestEntityTooLarge(
        limit,
        size,
        text=json.dumps({"error": "too_large"}),
        content_type="application/json",
    )


def client_address(request: web.Request, header: str) -> str:
    """The client's address, for hashing: the last hop of ``header`` (set by the reverse
    proxy in front of Lotsen) when configured, else the peer's address."""
    if header:
        forwarded = request.headers.get(header, "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1]
    return request.remote or ""
