"""The imperative shell every channel uses: one person's event in, replies out, state kept.

    conversations = Conversations(store, lambda: content, secret, clock)
    result = await conversations.handle("telegram", str(user.id), Choice(token), update_id="42")
    if not result.duplicate:
        ...  # render result.replies in result.locale; after a forget, delete result.messages

A turn runs inside the person's lock and one transaction: drop an update already answered,
ask the engine, save (or delete) the session, count the step reached, commit. Two presses on
the same chat are answered one after the other, and a crash leaves either the whole turn
or none of it. Nothing here knows a platform: channels pass plain strings.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime

from bot.engine import Event, Reply, Session, Turn
from bot.engine import step as engine_step
from bot.flows.model import Content
from bot.storage.keys import session_key
from bot.storage.protocol import LedgerEntry, Store, Usage

logger = logging.getLogger(__name__)

StepFunction = Callable[[Content, Session | None, Event, datetime], Turn]


class UnknownSession(Exception):
    """``handle(..., existing=True)`` for a person with no session: it was forgotten, it
    expired, or it never began. Nothing was written."""


@dataclass(frozen=True)
class HandleResult:
    """What a channel does next.

    ``duplicate``: the update was answered before; send nothing but ``owed``, the replies
    that turn committed and did not get to send (a crash in between). ``forgotten``: everything
    about the person is gone; delete ``messages`` from the chat (the ledger as it was) and
    record nothing new for them. ``locale`` is the person's language for rendering (after a
    forget, the language they had).
    """

    replies: tuple[Reply, ...] = ()
    locale: str | None = None
    duplicate: bool = False
    forgotten: bool = False
    messages: tuple[LedgerEntry, ...] = ()
    owed: str | None = None  # on a duplicate: what that turn still owes (see ``owe``)


class Conversations:
    """Every person's conversation, on every channel, through one store."""

    def __init__(
        self,
        store: Store,
        content_provider: Callable[[], Content],
        secret: bytes,
        clock: Callable[[], datetime],
        *,
        step: StepFunction = engine_step,
    ) -> None:
        self._store = store
        self._content = content_provider  # asked every turn, so reloaded content applies
        self._secret = secret
        self._clock = clock
        self._step = step

    def key(self, channel: str, platform_id: str) -> str:
        """The session key of ``platform_id`` on ``channel`` (an HMAC; see bot.storage.keys)."""
        return session_key(self._secret, channel, platform_id)

    async def handle(
        self,
        channel: str,
        platform_id: str,
        event: Event,
        *,
        update_id: str | None = None,
        owe: Callable[[HandleResult], str | None] | None = None,
        existing: bool = False,
        settles: str | None = None,
    ) -> HandleResult:
        """Answer ``event`` from ``platform_id`` on ``channel``. ``update_id`` (the
        platform's id of this delivery, or the web client's id of its event, when there is
        one) makes a redelivery a no-op.
        ``existing``: only for a person who has a session; otherwise raise
        :class:`UnknownSession` (the web chat's tokens: a forgotten one does not start again).
        ``settles``: an earlier update id on this channel whose owed replies are now known
        delivered, settled in this turn's transaction (not on a redelivery, which commits
        nothing).

        ``owe`` renders the result as the channel will send it; that payload is kept in the
        turn's own transaction until settled by ``remember_messages(settled=...)``, so a
        crash between the commit and the sending still leaves the redelivery
        (``HandleResult.owed``) something to send.
        """
        started = time.perf_counter()
        try:
            key = self.key(channel, platform_id)
            result = await self._turn(
                channel, key, event, update_id, owe, existing=existing, settles=settles
            )
        except UnknownSession:
            raise
        except Exception as exc:
            # The class only: an exception's message may quote what the person typed.
            logger.error("turn failed: %s", type(exc).__name__)
            raise
        logger.debug("turn handled in %.1f ms", (time.perf_counter() - started) * 1000)
        return result

    async def _turn(
        self,
        channel: str,
        key: str,
        event: Event,
        update_id: str | None,
        owe: Callable[[HandleResult], str | None] | None,
        *,
        existing: bool = False,
        counted: bool = True,
        settles: str | None = None,
    ) -> HandleResult:
        async with self._store.conversation(key, channel, update_id=update_id) as conv:
            if existing and conv.session is None:
                raise UnknownSession()
            if update_id is not None and await conv.seen_update(update_id):
                logger.debug("dropped a redelivered update")
                return HandleResult(duplicate=True, owed=await conv.owed(update_id))
            # Read the clock and the content inside the lock: a turn that waited sees the
            # time it runs at and the content live when it runs.
            now = self._clock()
            before = conv.session
            turn = self._step(self._content(), before, event, now)
            if turn.session is None:
                messages = await conv.delete()
                locale = before.locale if before is not None else None
                result = HandleResult(turn.replies, locale, forgotten=True, messages=messages)
            else:
                await conv.save(turn.session)
                if counted:
                    await conv.count(Usage.of(turn.session, channel=channel, day=now.date()))
                result = HandleResult(turn.replies, turn.session.locale)
            payload = owe(result) if owe is not None and update_id is not None else None
            if payload is not None and update_id is not None:
                await conv.owe(update_id, payload)
            if settles is not None and settles != update_id:
                await conv.settle(settles)
        return result

    async def begin(self, channel: str, platform_id: str, event: Event) -> None:
        """Give a new person a session now (``event``, a Start), without counting a visit:
        their first real turn counts. The web chat begins a session when it issues its token,
        so that later a token whose session is gone can be told from a new one."""
        key = self.key(channel, platform_id)
        await self._turn(channel, key, event, None, None, counted=False)

    def hold(self, channel: str, platform_id: str) -> AbstractAsyncContextManager[None]:
        """Hold the person while their turn is answered and its replies sent, across
        instances where the store is shared (see ``Store.hold``)."""
        return self._store.hold(self.key(channel, platform_id))

    async def seen_update(self, channel: str, update_id: str) -> bool:
        """Record an update that starts no turn (a group's greeting) as processed; True when
        it already was, so a redelivery of it is not answered twice."""
        return await self._store.seen_update(channel, update_id)

    async def remember_messages(
        self,
        channel: str,
        platform_id: str,
        chat_ref: str,
        message_ids: Sequence[str],
        *,
        settled: str | None = None,
    ) -> None:
        """Put messages sent in the person's chat on their ledger, in one transaction, so
        ``/forget`` can delete them within the 48 hours the platform allows; ``settled``, an
        update id whose owed replies are now all sent, goes in the same one. Not after a
        forget: that would start a new ledger for someone who asked to be forgotten."""
        if message_ids or settled is not None:
            key = self.key(channel, platform_id)
            settle = (channel, settled) if settled is not None else None
            await self._store.record_messages(
                key, chat_ref, message_ids, self._clock(), settle=settle
            )
