"""One font program per face in the joined book. Each part embeds its own subsets of the
faces it shows; WeasyPrint 70 subsets keeping glyph ids (Identity-H CIDFonts: the pages
show the original font's glyph ids) and names each font resource after the face, so one
subset of every glyph the parts use can stand in for all of a face's subsets without
touching a page. A face is merged only if subsetting its original file as WeasyPrint does
gives back a part's subset byte for byte; any font not as expected is left as it was."""

from __future__ import annotations

import hashlib
import re
import struct
from collections.abc import Callable, Iterable, Sequence
from contextlib import suppress
from decimal import Decimal
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from pikepdf import Dictionary, Object, Pdf

SUBSET_TAG = re.compile(r"/[A-Z]{6}\+(.+)")
FONT_SUFFIXES = (".otf", ".ttf")  # what an @font-face rule loads as it is
FIXED_PITCH = 1  # a descriptor flag WeasyPrint sets when all the widths are the same
# How WeasyPrint 70 subsets with HarfBuzz (pdf/fonts.py): the glyphs used, kept at their
# ids, without these tables; then again, keeping ids 0 to the last used, without hints.
RETAIN_GIDS, DESUBROUTINIZE, PASSTHROUGH, NO_HINTING = 0x2, 0x4, 0x20, 0x1
DROPPED_TABLES = (b"BASE", b"DSIG", b"EBDT", b"EBLC", b"EBSC", b"GPOS", b"GSUB", b"JSTF",
                  b"LTSH", b"PCLT", b"SVG ")
# What the shared font writes anew; every other entry must be the same in every part's.
REWRITTEN = {"/BaseFont", "/ToUnicode", "/DescendantFonts", "/W", "/FontDescriptor",
             "/FontName", "/FontBBox", "/Flags", "/FontFile2", "/FontFile3", "/CIDSet"}
CMAP_SECTION = re.compile(rb"begin(bfchar|bfrange|codespacerange)(.*?)end\1", re.S)
CMAP_HEX = re.compile(rb"<([0-9A-Fa-f\s]*)>")
W_TOKEN = re.compile(rb"\[|\]|[-+]?\d*\.?\d+")


class Original(NamedTuple):
    """A font file the stylesheets may load."""

    data: bytes
    digest: bytes
    identity: bytes  # the head table's revision, units and dates, which subsets keep
    glyph_count: int


class Member(NamedTuple):
    """One part's font for a face, and the /Font dictionaries and names naming it."""

    font: Dictionary
    face: str
    kind: str  # /FontFile2 (TrueType outlines) or /FontFile3 (CFF)
    program: bytes
    tables: dict[bytes, bytes]
    widths: dict[int, Any]
    texts: dict[int, str]
    users: list[tuple[Dictionary, str]]


def merge_font_programs(book: Pdf, folders: Sequence[Path]) -> None:
    """Each face whose original is in `folders` embedded once, for every page using it."""
    faces: dict[tuple[Any, ...], list[Member]] = {}
    for font, users in font_users(book).values():
        if (member := read_member(font, users)) is not None:
            # Subsets of one file, subset one way, keep its head and name tables whole.
            head, name = member.tables[b"head"], member.tables[b"name"]
            faces.setdefault((member.face, member.kind, head[4:8] + head[18:36], name,
                              tuple(sorted(member.tables))), []).append(member)
    originals = original_fonts(folders) if faces else []
    for members in faces.values():
        if len(members) > 1 and (found := find_original(members[0], originals)):
            merge_face(book, members, *found)


def merge_face(book: Pdf, members: list[Member], original: Original, hinting: bool) -> None:
    shape, sharing = font_shape(members[0].font), []
    widths: dict[int, Any] = {}
    texts: dict[int, str] = {}
    # A part's font with other entries, or another width or text for a glyph (a glyph two
    # characters share reads as the first its part met), stays the part's own.
    for member in members:
        if font_shape(member.font) == shape and agrees(widths, member.widths) \
                and agrees(texts, member.texts):
            widths.update(member.widths)
            texts.update(member.texts)
            sharing.append(member)
    glyphs = tuple(sorted(widths.keys() | texts.keys()))
    program = subset(original, glyphs, hinting) if glyphs[-1] < original.glyph_count else None
    if len(sharing) < 2 or program is None:
        return
    tag = "".join(chr(65 + byte % 26) for byte in hashlib.sha256(
        original.digest + repr((glyphs, hinting)).encode()).digest()[:6])
    font = shared_font(book, sharing, f"/{tag}+{members[0].face}", program, widths, texts)
    for member in sharing:
        for fonts, key in member.users:
            fonts[key] = font


def agrees(seen: dict[int, Any], new: dict[int, Any]) -> bool:
    return all(seen.get(key, value) == value for key, value in new.items())


def font_users(book: Pdf) -> dict[tuple[int, int], tuple[Dictionary, list[Any]]]:
    """Every indirect font the pages, their forms and patterns and their annotations'
    appearances name, in the order met, with the /Font dictionaries and names naming it."""
    import pikepdf

    found: dict[tuple[int, int], tuple[Dictionary, list[Any]]] = {}
    seen: set[tuple[int, int]] = set()
    holders: list[Any] = []  # what may have /Resources; grows as forms are met
    for page in book.pages:
        holders.append(page.obj)
        for annotation in page.obj.get("/Annots", []):
            for look in annotation.get("/AP", {}).values():  # a stream, or one per state
                holders += look.values() if isinstance(look, pikepdf.Dictionary) else [look]
    for holder in holders:  # each form and resource dictionary once, even in a cycle
        is_holder = isinstance(holder, pikepdf.Dictionary | pikepdf.Stream)
        resources = holder.get("/Resources") if is_holder else None
        if not isinstance(resources, pikepdf.Dictionary):
            continue
        met = {holder.objgen, resources.objgen} - {(0, 0)}  # (0, 0): a direct object
        if met & seen:
            continue
        seen |= met
        fonts = resources.get("/Font")
        for key, font in fonts.items() if isinstance(fonts, pikepdf.Dictionary) else []:
            if isinstance(font, pikepdf.Dictionary) and font.is_indirect:
                found.setdefault(font.objgen, (font, []))[1].append((fonts, key))
        for kind in ("/XObject", "/Pattern"):
            holders += resources.get(kind, {}).values()
    return found


def read_member(font: Dictionary, users: list[Any]) -> Member | None:
    """The font as WeasyPrint writes a vector subset with no missing glyph, or None."""
    import pikepdf

    try:
        [cid] = font.DescendantFonts
        descriptor = cid.FontDescriptor
        [kind] = [key for key in ("/FontFile2", "/FontFile3") if key in descriptor]
        face = SUBSET_TAG.fullmatch(str(font.BaseFont))
        if (font.Subtype != "/Type0" or font.get("/Encoding") != "/Identity-H" or face is None
                or cid.get("/CIDToGIDMap", pikepdf.Name.Identity) != "/Identity"
                or str(descriptor.FontName) != str(font.BaseFont)):
            return None
        program, tables = read_program(descriptor[kind])
        widths = remembered_widths(cid.W.unparse())
        texts = remembered_cmap(font.ToUnicode)
    except (AttributeError, KeyError, IndexError, ValueError, TypeError, struct.error,
            pikepdf.PdfError):
        return None
    if not widths or not texts or len(tables.get(b"head", b"")) < 54 or b"name" not in tables:
        return None
    return Member(font, face.group(1), kind, program, tables, widths, texts, users)


# A watch joins the same parts again and again: what was read of a font, by the bytes it
# was read from (stored, still compressed), is not read again. Callers never change it.
REMEMBERED = 1024


def read_program(stream: Object) -> tuple[bytes, dict[bytes, bytes]]:
    program: tuple[bytes, dict[bytes, bytes]] = remembered(
        stream, lambda data: (data, sfnt_tables(data)))
    return program


def remembered_cmap(stream: Object) -> dict[int, str] | None:
    texts: dict[int, str] | None = remembered(stream, read_cmap)
    return texts


def remembered(stream: Object, parse: Callable[[bytes], Any]) -> Any:
    """`parse` of the stream's decoded bytes, by its stored bytes, filter and what parses
    them: decoding and parsing happen once while REMEMBERED others are newer."""
    key = (stream.read_raw_bytes(), str(stream.get("/Filter")), parse.__qualname__)
    if key not in READ:
        READ[key] = parse(stream.read_bytes())
        while len(READ) > REMEMBERED:
            READ.pop(next(iter(READ)))
    return READ[key]


READ: dict[tuple[bytes, str, str], Any] = {}


@lru_cache(maxsize=REMEMBERED)
def remembered_widths(unparsed: bytes) -> dict[int, Any]:
    """read_widths of a /W array as written out (numbers and brackets only)."""
    tokens = W_TOKEN.findall(unparsed)
    if b"".join(tokens) != re.sub(rb"\s+", b"", unparsed):
        raise ValueError("not a plain /W array")
    items: list[Any] = []
    stack: list[list[Any]] = [items]
    for token in tokens[1:-1] if tokens[:1] == [b"["] and tokens[-1:] == [b"]"] else [b"?"]:
        if token == b"[":
            stack.append([])
        elif token == b"]":
            run = stack.pop()
            stack[-1].append(run)
        else:
            stack[-1].append(Decimal(token.decode()) if b"." in token else int(token))
    if len(stack) != 1:
        raise ValueError("unbalanced /W array")
    return read_widths(items)


def sfnt_tables(program: bytes) -> dict[bytes, bytes]:
    count, = struct.unpack_from(">H", program, 4)
    entries = [struct.unpack_from(">4sIII", program, 12 + 16 * i) for i in range(count)]
    return {tag: program[offset:offset + length] for tag, _, offset, length in entries}


def read_widths(array: Iterable[Any]) -> dict[int, Any]:
    """A CIDFont's /W: runs of `first [w1 w2 ...]` and of `first last w`."""
    import pikepdf

    items, widths = list(array), {}
    while items:
        first, then, *items = items
        if isinstance(then, pikepdf.Array | list):
            widths.update({int(first) + offset: width for offset, width in enumerate(then)})
        else:
            widths.update(dict.fromkeys(range(int(first), int(then) + 1), items.pop(0)))
    return widths


def read_cmap(data: bytes) -> dict[int, str] | None:
    """A ToUnicode CMap's text for each code, or None unless it maps 2-byte codes one by
    one (bfchar; WeasyPrint writes no ranges)."""
    texts: dict[int, str] = {}
    for section, body in CMAP_SECTION.findall(data):
        tokens = [bytes.fromhex(digits.decode()) for digits in CMAP_HEX.findall(body)]
        if section == b"bfrange" or (section == b"codespacerange" and tokens != [
                b"\0\0", b"\xff\xff"]) or any(len(code) != 2 for code in tokens[::2]):
            return None
        if section == b"bfchar":
            texts.update({int.from_bytes(code): text.decode("utf-16-be")
                          for code, text in zip(tokens[::2], tokens[1::2], strict=True)})
    return texts


def write_cmap(texts: dict[int, str]) -> bytes:
    codes = sorted(texts)
    lines = [b"/CIDInit /ProcSet findresource begin", b"12 dict begin", b"begincmap",
             b"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
             b"/CMapName /Adobe-Identity-UCS def", b"/CMapType 2 def",
             b"1 begincodespacerange", b"<0000> <ffff>", b"endcodespacerange"]
    for block in (codes[start:start + 100] for start in range(0, len(codes), 100)):
        lines += [f"{len(block)} beginbfchar".encode(), *(  # 100 to a block at most
            f"<{code:04x}> <{texts[code].encode('utf-16-be').hex()}>".encode()
            for code in block), b"endbfchar"]
    return b"\n".join([*lines, b"endcmap", b"CMapName currentdict /CMap defineresource pop",
                       b"end", b"end"])


def font_shape(font: Dictionary) -> list[Any]:
    """The entries a shared font copies from its first member (all but REWRITTEN)."""
    from pikepdf import Array

    cid = font.DescendantFonts[0]
    entries = [*font.items(), *cid.items(), *cid.FontDescriptor.items()]
    return [int(cid.FontDescriptor.Flags) & ~FIXED_PITCH, "/CIDSet" in cid.FontDescriptor,
            *sorted((key, Array([value]).unparse()) for key, value in entries
                    if key not in REWRITTEN)]


def shared_font(book: Pdf, members: list[Member], name: str, program: bytes,
                widths: dict[int, Any], texts: dict[int, str]) -> Dictionary:
    """One Type0 font for the members, its descendant, descriptor and merged program."""
    from pikepdf import Array, Dictionary, Name

    def copied(entries: Any, **changes: Any) -> Dictionary:
        kept = {key: value for key, value in entries.items() if key not in REWRITTEN}
        return Dictionary({**kept, **{f"/{key}": value for key, value in changes.items()}})

    cid = members[0].font.DescendantFonts[0]
    boxes = [list(m.font.DescendantFonts[0].FontDescriptor.FontBBox) for m in members]
    fixed = FIXED_PITCH if len(widths) > 1 and len(set(widths.values())) == 1 else 0
    descriptor = copied(cid.FontDescriptor, FontName=Name(name), FontBBox=Array(
        [pick(box[index] for box in boxes) for index, pick in enumerate((min, min, max, max))]),
        Flags=int(cid.FontDescriptor.Flags) & ~FIXED_PITCH | fixed)
    descriptor[members[0].kind] = book.make_stream(program, Subtype=Name.OpenType) \
        if members[0].kind == "/FontFile3" else book.make_stream(program, Length1=len(program))
    if "/CIDSet" in cid.FontDescriptor:  # a bit for each glyph shown, the first highest
        bits = bytearray((max(widths) + 8) // 8)
        for code in widths:
            bits[code // 8] |= 0x80 >> code % 8
        descriptor.CIDSet = book.make_stream(bytes(bits))
    runs: list[Any] = []  # the widths as runs of consecutive glyph ids
    for code in sorted(widths):
        runs += [code, Array()] if code - 1 not in widths else []
        runs[-1].append(widths[code])
    descendant = copied(cid, BaseFont=Name(name), W=Array(runs),
                        FontDescriptor=book.make_indirect(descriptor))
    return book.make_indirect(copied(
        members[0].font, BaseFont=Name(name), ToUnicode=book.make_stream(write_cmap(texts)),
        DescendantFonts=Array([book.make_indirect(descendant)])))


def find_original(member: Member, originals: list[Original]) -> tuple[Original, bool] | None:
    """The font file with the member's identity, and whether hints were kept, whose subset
    of the member's glyphs is the member's program byte for byte: a surer test than names
    (and one that holds for every subset with the member's head and name tables)."""
    head = member.tables[b"head"]
    glyphs = tuple(sorted(member.texts))  # what WeasyPrint subset: its ToUnicode's glyphs
    for original in originals:
        if original.identity == head[4:8] + head[18:36] and glyphs[-1] < original.glyph_count:
            for hinting in (False, True):
                if subset(original, glyphs, hinting) == member.program:
                    return original, hinting
    return None


def original_fonts(folders: Sequence[Path]) -> list[Original]:
    """The font files in `folders`, in a stable order."""
    paths = sorted(path for folder in folders if folder.is_dir()
                   for path in folder.rglob("*") if path.suffix.lower() in FONT_SUFFIXES)
    found = [read_original(path, path.stat().st_mtime_ns, path.stat().st_size)
             for path in paths]
    return [original for original in found if original is not None]


@lru_cache(maxsize=64)
def read_original(path: Path, *changed: int) -> Original | None:
    """A font file, read again only once `changed` (its time and size) changes."""
    data = path.read_bytes()
    try:
        tables = sfnt_tables(data)
        head, count = tables[b"head"], int.from_bytes(tables[b"maxp"][4:6])
        return Original(data, hashlib.sha256(data).digest(), head[4:8] + head[18:36], count)
    except (KeyError, struct.error):
        return None  # not a font a stylesheet could load


@cache
def harfbuzz() -> tuple[Any, Any, Any] | None:
    """cffi and the HarfBuzz libraries, or None without HarfBuzz-Subset 4.1 or later
    (WeasyPrint then subsets with fontTools, and the fonts are left as they are)."""
    import cffi  # type: ignore[import-untyped]

    ffi = cffi.FFI()
    ffi.cdef("""typedef struct hb_blob_t hb_blob_t; typedef struct hb_face_t hb_face_t;
        typedef struct hb_set_t hb_set_t; typedef struct hb_subset_input_t hb_input_t;
        hb_blob_t *hb_blob_create(const char *, unsigned, int, void *, void *);
        const char *hb_blob_get_data(hb_blob_t *, unsigned *); void hb_blob_destroy(hb_blob_t *);
        hb_face_t *hb_face_create(hb_blob_t *, unsigned); void hb_face_destroy(hb_face_t *);
        hb_blob_t *hb_face_reference_blob(hb_face_t *); uint32_t hb_tag_from_string(char *, int);
        int hb_version_atleast(unsigned, unsigned, unsigned);
        void hb_set_add_sorted_array(hb_set_t *, const uint32_t *, unsigned);
        hb_input_t *hb_subset_input_create_or_fail(void);
        void hb_subset_input_destroy(hb_input_t *);
        hb_set_t *hb_subset_input_glyph_set(hb_input_t *);
        hb_set_t *hb_subset_input_set(hb_input_t *, int);
        void hb_subset_input_set_flags(hb_input_t *, unsigned);
        hb_face_t *hb_subset_or_fail(hb_face_t *, const hb_input_t *);""")
    libraries = []
    for name in ("harfbuzz", "harfbuzz-subset"):
        for file in (name, f"lib{name}.so.0", f"lib{name}.0.dylib"):  # first: ctypes's way
            with suppress(OSError):
                libraries.append(ffi.dlopen(file))
                break
    if len(libraries) < 2 or not libraries[0].hb_version_atleast(4, 1, 0):
        return None
    return ffi, *libraries


# Kept by the file's bytes, the glyphs and the flags, in memory only: a `watch` rejoining
# the book subsets again only the faces whose glyphs an edit changed. A new process
# subsets twice per face, some 15 ms for a 10-essay book: too little for a disk cache to
# save (and typeset/ may not import output/'s).
@lru_cache(maxsize=64)
def subset(original: Original, glyphs: tuple[int, ...], hinting: bool) -> bytes | None:
    """The original subset as WeasyPrint does: its bytes, or None if HarfBuzz fails."""
    if (libraries := harfbuzz()) is None:
        return None
    ffi, hb, hb_subset = libraries

    def add(values: Sequence[int], target: Any) -> None:
        hb.hb_set_add_sorted_array(target, ffi.new("uint32_t[]", list(values)), len(values))

    data = original.data
    blob = hb.hb_blob_create(data, len(data), 0, ffi.NULL, ffi.NULL)  # 0: copied
    faces, request = [hb.hb_face_create(blob, 0)], hb_subset.hb_subset_input_create_or_fail()
    hb.hb_blob_destroy(blob)  # the face holds it
    try:
        if request == ffi.NULL:
            return None
        add(sorted(hb.hb_tag_from_string(tag, 4) for tag in DROPPED_TABLES),
            hb_subset.hb_subset_input_set(request, 3))  # 3: the tables to drop
        for kept, flags in ((glyphs, RETAIN_GIDS), (range(glyphs[-1] + 1),
                                                   0 if hinting else NO_HINTING)):
            add(kept, hb_subset.hb_subset_input_glyph_set(request))
            hb_subset.hb_subset_input_set_flags(request, flags | DESUBROUTINIZE | PASSTHROUGH)
            faces.append(hb_subset.hb_subset_or_fail(faces[-1], request))
            if faces[-1] == ffi.NULL:
                return None
        blob = hb.hb_face_reference_blob(faces[-1])
        length = ffi.new("unsigned *")
        program: bytes = ffi.unpack(hb.hb_blob_get_data(blob, length), length[0])
        hb.hb_blob_destroy(blob)
        return program or None
    finally:  # HarfBuzz takes NULL for an empty object
        for face in faces:
            hb.hb_face_destroy(face)
        hb_subset.hb_subset_input_destroy(request)
