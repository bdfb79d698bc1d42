"""The joined book embeds each face's program once (typeset/fontmerge.py), and reads, looks
and declares itself as the parts joined without merging did."""

from __future__ import annotations

import hashlib
import re
import shutil
from collections import Counter
from io import BytesIO
from pathlib import Path
from typing import Any

import pikepdf
import pytest

from helpers import FIXTURES
from qlabbook.assets import FONTS
from qlabbook.build import load_collection
from qlabbook.typeset import join
from qlabbook.typeset.book import lay_out_books
from qlabbook.typeset.fontmerge import merge_font_programs, subset

pytestmark = pytest.mark.slow

FONT_FILES = ("/FontFile2", "/FontFile3")


@pytest.fixture(scope="module")
def books() -> dict[str, dict[str, Any]]:
    """The typesetting fixture (two essays, front and back matter, folio sheets) in both
    profiles, its parts joined without merging the fonts and with."""
    collection = load_collection(FIXTURES / "typesetting")
    found = {}
    for layout in lay_out_books([(collection, "screen"), (collection, "press")], None):
        blank, *sheets = [sheet.pdf for sheet in layout.sheets]
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(join, "merge_font_programs", lambda *_: None)
            unmerged = join.join_parts(layout, blank, sheets)
        found[layout.profile] = {"unmerged": unmerged, "merged": join.join_parts(
            layout, blank, sheets), "layout": layout}
    return found


def face(name: Any) -> str:
    return re.sub(r"^/[A-Z]{6}\+", "", str(name))


def programs(data: bytes) -> dict[str, list[str]]:
    """The embedded font programs in the file, by face: the SHA-256 of each."""
    found: dict[str, list[str]] = {}
    with pikepdf.open(BytesIO(data)) as pdf:
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/FontDescriptor":
                for key in FONT_FILES:
                    if key in obj:
                        found.setdefault(face(obj.FontName), []).append(
                            hashlib.sha256(obj[key].read_bytes()).hexdigest())
    return found


def font_bytes(data: bytes) -> int:
    with pikepdf.open(BytesIO(data)) as pdf:
        return sum(len(obj[key].read_raw_bytes()) for obj in pdf.objects
                   if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") ==
                   "/FontDescriptor" for key in FONT_FILES if key in obj)


def used_fonts(data: bytes) -> list[tuple[str, bool, tuple[int, int]]]:
    """(face, embedded, object) for every font the pages and their forms name."""
    found = []
    with pikepdf.open(BytesIO(data)) as pdf:
        holders = [page.obj for page in pdf.pages]
        for holder in holders:
            resources = holder.get("/Resources", {})
            for font in resources.get("/Font", {}).values():
                descriptor = font.DescendantFonts[0].FontDescriptor
                found.append((face(font.BaseFont), any(k in descriptor for k in FONT_FILES),
                              font.objgen))
            holders += [x for x in resources.get("/XObject", {}).values() if "/Resources" in x]
    return found


def pictures(data: bytes) -> list[bytes]:
    """Each page drawn by MuPDF at 100 dpi, as RGB samples."""
    import fitz

    with fitz.open(stream=data, filetype="pdf") as pdf:
        return [page.get_pixmap(dpi=100).samples for page in pdf]


def texts(data: bytes) -> list[str]:
    """Each page's text as pypdf extracts it, unfolded."""
    import pypdf

    return [page.extract_text() for page in pypdf.PdfReader(BytesIO(data)).pages]


def merged_again(data: bytes, folders: list[Path], change: Any = None) -> tuple[bytes, bytes]:
    """The unmerged book, after `change(pdf)` if given, and the same with its fonts merged
    from `folders`."""
    with pikepdf.open(BytesIO(data)) as pdf:
        if change is not None:
            change(pdf)
        before = BytesIO()
        pdf.save(before, deterministic_id=True)
    with pikepdf.open(BytesIO(before.getvalue())) as pdf:
        merge_font_programs(pdf, folders)
        after = BytesIO()
        pdf.save(after, deterministic_id=True)
    return before.getvalue(), after.getvalue()


def test_each_face_is_embedded_once_for_every_part(books: dict[str, Any]) -> None:
    for profile in ("screen", "press"):
        unmerged, merged = books[profile]["unmerged"], books[profile]["merged"]
        before, after = programs(unmerged), programs(merged)
        # Every part and the folio sheets set the book font: four parts, one sheet.
        assert len(before["Libertine"]) >= 5 and len(before["Libertine-Italic"]) >= 4
        assert set(after) == set(before)
        assert {name: len(found) for name, found in after.items()} == dict.fromkeys(after, 1)
        used = used_fonts(merged)
        assert all(embedded for _, embedded, _ in used)
        # The pages, forms and folios of every part name one font object for each face.
        assert Counter(name for name, _ in {(name, obj) for name, _, obj in used}) == \
            Counter(set(before))
        assert font_bytes(merged) < 0.6 * font_bytes(unmerged)
        assert len(merged) < len(unmerged) - 80_000


def test_the_merge_is_reproducible(books: dict[str, Any]) -> None:
    layout = books["screen"]["layout"]
    blank, *sheets = [sheet.pdf for sheet in layout.sheets]
    subset.cache_clear()  # subset anew, not from memory
    assert join.join_parts(layout, blank, sheets) == books["screen"]["merged"]


@pytest.mark.parametrize("profile", ["screen", "press"])
def test_every_page_looks_as_before(books: dict[str, Any], profile: str) -> None:
    # Not one pixel differs: each glyph is drawn from the same outline, at the same place.
    before, after = pictures(books[profile]["unmerged"]), pictures(books[profile]["merged"])
    assert len(before) == len(after) > 12
    assert [index for index, (a, b) in enumerate(zip(before, after, strict=True))
            if a != b] == []


@pytest.mark.parametrize("profile", ["screen", "press"])
def test_text_tags_and_output_intent_are_as_before(books: dict[str, Any],
                                                   profile: str) -> None:
    unmerged, merged = books[profile]["unmerged"], books[profile]["merged"]
    assert texts(merged) == texts(unmerged)
    assert any("Typesetting" in text for text in texts(merged))

    def tags(element: Any) -> list[str]:
        kids = element.get("/K", [])
        kids = kids if isinstance(kids, pikepdf.Array) else [kids]
        return [str(element.get("/S"))] + [tag for kid in kids
                                           if isinstance(kid, pikepdf.Dictionary)
                                           for tag in tags(kid)]

    with pikepdf.open(BytesIO(unmerged)) as before, pikepdf.open(BytesIO(merged)) as after:
        assert tags(after.Root.StructTreeRoot) == tags(before.Root.StructTreeRoot)
        assert "/P" in tags(after.Root.StructTreeRoot)
        assert after.Root.MarkInfo.Marked
        if profile == "press":
            [intent] = after.Root.OutputIntents
            assert intent.S == "/GTS_PDFX"
            assert intent.DestOutputProfile.read_bytes() == \
                before.Root.OutputIntents[0].DestOutputProfile.read_bytes()
            assert "GTS_PDFXVersion>PDF/X-4<" in str(after.open_metadata())
        else:
            assert "/OutputIntents" not in after.Root


def test_a_face_whose_original_is_not_found_is_left_as_it_was(
        books: dict[str, Any], tmp_path: Path) -> None:
    shutil.copytree(FONTS, tmp_path / "fonts")
    (tmp_path / "fonts" / "LinLibertine_RI.otf").unlink()  # the italic's file
    before, after = merged_again(books["screen"]["unmerged"], [tmp_path / "fonts"])
    found, kept = programs(after), programs(before)
    assert sorted(found["Libertine-Italic"]) == sorted(kept["Libertine-Italic"])
    assert len(found["Libertine-Italic"]) >= 4 and len(found["Libertine"]) == 1
    assert pictures(after) == pictures(before) and texts(after) == texts(before)


def test_another_file_under_the_same_name_keeps_its_own_program(
        books: dict[str, Any]) -> None:
    def name_biolinum_libertine(pdf: pikepdf.Pdf) -> None:
        for obj in pdf.objects:  # Biolinum's font, descendant and descriptor
            for key in ("/BaseFont", "/FontName"):
                if isinstance(obj, pikepdf.Dictionary) and "Biolinum" in str(obj.get(key)):
                    obj[key] = pikepdf.Name(str(obj[key]).replace("Biolinum", "Libertine"))

    before, after = merged_again(books["screen"]["unmerged"], [FONTS], name_biolinum_libertine)
    biolinum = programs(books["screen"]["unmerged"])["Biolinum"]
    assert len(programs(before)["Libertine"]) >= 6
    # Biolinum's subset is still there, as it was; the book font's subsets became one.
    assert len(programs(after)["Libertine"]) == 2 and set(biolinum) < set(
        programs(after)["Libertine"])
    assert pictures(after) == pictures(before)


def test_a_part_reading_a_glyph_otherwise_keeps_its_own_font(books: dict[str, Any]) -> None:
    def read_space_otherwise(pdf: pikepdf.Pdf) -> None:
        # The back matter's book font reads the space (glyph 1, in every part) as a tilde.
        fonts = [font for page in pdf.pages for font in page.Resources.Font.values()
                 if face(font.BaseFont) == "Libertine"]
        cmap = fonts[-1].ToUnicode.read_bytes()
        assert b"<0001> <0020>" in cmap
        fonts[-1].ToUnicode.write(cmap.replace(b"<0001> <0020>", b"<0001> <007e>"))

    before, after = merged_again(books["screen"]["unmerged"], [FONTS], read_space_otherwise)
    assert texts(after) == texts(before)
    # That part keeps its own subset; the others share one.
    assert len(programs(after)["Libertine"]) == 2
    assert len(programs(after)["Libertine-Italic"]) == 1
