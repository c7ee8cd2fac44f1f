"""Pausing the cyclic garbage collector for batch work (evaluate, imports, adjudication).

A batch allocates millions of short-lived containers (rows, dicts, trace steps) and keeps a
large live set (an import's memo of recent households, a chunk in flight). Left on, the
collector runs every few hundred allocations and keeps re-walking the live set: a fifth of
`evaluate` and over a quarter of an import (docs/scale.md). Reference counting frees nearly
everything a batch makes; the few cycles (a database session and its transaction, about a
hundred objects a chunk) wait for the full collection every `every` units of work.
"""

from __future__ import annotations

import contextlib
import gc
import itertools
from collections.abc import Callable, Iterator


@contextlib.contextmanager
def gc_paused(every: int = 100) -> Iterator[Callable[[], None]]:
    """Pause automatic collection; yields `tick`, to call after each unit of work (a block
    of cases, a chunk of rows): every `every`-th tick runs a full collection. The collector
    is re-enabled (as it was) on the way out.

    (Collecting the young generations at every tick instead cost more than it saved: an
    import's chunk leaves tens of thousands of live objects to walk, for a hundred freed.)
    """
    enabled = gc.isenabled()
    gc.disable()
    calls = itertools.count(1)

    def tick() -> None:
        if next(calls) % every == 0:
            gc.collect()

    try:
        yield tick
    finally:
        if enabled:
            gc.enable()
