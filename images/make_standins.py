"""Generate the stand-in photographs for essay 01.

The original photographs (by Alastair Fyfe) are not part of this source, so
this script draws two calm, abstract placeholder images at the same file
names the essay refers to.  Output is deterministic: running the script again
produces byte-identical JPEGs (fixed layouts, no EXIF, fixed ICC header date).

Usage (from the repository root):

    .venv/bin/python images/make_standins.py

Requires only Pillow.
"""

from __future__ import annotations

import random
import struct
from pathlib import Path

from PIL import Image, ImageCms, ImageDraw, ImageFilter, ImageFont

WIDTH, HEIGHT = 2400, 1600
QUALITY = 85
LABEL = "Stand-in image"
OUT_DIR = Path(__file__).resolve().parent

# Muted palette: blues, blue-greys and a warm grey for the "people".
TABLE = (196, 204, 212)
TABLE_EDGE = (168, 178, 190)
PEOPLE = [
    (112, 132, 156),
    (136, 150, 168),
    (150, 140, 136),
    (98, 116, 138),
    (160, 168, 176),
]

IMAGES = [
    {
        "name": "q-lab-workshop-birmingham-2019-02.jpg",
        "caption": "Q lab workshop in Birmingham February 2019",
        "seed": 201902,
        "top": (214, 222, 230),
        "bottom": (150, 166, 184),
        "tables": 3,
    },
    {
        "name": "q-lab-birmingham-2019-02-14.jpg",
        "caption": "The Q Lab in Birmingham on 14th February 2019",
        "seed": 20190214,
        "top": (206, 214, 224),
        "bottom": (128, 146, 168),
        "tables": 4,
    },
]


def srgb_icc_profile() -> bytes:
    """An sRGB ICC profile with a fixed creation date (for reproducibility)."""
    data = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    # Header bytes 24-35: dateTimeNumber (year, month, day, hour, min, sec).
    data[24:36] = struct.pack(">6H", 2019, 5, 1, 0, 0, 0)
    # Bytes 84-99 are the profile ID; zero means "not computed", which stays valid.
    data[84:100] = bytes(16)
    return bytes(data)


def gradient(top: tuple[int, int, int], bottom: tuple[int, int, int]) -> Image.Image:
    """A smooth vertical gradient with a slight horizontal lift on the left."""
    column = Image.new("RGB", (1, 256))
    for y in range(256):
        t = y / 255
        column.putpixel((0, y), tuple(round(a + (b - a) * t) for a, b in zip(top, bottom)))
    base = column.resize((WIDTH, HEIGHT), Image.Resampling.BICUBIC)

    # Soft "window light" from the upper left: a blurred pale ellipse blended in.
    light = Image.new("L", (WIDTH, HEIGHT), 0)
    ImageDraw.Draw(light).ellipse((-600, -700, 1300, 700), fill=90)
    light = light.filter(ImageFilter.GaussianBlur(260))
    return Image.composite(Image.new("RGB", (WIDTH, HEIGHT), (236, 240, 244)), base, light)


def draw_room(img: Image.Image, seed: int, tables: int) -> Image.Image:
    """Rounded-rectangle tables with circles (people) seated around them."""
    rng = random.Random(seed)
    layer = img.copy()
    draw = ImageDraw.Draw(layer)

    # Floor line hinting at a room.
    draw.rectangle((0, 1080, WIDTH, HEIGHT), fill=(176, 186, 198))

    slot = WIDTH / tables
    for i in range(tables):
        cx = int(slot * (i + 0.5) + rng.uniform(-60, 60))
        cy = int(1120 + rng.uniform(-40, 60))
        tw, th = int(rng.uniform(360, 440)), int(rng.uniform(150, 190))
        box = (cx - tw // 2, cy - th // 2, cx + tw // 2, cy + th // 2)

        # People behind the table: head circle over a rounded "shoulders" shape.
        seats = rng.choice([2, 3])
        for s in range(seats):
            px = cx - tw // 2 + int((s + 0.5) * tw / seats + rng.uniform(-20, 20))
            colour = PEOPLE[rng.randrange(len(PEOPLE))]
            head_r = int(rng.uniform(44, 54))
            shoulders_top = cy - th // 2 - int(rng.uniform(150, 180))
            draw.rounded_rectangle(
                (px - 78, shoulders_top, px + 78, cy), radius=70, fill=colour
            )
            hy = shoulders_top - head_r + 6
            draw.ellipse((px - head_r, hy - head_r, px + head_r, hy + head_r), fill=colour)

        draw.rounded_rectangle(box, radius=36, fill=TABLE, outline=TABLE_EDGE, width=6)

        # People in front of the table, seen from behind: larger, lower.
        for s in range(rng.choice([1, 2])):
            px = cx - tw // 4 + s * tw // 2 + int(rng.uniform(-30, 30))
            colour = PEOPLE[rng.randrange(len(PEOPLE))]
            head_r = int(rng.uniform(58, 66))
            top = cy + th // 2 + 40
            draw.rounded_rectangle((px - 100, top + 60, px + 100, HEIGHT + 80), radius=90, fill=colour)
            draw.ellipse((px - head_r, top - head_r + 20, px + head_r, top + head_r + 20), fill=colour)

    # A few soft circles on the wall (lamps / posters), kept very light.
    for _ in range(3):
        r = int(rng.uniform(70, 130))
        x = int(rng.uniform(300, WIDTH - 300))
        y = int(rng.uniform(200, 560))
        draw.ellipse((x - r, y - r, x + r, y + r), fill=(222, 228, 234))

    # Gentle blur so it reads as an out-of-focus photograph, not a diagram.
    return layer.filter(ImageFilter.GaussianBlur(10))


def add_label(img: Image.Image) -> None:
    draw = ImageDraw.Draw(img)
    font = ImageFont.load_default(size=48)
    left, top, right, bottom = draw.textbbox((0, 0), LABEL, font=font)
    margin, pad = 48, 18
    x = WIDTH - margin - pad - right
    y = HEIGHT - margin - pad - bottom
    draw.rounded_rectangle(
        (x + left - pad, y + top - pad, x + right + pad, y + bottom + pad),
        radius=14,
        fill=(240, 242, 245),
    )
    draw.text((x, y), LABEL, font=font, fill=(96, 106, 120))


def make(spec: dict, icc: bytes) -> Path:
    img = gradient(spec["top"], spec["bottom"])
    img = draw_room(img, spec["seed"], spec["tables"])
    add_label(img)
    path = OUT_DIR / spec["name"]
    img.save(
        path,
        "JPEG",
        quality=QUALITY,
        optimize=True,
        progressive=False,
        subsampling="4:2:0",
        icc_profile=icc,
        dpi=(300, 300),
    )
    return path


def main() -> None:
    icc = srgb_icc_profile()
    for spec in IMAGES:
        path = make(spec, icc)
        print(f"{path.name}: {path.stat().st_size // 1024} KB  ({spec['caption']})")


if __name__ == "__main__":
    main()
