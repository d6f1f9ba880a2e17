"""Every kind of way on from a step, described once, in the table :data:`KINDS`.

The loader, the validator, the engine, the renderer, the diagrams and the extractor look a
step's kind up here instead of testing its fields::

    kind = kind_of(step.way)
    kind.key                  # "ask": the YAML key that writes it
    kind.exits(step.way)      # where it leads, and what takes the person there
    kind.buttons(step.way)    # the content buttons it shows
    kind.goes_on(step.way)    # the step it continues to at once (a `next`), else None

How typed text answers a kind is the engine's: its table is ``bot.engine.answers.ANSWERS``.
docs/content-format.md says how to add a kind.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from bot.flows.values import items, mapping, texts
from bot.flows.ways import Ask, Condition, End, Next, NumberRange, Option, Options, Way
from bot.source.position import Position

W = TypeVar("W")

SHORT_LABEL_NOTE = (
    "the button's short label, where a chat app shows only a few characters (WhatsApp: "
    "at most 20 on a button, 24 in a list). Say the same as the label, shorter."
)


@dataclass(frozen=True)
class Exit:
    """Where a way on leads, and what takes the person there (``kind``: option, ask,
    otherwise or next, which is how a diagram draws it)."""

    target: str
    kind: str
    label: str = ""
    when: tuple[Condition, ...] = ()


@dataclass(frozen=True)
class Wording:
    """A text a kind shows or matches, for the translators: where in the step it is written
    and what it is. A tuple is a word list, translated as one message."""

    path: tuple[str | int, ...]
    text: str | tuple[str, ...]
    what: str
    note: str | None = None


class Reading(Protocol):
    """What a kind reads a step's YAML with; the loader gives it."""

    def target(self, raw: Any, *path: str | int) -> str | None:
        """``raw`` as a full step reference (an unknown one is reported at ``path``)."""

    def at(self, *path: str | int) -> Position:
        """Where ``path`` inside the step is written."""

    @property
    def buttons(self) -> tuple[Option, ...]:
        """The step's ``options``, read once for every kind that shows them."""


def _no_buttons(way: object) -> tuple[Option, ...]:
    return ()


def _stays(way: object) -> str | None:
    return None


def _no_texts(value: object) -> Iterator[Wording]:
    return iter(())


@dataclass(frozen=True)
class Kind(Generic[W]):
    """One kind of way on. ``read`` and ``texts`` take the YAML value under ``key``;
    ``read`` returns None when the step does not have it."""

    key: str
    choice: str  # how a problem names it among the valid ways on: "an `ask`"
    conflict: str  # why nothing else may be written beside it, when it is the one kept
    read: Callable[[Any, Reading], W | None]
    exits: Callable[[W], tuple[Exit, ...]]
    buttons: Callable[[W], tuple[Option, ...]] = _no_buttons
    goes_on: Callable[[W], str | None] = _stays  # where it continues at once, without waiting
    texts: Callable[[Any], Iterator[Wording]] = _no_texts
    beside: tuple[str, ...] = ()  # keys of other kinds written with it as its parts
    conflict_at: str | None = None  # the key whose value a conflict is reported at; None: the id


# --- options -------------------------------------------------------------------------------


def _read_options(value: Any, reading: Reading) -> Options | None:
    return Options(reading.buttons) if reading.buttons else None


def _option_exits(options: tuple[Option, ...]) -> tuple[Exit, ...]:
    return tuple(Exit(option.goto, "option", option.label, option.when) for option in options)


def _label_texts(value: Any) -> Iterator[Wording]:
    for index, option in enumerate(items(value)):
        label, note = mapping(option).get("label"), mapping(option).get("note")
        if isinstance(label, str):
            own = note if isinstance(note, str) else None
            yield Wording(("options", index, "label"), label, "a button. Keep it short.", own)
        short = mapping(option).get("short")
        if isinstance(short, str):
            yield Wording(("options", index, "short"), short, SHORT_LABEL_NOTE, own)


# --- ask -----------------------------------------------------------------------------------


def _read_ask(value: Any, reading: Reading) -> Ask | None:
    if not isinstance(value, Mapping):
        return None
    return Ask(
        store=str(value.get("store", "")),
        goto=reading.target(value.get("goto"), "ask", "goto") or "",
        keywords={str(k): texts(v) for k, v in mapping(value.get("keywords")).items()},
        number=tuple(_number_range(mapping(item)) for item in items(value.get("number"))),
        municipality=value.get("municipality") is True,
        otherwise=reading.target(value.get("otherwise"), "ask", "otherwise"),
        once=value.get("once") is True,
        options=reading.buttons,
        position=reading.at("ask"),
    )


def _number_range(item: Mapping[str, Any]) -> NumberRange:
    below = item.get("below")
    whole = isinstance(below, int) and not isinstance(below, bool)
    return NumberRange(str(item.get("value", "")), below if whole else None)


def _ask_exits(ask: Ask) -> tuple[Exit, ...]:
    typed = Exit(ask.goto, "ask", f"typed: {ask.store}")
    if not ask.otherwise:
        return (*_option_exits(ask.options), typed)
    otherwise = Exit(ask.otherwise, "otherwise", "typed: not understood")
    return (*_option_exits(ask.options), typed, otherwise)


def _keyword_texts(value: Any) -> Iterator[Wording]:
    for meaning, words in mapping(mapping(value).get("keywords")).items():
        if isinstance(words, list) and words:
            what = f"typed words that mean `{meaning}`."
            yield Wording(("ask", "keywords", meaning), tuple(words), what)


# --- end and next --------------------------------------------------------------------------


def _read_end(value: Any, reading: Reading) -> End | None:
    return End() if value is True else None


def _read_next(value: Any, reading: Reading) -> Next | None:
    goto = reading.target(value, "next")
    return Next(goto) if goto else None


# In the order of precedence, lowest first: when a step is given several ways on, the last
# one is kept (`next` continues at once whatever else is written) and reports the others.
KINDS: Mapping[type[Any], Kind[Any]] = {
    Options: Kind[Options](
        key="options",
        choice="`options`",
        conflict="a step with `options` waits for a button",
        read=_read_options,
        exits=lambda way: _option_exits(way.options),
        buttons=lambda way: way.options,
        texts=_label_texts,
    ),
    Ask: Kind[Ask](
        key="ask",
        choice="an `ask`",
        conflict="a step with an `ask` waits for an answer",
        read=_read_ask,
        exits=_ask_exits,
        buttons=lambda way: way.options,
        texts=_keyword_texts,
        beside=("options",),
    ),
    End: Kind[End](
        key="end",
        choice="`end: true`",
        conflict="an `end` step shows only the navigation buttons",
        read=_read_end,
        exits=lambda way: (),
    ),
    Next: Kind[Next](
        key="next",
        choice="a `next`",
        conflict="a step with `next` continues at once",
        read=_read_next,
        exits=lambda way: (Exit(way.goto, "next"),),
        goes_on=lambda way: way.goto,
        conflict_at="next",
    ),
}


def kind_of(way: Way) -> Kind[Any]:
    return KINDS[type(way)]


def choices() -> str:
    """The valid ways on, for a problem: "`options`, an `ask` (...), `end: true`, or a
    `next`"."""
    named = [
        kind.choice + "".join(f" (`{key}` allowed beside it)" for key in kind.beside)
        for kind in KINDS.values()
    ]
    return ", ".join(named[:-1]) + f", or {named[-1]}"
