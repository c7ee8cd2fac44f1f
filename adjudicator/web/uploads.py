"""Evidence uploads (佐证材料): photos and scanned documents from a verifier's phone.

Only JPEG, PNG and PDF are kept, recognised by their first bytes (a renamed file is caught),
each at most `max_upload_bytes`. A file is stored once under its SHA-256
(`<evidence_dir>/<sha256>.<ext>`), which is also what the verification records, so the same
photo sent twice is one file and any later change to a file is detectable.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePath

from adjudicator.web.errors import WebError

#: detected type -> (file extension, evidence kind, extensions a sender may use for it)
TYPES: dict[str, tuple[str, str, frozenset[str]]] = {
    "image/jpeg": ("jpg", "photo", frozenset({".jpg", ".jpeg", ".jpe", ".jfif"})),
    "image/png": ("png", "photo", frozenset({".png"})),
    "application/pdf": ("pdf", "document", frozenset({".pdf"})),
}
ALLOWED_EXTENSIONS = frozenset().union(*(t[2] for t in TYPES.values()))


def sniff(head: bytes) -> str | None:
    """The file's type from its magic number, or None when it is none of the allowed ones."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    return None


@dataclass(frozen=True)
class Upload:
    """An accepted upload, not yet stored: its bytes, type, SHA-256 and the sender's name."""

    data: bytes
    mime: str
    sha256: str
    original_name: str

    @property
    def stored_name(self) -> str:
        return f"{self.sha256}.{TYPES[self.mime][0]}"

    @property
    def kind(self) -> str:
        return TYPES[self.mime][1]


def _shown(name: str) -> str:
    """A file name as it may be echoed back to its sender (never logged)."""
    return PurePath(name.replace("\\", "/")).name[:60] or "（未命名文件）"


def accept(name: str, data: bytes, max_bytes: int) -> Upload:
    """Check one uploaded file: size, then type by content and a consistent extension."""
    shown = _shown(name)
    limit_mb = max_bytes / (1024 * 1024)
    if len(data) > max_bytes:
        raise WebError(413, "upload_too_large",
                       f"文件“{shown}”超过 {limit_mb:g} MB 的上限，请压缩后重新上传。")
    if not data:
        raise WebError(422, "upload_empty", f"文件“{shown}”是空的。")
    mime = sniff(data[:16])
    suffix = PurePath(shown).suffix.lower()
    if mime is None or (suffix and suffix not in ALLOWED_EXTENSIONS):
        raise WebError(415, "upload_type",
                       f"文件“{shown}”不是允许的类型：只能上传 JPEG、PNG 照片或 PDF 文件。")
    if suffix and suffix not in TYPES[mime][2]:
        raise WebError(415, "upload_type",
                       f"文件“{shown}”的内容与扩展名不符（内容是 {TYPES[mime][0].upper()}）。")
    return Upload(data, mime, hashlib.sha256(data).hexdigest(), shown)


def store(root: Path, uploads: list[Upload]) -> list[Path]:
    """Write the uploads under `root`; returns the files that are new (to remove them again
    if the verification is then refused). Written atomically: never a half file."""
    root.mkdir(parents=True, exist_ok=True)
    created = []
    for upload in uploads:
        path = root / upload.stored_name
        if path.exists():
            continue
        handle, tmp = tempfile.mkstemp(dir=root, prefix=".upload-")
        with os.fdopen(handle, "wb") as out:
            out.write(upload.data)
        os.replace(tmp, path)
        created.append(path)
    return created


def discard(paths: list[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)
