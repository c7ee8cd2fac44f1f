"""SHA-256 of stored text, as the event chain records it."""

from __future__ import annotations

import hashlib


def sha256_text(text: str) -> str:
    """The hex SHA-256 of the text's UTF-8 bytes."""
    return hashlib.sha256(text.encode()).hexdigest()
