"""Write stage for print: the print HTML through WeasyPrint to PDF bytes."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager

from qlabbook.errors import Diagnostics
from qlabbook.model import Collection
from qlabbook.render import PACKAGE_STYLES, render_print_html, stylesheet

# (width, height, inner, top, outer, bottom) in mm. The measure is kept near 65 characters:
# on A4 that needs a wide outer margin, which also gives the page a calm, open look.
PRINT_PPI = 300  # images with more pixels than this at their printed size are downsampled
PAGE_GEOMETRY = {
    "A4": (210.0, 297.0, 27.0, 28.0, 56.0, 42.0),
    "A5": (148.0, 210.0, 16.0, 18.0, 22.0, 26.0),
    "Letter": (215.9, 279.4, 28.0, 26.0, 58.0, 38.0),
}


def page_rule(page_size: str) -> str:
    width, height, inner, top, outer, bottom = PAGE_GEOMETRY[page_size]
    return (f"@page {{ size: {width}mm {height}mm; "
            f"margin: {top}mm {outer}mm {bottom}mm {inner}mm; }}"
            f"@page :left {{ margin-left: {outer}mm; margin-right: {inner}mm; }}"
            f"@page :right {{ margin-left: {inner}mm; margin-right: {outer}mm; }}"
            # Sink the imprint so its few lines (about 45 mm) end at the foot of the page,
            # and start titles about a third of the way down (percentages would follow width).
            f".imprint {{ padding-top: {height - top - bottom - 45:.1f}mm; }}"
            f".opening {{ padding-top: {(height - top - bottom) * 0.22:.1f}mm; }}"
            f".title-page {{ padding-top: {(height - top - bottom) * 0.3:.1f}mm; }}")


class LogCollector(logging.Handler):
    """WeasyPrint reports missing resources as log records: keep them as diagnostics."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        # How fonts get subset is the machine's business, not a problem in the content.
        if not message.startswith("Using fontTools instead of HarfBuzz-Subset"):
            self.messages.append(message)


@contextmanager
def weasyprint_logs() -> Iterator[LogCollector]:
    logger = logging.getLogger("weasyprint")
    collector = LogCollector()
    logger.addHandler(collector)
    propagate = logger.propagate
    logger.propagate = False
    try:
        yield collector
    finally:
        logger.removeHandler(collector)
        logger.propagate = propagate


def render_pdf(collection: Collection, diagnostics: Diagnostics) -> bytes:
    """The collected edition as PDF bytes (tagged, fonts embedded and subset)."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    from qlabbook.fetch import COLLECTION_URL, STYLES_URL, LocalOnlyFetcher

    fetcher = LocalOnlyFetcher({COLLECTION_URL: collection.root, STYLES_URL: PACKAGE_STYLES})
    fonts = FontConfiguration()  # shared by every stylesheet and the document, or @font-face fails
    sheets = [CSS(string=(PACKAGE_STYLES / "print.css").read_text(encoding="utf-8"),
                  base_url=STYLES_URL, font_config=fonts, url_fetcher=fetcher),
              CSS(string=page_rule(collection.options.page_size), font_config=fonts)]
    own = stylesheet(collection, "print.css")
    if own is not None:
        sheets.append(CSS(string=own.read_text(encoding="utf-8"),
                          base_url=COLLECTION_URL + "styles/", font_config=fonts,
                          url_fetcher=fetcher))
    html = render_print_html(collection)
    identifier = collection.metadata.identifier or collection.metadata.title
    # Image options act while images load, so they go to render(), not write_pdf().
    options = {"pdf_tags": True, "dpi": PRINT_PPI, "jpeg_quality": 88, "optimize_images": True,
               "pdf_identifier": hashlib.md5(identifier.encode()).hexdigest().encode()}
    with weasyprint_logs() as logs:
        document = HTML(string=html, base_url=COLLECTION_URL, url_fetcher=fetcher).render(
            stylesheets=sheets, font_config=fonts, **options)
        pdf = document.write_pdf(**options)
    for message in logs.messages:
        diagnostics.warning("R101", f"PDF renderer: {message}")
    assert isinstance(pdf, bytes)
    return pdf
