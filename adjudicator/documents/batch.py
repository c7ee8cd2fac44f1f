"""Rendering many documents at once, on every core.

A county posts a few hundred village notices at once. Each stays its own WeasyPrint document
(so "第 N 页 共 M 页" counts its own pages), and the work is spread over a pool of worker
processes: WeasyPrint is pure Python above Pango and holds the GIL, so threads would not help.

Each worker builds the renderer's per-process state once (font lookup, the reduced working
copy of the CJK font covering every character of the batch, parsed stylesheets, one
FontConfiguration) and then renders its share.
Workers are started with ``forkserver`` (``spawn`` where unavailable), never plain ``fork``:
a forked copy of a process that already holds Pango and fontconfig state is not safe.

Measured on the project's 2-core machine: docs/documents.md.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from typing import TypeVar

from pydantic import BaseModel

from adjudicator.documents import render
from adjudicator.documents.models import DecisionRecord, DenialLetter, VillageNotice

__all__ = [
    "SERIAL_THRESHOLD",
    "make_executor",
    "render_decision_records",
    "render_denial_letters",
    "render_many",
    "render_notices",
]

ModelT = TypeVar("ModelT", bound=BaseModel)

#: Batches this small are rendered in the calling process: starting workers costs more.
SERIAL_THRESHOLD = 4


def _available_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def _warm_up(texts: Sequence[str]) -> None:
    """Worker initializer: build the per-process renderer state before the first task."""
    render.warm_up(texts)


def _batch_text(items: Sequence[BaseModel]) -> list[str]:
    """Every character the batch's documents may print (from the models' JSON)."""
    return ["".join(sorted(set("".join(item.model_dump_json() for item in items))))]


def make_executor(
    workers: int | None = None, *, cover: Sequence[BaseModel] = ()
) -> ProcessPoolExecutor:
    """A process pool ready to render documents; reuse it across batches to start it once.

    ``workers`` defaults to the number of CPUs this process may use. ``cover`` lists models
    whose characters the workers' font working copy should include (see
    :func:`adjudicator.documents.render.cover_characters`); characters it lacks still print,
    only more slowly.
    """
    count = workers or _available_cpus()
    methods = multiprocessing.get_all_start_methods()
    method = "forkserver" if "forkserver" in methods else "spawn"
    context = multiprocessing.get_context(method)
    if method == "forkserver":
        # Workers fork from a server that has imported WeasyPrint but drawn nothing.
        context.set_forkserver_preload(["adjudicator.documents.render"])
    return ProcessPoolExecutor(
        max_workers=count,
        mp_context=context,
        initializer=_warm_up,
        initargs=(_batch_text(cover),),
    )


def render_many(
    function: Callable[[ModelT], bytes],
    items: Sequence[ModelT],
    *,
    workers: int | None = None,
    executor: Executor | None = None,
) -> list[bytes]:
    """``[function(item) for item in items]``, spread over worker processes, in order.

    ``function`` must be a module-level function (it is sent to the workers by name).
    Pass ``executor`` (from :func:`make_executor`) to reuse a running pool; otherwise a pool
    of ``workers`` processes is started for this call, unless the batch is small or
    ``workers`` is 1, in which case everything runs here. The first error raised by a
    document is raised here.
    """
    items = list(items)
    if not items:
        return []
    count = workers or _available_cpus()
    if executor is None and (count <= 1 or len(items) <= SERIAL_THRESHOLD):
        render.cover_characters(_batch_text(items))
        return [function(item) for item in items]
    if executor is not None:
        return list(executor.map(function, items, chunksize=_chunksize(len(items), count)))
    with make_executor(min(count, len(items)), cover=items) as pool:
        return list(pool.map(function, items, chunksize=_chunksize(len(items), count)))


def _chunksize(total: int, workers: int) -> int:
    """Small chunks keep both cores busy to the end; not 1, to limit the messages."""
    return max(1, min(8, total // (workers * 8)))


def render_notices(
    notices: Sequence[VillageNotice],
    *,
    workers: int | None = None,
    executor: Executor | None = None,
) -> list[bytes]:
    """One PDF per village notice, in the given order (see :func:`render_many`)."""
    return render_many(render.render_notice, notices, workers=workers, executor=executor)


def render_denial_letters(
    letters: Sequence[DenialLetter],
    *,
    workers: int | None = None,
    executor: Executor | None = None,
) -> list[bytes]:
    """One PDF per denial letter, in the given order (see :func:`render_many`)."""
    return render_many(render.render_denial_letter, letters, workers=workers, executor=executor)


def render_decision_records(
    records: Sequence[DecisionRecord],
    *,
    workers: int | None = None,
    executor: Executor | None = None,
) -> list[bytes]:
    """One PDF per decision record, in the given order (see :func:`render_many`)."""
    return render_many(render.render_decision_record, records, workers=workers, executor=executor)
