"""The engine alone: ``engine.step`` calls a second on one core, no I/O.

    python bench/engine_bench.py [--steps 50000]

People walk the default pack as the load generator's people do (press a button of the last
reply, now and then type a sentence, start again after a few steps), all in one process
and one thread. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from datetime import UTC, datetime

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from bench.loadgen import TEXTS, TYPING, WALK
from bot.engine import Choice, Event, Session, Start, Text, step
from bot.flows.model import Content
from bot.pack.loader import load_pack

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def walk(content: Content, steps: int, people: int = 500, seed: int = 9) -> float:
    """Seconds for ``steps`` engine steps by ``people`` people taking turns."""
    rng = random.Random(seed)
    sessions: list[Session | None] = [None] * people
    buttons: list[list[str]] = [[] for _ in range(people)]
    left = [0] * people
    elapsed = 0.0
    for index in range(steps):
        who = index % people
        event: Event
        if left[who] <= 0:
            left[who], event = WALK, Start(locale_hint="sv")
        else:
            left[who] -= 1
            options = [t for t in buttons[who] if "forget" not in t]
            if not options or rng.random() < TYPING:
                event = Text(rng.choice(TEXTS), locale_hint="sv")
            else:
                event = Choice(rng.choice(options), locale_hint="sv")
        started = time.perf_counter()
        turn = step(content, sessions[who], event, NOW)
        elapsed += time.perf_counter() - started
        sessions[who] = turn.session
        buttons[who] = [b.token for reply in turn.replies for b in reply.buttons]
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=50_000)
    parser.add_argument("--content", default="content")
    args = parser.parse_args()
    content = load_pack(args.content).content
    if content is None:
        raise SystemExit(f"{args.content}: the pack has errors")
    walk(content, 2_000)  # warm-up
    seconds = walk(content, args.steps)
    print(
        json.dumps(
            {
                "steps": args.steps,
                "seconds": round(seconds, 3),
                "steps_per_second": round(args.steps / seconds),
            }
        )
    )


if __name__ == "__main__":
    main()
