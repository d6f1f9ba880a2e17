"""Delivering replies on a messaging platform: everything but the platform's own calls.

    delivery = Delivery("telegram", transport, shape, services, pacer=Pacer())
    outcome = await delivery.guard(arrival, lambda: delivery.turn(update_id, arrival, event))
    done = delivery.record(outcome, started)   # False: have the update delivered again

A platform brings what ``bot.channels.transport`` asks of it: its update reader (updates into
an ``Arrival``), its ``Shape`` (replies into its messages, kept as text until sent) and its
``Transport`` (one attempt at each call, and which of its errors mean what). This module does
the rest, the same for every platform:

- one update is handled in-line, start to end, under its chat's lock: run the turn
  (committed by ``Conversations``), acknowledge a pressed button, send the replies, put their
  ids on the ledger. An update acknowledged is an update done.
- replies are owed from the moment the turn commits: rendered in the turn's own transaction and
  kept in the store until sent (so a crash loses none), with the progress of a half-sent
  delivery in a small in-memory outbox; the redelivery of the update sends what is left. The
  ledger and the settling of what was owed go in one commit at the end.
- every call is paced; a rate limit is waited out as long as the platform asks (up to
  ``MAX_FLOOD_WAIT`` in all), a network error retried with backoff. A failure delivering the
  update again can cure (the database, the network, flood control beyond our patience) asks
  for that; anything else is logged by class and acknowledged, after a polite word.

Logs carry error classes only: no text, no chat or user ids.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from functools import partial
from typing import Generic, TypeVar

from bot import metrics as outcomes
from bot.channels.channel import Services
from bot.channels.outbox import Outbox
from bot.channels.pacing import Pacer
from bot.channels.transport import Arrival, Failure, Shape, Transport
from bot.engine import Event
from bot.engine.locales import negotiate
from bot.i18n.renderer import Renderer, renderer_for
from bot.service import HandleResult
from bot.storage import StorageError, TransientStoreError
from bot.storage.locks import KeyLocks

logger = logging.getLogger(__name__)

T = TypeVar("T")
M = TypeVar("M")

APOLOGY_TEXT = "not_understood"
# Seconds of rate limiting one call waits out before the update is handed back for
# redelivery; Telegram's own webhook request gives up after about a minute.
MAX_FLOOD_WAIT = 30.0
MAX_BACKOFF = 8.0


@dataclass(frozen=True)
class _Parcel(Generic[M]):
    """Messages owed to a chat; ``ledger`` is False for the confirmation of a forget."""

    chat: str
    messages: tuple[M, ...]
    ledger: bool = True


class Delivery(Generic[M]):
    def __init__(
        self,
        channel: str,
        transport: Transport[M],
        shape: Shape[M],
        services: Services,
        *,
        pacer: Pacer,
        forget_note: str | None = None,
    ) -> None:
        self._channel = channel
        self._transport = transport
        self._shape = shape
        self._conversations = services.conversations
        self._content = services.content
        self._metrics = services.metrics
        self._attempts = services.tuning.attempts
        self._pacer = pacer
        # An interface text sent after a forget's confirmation: where the platform lets no
        # one delete messages, the person learns they stay on the phone, and how to clear them.
        self._forget_note = forget_note
        self._chats = KeyLocks()
        self._outbox: Outbox[_Parcel[M]] = Outbox()

    # --- one update ----------------------------------------------------------------------------

    async def guard(self, arrival: Arrival, work: Callable[[], Awaitable[str]]) -> str:
        """``work``'s outcome; a failure is ``RETRY`` when delivering the update again may cure
        it, else ``FAILED``, after an apology."""
        try:
            return await work()
        except Exception as exc:
            if isinstance(exc, StorageError):
                self._metrics.store_failures.labels(exc.reason).inc()
            if self._transient(exc):
                logger.warning("update to be delivered again: %s", type(exc).__name__)
                return outcomes.RETRY
            logger.error("update failed: %s", type(exc).__name__)
            await self._apologise(arrival)
            return outcomes.FAILED

    def record(self, outcome: str, started: float | None = None) -> bool:
        """Count ``outcome`` (and the time since ``started``); whether the update is done."""
        self._metrics.updates.labels(self._channel, outcome).inc()
        if started is not None and outcome in (outcomes.PROCESSED, outcomes.DUPLICATE):
            elapsed = time.perf_counter() - started
            self._metrics.turn_seconds.labels(self._channel).observe(elapsed)
        return outcome != outcomes.RETRY

    async def turn(self, update_id: str, arrival: Arrival, event: Event) -> str:
        """A private chat's turn, its replies delivered; a redelivery gets what is owed."""
        key = self._conversations.key(self._channel, arrival.chat)
        # In this process, then across instances: one person's replies never interleave.
        async with self._chats.hold(key), self._conversations.hold(self._channel, arrival.chat):
            owed = self._outbox.take(update_id)
            if owed is not None:  # a redelivery of a turn whose replies were not all sent
                await self._deliver(update_id, owed)
                return outcomes.PROCESSED
            rendered: list[tuple[M, ...]] = []

            def owe(result: HandleResult) -> str | None:
                # Rendered inside the turn's transaction and kept with it, so a crash
                # before the sending still leaves the redelivery what it owes.
                if result.forgotten:
                    return None
                renderer = self._renderer(result.locale)
                rendered.append(self._shape.render(result.replies, renderer, arrival.page))
                return self._shape.encode(rendered[0])

            result = await self._conversations.handle(
                self._channel, arrival.chat, event, update_id=update_id, owe=owe
            )
            if result.duplicate:
                return await self._again(update_id, arrival, result.owed)
            if result.forgotten:
                await self._forget(update_id, arrival, result)
                return outcomes.PROCESSED
            parcel = _Parcel(arrival.chat, rendered[0])
            # Owed from the moment the turn committed: whatever fails from here on, the
            # redelivery (a duplicate to the store) still gets these replies.
            self._outbox.keep(update_id, parcel)
            await self.acknowledge(arrival.button)
            theirs = () if arrival.message_id is None else (arrival.message_id,)
            await self._deliver(update_id, parcel, theirs)
        return outcomes.PROCESSED

    async def _again(self, update_id: str, arrival: Arrival, owed: str | None) -> str:
        """A redelivery of a committed turn: the button is answered again (the platform shows
        a spinner until then), and what the turn still owes is sent (the process stopped
        after it committed)."""
        await self.acknowledge(arrival.button)
        if owed is None:
            return outcomes.DUPLICATE
        await self._deliver(update_id, _Parcel(arrival.chat, self._shape.decode(owed)))
        return outcomes.PROCESSED

    # --- forget --------------------------------------------------------------------------------

    async def _forget(self, update_id: str, arrival: Arrival, result: HandleResult) -> None:
        """The store has forgotten the person; now the chat's messages, both sides, as far as
        the platform allows, then a confirmation that leaves no trace: a notice on the pressed
        button, or else one message that is not put on any ledger."""
        by_chat: dict[str, set[str]] = {}
        for entry in result.messages:  # chat_ref "": the person's own chat
            by_chat.setdefault(entry.chat_ref or arrival.chat, set()).add(entry.message_id)
        if arrival.message_id is not None:  # the /forget itself
            by_chat.setdefault(arrival.chat, set()).add(arrival.message_id)
        for chat, ids in by_chat.items():
            await self._delete(chat, sorted(ids, key=_numeric))
        renderer = self._renderer(result.locale)
        said = [renderer.text(reply.text) for reply in result.replies if reply.text is not None]
        notice = said[0] if len(said) == 1 else ""
        if arrival.button is not None and notice and self._shape.fits_notice(notice):
            await self.acknowledge(arrival.button, notice)
            return
        await self.acknowledge(arrival.button)
        messages = self._shape.render(result.replies, renderer)
        if self._forget_note is not None:
            messages += (self._shape.plain(renderer.interface(self._forget_note)),)
        parcel = _Parcel(arrival.chat, messages, ledger=False)
        self._outbox.keep(update_id, parcel)
        await self._deliver(update_id, parcel)

    async def _delete(self, chat: str, ids: Sequence[str]) -> None:
        size = self._transport.delete_batch
        if not size:  # the platform deletes nothing
            return
        for start in range(0, len(ids), size):
            batch = ids[start : start + size]
            try:
                await self.call(partial(self._transport.delete, chat, batch))
            except Exception as exc:  # the data is gone already; a message left is no reason
                logger.warning("could not delete messages: %s", type(exc).__name__)

    # --- sending -------------------------------------------------------------------------------

    async def _deliver(
        self, update_id: str, parcel: _Parcel[M], theirs: Sequence[str] = ()
    ) -> None:
        """Send every message of ``parcel`` in order, keeping what is still owed in the outbox
        under ``update_id`` until all is sent. A transient failure is raised (the update is
        then delivered again and the rest sent); a permanent one (the person blocked the bot,
        a message the platform refuses) is logged and skipped.

        What was sent, and ``theirs`` (the person's own message), goes on the ledger in one
        transaction at the end, even when a send failed half-way.
        """
        owed = parcel.messages
        ledger = list(theirs)
        completed = False
        try:
            for index, message in enumerate(owed):
                self._outbox.keep(update_id, replace(parcel, messages=owed[index:]))
                try:
                    ledger.append(await self.send(parcel.chat, message))
                except Exception as exc:
                    if self._verdict(exc) is Failure.BLOCKED:
                        logger.info("the person has blocked the bot; replies dropped")
                        break
                    if self._transient(exc):
                        raise
                    logger.error("a message was refused: %s", self._describe(exc))
                self._outbox.keep(update_id, replace(parcel, messages=owed[index + 1 :]))
            completed = True
        finally:
            if parcel.ledger:
                # Settled in the same commit that puts the sent ids on the ledger: a turn's
                # delivery costs one transaction, and what is owed goes when it is sent.
                settled = update_id if completed else None
                kept = ledger if self._transport.delete_batch else []
                await self._conversations.remember_messages(
                    self._channel, parcel.chat, "", kept, settled=settled
                )
        self._outbox.take(update_id)

    async def send(self, chat: str, message: M) -> str:
        """Send one message, paced and retried; its id."""
        return await self.call(partial(self._transport.send, chat, message))

    async def acknowledge(self, button: str | None, notice: str | None = None) -> None:
        """Answer a pressed button; failing to is no reason to fail the turn, which is done."""
        if button is None:
            return
        try:
            await self.call(partial(self._transport.acknowledge, button, notice))
        except Exception as exc:
            logger.warning("could not answer a button: %s", self._describe(exc))

    async def _apologise(self, arrival: Arrival) -> None:
        """After a failure no redelivery can cure: a short word rather than silence."""
        await self.acknowledge(arrival.button)
        if not arrival.private:
            return
        content = self._content()
        text = renderer_for(content, negotiate(content, arrival.language)).interface(APOLOGY_TEXT)
        try:
            await self.send(arrival.chat, self._shape.plain(text))
        except Exception as exc:
            logger.warning("could not apologise: %s", type(exc).__name__)

    # --- calls, errors -------------------------------------------------------------------------

    async def call(self, call: Callable[[], Awaitable[T]]) -> T:
        """One platform call, paced. A rate limit is waited out for as long as the platform
        asks, up to ``MAX_FLOOD_WAIT`` in all: it says when to come back, so giving up sooner
        would only lose a reply. A network error is retried ``attempts`` times, backing off."""
        failures = 0
        flood_wait = 0.0
        while True:
            await self._pacer.acquire()
            try:
                return await call()
            except Exception as exc:
                verdict = self._transport.classify(exc)
                if verdict is None:
                    raise
                self.count_error(exc)
                if verdict.failure is Failure.RATE_LIMITED:
                    flood_wait += verdict.retry_after
                    if flood_wait > MAX_FLOOD_WAIT:
                        raise
                    if verdict.one_chat:  # only this chat waits; it holds its chat's lock
                        await self._pacer.sleep(verdict.retry_after)
                    else:
                        self._pacer.hold_off(verdict.retry_after)
                elif verdict.failure is Failure.TRANSIENT:
                    failures += 1
                    if failures >= self._attempts:
                        raise
                    await self._pacer.sleep(min(0.5 * 2 ** (failures - 1), MAX_BACKOFF))
                else:
                    raise

    def _transient(self, exc: BaseException) -> bool:
        """Whether delivering the update again may succeed: the database or the network was
        down, or the platform's flood control outlasted our retries."""
        verdict = self._verdict(exc)
        if verdict is not None:
            return verdict in (Failure.TRANSIENT, Failure.RATE_LIMITED)
        return isinstance(exc, TransientStoreError | OSError | TimeoutError)

    def _describe(self, exc: Exception) -> str:
        """The error's class, and the platform's code when it gives one (131047)."""
        verdict = self._transport.classify(exc)
        reason = verdict.reason if verdict is not None else ""
        return f"{type(exc).__name__} {reason}".strip()

    def count_error(self, exc: BaseException) -> None:
        self._metrics.api_errors.labels(self._channel, type(exc).__name__).inc()

    def _verdict(self, exc: BaseException) -> Failure | None:
        verdict = self._transport.classify(exc) if isinstance(exc, Exception) else None
        return None if verdict is None else verdict.failure

    def _renderer(self, locale: str | None) -> Renderer:
        return renderer_for(self._content(), locale)


def _numeric(message_id: str) -> tuple[int, str]:
    """Numeric ids in numeric order (platforms number a chat's messages upwards)."""
    return len(message_id), message_id
