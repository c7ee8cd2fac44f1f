"""The batch helpers: chunks read as needed, and the paused garbage collector given back
as it was."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

import pytest

from adjudicator.batchwork import chunked, gc_paused
from adjudicator.intake import import_households
from fixtures.generate import generate_county, write_import_files


class _Cycle:
    def __init__(self) -> None:
        self.me = self


def test_every_nth_tick_collects_the_cycles_made_meanwhile() -> None:
    import weakref

    assert gc.isenabled()
    with gc_paused(every=3) as tick:
        assert not gc.isenabled()
        cycle = _Cycle()
        alive = weakref.ref(cycle)
        del cycle
        tick()
        tick()
        assert alive() is not None  # paused: a cycle waits for the collection
        tick()
        assert alive() is None  # the third tick collected it
    assert gc.isenabled()


def test_a_tick_collects_early_when_many_objects_were_kept(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import weakref

    from adjudicator import batchwork

    monkeypatch.setattr(batchwork, "YOUNG_LIMIT", 1000)
    with gc_paused(every=1000) as tick:
        cycle = _Cycle()
        alive = weakref.ref(cycle)
        del cycle
        tick()
        assert alive() is not None  # few objects kept: the tick does nothing
        kept = [[] for _ in range(2000)]
        tick()
        assert alive() is None  # 2,000 kept: the young generations were collected
        assert gc.get_count()[0] < 1000
        del kept


def test_a_collector_left_off_by_the_caller_stays_off() -> None:
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_an_import_that_fails_gives_the_collector_back(admin_ctx: Any, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    files = write_import_files(generate_county(3, 5), tmp_path)

    def broken(*args: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr("adjudicator.intake.pipeline._store_chunk", broken)
    with pytest.raises(RuntimeError):
        import_households(admin_ctx, files["households"])
    assert gc.isenabled()


def test_chunked_reads_a_stream_a_chunk_at_a_time() -> None:
    taken: list[int] = []

    def stream():
        for n in range(7):
            taken.append(n)
            yield n

    chunks = chunked(stream(), 3)
    assert next(chunks) == [0, 1, 2] and taken == [0, 1, 2]  # nothing read ahead
    assert list(chunks) == [[3, 4, 5], [6]]
    assert list(chunked([], 3)) == []
