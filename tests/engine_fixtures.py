"""A small content pack built in code, for engine and chat tests (no YAML, no loader).

home.welcome   -> home.menu
home.menu      options: social (sets route), age, relation, child-only, contacts, loop
home.age       options + ask number (below 18 child, else adult), otherwise age_help
home.relation  ask keywords (child, partner), no otherwise
social.intro   -> social.more -> social.choice  (a `next` chain; intro sets visited)
help.contacts  a fresh and a stale contact card
loop.a <-> loop.b  a `next` cycle the validator would reject: the engine must still end
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

from bot.directory.model import Directory, Period, Phone, Schedule, Service
from bot.engine import Reply, Session, Turn, tokens
from bot.flows.model import Content, Flow, Language, Step
from bot.flows.ways import Ask, Condition, End, Next, NumberRange, Option, Options

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)  # aware, as the server's clock is
EARLIER = NOW - timedelta(hours=1)
VERSION = "c0ffee1234567890"
OLD_VERSION = "0ld0ld0ld0ld"

TEXTS: Mapping[str, str] = {
    "open_until": "Öppet nu, stänger {time}.",
    "open_always": "Öppet dygnet runt.",
    "open_all_day": "hela dagen",
    "closed_holidays": "stängt helgdagar",
    "closed_until": "Stängt nu. Öppnar {day} {time}.",
    "not_understood": "Jag förstod inte.",
    "unsupported": "Jag kan bara läsa text.",
    "unknown_command": "Kommandon: {commands}",
    "stale_button": "Den knappen är gammal.",
    "restarted": "Innehållet har ändrats. Vi börjar om.",
    "forgotten": "Allt om dig är raderat.",
    "choose_language": "Välj språk.",
    "language_unavailable": "Det språket finns inte ännu. Välj ett av de här.",
    "nav_emergency": "Ring 112",
    "nav_back": "Tillbaka",
    "nav_menu": "Meny",
    "nav_forget": "Glöm mig",
    "unverified_contact": "Uppgifterna kunde inte bekräftas. Se {web}",
    "can_type": "du kan också skriva",
    "card_phone": "Telefon",
    "card_email": "E-post",
    "card_web": "Webb",
    "card_hours": "Öppet",
    "card_source": "Källa: {source}, kontrollerad {date}",
    "web_title": "Lotsen: vart kan jag vända mig?",
    "web_quick_exit": "Lämna sidan snabbt",
    "web_quick_exit_help": "Lämna sidan snabbt raderar chatten. Det raderar inte din webbhistorik.",
    "web_quick_exit_keys": "Skift tre gånger lämnar också.",
    "web_quick_exit_two_more": "Skift två gånger till lämnar sidan.",
    "web_quick_exit_one_more": "Skift en gång till lämnar sidan.",
    "web_quick_exit_ok": "Jag förstår",
    "web_emergency": "Är någon i fara nu? Ring 112",
    "web_language": "Språk",
    "web_input_label": "Skriv till Lotsen",
    "web_placeholder": "Skriv här",
    "web_send": "Skicka",
    "web_privacy": "Ingen läser chatten.",
    "web_error": "Något gick fel.",
    "web_slow_down": "Vänta lite.",
    "web_retry": "Försök igen",
    "web_you": "Du",
    "web_bot": "Lotsen",
    "private_only": "Jag läser bara privata chattar.",
    "command_start": "Börja om",
    "command_menu": "Menyn",
    "command_112": "Ring 112",
    "command_back": "Tillbaka",
    "command_language": "Välj språk",
    "command_help": "Hjälp",
    "command_privacy": "Vad som sparas",
    "command_forget": "Glöm mig",
}

STEPS: tuple[Step, ...] = (
    Step(
        "home.welcome",
        Options((Option("Börja", "home.menu"),)),
        say=("Hej! Jag är Lotsen.", "Jag är inte polisen."),
    ),
    Step(
        "home.menu",
        Options(
            (
                Option("Om socialtjänsten", "social.intro", sets={"route": "social"}),
                Option("Hur gammal?", "home.age"),
                Option("Vem?", "home.relation"),
                Option(
                    "Bara för barn", "social.child", when=(Condition("age", frozenset({"child"})),)
                ),
                Option("Kontakter", "help.contacts"),
                Option("Snurra", "loop.a"),
            )
        ),
        say=("Vad vill du veta?",),
    ),
    Step(
        "home.age",
        Ask(
            store="age",
            goto="home.age_done",
            number=(NumberRange("child", below=18), NumberRange("adult")),
            otherwise="home.age_help",
            options=(
                Option("Under 18", "home.age_done", sets={"age": "child"}),
                Option("18 eller äldre", "home.age_done", sets={"age": "adult"}),
            ),
        ),
        say=("Hur gammal är personen?",),
    ),
    Step("home.age_help", Options((Option("Igen", "home.age"),)), say=("Skriv en siffra.",)),
    Step("home.age_done", End(), say=("Du svarade {age}.",)),
    Step(
        "home.relation",
        Ask(
            store="relation",
            goto="home.relation_done",
            keywords={"child": ("mitt barn", "son", "dotter"), "partner": ("man", "fru")},
        ),
        say=("Vem är du orolig för?",),
    ),
    Step("home.relation_done", End(), say=("Tack.",)),
    Step(
        "social.intro",
        Next("social.more"),
        say=("Socialtjänsten hjälper.",),
        sets={"visited": "social"},
    ),
    Step("social.more", Next("social.choice")),
    Step("social.choice", Options((Option("Till menyn", "home.menu"),)), say=("Vad vill du nu?",)),
    Step("social.child", End(), say=("Om barn.",)),
    Step(
        "help.contacts",
        End(),
        say=("Här kan du ringa.",),
        contacts=("orostelefonen", "old_line"),
    ),
    Step("emergency.now", End(), say=("Ring 112 om någon är i fara.",)),
    Step("about.privacy", End(), say=("Ingen läser chatten.",)),
    Step("about.help", End(), say=("Tryck på en knapp.",)),
    Step("loop.a", Next("loop.b"), say=("A",)),
    Step("loop.b", Next("loop.a"), say=("B",)),
)

WEEKDAYS_9_TO_12 = Schedule(
    periods=(Period(frozenset(range(5)), time(9, 0), time(12, 0)),),
    note="Ring helst på förmiddagen.",  # a note only adds to the structured hours
)
ALWAYS = Schedule(
    periods=(Period(frozenset(range(7)), time(0, 0), time(0, 0)),),
    closed_on_public_holidays=False,
    note="Alltid.",
)


def _service(service_id: str, name: str, **facts: object) -> Service:
    base: dict[str, object] = {
        "organization": name,
        "description": name,
        "topics": ("support_line",),
        "areas": ("SE",),
        "phones": (),
        "web": None,
        "email": None,
        "schedule": None,
        "languages": (),
        "anonymity": None,
        "what_happens": None,
        "status": "active",
    }
    return Service(id=service_id, name=name, **{**base, **facts})  # type: ignore[arg-type]


# The contact points steps show (``contacts: [...]``), in the directory as in a real pack.
CONTACTS: tuple[Service, ...] = (
    _service(
        "orostelefonen",
        "Orostelefonen",
        source="raddabarnen.se",
        verified=date(2025, 6, 1),
        description="Stödlinje för anhöriga.",
        phones=(Phone("020-100 200"),),
        web="https://www.raddabarnen.se",
        schedule=WEEKDAYS_9_TO_12,
        anonymity="Du kan vara anonym.",
    ),
    _service(
        "old_line",
        "Gamla linjen",
        source="example.se",
        verified=date(2020, 1, 1),
        phones=(Phone("010-000 000"),),
        web="https://example.se",
        schedule=ALWAYS,
    ),
)


def make_content(
    steps: Iterable[Step] = STEPS, *, version: str = VERSION, moved: Mapping[str, str] | None = None
) -> Content:
    by_ref = {step.ref: step for step in steps}
    flows: dict[str, dict[str, Step]] = {}
    for step in by_ref.values():
        flows.setdefault(step.flow, {})[step.id] = step
    return Content(
        id="test-pack",
        source_language="sv",
        version=version,
        start="home.welcome",
        menu="home.menu",
        emergency="emergency.now",
        privacy="about.privacy",
        help="about.help",
        navigation=("emergency", "back", "menu", "forget"),
        triggers={"emergency": ("akut", "i fara", "112"), "menu": ("meny",), "back": ("tillbaka",)},
        texts=TEXTS,
        flows={
            flow_id: Flow(
                flow_id, flow_id, f"{flow_id}.{next(iter(steps_))}", steps_, f"{flow_id}.yaml"
            )
            for flow_id, steps_ in flows.items()
        },
        steps=by_ref,
        directory=Directory(areas={}, counties={}, services={c.id: c for c in CONTACTS}),
        languages=(
            Language("sv", "Svenska"),
            Language("ar", "العربية", rtl=True),
            Language("en", "English"),
        ),
        moved=dict(moved or {}),
        stale_after_days=365,
    )


CONTENT = make_content()


def at(
    ref: str, *, back: tuple[str, ...] = (), version: str = VERSION, **variables: str
) -> Session:
    """A session resting at ``ref``."""
    return Session(
        step=ref,
        version=version,
        started=EARLIER,
        updated=EARLIER,
        back=back,
        variables=variables,
        locale="sv",
    )


def option(ref: str, index: int, *, version: str = VERSION) -> str:
    """The token of option ``index`` of step ``ref``."""
    return tokens.option_token(version, ref, index)


def said(turn: Turn) -> list[str | None]:
    """The msgids of the turn's replies, in order (None for a reply without text)."""
    return [reply.text.msgid if reply.text else None for reply in turn.replies]


def labels(reply: Reply) -> list[str]:
    return [button.label.msgid for button in reply.buttons]


def last(turn: Turn) -> Reply:
    return turn.replies[-1]


def without(steps: Iterable[Step], *refs: str) -> tuple[Step, ...]:
    return tuple(step for step in steps if step.ref not in refs)


def renamed(steps: Iterable[Step], old: str, new: str) -> tuple[Step, ...]:
    return tuple(replace(step, ref=new) if step.ref == old else step for step in steps)
