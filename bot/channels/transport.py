"""What a messaging platform gives the delivery (``bot.channels.delivery``): three small parts.

    arrival = read_update(update)      # the platform's update reader: an Arrival, or None
    messages = shape.render(replies, renderer)   # a Shape: its messages, and kept as text
    message_id = await transport.send(arrival.chat, messages[0])   # a Transport: its calls

A Transport makes one attempt per call; the delivery paces and retries them, asking
``classify`` what an error means. Ids (chats, messages, buttons) are the platform's own, as
text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Protocol, TypeVar

from bot.engine import Event, Reply
from bot.i18n.renderer import Renderer

M = TypeVar("M")
M_in = TypeVar("M_in", contravariant=True)


class Failure(Enum):
    """What a platform's error means for the call that raised it."""

    TRANSIENT = "transient"  # the network: try again, backing off
    RATE_LIMITED = "rate_limited"  # flood control: wait as long as the platform says
    PERMANENT = "permanent"  # the platform refuses this call: trying again would not help
    BLOCKED = "blocked"  # the person blocked the bot: nothing more reaches them


@dataclass(frozen=True)
class Verdict:
    failure: Failure
    retry_after: float = 0.0  # seconds, for RATE_LIMITED
    # RATE_LIMITED: True when the limit is one chat's (WhatsApp's per-recipient limit), so
    # only that chat waits; False when it is the whole bot's, and every sender waits.
    one_chat: bool = False
    reason: str = ""  # the platform's error code, for the log (never a text or an id)


@dataclass(frozen=True)
class Page:
    """A later page of a long list of buttons, where a platform shows few at once: its
    number, and the key of the list it belongs to, so that a press on an old list's "more"
    shows the page only when the person is still where that list was."""

    number: int
    of: str


@dataclass(frozen=True)
class Arrival:
    """One update, read by the platform's update reader into plain values. ``event`` None
    means nothing to answer in a private chat; ``greet`` asks a group for its one answer."""

    chat: str
    private: bool
    event: Event | None = None
    message_id: str | None = None  # the person's own message, for the forget ledger
    button: str | None = None  # a pressed button, to acknowledge
    language: str | None = None
    greet: bool = False
    page: Page | None = None  # asked for by a "more" button (WhatsApp)


class Transport(Protocol[M_in]):
    """A platform's calls, one attempt each; the delivery paces and retries them."""

    # Message ids one delete call takes at most; 0: the platform deletes no messages, so
    # none of their ids is kept for a forget.
    delete_batch: int

    async def send(self, chat: str, message: M_in) -> str:
        """Send ``message``; the sent message's id."""
        ...

    async def delete(self, chat: str, message_ids: Sequence[str]) -> None: ...

    async def acknowledge(self, button: str, notice: str | None) -> None:
        """Answer a pressed button, with a short notice shown on it or none."""
        ...

    def classify(self, error: Exception) -> Verdict | None:
        """What ``error`` means, when it is the platform's; None for any other."""
        ...


class Shape(Protocol[M]):
    """A platform's messages: replies rendered, plain text, and both kept as text."""

    def render(
        self, replies: Sequence[Reply], renderer: Renderer, page: Page | None = None
    ) -> tuple[M, ...]:
        """The replies as messages; ``page``: that page of the last reply's buttons alone,
        where the platform shows few buttons at once (None everywhere else)."""
        ...

    def plain(self, text: str) -> M: ...

    def encode(self, messages: Sequence[M]) -> str: ...

    def decode(self, payload: str) -> tuple[M, ...]: ...

    def fits_notice(self, text: str) -> bool:
        """Whether ``text`` can be shown on a pressed button instead of sent."""
        ...
