"""The engine floor: WeasyPrint alone on the final print HTML of every part of the book.

`floor.py prepare COLLECTION FOLDER [--whole PDF]` (untimed; imports qlabbook) lays the
collected screen PDF out in parts as a build does, settling and all, and keeps each part's
final input (typeset.layout.settled_input) in FOLDER: the HTML, stylesheets and options, and
the figures as qlabbook fits them to the text width. With --whole it also writes the same
book laid out as one WeasyPrint document (document.render_document, not settled), the
reference for the size of the joined PDF.

`floor.py render FOLDER OUT` (the timed child; imports WeasyPrint, never qlabbook) lays each
part out once and writes its PDF into OUT, in one warm process: one font configuration,
each distinct stylesheet parsed once, no settling, no joining.
"""

from __future__ import annotations

import mimetypes
import os
import pickle
import sys
from pathlib import Path
from typing import Any
from urllib.parse import unquote

INPUTS = "parts.pickle"
FITTED = "fitted"  # the collection's figures as qlabbook serves them, same relative paths


def prepare(collection_root: Path, folder: Path, whole: Path | None) -> None:
    from qlabbook.build import load_collection
    from qlabbook.source.diagnostics import Diagnostics
    from qlabbook.source.profiles import PROFILES
    from qlabbook.typeset.book import lay_out_books
    from qlabbook.typeset.document import image_fitter, pdf_options, render_document
    from qlabbook.typeset.layout import PrintInput, settled_input, written
    from qlabbook.typeset.parts import LaidOutPart, PartJob

    profile = "screen"
    collection = load_collection(collection_root)
    inputs: list[tuple[str, PrintInput]] = []

    def run(jobs: Any) -> list[LaidOutPart]:
        laid = []
        for job in jobs:
            assert isinstance(job, PartJob)
            diagnostics = Diagnostics()
            document, given = settled_input(job, diagnostics)
            inputs.append((f"{job.part.kind}-{job.part.name}", given))
            laid.append(written(job, document, diagnostics))
        return laid

    lay_out_books([(collection, profile)], None, run)
    fit = image_fitter(collection, PROFILES[profile])
    for src in collection.images:
        path = (collection.root / src).resolve()
        target = folder / FITTED / src
        target.parent.mkdir(parents=True, exist_ok=True)
        data = path.read_bytes()
        target.write_bytes(fit(path, data) or data)
    def places(place: Path) -> list[str]:  # the fitted figures before the collection
        fitted = [str(folder / FITTED)] if place == collection.root else []
        return [*fitted, str(place.resolve())]

    parts = [{"name": name, "html": given.html, "base_url": given.base_url,
              "stylesheets": list(given.stylesheets),
              "folders": {prefix: places(place) for prefix, place in given.folders.items()},
              "font_config": str(given.font_config), "render_options": given.render_options,
              "pdf_options": given.pdf_options} for name, given in inputs]
    with (folder / INPUTS).open("wb") as file:
        pickle.dump(parts, file)
    print(f"floor: {len(parts)} parts of {len(collection.essays)} essays in {folder}")
    if whole is not None:
        document = render_document(collection, profile)
        document.write_pdf(whole, **pdf_options(collection, PROFILES[profile]))
        print(f"floor: the book laid out whole, {len(document.pages)} pages: {whole}")


def mapping_fetcher(folders: dict[str, list[str]]) -> Any:
    """The virtual URLs qlabbook renders against (file:///qlabbook/...), served from the
    folders they stand for, the first that has the file."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class Fetcher(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
            for prefix, places in folders.items():
                if url.startswith(prefix):
                    relative = unquote(url[len(prefix):].split("#")[0].split("?")[0])
                    for place in places:
                        path = Path(place) / relative
                        if path.is_file():
                            kind = mimetypes.guess_type(path.name)[0] or \
                                "application/octet-stream"
                            return URLFetcherResponse(url, path.read_bytes(),
                                                      {"Content-Type": kind})
            raise ValueError(f"floor: no file for {url}")

    return Fetcher(allowed_protocols=("file",))


def render(folder: Path, out: Path) -> None:
    with (folder / INPUTS).open("rb") as file:
        parts: list[dict[str, Any]] = pickle.load(file)
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    # The shipped fonts only, as qlabbook sees them: the setting is read while the
    # configuration is made (set before the import, the import would warn of no fonts).
    os.environ["FONTCONFIG_FILE"] = parts[0]["font_config"]
    fonts = FontConfiguration()
    del os.environ["FONTCONFIG_FILE"]
    fetcher = mapping_fetcher(parts[0]["folders"])
    sheets: dict[tuple[str, str | None], Any] = {}
    out.mkdir(parents=True, exist_ok=True)
    for index, part in enumerate(parts):
        for css, base in part["stylesheets"]:
            if (css, base) not in sheets:
                sheets[(css, base)] = CSS(string=css, base_url=base, font_config=fonts,
                                          url_fetcher=fetcher)
        document = HTML(string=part["html"], base_url=part["base_url"],
                        url_fetcher=fetcher).render(
            stylesheets=[sheets[(css, base)] for css, base in part["stylesheets"]],
            font_config=fonts, **part["render_options"])
        document.write_pdf(out / f"{index:03d}-{part['name']}.pdf", **part["pdf_options"])


def main() -> None:
    command, *args = sys.argv[1:]
    if command == "prepare":
        whole = Path(args[3]) if args[2:3] == ["--whole"] else None
        prepare(Path(args[0]), Path(args[1]), whole)
    elif command == "render":
        render(Path(args[0]), Path(args[1]))
    else:
        sys.exit("usage: floor.py prepare COLLECTION FOLDER [--whole PDF] | "
                 "floor.py render FOLDER OUT")


if __name__ == "__main__":
    main()
