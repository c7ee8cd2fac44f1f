"""Logging with structlog: key-value events, JSON in production, pretty on a terminal.

Personal data never reaches a log line: values of keys that name personal fields are
replaced before rendering, and ID-number-like and bank-account-like digit runs inside any
value are masked (the first 6 and last 4 characters kept, as on public outputs).
"""

from __future__ import annotations

import logging
import re
import sys
import traceback
from collections.abc import MutableMapping
from typing import Any

import structlog

#: Keys whose values are personal data, whatever the event.
PERSONAL_KEYS = frozenset({"name", "names", "id_number", "id_numbers", "bank_account",
                           "account", "phone", "claimant_name", "household_head_name"})
_ID_LIKE = re.compile(r"\b(\d{6})\d{7,8}([\dXx]{4})\b|\b(\d{6})\d{5}(\d{4})\b")
_ACCOUNT_LIKE = re.compile(r"\b\d{12,}(\d{4})\b")


def _mask_text(text: str) -> str:
    text = _ID_LIKE.sub(lambda m: f"{m.group(1) or m.group(3)}********"
                                  f"{m.group(2) or m.group(4)}", text)
    return _ACCOUNT_LIKE.sub(lambda m: f"****{m.group(1)}", text)


def scrub_personal_data(_logger: Any, _method: str,
                        event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """structlog processor: drop personal values, mask ID-like digit runs anywhere."""
    for key in list(event):
        if key in PERSONAL_KEYS:
            event[key] = "[personal data removed]"
        elif isinstance(event[key], str):
            event[key] = _mask_text(event[key])
    return event


def traceback_frames(exc: BaseException) -> list[str]:
    """Where an exception came from: `file:line in function` of each frame, its class and
    those of its causes, and never a message (a database error quotes the values it was
    given, a name or an ID number among them)."""
    lines: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        cls = type(current)
        lines.append(f"{cls.__module__}.{cls.__qualname__}")
        lines += [f"  {frame.filename}:{frame.lineno} in {frame.name}"
                  for frame in traceback.extract_tb(current.__traceback__)]
        current = current.__cause__ or current.__context__
    return lines


def scrub_exceptions(_logger: Any, _method: str,
                     event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """structlog processor: an exception attached to an event (exc_info, or a stdlib record's
    traceback) becomes its frames and class names only, no message."""
    info = event.pop("exc_info", None)
    if info is True:
        info = sys.exc_info()
    exc = info if isinstance(info, BaseException) else (
        info[1] if isinstance(info, tuple) and len(info) == 3 else None)
    if exc is not None:
        event["error"] = type(exc).__name__
        event["traceback"] = "\n".join(traceback_frames(exc))
    event.pop("exception", None)
    event.pop("stack", None)
    return event


def log_exception(logger: Any, event: str, exc: BaseException, **fields: Any) -> None:
    """Log an unexpected error with its frames (scrubbed: see `traceback_frames`)."""
    logger.error(event, error=type(exc).__name__, traceback="\n".join(traceback_frames(exc)),
                 **fields)


def _scrub_record_message(_logger: Any, _method: str,
                          event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """A stdlib record's message may quote an exception's: keep its first line, masked by
    `scrub_personal_data`, unless it carries an exception (then only its class)."""
    record = event.get("_record")
    if record is not None and record.exc_info:
        event["event"] = str(event.get("event", "")).splitlines()[0][:200]
    return event


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The standard library's records, to whatever sys.stderr is when each is written."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


def configure_logging(level: str = "INFO", json: bool | None = None) -> None:
    """JSON lines on a pipe or in production, coloured key-values on a terminal (stderr).

    The standard library's loggers (uvicorn's, SQLAlchemy's, any library's) go through the
    same processors, so every line, a traceback's included, passes the scrubber."""
    use_json = (not sys.stderr.isatty()) if json is None else json
    renderer: Any = (structlog.processors.JSONRenderer(ensure_ascii=False) if use_json
                     else structlog.dev.ConsoleRenderer())
    shared: list[Any] = [structlog.processors.add_log_level,
                         structlog.processors.TimeStamper(fmt="iso", utc=True),
                         scrub_exceptions, scrub_personal_data]
    structlog.configure(
        processors=[structlog.contextvars.merge_contextvars, *shared, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=False,
    )
    handler = _StderrHandler()
    handler.setFormatter(structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[structlog.stdlib.add_logger_name, _scrub_record_message, *shared],
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer]))
    root = logging.getLogger()
    for old in list(root.handlers):
        if getattr(old, "adjudicator", False):
            root.removeHandler(old)
    handler.adjudicator = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    # Libraries' warnings and errors; the server's own notices (uvicorn) at `level` too.
    root.setLevel(max(logging.WARNING, logging.getLevelName(level)))
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
        logger.setLevel(logging.getLevelName(level))


def get_logger(name: str) -> Any:
    return structlog.get_logger(name)
