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
EVENTS_PATH = "/__qlabbook__/events"
# The page listens for the server's builds (server-sent events, which the browser
# reconnects by itself) and reloads on one newer than the build it was served from. Only
# added by this server (the edition itself needs no script).
RELOAD = ("<script>(() => { const served = '%s'; "
          f"const events = new EventSource('{EVENTS_PATH}'); "
          "events.onmessage = (e) => { if (e.data !== served) { events.close(); "
          "location.reload(); } }; })();</script>")
# How often an open events stream is written to when nothing happens, so that one whose
# page has gone is noticed and its thread ends.
HEARTBEAT_SECONDS = 10.0


class SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Files of the site's folder; pages with the reloading script; the site's own 404 page
    for what is not there; nothing logged to the terminal."""

    version: Any  # the server's Version, set by serve_site

    def do_GET(self) -> None:
        path = unquote(urlsplit(self.path).path)
        if path == VERSION_PATH:
            self.send_bytes(200, "text/plain", str(self.version.number).encode())
            return
        if path == EVENTS_PATH:
            self.send_events()
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
            self.send_bytes(404, "text/html; charset=utf-8",
                            with_reload(page, self.version.number))
            return
        if target.suffix == ".html":
            self.send_bytes(200, "text/html; charset=utf-8",
                            with_reload(target.read_bytes(), self.version.number))
            return
        super().do_GET()

    def send_events(self) -> None:
        """The build number now, then each new one as it is made, until the page goes or
        the server stops."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        sent = None
        try:
            while True:
                number = self.version.wait_for_change(sent, HEARTBEAT_SECONDS)
                if number is None:  # the server is stopping
                    return
                if number != sent:
                    self.wfile.write(f"retry: 300\ndata: {number}\n\n".encode())
                    sent = number
                else:
                    self.wfile.write(b": still here\n\n")
                self.wfile.flush()
        except OSError:  # the page was closed or reloaded
            return

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


def with_reload(page: bytes, version: int) -> bytes:
    marker = b"</body>"
    script = (RELOAD % version).encode("utf-8")
    return page.replace(marker, script + marker, 1) if marker in page else page + script


class Version:
    """Which build of the site the server shows: each rebuild counts one more."""

    def __init__(self) -> None:
        self.number = 0
        self.stopped = False
        self.changed = threading.Condition()

    def bump(self) -> None:
        with self.changed:
            self.number += 1
            self.changed.notify_all()

    def wait_for_change(self, seen: int | None, timeout: float) -> int | None:
        """The build number once it is not `seen` (or after `timeout`, whatever it is);
        None when the server stops."""
        with self.changed:
            self.changed.wait_for(lambda: self.stopped or self.number != seen, timeout)
            return None if self.stopped else self.number

    def stop(self) -> None:
        with self.changed:
            self.stopped = True
            self.changed.notify_all()


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
        self.version.stop()  # ends the open event streams
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)
