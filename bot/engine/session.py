"""A conversation's state: small, serialisable, and holding nothing the person typed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

MAX_BACK = 20  # a back-stack deeper than this is no help to anyone and only grows the row


@dataclass(frozen=True)
class Session:
    """Where a person is: the step (``"flow.step"``), how they got there, what they chose.

    ``variables`` hold only values the content defines (a choice, a matcher's result),
    never typed text. ``version`` is the content version the session last saw.
    """

    step: str
    version: str
    started: datetime
    updated: datetime
    back: tuple[str, ...] = ()
    variables: Mapping[str, str] = field(default_factory=dict)
    locale: str | None = None
    locale_chosen: bool = False

    @property
    def flow(self) -> str:
        return self.step.split(".", 1)[0]

    def moved_to(self, step: str, *, remember: bool) -> Session:
        """The session at ``step``; ``remember`` pushes the current step on the back-stack."""
        back = self.back
        if remember and step != self.step and (not back or back[-1] != self.step):
            back = (*back, self.step)[-MAX_BACK:]
        return self.evolve(step=step, back=back)

    def evolve(self, **changes: Any) -> Session:
        """This session with ``changes``, as ``dataclasses.replace`` makes it, three times a
        turn: ``replace`` reads the fields and runs the frozen ``__init__`` (a
        ``object.__setattr__`` per field) each time, a fifth of the engine's time
        (``bench/engine_bench.py`` under cProfile); this copies the fields at once. The
        session has no ``__post_init__`` to skip, and a name that is not a field is still
        refused."""
        unknown = changes.keys() - _FIELDS
        if unknown:
            raise TypeError(f"Session has no field {sorted(unknown)[0]!r}")
        return _made(**{**self.__dict__, **changes})

    def to_dict(self) -> dict[str, Any]:
        return {
            "step": self.step,
            "version": self.version,
            "started": self.started.isoformat(),
            "updated": self.updated.isoformat(),
            "back": list(self.back),
            "variables": dict(self.variables),
            "locale": self.locale,
            "locale_chosen": self.locale_chosen,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Session:
        return _made(
            step=str(data["step"]),
            version=str(data["version"]),
            started=datetime.fromisoformat(data["started"]),
            updated=datetime.fromisoformat(data["updated"]),
            back=tuple(str(ref) for ref in data.get("back", ())),
            variables={str(k): str(v) for k, v in dict(data.get("variables", {})).items()},
            locale=data.get("locale"),
            locale_chosen=bool(data.get("locale_chosen", False)),
        )


_FIELDS = frozenset(field.name for field in fields(Session))


def _made(**values: Any) -> Session:
    """A session of ``values``, every field given, without the frozen ``__init__``'s
    ``object.__setattr__`` per field (a session is made on every load and every turn)."""
    session = object.__new__(Session)
    session.__dict__.update(values)
    return session
