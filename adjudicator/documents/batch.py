"""Rendering many documents at once, on every core.

A county posts a few hundred village notices at once. Each stays its own WeasyPrint document
(so "第 N 页 共 M 页" counts its own pages), and the work is spread over a pool of worker
processes: WeasyPrint is pure Python above Pango and holds the GIL, so threads would not help.

Each worker builds the renderer's per-process state once (font lookup, the working copy of
the CJK font cut to every character of the batch, parsed stylesheets, one
FontConfiguration) and then renders its share.
Workers are started with ``forkserver`` (``spawn`` where unavailable), never plain ``fork``:
a forked copy of a process that already holds Pango and fontconfig state is not safe.
The calling process does not import WeasyPrint for a pooled batch (the workers do); it
sends the documents in small chunks, so that both cores stay busy to the end.

Measured on the project's 2-core machine: docs/scale.md.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import sys
import threading
import types
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager
from typing import TypeVar, cast

from pydantic import BaseModel

from adjudicator.documents.fonts import find_cjk_font
from adjudicator.documents.models import DecisionRecord, DenialLetter, VillageNotice

__all__ = [
    "SERIAL_THRESHOLD",
    "batch_text",
    "make_executor",
    "render_decision_records",
    "render_denial_letters",
    "render_many",
    "render_notices",
]

ModelT = TypeVar("ModelT", bound=BaseModel)

#: Batches this small are rendered in the calling process: starting workers costs more.
SERIAL_THRESHOLD = 4

#: Module the forkserver imports before forking workers (WeasyPrint and the templates'
#: Python side; nothing is drawn there).
_PRELOAD = "adjudicator.documents.render"


def _available_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def _warm_up(texts: Sequence[str]) -> None:
    """Worker initializer: build the per-process renderer state before the first task.

    Everything built so far (modules, fonts, stylesheets) lives as long as the worker, so
    it is moved out of the garbage collector's sight (``gc.freeze``): collections then only
    look at what the documents allocate.
    """
    from adjudicator.documents import render

    render.warm_up(texts)
    gc.collect()
    gc.freeze()


def _started() -> int:
    """A task that only makes a worker start (see :func:`_start_workers`)."""
    return os.getpid()


def batch_text(items: Sequence[BaseModel]) -> list[str]:
    """Every character the batch's documents may print from their data (the models' JSON);
    the templates' own text and labels are always in the font working copy."""
    return ["".join(sorted(set("".join(item.model_dump_json() for item in items))))]


@contextmanager
def _main_module_hidden() -> Iterator[None]:
    """Workers started meanwhile do not import the caller's ``__main__`` module.

    A ``forkserver`` or ``spawn`` worker normally re-runs the main script first: for
    ``adjudicator notice create`` that is the whole command line application (~0.5 s of CPU
    per worker, for nothing: the documents' functions live in this package). Only done
    while no other thread runs, since ``sys.modules["__main__"]`` is swapped meanwhile.
    """
    main = sys.modules.get("__main__")
    if main is None or threading.active_count() > 1:
        yield
        return
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = main


def make_executor(
    workers: int | None = None,
    *,
    cover: Sequence[BaseModel] = (),
    import_main: bool = True,
) -> ProcessPoolExecutor:
    """A process pool ready to render documents; reuse it across batches to start it once.

    ``workers`` defaults to the number of CPUs this process may use. ``cover`` lists models
    whose characters the workers' font working copy should include at once (see
    :func:`adjudicator.documents.render.cover_characters`); a document with a character
    the working copy lacks makes its worker extend the copy first (~0.1 s).
    ``import_main=False`` starts the workers at once without importing the caller's main
    script, which saves each worker the start-up of the command line; the functions run
    in the pool must then not be defined in ``__main__``.
    """
    count = workers or _available_cpus()
    methods = multiprocessing.get_all_start_methods()
    method = "forkserver" if "forkserver" in methods else "spawn"
    context = multiprocessing.get_context(method)
    if method == "forkserver":
        # Workers fork from a server that has imported WeasyPrint but drawn nothing.
        context.set_forkserver_preload([_PRELOAD])
    pool = ProcessPoolExecutor(
        max_workers=count,
        mp_context=context,
        initializer=_warm_up,
        initargs=(batch_text(cover),),
    )
    if not import_main:
        with _main_module_hidden():
            # One task per worker: the pool starts one process per task while none is idle.
            for _ in range(count):
                pool.submit(_started)
    return pool


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
        from adjudicator.documents import render

        render.cover_characters(batch_text(items))
        return [function(item) for item in items]
    if executor is not None:
        return _run(executor, function, items, count)
    # Without a CJK font every worker would fail in its initializer, which the pool reports
    # only as a broken pool: say what is missing before starting any.
    find_cjk_font()
    count = min(count, len(items))
    in_main = getattr(function, "__module__", None) == "__main__"
    with make_executor(count, cover=items, import_main=in_main) as pool:
        return _run(pool, function, items, count)


def _run(
    pool: Executor, function: Callable[[ModelT], bytes], items: list[ModelT], workers: int
) -> list[bytes]:
    """Render ``items`` on ``pool`` in small chunks, the largest documents first (so that
    no worker is left with a long one at the end), and return them in the given order."""
    weights = [len(item.model_dump_json()) for item in items]
    order = sorted(range(len(items)), key=lambda index: -weights[index])
    size = _chunksize(len(items), workers)
    chunks = [order[start : start + size] for start in range(0, len(order), size)]
    futures: list[Future[list[bytes]]] = [
        pool.submit(_render_chunk, function, [items[index] for index in chunk])
        for chunk in chunks
    ]
    results: list[bytes | None] = [None] * len(items)
    try:
        for chunk, future in zip(chunks, futures, strict=True):
            for index, pdf in zip(chunk, future.result(), strict=True):
                results[index] = pdf
    except BaseException:
        for future in futures:
            future.cancel()
        raise
    return cast("list[bytes]", results)


def _chunksize(total: int, workers: int) -> int:
    """Small chunks keep both cores busy to the end; not 1, to limit the messages."""
    return max(1, min(4, total // (workers * 8)))


def _render_chunk(function: Callable[[ModelT], bytes], items: list[ModelT]) -> list[bytes]:
    """In a worker: ``function`` over ``items``, with the cyclic garbage collector paused
    while a document is laid out and run once after it (a document allocates hundreds of
    thousands of objects, and automatic collections among them cost ~5 %)."""
    if multiprocessing.parent_process() is None:  # not a worker process: leave gc alone
        return [function(item) for item in items]
    pdfs = []
    for item in items:
        gc.disable()
        try:
            pdfs.append(function(item))
        finally:
            gc.enable()
        gc.collect()
    return pdfs


# Module-level wrappers, sent to the workers by name, so that the calling process does not
# import WeasyPrint just to name the function.


def _notice_pdf(notice: VillageNotice) -> bytes:
    from adjudicator.documents.render import render_notice

    return render_notice(notice)


def _denial_letter_pdf(letter: DenialLetter) -> bytes:
    from adjudicator.documents.render import render_denial_letter

    return render_denial_letter(letter)


def _decision_record_pdf(record: DecisionRecord) -> bytes:
    from adjudicator.documents.render import render_decision_record

    return render_decision_record(record)


def render_notices(
    notices: Sequence[VillageNotice],
    *,
    workers: int | None = None,
    executor: Executor | None = None,
) -> list[bytes]:
    """One PDF per village notice, in the given order (see :func:`render_many`)."""
    return render_many(_notice_pdf, notices, workers=workers, executor=executor)


def render_denial_letters(
    letters: Sequence[DenialLetter],
    *,
    workers: int | None = None,
    executor: Executor | None = None,
) -> list[bytes]:
    """One PDF per denial letter, in the given order (see :func:`render_many`)."""
    return render_many(_denial_letter_pdf, letters, workers=workers, executor=executor)


def render_decision_records(
    records: Sequence[DecisionRecord],
    *,
    workers: int | None = None,
    executor: Executor | None = None,
) -> list[bytes]:
    """One PDF per decision record, in the given order (see :func:`render_many`)."""
    return render_many(_decision_record_pdf, records, workers=workers, executor=executor)
