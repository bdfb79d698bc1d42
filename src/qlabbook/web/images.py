"""Responsive images: each picture in widths a page may show it at, made with Pillow, so that
no reader downloads more pixels than the screen shows."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Protocol

from qlabbook.source.fingerprint import Hasher, tool_fingerprint
from qlabbook.source.images import portable_path
from qlabbook.source.model import Collection
from qlabbook.web.paths import IMAGES_FOLDER

if TYPE_CHECKING:
    from PIL.Image import Image

# The widths, in pixels, offered to the browser: a phone, the text column at 1x and 2x, a
# wide screen at 2x. A picture is never enlarged: its own width is the largest offered.
WIDTHS = (480, 720, 1080, 1440)
# The column an image is shown in, for the browser's choice (web.css sets the same).
SIZES = "(min-width: 42em) 36em, calc(100vw - 2.5em)"
RESAMPLED = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".webp": "WEBP"}


@dataclass(frozen=True)
class Variant:
    path: str  # relative to the site's root
    width: int
    data: bytes


@dataclass(frozen=True)
class Picture:
    """An image of the collection as the site serves it."""

    src: str  # the largest variant, relative to the site's root
    width: int
    height: int
    variants: tuple[Variant, ...]

    def srcset(self, prefix: str) -> str:
        return ", ".join(f"{prefix}{v.path} {v.width}w" for v in self.variants)


class PictureStore(Protocol):
    """Where pictures are kept between builds, by picture_key: resampling every width of
    a hundred photographs costs a minute."""

    def get(self, key: str) -> Picture | None: ...
    def put(self, key: str, picture: Picture) -> None: ...


def picture_key(root: Path, src: str) -> str:
    """What a picture's variants are made from: the image's bytes, where the site puts
    it, and the tool (Pillow's version among its renderers)."""
    hasher = Hasher()
    hasher.add("tool", tool_fingerprint())
    hasher.add("src", src)
    hasher.add_file("image", root / src)
    return hasher.hexdigest()


def site_path(src: str, width: int | None = None) -> str:
    """images/card.png -> images/card-720.png; a collection path keeps its folders (in
    characters every browser reads in a srcset: portable_path)."""
    path = PurePosixPath(portable_path(src))
    parts = path.parts[1:] if path.parts[:1] == (IMAGES_FOLDER,) else path.parts
    name = PurePosixPath(*parts) if parts else PurePosixPath(path.name)
    if width is not None:
        name = name.with_name(f"{name.stem}-{width}{name.suffix.lower()}")
    return f"{IMAGES_FOLDER}/{name.as_posix()}"


def make_picture(root: Path, src: str) -> Picture:
    """The variants of one image: resampled widths of a photograph or drawing, the file itself
    for what Pillow should not resample (SVG, animated GIF)."""
    from PIL import Image

    data = (root / src).read_bytes()
    suffix = PurePosixPath(src).suffix.lower()
    with Image.open(io.BytesIO(data)) as image:
        width, height = image.size
        animated = getattr(image, "n_frames", 1) > 1
        if suffix not in RESAMPLED or animated:
            return Picture(site_path(src), width, height, (Variant(site_path(src), width, data),))
        widths = sorted({*(w for w in WIDTHS if w < width), min(width, WIDTHS[-1])})
        variants = tuple(Variant(site_path(src, w), w, resampled(image, w, RESAMPLED[suffix]))
                         for w in widths)
    return Picture(variants[-1].path, width, height, variants)


def resampled(image: Image, width: int, kind: str) -> bytes:
    """The image `width` pixels wide, without metadata, the same bytes every build."""
    from PIL.Image import Resampling

    height = max(1, round(image.height * width / image.width))
    copy = image if width == image.width else \
        image.resize((width, height), Resampling.LANCZOS)
    out = io.BytesIO()
    if kind == "JPEG":
        copy.convert("RGB").save(out, "JPEG", quality=85, progressive=True, optimize=True)
    elif kind == "WEBP":
        copy.save(out, "WEBP", quality=85, method=6)
    else:
        copy.save(out, "PNG", optimize=True)
    return out.getvalue()


def make_pictures(collection: Collection,
                  store: PictureStore | None = None) -> dict[str, Picture]:
    """Every image the essays show, by its collection path; from `store` when it has it."""
    pictures = {}
    for src in collection.images:
        key = picture_key(collection.root, src) if store is not None else ""
        picture = store.get(key) if store is not None else None
        if picture is None:
            picture = make_picture(collection.root, src)
            if store is not None:
                store.put(key, picture)
        pictures[src] = picture
    return pictures
