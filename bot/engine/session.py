"""A conversation's state: small, serialisable, and holding nothing the person typed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
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
        return replace(self, step=step, back=back)

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
        return cls(
            step=str(data["step"]),
            version=str(data["version"]),
            started=datetime.fromisoformat(data["started"]),
            updated=datetime.fromisoformat(data["updated"]),
            back=tuple(str(ref) for ref in data.get("back", ())),
            variables={str(k): str(v) for k, v in dict(data.get("variables", {})).items()},
            locale=data.get("locale"),
            locale_chosen=bool(data.get("locale_chosen", False)),
        )
