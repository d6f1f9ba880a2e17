"""Every way through a pack, as the numbered transcripts a person would read.

    for transcript in walk(content, "ar", now):
        print(transcript.text())

The walk plays the real engine from /start, pressing every content button (and typing one
answer for each value a question takes), so a transcript shows exactly what a person reads
in that language: ``when:`` conditions, ``set:`` choices and ``next`` chains included. Each
step is told once, on the shortest way to it: the walk is breadth first, and a transcript
that shares its beginning with an earlier one says so instead of repeating it. ``max_depth``
bounds a path's length. Steps reached only by a command (/112, /privacy, /help) or by typed
concern words (a weapon, suicide) get transcripts of their own. Buttons back to steps told
elsewhere are listed, not followed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from bot.editor.speech import Seen
from bot.engine import Choice, Command, Event, Session, Start, Text, step
from bot.engine.answers import ANSWERS
from bot.engine.matching import WILDCARD
from bot.flows.model import Content
from bot.i18n.renderer import renderer_for

MAX_DEPTH = 12


@dataclass(frozen=True)
class Said:
    """One turn of a transcript: what the person did, and what they read back."""

    action: str
    step: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Transcript:
    number: int
    turns: tuple[Said, ...]
    shared: int = 0  # the first ``shared`` turns were told in transcript ``parent``
    parent: int = 0
    ends: str = ""  # why the path stops here

    def text(self) -> str:
        """The transcript as plain text: a heading, the turns, how it ends."""
        path = " > ".join(said.action for said in self.turns)
        lines = [f"== Transcript {self.number}: {path}"]
        if self.shared:
            lines.append(
                f"   (turns 1-{self.shared} as in transcript {self.parent}, "
                f"at {self.turns[self.shared - 1].step})"
            )
        for number, said in enumerate(self.turns, start=1):
            if number <= self.shared:
                continue
            lines.append(f"{number}. > {said.action}    [{said.step}]")
            lines.extend(said.lines)
        if self.ends:
            lines.append(f"   ({self.ends})")
        return "\n".join(lines) + "\n"


@dataclass
class _Node:
    said: Said
    session: Session
    seen: Seen
    parent: _Node | None
    depth: int
    children: list[_Node] = field(default_factory=list)
    told_in: int = 0  # the transcript that tells this turn
    ways: bool = False  # whether a button or an answer leads on from here

    def path(self) -> list[_Node]:
        node: _Node | None = self
        path: list[_Node] = []
        while node is not None:
            path.append(node)
            node = node.parent
        return path[::-1]


class _Walk:
    """A breadth-first walk: each step is reached by its shortest way, then told once."""

    def __init__(self, content: Content, lang: str | None, now: datetime, depth: int) -> None:
        self.content = content
        self.lang = lang
        self.now = now
        self.depth = depth
        self.reached: set[str] = set()
        self.roots: list[_Node] = []

    def play(
        self, session: Session | None, event: Event, action: str
    ) -> tuple[Said, Session, Seen]:
        turn = step(self.content, session, event, self.now)
        if turn.session is None:  # pragma: no cover - the walk never presses forget
            raise RuntimeError(f"{action} forgot the conversation")
        seen = Seen.of(turn.replies, renderer_for(self.content, turn.session.locale))
        return Said(action, turn.session.step, tuple(seen.lines("   "))), turn.session, seen

    def begin(self, first: tuple[Event, str] | None = None) -> None:
        """Walk from /start, or from an event right after /start (a command, typed words)."""
        said, session, seen = self.play(None, Start(locale_hint=self.lang), "/start")
        root = _Node(said, session, seen, None, 1)
        if self.roots:
            root.told_in = 1  # /start is told once, in the first transcript
        if first is not None:
            said, session, seen = self.play(session, *first)
            if said.step in self.reached:
                return
            root.children.append(_Node(said, session, seen, root, 2))
            self.reached.add(said.step)
            frontier = root.children[:]
        elif root.said.step in self.reached:
            return
        else:
            self.reached.add(root.said.step)
            frontier = [root]
        self.roots.append(root)
        while frontier:
            node = frontier.pop(0)
            if node.depth >= self.depth:
                continue
            for said, session, seen in self.choices(node):
                node.ways = True
                if said.step not in self.reached:
                    self.reached.add(said.step)
                    child = _Node(said, session, seen, node, node.depth + 1)
                    node.children.append(child)
                    frontier.append(child)

    def choices(self, node: _Node) -> Iterator[tuple[Said, Session, Seen]]:
        """Every way on from ``node``: its content buttons, then typed answers."""
        options = 0
        for button, label in zip(node.seen.buttons, node.seen.labels, strict=True):
            if button.kind == "option":
                options += 1
                yield self.play(node.session, Choice(button.token), f"[{label}]")
        way = self.content.steps[node.session.step].way
        answers = ANSWERS.get(type(way))
        for typed in answers.samples(self.content, way, options > 0) if answers else ():
            yield self.play(node.session, Text(typed), f'types "{typed}"')

    def transcripts(self) -> list[Transcript]:
        """One transcript per path from a root to a leaf, in the order a reader follows."""
        told: list[Transcript] = []
        for root in self.roots:
            self._tell(root, told)
        return told

    def _tell(self, node: _Node, told: list[Transcript]) -> None:
        if not node.children:
            path = node.path()
            shared = next((i for i, n in enumerate(path) if not n.told_in), len(path))
            parent = path[shared - 1].told_in if shared else 0
            number = len(told) + 1
            for part in path[shared:]:
                part.told_in = number
            ends = "" if node.ways else "the end"
            if node.depth >= self.depth:
                ends = f"stopped after {self.depth} turns"
            told.append(Transcript(number, tuple(n.said for n in path), shared, parent, ends))
            return
        for child in node.children:
            self._tell(child, told)


def walk(
    content: Content, lang: str | None, now: datetime, *, max_depth: int = MAX_DEPTH
) -> list[Transcript]:
    """The transcripts of ``content`` in ``lang``, from /start, then from each command and
    each concern's first word typed."""
    tour = _Walk(content, lang, now, max_depth)
    tour.begin()
    for command in ("112", "menu", "privacy", "help"):
        tour.begin((Command(command), f"/{command}"))
    for concern in content.concerns:
        typed = concern.words[0].rstrip(WILDCARD) if concern.words else ""
        tour.begin((Text(typed), f'types "{typed}"'))
    return tour.transcripts()
