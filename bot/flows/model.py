"""The content model: what a loaded, validated pack looks like to the engine.

Everything here is immutable and plain data. The loader (``bot.pack.loader``) builds it
from YAML; the engine (``bot.engine``) reads it; nothing here does any I/O.

Step references are strings ``"flow.step"``: ``"social.intro"`` is the step ``intro`` of the
flow in ``content/flows/social.yaml``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from string import Formatter
from typing import TYPE_CHECKING, Any, TypeVar, cast

from bot.flows.kinds import kind_of
from bot.flows.ways import Ask, Option, Way
from bot.source.position import Position

if TYPE_CHECKING:  # only a type here: the directory's loader builds it
    from bot.directory.model import Directory

T = TypeVar("T")
_UNMADE = object()  # Content.kept: nothing kept yet under a key (None or "" may be kept)

# `resume` goes back like `back`, labelled "go on where I was": the button of a concern step.
NAVIGATION_ACTIONS = ("emergency", "back", "menu", "forget", "resume")
# A word list (emergency words, an ask's keywords) is one msgid, its words joined by ";", so a
# translator writes the words people type in their language, as .desktop files do Keywords.
WORD_SEPARATOR = ";"


def join_words(words: tuple[str, ...] | list[str]) -> str:
    """The msgid of a word list: ``["akut", "i fara"]`` -> ``"akut;i fara"``."""
    return WORD_SEPARATOR.join(words)


def placeholders(text: str) -> set[str]:
    """The ``{names}`` a text fills in: ``"Du bor i {kommun}."`` -> ``{"kommun"}``."""
    if "{" not in text:  # most texts: a search in C instead of a Formatter
        return set()
    try:
        return {name for _, name, _, _ in Formatter().parse(text) if name}
    except ValueError:
        return set()


@lru_cache(maxsize=4096)
def split_words(text: str) -> tuple[str, ...]:
    """A translated word list back into words, blanks dropped (content strings only: typed
    text never comes here, so the cache holds nothing a person wrote)."""
    return tuple(word.strip() for word in text.split(WORD_SEPARATOR) if word.strip())


@dataclass(frozen=True)
class ServiceQuery:
    """A directory step: services on ``topics`` for the municipality in variable ``area``
    (local first, then county, then national), and the services named in ``include``."""

    topics: tuple[str, ...] = ()
    area: str = "municipality"
    include: tuple[str, ...] = ()
    local: bool = False  # only the municipality's and county's services, no national ones
    otherwise: str | None = None  # a msgid: said when no local service is on the first topic


@dataclass(frozen=True)
class Step:
    """One step of a flow.

    A step says zero or more messages (``say``, msgids), may show contact cards, and then
    has one way on (``way``, of a kind in ``bot.flows.ways``): ``Options`` (buttons), ``Ask``
    (free text, buttons allowed beside it), ``Next`` (continue at once to another step), or
    ``End``.
    """

    ref: str
    way: Way
    say: tuple[str, ...] = ()
    # The web page's own wording of ``say[i]``, for a text that names a place on the screen
    # ("the 112 button under my answers" is at the top of the web page).
    web_say: Mapping[int, str] = field(default_factory=dict)
    contacts: tuple[str, ...] = ()
    sets: Mapping[str, str] = field(default_factory=dict)
    languages: bool = False  # also show the language buttons (a "choose your language" step)
    services: ServiceQuery | None = None  # show the directory's services for these topics
    navigation: tuple[str, ...] = ()  # navigation buttons shown here beside the pack's own
    note: str | None = None
    position: Position | None = None

    @property
    def flow(self) -> str:
        return self.ref.split(".", 1)[0]

    @property
    def texts_said(self) -> tuple[str, ...]:
        """Every text it may say, on any channel: ``say``, the web page's wordings, and what
        a directory step says when nothing local is found."""
        otherwise = self.services.otherwise if self.services is not None else None
        return (*self.say, *self.web_say.values(), *((otherwise,) if otherwise else ()))

    @property
    def id(self) -> str:
        return self.ref.split(".", 1)[1]

    # Cached: the engine reads these on every turn, and a step never changes.
    @cached_property
    def options(self) -> tuple[Option, ...]:
        """The content buttons of its way on (an ``ask`` may show some beside the question)."""
        return kind_of(self.way).buttons(self.way)

    @cached_property
    def next(self) -> str | None:
        """The step it continues to at once, without waiting; None where it rests."""
        return kind_of(self.way).goes_on(self.way)

    @property
    def ask(self) -> Ask | None:
        """Its question, when its way on is one."""
        return self.way if isinstance(self.way, Ask) else None

    @property
    def rests(self) -> bool:
        """Whether the conversation waits here for the person (not an auto-continue)."""
        return self.next is None


@dataclass(frozen=True)
class Flow:
    id: str
    title: str
    start: str
    steps: Mapping[str, Step]
    file: str


@dataclass(frozen=True)
class Concern:
    """Alarming words that are not an emergency by themselves (a weapon, a journey to a war,
    thoughts of suicide). Typed anywhere, even inside an answer, they lead first to ``step``:
    a calm reply that says what to do now, then the way on to where the person was."""

    kind: str
    step: str
    words: tuple[str, ...]
    position: Position | None = None


@dataclass(frozen=True)
class Language:
    """A language a person can choose, named in that language (``ar`` -> ``العربية``)."""

    code: str
    name: str
    rtl: bool = False


@dataclass(frozen=True)
class Content:
    """A whole content pack, loaded and validated. ``version`` is a hash of its files."""

    id: str
    source_language: str
    version: str
    start: str
    menu: str
    emergency: str
    privacy: str
    help: str
    navigation: tuple[str, ...]
    triggers: Mapping[str, tuple[str, ...]]
    texts: Mapping[str, str]
    flows: Mapping[str, Flow]
    steps: Mapping[str, Step]
    languages: tuple[Language, ...]
    moved: Mapping[str, str] = field(default_factory=dict)
    stale_after_days: int = 365
    # Reviewed translations, language code -> msgid -> text; the engine reads word lists and
    # labels from them so that typed words work in every language.
    translations: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    directory: Directory | None = None
    concerns: tuple[Concern, ...] = ()  # in the pack's order: the first that matches wins
    # What the channels and the engine work out from the pack on first use and then reuse
    # (a step's buttons, the web page's words per language): the pack never changes, so
    # neither do they, and they live and die with it. Not part of what the pack is.
    # (init=False: ``dataclasses.replace`` makes a new pack, and it starts with nothing.)
    derived: dict[tuple[str, ...], Any] = field(
        default_factory=dict, init=False, compare=False, repr=False
    )

    def kept(self, key: tuple[str, ...], make: Callable[[], T]) -> T:
        """What ``make()`` gives, made on first use and kept in ``derived`` under ``key``:
        for what is the same on every turn given the pack (the key names everything else it
        depends on, such as a language)."""
        found = self.derived.get(key, _UNMADE)
        if found is _UNMADE:
            found = self.derived[key] = make()
        return cast("T", found)


# The interface texts every pack defines in `texts:` of lotsen.yaml, and what each is for.
REQUIRED_TEXTS: Mapping[str, str] = {
    "not_understood": "typed text that matches nothing; the current buttons follow",
    "unsupported": "a photo, voice note, sticker or file: say that only text and buttons are read",
    "unknown_command": "a /command the bot does not know; may use {commands}",
    "stale_button": "a button from an older message; the current step follows",
    "restarted": "the content changed and the step the person was on is gone",
    "forgotten": "everything about the person has been deleted",
    "choose_language": "asks the person to pick a language",
    "language_unavailable": (
        "/language with a language Lotsen does not offer (yet); the language buttons follow"
    ),
    "nav_emergency": "label of the emergency button under every step",
    "nav_back": "label of the back button",
    "nav_menu": "label of the main menu button",
    "nav_forget": "label of the button that deletes the conversation",
    "nav_resume": "label of the button on a concern step that goes on where the person was",
    "unverified_contact": "a contact whose details are too old to show as fact; may use {web}",
    "can_type": "under a question's buttons: the person may also type an answer",
    "card_phone": "label of a contact's phone number",
    "card_email": "label of a contact's e-mail address",
    "card_web": "label of a contact's web site",
    "card_hours": "label of a contact's opening hours",
    "card_source": "where a contact's facts come from; uses {source} and {date} (last checked)",
    "web_title": "web chat: the page's title, shown in the browser's tab",
    "web_quick_exit": "web chat: the quick exit button that leaves the page at once",
    "web_quick_exit_help": "web chat: shown once, what the quick exit does and does not do",
    "web_quick_exit_keys": (
        "web chat: after that explanation, on a computer only: Shift pressed three times"
        " also leaves"
    ),
    "web_quick_exit_two_more": (
        "web chat: read by screen readers after Shift is pressed once: two more times to leave"
    ),
    "web_quick_exit_one_more": (
        "web chat: read by screen readers after Shift is pressed twice: one more time to leave"
    ),
    "web_quick_exit_ok": "web chat: the button that closes that explanation",
    "web_emergency": "web chat: the always visible link that calls 112",
    "web_language": "web chat: label of the language menu",
    "web_input_label": "web chat: label of the text box, read by screen readers",
    "web_placeholder": "web chat: placeholder in the empty text box",
    "web_send": "web chat: the send button",
    "web_privacy": "web chat: the short privacy note under the chat",
    "web_error": "web chat: something went wrong; try again",
    "web_slow_down": "web chat: too many messages at once; wait a moment",
    "web_retry": "web chat: the button beside an error that sends the last message again",
    "web_you": "web chat: names the person's own messages, for screen readers",
    "web_bot": "web chat: names Lotsen's messages, for screen readers",
    "private_only": "Telegram: a group chat or channel; the bot reads text and buttons in private",
    "command_start": "Telegram's command menu: what /start does",
    "command_menu": "Telegram's command menu: what /menu does",
    "command_112": "Telegram's command menu: what /112 does",
    "command_back": "Telegram's command menu: what /back does",
    "command_language": "Telegram's command menu: what /language does",
    "command_help": "Telegram's command menu: what /help does",
    "command_privacy": "Telegram's command menu: what /privacy does",
    "command_forget": "Telegram's command menu: what /forget does",
    "whatsapp_choose": "WhatsApp: the button that opens a list of choices (at most 20 characters)",
    "whatsapp_more": "WhatsApp: the list row that shows the next choices (at most 24 characters)",
    "whatsapp_page": "WhatsApp: above the next choices of a long list; uses {page} and {pages}",
    "whatsapp_forgotten": (
        "WhatsApp, after a forget: the messages stay on the phone until the person clears the "
        "chat, and how"
    ),
    "choose_municipality": "several municipalities fit what was typed; their buttons follow",
    "open_until": "a service is open now; uses {time}, when it closes",
    "open_always": "a service is open around the clock",
    "open_all_day": "in a service's hours: open the whole of these days (after the days)",
    "closed_holidays": "in a service's hours, after the days and times: closed on public holidays",
    "closed_until": "a service is closed now; uses {day} and {time}, when it opens next",
}
