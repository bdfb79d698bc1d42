"""A URL fetcher that serves files under the allowed folders and refuses everything else."""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from weasyprint.urls import URLFetcher, URLFetcherResponse


class LocalOnlyFetcher(URLFetcher):
    """No network, no file outside the collection (symlinks are resolved before the check)."""

    def __init__(self, allowed: list[Path]) -> None:
        super().__init__(allowed_protocols=("file",))
        self.allowed = [folder.resolve() for folder in allowed]
        self.refused: list[str] = []

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        parts = urlsplit(url)
        path = Path(unquote(parts.path)).resolve() if parts.scheme == "file" else None
        if path is None or not any(path.is_relative_to(f) for f in self.allowed) \
                or not path.is_file():
            self.refused.append(url)
            raise ValueError(f"qlabbook does not load {url}: only files inside the collection")
        media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), path.read_bytes(),
                                  {"Content-Type": media_type})
