"""Starting, watching and stopping the benchmark's processes."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
TOKEN = "123456:BENCH-token"
SECRET = "bench-secret"
# WhatsApp (the fake Graph API, under /v25.0 of the same fake process).
WA_PHONE_NUMBER_ID = "109876543210987"
WA_ACCESS_TOKEN = "EAAG-bench-system-user-token-0123456789"
WA_APP_SECRET = "0123456789abcdef0123456789abcdef"  # 32 hex characters, as Meta's
WA_VERIFY_TOKEN = "bench-verify-token"
WHATSAPP_VARIABLES = (
    "WHATSAPP_PHONE_NUMBER_ID",
    "WHATSAPP_ACCESS_TOKEN",
    "WHATSAPP_APP_SECRET",
    "WHATSAPP_VERIFY_TOKEN",
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start(
    args: list[str], env: dict[str, str] | None = None, log: Path | None = None
) -> subprocess.Popen[bytes]:
    out = open(log, "wb") if log is not None else subprocess.DEVNULL  # noqa: SIM115
    return subprocess.Popen(
        [PYTHON, *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=out,
        stderr=subprocess.STDOUT,
    )


def wait_healthy(url: str, process: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def cpu_seconds(pid: int) -> float:
    """The CPU time process ``pid`` has used so far, its threads' included (user + system,
    from ``/proc/<pid>/stat``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def lotsen_env(
    port: int, database: Path | str, fake_port: int | None, channel: str = "telegram"
) -> dict[str, str]:
    """``lotsen serve``'s environment; ``database`` a SQLite file or a database URL
    (``postgresql://...``); with ``fake_port``, one channel (``telegram`` or ``whatsapp``)
    on against the fake, and the other off even if the shell sets it. ``channel="web"``:
    the web chat alone (always on), Telegram and WhatsApp off, and the client's address
    read from ``X-Forwarded-For``, which the load generator sets to each person's own, as a
    reverse proxy would (so the web chat's per-client limits apply per person)."""
    env = {
        "PORT": str(port),
        "HOST": "127.0.0.1",
        "LOTSEN_DATABASE": str(database),
        "LOTSEN_SECRET_KEY": "bench-0123456789abcdef0123456789abcdef",
        "LOTSEN_CONTENT": str(ROOT / "content"),
    }
    if channel == "web":
        env |= {
            "LOTSEN_WEB_CLIENT_ADDRESS_HEADER": "X-Forwarded-For",
            "TELEGRAM_BOT_TOKEN": "",
            **dict.fromkeys(WHATSAPP_VARIABLES, ""),
        }
    elif fake_port is not None and channel == "whatsapp":
        env |= {
            "TELEGRAM_BOT_TOKEN": "",
            "WHATSAPP_PHONE_NUMBER_ID": WA_PHONE_NUMBER_ID,
            "WHATSAPP_ACCESS_TOKEN": WA_ACCESS_TOKEN,
            "WHATSAPP_APP_SECRET": WA_APP_SECRET,
            "WHATSAPP_VERIFY_TOKEN": WA_VERIFY_TOKEN,
            "WHATSAPP_API_BASE_URL": f"http://127.0.0.1:{fake_port}/v25.0",
        }
    elif fake_port is not None:
        env |= {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_WEBHOOK_URL": "https://bench.invalid/telegram/webhook",
            "TELEGRAM_WEBHOOK_SECRET": SECRET,
            "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{fake_port}/bot",
            **dict.fromkeys(WHATSAPP_VARIABLES, ""),
        }
    return env
