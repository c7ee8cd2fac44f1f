"""Helpers of batch work (evaluate, imports, adjudication): taking a stream in chunks, and
pausing the cyclic garbage collector.

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
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")

def chunked(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """`items` in lists of `size` (the last may be shorter), read as they are needed."""
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


#: A tick collects the young generations when this many more container objects are alive
#: than at the last collection (gc.get_count()[0] keeps counting while paused): whatever
#: makes cycles per row (a file of rejected rows: exceptions and their tracebacks) cannot
#: pile up between full collections. A normal chunk keeps a few thousand.
YOUNG_LIMIT = 300_000


@contextlib.contextmanager
def gc_paused(every: int = 100) -> Iterator[Callable[[], None]]:
    """Pause automatic collection; yields `tick`, to call after each unit of work (a block
    of cases, a chunk of rows): every `every`-th tick runs a full collection; any other
    tick collects the young generations when `YOUNG_LIMIT` more objects are alive than at
    the last collection. The collector is re-enabled (as it was) on the way out.

    (Collecting the young generations at every tick cost more than it saved: an import's
    chunk leaves tens of thousands of live objects to walk, for a hundred freed.)
    """
    enabled = gc.isenabled()
    gc.disable()
    calls = itertools.count(1)

    def tick() -> None:
        if next(calls) % every == 0:
            gc.collect()
        elif gc.get_count()[0] > YOUNG_LIMIT:
            gc.collect(1)

    try:
        yield tick
    finally:
        if enabled:
            gc.enable()
