"""What an operator can configure about the web app (`adjudicator serve` options)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from argon2 import PasswordHasher, Type

from adjudicator.storage.clock import Clock, system_clock

CookieSecurity = Literal["auto", "always", "never"]


def production_hasher() -> PasswordHasher:
    """argon2id sized for the county's server (2 cores, 24 GiB): 64 MiB and 3 passes on one
    lane, about 0.17 s of one core a hash. With `login_hash_slots` = 2 hashes at once, the
    logins' hashing never holds more than 128 MiB and never more than the two cores."""
    return PasswordHasher(time_cost=3, memory_cost=64 * 1024, parallelism=1, hash_len=32,
                          salt_len=16, type=Type.ID)


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
    #: Failed logins from one client address (any user names) before it is locked out too.
    login_address_max_failures: int = 20
    #: Password hashes computed at once (each holds the hasher's memory, 64 MiB), and how
    #: many more logins may wait for one; a login beyond that is answered 503 at once.
    login_hash_slots: int = 2
    login_hash_queue: int = 64
    issuing_office: str = "乡村振兴局"
    clock: Clock = system_clock
    password_hasher: PasswordHasher = field(default_factory=production_hasher)

    @property
    def max_request_bytes(self) -> int:
        """A whole request: every allowed file at its limit, plus 1 MiB of form fields."""
        return self.max_upload_bytes * self.max_upload_files + 1024 * 1024
