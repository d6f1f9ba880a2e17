"""What a chat app with little room can show, and the validator's rule for it.

WhatsApp's interactive messages are the tightest: three reply buttons of at most 20
characters, or a list of at most 10 rows whose titles hold 24 characters (and a description
72). The WhatsApp channel renders within :data:`WHATSAPP`; :func:`check_chat_limits` tells an
editor or translator, per language, where a label will not fit:

- a label longer than a list row's title without a ``short:`` label is shown cut short (the
  whole label then goes in the row's description, cut at 72);
- a ``short:`` label longer than a row's title cannot be shown at all (an error);
- two options of one step with the same short label cannot be told apart;
- a navigation label longer than a row's title is cut short;
- a step whose navigation buttons leave no room on a list page for options and "more".
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date

from bot.flows.model import NAVIGATION_ACTIONS, Content
from bot.pack.sources import SourceMap
from bot.pack.word_rules import languages
from bot.source.problems import Problem


@dataclass(frozen=True)
class ChatLimits:
    """One platform's limits on interactive messages, in characters."""

    name: str
    buttons: int  # reply buttons on one message
    button_title: int
    rows: int  # rows of one list, over all its sections
    row_title: int
    row_description: int
    list_button: int  # the button that opens the list
    body: int  # the text of an interactive message
    text: int  # a plain text message


WHATSAPP = ChatLimits(
    name="WhatsApp",
    buttons=3,
    button_title=20,
    rows=10,
    row_title=24,
    row_description=72,
    list_button=20,
    body=1024,
    text=4096,
)


def check_chat_limits(
    content: Content, sources: SourceMap, today: date | None
) -> Iterator[Problem]:
    limits = WHATSAPP
    for locale in languages(content):
        read = _reader(content.translations.get(locale or "", {}))
        name = locale or content.source_language

        for ref, step in content.steps.items():
            shorts: dict[str, int] = {}
            for index, option in enumerate(step.options):
                label = read(option.label)
                if option.short is None:
                    if len(label) > limits.row_title:
                        yield Problem.at(
                            sources.step(ref, "options", index, "label"),
                            "warning",
                            "label-too-long",
                            f"`{label}` ({name}) has {len(label)} characters; {limits.name} "
                            f"shows {limits.row_title} in a list, so it is cut short. Give the "
                            f"option a `short:` label of at most {limits.button_title}",
                        )
                    continue
                short = read(option.short)
                where = sources.step(ref, "options", index, "short")
                if len(short) > limits.row_title:
                    yield Problem.at(
                        where,
                        "error",
                        "short-label-too-long",
                        f"the short label `{short}` ({name}) has {len(short)} characters; "
                        f"{limits.name} shows at most {limits.row_title} (and "
                        f"{limits.button_title} on a button)",
                    )
                if short in shorts:
                    yield Problem.at(
                        where,
                        "warning",
                        "short-labels-alike",
                        f"options {shorts[short] + 1} and {index + 1} of this step have the same "
                        f"short label `{short}` ({name}): on {limits.name} they look the same",
                    )
                shorts.setdefault(short, index)
            if locale is None and len(_navigation(content, step.navigation)) + 2 > limits.rows:
                yield Problem.at(
                    sources.step_key(ref),
                    "error",
                    "too-many-buttons",
                    f"the navigation buttons leave no room on a {limits.name} list of "
                    f"{limits.rows} rows for an option and 'more'",
                )
        yield from _interface(content, sources, read, name, limits)


def _reader(catalog: Mapping[str, str]) -> Callable[[str], str]:
    """A msgid as the language's readers see it (the source text where untranslated)."""
    return lambda msgid: catalog.get(msgid) or msgid


def _navigation(content: Content, own: tuple[str, ...]) -> set[str]:
    """The navigation buttons a step can show: the pack's and its own."""
    return {action for action in (*content.navigation, *own) if action in NAVIGATION_ACTIONS}


def _interface(
    content: Content,
    sources: SourceMap,
    read: Callable[[str], str],
    name: str,
    limits: ChatLimits,
) -> Iterator[Problem]:
    """Navigation labels and the list's own words."""
    sized = {f"nav_{action}": limits.row_title for action in NAVIGATION_ACTIONS}
    sized |= {"whatsapp_more": limits.row_title, "whatsapp_choose": limits.list_button}
    for key, limit in sized.items():
        msgid = content.texts.get(key)
        if msgid is None:
            continue
        shown = read(msgid)
        if len(shown) > limit:
            yield Problem.at(
                sources.in_pack("texts", key),
                "warning",
                "label-too-long",
                f"`{shown}` ({name}) has {len(shown)} characters; {limits.name} shows at most "
                f"{limit} here, so it is cut short",
            )
