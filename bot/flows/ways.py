"""The ways on from a step: one frozen dataclass for each kind, and the buttons they show.

A step has exactly one way on (``Step.way``), so the type says what the format says:

    Options((Option("Om tjänsten", "home.about"),))   # buttons; the conversation waits
    Ask(store="age", goto="home.done", number=(...))  # a question; buttons allowed beside it
    Next("home.menu")                                 # continue at once to another step
    End()                                             # only the navigation buttons remain

What each kind means to the loader, the validator, the engine and the editors is told once,
in the table of :mod:`bot.flows.kinds`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TypeAlias

from bot.source.position import Position


@dataclass(frozen=True)
class Condition:
    """Show an option only when session variable ``var`` holds one of ``values``."""

    var: str
    values: frozenset[str]

    def holds(self, variables: Mapping[str, str]) -> bool:
        return variables.get(self.var) in self.values


@dataclass(frozen=True)
class Option:
    """A button: its label (a msgid), the step it leads to, variables it sets. ``short``:
    a shorter label (a msgid) for platforms that show few characters on a button."""

    label: str
    goto: str
    sets: Mapping[str, str] = field(default_factory=dict)
    when: tuple[Condition, ...] = ()
    position: Position | None = None
    short: str | None = None

    def visible(self, variables: Mapping[str, str]) -> bool:
        return not self.when or all(condition.holds(variables) for condition in self.when)


@dataclass(frozen=True)
class NumberRange:
    """``below`` is exclusive; a range without ``below`` takes every number left."""

    value: str
    below: int | None = None


@dataclass(frozen=True)
class Options:
    """Buttons: the conversation waits until one is pressed (or its label or number typed)."""

    options: tuple[Option, ...]


@dataclass(frozen=True)
class Ask:
    """A free-text question. The typed text is matched, then dropped; only the match is kept.

    Exactly one matcher is set: ``keywords`` (value -> words or phrases that mean it),
    ``number`` (a whole number in the text, put into ranges) or ``municipality`` (a
    municipality's name, forgiving typos and missing å/ä/ö; its code is kept). ``options``
    are buttons shown beside the question.
    """

    store: str
    goto: str
    keywords: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    number: tuple[NumberRange, ...] = ()
    municipality: bool = False  # the matcher: a municipality's name, stored as its SCB code
    otherwise: str | None = None
    # Asked once: a person whose ``store`` already holds an answer goes straight on to
    # ``goto`` without being asked again (the municipality, told in another flow).
    once: bool = False
    options: tuple[Option, ...] = ()
    position: Position | None = None

    @property
    def values(self) -> frozenset[str]:
        """Every value this question can store."""
        return frozenset(self.keywords) | frozenset(r.value for r in self.number)


@dataclass(frozen=True)
class Next:
    """Continue at once to ``goto``, without waiting for the person."""

    goto: str


@dataclass(frozen=True)
class End:
    """The end of a flow: only the navigation buttons remain."""


Way: TypeAlias = Options | Ask | Next | End
