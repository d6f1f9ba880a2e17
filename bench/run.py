"""``make bench``: every benchmark of issue #9, side by side in one run, on loopback.

    python bench/run.py [--rounds 3] [--quick]

1. End to end through the Telegram webhook: one fake Bot API process (``fakeapi.py``), one
   load generator process (``loadgen.py``), and each system in its own process on its own
   port, one at a time: the floor (``baselines/floor.py``), the same floor on Lotsen's
   aiohttp transport (``floor.py --transport aiohttp``), the ConversationHandler bot
   (``baselines/conversation.py``) and Lotsen (``lotsen_server.py``: ``lotsen serve`` with
   SQLite and its pacer unlimited, since the fake has no rate limit); Lotsen on PostgreSQL,
   one instance, then three (three ``lotsen_server.py`` processes on one database, the load
   generator sending updates round-robin to their three webhooks; RSS is their sum), each
   round in a new schema of ``--postgres`` (default ``LOTSEN_BENCH_POSTGRES``, else
   ``postgresql://postgres@127.0.0.1:5432/test``), dropped afterwards; where no PostgreSQL
   answers, these two rows are skipped and the run says why; then Lotsen again on
   WhatsApp: the same server with only its WhatsApp channel on, against the same fake
   process serving the Graph API (``/v25.0``), and the load generator sending signed Cloud
   API webhooks (``loadgen.py --whatsapp``). Then the web chat end to end, a table of its
   own: Lotsen with only its web chat (SQLite; each simulated person its own client
   address, in ``X-Forwarded-For``) and its floor (``baselines/web_floor.py``: a bare
   aiohttp JSON handler committing one row per request), the load generator using the
   JSON API as the page does (``loadgen.py --web``). The systems take turns, ``--rounds``
   times, each round on a fresh database; the tables show medians.
2. The engine alone (``engine_bench.py``). 3. Content scale (``content_scale.py``; each size
   once a round, medians of the rounds).
4. Storage (``storage_bench.py``). 5. Idle memory (``idle_memory.py``).

Prints a table and writes ``bench/results/<date>-<machine>.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from bench import pgschema, procs

RESULTS = procs.ROOT / "bench" / "results"
SYSTEMS = (
    "floor",
    "floor_aiohttp",
    "conversationhandler",
    "lotsen",
    "lotsen_pg1",
    "lotsen_pg3",
    "lotsen_whatsapp",
)
# The web chat, end to end through its JSON API (``loadgen.py --web``): a table of its own.
WEB_SYSTEMS = ("lotsen_web", "web_floor")
LABELS = {
    "floor": "floor (PTB, one message, HTTPXRequest)",
    "floor_aiohttp": "floor (PTB, one message, Lotsen's aiohttp transport)",
    "conversationhandler": "ConversationHandler + PicklePersistence (HTTPXRequest)",
    "lotsen": "Lotsen (SQLite, commit before 200, aiohttp transport)",
    "lotsen_pg1": "Lotsen, PostgreSQL, 1 instance",
    "lotsen_pg3": "Lotsen, PostgreSQL, 3 instances (round-robin)",
    "lotsen_whatsapp": "Lotsen on WhatsApp (SQLite, commit before 200, aiohttp)",
    "lotsen_web": "Lotsen web chat (SQLite, /api/event)",
    "web_floor": "floor: bare aiohttp JSON handler, one row committed per request",
}
# Lotsen on PostgreSQL: instances (lotsen_server.py processes on one database) per system.
POSTGRES = {"lotsen_pg1": 1, "lotsen_pg3": 3}
LOG_TAIL = 20  # lines of a server's log shown when its run fails
# The fake's calls that are the bot's start, not its answers to updates.
SETUP_CALLS = ("getMe", "setWebhook", "setMyCommands", "wa_number")
# Graph API calls per update: sends, and read receipts (with "typing...").
WHATSAPP_CALLS = ("wa_messages", "wa_read")


def machine() -> dict[str, Any]:
    model = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    return {
        "nproc": os.cpu_count(),
        "cpu": model,
        "python": platform.python_version(),
        "hostname": socket.gethostname(),
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
    }


def _json(args: list[str], timeout: float = 300) -> Any:
    out = subprocess.run(
        [procs.PYTHON, *args],
        cwd=procs.ROOT,
        check=True,
        capture_output=True,
        text=True,
        timeout=timeout,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def _fake(fake_port: int, path: str, method: str = "GET") -> Any:
    request = urllib.request.Request(f"http://127.0.0.1:{fake_port}{path}", method=method)
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read())


def _system(name: str, port: int, fake_port: int, directory: Path) -> list[str] | None:
    base = f"http://127.0.0.1:{fake_port}/bot"
    if name == "floor":
        return ["bench/baselines/floor.py", "--port", str(port), "--base-url", base]
    if name == "floor_aiohttp":
        return [
            "bench/baselines/floor.py",
            "--port",
            str(port),
            "--base-url",
            base,
            "--transport",
            "aiohttp",
        ]
    if name == "web_floor":
        return [
            "bench/baselines/web_floor.py",
            "--port",
            str(port),
            "--database",
            str(directory / f"web-floor-{port}.sqlite3"),
        ]
    if name == "conversationhandler":
        return [
            "bench/baselines/conversation.py",
            "--port",
            str(port),
            "--base-url",
            base,
            "--data",
            str(directory / f"ch-{port}.pickle"),
        ]
    return None


def _ports(count: int) -> list[int]:
    ports: list[int] = []
    while len(ports) < count:
        port = procs.free_port()
        if port not in ports:
            ports.append(port)
    return ports


def _tail(log: Path) -> str:
    try:
        lines = log.read_text("utf-8", errors="replace").splitlines()
    except OSError:
        return "    (no log)"
    return "\n".join(f"    {line}" for line in lines[-LOG_TAIL:]) or "    (empty log)"


def one_run(
    name: str, fake_port: int, directory: Path, load: list[str], postgres: str | None = None
) -> dict[str, Any]:
    """One system under the load; Lotsen on PostgreSQL in a new schema, dropped after."""
    if name not in POSTGRES:
        return _measure(name, fake_port, directory, load, None)
    assert postgres is not None
    with pgschema.fresh_schema(postgres) as url:
        return _measure(name, fake_port, directory, load, url)


def _measure(
    name: str, fake_port: int, directory: Path, load: list[str], database_url: str | None
) -> dict[str, Any]:
    ports = _ports(POSTGRES.get(name, 1))
    whatsapp = name == "lotsen_whatsapp"
    web = name in WEB_SYSTEMS
    path = "whatsapp/webhook" if whatsapp else "telegram/webhook"
    webhooks = [f"http://127.0.0.1:{port}/{path}" for port in ports]
    commands: list[tuple[list[str], dict[str, str]]] = []
    for port in ports:
        args = _system(name, port, fake_port, directory)
        env: dict[str, str] = {}
        if args is None:
            args = ["bench/lotsen_server.py"]
            database = database_url or directory / f"{name}-{port}.sqlite3"
            channel = "whatsapp" if whatsapp else "web" if web else "telegram"
            env = procs.lotsen_env(port, database, fake_port, channel=channel)
            if len(ports) > 1:
                env["LOTSEN_INSTANCES"] = str(len(ports))
        commands.append((args, env))
    if whatsapp:
        load = [
            *load,
            "--whatsapp",
            "--app-secret",
            procs.WA_APP_SECRET,
            "--phone-number-id",
            procs.WA_PHONE_NUMBER_ID,
        ]
    logs = [directory / f"{name}-{port}.log" for port in ports]
    # All instances start at once, as a deployment's would (they migrate the schema once).
    servers = [procs.start(args, env, log) for (args, env), log in zip(commands, logs, strict=True)]
    try:
        for port, server in zip(ports, servers, strict=True):
            procs.wait_healthy(f"http://127.0.0.1:{port}/healthz", server)
        _fake(fake_port, "/_reset", "POST")
        if web:  # the page's JSON API; the answers carry the buttons, no fake is asked
            target = ["--web", f"http://127.0.0.1:{ports[0]}"]
        else:
            target = ["--webhook", *webhooks, "--fake", f"http://127.0.0.1:{fake_port}"]
        cpu_before = sum(procs.cpu_seconds(server.pid) for server in servers)
        result: dict[str, Any] = _json(["bench/loadgen.py", *target, *load])
        cpu = sum(procs.cpu_seconds(server.pid) for server in servers) - cpu_before
        rss = [procs.rss_mib(server.pid) for server in servers]
        calls = _fake(fake_port, "/_stats")
    except BaseException:
        for log in logs:
            print(f"  {name}: the last lines of {log.name}:\n{_tail(log)}", file=sys.stderr)
        raise
    finally:
        for server in servers:
            procs.stop(server)
    result["rss_after_load_mib"] = round(sum(rss), 1)  # several instances: their sum
    if len(rss) > 1:
        result["rss_per_instance_mib"] = rss
    result["instances"] = len(servers)
    updates = result["saturation"]["updates"] + result["fixed"]["updates"] + int(load[1])
    sent = calls.get("wa_messages" if whatsapp else "sendMessage", 0)
    result["messages_per_update"] = round(sent / updates, 2)
    # The server's own CPU (all instances; not PostgreSQL's, the fake's or the load
    # generator's) per update sent, warm-up included: less swayed than updates/s by what
    # else the two cores run.
    result["server_cpu_ms_per_update"] = round(cpu * 1000 / updates, 3)
    if web:  # replies in the event's own answer (one reply: a text and its buttons)
        result["messages_per_update"] = result["replies_per_event"]
    result["api_calls_per_update"] = round(
        sum(v for k, v in calls.items() if k not in SETUP_CALLS) / updates, 2
    )
    if whatsapp:
        result["calls"] = {k: calls.get(k, 0) for k in WHATSAPP_CALLS}
    return result


def _median(runs: list[dict[str, Any]], phase: str, key: str) -> float:
    return float(statistics.median(run[phase][key] for run in runs))


def _skip_postgres(
    runs: dict[str, list[dict[str, Any]]], postgres: dict[str, Any], why: str
) -> None:
    """Drop the PostgreSQL rows (also rounds already measured) and say why, now and in the
    table."""
    postgres["skipped"] = why
    for name in POSTGRES:
        runs.pop(name, None)
    print(f"  Lotsen on PostgreSQL: rows {', '.join(POSTGRES)} skipped: {why}", file=sys.stderr)


def end_to_end(
    rounds: int, load: list[str], directory: Path, server: str, postgres: dict[str, Any]
) -> dict[str, Any]:
    """The systems in turn, ``rounds`` times, the PostgreSQL rows on ``server``;
    ``postgres["skipped"]`` says why those rows were not measured, if they were not."""
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in (*SYSTEMS, *WEB_SYSTEMS)}
    why = pgschema.unavailable(server)
    if why is not None:
        _skip_postgres(runs, postgres, why)
    fake_port = procs.free_port()
    fake = procs.start(["bench/fakeapi.py", "--port", str(fake_port)])
    try:
        procs.wait_healthy(f"http://127.0.0.1:{fake_port}/_stats", fake)
        for round_ in range(rounds):
            for name in (*SYSTEMS, *WEB_SYSTEMS):
                if name not in runs:
                    continue
                try:
                    run = one_run(name, fake_port, directory, load, server)
                except Exception:
                    # PostgreSQL gone during the run: skip its rows and go on; a failure
                    # while it answers is Lotsen's, and fails the bench like any other.
                    why = pgschema.unavailable(server) if name in POSTGRES else None
                    if why is None:
                        raise
                    _skip_postgres(runs, postgres, f"during round {round_ + 1}, {why}")
                    continue
                runs[name].append(run)
                sat = run["saturation"]
                print(
                    f"  round {round_ + 1} {name}: {sat['updates_per_second']} updates/s",
                    file=sys.stderr,
                )
    finally:
        procs.stop(fake)
    summary: dict[str, Any] = {}
    for name, its in runs.items():
        failures: dict[str, int] = {}
        for run in its:
            for phase in ("saturation", "fixed"):
                for kind, count in run[phase].get("failures", {}).items():
                    failures[kind] = failures.get(kind, 0) + count
        summary[name] = {
            "saturation_updates_per_second": _median(its, "saturation", "updates_per_second"),
            "saturation_p50_ms": _median(its, "saturation", "p50_ms"),
            "saturation_p99_ms": _median(its, "saturation", "p99_ms"),
            "fixed_updates_per_second": _median(its, "fixed", "updates_per_second"),
            "fixed_p50_ms": _median(its, "fixed", "p50_ms"),
            "fixed_p99_ms": _median(its, "fixed", "p99_ms"),
            "errors": sum(r["saturation"]["errors"] + r["fixed"]["errors"] for r in its),
            "failures": dict(sorted(failures.items())),
            "messages_per_update": statistics.median(r["messages_per_update"] for r in its),
            "api_calls_per_update": statistics.median(r["api_calls_per_update"] for r in its),
            "rss_after_load_mib": statistics.median(r["rss_after_load_mib"] for r in its),
            "server_cpu_ms_per_update": statistics.median(
                r["server_cpu_ms_per_update"] for r in its
            ),
            "runs": its,
        }
    return summary


# The ratios the issue sets targets for, each also taken round by round: the systems of one
# round run one after another within minutes, so a round's ratio is less touched by the
# machine's own speed drifting between rounds than a ratio of medians.
PAIRED = {
    "lotsen_over_floor": ("lotsen", "floor"),
    "lotsen_over_floor_aiohttp": ("lotsen", "floor_aiohttp"),
    "lotsen_over_conversationhandler": ("lotsen", "conversationhandler"),
    "web_over_web_floor": ("lotsen_web", "web_floor"),
}


def _ratios_by_round(e2e: dict[str, Any]) -> dict[str, list[float]]:
    """Each PAIRED ratio in each round (saturation updates/s), in round order."""
    found: dict[str, list[float]] = {}
    for key, (mine, theirs) in PAIRED.items():
        pairs = zip(e2e[mine]["runs"], e2e[theirs]["runs"], strict=True)
        found[key] = [
            round(a["saturation"]["updates_per_second"] / b["saturation"]["updates_per_second"], 3)
            for a, b in pairs
        ]
    return found


def _rounds_line(result: dict[str, Any]) -> str:
    said = [
        f"{_ratio_name(key)} " + ", ".join(f"{ratio:.2f}" for ratio in ratios)
        for key, ratios in result["ratios_by_round"].items()
    ]
    return "The same ratios round by round: " + "; ".join(said) + "."


def _ratio_name(key: str) -> str:
    """A ratio's JSON key as the tables say it: ``lotsen_over_floor`` -> ``lotsen / floor``."""
    return key.replace("_over_", " / ").replace("_", " ")


def _cpu_line(result: dict[str, Any]) -> str:
    said = [
        f"{_ratio_name(key)} {ratio:.2f}" for key, ratio in result["cpu_per_update_ratios"].items()
    ]
    return (
        "Server CPU per update (the server process's own, from /proc; below 1: Lotsen spends "
        "less): " + "; ".join(said) + "."
    )


def table(result: dict[str, Any]) -> str:
    m, e2e, load = result["machine"], result["end_to_end"], result["load"]
    lines = [
        f"Lotsen benchmark, {m['date']}: {m['nproc']} cores, {m['cpu']}, Python {m['python']}",
        f"End to end through the Telegram webhook (the last row: WhatsApp's), loopback; "
        f"medians of {result['rounds']} rounds; {load['chats']} chats, {load['saturation']} "
        f"updates at saturation ({load['concurrency']} concurrent senders), {load['fixed']} at "
        f"a fixed {load['rate']:g} updates/s. Lotsen's pacer is unlimited (the fake has no "
        "rate limit).",
        "",
        HEADER,
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    lines += [_row(name, e2e[name]) for name in SYSTEMS if name in e2e]
    lines += [
        "",
        f"Ratios (updates/s at saturation): Lotsen / floor = "
        f"{result['ratio_lotsen_over_floor']:.2f}, Lotsen / floor on aiohttp = "
        f"{result['ratio_lotsen_over_floor_aiohttp']:.2f}, Lotsen / ConversationHandler = "
        f"{result['ratio_lotsen_over_conversationhandler']:.2f}, Lotsen on WhatsApp / "
        f"Lotsen on Telegram = {result['ratio_whatsapp_over_telegram']:.2f}",
        _rounds_line(result),
        _cpu_line(result),
        _postgres_line(result),
        f"Lotsen on WhatsApp: {e2e['lotsen_whatsapp']['messages_per_update']:.2f} messages "
        f"and {e2e['lotsen_whatsapp']['api_calls_per_update']:.2f} Graph API calls (sends "
        "and read receipts) per update.",
        "",
        "Web chat end to end (POST /api/event, the load generator as the page: a session "
        "each, then events; each person its own client address; same load; messages per "
        "update: replies per answer):",
        "",
        HEADER,
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        *(_row(name, e2e[name]) for name in WEB_SYSTEMS),
        "",
        f"Ratio (updates/s at saturation): Lotsen web chat / its floor = "
        f"{result['ratio_web_over_web_floor']:.2f}",
        _errors_line(e2e),
        "",
        "| other measure | value |",
        "| --- | --- |",
        f"| engine alone, one core | {result['engine']['steps_per_second']:,} steps/s |",
    ]
    for size in result["content_scale"]:
        lines.append(
            f"| content, {size['steps']:,} steps x {size['languages']} languages | "
            f"load_pack {size['load_pack_seconds']:.2f} s cold (validate rules "
            f"{size['validate_seconds']:.2f} s, load {size['load_seconds']:.2f} s), "
            f"{size['load_pack_cached_seconds']:.2f} s from the cache of loaded packs, "
            f"{size['load_pack_edited_seconds']:.2f} s after an edit to one flow (its catalogs "
            f"from that cache), memory {size['memory_mib']:.0f} MiB |"
        )
    growth = result["content_growth_1k_to_10k"]
    lines.append(
        f"| content, growth 1,000 -> 10,000 steps | load_pack x{growth['load_pack']:.1f} "
        f"(validate x{growth['validate']:.1f}, load x{growth['load']:.1f}), from the cache "
        f"x{growth['load_pack_cached']:.1f}, memory x{growth['memory']:.1f} |"
    )
    st, idle = result["storage"], result["idle_memory"]
    lines += [
        f"| storage, {st['sessions']:,} sessions in the database | {st['saves_per_second']:,} "
        f"turn saves/s, {st['loads_per_second']:,} loads/s (one after another) |",
        f"| storage, file size | {st['bytes_per_session']} bytes per session "
        f"(session JSON {st['session_json_bytes']} bytes) |",
        f"| idle server, default pack | {idle['web_only_mib']:.0f} MiB (web chat only), "
        f"{idle['with_telegram_mib']:.0f} MiB (with Telegram), restarted with the pack in the "
        f"cache of loaded packs; {idle['web_only_cold_mib']:.0f} and "
        f"{idle['with_telegram_cold_mib']:.0f} MiB started on files never loaded before |",
    ]
    return "\n".join(lines)


HEADER = (
    "| system | updates/s (saturation) | p50 | p99 | at fixed load: updates/s | p50 | p99 "
    "| messages per update | server CPU per update | RSS after load |"
)


def _row(name: str, s: dict[str, Any]) -> str:
    return (
        f"| {LABELS[name]} | {s['saturation_updates_per_second']:.0f} "
        f"| {s['saturation_p50_ms']:.1f} ms | {s['saturation_p99_ms']:.1f} ms "
        f"| {s['fixed_updates_per_second']:.0f} | {s['fixed_p50_ms']:.1f} ms "
        f"| {s['fixed_p99_ms']:.1f} ms | {s['messages_per_update']:.2f} "
        f"| {s['server_cpu_ms_per_update']:.2f} ms | {s['rss_after_load_mib']:.0f} MiB |"
    )


def _postgres_line(result: dict[str, Any]) -> str:
    pg = result["postgres"]
    if pg["skipped"] is not None:
        return f"Lotsen on PostgreSQL: rows skipped, {pg['skipped']}"
    return (
        f"Lotsen on PostgreSQL ({pg['server']}, a new schema each round): 1 instance / SQLite "
        f"= {result['ratio_pg1_over_sqlite']:.2f}, 3 instances / 1 instance = "
        f"{result['ratio_pg3_over_pg1']:.2f} (updates/s at saturation; 3 instances: each "
        "update to the next webhook in turn, RSS the sum of the three processes)."
    )


def _errors_line(e2e: dict[str, Any]) -> str:
    failed = [
        f"{name} {s['errors']} ({', '.join(f'{k}: {v}' for k, v in s['failures'].items())})"
        for name, s in e2e.items()
        if s["errors"]
    ]
    return "Answers other than 200 (all rounds): " + ("; ".join(failed) if failed else "none")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="small sizes, to try the harness")
    parser.add_argument(
        "--postgres",
        default=pgschema.SERVER,
        help="PostgreSQL server for the lotsen_pg rows (a new schema each round)",
    )
    args = parser.parse_args()
    load = {"chats": 500, "saturation": 3000, "concurrency": 16, "rate": 200.0, "fixed": 1000}
    storage = ["--sessions", "100000", "--turns", "5000"]
    sizes = ["1000", "3000", "10000"]
    engine_steps = "30000"
    if args.quick:
        load |= {"chats": 100, "saturation": 300, "fixed": 100}
        storage, sizes, engine_steps = ["--sessions", "5000", "--turns", "500"], ["1000"], "3000"
    load_args = [
        "--chats",
        str(load["chats"]),
        "--saturation",
        str(load["saturation"]),
        "--concurrency",
        str(load["concurrency"]),
        "--rate",
        str(load["rate"]),
        "--fixed",
        str(load["fixed"]),
    ]
    started = time.monotonic()
    result: dict[str, Any] = {
        "machine": machine(),
        "rounds": args.rounds,
        "load": load,
        "pacer": "unlimited for Lotsen (the fake Bot API and Graph API have no limit)",
        "postgres": {
            "server": pgschema.shown(args.postgres),
            "instances": POSTGRES,
            "skipped": None,
        },
    }
    with tempfile.TemporaryDirectory() as directory:
        print("end to end ...", file=sys.stderr)
        result["end_to_end"] = end_to_end(
            args.rounds, load_args, Path(directory), args.postgres, result["postgres"]
        )
    e2e = result["end_to_end"]
    lotsen = e2e["lotsen"]["saturation_updates_per_second"]
    result["ratio_lotsen_over_floor"] = round(
        lotsen / e2e["floor"]["saturation_updates_per_second"], 3
    )
    result["ratio_lotsen_over_floor_aiohttp"] = round(
        lotsen / e2e["floor_aiohttp"]["saturation_updates_per_second"], 3
    )
    result["ratio_lotsen_over_conversationhandler"] = round(
        lotsen / e2e["conversationhandler"]["saturation_updates_per_second"], 3
    )
    result["ratio_whatsapp_over_telegram"] = round(
        e2e["lotsen_whatsapp"]["saturation_updates_per_second"] / lotsen, 3
    )
    result["ratio_web_over_web_floor"] = round(
        e2e["lotsen_web"]["saturation_updates_per_second"]
        / e2e["web_floor"]["saturation_updates_per_second"],
        3,
    )
    result["ratios_by_round"] = _ratios_by_round(e2e)
    # Server CPU per update, Lotsen's over each baseline's (below 1: Lotsen spends less).
    result["cpu_per_update_ratios"] = {
        key: round(
            e2e[mine]["server_cpu_ms_per_update"] / e2e[theirs]["server_cpu_ms_per_update"], 3
        )
        for key, (mine, theirs) in PAIRED.items()
    }
    result["ratio_pg1_over_sqlite"] = result["ratio_pg3_over_pg1"] = None
    if "lotsen_pg1" in e2e and "lotsen_pg3" in e2e:
        pg1 = e2e["lotsen_pg1"]["saturation_updates_per_second"]
        result["ratio_pg1_over_sqlite"] = round(pg1 / lotsen, 3)
        result["ratio_pg3_over_pg1"] = round(
            e2e["lotsen_pg3"]["saturation_updates_per_second"] / pg1, 3
        )
    print("engine, content scale, storage, idle memory ...", file=sys.stderr)
    result["engine"] = _json(["bench/engine_bench.py", "--steps", engine_steps])
    rounds = "1" if args.quick else str(args.rounds)
    result["content_scale"] = _json(
        ["bench/content_scale.py", "--sizes", *sizes, "--rounds", rounds]
    )
    first, last = result["content_scale"][0], result["content_scale"][-1]
    result["content_growth_1k_to_10k"] = {
        key: round(
            last[f"{key}_seconds" if key != "memory" else "memory_mib"]
            / max(first[f"{key}_seconds" if key != "memory" else "memory_mib"], 1e-9),
            1,
        )
        for key in ("validate", "load", "load_pack", "load_pack_cached", "memory")
    }
    result["storage"] = _json(["bench/storage_bench.py", *storage])
    result["idle_memory"] = _json(["bench/idle_memory.py"])
    result["seconds"] = round(time.monotonic() - started, 1)
    text = table(result)
    print(text)
    print(f"\n(the whole run took {result['seconds']:.0f} s)")
    RESULTS.mkdir(parents=True, exist_ok=True)
    name = f"{result['machine']['date']}-{result['machine']['hostname']}"
    if args.quick:
        name += "-quick"
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(result, indent=2) + "\n", "utf-8")
    print(f"written: {path.relative_to(procs.ROOT)}")


if __name__ == "__main__":
    main()
