"""Plain-language wording of the engine's reason codes (RULES.md), in Chinese and English.

A denial letter is read by a farming household, so it states each reason as a sentence, never
as a code. The sentences are those of schemas/vocabulary.py, the one place every reason is
worded.

Negative-list items a tariff adds (``NEG_<ITEM>`` with an item the vocabulary does not know)
are worded from the label the tariff gives them, passed by the caller; without a label the
sentence stays generic rather than showing the code.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Literal

from schemas.vocabulary import NEGATIVE_ITEMS, REASONS, Words, reason_sentence

__all__ = [
    "NEGATIVE_ITEM_LABELS",
    "REASON_TEXTS",
    "ReasonText",
    "describe_reason",
    "describe_reasons",
]

Lang = Literal["zh", "en"]

#: The wording of one reason code (zh, en).
ReasonText = Words

#: Short Chinese name of each built-in negative-list item (LAYOUT.md).
NEGATIVE_ITEM_LABELS: Mapping[str, str] = {code: item.short.zh
                                           for code, item in NEGATIVE_ITEMS.items()}

#: Wording of every reason code the engine emits.
REASON_TEXTS: Mapping[str, Words] = REASONS


def describe_reason(
    code: str, custom_labels: Mapping[str, str] | None = None, lang: Lang = "zh"
) -> str:
    """The sentence for one reason code (see :func:`schemas.vocabulary.reason_sentence`)."""
    return reason_sentence(code, custom_labels, lang)


def describe_reasons(
    codes: Iterable[str], custom_labels: Mapping[str, str] | None = None, lang: Lang = "zh"
) -> list[str]:
    """The sentences for several codes, in the given order, without duplicate sentences."""
    sentences: list[str] = []
    for code in codes:
        sentence = describe_reason(code, custom_labels, lang)
        if sentence not in sentences:
            sentences.append(sentence)
    return sentences
