"""A loader's problem with a file (保障方案、资金合同), in Chinese and English.

A `Problem` is the English text itself (a `str`, as loaders have always reported it: logs,
`str(error)`, tests) and carries its Chinese (`zh`) and, for a structural problem, the pydantic
error behind it (`error`), which the message catalogue words in Chinese by its type. The rules
core stays free of the catalogue: a door (the CLI, the web app) renders a problem with
`adjudicator.messages.problem_text`, Chinese first and English under `--lang en`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from schemas.vocabulary import os_words


class Problem(str):
    """English text, with its Chinese (`zh`) or the pydantic error it came from (`error`)."""

    zh: str | None
    error: dict[str, Any] | None

    def __new__(cls, en: str, zh: str | None = None,
                error: Mapping[str, Any] | None = None) -> Problem:
        made = super().__new__(cls, en)
        made.zh = zh
        made.error = dict(error) if error is not None else None
        return made


class WordedValueError(ValueError):
    """A validator's refusal with its Chinese: pydantic keeps it as its error's ctx["error"]."""

    def __init__(self, en: str, zh: str) -> None:
        super().__init__(en)
        self.zh = zh


def structural(error: Mapping[str, Any]) -> Problem:
    """A pydantic error as a Problem: its message, and the Chinese of a worded validator."""
    cause = (error.get("ctx") or {}).get("error")
    return Problem(str(error["msg"]), zh=getattr(cause, "zh", None), error=error)


def unreadable(exc: OSError) -> Problem:
    """A file that could not be read (a folder, missing, no permission), in both languages."""
    words = os_words(exc)
    return Problem(f"cannot read: {words.en}", f"无法读取：{words.zh}")
