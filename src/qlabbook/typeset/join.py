"""The parts' PDFs joined into the book's: pages in order with blank left-hand pages where an
essay needs one, one structure tree (a Part element for each part), one outline, one set of
named destinations (links between parts among them), page labels, and the folios stamped on
as artifacts."""

from __future__ import annotations

import warnings
from io import BytesIO
from typing import TYPE_CHECKING, Any

from qlabbook.assets import FONTS
from qlabbook.typeset.folios import page_labels, stamp_folios
from qlabbook.typeset.fontmerge import merge_font_programs
from qlabbook.typeset.parts import linked_anchor

if TYPE_CHECKING:
    from pikepdf import Dictionary, Pdf

    from qlabbook.typeset.book import BookLayout

# What the book's catalogue takes from the front matter's: the same in every part.
CATALOG_KEYS = ("/Lang", "/MarkInfo", "/ViewerPreferences", "/Metadata", "/OutputIntents")


class PartPdfs:
    """Opens the parts' PDFs for one join; the book is freed as the join returns."""

    def open(self, data: bytes) -> Pdf:
        import pikepdf

        return pikepdf.Pdf.open(BytesIO(data))

    def retire(self, book: Pdf) -> None:
        pass


class OpenedParts(PartPdfs):
    """The parts' PDFs kept open between the joins of one process (a `watch`): opening
    a hundred parts and reading their cross-reference tables is a fifth of a join. A
    source is only read from, so one serves every join. The joined book is kept until
    let_go, after the files are written: freeing its objects takes a tenth of a join.
    A source grows with each join it serves (about 0.8 MiB a join for the 20 essays of
    the bench), so after each join the sources that have served the most are opened
    afresh, one in REOPENED of them: memory stays flat, and each join opens a few."""

    REOPENED = 8

    def __init__(self) -> None:
        self.held: dict[bytes, Pdf] = {}  # bytes hash once, and compare by identity first
        self.used: set[bytes] = set()
        self.served: dict[bytes, int] = {}  # joins each held source has served
        self.retired: list[Pdf] = []

    def open(self, data: bytes) -> Pdf:
        if data not in self.held:
            self.held[data] = super().open(data)
        self.used.add(data)
        return self.held[data]

    def retire(self, book: Pdf) -> None:
        self.retired.append(book)

    def let_go(self) -> None:
        """Free the joined books; close what the last join did not open (if there was a
        join since the last) and the most worn of the rest."""
        self.retired = []
        if not self.used:
            return
        for data in self.used:
            self.served[data] = self.served.get(data, 0) + 1
        worn = sorted((data for data in self.held if data in self.used),
                      key=lambda data: -self.served[data])
        closing = [data for data in self.held if data not in self.used]
        closing += worn[:-(-len(worn) // self.REOPENED)]
        for data in closing:
            self.held.pop(data).close()
            self.served.pop(data, None)
        self.used = set()


def join_parts(layout: BookLayout, blank: bytes, folio_sheets: list[bytes],
               pdfs: PartPdfs | None = None) -> bytes:
    """`pdfs` opens each part's PDF (they stay open until this returns) and is handed
    the book when it is saved."""
    import pikepdf

    pdfs = pdfs if pdfs is not None else PartPdfs()
    opened = pdfs.open
    sources = [opened(part.pdf) for _, part in layout.parts]
    book = pikepdf.Pdf.new()
    # Every source stays open until the book is saved: qpdf copies stream data then.
    blank_source = opened(blank)
    blank_page = book.copy_foreign(blank_source.pages[0].obj)
    firsts = []
    for source, before in zip(sources, layout.blank_before, strict=True):
        if before:
            book.pages.append(pikepdf.Page(blank_copy(book, blank_page)))
        firsts.append(len(book.pages))
        with warnings.catch_warnings():  # its named destinations are joined below
            warnings.simplefilter("ignore", pikepdf.PageCopyWarning)
            book.pages.extend(source.pages)
    join_structure(book, sources, firsts)
    join_outlines(book, sources, firsts)
    join_destinations(book, sources)
    link_between_parts(book)
    front = sources[0]
    for key in CATALOG_KEYS:
        if key in front.Root:  # copied as indirect objects, which direct ones become first
            book.Root[key] = book.copy_foreign(front.make_indirect(front.Root[key]))
    book.trailer.Info = book.copy_foreign(front.trailer.Info)
    book.Root.PageLabels = page_labels(layout.labels())
    sheets = [opened(sheet) for sheet in folio_sheets]
    stamp_folios(book, layout.folios(), sheets)
    # Last, so that the folios' fonts are merged too: the stylesheets load fonts from these.
    merge_font_programs(book, [FONTS, layout.collection.root / "styles"])
    out = BytesIO()
    book.save(out, deterministic_id=True, compress_streams=True,
              object_stream_mode=pikepdf.ObjectStreamMode.generate,
              min_version=front.pdf_version)
    pdfs.retire(book)
    return out.getvalue()


def blank_copy(book: Pdf, page: Any) -> Dictionary:
    """A page drawing what the blank page draws (nothing, or the press marks)."""
    import pikepdf

    copy = pikepdf.Dictionary({key: page[key] for key in page
                               if key not in ("/Parent", "/StructParents", "/Annots")})
    return book.make_indirect(copy)


def join_structure(book: Pdf, sources: list[Pdf], firsts: list[int]) -> None:
    """One Document element holding each part's elements under a Part element, in order.
    Each part numbers its pages' and links' entries in the parent tree from 0: they are
    shifted past the previous parts' entries."""
    from pikepdf import Array, Dictionary, Name

    document = book.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Document,
                                             K=Array()))
    nums: list[Any] = []
    next_key = 0
    for source, first in zip(sources, firsts, strict=True):
        if "/StructTreeRoot" not in source.Root:
            continue
        # Copied after the pages, so that its references to them are to the book's pages.
        tree = book.copy_foreign(source.Root.StructTreeRoot)
        part = tree.K[0]
        part.S, part.P = Name.Part, document
        document.K.append(part)
        shift = next_key
        entries = list(tree.ParentTree.Nums)
        for key, value in zip(entries[::2], entries[1::2], strict=True):
            nums.append(int(key) + shift)
            nums.append(value)
            next_key = max(next_key, int(key) + shift + 1)
        for page in book.pages[first:first + len(source.pages)]:
            if "/StructParents" in page.obj:
                page.obj.StructParents = int(page.obj.StructParents) + shift
            for annotation in page.obj.get("/Annots", []):
                if "/StructParent" in annotation:
                    annotation.StructParent = int(annotation.StructParent) + shift
    root = book.make_indirect(Dictionary(
        Type=Name.StructTreeRoot, K=Array([document]),
        ParentTree=book.make_indirect(Dictionary(Nums=Array(nums))),
        ParentTreeNextKey=next_key))
    document.P = root
    book.Root.StructTreeRoot = root


def page_index(source: Pdf) -> dict[tuple[int, int], int]:
    return {page.obj.objgen: index for index, page in enumerate(source.pages)}


def join_outlines(book: Pdf, sources: list[Pdf], firsts: list[int]) -> None:
    """The parts' bookmarks, in order, pointing at the book's pages."""
    entries: list[tuple[str, Any, list[Any], bool]] = []
    for source, first in zip(sources, firsts, strict=True):
        if "/Outlines" in source.Root and "/First" in source.Root.Outlines:
            entries += read_outline(source.Root.Outlines.First, page_index(source), book, first)
    if entries:
        book.Root.Outlines = write_outline(book, entries, None)[0]


def read_outline(item: Any, pages: dict[tuple[int, int], int], book: Pdf,
                 first: int) -> list[tuple[str, Any, list[Any], bool]]:
    import pikepdf

    found = []
    while item is not None:
        target, *place = list(item.Dest)
        destination = pikepdf.Array([book.pages[first + pages[target.objgen]].obj, *place])
        children = read_outline(item.First, pages, book, first) if "/First" in item else []
        found.append((str(item.Title), destination, children, int(item.get("/Count", 0)) < 0))
        item = item.get("/Next")
    return found


def write_outline(book: Pdf, entries: list[tuple[str, Any, list[Any], bool]],
                  parent: Any) -> tuple[Any, int]:
    """The outline dictionaries for `entries` under `parent` (None: the outline's root), and
    how many of them are visible (PDF's /Count)."""
    from pikepdf import Dictionary, String

    holder = parent if parent is not None else book.make_indirect(Dictionary(Type="/Outlines"))
    items: list[Any] = []
    visible = len(entries)
    for title, destination, children, closed in entries:
        item = book.make_indirect(Dictionary(Title=String(title), Dest=destination,
                                             Parent=holder))
        if children:
            _, count = write_outline(book, children, item)
            item.Count = -count if closed else count
            visible += 0 if closed else count
        if items:
            item.Prev = items[-1]
            items[-1].Next = item
        items.append(item)
    holder.First, holder.Last = items[0], items[-1]
    if parent is None:
        holder.Count = visible
    return holder, visible


def join_destinations(book: Pdf, sources: list[Pdf]) -> None:
    """Every part's named destinations (the anchors links go to), in one sorted name tree.
    Copied whole after the pages, so that they point at the book's pages: naming each
    page again, one destination at a time, took longer than the rest of joining."""
    from pikepdf import Array, Dictionary

    named: dict[bytes, tuple[Any, Any]] = {}
    for source in sources:
        tree = source.Root.get("/Names")
        dests = tree.get("/Dests") if tree is not None else None
        if dests is None:
            continue
        flat = list(book.copy_foreign(source.make_indirect(dests.Names)))
        for name, destination in zip(flat[::2], flat[1::2], strict=True):
            named.setdefault(bytes(name), (name, destination))
    if named:
        book.Root.Names = Dictionary(Dests=Dictionary(Names=Array(
            [item for key in sorted(named) for item in named[key]])))


def link_between_parts(book: Pdf) -> None:
    """A link a part wrote to an anchor in another part goes to that anchor's destination."""
    from pikepdf import Name, String

    for page in book.pages:
        for annotation in page.obj.get("/Annots", []):
            action = annotation.get("/A")
            if action is None or action.get("/S") != Name.URI:
                continue
            anchor = linked_anchor(str(action.URI))
            if anchor is not None:
                del annotation["/A"]
                annotation.Dest = String(anchor)
                annotation.Contents = String(anchor)
