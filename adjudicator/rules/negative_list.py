"""The negative list's outcome rules (RULES.md step 2) that more than the decision needs.

The verification form check warns of what the decision will find; both read it here.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

CONCEALMENT = "CONCEALMENT"


def contradicted(active: Sequence[str], answers: Mapping[str, bool | None],
                 found: Collection[str]) -> list[str]:
    """The active items answered "no" that a department found, in the tariff's order: each
    is denied as found, and raises concealment where that item is active."""
    return [item for item in active if item in found and answers.get(item) is False]


def concealment_active(active: Collection[str]) -> bool:
    """Whether a contradiction is itself a deny reason (隐瞒): the tariff lists CONCEALMENT."""
    return CONCEALMENT in active


__all__ = ["CONCEALMENT", "concealment_active", "contradicted"]
