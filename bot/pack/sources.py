"""Where each part of a loaded pack was written, so a rule that runs late can still point."""

from __future__ import annotations

from dataclasses import dataclass

from bot.source.position import Position
from bot.source.yamlsrc import Document


@dataclass(frozen=True)
class SourceMap:
    pack: Document | None
    flows: dict[str, Document]

    def step(self, ref: str, *path: str | int) -> Position:
        """The position of ``path`` inside step ``ref`` (``"options", 2, "goto"``)."""
        flow_id, _, step_id = ref.partition(".")
        document = self.flows.get(flow_id)
        if document is None:
            return self.in_pack()
        return document.at(("steps", step_id, *path))

    def step_key(self, ref: str) -> Position:
        """Where the step's id is written: the line an editor looks for."""
        flow_id, _, step_id = ref.partition(".")
        document = self.flows.get(flow_id)
        if document is None:
            return self.in_pack()
        return document.key_at(("steps", step_id))

    def in_pack(self, *path: str | int) -> Position:
        if self.pack is None:
            return Position("lotsen.yaml", 1, 1)
        return self.pack.at(path)
