"""Turning a step into Replies: its messages, contact cards and buttons, all untranslated.

Language buttons are the exception to "everything is a msgid": their label is the language's
own name (``العربية``), which a channel shows as it is, whatever the person's locale. A
channel recognises them by ``Button.kind == "language"`` and must not translate them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from bot.directory import phones
from bot.directory.hours import opening
from bot.directory.model import NATIONAL, Service
from bot.engine import tokens
from bot.engine.answers import ANSWERS
from bot.engine.replies import Button, ContactCard, Phrase, Reply
from bot.engine.session import Session
from bot.flows.model import NAVIGATION_ACTIONS, Content, Step


def step_replies(
    content: Content, step: Step, session: Session, now: datetime, *, resting: bool = True
) -> tuple[Reply, ...]:
    """One Reply per message of ``step``; contact cards on the last one, and when the
    conversation rests here (``resting``), the buttons too. A resting step with nothing to
    say still gets one Reply, carrying its buttons."""
    cards = named_cards(content, step, now) + service_cards(content, step, session, now)
    params = parameters(content, session)
    messages: list[Phrase | None] = [
        Phrase(msgid, params, step.ref, web=step.web_say.get(index))
        for index, msgid in enumerate(step.say)
    ]
    otherwise = step.services.otherwise if step.services is not None else None
    if otherwise and not _any_local(content, step, session):
        messages.append(Phrase(otherwise, params, step.ref))
    if not messages and (cards or resting):
        messages = [None]
    replies = [Reply(message) for message in messages]
    if replies:
        last = replies[-1]
        replies[-1] = Reply(last.text, contacts=cards)
        if resting:
            replies[-1] = with_buttons(replies[-1], content, step, session)
    return tuple(replies)


def parameters(content: Content, session: Session) -> dict[str, str]:
    """The values a message may show: the session's variables, and for a variable holding a
    municipality's code, its name as ``{<variable>_name}`` (``{municipality_name}``)."""
    params = dict(session.variables)
    if content.directory is not None:
        for name, value in session.variables.items():
            area = content.directory.area(value)
            if area is not None:
                params[f"{name}_name"] = area.name
    return params


def service_cards(
    content: Content, step: Step, session: Session, now: datetime
) -> tuple[ContactCard, ...]:
    """The directory's services for a directory step: those named first, then by topic for
    the person's municipality (local, county, and national unless the step is ``local``),
    each once and not again when the step names it in ``contacts``."""
    query, directory = step.services, content.directory
    if query is None or directory is None:
        return ()
    named = [directory.services[i] for i in query.include if i in directory.services]
    found = directory.for_area(query.topics, session.variables.get(query.area))
    if query.local:
        found = [service for service in found if NATIONAL not in service.areas]
    chosen = [s for s in dict.fromkeys([*named, *found]) if s.id not in step.contacts]
    return tuple(service_card(content, service, now) for service in chosen)


def _any_local(content: Content, step: Step, session: Session) -> bool:
    """Whether the directory has a service on the step's first topic (the one it is about:
    the socialjour, when social services come second) for the person's own municipality or
    county, not only national ones."""
    query, directory = step.services, content.directory
    if query is None or directory is None:
        return False
    found = directory.for_area(query.topics[:1], session.variables.get(query.area))
    return any(NATIONAL not in service.areas for service in found)


def named_cards(content: Content, step: Step, now: datetime) -> tuple[ContactCard, ...]:
    """The directory's services a step names (``contacts: [orostelefonen]``), in its order."""
    directory = content.directory
    if directory is None:
        return ()
    return tuple(
        service_card(content, directory.services[ref], now)
        for ref in step.contacts
        if ref in directory.services
    )


def service_card(content: Content, service: Service, now: datetime) -> ContactCard:
    """A service as a card. Facts verified longer ago than the pack allows, or of a service
    not active, are not shown as fact: its web site and the ``unverified_contact`` note."""
    if not _fresh(content, service.verified, now) or service.status != "active":
        return _unverified(
            content, service.id, service.name, service.source, service.verified, service.web
        )
    hours = service.schedule.note if service.schedule is not None else None
    return ContactCard(
        id=service.id,
        name=Phrase(service.name),
        source=service.source,
        verified=service.verified,
        verified_ok=True,
        what=_phrase(service.description),
        phone=phones.display(service.phones[0].number) if service.phones else None,
        phone_note=_phrase(service.phones[0].description) if service.phones else None,
        web=service.web,
        hours=_phrase(hours),
        anonymity=_phrase(service.anonymity),
        email=service.email,
        opening=opening(service.schedule, now) if service.schedule is not None else None,
        schedule=service.schedule,
        what_happens=_phrase(service.what_happens),
    )


def candidates(
    content: Content, step: Step, session: Session, choices: tuple[tuple[str, str], ...]
) -> Reply:
    """Several answers fit what was typed (municipalities): one button for each ``(value,
    label)``, labelled as it is, then the step's own buttons."""
    answers = tuple(
        Button(tokens.answer_token(content.version, step.ref, value), Phrase(label))
        for value, label in choices
    )
    return Reply(
        text(content, "choose_municipality"),
        buttons=answers + buttons(content, step, session),
        expects_text=True,
    )


def with_buttons(reply: Reply, content: Content, step: Step, session: Session) -> Reply:
    """``reply`` carrying the buttons of ``step`` (and whether it takes typed text)."""
    return Reply(
        reply.text,
        contacts=reply.contacts,
        buttons=buttons(content, step, session),
        expects_text=type(step.way) in ANSWERS,  # answers.takes_text, inlined: every reply
    )


def notice(
    content: Content,
    key: str,
    step: Step,
    session: Session,
    params: Mapping[str, str] | None = None,
) -> Reply:
    """An interface text (``content.texts[key]``) with the current step's buttons under it."""
    return with_buttons(Reply(text(content, key, params)), content, step, session)


def text(content: Content, key: str, params: Mapping[str, str] | None = None) -> Phrase:
    """The interface text ``key`` as a Phrase; a missing key shows as the key itself."""
    return Phrase(content.texts.get(key, key), dict(params or {}))


def buttons(content: Content, step: Step, session: Session) -> tuple[Button, ...]:
    """Visible content options, then language buttons if the step asks, then navigation."""
    # A step's buttons are the same on every visit but for what the session decides (options
    # shown under a condition, `back` with somewhere to go back to): made once per pack and
    # shared by every turn (Buttons and their Phrases are never changed once made).
    every = content.kept(("options", step.ref), lambda: _option_buttons(content, step))
    if any(option.when for option in step.options):
        options = tuple(
            button
            for button, option in zip(every, step.options, strict=True)
            if option.visible(session.variables)
        )
    else:
        options = every
    languages = language_buttons(content) if step.languages else ()
    return options + languages + navigation(content, step, session)


def _option_buttons(content: Content, step: Step) -> tuple[Button, ...]:
    return tuple(
        Button(
            tokens.option_token(content.version, step.ref, index),
            Phrase(option.label, context=step.ref),
            short=Phrase(option.short, context=step.ref) if option.short else None,
        )
        for index, option in enumerate(step.options)
    )


def navigation(content: Content, step: Step, session: Session) -> tuple[Button, ...]:
    """The pack's navigation buttons and the step's own extra ones (``forget`` on the privacy
    step, ``resume`` on a concern step), less those that make no sense here: ``back`` or
    ``resume`` with nowhere to go back to, ``emergency`` on the emergency step, ``menu`` on
    the menu."""
    back = bool(session.back)
    return content.kept(("nav", step.ref, str(back)), lambda: _navigation(content, step, back=back))


def _navigation(content: Content, step: Step, *, back: bool) -> tuple[Button, ...]:
    pointless = {"emergency": content.emergency, "menu": content.menu}
    actions = [*content.navigation, *(a for a in step.navigation if a not in content.navigation)]
    if "resume" in actions:  # the step's way on to where the person was: first, and for `back`
        actions = ["resume", *(a for a in actions if a not in ("resume", "back"))]
    return tuple(
        Button(tokens.nav_token(action), text(content, f"nav_{action}"), "nav", action)
        for action in actions
        if action in NAVIGATION_ACTIONS
        and not (action in ("back", "resume") and not back)
        and pointless.get(action) != step.ref
    )


def language_buttons(content: Content) -> tuple[Button, ...]:
    """One button per language, labelled with its own name (not to be translated)."""
    return content.kept(("languages",), lambda: _language_buttons(content))


def _language_buttons(content: Content) -> tuple[Button, ...]:
    return tuple(
        Button(tokens.language_token(language.code), Phrase(language.name), "language")
        for language in content.languages
    )


def _fresh(content: Content, verified: date, now: datetime) -> bool:
    return (now.date() - verified).days <= content.stale_after_days


def _unverified(
    content: Content, card_id: str, name: str, source: str, verified: date, web: str | None
) -> ContactCard:
    """A card whose facts are too old (or whose service is not active) to state: its name,
    its web site, and the note that the details could not be confirmed."""
    return ContactCard(
        id=card_id,
        name=Phrase(name),
        source=source,
        verified=verified,
        verified_ok=False,
        web=web,
        unverified=text(content, "unverified_contact", {"web": web or ""}),
    )


def _phrase(msgid: str | None) -> Phrase | None:
    return Phrase(msgid) if msgid else None
