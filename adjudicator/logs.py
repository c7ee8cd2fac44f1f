"""Logging with structlog: key-value events, JSON in production, pretty on a terminal.

Personal data never reaches a log line: values of keys that name personal fields are
replaced before rendering, and ID-number-like and bank-account-like digit runs inside any
value are masked (the first 6 and last 4 characters kept, as on public outputs).
"""

from __future__ import annotations

import logging
import re
import sys
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


def configure_logging(level: str = "INFO", json: bool | None = None) -> None:
    """JSON lines on a pipe or in production, coloured key-values on a terminal (stderr)."""
    use_json = (not sys.stderr.isatty()) if json is None else json
    renderer: Any = (structlog.processors.JSONRenderer(ensure_ascii=False) if use_json
                     else structlog.dev.ConsoleRenderer())
    structlog.configure(
        processors=[structlog.contextvars.merge_contextvars,
                    structlog.processors.add_log_level,
                    structlog.processors.TimeStamper(fmt="iso", utc=True),
                    scrub_personal_data, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=False,
    )


def get_logger(name: str) -> Any:
    return structlog.get_logger(name)
