"""负面清单: the built-in negative-list items and their labels (schemas/vocabulary.py words them).

A tariff activates a subset and may define items of its own, each with a label.
"""

from __future__ import annotations

from schemas.vocabulary import NEGATIVE_ITEMS

#: Chinese label of each built-in item (what the verification form asks).
BUILTIN_ITEMS: dict[str, str] = {code: item.label.zh for code, item in NEGATIVE_ITEMS.items()}

#: English label of each built-in item.
BUILTIN_ITEMS_EN: dict[str, str] = {code: item.label.en for code, item in NEGATIVE_ITEMS.items()}
