"""One layout of the print HTML by WeasyPrint: shipped fonts only, local files only."""

from __future__ import annotations

import atexit
import hashlib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from qlabbook.assets import FONT_CONFIG, PACKAGE_STYLES
from qlabbook.source.diagnostics import Diagnostics
from qlabbook.source.model import Collection
from qlabbook.source.process import environment_variable
from qlabbook.source.profiles import DEFAULT_PROFILE, PROFILES, PdfProfile
from qlabbook.typeset import engine
from qlabbook.typeset.engine import RendererLogs
from qlabbook.typeset.fetch import COLLECTION_URL, STYLES_URL, LocalFiles
from qlabbook.typeset.geometry import text_width_pixels
from qlabbook.typeset.html import render_print_html
from qlabbook.typeset.images import fitted
from qlabbook.typeset.parts import PartJob, print_stylesheets

JPEG_QUALITY = 88  # photographs scaled for a profile are saved at this quality


def report_renderer_logs(logs: RendererLogs, diagnostics: Diagnostics) -> None:
    for message in logs.messages:
        diagnostics.warning("R101", f"PDF renderer: {message}")


def shipped_font_configuration() -> Any:
    """A WeasyPrint font configuration that sees only the fonts the stylesheets load, never
    the machine's (Pango would fill in characters the shipped fonts lack from those). The
    setting is read while the configuration is made, and only then: in a process started
    later, importing WeasyPrint would warn that no fonts are configured."""
    with environment_variable("FONTCONFIG_FILE", str(FONT_CONFIG)):
        return engine.font_configuration()


def render_document(collection: Collection, profile: str = DEFAULT_PROFILE,
                    repairs: tuple[str, ...] = (), moves: Mapping[str, int] | None = None) -> Any:
    """The whole book laid out as one document: a weasyprint.Document, pages and all.
    `repairs` are CSS rules added last and `moves` figures to defer (see settling/settle.py).
    Builds lay the book out in parts (render_part); this is the
    reference they are compared with."""
    return lay_out_html(collection, profile, render_print_html(collection, profile, moves),
                        print_stylesheets(collection, profile), repairs)


def render_part(job: PartJob, repairs: tuple[str, ...] = (),
                moves: Mapping[str, int] | None = None) -> Any:
    """One part of the book laid out (see parts.py), with `repairs` and `moves` as above."""
    return lay_out_html(job.collection, job.profile, job.html(moves), job.stylesheets(),
                        repairs)


def lay_out_html(collection: Collection, profile: str, html: str,
                 stylesheets: list[tuple[str, str]], repairs: tuple[str, ...]) -> Any:
    chosen = PROFILES[profile]
    fetcher = engine.url_fetcher(LocalFiles(
        {COLLECTION_URL: collection.root, STYLES_URL: PACKAGE_STYLES},
        images=image_fitter(collection, chosen)).serve)
    if repairs:
        stylesheets = [*stylesheets, ("\n".join(repairs), "")]
    fonts, sheets = parsed_stylesheets(collection.root, tuple(stylesheets), fetcher)
    # Image options act while images load, so they go to render(), not write_pdf(). Images
    # arrive fitted to the text width (image_fitter); without a JPEG quality or optimisation
    # WeasyPrint embeds those bytes as they are and only scales images printed smaller.
    return engine.render(html, COLLECTION_URL, fetcher, sheets, fonts,
                         pdf_options(collection, chosen))


# The shipped fonts loaded and each stylesheet parsed once in a process, for every part it
# lays out: parsing print.css and loading the fonts costs about as much as laying out a
# short essay. Keyed by the collection's folder and each sheet's text, so nothing is stale.
FONTS: dict[Path, Any] = {}
SHEETS: dict[tuple[Path, str, str], Any] = {}
MAX_SHEETS = 32  # repairs make one-off sheets: the memory stays bounded


@atexit.register
def forget_stylesheets() -> None:
    """Freed before the interpreter tears its modules down, which a font configuration's
    finaliser needs (it would print a traceback at exit)."""
    SHEETS.clear()
    FONTS.clear()


def parsed_stylesheets(root: Path, stylesheets: tuple[tuple[str, str], ...],
                       fetcher: Any) -> tuple[Any, list[Any]]:
    """One font configuration for every stylesheet and the document (or @font-face fails),
    and the stylesheets parsed with it."""
    root = root.resolve()
    if root not in FONTS:
        FONTS.clear()
        SHEETS.clear()
        FONTS[root] = shipped_font_configuration()
    fonts = FONTS[root]
    sheets = []
    for css, base in stylesheets:
        if (root, css, base) not in SHEETS:
            if len(SHEETS) >= MAX_SHEETS:
                SHEETS.pop(next(iter(SHEETS)))
            SHEETS[(root, css, base)] = engine.stylesheet(css, stylesheet_base(base), fonts,
                                                          fetcher)
        sheets.append(SHEETS[(root, css, base)])
    return fonts, sheets


def stylesheet_base(base: str) -> str | None:
    """The URL a print stylesheet's own URLs are relative to, by the name print_stylesheets
    gives it ("styles": the package's, "collection-styles": the collection's; else none)."""
    return {"styles": STYLES_URL, "collection-styles": COLLECTION_URL + "styles/"}.get(base)


def figure_paths(collection: Collection) -> list[Path]:
    return [(collection.root / src).resolve() for src in collection.images]


def image_fitter(collection: Collection,
                 profile: PdfProfile) -> Callable[[Path, bytes], bytes | None]:
    """The essays' figures scaled once to the profile's ppi at the text width. Other
    images (a supplied cover fills the page) are left to WeasyPrint's own scaling."""

    pixels = text_width_pixels(collection, profile)
    figures = set(figure_paths(collection))
    return lambda path, data: fitted(data, pixels, JPEG_QUALITY) if path in figures else None


def claimed_variant(collection: Collection, profile: PdfProfile) -> str | None:
    """The standard the PDF claims: PDF/UA only when every image has alt text (the PDF is
    tagged either way); the printer's PDF/X whatever the images."""
    if profile.press or not any(essay.undescribed for essay in collection.essays):
        return profile.variant
    return None


def pdf_options(collection: Collection, profile: PdfProfile) -> dict[str, Any]:
    identifier = collection.metadata.identifier or collection.metadata.title
    options: dict[str, Any] = {
        "pdf_tags": True, "dpi": profile.ppi,
        "pdf_identifier": hashlib.md5(identifier.encode()).hexdigest().encode(),
        "pdf_variant": claimed_variant(collection, profile)}
    if options["pdf_variant"] is None:
        options["pdf_version"] = "1.7"  # as PDF/UA-1 would have it
    if profile.press:
        options["output_intent"] = "srgb"  # written as the GTS_PDFX output intent
    return options
