"""WhatsApp (Meta's Cloud API) as the server sees it: settings, the webhook, the life cycle.

    channel = WhatsAppChannel.configure(os.environ, secret)  # None without WHATSAPP_* set
    channel.mount(app, services)    # GET and POST /whatsapp/webhook
    await channel.start()           # checks the token and number with the Graph API

``GET /whatsapp/webhook`` answers Meta's verification (``hub.challenge``) when
``hub.verify_token`` matches ``WHATSAPP_VERIFY_TOKEN``. ``POST`` checks
``X-Hub-Signature-256`` (HMAC-SHA256 of the raw body with the app secret) before reading
anything: missing 401, wrong 403. Each message is then a turn under its person's lock,
deduplicated by its ``wamid`` in the turn's own transaction and committed before the 200;
what goes wrong in a way a redelivery can cure answers 500, and Meta delivers the webhook
again. Statuses and kinds Lotsen does not read are counted and acknowledged.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from urllib.parse import urlsplit

import aiohttp
from aiohttp import web

from bot import metrics as outcomes
from bot.channels.channel import Services
from bot.channels.delivery import Delivery
from bot.channels.whatsapp_render import Outgoing, WhatsAppShape
from bot.channels.whatsapp_transport import GraphApi, WhatsAppApiError, WhatsAppTransport
from bot.channels.whatsapp_updates import Incoming, read_webhook
from bot.settings import SettingsError

logger = logging.getLogger(__name__)

CHANNEL = "whatsapp"
WEBHOOK_PATH = "/whatsapp/webhook"
SIGNATURE_HEADER = "X-Hub-Signature-256"
# The Graph API, pinned to a version so a change at Meta never changes Lotsen unannounced.
GRAPH_API = "https://graph.facebook.com/v25.0"
# A business number's default throughput on the Cloud API: 80 messages a second.
RATE = 80.0

PHONE_NUMBER_ID = "WHATSAPP_PHONE_NUMBER_ID"
ACCESS_TOKEN = "WHATSAPP_ACCESS_TOKEN"
APP_SECRET = "WHATSAPP_APP_SECRET"
VERIFY_TOKEN = "WHATSAPP_VERIFY_TOKEN"
API_BASE_URL = "WHATSAPP_API_BASE_URL"
REQUIRED = (PHONE_NUMBER_ID, ACCESS_TOKEN, APP_SECRET)

_NUMBER_ID = re.compile(r"\d{5,25}")
_APP_SECRET = re.compile(r"[0-9a-fA-F]{32}")
_TOKEN = re.compile(r"[!-~]{8,2048}")  # printable ASCII, no spaces
_SIGNATURE = re.compile(r"sha256=([0-9a-fA-F]{64})")


@dataclass(frozen=True)
class WhatsAppSettings:
    """The WhatsApp channel; ``verify_token`` None: Meta's verification is refused (set it
    while you register the webhook)."""

    phone_number_id: str
    access_token: str
    app_secret: str
    verify_token: str | None = None
    api_base_url: str = GRAPH_API

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> WhatsAppSettings | None:
        """``WHATSAPP_*`` from ``env``; None when none of them is set."""
        given = {name: env.get(name, "").strip() for name in (*REQUIRED, VERIFY_TOKEN)}
        if not any(given.values()):
            return None
        missing = [name for name in REQUIRED if not given[name]]
        if missing:
            raise SettingsError(
                f"WhatsApp needs {', '.join(REQUIRED)}; {', '.join(missing)} "
                f"{'is' if len(missing) == 1 else 'are'} not set. Copy them from the app's "
                "WhatsApp > API Setup page in Meta's developer dashboard."
            )
        # Never echo a token or a secret, even a broken one: the log may be shared.
        if not _NUMBER_ID.fullmatch(given[PHONE_NUMBER_ID]):
            raise SettingsError(
                f"{PHONE_NUMBER_ID} is the number's id in Meta's dashboard (digits only, under "
                "the phone number on API Setup), not the phone number itself."
            )
        if not _TOKEN.fullmatch(given[ACCESS_TOKEN]):
            raise SettingsError(
                f"{ACCESS_TOKEN} does not look like an access token: copy a system user's "
                "token from Meta Business Settings (letters and digits, no spaces)."
            )
        if not _APP_SECRET.fullmatch(given[APP_SECRET]):
            raise SettingsError(
                f"{APP_SECRET} does not look like an app secret: 32 hexadecimal characters "
                "from App settings > Basic in Meta's developer dashboard."
            )
        verify = given[VERIFY_TOKEN] or None
        if verify is not None and not _TOKEN.fullmatch(verify):
            raise SettingsError(
                f"{VERIFY_TOKEN} must be 8 to 2048 printable characters without spaces; "
                "choose it yourself and enter the same in Meta's webhook settings."
            )
        return cls(
            given[PHONE_NUMBER_ID],
            given[ACCESS_TOKEN],
            given[APP_SECRET],
            verify,
            _base_url(env.get(API_BASE_URL, "").strip()),
        )


def _base_url(raw: str) -> str:
    if not raw:
        return GRAPH_API
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SettingsError(
            f"{API_BASE_URL} has value {raw!r}; give the Graph API's address with its version, "
            f"such as {GRAPH_API}, or leave it unset."
        )
    return raw.rstrip("/")


class WhatsAppChannel:
    """The channel (``bot.channels.channel.Channel``)."""

    def __init__(self, settings: WhatsAppSettings, secret: bytes) -> None:
        self.settings = settings
        # A wamid holds the sender's phone number (base64 inside it): the store keeps only a
        # keyed hash of it, enough to know a redelivery.
        self._update_key = hmac.new(secret, b"whatsapp-update-id", hashlib.sha256).digest()
        self._services: Services | None = None
        self._api: GraphApi | None = None
        self._delivery: Delivery[Outgoing] | None = None

    @classmethod
    def configure(cls, env: Mapping[str, str], secret: bytes) -> WhatsAppChannel | None:
        settings = WhatsAppSettings.from_env(env)
        if settings is None:
            logger.info("WhatsApp is off: %s is not set", PHONE_NUMBER_ID)
            return None
        if settings.verify_token is None:
            logger.warning("%s is not set: Meta cannot verify the webhook address", VERIFY_TOKEN)
        return cls(settings, secret)

    def update_id(self, wamid: str) -> str:
        """What the store keeps of a message id to tell a redelivery: a keyed hash."""
        return hmac.new(self._update_key, wamid.encode(), hashlib.sha256).hexdigest()[:32]

    def mount(self, app: web.Application, services: Services) -> None:
        self._services = services
        app.router.add_get(WEBHOOK_PATH, self._verify)
        app.router.add_post(WEBHOOK_PATH, self._webhook)

    async def start(self) -> None:
        if self._services is None:
            raise RuntimeError("mount the WhatsApp channel before starting it")
        settings = self.settings
        api = GraphApi(settings.api_base_url, settings.phone_number_id, settings.access_token)
        await api.open()
        try:
            await _check(api)
        except BaseException:
            await api.close()
            raise
        services = self._services
        pacer = services.tuning.paced(RATE)
        self._delivery = Delivery(
            CHANNEL,
            WhatsAppTransport(api),
            WhatsAppShape(),
            services,
            pacer=pacer,
            forget_note="whatsapp_forgotten",
        )
        self._api = api
        logger.info("WhatsApp is on")

    async def stop(self) -> None:
        self._delivery = None
        if self._api is not None:
            await self._api.close()
            self._api = None

    # --- the webhook ---------------------------------------------------------------------------

    async def _verify(self, request: web.Request) -> web.Response:
        """Meta's check of the address: echo ``hub.challenge`` to the right verify token."""
        query = request.query
        expected = self.settings.verify_token
        given = query.get("hub.verify_token", "")
        if (
            expected is not None
            and query.get("hub.mode") == "subscribe"
            and hmac.compare_digest(given.encode(), expected.encode())
        ):
            return web.Response(text=query.get("hub.challenge", ""), content_type="text/plain")
        self._count(outcomes.REJECTED)
        return web.Response(status=403)

    async def _webhook(self, request: web.Request) -> web.Response:
        raw = await request.read()
        signature = request.headers.get(SIGNATURE_HEADER)
        if signature is None or not self._signed(raw, signature):
            self._count(outcomes.REJECTED)
            return web.Response(status=401 if signature is None else 403)
        if self._delivery is None:  # not started, or stopped: Meta tries again later
            return web.Response(status=503)
        try:
            payload = json.loads(raw)
        except (ValueError, RecursionError):  # delivering it again would not mend it
            logger.warning("unreadable webhook")
            self._count(outcomes.FAILED)
            return web.Response(status=200)
        done = await self.process(payload)
        return web.Response(status=200 if done else 500)

    def _signed(self, raw: bytes, signature: str) -> bool:
        given = _SIGNATURE.fullmatch(signature.strip())
        if given is None:
            return False
        secret = self.settings.app_secret.encode()
        expected = hmac.new(secret, raw, hashlib.sha256).hexdigest()
        return hmac.compare_digest(given.group(1).lower(), expected)

    async def process(self, payload: object) -> bool:
        """Answer every message of one webhook; False when one must be delivered again.

        One person's messages are answered in the order sent, different people's at once.
        """
        reading = read_webhook(payload, self.settings.phone_number_id)
        self._count(outcomes.STATUS, reading.statuses)
        self._count(outcomes.IGNORED, reading.ignored)
        by_person: dict[str, list[Incoming]] = {}
        for incoming in reading.messages:
            by_person.setdefault(incoming.arrival.chat, []).append(incoming)
        done = await asyncio.gather(*(self._answer(queue) for queue in by_person.values()))
        return all(done)

    async def _answer(self, queue: list[Incoming]) -> bool:
        delivery = self._delivery
        if delivery is None:
            return False
        for incoming in queue:
            started = time.perf_counter()
            arrival, event = incoming.arrival, incoming.arrival.event
            if event is None:
                continue
            work = partial(delivery.turn, self.update_id(incoming.wamid), arrival, event)
            if not delivery.record(await delivery.guard(arrival, work), started):
                # The webhook comes again; this person's later messages wait for it, so
                # they are answered in the order they were sent.
                return False
        return True

    def _count(self, outcome: str, amount: int = 1) -> None:
        if self._services is not None and amount:
            self._services.metrics.updates.labels(CHANNEL, outcome).inc(amount)


async def _check(api: GraphApi) -> None:
    """Raise SettingsError naming the variable when Meta refuses the token or the number."""
    try:
        await api.check()
    except WhatsAppApiError as exc:
        if exc.status in (401, 403) or exc.code == 190:
            raise SettingsError(
                f"Meta rejected {ACCESS_TOKEN} (HTTP {exc.status}). Make a new system user "
                "token with the whatsapp_business_messaging permission."
            ) from None
        raise SettingsError(
            f"Meta does not know {PHONE_NUMBER_ID} with this token (HTTP {exc.status}, error "
            f"{exc.code}). Copy the id from WhatsApp > API Setup."
        ) from None
    except (aiohttp.ClientError, TimeoutError) as exc:
        raise SettingsError(
            f"WhatsApp's Graph API cannot be reached ({type(exc).__name__}). Check the "
            f"network, and {API_BASE_URL} if it is set."
        ) from None
