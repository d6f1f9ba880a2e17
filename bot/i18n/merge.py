"""Merging the template into a catalog, so that it round-trips and never guesses.

``pybabel update`` is not used for two reasons a translator would pay for:

- its fuzzy matching pre-fills a new text with the translation of a similar old one
  ("weekdays 9-15" for a new "Vardagar 8-16.30"); a translator who clears the flag ships a
  wrong fact. Here a new or changed text starts untranslated; the old one is kept as an
  obsolete entry (``#~``) for the translator to copy from.
- Babel reads a previous source (``#| msgid``, written by Poedit, Weblate or GNU gettext) as
  a translator comment and writes it back as ``# | msgid``, and writes a long one of its own
  wrapped like prose: every ``update`` corrupted the catalog further, and the translators'
  tools lost the previous source. Here such comments are read back into the message's
  previous source (repairing catalogs already damaged) and written the way GNU gettext
  writes them, one quoted line per ``#|`` line.

    merge_into(Path("locales/ar/LC_MESSAGES/messages.po"), template)
"""

from __future__ import annotations

import copy
import io
import re
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import normalize, read_po, unescape, write_po

WIDTH = 76  # Babel's and GNU gettext's default
_KEYWORD = re.compile(r'(msgid(?:_plural)?)\s+((?:"(?:[^"\\]|\\.)*"\s*)+)')
_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"')


def merge_into(po: Path, template: Catalog) -> None:
    """Bring the catalog at ``po`` up to ``template``: new texts untranslated, texts no
    longer used kept as obsolete entries, translations and comments of the rest untouched."""
    with po.open("rb") as source:
        catalog = read_po(source, locale=None, abort_invalid=True)
    previous = {}
    by_text: dict[object, Message] = {}  # a translation by its source text, any context
    for message in catalog:
        recover_previous(message)
        if message.previous_id:
            previous[message.id, message.context] = message.previous_id
        if message.id and message.string:
            by_text.setdefault(message.id, message)
    # A copy: Babel's update puts the template's own Message objects into the catalog, so
    # filling one would fill it in the next language's catalog too.
    in_context: set[str] = set()
    catalog.update(copy.deepcopy(template), no_fuzzy_matching=True, update_header_comment=False)
    for message in catalog:  # Babel's update keeps a message's previous source only when it
        kept = previous.get((message.id, message.context))  # guessed it; keep the rest too
        if kept and message.fuzzy:
            message.previous_id = kept
        _carry_into_context(message, by_text)
        if message.context:
            in_context.add(str(message.id))
    for msgid in in_context:  # now in its context: a context-less copy is no history to keep
        catalog.obsolete.pop(msgid, None)
    po.write_bytes(render(catalog))


def _carry_into_context(message: Message, by_text: dict[object, Message]) -> bool:
    """A text that now has a context (``flow.step``) keeps the translation it had without
    one: the same source text, so not a guess. Its review state (fuzzy) comes along. True
    when it did."""
    if not message.context or message.string:
        return False
    earlier = by_text.get(message.id)
    if earlier is None or earlier.context:
        return False
    message.string = earlier.string
    if earlier.fuzzy:
        message.flags.add("fuzzy")
    return True


def recover_previous(message: Message) -> None:
    """Move what Babel read as translator comments starting with ``|`` (a previous source,
    ``#| msgid ...``, or the ``# | msgid ...`` an older update made of one) back into
    ``message.previous_id``. Only a fuzzy message keeps one, as in GNU gettext: once a
    translation is reviewed, the source it was made for is history."""
    kept = [c for c in message.user_comments if not c.startswith("|")]
    previous = [c[1:].strip() for c in message.user_comments if c.startswith("|")]
    if not previous:
        return
    ids = [
        "".join(unescape(quoted) for quoted in _QUOTED.findall(strings))
        for _keyword, strings in _KEYWORD.findall(" ".join(previous))
    ]
    message.user_comments = kept
    message.previous_id = ids if message.fuzzy else []


def render(catalog: Catalog) -> bytes:
    """The catalog as PO text, with each message's previous source (``#|``) well formed."""
    out = io.BytesIO()
    write_po(out, catalog, width=WIDTH, include_previous=False)
    previous = [message.previous_id for message in catalog]  # in write_po's order
    lines = out.getvalue().decode("utf-8").splitlines(keepends=True)
    merged: list[str] = []
    index = -1
    for line in lines:
        if line.startswith("msgid "):  # the next message's (the first is the header's)
            index += 1
            if index < len(previous) and previous[index]:
                merged.extend(_previous_lines(previous[index]))
        merged.append(line)
    return "".join(merged).encode("utf-8")


def _previous_lines(previous: str | tuple[str, ...] | list[str]) -> list[str]:
    ids = [previous] if isinstance(previous, str) else list(previous)
    lines: list[str] = []
    for keyword, text in zip(("msgid", "msgid_plural"), ids, strict=False):
        quoted = normalize(text, width=WIDTH - len("#| ")).splitlines()
        lines.append(f"#| {keyword} {quoted[0]}\n")
        lines.extend(f"#| {part}\n" for part in quoted[1:])
    return lines
