"""A local server for the web edition while it is written: serves the site's folder on
127.0.0.1 and tells the open page to reload when a rebuild has changed it. The reloading
script is added to pages as they are served; the site's files never carry it."""

from __future__ import annotations

import http.server
import threading
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

VERSION_PATH = "/__qlabbook__/version"
# Asks every second which build the server has; a different one reloads the page. Only
# added by this server (the edition itself needs no script).
RELOAD = ("<script>(() => { let seen = null; setInterval(async () => { try { "
          f"const r = await fetch('{VERSION_PATH}', {{cache: 'no-store'}}); "
          "const v = await r.text(); "
          "if (seen !== null && v !== seen) location.reload(); seen = v; } catch (e) {} "
          "}, 1000); })();</script>")


class SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Files of the site's folder; pages with the reloading script; the site's own 404 page
    for what is not there; nothing logged to the terminal."""

    version: Any  # the server's Version, set by serve_site

    def do_GET(self) -> None:
        path = unquote(urlsplit(self.path).path)
        if path == VERSION_PATH:
            self.send_bytes(200, "text/plain", str(self.version.number).encode())
            return
        target = Path(self.translate_path(self.path))
        if target.is_dir() and path.endswith("/"):
            target = target / "index.html"
        elif target.is_dir():
            self.send_response(301)
            self.send_header("Location", path + "/")
            self.end_headers()
            return
        if not target.is_file():
            missing = Path(self.directory) / "404.html"
            page = missing.read_bytes() if missing.is_file() else b"Not found"
            self.send_bytes(404, "text/html; charset=utf-8", with_reload(page))
            return
        if target.suffix == ".html":
            self.send_bytes(200, "text/html; charset=utf-8", with_reload(target.read_bytes()))
            return
        super().do_GET()

    def send_bytes(self, status: int, kind: str, data: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


def with_reload(page: bytes) -> bytes:
    marker = b"</body>"
    script = RELOAD.encode("utf-8")
    return page.replace(marker, script + marker, 1) if marker in page else page + script


class Version:
    """Which build of the site the server shows: each rebuild counts one more."""

    def __init__(self) -> None:
        self.number = 0
        self.lock = threading.Lock()

    def bump(self) -> None:
        with self.lock:
            self.number += 1


class SiteServer:
    """The server, running in a thread of its own until stopped."""

    def __init__(self, folder: Path, port: int = 8000, host: str = "127.0.0.1") -> None:
        self.version = Version()
        handler = type("Handler", (SiteHandler,), {"version": self.version})
        self.httpd = http.server.ThreadingHTTPServer(
            (host, port), partial(handler, directory=str(folder)))
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}/"

    def start(self) -> SiteServer:
        self.thread.start()
        return self

    def reload(self) -> None:
        """Open pages load again (the site's files have changed)."""
        self.version.bump()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)
