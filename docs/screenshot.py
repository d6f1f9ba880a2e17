"""Take the README's screenshot: the web chat's first screen on a 360x640 touch phone, in Swedish.

    .venv/bin/python docs/screenshot.py            # writes docs/screenshot-web-chat.png

It starts `lotsen serve` on a free loopback port with a throwaway database and the shipped
content, and drives Debian's Chromium with Playwright (as the browser tests do).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.request import urlopen

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshot-web-chat.png"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_up(url: str, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urlopen(url, timeout=1):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def main() -> int:
    port = _free_port()
    with tempfile.TemporaryDirectory() as folder:
        env = {
            **os.environ,
            "PORT": str(port),
            "LOTSEN_DATABASE": f"sqlite:///{folder}/screenshot.sqlite3",
            "LOTSEN_RELOAD": "0",
            "TELEGRAM_BOT_TOKEN": "",
        }
        lotsen = Path(sys.executable).with_name("lotsen")
        server = subprocess.Popen([str(lotsen), "serve"], cwd=ROOT, env=env)
        try:
            url = f"http://127.0.0.1:{port}/"
            _wait_until_up(url)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path="/usr/bin/chromium", args=["--no-sandbox"]
                )
                context = browser.new_context(
                    locale="sv-SE",
                    viewport={"width": 360, "height": 640},
                    device_scale_factor=2,
                    is_mobile=True,
                    has_touch=True,
                )
                page = context.new_page()
                page.goto(url)
                page.locator("#choices button").first.wait_for()
                page.wait_for_timeout(300)
                page.screenshot(path=OUT)
                browser.close()
        finally:
            server.send_signal(signal.SIGINT)
            server.wait(timeout=20)
    print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
