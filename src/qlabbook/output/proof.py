"""Proofs for editors: a PDF's pages as PNG, laid out in spreads on one contact sheet."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from qlabbook.assets import CAPTION_FONT

SHEET_MARGIN = 24  # pixels around the sheet and between spreads
PAPER_GREY = (208, 208, 204)  # the sheet behind the pages, so white pages show their edges


def render_pages(pdf_path: Path, dpi: int) -> list[tuple[str, Any]]:
    """(page label, Pillow image) for every page, rendered with PDFium (no poppler needed)."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf_path)
    try:
        pages = []
        for index in range(len(document)):
            page = document[index]
            image = page.render(scale=dpi / 72).to_pil().convert("RGB")
            label = document.get_page_label(index) or str(index + 1)
            pages.append((label, image))
            page.close()
        return pages
    finally:
        document.close()


def spreads(count: int) -> list[tuple[int | None, int | None]]:
    """Page indexes paired as a reader sees them: the first page alone on the right, then
    left and right pages side by side."""
    rows: list[tuple[int | None, int | None]] = [(None, 0)] if count else []
    for left in range(1, count, 2):
        rows.append((left, left + 1 if left + 1 < count else None))
    return rows


def contact_sheet(pdf_path: Path, out: Path, dpi: int = 40, columns: int = 3) -> Path:
    """Write `out` (PNG): every page of the PDF at `dpi`, `columns` spreads a row, each page
    captioned with its label. Returns the path written."""
    from PIL import Image, ImageDraw, ImageFont

    pages = render_pages(pdf_path, dpi)
    if not pages:
        raise ValueError(f"{pdf_path} has no pages")
    width = max(image.width for _, image in pages)
    height = max(image.height for _, image in pages)
    font = ImageFont.truetype(str(CAPTION_FONT), 14)
    caption = 22
    rows = spreads(len(pages))
    grid = [rows[i:i + columns] for i in range(0, len(rows), columns)]
    spread_width = 2 * width
    sheet = Image.new("RGB", (
        SHEET_MARGIN + len(grid[0]) * (spread_width + SHEET_MARGIN),
        SHEET_MARGIN + len(grid) * (height + caption + SHEET_MARGIN)), PAPER_GREY)
    draw = ImageDraw.Draw(sheet)
    for row_number, row in enumerate(grid):
        y = SHEET_MARGIN + row_number * (height + caption + SHEET_MARGIN)
        for column, spread in enumerate(row):
            x = SHEET_MARGIN + column * (spread_width + SHEET_MARGIN)
            for side, index in enumerate(spread):
                if index is None:
                    continue
                label, image = pages[index]
                left = x + side * width
                sheet.paste(image, (left, y))
                draw.text((left + image.width // 2, y + image.height + 4), label, fill=(40, 40, 40),
                          font=font, anchor="mt")
    out.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(out, "PNG", optimize=True)
    return out
