"""The cyclic garbage collector paused while a pack's objects are made.

    with collector_paused():
        result = build_the_pack()

A loaded pack is hundreds of thousands of small objects, all kept. While they are made, the
collector would walk every one of them again each time a generation fills, for nothing:
a load of ten times the steps took more than ten times as long. Paused, it runs as usual
afterwards. Loading from files (``bot.pack.loader``) and from the cache of loaded packs
(``bot.pack.cache``) both use it.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
