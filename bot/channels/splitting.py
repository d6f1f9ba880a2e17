"""Cutting text into messages a platform accepts, at the most natural place that fits.

    pieces = list(fit(paragraph, measure, 4096))    # lines, then words, then hard cuts
    messages = pack(blocks, measure, 4096, "\n\n")   # as few messages as hold the blocks

``measure`` is the platform's own count of a piece as it will be sent: Telegram counts UTF-16
code units of escaped HTML, WhatsApp characters. It must add up: the measure of a text is
the sum of its characters' measures (a hard cut relies on it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

Measure = Callable[[str], int]


def pack(blocks: Sequence[str], measure: Measure, limit: int, joint: str) -> list[str]:
    """``blocks`` (each within ``limit``) joined by ``joint`` into as few messages as fit."""
    messages: list[str] = []
    for block in blocks:
        joined = f"{messages[-1]}{joint}{block}" if messages else block
        if messages and measure(joined) <= limit:
            messages[-1] = joined
        else:
            messages.append(block)
    return messages


def fit(text: str, measure: Measure, limit: int) -> Iterator[str]:
    """Pieces of ``text`` within ``limit``: whole lines where possible, then whole words,
    then hard cuts (a 5000-letter word is not a word)."""
    if measure(text) <= limit:
        yield text
        return
    for separator in ("\n", " "):
        if separator in text:
            yield from _join(text.split(separator), separator, measure, limit)
            return
    yield from _cut(text, measure, limit)


def _join(pieces: list[str], separator: str, measure: Measure, limit: int) -> Iterator[str]:
    current = ""
    for piece in pieces:
        candidate = f"{current}{separator}{piece}" if current else piece
        if measure(candidate) <= limit:
            current = candidate
            continue
        if current:
            yield current
        if measure(piece) <= limit:
            current = piece
        else:
            yield from fit(piece, measure, limit)
            current = ""
    if current:
        yield current


def _cut(text: str, measure: Measure, limit: int) -> Iterator[str]:
    piece: list[str] = []
    size = 0
    for char in text:
        cost = measure(char)
        if size + cost > limit and piece:
            yield "".join(piece)
            piece, size = [], 0
        piece.append(char)
        size += cost
    if piece:
        yield "".join(piece)


def shorten(text: str, limit: int, ellipsis: str = "…") -> str:
    """``text`` in at most ``limit`` characters: cut at a word where one ends late enough,
    with ``ellipsis`` to show something is missing."""
    if len(text) <= limit:
        return text
    room = max(limit - len(ellipsis), 1)
    head = text[:room]
    space = head.rfind(" ")
    if space >= room // 2:
        head = head[:space]
    return head.rstrip(" ,.;:-\u2013") + ellipsis
