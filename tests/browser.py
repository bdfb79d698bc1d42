"""The web edition in a real browser: Debian's Chromium driven by Playwright, axe-core
injected, the Nu Html Checker run with Java, and a local server under a path prefix."""

from __future__ import annotations

import functools
import http.server
import json
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urldefrag, urlsplit
from urllib.request import urlopen

from helpers import REPOSITORY

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu",
                  "--disable-background-networking", "--disable-component-update",
                  "--no-first-run"]
TOOLS = REPOSITORY / "tools" / "node_modules"
AXE = TOOLS / "axe-core" / "axe.min.js"
VNU = TOOLS / "vnu-jar" / "build" / "dist" / "vnu.jar"
ID = re.compile(r'\sid="([^"]+)"')


def missing_tools() -> str:
    """Why the browser tests cannot run here ("" when they can): make test installs these."""
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "playwright is not installed"
    for what, path in (("chromium", Path(CHROMIUM)), ("axe-core", AXE), ("vnu-jar", VNU)):
        if not path.is_file():
            return f"{what} is missing ({path}): run make test, which installs it"
    if shutil.which("java") is None:
        return "java is missing (the Nu Html Checker runs on it)"
    return ""


@contextmanager
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            yield browser
        finally:
            browser.close()


class PrefixHandler(http.server.SimpleHTTPRequestHandler):
    """The site's folder under `prefix` only, as a host serving it from a subfolder would;
    the site's 404 page, with status 404, for anything else."""

    prefix = "/"

    def translate_path(self, path: str) -> str:
        path = unquote(urlsplit(path).path)
        if not path.startswith(self.prefix):
            return str(Path(self.directory) / "outside-the-prefix")
        return super().translate_path("/" + path[len(self.prefix):])

    def send_error(self, code: int, message: str | None = None,
                   explain: str | None = None) -> None:
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            super().send_error(code, message, explain)
            return
        data = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def served(folder: Path, prefix: str) -> Iterator[str]:
    """The folder at http://127.0.0.1:PORT{prefix}, for the time of the block."""
    handler = type("Handler", (PrefixHandler,), {"prefix": prefix})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{prefix}"
    finally:
        server.shutdown()
        server.server_close()


def fetch(url: str) -> bytes | None:
    """A URL's bytes (a file, or over HTTP); None when it cannot be had, as for a folder
    over file://, which a browser shows as a listing rather than its index.html."""
    if url.startswith("file://"):
        path = Path(unquote(urlsplit(url).path))
        return path.read_bytes() if path.is_file() else None
    try:
        with urlopen(url, timeout=10) as response:
            data: bytes = response.read()
            return data
    except OSError:
        return None


@functools.cache
def ids_of(url: str) -> frozenset[str] | None:
    data = fetch(url)
    return None if data is None else frozenset(ID.findall(data.decode("utf-8", "replace")))


def broken_links(page: Any, base: str) -> list[str]:
    """Every link of the page into the site that leads nowhere, or to a missing fragment."""
    hrefs: list[str] = page.eval_on_selector_all(
        "a[href], link[href]", "elements => elements.map(e => e.href)")
    broken = []
    for href in hrefs:
        if not href.startswith(base):
            continue  # outside the site (a figure's source), not this test's business
        document, fragment = urldefrag(href)
        found = ids_of(document)
        if found is None or (fragment and fragment not in found):
            broken.append(href)
    return broken


def images_loaded(page: Any) -> list[dict[str, Any]]:
    """Each image, loaded eagerly: its chosen source, its intrinsic and shown widths."""
    result: list[dict[str, Any]] = page.evaluate("""async () => Promise.all(
        [...document.images].map(async image => {
            image.loading = 'eager';
            try { await image.decode(); } catch (e) {}
            return {src: image.currentSrc || image.src, natural: image.naturalWidth,
                    shown: image.getBoundingClientRect().width};
        }))""")
    return result


def serious_violations(page: Any) -> list[str]:
    page.add_script_tag(path=str(AXE))
    results = page.evaluate("async () => await axe.run(document)")
    return [f"{v['id']} ({v['impact']}): {v['help']} at "
            + ", ".join(" ".join(node["target"]) for node in v["nodes"][:3])
            for v in results["violations"] if v["impact"] in ("serious", "critical")]


def nu_errors(paths: list[Path]) -> list[str]:
    """The Nu Html Checker's errors in HTML pages and stylesheets (warnings left aside)."""
    found = subprocess.run(
        ["java", "-Xss4m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar", str(VNU),
         "--errors-only", "--also-check-css", "--format", "json", *map(str, paths)],
        capture_output=True, text=True, timeout=300, check=False)
    try:
        messages = json.loads(found.stderr or found.stdout)["messages"]
    except ValueError:
        raise AssertionError(f"the Nu checker did not run: {found.stderr}") from None
    return [f"{Path(unquote(urlsplit(m.get('url', '')).path)).name}:{m.get('lastLine')}: "
            f"{m.get('message')}" for m in messages if m.get("type") == "error"]
