"""Every transition rule of a conversation, in this one module.

``step(content, session, event, now)`` is a pure function: it reads no clock, file or
network, and never raises for what a person sends (an old button, garbage, a photo). It
returns the next session and the replies to send::

    turn = step(content, None, Start(locale_hint="ar_SE"), now)
    turn.session.step      # content.start
    turn.replies           # the start step's messages and buttons, as msgids

``turn.session is None`` means: forget everything about this person (``/forget``).

Typed text is matched and dropped: only the value a matcher finds is kept in the session.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import NamedTuple

from bot.engine import render, tokens, vocabulary
from bot.engine.answers import ANSWERS, Answered, Choose
from bot.engine.events import Again, Choice, Command, Event, Start, Text, Unsupported
from bot.engine.locales import negotiate
from bot.engine.matching import match_label, match_ordinal
from bot.engine.replies import Phrase, Reply
from bot.engine.session import Session
from bot.flows.model import Concern, Content, Step
from bot.flows.ways import Option

MUNICIPALITY = "municipality"  # the variable a preset municipality goes into, as an ask stores it
MAX_HOPS = 20  # of `next` in a row, and of `moved` renames: content with a loop still ends
COMMANDS = "/start /menu /back /language /help /112 /privacy /forget"
EMERGENCY_COMMANDS = frozenset({"112", "emergency", "sos"})
KNOWN_COMMANDS = EMERGENCY_COMMANDS | {
    "start",
    "menu",
    "back",
    "language",
    "help",
    "privacy",
    "forget",
}


class Turn(NamedTuple):
    """The outcome of one event: the new session (None: forget the person) and the replies."""

    session: Session | None
    replies: tuple[Reply, ...]


def step(content: Content, session: Session | None, event: Event, now: datetime) -> Turn:
    """The session and replies after ``event``, at time ``now``.

    A new person (``session`` None) or a Start begins at ``content.start``. A session from an
    older content version carries on where its step still exists (or has ``moved``), and
    otherwise restarts politely. Navigation (112, back, menu, forget) works from any step
    and from buttons of any age.
    """
    if _is_start(event):
        payload = event.payload if isinstance(event, Start) else ""
        turn = _start(content, session, event.locale_hint, now, payload)
        if (
            session is None
            and event.locale_hint is None
            and not _payload_language(content, payload)
        ):
            return _offer_languages(content, turn)
        return turn
    if session is None:
        return _first_contact(content, event, now)
    session = session.evolve(updated=now)
    if session.version != content.version or not _all_exist(content, session):
        session, restarted = _migrate(content, session)
        if restarted:
            return _begin(content, session, event, now, notes=(Reply(_text(content, "restarted")),))
    return _dispatch(content, session, event, now)


# --- starting ------------------------------------------------------------------------------


def _is_start(event: Event) -> bool:
    return isinstance(event, Start) or (
        isinstance(event, Command) and _command_name(event) == "start"
    )


def _start(
    content: Content, session: Session | None, hint: str | None, now: datetime, payload: str = ""
) -> Turn:
    fresh = _new_session(content, session, _payload_language(content, payload) or hint, now)
    preset = _preset(content, payload)
    if preset:
        fresh = fresh.evolve(variables={**fresh.variables, **preset})
    return _go(content, fresh, content.start, now, remember=False)


def _first_contact(content: Content, event: Event, now: datetime) -> Turn:
    """A person's first message that is not a Start. Where the platform tells no language
    (WhatsApp), a message that names a language ("English", "العربية") sets it; otherwise
    the languages are offered after the start step, each in its own name."""
    named = _named_language(content, event)
    fresh = _new_session(content, None, named or event.locale_hint, now)
    if named is not None:
        arrived, replies = _arrive(
            content, fresh.evolve(locale_chosen=True), content.start, now, remember=False
        )
        return Turn(arrived, replies)
    turn = _begin(content, fresh, event, now, notes=())
    return turn if event.locale_hint is not None else _offer_languages(content, turn)


def _offer_languages(content: Content, turn: Turn) -> Turn:
    """``turn`` with the languages offered after its replies, each in its own name: for a
    new person whose platform tells no language."""
    if turn.session is None or len(content.languages) < 2:
        return turn
    if turn.replies and any(b.kind == "language" for b in turn.replies[-1].buttons):
        return turn  # the step offers them itself
    offer = Reply(_text(content, "choose_language"), buttons=render.language_buttons(content))
    return Turn(turn.session, (*turn.replies, offer))


def _named_language(content: Content, event: Event) -> str | None:
    """The language a typed message names, whole: its own name or its code."""
    if not isinstance(event, Text):
        return None
    names = [name for language in content.languages for name in (language.name, language.code)]
    found = match_label(names, event.text)
    return None if found is None else content.languages[found // 2].code


def _payload_language(content: Content, payload: str) -> str | None:
    """``l-ar`` in a deep link's payload: the language the link was made for."""
    for part in payload.split("_"):
        kind, _, value = part.partition("-")
        if kind == "l" and value:
            return negotiate(content, value)
    return None


def _preset(content: Content, payload: str) -> dict[str, str]:
    """What a deep link or a web page's ``?start=`` presets: ``m-0480`` is the municipality
    Nyköping (parts are separated by ``_``: ``l-ar_m-0480``). Unknown parts are ignored."""
    preset: dict[str, str] = {}
    for part in payload.split("_"):
        kind, _, value = part.partition("-")
        if kind == "m" and content.directory is not None and value in content.directory.areas:
            preset[MUNICIPALITY] = value
    return preset


def _new_session(content: Content, old: Session | None, hint: str | None, now: datetime) -> Session:
    """A session at the start; a locale the person chose survives a restart."""
    if old is not None and old.locale_chosen and old.locale:
        locale, chosen = old.locale, True
    else:
        fallback = old.locale if old is not None and old.locale else content.source_language
        locale, chosen = negotiate(content, hint) or fallback, False
    return Session(
        step=content.start,
        version=content.version,
        started=now,
        updated=now,
        locale=locale,
        locale_chosen=chosen,
    )


def _begin(
    content: Content, session: Session, event: Event, now: datetime, notes: tuple[Reply, ...]
) -> Turn:
    """Arrive at the start; an event that works anywhere (112, a command) is then handled,
    anything else (an old option, typed text) just sees the start step."""
    arrived, replies = _arrive(content, session, content.start, now, remember=False)
    if not _works_anywhere(content, event):
        return Turn(arrived, notes + replies)
    turn = _dispatch(content, arrived, event, now)
    return turn if turn.session is None else Turn(turn.session, notes + turn.replies)


def _works_anywhere(content: Content, event: Event) -> bool:
    if isinstance(event, Command):
        return _command_name(event) in KNOWN_COMMANDS
    if isinstance(event, Choice):
        return isinstance(tokens.parse(event.token), tokens.NavToken | tokens.LanguageToken)
    if isinstance(event, Text):
        heard = vocabulary.hear(content, negotiate(content, event.locale_hint), event.text)
        return heard != vocabulary.Heard()
    return False


# --- content versions ----------------------------------------------------------------------


def _migrate(content: Content, session: Session) -> tuple[Session, bool]:
    """The session under the current content version, and whether it had to restart."""
    target = _resolve(content, session.step)
    if target is None:
        reset = session.evolve(step=content.start, back=(), variables={})
        return reset.evolve(version=content.version), True
    back: list[str] = []
    for ref in session.back:
        resolved = _resolve(content, ref)
        if resolved is not None and (not back or back[-1] != resolved):
            back.append(resolved)
    return session.evolve(step=target, back=tuple(back), version=content.version), False


def _all_exist(content: Content, session: Session) -> bool:
    return session.step in content.steps and all(ref in content.steps for ref in session.back)


def _resolve(content: Content, ref: str) -> str | None:
    """Where a step ref from an older version rests now: follow ``moved`` renames, then any
    ``next`` (without saying anything). None when it is gone."""
    seen: set[str] = set()
    while ref not in content.steps:
        if ref in seen or len(seen) >= MAX_HOPS or ref not in content.moved:
            return None
        seen.add(ref)
        ref = content.moved[ref]
    for _ in range(MAX_HOPS):
        following = content.steps[ref].next
        if following is None or following not in content.steps:
            break
        ref = following
    return ref


def _existing(content: Content, ref: str) -> str:
    # A goto that validation should have caught: follow `moved`, else go to the start.
    if ref in content.steps:
        return ref
    seen: set[str] = set()
    while ref in content.moved and ref not in seen and len(seen) < MAX_HOPS:
        seen.add(ref)
        ref = content.moved[ref]
        if ref in content.steps:
            return ref
    return content.start


# --- moving ----------------------------------------------------------------------------------


def _go(content: Content, session: Session, ref: str, now: datetime, *, remember: bool) -> Turn:
    arrived, replies = _arrive(content, session, ref, now, remember=remember)
    return Turn(arrived, replies)


def _arrive(
    content: Content, session: Session, ref: str, now: datetime, *, remember: bool
) -> tuple[Session, tuple[Reply, ...]]:
    """Arrive at ``ref``: apply its ``set``, say its messages, and follow ``next`` at once
    until a step where the conversation rests. ``remember`` pushes the step the person is
    leaving onto the back-stack."""
    replies: list[Reply] = []
    variables = dict(session.variables)
    current = content.steps[_existing(content, ref)]
    seen: set[str] = set()
    while True:
        variables.update(current.sets)
        seen.add(current.ref)
        answered = _answered_before(current, variables)
        ahead = current.next if answered is None else answered
        following = None if ahead is None else _existing(content, ahead)
        if following is None or following in seen or len(seen) > MAX_HOPS:
            break
        if answered is None:  # a question asked once is passed over without a word
            said = session.evolve(variables=dict(variables))
            replies.extend(render.step_replies(content, current, said, now, resting=False))
        current = content.steps[following]
    arrived = session.evolve(variables=variables).moved_to(current.ref, remember=remember)
    replies.extend(render.step_replies(content, current, arrived, now))
    return arrived, tuple(replies)


def _answered_before(step: Step, variables: Mapping[str, str]) -> str | None:
    """Where an ``ask`` with ``once: true`` goes on to when its answer is already known (the
    municipality, told in another flow); None for any other step."""
    ask = step.ask
    if ask is None or not ask.once or not variables.get(ask.store):
        return None
    return ask.goto


def _back(content: Content, session: Session, now: datetime) -> Turn:
    if not session.back:
        return _go(content, session, content.menu, now, remember=False)
    popped = session.evolve(back=session.back[:-1])
    return _go(content, popped, session.back[-1], now, remember=False)


def _take(content: Content, session: Session, option: Option, now: datetime) -> Turn:
    chosen = session.evolve(variables={**session.variables, **option.sets})
    return _go(content, chosen, option.goto, now, remember=True)


def _navigate(content: Content, session: Session, action: str, now: datetime) -> Turn:
    if action in ("back", "resume"):
        return _back(content, session, now)
    if action == "forget":
        return _forget(content)
    target = content.emergency if action == "emergency" else content.menu
    return _go(content, session, target, now, remember=True)


def _forget(content: Content) -> Turn:
    return Turn(None, (Reply(_text(content, "forgotten")),))


# --- events ----------------------------------------------------------------------------------


def _dispatch(content: Content, session: Session, event: Event, now: datetime) -> Turn:
    if isinstance(event, Choice):
        return _choice(content, session, event, now)
    if isinstance(event, Text):
        return _typed(content, session, event.text, now)
    if isinstance(event, Command):
        return _command(content, session, event, now)
    if isinstance(event, Start):
        return _start(content, session, event.locale_hint, now, event.payload)
    if isinstance(event, Unsupported):
        return _notice(content, session, "unsupported")
    if isinstance(event, Again):
        return Turn(session, _show(content, session, now))
    return _notice(content, session, "not_understood")


def _choice(content: Content, session: Session, event: Choice, now: datetime) -> Turn:
    token = tokens.parse(event.token)
    if isinstance(token, tokens.NavToken):
        return _navigate(content, session, token.action, now)
    if isinstance(token, tokens.LanguageToken):
        code = negotiate(content, token.code)
        if code is not None:
            return _set_language(content, session, code, now)
    if isinstance(token, tokens.OptionToken):
        option = _pressed(content, session, token)
        if option is not None:
            return _take(content, session, option, now)
    if isinstance(token, tokens.AnswerToken):
        answered = _pressed_answer(content, session, token)
        if answered is not None:
            return _answered(content, session, answered, now)
    stale = Reply(_text(content, "stale_button"))
    return Turn(session, (stale, *_show(content, session, now)))


def _pressed(content: Content, session: Session, token: tokens.OptionToken) -> Option | None:
    """The option a token names, if it is one of the current step's visible options now."""
    current = _current(content, session)
    if (
        token.version != tokens.version_prefix(content.version)
        or token.step_hash != tokens.step_hash(current.ref)
        or token.index >= len(current.options)
    ):
        return None
    option = current.options[token.index]
    return option if option.visible(session.variables) else None


def _pressed_answer(
    content: Content, session: Session, token: tokens.AnswerToken
) -> Answered | None:
    """The answer an answer button carries, if it is of the current step and one it takes."""
    current = _current(content, session)
    answers = ANSWERS.get(type(current.way))
    fresh = token.version == tokens.version_prefix(
        content.version
    ) and token.step_hash == tokens.step_hash(current.ref)
    if not fresh or answers is None:
        return None
    return answers.pressed(content, current.way, token.value)


def _typed(content: Content, session: Session, typed: str, now: datetime) -> Turn:
    """Typed text, matched in this order and then dropped: emergency words, concern words,
    menu words, back words, an option's label, the step's question, a button's number,
    ``otherwise``. Words and labels count in the person's language and in the source
    language; emergency and concern words in every language (see ``vocabulary.hear``)."""
    heard = vocabulary.hear(content, session.locale, typed)
    if heard.emergency:
        return _go(content, session, content.emergency, now, remember=True)
    if heard.concern is not None:
        return _concerned(content, session, heard.concern, typed, now)
    if heard.forget:
        return _forget(content)
    if heard.menu:
        return _go(content, session, content.menu, now, remember=True)
    if heard.back:
        return _back(content, session, now)
    answered = _answered_by(content, session, typed, now)
    if answered is not None:
        return answered
    current = _current(content, session)
    answers = ANSWERS.get(type(current.way))
    otherwise = answers.otherwise(current.way) if answers is not None else None
    if otherwise:
        return _go(content, session, otherwise, now, remember=True)
    return _notice(content, session, "not_understood")


def _concerned(
    content: Content, session: Session, concern: Concern, typed: str, now: datetime
) -> Turn:
    """Alarming words are never consumed silently. An answer in the same message is still
    taken, but the concern's step comes first, and its `resume` button goes on to where the
    answer leads. A concern met on a concern step replaces it, so `resume` still goes back
    to where the person was before."""
    answered = _answered_by(content, session, typed, now)
    base = answered.session if answered is not None and answered.session is not None else session
    if answered is not None and base.step == content.emergency:
        return answered  # the answer itself leads to 112, which says more than a concern
    on_concern = base.step in {known.step for known in content.concerns}
    return _go(content, base, concern.step, now, remember=not on_concern)


def _answered_by(content: Content, session: Session, typed: str, now: datetime) -> Turn | None:
    """The turn ``typed`` makes as an answer here: an option's label, the step's own answer
    (several fit: buttons to choose), or a button's number. None if it is none."""
    current = _current(content, session)
    visible = [option for option in current.options if option.visible(session.variables)]
    labelled = _labelled(content, session.locale, visible, typed)
    if labelled is not None:
        return _take(content, session, labelled, now)
    answers = ANSWERS.get(type(current.way))  # None: its kind takes no typed answer
    if answers is not None:
        found = answers.typed(content, session.locale, current.way, typed)
        if isinstance(found, Answered):
            return _answered(content, session, found, now)
        if isinstance(found, Choose):
            return Turn(session, (render.candidates(content, current, session, found.choices),))
        if answers.takes_numbers(current.way):
            return None  # a bare number is its answer, not a button's number
    numbered = match_ordinal(len(visible), typed)
    return None if numbered is None else _take(content, session, visible[numbered], now)


def _labelled(
    content: Content, locale: str | None, visible: list[Option], typed: str
) -> Option | None:
    spellings = vocabulary.labels(content, locale, [option.label for option in visible])
    flat = [
        (option, label)
        for option, labels in zip(visible, spellings, strict=True)
        for label in labels
    ]
    # The short labels too: what a chat app with little room showed (WhatsApp).
    shortened = [option for option in visible if option.short]
    shorts = vocabulary.labels(content, locale, [option.short or "" for option in shortened])
    flat += [
        (option, label)
        for option, labels in zip(shortened, shorts, strict=True)
        for label in labels
    ]
    index = match_label([label for _, label in flat], typed)
    return None if index is None else flat[index][0]


def _answered(content: Content, session: Session, answered: Answered, now: datetime) -> Turn:
    taken = session.evolve(variables={**session.variables, **answered.sets})
    return _go(content, taken, answered.goto, now, remember=True)


def _command(content: Content, session: Session, event: Command, now: datetime) -> Turn:
    name = _command_name(event)
    if name == "menu":
        return _navigate(content, session, "menu", now)
    if name == "back":
        return _back(content, session, now)
    if name in EMERGENCY_COMMANDS:
        return _navigate(content, session, "emergency", now)
    if name == "forget":
        return _forget(content)
    if name == "help":
        return _go(content, session, content.help, now, remember=True)
    if name == "privacy":
        return _go(content, session, content.privacy, now, remember=True)
    if name == "language":
        return _language_command(content, session, event.arg, now)
    return _notice(content, session, "unknown_command", {"commands": COMMANDS})


def _command_name(event: Command) -> str:
    # "/Menu@LotsenBot" -> "menu": Telegram adds the bot's name in groups.
    return event.name.strip().lstrip("/").split("@", 1)[0].lower()


def _language_command(content: Content, session: Session, arg: str, now: datetime) -> Turn:
    code = negotiate(content, arg.strip()) if arg.strip() else None
    if code is not None:
        return _set_language(content, session, code, now)
    # A language asked for by name or code that is not offered (yet) is said to be so, not
    # met with the menu as if nothing had been asked. The typed name is not repeated: a
    # reply may be kept until it is sent, and nothing typed is ever kept.
    key = "language_unavailable" if arg.strip() else "choose_language"
    choose = Reply(_text(content, key), buttons=render.language_buttons(content))
    return Turn(session, (choose,))


def _set_language(content: Content, session: Session, code: str, now: datetime) -> Turn:
    chosen = session.evolve(locale=code, locale_chosen=True)
    return Turn(chosen, _show(content, chosen, now))


# --- showing where the person is -----------------------------------------------------------


def _current(content: Content, session: Session) -> Step:
    return content.steps[_existing(content, session.step)]


def _show(content: Content, session: Session, now: datetime) -> tuple[Reply, ...]:
    """The current step again, whole: messages, contact cards, buttons."""
    return render.step_replies(content, _current(content, session), session, now)


def _notice(
    content: Content, session: Session, key: str, params: dict[str, str] | None = None
) -> Turn:
    """An interface text with the current step's buttons: not the whole step again."""
    current = _current(content, session)
    return Turn(session, (render.notice(content, key, current, session, params),))


def _text(content: Content, key: str) -> Phrase:
    return render.text(content, key)
