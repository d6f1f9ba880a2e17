"""Choosing a language the content has for what a platform says the person speaks."""

from __future__ import annotations

from collections.abc import Sequence

from bot.flows.model import Content

_MAX_CANDIDATES = 10  # of an Accept-Language header; nobody lists more in earnest


def _key(code: str) -> str:
    return code.strip().replace("-", "_").lower()


def _candidates(hint: str) -> list[str]:
    # "ar-SE,ar;q=0.9,en;q=0.8" -> ["ar-SE", "ar", "en"], by quality, stable; "ar_SE" -> ["ar_SE"]
    weighted: list[tuple[float, str]] = []
    for part in hint.split(",")[:_MAX_CANDIDATES]:
        code, _, params = part.partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if code.strip() and code.strip() != "*" and quality > 0:
            weighted.append((-quality, code.strip()))
    return [code for _, code in sorted(weighted, key=lambda pair: pair[0])]


def available(content: Content) -> Sequence[str]:
    """Every language code a person can choose: the content's, and its source language."""
    codes = [language.code for language in content.languages]
    return codes if content.source_language in codes else [*codes, content.source_language]


def negotiate(content: Content, hint: str | None) -> str | None:
    """The content's language code for ``hint``, or None.

    An exact code wins (``ar_SE``), then the hint's language part (``ar_SE`` -> ``ar``), then a
    code with the same language part (``pt_PT`` -> ``pt_BR``). Case and ``-``/``_`` do not
    matter; ``hint`` may be an Accept-Language header.
    """
    if not hint:
        return None
    codes = {_key(code): code for code in available(content)}
    by_language: dict[str, str] = {}
    for key, code in codes.items():
        by_language.setdefault(key.split("_", 1)[0], code)
    for candidate in _candidates(hint):
        key = _key(candidate)
        language = key.split("_", 1)[0]
        found = codes.get(key) or codes.get(language) or by_language.get(language)
        if found:
            return found
    return None


def fallback_chain(locale: str) -> list[str]:
    """Catalogs to try for ``locale``: ``ar_SE`` -> ``["ar_SE", "ar"]``; ``sv`` -> ``["sv"]``."""
    code = locale.strip().replace("-", "_")
    chain = [code]
    if "_" in code:
        chain.append(code.split("_", 1)[0])
    return chain
