"""The load generator: many simulated people walking a bot's flows through its webhook.

    python bench/loadgen.py --webhook http://127.0.0.1:18090/telegram/webhook \
        --fake http://127.0.0.1:18081 --chats 500 --saturation 3000 --concurrency 16 \
        --rate 100 --fixed 1000

Each person starts with /start, then presses one of the buttons of the last message the bot
sent them (read from the fake Bot API), or now and then types a sentence, and after a few
steps starts again. One update per person is in flight at a time, as a person reads before
pressing. Three phases, printed as one JSON object:

- warm-up: every chat sends /start (not measured);
- saturation: a closed loop of ``--concurrency`` senders, ``--saturation`` updates;
- fixed load: an open loop offering ``--rate`` updates a second, ``--fixed`` updates.

Latency is from sending the update to the webhook's answer; Lotsen and the baselines answer
only when the update is done (replies sent, and for Lotsen committed).

Several ``--webhook`` URLs (``--webhook URL1 URL2 URL3``, or the option repeated) are
several instances of one bot behind a round-robin balancer: each update goes to the next
URL in turn, whoever it is from, so one person's updates land on any instance (still one
at a time). Every phase's JSON also counts the failures by kind (``failures``: the HTTP
status of an answer other than 200, or ``connection`` when none came).

With ``--whatsapp`` (and ``--app-secret``, ``--phone-number-id``) the same people talk to
Lotsen's WhatsApp webhook instead, as Meta would deliver them: one signed webhook
(``X-Hub-Signature-256``) per message, each with a fresh ``wamid``. A person (a wa_id,
4670 and seven digits) starts with "Hej", then presses one of the rows of the last
interactive message sent to them (a ``button_reply`` or ``list_reply``, read from the fake
Graph API) or now and then types a sentence, and after a few steps says "Hej" again:

    python bench/loadgen.py --whatsapp --webhook http://127.0.0.1:18090/whatsapp/webhook \
        --fake http://127.0.0.1:18081 --app-secret 0123456789abcdef0123456789abcdef \
        --phone-number-id 109876543210987

With ``--web BASE_URL`` (no ``--webhook``, no ``--fake``) the same people use a web chat's
JSON API instead, as its page would (``bot.channels.web``): each first gets a session
(``POST /api/session``, in the warm-up, not measured), then sends one event at a time to
``POST /api/event``, each with a fresh client id: ``start``, then the token of one of the
buttons of the last answer (a ``choice``) or now and then a sentence (a ``text``), and
after a few steps ``start`` again. The answer itself carries the buttons, so no fake is
asked; latency is from sending the event to its answer. Every request has the header
``Origin: BASE_URL``, as a browser on the page would send, and ``X-Forwarded-For`` with an
address of the person's own (10.x.y.z), as a reverse proxy would pass it: with
``LOTSEN_WEB_CLIENT_ADDRESS_HEADER=X-Forwarded-For`` each person is a client of its own
for the web chat's per-client rate limits, as 500 people on 500 machines would be. The
JSON also has ``replies_per_event`` (replies in an answer, over every answered event):

    python bench/loadgen.py --web http://127.0.0.1:18090
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import itertools
import json
import os
import random
import statistics
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any

import aiohttp

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
WALK = 8  # steps before a person starts again
TYPING = 0.2  # share of steps where the person types instead of pressing
TEXTS = (
    "Jag är orolig för min son",
    "Nyköping",
    "vad händer om jag ringer socialtjänsten?",
    "jag bor i Mora",
    "tack",
    "meny",
)
CHAT_BASE = 880_000_000
WA_GREETING = "Hej"  # what a WhatsApp person first writes (nobody types /start there)
SIGNATURE_HEADER = "X-Hub-Signature-256"


@dataclass
class Person:
    chat_id: int
    rng: random.Random
    left: int = 0
    own_message_id: int = 1_000_000
    session: str | None = None  # the web chat's session token
    buttons: list[str] = field(default_factory=list)  # the web chat's last answer's tokens


@dataclass
class Phase:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    failures: Counter[str] = field(default_factory=Counter)
    started: float = 0.0
    ended: float = 0.0

    def summary(self) -> dict[str, Any]:
        done = len(self.latencies)
        elapsed = max(self.ended - self.started, 1e-9)
        ordered = sorted(self.latencies)
        return {
            "updates": done,
            "errors": self.errors,
            "seconds": round(elapsed, 3),
            "updates_per_second": round(done / elapsed, 1),
            "p50_ms": round(_percentile(ordered, 0.50) * 1000, 1),
            "p99_ms": round(_percentile(ordered, 0.99) * 1000, 1),
            "mean_ms": round(statistics.fmean(ordered) * 1000, 1) if ordered else 0.0,
            "failures": dict(sorted(self.failures.items())),
        }


def _percentile(ordered: list[float], q: float) -> float:
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


class Load:
    def __init__(self, args: argparse.Namespace, session: aiohttp.ClientSession) -> None:
        self.args = args
        self.http = session
        self.update_ids = itertools.count(1)
        self.headers = {SECRET_HEADER: args.secret}
        self.webhooks = itertools.cycle(args.webhook or [])  # round-robin over the instances

    async def next_update(self, person: Person) -> dict[str, Any]:
        person.own_message_id += 1
        if person.left <= 0:
            person.left = WALK
            return self._message(person, "/start")
        person.left -= 1
        async with self.http.get(f"{self.args.fake}/_last/{person.chat_id}") as response:
            last = await response.json()
        buttons = [b for b in last["buttons"] if "forget" not in b[1]]
        if not buttons or person.rng.random() < TYPING:
            return self._message(person, person.rng.choice(TEXTS))
        _label, data = person.rng.choice(buttons)
        return self._callback(person, last["message_id"], data)

    def _message(self, person: Person, text: str) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": person.own_message_id,
            "date": int(time.time()),
            "chat": {"id": person.chat_id, "type": "private", "first_name": "Person"},
            "from": _user(person.chat_id),
            "text": text,
        }
        if text.startswith("/"):
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text)}]
        return {"update_id": next(self.update_ids), "message": message}

    def _callback(self, person: Person, message_id: int, data: str) -> dict[str, Any]:
        update_id = next(self.update_ids)
        return {
            "update_id": update_id,
            "callback_query": {
                "id": f"cq{update_id}",
                "from": _user(person.chat_id),
                "chat_instance": "ci",
                "message": {
                    "message_id": message_id,
                    "date": int(time.time()),
                    "chat": {"id": person.chat_id, "type": "private", "first_name": "Person"},
                    "from": {"id": 7000001, "is_bot": True, "first_name": "Bench"},
                    "text": "...",
                },
                "data": data,
            },
        }

    async def request(self, person: Person) -> dict[str, Any]:
        """The next update's POST to the webhook, as ``aiohttp`` keyword arguments."""
        return {"json": await self.next_update(person), "headers": self.headers}

    def answered(self, person: Person, body: bytes) -> None:
        """A 200 answer's body: nothing to read on a messaging platform, whose replies go to
        the fake instead."""
        return None

    async def step(self, person: Person, phase: Phase | None) -> None:
        request = await self.request(person)
        url = next(self.webhooks)
        started = time.perf_counter()
        failure = None
        body = b""
        try:
            async with self.http.post(url, **request) as response:
                body = await response.read()
                if response.status != 200:
                    failure = str(response.status)
        except aiohttp.ClientError:
            failure = "connection"
        took = time.perf_counter() - started
        if failure is None:
            self.answered(person, body)
        if phase is None:
            return
        if failure is None:
            phase.latencies.append(took)
        else:
            phase.errors += 1
            phase.failures[failure] += 1

    async def closed(self, people: list[Person], total: int, phase: Phase | None) -> None:
        """``concurrency`` senders, each taking the next idle person, ``total`` updates."""
        idle = deque(people)
        budget = iter(range(total))

        async def sender() -> None:
            for _ in budget:
                person = idle.popleft()
                await self.step(person, phase)
                idle.append(person)

        if phase is not None:
            phase.started = time.perf_counter()
        await asyncio.gather(*(sender() for _ in range(self.args.concurrency)))
        if phase is not None:
            phase.ended = time.perf_counter()

    async def open(self, people: list[Person], total: int, rate: float, phase: Phase) -> None:
        """Offer ``rate`` updates a second whatever the bot's pace, ``total`` updates."""
        idle = deque(people)
        waiting = asyncio.Event()
        tasks: set[asyncio.Task[None]] = set()

        async def one(person: Person) -> None:
            await self.step(person, phase)
            idle.append(person)
            waiting.set()

        phase.started = start = time.perf_counter()
        for index in range(total):
            delay = start + index / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            while not idle:  # every person is waiting for an answer: the bot is far behind
                waiting.clear()
                await waiting.wait()
            task = asyncio.create_task(one(idle.popleft()))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        await asyncio.gather(*tasks)
        phase.ended = time.perf_counter()


class WhatsAppLoad(Load):
    """The same people on WhatsApp: signed Cloud API webhooks, one message each."""

    def __init__(self, args: argparse.Namespace, session: aiohttp.ClientSession) -> None:
        super().__init__(args, session)
        self.secret = args.app_secret.encode()
        # wamids unique across runs too (as Meta's): this process's nonce, then a counter
        self.nonce = os.urandom(6).hex().upper()
        self.wamids = itertools.count(1)

    async def request(self, person: Person) -> dict[str, Any]:
        raw = json.dumps(await self.next_webhook(person), ensure_ascii=False).encode()
        digest = hmac.new(self.secret, raw, hashlib.sha256).hexdigest()
        headers = {SIGNATURE_HEADER: f"sha256={digest}", "Content-Type": "application/json"}
        return {"data": raw, "headers": headers}

    async def next_webhook(self, person: Person) -> dict[str, Any]:
        wa_id = _wa_id(person.chat_id)
        if person.left <= 0:
            person.left = WALK
            return self._webhook(wa_id, "text", {"text": {"body": WA_GREETING}})
        person.left -= 1
        async with self.http.get(f"{self.args.fake}/_wa_last/{wa_id}") as response:
            last = await response.json()
        rows = [r for r in last["rows"] if "forget" not in r[1]]
        if not rows or person.rng.random() < TYPING:
            return self._webhook(wa_id, "text", {"text": {"body": person.rng.choice(TEXTS)}})
        title, row_id = person.rng.choice(rows)
        kind = "button_reply" if last["kind"] == "button" else "list_reply"
        interactive = {"type": kind, kind: {"id": row_id, "title": title}}
        context = {"from": "46850000000", "id": last["wamid"]}
        return self._webhook(wa_id, "interactive", {"context": context, "interactive": interactive})

    def _webhook(self, wa_id: str, kind: str, fields: dict[str, Any]) -> dict[str, Any]:
        message = {
            "from": wa_id,
            "id": f"wamid.HBgL{self.nonce}{next(self.wamids):010d}",
            "timestamp": str(int(time.time())),
            "type": kind,
            **fields,
        }
        value = {
            "messaging_product": "whatsapp",
            "metadata": {
                "display_phone_number": "46850000000",
                "phone_number_id": self.args.phone_number_id,
            },
            "contacts": [{"profile": {"name": "Person"}, "wa_id": wa_id}],
            "messages": [message],
        }
        return {
            "object": "whatsapp_business_account",
            "entry": [{"id": "WABA-BENCH", "changes": [{"field": "messages", "value": value}]}],
        }


class WebLoad(Load):
    """The same people on a web chat: a session each, then JSON events to ``/api/event``."""

    def __init__(self, args: argparse.Namespace, session: aiohttp.ClientSession) -> None:
        super().__init__(args, session)
        self.base = args.web.rstrip("/")
        self.webhooks = itertools.cycle([f"{self.base}/api/event"])
        # client ids unique across runs too: this process's nonce, then a counter
        self.nonce = os.urandom(6).hex()
        self.event_ids = itertools.count(1)
        self.answers = 0
        self.replies = 0

    def _headers(self, person: Person) -> dict[str, str]:
        return {"Origin": self.base, "X-Forwarded-For": _address(person.chat_id)}

    async def request(self, person: Person) -> dict[str, Any]:
        if person.session is None:  # the person's first step, in the warm-up
            await self._new_session(person)
        return {"json": self.next_event(person), "headers": self._headers(person)}

    async def _new_session(self, person: Person) -> None:
        url = f"{self.base}/api/session"
        async with self.http.post(url, json={}, headers=self._headers(person)) as response:
            body = await response.read()
            if response.status != 201:
                raise RuntimeError(f"POST /api/session answered {response.status}: {body!r}")
        person.session = json.loads(body)["session"]

    def next_event(self, person: Person) -> dict[str, Any]:
        event: dict[str, Any] = {"session": person.session, "id": self._event_id()}
        if person.left <= 0:
            person.left = WALK
            return {**event, "type": "start"}
        person.left -= 1
        tokens = [token for token in person.buttons if "forget" not in token]
        if not tokens or person.rng.random() < TYPING:
            return {**event, "type": "text", "text": person.rng.choice(TEXTS)}
        return {**event, "type": "choice", "token": person.rng.choice(tokens)}

    def _event_id(self) -> str:
        return f"{self.nonce}-{next(self.event_ids)}"  # [A-Za-z0-9_-], 64 at most

    def answered(self, person: Person, body: bytes) -> None:
        replies = json.loads(body)["replies"]
        # As the page: every reply's buttons, the quick exit's ("forget") left out.
        person.buttons = [
            button["token"]
            for reply in replies
            for button in reply["buttons"]
            if button.get("action") != "forget"
        ]
        self.answers += 1
        self.replies += len(replies)


def _address(chat_id: int) -> str:
    """A person's own client address, 10.x.y.z."""
    index = chat_id - CHAT_BASE + 1
    return f"10.{(index >> 16) & 255}.{(index >> 8) & 255}.{index & 255}"


def _wa_id(chat_id: int) -> str:
    """A person's WhatsApp id: 4670 and seven digits (a Swedish mobile number)."""
    return f"4670{chat_id - CHAT_BASE + 1_000_000:07d}"


def _user(user_id: int) -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": "Person", "language_code": "sv"}


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    people = [
        Person(CHAT_BASE + index, random.Random(args.seed * 100_003 + index))
        for index in range(args.chats)
    ]
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as session:
        kind = WebLoad if args.web else WhatsAppLoad if args.whatsapp else Load
        load = kind(args, session)
        await load.closed(people, len(people), None)  # warm-up: everyone says /start
        saturation, fixed = Phase(), Phase()
        await load.closed(people, args.saturation, saturation)
        await load.open(people, args.fixed, args.rate, fixed)
    result = {"saturation": saturation.summary(), "fixed": fixed.summary(), "rate": args.rate}
    if isinstance(load, WebLoad):
        result["replies_per_event"] = round(load.replies / max(load.answers, 1), 2)
    return result


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--webhook",
        action="extend",
        nargs="+",
        help="the webhook's URL; several: instances, each update to the next in turn",
    )
    parser.add_argument("--fake", help="the fake Bot API / Graph API (not with --web)")
    parser.add_argument("--web", help="a web chat's base URL (http://host:port), instead")
    parser.add_argument("--secret", default="bench-secret")
    parser.add_argument("--chats", type=int, default=500)
    parser.add_argument("--saturation", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rate", type=float, default=100.0)
    parser.add_argument("--fixed", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument("--whatsapp", action="store_true", help="WhatsApp's webhook, signed")
    parser.add_argument("--app-secret", default="0123456789abcdef0123456789abcdef")
    parser.add_argument("--phone-number-id", default="109876543210987")
    args = parser.parse_args(argv)
    if args.web is None and (not args.webhook or args.fake is None):
        parser.error("--webhook and --fake are required (or --web)")
    if args.web is not None and (args.webhook or args.whatsapp):
        parser.error("--web goes alone, without --webhook or --whatsapp")
    return args


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main_async(parse()))))
