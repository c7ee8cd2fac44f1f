"""Pausing the cyclic garbage collector for batch work (evaluate, imports, adjudication).

A batch allocates millions of short-lived containers (rows, dicts, trace steps) and keeps a
large live set (an import's memo of recent households, a chunk in flight). Left on, the
collector runs every few hundred allocations and keeps re-walking the live set: a fifth of
`evaluate` and nearly a third of an import (measured in docs/scale.md). Reference counting
frees nearly everything the batch makes; the few cycles (a database session and its
transaction) are collected at the batch's own pace: `tick()` after each unit of work.
"""

from __future__ import annotations

import contextlib
import gc
import itertools
from collections.abc import Callable, Iterator


@contextlib.contextmanager
def gc_paused(every: int = 100, *, young: bool = False) -> Iterator[Callable[[], None]]:
    """Pause automatic collection; yields `tick`, to call after each unit of work (a block
    of cases, a chunk of rows).

    Every `every`-th tick runs a full collection. With `young`, every other tick collects the
    objects made since the last tick (generations 0 and 1: a few milliseconds, whatever the
    live set), so cycles made per unit do not pile up between full collections. The collector
    is re-enabled (as it was) on the way out.
    """
    enabled = gc.isenabled()
    gc.disable()
    calls = itertools.count(1)

    def tick() -> None:
        if next(calls) % every == 0:
            gc.collect()
        elif young:
            gc.collect(1)

    try:
        yield tick
    finally:
        if enabled:
            gc.enable()
