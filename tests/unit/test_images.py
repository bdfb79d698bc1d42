"""Photographs fitted to the text width before the PDF renderer sees them."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

from PIL import Image

from qlabbook.typeset import images
from qlabbook.typeset.images import fit_ahead, fit_width, fitted


def encoded(image: Image.Image, kind: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, kind, **options)
    return out.getvalue()


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_a_wide_jpeg_is_scaled_to_the_width_keeping_its_proportions() -> None:
    source = encoded(Image.new("RGB", (2400, 1600), (200, 120, 40)), "JPEG", quality=95)
    result = fit_width(source, 1500, 88)
    assert result is not None
    image = opened(result)
    assert (image.format, image.size) == ("JPEG", (1500, 1000))
    assert max(abs(a - b) for a, b in zip(image.getpixel((750, 500)), (200, 120, 40),
                                          strict=True)) <= 3


def test_images_narrow_enough_or_not_photographs_are_left_alone() -> None:
    narrow = encoded(Image.new("RGB", (1200, 800), "white"), "JPEG")
    assert fit_width(narrow, 1500, 88) is None
    assert fit_width(b"not an image", 1500, 88) is None
    gif = encoded(Image.new("P", (3000, 100)), "GIF")
    assert fit_width(gif, 1500, 88) is None


def test_the_width_is_the_width_on_the_page_after_exif_rotation() -> None:
    # Stored 1000 x 2400 and marked "rotate 90°": printed 2400 wide, 1000 high.
    exif = Image.Exif()
    exif[0x0112] = 6
    source = encoded(Image.new("RGB", (1000, 2400), "white"), "JPEG", exif=exif)
    result = fit_width(source, 1500, 88)
    assert result is not None
    image = opened(result)
    assert image.size == (1500, 625)
    assert image.getexif().get(0x0112, 1) == 1


def test_a_png_keeps_its_transparency() -> None:
    source = encoded(Image.new("RGBA", (3000, 300), (0, 0, 0, 0)), "PNG")
    result = fit_width(source, 1500, 88)
    assert result is not None
    image = opened(result)
    assert (image.format, image.mode, image.size) == ("PNG", "RGBA", (1500, 150))
    assert image.getpixel((10, 10))[3] == 0


def test_the_same_content_is_fitted_once() -> None:
    source = encoded(Image.new("RGB", (2000, 1000), (1, 2, 3)), "JPEG")
    first = fitted(source, 1500, 88)
    assert first is not None
    assert fitted(bytes(source), 1500, 88) is first


def test_images_fitted_ahead_are_the_ones_the_renderer_gets(tmp_path: Path) -> None:
    paths = []
    for index in range(4):
        path = tmp_path / f"photo{index}.jpg"
        path.write_bytes(encoded(Image.new("RGB", (1800, 900), (index, 50, 90)), "JPEG"))
        paths.append(path)
    pool = fit_ahead(paths, 1500, 80)
    pool.shutdown(wait=True)
    done = {key for key, future in images._fitted.items() if future.done()}
    for path in paths:
        assert (hashlib.sha256(path.read_bytes()).hexdigest(), 1500, 80) in done
        result = fitted(path.read_bytes(), 1500, 80)
        assert result is not None and opened(result).size == (1500, 750)


def test_a_truncated_jpeg_is_refused(tmp_path: Path) -> None:
    import random

    from qlabbook.source.images import check_image

    noise = random.Random(3).randbytes(640 * 480 * 3)
    whole = encoded(Image.frombytes("RGB", (640, 480), noise), "JPEG", quality=90)
    (tmp_path / "whole.jpg").write_bytes(whole)
    (tmp_path / "cut.jpg").write_bytes(whole[: len(whole) - 2000])
    assert check_image(tmp_path / "whole.jpg").code == ""
    assert check_image(tmp_path / "cut.jpg").code == "I104"
