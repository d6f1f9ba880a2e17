"""Memory of an idle server with the default pack: ``lotsen serve`` (``python -m bot
serve``) started, answering /healthz, then left alone for two seconds; its resident set.

    python bench/idle_memory.py

Measured with the web chat only, and with Telegram on (against the benchmark's fake Bot
API), which loads python-telegram-bot; each twice, on a cache of loaded packs of its own:
"cold", the first start, which reads the pack's files (a deploy of new content), and then a
restart, which takes the pack from that cache (``web_only_mib``, ``with_telegram_mib``: a
restart of unchanged content). Prints one JSON object.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from bench import procs


def idle_rss(directory: Path, fake_port: int | None, cache: Path) -> float:
    port = procs.free_port()
    env = procs.lotsen_env(port, directory / f"idle-{port}.sqlite3", fake_port)
    env["LOTSEN_CACHE_DIR"] = str(cache)
    server = procs.start(["-m", "bot", "serve"], env)
    try:
        procs.wait_healthy(f"http://127.0.0.1:{port}/healthz", server)
        time.sleep(2.0)
        return procs.rss_mib(server.pid)
    finally:
        procs.stop(server)


def main() -> None:
    with tempfile.TemporaryDirectory() as directory:
        fake_port = procs.free_port()
        fake = procs.start(["bench/fakeapi.py", "--port", str(fake_port)])
        try:
            procs.wait_healthy(f"http://127.0.0.1:{fake_port}/_stats", fake)
            found: dict[str, float] = {}
            for name, port in (("web_only", None), ("with_telegram", fake_port)):
                cache = Path(directory) / f"cache-{name}"
                found[f"{name}_cold_mib"] = idle_rss(Path(directory), port, cache)
                found[f"{name}_mib"] = idle_rss(Path(directory), port, cache)
        finally:
            procs.stop(fake)
    print(json.dumps(found))


if __name__ == "__main__":
    main()
