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
    """A text or a list of texts, as a tuple of the texts."""
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(v for v in value if isinstance(v, str))
    return ()


def text_of(value: Any) -> str | None:
    """A text, or None for an empty one or none."""
    return value if isinstance(value, str) and value else None


def sets_of(value: Any) -> dict[str, str]:
    """The ``variable: value`` pairs of a ``set:``."""
    if not isinstance(value, Mapping):
        return {}
    return {str(k): str(v) for k, v in value.items() if isinstance(v, str)}
