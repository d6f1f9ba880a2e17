"""Conversation tests: a conversation written in YAML, played against the engine.

    # content/tests/social_sv.yaml
    name: Från start till socialtjänsten
    lang: sv
    turns:
      - press: "Vad händer om jag kontaktar socialtjänsten?"   # a label, or a number: press: 3
        expect: {step: social.intro, says: ["rädda för vad som händer"]}
      - type: akut
        expect: {step: emergency.now, services: ["112"]}
      - command: /back

    tests = read_tests(Path("content/tests"))
    outcome = run_test(content, tests[0], now)
    print(outcome.report())      # file:line: turn N: expected ... got ..., and the conversation

Texts are compared as the person reads them, in the test's language: ``says`` and
``services`` are parts of a message or a card's name, ``offers`` whole button labels; case
does not matter. The format's JSON Schema is ``bot/flows/schema/convtest.schema.json``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.directory.hours import TIMEZONE
from bot.editor.speech import Seen, plain
from bot.engine import Choice, Command, Event, Session, Start, Text, step
from bot.flows.model import Content
from bot.i18n.renderer import renderer_for
from bot.source import schema
from bot.source.position import Position
from bot.source.problems import Problem
from bot.source.yamlsrc import Document, SyntaxProblem, parse

TESTS_DIR = "tests"


@dataclass(frozen=True)
class Expect:
    step: str | None = None
    says: tuple[str, ...] = ()
    offers: tuple[str, ...] = ()
    not_offers: tuple[str, ...] = ()
    services: tuple[str, ...] = ()
    forgotten: bool | None = None


@dataclass(frozen=True)
class TurnSpec:
    """One turn: ``action`` is ``press``, ``type`` or ``command``."""

    action: str
    value: str | int
    expect: Expect
    position: Position
    where: Mapping[str, Position] = field(default_factory=dict)  # each expectation's line

    def at(self, key: str) -> Position:
        return self.where.get(key, self.position)

    def describe(self) -> str:
        if self.action == "press":
            return f"press {self.value}" if isinstance(self.value, int) else f'press "{self.value}"'
        if self.action == "type":
            return f'type "{self.value}"'
        return str(self.value)


@dataclass(frozen=True)
class ConvTest:
    file: str
    name: str
    lang: str | None
    turns: tuple[TurnSpec, ...]
    start: str = ""
    # When the conversation happens (Swedish local time), for a test of what is open then:
    # a weekday evening, a Saturday. None: whenever `lotsen test` runs (or its --now).
    at: datetime | None = None


@dataclass(frozen=True)
class Failure:
    """Where a test went wrong: the turn, what was expected and what came instead."""

    position: Position
    turn: int
    summary: str
    expected: tuple[str, ...]
    got: tuple[str, ...]


@dataclass(frozen=True)
class Outcome:
    test: ConvTest
    failure: Failure | None = None
    conversation: tuple[str, ...] = field(default=())

    @property
    def passed(self) -> bool:
        return self.failure is None

    def report(self) -> str:
        """``ok file: name``, or the failure with its line, the difference and the
        conversation so far."""
        if self.failure is None:
            return f"ok    {self.test.file}: {self.test.name}"
        failure = self.failure
        lines = [
            f"FAIL  {self.test.file}: {self.test.name}",
            f"{failure.position.file}:{failure.position.line}: turn {failure.turn}: "
            f"{failure.summary}",
            *(f"  - {line}" for line in failure.expected),
            *(f"  + {line}" for line in failure.got),
            "  the conversation so far:",
            *(f"  {line}" for line in self.conversation),
        ]
        return "\n".join(lines)


# --- reading -------------------------------------------------------------------------------


def find_tests(directory: Path) -> list[Path]:
    """The conversation tests of a pack (``DIR/tests/*.yaml``) or in a folder of tests."""
    folder = directory / TESTS_DIR if (directory / TESTS_DIR).is_dir() else directory
    return sorted(folder.glob("*.yaml"))


def read_test(path: Path, content: Content | None = None) -> ConvTest | list[Problem]:
    """The test in ``path``, or its problems (YAML, schema, steps the pack does not have)."""
    parsed = parse(path.read_text("utf-8"), str(path))
    if isinstance(parsed, SyntaxProblem):
        return [Problem.at(parsed.position, "error", parsed.code, parsed.message)]
    problems = list(schema.check(parsed, "convtest"))
    if problems:
        return sorted(problems)
    test = _build(parsed)
    if content is not None:
        problems = list(_unknown_steps(test, content))
    return sorted(problems) if problems else test


def _build(document: Document) -> ConvTest:
    data: Mapping[str, Any] = document.data
    turns = []
    for index, raw in enumerate(data["turns"]):
        action = next(key for key in ("press", "type", "command") if key in raw)
        expect = raw.get("expect", {})
        turns.append(
            TurnSpec(
                action=action,
                value=raw[action],
                expect=Expect(
                    step=expect.get("step"),
                    says=tuple(expect.get("says", ())),
                    offers=tuple(expect.get("offers", ())),
                    not_offers=tuple(expect.get("not_offers", ())),
                    services=tuple(expect.get("services", ())),
                    forgotten=expect.get("forgotten"),
                ),
                position=document.at(("turns", index)),
                where={
                    key: document.key_at(("turns", index, "expect", key))
                    for key in expect
                    if isinstance(key, str)
                },
            )
        )
    return ConvTest(
        document.file,
        str(data["name"]),
        data.get("lang"),
        tuple(turns),
        data.get("start", ""),
        _local_time(data.get("at")),
    )


def _local_time(value: Any) -> datetime | None:
    """``2026-11-28 10:00`` (the schema has checked its shape) in Stockholm's time zone."""
    if not isinstance(value, str):
        return None
    return datetime.fromisoformat(value).replace(tzinfo=TIMEZONE)


def _unknown_steps(test: ConvTest, content: Content) -> list[Problem]:
    return [
        Problem.at(
            turn.at("step"),
            "error",
            "unknown-step",
            f"the pack has no step `{turn.expect.step}`"
            f"{schema.did_you_mean(turn.expect.step, sorted(content.steps))}",
        )
        for turn in test.turns
        if turn.expect.step is not None and turn.expect.step not in content.steps
    ]


# --- running -------------------------------------------------------------------------------


class _Player:
    """Plays a test's turns, keeping what the person has read so far."""

    def __init__(self, content: Content, test: ConvTest, now: datetime) -> None:
        self.content = content
        self.test = test
        self.now = now
        self.session: Session | None = None
        self.locale = test.lang
        self.seen = Seen((), (), (), (), False)
        self.conversation: list[str] = []

    def play(self, event: Event, said: str) -> None:
        turn = step(self.content, self.session, event, self.now)
        self.session = turn.session
        if turn.session is not None:
            self.locale = turn.session.locale
        self.seen = Seen.of(turn.replies, renderer_for(self.content, self.locale))
        self.conversation.extend([f"> {said}", *self.seen.lines()])

    def event(self, spec: TurnSpec) -> Event | str:
        """The event of a turn, or why it cannot be played (no such button)."""
        if spec.action == "type":
            return Text(str(spec.value), locale_hint=self.test.lang)
        if spec.action == "command":
            name, _, arg = str(spec.value).lstrip("/").partition(" ")
            return Command(name.lower(), arg.strip(), locale_hint=self.test.lang)
        if isinstance(spec.value, int):
            if 1 <= spec.value <= len(self.seen.buttons):
                return Choice(self.seen.buttons[spec.value - 1].token)
            return f"there is no button {spec.value}"
        wanted = plain(spec.value)
        for button, label in zip(self.seen.buttons, self.seen.labels, strict=True):
            if plain(label) == wanted:
                return Choice(button.token)
        return f'there is no button "{spec.value}" to press'


def run_test(content: Content, test: ConvTest, now: datetime) -> Outcome:
    """Play ``test`` against ``content`` at time ``now`` (or at its own ``at``); stop at the
    first failing turn."""
    player = _Player(content, test, test.at or now)
    player.play(Start(test.start, locale_hint=test.lang), "/start")
    for number, spec in enumerate(test.turns, start=1):
        event = player.event(spec)
        if isinstance(event, str):
            failure = Failure(
                spec.position, number, f"{spec.describe()}: {event}", (), _buttons(player.seen)
            )
            return Outcome(test, failure, tuple(player.conversation))
        player.play(event, spec.describe())
        failed = check(spec, player.session, player.seen, number)
        if failed is not None:
            return Outcome(test, failed, tuple(player.conversation))
    return Outcome(test, None, tuple(player.conversation))


def _buttons(seen: Seen) -> tuple[str, ...]:
    return tuple(f"button {label}" for label in seen.labels) or ("no buttons",)


@dataclass(frozen=True)
class After:
    """What a turn left: the session (None: the person was forgotten) and what they read."""

    session: Session | None
    seen: Seen

    @property
    def reached(self) -> str:
        return self.session.step if self.session is not None else "(forgotten)"

    @property
    def labels(self) -> set[str]:
        return {plain(label) for label in self.seen.labels}


@dataclass(frozen=True)
class Miss:
    """An expectation a turn did not meet: what was expected instead, and the difference."""

    summary: str
    expected: tuple[str, ...] = ()
    got: tuple[str, ...] = ()


def _step(expect: Expect, after: After) -> Miss | None:
    if expect.step is None or after.reached == expect.step:
        return None
    return Miss(
        f"step {expect.step}, got {after.reached}",
        (f"step {expect.step}",),
        (f"step {after.reached}",),
    )


def _forgotten(expect: Expect, after: After) -> Miss | None:
    if expect.forgotten is None or (after.session is None) == expect.forgotten:
        return None
    state = "forgotten" if after.session is None else f"still kept, at {after.reached}"
    return Miss(f"forgotten: {str(expect.forgotten).lower()}, got {state}")


def _says(expect: Expect, after: After) -> Miss | None:
    text = plain("\n".join((*after.seen.texts, *after.seen.facts)))
    missing = [said for said in expect.says if plain(said) not in text]
    if not missing:
        return None
    return Miss(
        f'the reply to say "{missing[0]}"',
        tuple(f"says: {m}" for m in missing),
        tuple(f"said: {t}" for t in after.seen.texts) or ("said nothing",),
    )


def _offers(expect: Expect, after: After) -> Miss | None:
    absent = [label for label in expect.offers if plain(label) not in after.labels]
    if not absent:
        return None
    return Miss(
        f'a button "{absent[0]}"', tuple(f"button {a}" for a in absent), _buttons(after.seen)
    )


def _not_offers(expect: Expect, after: After) -> Miss | None:
    unwanted = [label for label in expect.not_offers if plain(label) in after.labels]
    if not unwanted:
        return None
    return Miss(f'no button "{unwanted[0]}"', (), tuple(f"button {u}" for u in unwanted))


def _services(expect: Expect, after: After) -> Miss | None:
    cards = [plain(name) for name in after.seen.cards]
    unlisted = [s for s in expect.services if not any(plain(s) in card for card in cards)]
    if not unlisted:
        return None
    return Miss(
        f'a card "{unlisted[0]}"',
        tuple(f"card {u}" for u in unlisted),
        tuple(f"card {c}" for c in after.seen.cards) or ("no cards",),
    )


# One check for each key of `expect`, in the order they are tried: the first miss is reported.
CHECKS: Mapping[str, Callable[[Expect, After], Miss | None]] = {
    "step": _step,
    "forgotten": _forgotten,
    "says": _says,
    "offers": _offers,
    "not_offers": _not_offers,
    "services": _services,
}


def check(spec: TurnSpec, session: Session | None, seen: Seen, number: int) -> Failure | None:
    """The first expectation of ``spec`` that the turn does not meet, as a Failure."""
    after = After(session, seen)
    for key, expectation in CHECKS.items():
        miss = expectation(spec.expect, after)
        if miss is not None:
            summary = f"{spec.describe()}: expected {miss.summary}"
            return Failure(spec.at(key), number, summary, miss.expected, miss.got)
    return None
