"""A translator for one person's locale, falling back along ``ar_SE`` -> ``ar`` -> source."""

from __future__ import annotations

from collections.abc import Mapping

from bot.engine.locales import fallback_chain


class CatalogTranslator:
    """gettext over catalogs tried in order; a msgid none of them has is its own text."""

    def __init__(self, catalogs: list[Mapping[str, str]]) -> None:
        self._catalogs = catalogs

    def gettext(self, message: str) -> str:
        for catalog in self._catalogs:
            text = catalog.get(message)
            if text:
                return text
        return message


def translator_for(
    translations: Mapping[str, Mapping[str, str]], locale: str | None
) -> CatalogTranslator:
    """The translator for ``locale`` from ``translations`` (code -> msgid -> msgstr)."""
    chain = fallback_chain(locale) if locale else []
    return CatalogTranslator([translations[code] for code in chain if code in translations])
