"""Reading a step's one way on from its YAML, as the table of kinds says
(``bot.flows.kinds.KINDS``), and the problem of a step written with none or several.

    way, problem = read_way(StepReading(resolve, sources, "home.about", "home", body))
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from bot.flows.kinds import KINDS, choices, kind_of
from bot.flows.values import items, mapping, sets_of, text_of
from bot.flows.ways import Condition, End, Option, Way
from bot.pack.sources import SourceMap
from bot.source.position import Position
from bot.source.problems import Problem

# (raw reference, flow it is written in, where, what) -> full `flow.step`, unknown ones reported
Resolve = Callable[[str, str | None, Position, str], str]


@dataclass
class StepReading:
    """One step's YAML as the kinds read it (``bot.flows.kinds.Reading``): step references
    resolved, unknown ones reported where they are written."""

    resolve: Resolve
    sources: SourceMap
    ref: str
    flow_id: str
    body: Mapping[str, Any]

    def target(self, raw: Any, *path: str | int) -> str | None:
        if not isinstance(raw, str):
            return None
        return self.resolve(raw, self.flow_id, self.at(*path), f"`{path[-1]}`")

    def at(self, *path: str | int) -> Position:
        return self.sources.step(self.ref, *path)

    @cached_property
    def buttons(self) -> tuple[Option, ...]:
        """Read once, though both an `options` step and an `ask` show them."""
        raw = items(self.body.get("options"))
        return tuple(self._button(index, mapping(option)) for index, option in enumerate(raw))

    def _button(self, index: int, option: Mapping[str, Any]) -> Option:
        return Option(
            label=text_of(option.get("label")) or "",
            goto=self.target(option.get("goto"), "options", index, "goto") or "",
            sets=sets_of(option.get("set")),
            when=_when(option.get("when")),
            position=self.at("options", index),
            short=text_of(option.get("short")),
        )


def _when(value: Any) -> tuple[Condition, ...]:
    if not isinstance(value, Mapping):
        return ()
    conditions = []
    for var, wanted in value.items():
        values = wanted if isinstance(wanted, list) else [wanted]
        conditions.append(Condition(str(var), frozenset(str(v) for v in values)))
    return tuple(conditions)


def read_way(reading: StepReading) -> tuple[Way, Problem | None]:
    """The step's one way on, and the problem when it has none (it then ends) or several
    (the last kind of the table is kept, and names the others)."""
    written: list[Way] = [
        way
        for kind in KINDS.values()
        if (way := kind.read(reading.body.get(kind.key), reading)) is not None
    ]
    parts = {key for way in written for key in kind_of(way).beside}  # an ask's buttons
    ways = [way for way in written if kind_of(way).key not in parts]
    if not ways:
        return End(), _dead_end(reading)
    return ways[-1], _conflict(reading, ways[-1], written) if len(ways) > 1 else None


def _dead_end(reading: StepReading) -> Problem:
    message = f"`{reading.ref}` has no way on: give it {choices()}"
    return Problem.at(reading.sources.step_key(reading.ref), "error", "dead-end", message)


def _conflict(reading: StepReading, kept: Way, written: list[Way]) -> Problem:
    kind = kind_of(kept)
    also = _either([f"`{kind_of(way).key}`" for way in written if way is not kept])
    at = kind.conflict_at
    where = reading.at(at) if at else reading.sources.step_key(reading.ref)
    message = f"{kind.conflict}, so it cannot also have {also}; a step has one way on: "
    return Problem.at(where, "error", "ways-conflict", message + choices())


def _either(words: list[str]) -> str:
    """``a``, ``a or b``, ``a, b or c``."""
    return " or ".join([", ".join(words[:-1]), words[-1]]) if len(words) > 1 else "".join(words)
