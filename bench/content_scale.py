"""Content scale: a generated pack of N steps in 8 languages; how long ``lotsen validate``
and loading take and how much memory the loaded pack holds, from 1,000 to 10,000 steps.

    python bench/content_scale.py --steps 10000          # one size, in this process
    python bench/content_scale.py --sizes 1000 10000     # each size in a fresh process
    python bench/content_scale.py --sizes 1000 10000 --rounds 3   # medians of 3 rounds

A pack of N steps: flows of 100 steps, each step a sentence and two options (on to the next
step, or skip one), the last step of a flow leading to the next flow; a home menu, an
emergency step and an about step; catalogs for seven languages besides Swedish, every
message translated. ``load_pack`` is what ``lotsen validate`` and the server's start run;
"validate" is the time spent in the validator's rules within it, "load" the rest (YAML,
schema, building the model, reading the catalogs). Memory is the growth of the process's
resident set while loading (the pack, its source positions and the catalogs).

Those are a cold load: nothing cached. "cached" is the same pack loaded again by a fresh
process from the cache of loaded packs (``bot.pack.cache``, which ``lotsen serve``, its
reloads and ``lotsen validate`` use): what a restart or a second validation of unchanged
files costs, hashing every file included. "edited" is a fresh process loading it after an
edit to one flow: every flow read and the whole pack checked again, each catalog taken from
that cache (kept by its own bytes), as ``lotsen validate`` after an editor's change, or a
server's reload in its child process.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from bot.flows.model import REQUIRED_TEXTS
from bot.i18n import catalogs
from bot.pack import loader
from bot.pack.cache import PackCache

ROOT = Path(__file__).resolve().parent.parent
PER_FLOW = 100
LANGUAGES = ("en", "ar", "so", "fa", "fi", "de", "pl")  # and the source, sv: 8 in all
SPECIAL = {
    "unknown_command": "Kommandon: {commands}",
    "card_source": "Källa: {source}, kontrollerad {date}",
    "unverified_contact": "Se {web}",
    "open_until": "Öppet till {time}",
    "closed_until": "Stängt, öppnar {day} {time}",
}


def _texts() -> dict[str, str]:
    return {key: SPECIAL.get(key, f"Text {key}") for key in REQUIRED_TEXTS}


def generate(root: Path, steps: int) -> list[str]:
    """Write the pack into ``root / "content"`` and catalogs into ``root / "locales"``;
    returns every message id."""
    content = root / "content"
    (content / "flows").mkdir(parents=True)
    flows = max(1, steps // PER_FLOW)
    texts = _texts()
    messages = list(texts.values())
    pack = [
        "id: scale",
        "source_language: sv",
        "start: home.welcome",
        "menu: home.menu",
        "emergency: emergency.now",
        "privacy: home.about",
        "help: home.about",
        "navigation: [emergency, back, menu]",
        "triggers:",
        "  emergency: [akut, i fara]",
        "  menu: [meny]",
        "  back: [tillbaka]",
        "texts:",
        *(f'  {key}: "{value}"' for key, value in texts.items()),
    ]
    (content / "lotsen.yaml").write_text("\n".join(pack) + "\n", "utf-8")
    # The emergency step's card: a service of the directory (contacts.yaml is retired).
    services = content / "directory" / "services"
    services.mkdir(parents=True)
    shutil.copy(ROOT / "content" / "directory" / "areas.yaml", content / "directory")
    (services / "national.yaml").write_text(
        'services:\n  sos:\n    organization: SOS Alarm\n    name: "112"\n'
        "    description: Nödnummer.\n    topics: [emergency]\n    areas: [SE]\n"
        '    phones:\n      - number: "112"\n    source: SOS Alarm\n'
        "    verified: 2026-11-22\n    status: active\n",
        "utf-8",
    )
    menu = [f"      - label: Ämne {f}\n        goto: g{f:04d}.s000" for f in range(min(flows, 8))]
    home = (
        "title: Hem\nsteps:\n  welcome:\n    say: Välkommen.\n    next: menu\n"
        "  menu:\n    say: Vad vill du veta?\n    options:\n" + "\n".join(menu) + "\n"
        "  about:\n    say: Ingen läser chatten.\n    end: true\n"
    )
    (content / "flows" / "home.yaml").write_text(home, "utf-8")
    (content / "flows" / "emergency.yaml").write_text(
        "title: Akut\nsteps:\n  now:\n    say: Ring 112 om någon är i fara.\n"
        "    contacts: [sos]\n    end: true\n",
        "utf-8",
    )
    messages += [
        "Hem",
        "Välkommen.",
        "Vad vill du veta?",
        "Ingen läser chatten.",
        "Akut",
        "Ring 112 om någon är i fara.",
        "112",
        "Nödnummer.",
    ]
    messages += [f"Ämne {f}" for f in range(min(flows, 8))]
    for f in range(flows):
        messages += _flow(content / "flows" / f"g{f:04d}.yaml", f, flows)
    _catalogs(root / "locales", sorted(set(messages)))
    return messages


def _flow(path: Path, f: int, flows: int) -> list[str]:
    lines = [f"title: Flöde {f}", "steps:"]
    messages = [f"Flöde {f}"]
    for i in range(PER_FLOW):
        say = f"Steg {i} i flöde {f}: här står vad som händer sedan och vem som får veta."
        lines += [f"  s{i:03d}:", f'    say: "{say}"']
        messages.append(say)
        targets = [
            # Short, as labels are ("[fa] Hoppa till 98 (99)" fits WhatsApp's 24): a pack
            # that validates without a warning, as a real one does.
            (f"Vidare till {i + 1} ({f})", f"s{i + 1:03d}"),
            (f"Hoppa till {i + 2} ({f})", f"s{i + 2:03d}"),
        ]
        targets = [(label, goto) for label, goto in targets if int(goto[1:]) < PER_FLOW]
        if i == PER_FLOW - 1:
            targets = [(f"Nästa ämne ({f})", f"g{f + 1:04d}.s000")] if f + 1 < flows else []
        if not targets:
            lines.append("    end: true")
            continue
        lines.append("    options:")
        for label, goto in targets:
            lines += [f"      - label: {label}", f"        goto: {goto}"]
            messages.append(label)
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return messages


def _po(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _catalogs(locales: Path, messages: list[str]) -> None:
    for code in LANGUAGES:
        folder = locales / code / "LC_MESSAGES"
        folder.mkdir(parents=True)
        entries = [
            f'msgid ""\nmsgstr ""\n"Language: {code}\\n"\n'
            '"Content-Type: text/plain; charset=utf-8\\n"\n'
        ]
        entries += [f"msgid {_po(m)}\nmsgstr {_po(f'[{code}] ' + m)}\n" for m in messages]
        (folder / "messages.po").write_text("\n".join(entries), "utf-8")


def _rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def measure(steps: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        generate(root, steps)
        spent = [0.0]
        validate = loader.validate

        def timed_validate(*args: object, **kwargs: object) -> object:
            started = time.perf_counter()
            problems = list(validate(*args, **kwargs))  # type: ignore[arg-type]
            spent[0] += time.perf_counter() - started
            return problems

        loader.validate = timed_validate  # type: ignore[assignment]
        gc.collect()
        before = _rss_kib()
        started = time.perf_counter()
        result = loader.load_pack(root / "content")
        total = time.perf_counter() - started
        gc.collect()
        after = _rss_kib()
        if result.content is None:
            problems = [p.format() for p in result.errors[:5]]
            raise SystemExit(f"the generated pack has errors: {problems}")
        cache = PackCache(root / "cache")
        locales = root / "locales"
        key = cache.key(root / "content", locales, today=None, min_coverage=0.0)
        assert key is not None
        cache.put(key, result)
        warm = _fresh_process("--cached", str(root))
        _fresh_process("--fill", str(root))
        flow = min((root / "content" / "flows").glob("*.yaml"))
        flow.write_text(flow.read_text("utf-8") + "\n# edited\n", "utf-8")
        edited = _fresh_process("--edited", str(root))
        return {
            "steps": len(result.content.steps),
            "languages": len(result.content.languages),
            "load_pack_seconds": round(total, 3),
            "validate_seconds": round(spent[0], 3),
            "load_seconds": round(total - spent[0], 3),
            "memory_mib": round((after - before) / 1024, 1),
            "load_pack_cached_seconds": warm["seconds"],
            "load_pack_edited_seconds": edited["seconds"],
        }


def cached(root: Path) -> dict[str, object]:
    """``load_pack`` of the pack in ``root`` in this (fresh) process, from its cache."""
    cache = PackCache(root / "cache")

    def not_cached(*args: object) -> loader.LoadResult:
        raise SystemExit("the pack was not in the cache: this would time a cold load")

    loader._load = not_cached  # type: ignore[assignment]
    started = time.perf_counter()
    result = loader.load_pack(root / "content", cache=cache)
    seconds = time.perf_counter() - started
    if result.content is None:
        raise SystemExit("the cached pack has errors")
    return {"seconds": round(seconds, 3)}


def fill(root: Path) -> dict[str, object]:
    """The pack in ``root`` read from its files with the cache, which keeps its catalogs."""
    content = root / "content"
    loader._load(content, content.parent / "locales", None, 0.0, PackCache(root / "cache"))
    return {}


def edited(root: Path) -> dict[str, object]:
    """``load_pack`` in this (fresh) process after an edit to one flow: the flows read and
    the whole pack checked again, every catalog taken from the cache."""

    def parsing(*args: object) -> object:
        raise SystemExit("a catalog was parsed: this would time a cold load")

    catalogs._parse = parsing  # type: ignore[assignment]
    started = time.perf_counter()
    result = loader.load_pack(root / "content", cache=PackCache(root / "cache"))
    seconds = time.perf_counter() - started
    if result.content is None:
        raise SystemExit("the edited pack has errors")
    return {"seconds": round(seconds, 3)}


def _fresh_process(*args: str) -> Any:
    """This script run with ``args`` in a process of its own: its JSON answer."""
    out = subprocess.run(
        [sys.executable, __file__, *args], check=True, capture_output=True, text=True
    ).stdout
    return json.loads(out)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int)
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 10000])
    parser.add_argument("--rounds", type=int, default=1, help="medians of this many rounds")
    parser.add_argument("--cached", type=Path, help="time a load from this root's cache")
    parser.add_argument("--fill", type=Path, help="load this root's pack into its cache")
    parser.add_argument("--edited", type=Path, help="time a load, its catalogs from the cache")
    args = parser.parse_args()
    for mode, run in ((args.cached, cached), (args.fill, fill), (args.edited, edited)):
        if mode:
            print(json.dumps(run(mode)))
            return
    if args.steps:
        print(json.dumps(measure(args.steps)))
        return
    rounds = [
        [_fresh_process("--steps", str(size)) for size in args.sizes] for _ in range(args.rounds)
    ]
    print(
        json.dumps([_medians([one[index] for one in rounds]) for index in range(len(args.sizes))])
    )


def _medians(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """One size's figures: each the median of its rounds (the counts are the same in all)."""
    if len(runs) == 1:
        return runs[0]
    medians: dict[str, Any] = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
    medians["rounds"] = len(runs)
    return medians


if __name__ == "__main__":
    main()
