"""Benchmark inputs: N-essay collections made from the repository's essay and photographs.

Each copy of the essay gets its own number, title, note labels and texts, and its own
photographs (the repository's images with the copy's number drawn in, saved anew), so no
stage can get away with doing the work once. The same essays are also written in the form
pandoc reads: a heading instead of front matter, image paths relative to the folder pandoc
runs in.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
SEED = next((REPOSITORY / "essays").glob("*.md"))
FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.S)
NOTE_LABEL = re.compile(r"\[\^([^\]\s]+)\]")
IMAGE = re.compile(r"\]\(\.\./images/([^)\s]+)")
NOTE_DEFINITION = re.compile(r"^(\[\^[^\]]+\]: )(.*)$", re.M)
WORDS = ["Listening", "Persistence", "Care", "Recovery", "Evidence", "Practice", "Voices",
         "Bodies", "Minds", "Teams", "Places", "Measures", "Stories", "Systems", "Choices"]


def copy_title(number: int) -> str:
    first = WORDS[number % len(WORDS)]
    second = WORDS[(number * 7 + 3 + (number * 7 + 3) % len(WORDS) // 14) % len(WORDS)]
    if second == first:
        second = WORDS[(number + 1) % len(WORDS)]
    return f"{first} and {second.lower()}: essay {number}"


def essay_text(number: int) -> tuple[str, str, str]:
    """(front matter, body, title) of copy `number` of the seed essay."""
    match = FRONT_MATTER.match(SEED.read_text(encoding="utf-8"))
    assert match is not None, f"{SEED} has no front matter"
    front, body = match.group(1), SEED.read_text(encoding="utf-8")[match.end():]
    title = copy_title(number)
    front = re.sub(r"^title: .*$", f'title: "{title}"', front, flags=re.M)
    front = re.sub(r"^number: .*$", f"number: {number}", front, flags=re.M)
    body = NOTE_LABEL.sub(lambda m: f"[^e{number}n{m.group(1)}]", body)
    body = NOTE_DEFINITION.sub(lambda m: f"{m.group(1)}{m.group(2)} (Essay {number}.)", body)
    body = IMAGE.sub(lambda m: f"](../images/e{number:03d}-{m.group(1)}", body)
    return front, body, title


def draw_images(images: Path, count: int) -> None:
    """Each copy's own photographs: the seed images with the copy's number drawn in."""
    from PIL import Image, ImageDraw

    for seed in sorted((REPOSITORY / "images").glob("*.jpg")):
        with Image.open(seed) as opened:
            base = opened.convert("RGB")
        for number in range(1, count + 1):
            image = base.copy()
            draw = ImageDraw.Draw(image)
            width, height = image.size
            box = (width // 20, height // 20, width // 20 + 40 * (number % 25 + 4),
                   height // 20 + 120)
            draw.rectangle(box, fill=(40 + 2 * number % 200, 90, 120))
            image.save(images / f"e{number:03d}-{seed.name}", quality=90)


def make_collection(folder: Path, count: int) -> Path:
    """Write a `count`-essay collection into `folder` (qlabbook's form, and pandoc's under
    pandoc/); return `folder`."""
    if folder.exists():
        shutil.rmtree(folder)
    (folder / "essays").mkdir(parents=True)
    (folder / "images").mkdir()
    (folder / "pandoc").mkdir()
    toml = (REPOSITORY / "qlabbook.toml").read_text(encoding="utf-8")
    (folder / "qlabbook.toml").write_text(
        toml.replace('title = "Mental health and persistent pain"',
                     f'title = "Mental health and persistent pain: {count} essays"'),
        encoding="utf-8")
    draw_images(folder / "images", count)
    for number in range(1, count + 1):
        front, body, title = essay_text(number)
        name = f"{number:03d}-essay-{number}.md"
        (folder / "essays" / name).write_text(f"---\n{front}\n---\n{body}", encoding="utf-8")
        summary = re.search(r"summary: >-\n((?:  .*\n?)+)", front + "\n")
        standfirst = " ".join(summary.group(1).split()) if summary else ""
        # pandoc runs in the collection folder, so images are under images/.
        (folder / "pandoc" / name).write_text(
            f"# {title}\n\n*{standfirst}*\n\n" + body.replace("](../images/", "](images/"),
            encoding="utf-8")
    return folder


EDIT_WORDS = ["partnership", "collaboration", "alliance", "venture", "project", "effort"]
FIRST_PARAGRAPH = re.compile(r"^(?:[^#\s>|!\[-].*)$", re.M)


def letters(number: int) -> str:
    """0 -> "", 1 -> "a", 26 -> "z", 27 -> "aa": a suffix that keeps the word a word."""
    text = ""
    while number > 0:
        number, digit = divmod(number - 1, 26)
        text = chr(ord("a") + digit) + text
    return text


def edit_essay(folder: Path, number: int, generation: int) -> None:
    """Change one word of essay `number` (the first of five letters or more from the tenth
    word of its first paragraph on) to a different word in each generation, never one it
    had before: what an editor's smallest correction costs."""
    path = next((folder / "essays").glob(f"{number:03d}-*.md"))
    text = path.read_text(encoding="utf-8")
    match = FRONT_MATTER.match(text)
    start = match.end() if match else 0
    paragraph = FIRST_PARAGRAPH.search(text, start)
    assert paragraph is not None, f"{path} has no paragraph to edit"
    words = list(re.finditer(r"[A-Za-z]+", paragraph.group(0)))
    target = next((w for w in words[9:] if len(w.group(0)) >= 5), words[-1])
    # Never a text the essay had before (a repeated one would be found in the cache, and
    # one the same as now would not change the file): the word depends on the generation
    # alone, one to one, and always has a suffix, so it is never the essay's own word.
    word = EDIT_WORDS[generation % len(EDIT_WORDS)] + letters(generation // len(EDIT_WORDS) + 1)
    at = paragraph.start() + target.start()
    path.write_text(text[:at] + word + text[at + len(target.group(0)):], encoding="utf-8")


if __name__ == "__main__":
    import sys

    made = make_collection(Path(sys.argv[1]), int(sys.argv[2]))
    print(made)
