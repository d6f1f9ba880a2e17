"""The terminal chat: try a content pack as a person would, or script a conversation.

Each reply is printed as plain text with its buttons numbered::

    Hej! Jag är Lotsen.
      1) Om socialtjänsten
      2) Ring 112

Then a line is read: a number presses that button, ``/language ar`` is a command, anything
else is typed text. End of input ends the chat, so a conversation can be a file::

    lotsen chat < conversation.txt
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TextIO

from bot.engine import (
    Button,
    Choice,
    Command,
    ContactCard,
    Event,
    Phrase,
    Reply,
    Session,
    Start,
    Text,
    step,
)
from bot.flows.model import Content
from bot.i18n.renderer import Renderer, renderer_for

PROMPT = "> "


def run_chat(
    content: Content,
    *,
    lang: str | None,
    stdin: TextIO,
    stdout: TextIO,
    now: Callable[[], datetime],
    debug: bool = False,
) -> int:
    """Chat on ``stdin``/``stdout`` until end of input; returns the exit code (0).

    ``lang`` is the starting locale hint (the pack's source language when None: an editor
    trying a flow wants the flow, not the language offer a platform without a language
    gets); ``/language ar`` switches the language shown. ``debug`` adds, after each turn, the
    step reached and what the session holds (for editors writing conversation tests).
    """
    chat = _Chat(content, stdout, debug=debug)
    chat.send(Start(locale_hint=lang or content.source_language), now())
    interactive = stdin.isatty()
    while True:
        if interactive:
            stdout.write(PROMPT)
            stdout.flush()
        try:
            line = stdin.readline()
        except KeyboardInterrupt:
            stdout.write("\n")
            return 130
        if not line:
            return 0
        event = chat.event_for(line.strip())
        if event is not None:
            chat.send(event, now())


class _Chat:
    def __init__(self, content: Content, out: TextIO, *, debug: bool = False) -> None:
        self.content = content
        self.out = out
        self.debug = debug
        self.session: Session | None = None
        self.locale: str | None = None  # kept after /forget, to say "forgotten" in it
        self.buttons: tuple[Button, ...] = ()

    def event_for(self, line: str) -> Event | None:
        """A typed line as an Event: a button's number, a /command, or text."""
        if not line:
            return None
        if line.isdecimal() and len(line) <= 3 and 1 <= int(line) <= len(self.buttons):
            return Choice(self.buttons[int(line) - 1].token)
        if line.startswith("/"):
            name, _, arg = line[1:].partition(" ")
            return Command(name.lower(), arg.strip())
        return Text(line)

    def send(self, event: Event, now: datetime) -> None:
        turn = step(self.content, self.session, event, now)
        self.session = turn.session
        if turn.session is not None:
            self.locale = turn.session.locale
        self.buttons = tuple(button for reply in turn.replies for button in reply.buttons)
        numbered = 0
        for reply in turn.replies:
            for line in self.lines(reply, numbered):
                self.out.write(line + "\n")
            numbered += len(reply.buttons)
        if self.debug:
            self.out.write(self.state() + "\n")
        self.out.write("\n")
        self.out.flush()

    def state(self) -> str:
        """``[step home.age | age=child, municipality=0480 | sv]``: where the session rests
        and the answers it keeps (the values the engine stored, never typed text)."""
        if self.session is None:
            return "[no session: forgotten]"
        answers = ", ".join(f"{k}={v}" for k, v in sorted(self.session.variables.items()))
        return f"[step {self.session.step} | {answers or 'no answers'} | {self.session.locale}]"

    def lines(self, reply: Reply, numbered: int) -> list[str]:
        """A reply as lines: text, contact cards, buttons numbered on from ``numbered``."""
        lines: list[str] = []
        if reply.text is not None:
            lines.append(self.say(reply.text))
        for card in reply.contacts:
            lines.extend(["", *self.card(card)])
        if reply.contacts and reply.buttons:
            lines.append("")
        for number, button in enumerate(reply.buttons, start=numbered + 1):
            lines.append(f"  {number}) {self.label(button)}")
        if reply.expects_text:
            lines.append(f"  ({self.renderer().interface('can_type')})")
        return lines

    def card(self, card: ContactCard) -> list[str]:
        """A contact card as indented lines; an unverified one shows only its note and web."""
        renderer = self.renderer()
        facts = [fact.text for fact in renderer.card(card)]
        return [f"  [{renderer.text(card.name)}]", *(f"  {fact}" for fact in facts)]

    def label(self, button: Button) -> str:
        return self.renderer().label(button)

    def say(self, phrase: Phrase) -> str:
        return self.renderer().text(phrase)

    def renderer(self) -> Renderer:
        return renderer_for(self.content, self.locale)
