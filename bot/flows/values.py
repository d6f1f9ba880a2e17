"""Plain values out of parsed YAML, forgiving: a value of the wrong shape reads as empty,
because the schema has already reported it where it is written.

    mapping({"a": 1}) == {"a": 1};  mapping([1]) == {}
    items([1, 2]) == [1, 2];        items("x") == ()
    texts("akut") == ("akut",);     texts(["akut", 3]) == ("akut",)
    text_of("") is None;            sets_of({"age": "child", "n": 3}) == {"age": "child"}
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


def mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def items(value: Any) -> Iterable[Any]:
    return value if isinstance(value, list) else ()


def texts(value: Any) -> tuple[str, ...]:
    """A text or a list of texts, as a tuple of the texts; an item ``{text: ..., web: ...}``
    counts as its ``text``."""
    if isinstance(value, str | Mapping):
        value = [value]
    if isinstance(value, list):
        return tuple(t for t in (_text_of_item(v) for v in value) if t is not None)
    return ()


def web_texts(value: Any) -> dict[int, str]:
    """The ``web:`` wordings of a text or list of texts, by the index of the text they
    replace."""
    if isinstance(value, Mapping):
        value = [value]
    if not isinstance(value, list):
        return {}
    found: dict[int, str] = {}
    for index, item in enumerate(t for t in value if _text_of_item(t) is not None):
        web = item.get("web") if isinstance(item, Mapping) else None
        if isinstance(web, str) and web:
            found[index] = web
    return found


def _text_of_item(item: Any) -> str | None:
    if isinstance(item, str):
        return item
    if isinstance(item, Mapping) and isinstance(item.get("text"), str):
        return str(item["text"])
    return None


def text_of(value: Any) -> str | None:
    """A text, or None for an empty one or none."""
    return value if isinstance(value, str) and value else None


def sets_of(value: Any) -> dict[str, str]:
    """The ``variable: value`` pairs of a ``set:``."""
    if not isinstance(value, Mapping):
        return {}
    return {str(k): str(v) for k, v in value.items() if isinstance(v, str)}
