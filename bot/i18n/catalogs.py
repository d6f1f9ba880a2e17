"""Reading the translators' PO catalogs straight into memory, with their coverage.

Catalogs are read from the ``.po`` files themselves, so there is nothing to compile and
nothing to forget: a translator saves a file and the next start (or reload) uses it. Fuzzy
and empty translations are skipped, so a person sees the source text, never an empty message.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from bot.flows.model import placeholders
from bot.flows.problems import Problem

DOMAIN = "messages"
REVIEW_HEADER = "X-Review-Status"
_REVIEW = re.compile(rb'^"X-Review-Status:([^"\\]*)', re.MULTILINE)


@dataclass(frozen=True)
class CatalogStats:
    """How far a language's catalog is: counts of translated, fuzzy and untranslated."""

    code: str
    translated: int
    fuzzy: int
    untranslated: int
    review: str

    @property
    def total(self) -> int:
        return self.translated + self.fuzzy + self.untranslated

    @property
    def coverage(self) -> float:
        """Percent of messages with a reviewed (not fuzzy) translation."""
        return 100.0 * self.translated / self.total if self.total else 0.0


@dataclass(frozen=True)
class LoadedCatalog:
    stats: CatalogStats
    messages: Mapping[str, str]  # msgid -> msgstr, translated and not fuzzy only
    path: Path
    problems: tuple[Problem, ...] = ()


def catalog_path(locales: Path, code: str) -> Path:
    return locales / code / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_catalog(path: Path, code: str) -> LoadedCatalog:
    raw = path.read_bytes()
    catalog = read_po(io.BytesIO(raw), locale=None, abort_invalid=False)
    stats = _stats(catalog, code, review_status(raw))
    return LoadedCatalog(stats, _messages(catalog), path, tuple(_check(catalog, path)))


def review_status(po: bytes) -> str:
    """The catalog header's ``X-Review-Status`` (Babel keeps only the headers it knows)."""
    match = _REVIEW.search(po)
    return match.group(1).decode("utf-8").strip() if match else ""


def load_catalogs(locales: Path) -> dict[str, LoadedCatalog]:
    """Every ``<code>/LC_MESSAGES/messages.po`` under ``locales``, by language code."""
    found: dict[str, LoadedCatalog] = {}
    if not locales.is_dir():
        return found
    for path in sorted(locales.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        code = path.parent.parent.name
        found[code] = read_catalog(path, code)
    return found


def _is_real(message_id: object) -> bool:
    return isinstance(message_id, str) and message_id != ""


def _messages(catalog: Catalog) -> dict[str, str]:
    messages: dict[str, str] = {}
    for message in catalog:
        real = _is_real(message.id) and isinstance(message.string, str)
        if real and message.string and not message.fuzzy:
            messages[str(message.id)] = str(message.string)
    return messages


def _stats(catalog: Catalog, code: str, review: str) -> CatalogStats:
    translated = fuzzy = untranslated = 0
    for message in catalog:
        if not _is_real(message.id):
            continue
        if message.fuzzy and message.string:
            fuzzy += 1
        elif message.string:
            translated += 1
        else:
            untranslated += 1
    return CatalogStats(code, translated, fuzzy, untranslated, review)


def _check(catalog: Catalog, path: Path) -> Iterator[Problem]:
    """Translations whose ``{placeholders}`` differ from their msgid's: at run time such a
    text would show a raw ``{name}`` or lose a value, so it is an error."""
    for message in catalog:
        if not _is_real(message.id) or not isinstance(message.string, str) or not message.string:
            continue
        wanted, found = placeholders(str(message.id)), placeholders(message.string)
        if wanted != found:
            names = ", ".join(f"{{{name}}}" for name in sorted(wanted)) or "none"
            yield Problem(
                str(path),
                message.lineno or 1,
                1,
                "error",
                "placeholder-mismatch",
                f"the translation of {str(message.id)[:40]!r} must use the same placeholders "
                f"as the source text: {names}",
            )
