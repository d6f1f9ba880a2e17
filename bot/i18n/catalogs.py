"""Reading the translators' PO catalogs straight into memory, with their coverage.

Catalogs are read from the ``.po`` files themselves, so there is nothing to compile and
nothing to forget: a translator saves a file and the next start (or reload) uses it. Fuzzy
and empty translations are skipped, so a person sees the source text, never an empty message.

A catalog is read through :mod:`bot.source.files` (a regular file inside the locales folder, at
most ``MAX_CATALOG_BYTES``) and parsed strictly: a line Babel cannot read is an error with
its line number, not a warning printed to the log with the whole line in it.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import PoFileError, read_po

from bot.flows.model import placeholders
from bot.i18n.facts import SourceFacts, facts
from bot.i18n.render import key
from bot.source.files import MAX_CATALOG_BYTES, Files
from bot.source.problems import Problem
from bot.source.yamlsrc import excerpt

DOMAIN = "messages"
# In the extracted comment of every word list (bot.i18n.extract): those are not facts.
WORD_LIST_NOTE = "separated by ';'"
REVIEW_HEADER = "X-Review-Status"
NEEDS_REVIEW = "needs-native-review"  # made without a native speaker (machine-assisted, a learner)
REVIEW_STATUSES = (NEEDS_REVIEW, "reviewed")  # reviewed: a native speaker read every message
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


class CatalogCache(Protocol):
    """Where catalogs read before are kept on disk (``bot.pack.cache.PackCache``)."""

    def catalog_key(self, path: Path, code: str, digest: bytes) -> str: ...

    def get_catalog(self, key: str) -> LoadedCatalog | None: ...

    def put_catalog(self, key: str, catalog: LoadedCatalog) -> None: ...


def read_catalog(
    path: Path,
    code: str,
    files: Files | None = None,
    known: SourceFacts | None = None,
    cache: CatalogCache | None = None,
) -> LoadedCatalog:
    """The catalog at ``path``; ``files`` reads it (by default, only inside its own folder).
    ``known``: the source texts' facts, shared by the catalogs of one load. ``cache``: where
    a catalog read before from the same bytes is kept, so a process that has not read it
    (``lotsen validate``, a server's child process) need not parse it again.

    One that cannot be read or parsed comes back empty, with the problem that says why:
    `lotsen validate` names the file, nothing crashes."""
    raw = (files or Files(path.parent)).read_bytes(path, MAX_CATALOG_BYTES)
    if isinstance(raw, Problem):
        return _unreadable(path, code, raw)
    digest = hashlib.sha256(raw).digest()
    kept = _parsed.get((path, code))
    if kept is not None and kept[0] == digest:
        return kept[1]  # unchanged since the last load: a reload parses only what changed
    key = cache.catalog_key(path, code, digest) if cache is not None else ""
    loaded = cache.get_catalog(key) if cache is not None else None
    if loaded is None:
        loaded = _parse(raw, path, code, SourceFacts() if known is None else known)
        if cache is not None:
            cache.put_catalog(key, loaded)
    _parsed[path, code] = (digest, loaded)
    return loaded


# The last catalog parsed at each path, by the hash of its bytes. Babel's parser takes most
# of a reload's time (0.16 s for a catalog of 3,000 messages), and a reload after an edit
# to one flow finds every catalog unchanged. One entry per path: it never grows.
_parsed: dict[tuple[Path, str], tuple[bytes, LoadedCatalog]] = {}


def _parse(raw: bytes, path: Path, code: str, known: SourceFacts) -> LoadedCatalog:
    try:
        catalog = read_po(io.BytesIO(raw), locale=None, abort_invalid=True)
    except PoFileError as error:
        return _unreadable(path, code, _syntax(path, error))
    except (UnicodeDecodeError, LookupError):  # not UTF-8, or a charset Python does not know
        return _unreadable(
            path,
            code,
            Problem(
                str(path),
                1,
                1,
                "error",
                "encoding",
                "this file is not UTF-8 text; save it as UTF-8",
            ),
        )
    stats = _stats(catalog, code, review_status(raw))
    return LoadedCatalog(stats, _messages(catalog), path, tuple(_check(catalog, path, known)))


def _unreadable(path: Path, code: str, problem: Problem) -> LoadedCatalog:
    return LoadedCatalog(CatalogStats(code, 0, 0, 0, ""), {}, path, (problem,))


def _syntax(path: Path, error: PoFileError) -> Problem:
    # Babel's message ends in its own 0-based line number; the Problem carries the real one.
    message = str(error).rsplit(" on ", 1)[0]
    line = error.line.strip()
    quoted = f": `{excerpt(line)}`" if line else ""
    return Problem(
        str(path), error.lineno + 1, 1, "error", "po-syntax", f"{excerpt(message)}{quoted}"
    )


def review_status(po: bytes) -> str:
    """The catalog header's ``X-Review-Status`` (Babel keeps only the headers it knows)."""
    match = _REVIEW.search(po)
    return match.group(1).decode("utf-8").strip() if match else ""


def load_catalogs(
    locales: Path, files: Files | None = None, cache: CatalogCache | None = None
) -> dict[str, LoadedCatalog]:
    """Every ``<code>/LC_MESSAGES/messages.po`` under ``locales``, by language code, read by
    ``files`` (a pack's loader passes its own, to share the pack's size budget), each taken
    from ``cache`` when read there before from the same bytes."""
    found: dict[str, LoadedCatalog] = {}
    if not locales.is_dir():
        return found
    reader = files or Files(locales)
    known = SourceFacts()
    for path in sorted(locales.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        code = path.parent.parent.name
        found[code] = read_catalog(path, code, reader, known, cache)
    return found


def _is_real(message_id: object) -> bool:
    return isinstance(message_id, str) and message_id != ""


def _messages(catalog: Catalog) -> dict[str, str]:
    """msgid -> msgstr; a message in a context under ``context\x04msgid`` and, for readers
    that ask by msgid alone (typed words, the validator's word rules), under its msgid too
    when no message has that msgid without a context (the first context's, then)."""
    messages: dict[str, str] = {}
    plain: dict[str, str] = {}
    for message in catalog:
        real = _is_real(message.id) and isinstance(message.string, str)
        if real and message.string and not message.fuzzy:
            msgid, text = str(message.id), str(message.string)
            if message.context:
                messages[key(msgid, str(message.context))] = text
                plain.setdefault(msgid, text)
            else:
                messages[msgid] = text
    return {**plain, **messages}


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


def _check(catalog: Catalog, path: Path, known: SourceFacts) -> Iterator[Problem]:
    """Translations whose ``{placeholders}`` differ from their msgid's: at run time such a
    text would show a raw ``{name}`` or lose a value, so it is an error. And translations
    whose facts differ (see :mod:`bot.i18n.facts`)."""
    for message in catalog:
        if not _is_real(message.id) or not isinstance(message.string, str) or not message.string:
            continue
        yield from _check_facts(message, path, known)
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


def _check_facts(message: Message, path: Path, known: SourceFacts) -> Iterator[Problem]:
    """A number or address of the source missing from its translation is an error (a
    wrong phone number, wrong hours); one the translation adds is a warning. Word lists
    are what people type, not facts, and are not compared."""
    if WORD_LIST_NOTE in " ".join(message.auto_comments):  # wrapped over lines
        return
    source = str(message.id)
    differences = known[source].differences(facts(str(message.string)))
    if not differences:
        return
    lacking = any(" missing: " in difference for difference in differences)
    level: Literal["error", "warning"] = "error" if lacking else "warning"
    yield Problem(
        str(path),
        message.lineno or 1,
        1,
        level,
        "fact-mismatch",
        f"the translation of {source[:40]!r} must state the same numbers and addresses as "
        f"the source text ({'; '.join(differences)})",
    )
