"""The files the renderer may load: those under the mapped folders, nothing else (served to
WeasyPrint through engine.url_fetcher)."""

from __future__ import annotations

import mimetypes
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote, urlsplit

# Documents are rendered against these virtual folders, never the machine's real paths:
# WeasyPrint names images after their URL, and the PDF must not depend on where the
# collection happens to be checked out.
COLLECTION_URL = "file:///qlabbook/collection/"
STYLES_URL = "file:///qlabbook/styles/"


class LocalFiles:
    """No network; no file outside the mapped folders (symlinks resolved before the check)."""

    def __init__(self, folders: dict[str, Path],
                 images: Callable[[Path, bytes], bytes | None] | None = None) -> None:
        self.folders = {prefix: folder.resolve() for prefix, folder in folders.items()}
        self.images = images  # may replace a JPEG or PNG (given its path) by a smaller one

    def real_path(self, url: str) -> Path | None:
        for prefix, folder in self.folders.items():
            if url.startswith(prefix):
                path = (folder / unquote(urlsplit(url).path[len(urlsplit(prefix).path):]))
                path = path.resolve()
                if path.is_relative_to(folder) and path.is_file():
                    return path
        return None

    def serve(self, url: str) -> tuple[bytes, str]:
        """The file's bytes and media type; ValueError for a URL it does not serve."""
        path = self.real_path(url)
        if path is None:
            raise ValueError(f"qlabbook does not load {url}: only files inside the collection")
        media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        data = path.read_bytes()
        if self.images is not None and media_type in ("image/jpeg", "image/png"):
            data = self.images(path, data) or data
        return data, media_type
