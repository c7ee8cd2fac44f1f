"""The URL fetcher WeasyPrint uses: nothing leaves the package.

Documents print data typed by villagers and clerks. Jinja2's autoescaping turns a name like
``<img src="file:///etc/passwd">`` into literal text, so it never becomes markup; this fetcher
is the second wall: even if markup did get through, WeasyPrint could fetch only

- ``data:`` URIs (the charts are embedded that way), and
- ``file:`` URLs of files inside the package's own ``templates/`` folder (stylesheets,
  static images, fonts shipped there), after resolving symbolic links and ``..``.

Everything else (``http``, ``https``, ``ftp``, other local files, other hosts) is refused
before any I/O. The refusal message names the scheme only, never the URL, since a URL could
carry personal data into a log.
"""

from __future__ import annotations

import mimetypes
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from weasyprint.urls import URLFetcher, URLFetcherResponse

__all__ = ["TEMPLATES_DIR", "RefusedURLError", "SafeURLFetcher"]

#: The package's templates, stylesheets and static files: the only readable folder.
TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"


class RefusedURLError(ValueError):
    """A document asked for a resource outside the allowed set."""


class SafeURLFetcher(URLFetcher):  # type: ignore[misc]  # WeasyPrint ships no types
    """A WeasyPrint :class:`~weasyprint.urls.URLFetcher` that only reads allowed resources.

    ``allowed_dirs`` defaults to the package's ``templates/`` folder; ``allowed_files`` adds
    single files (none by default).
    """

    def __init__(
        self,
        allowed_dirs: Iterable[Path] | None = None,
        allowed_files: Iterable[Path] = (),
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("allowed_protocols", ("data", "file"))
        kwargs.setdefault("allow_redirects", False)
        kwargs.setdefault("timeout", 5)
        super().__init__(**kwargs)
        dirs = [TEMPLATES_DIR] if allowed_dirs is None else list(allowed_dirs)
        self._allowed_dirs = tuple(Path(os.path.realpath(d)) for d in dirs)
        self._allowed_files = frozenset(Path(os.path.realpath(f)) for f in allowed_files)

    def local_path(self, url: str) -> Path:
        """The allowed local file a ``file:`` URL names; raises :class:`RefusedURLError`."""
        parts = urlsplit(url)
        if parts.scheme.lower() != "file":
            raise RefusedURLError(f"refused a {parts.scheme or 'relative'} URL")
        if parts.netloc not in ("", "localhost"):
            raise RefusedURLError("refused a file URL on another host")
        path = Path(os.path.realpath(unquote(parts.path)))
        if path in self._allowed_files:
            return path
        if any(path.is_relative_to(root) for root in self._allowed_dirs) and path.is_file():
            return path
        raise RefusedURLError("refused a local file outside the document templates")

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        """Serve ``data:`` URIs and allowed local files; refuse everything else."""
        scheme = url.split(":", 1)[0].strip().lower() if ":" in url else ""
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == "file":
            path = self.local_path(url)
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(
                path.as_uri(), body=path.read_bytes(), headers={"Content-Type": content_type}
            )
        raise RefusedURLError(f"refused a {scheme or 'relative'} URL")
