"""What an operator can configure about the web app (`adjudicator serve` options)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from argon2 import PasswordHasher

from adjudicator.storage.clock import Clock, system_clock

CookieSecurity = Literal["auto", "always", "never"]


@dataclass(frozen=True)
class WebSettings:
    """Database, where files go, limits and the security knobs.

    `secure_cookies`: "auto" marks the session cookie Secure when the request came over
    https (behind a proxy, run uvicorn with --proxy-headers so it sees the scheme),
    "always" and "never" force it.
    """

    database_url: str | None = None
    evidence_dir: Path = Path("evidence")
    documents_dir: Path = Path("documents")
    max_upload_bytes: int = 10 * 1024 * 1024
    max_upload_files: int = 6
    secure_cookies: CookieSecurity = "auto"
    session_hours: float = 8.0
    api_token_hours: float = 24.0
    login_max_failures: int = 5
    login_window_minutes: int = 15
    login_lock_minutes: int = 15
    issuing_office: str = "乡村振兴局"
    clock: Clock = system_clock
    password_hasher: PasswordHasher = field(default_factory=PasswordHasher)

    @property
    def max_request_bytes(self) -> int:
        """A whole request: every allowed file at its limit, plus 1 MiB of form fields."""
        return self.max_upload_bytes * self.max_upload_files + 1024 * 1024
