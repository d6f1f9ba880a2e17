"""What a person reads after one turn, as plain lines: shared by tests and transcripts.

seen = Seen.of(turn.replies, renderer_for(content, locale))
seen.texts      # the messages, translated and filled in
seen.labels     # the buttons' labels, as shown
seen.cards      # the names of the contact and service cards
seen.lines()    # all of it, indented, as a transcript shows it
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.engine import Button, Reply
from bot.i18n.renderer import Renderer

# Bidi controls the renderer puts around numbers in right-to-left text: invisible to a reader.
_INVISIBLE = dict.fromkeys(map(ord, "\u2066\u2067\u2068\u2069\u200e\u200f"))


def plain(text: str) -> str:
    """``text`` without invisible bidi controls, case folded: how tests compare texts."""
    return " ".join(text.translate(_INVISIBLE).casefold().split())


@dataclass(frozen=True)
class Seen:
    texts: tuple[str, ...]
    cards: tuple[str, ...]
    buttons: tuple[Button, ...]
    labels: tuple[str, ...]
    expects_text: bool
    facts: tuple[str, ...] = ()  # the cards' lines: phone, open now, hours, source

    @classmethod
    def of(cls, replies: tuple[Reply, ...], renderer: Renderer) -> Seen:
        buttons = tuple(button for reply in replies for button in reply.buttons)
        cards = [card for r in replies for card in r.contacts]
        return cls(
            texts=tuple(renderer.text(r.text) for r in replies if r.text is not None),
            cards=tuple(renderer.text(card.name) for card in cards),
            buttons=buttons,
            labels=tuple(renderer.label(button) for button in buttons),
            expects_text=any(reply.expects_text for reply in replies),
            facts=tuple(fact.text for card in cards for fact in renderer.card(card)),
        )

    def lines(self, indent: str = "  ") -> list[str]:
        """The turn as a transcript shows it: messages, [cards], numbered buttons."""
        lines: list[str] = []
        for text in self.texts:
            first, *rest = text.splitlines() or [""]
            lines.append(f"{indent}Lotsen: {first}")
            lines.extend(f"{indent}        {line}" for line in rest)
        lines.extend(f"{indent}  [{name}]" for name in self.cards)
        for number, label in enumerate(self.labels, start=1):
            lines.append(f"{indent}  {number}) {label}")
        if self.expects_text:
            lines.append(f"{indent}  (typed text is read here)")
        return lines
