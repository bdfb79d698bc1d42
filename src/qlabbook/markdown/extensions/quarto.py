"""Quarto's blocks: callouts (`::: {.callout-note}` with a `## Title` first line or a
`title="..."` attribute) as titled boxes, `::: {.column-margin}` as margin notes, the
`::: {#refs}` div that places the References, executable chunks (```` ```{r} ````,
`#|` option lines) shown as code in their language, and Quarto's image attributes.

Executable chunks are shown, never run: the first one in an essay says so, once."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from types import SimpleNamespace

from markdown import Extension, Markdown
from markdown.blockparser import BlockParser
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor

from qlabbook.markdown.extensions.pandoc import DIV_CLASS, DIV_OPEN, FencedDivProcessor

CALLOUTS = {"note": "Note", "warning": "Warning", "tip": "Tip", "important": "Important",
            "caution": "Caution"}
CALLOUT_CLASS = "callout"
TITLE_CLASS = "callout-title"
MARGIN_CLASS = "margin-note"
REFS_CLASS = "references-place"  # where the References go (markdown/citations.py)
ATTRIBUTE = re.compile(r"""([\w-]+)=(?:"([^"]*)"|'([^']*)'|(\S+))""")
DIV_ID = re.compile(r"(?:^|\s)#([\w:.-]+)")
# ```{r}, ```{python echo=FALSE}, ```{r, label}: a chunk Quarto executes (no dot: ```{.r}
# is pandoc's plain attribute syntax for a class).
CHUNK = re.compile(r"^(?P<lead>(?:[ \t]*>)*[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*"
                   r"\{[ \t]*(?P<engine>[A-Za-z][\w-]*)[^}]*\}[ \t]*$")
OPTION = re.compile(r"^[ \t>]*#\|")
# Engines whose language Pygments knows by another name.
LANGUAGES = {"tikz": "latex", "ojs": "javascript", "mermaid": "text", "dot": "text",
             "julia": "julia", "r": "r", "python": "python", "bash": "bash", "sql": "sql"}
# Image attributes Quarto defines: `fig-alt` is the picture's description; the rest
# place or caption it in Quarto's HTML.
IMAGE_ATTRIBUTES = ("fig-alt", "fig-align", "fig-cap", "fig-pos", "fig-env", "fig-scap",
                    "fig-link", "lightbox", "group", "description")


class ChunkPreprocessor(Preprocessor):
    """```` ```{r} ```` -> ```` ```r ````, without the `#|` option lines that follow."""

    def __init__(self, md: Markdown, extension: QuartoExtension) -> None:
        super().__init__(md)
        self.extension = extension

    def run(self, lines: list[str]) -> list[str]:
        result: list[str] = []
        options = False
        for line in lines:
            found = CHUNK.match(line)
            if found:
                engine = found.group("engine").lower()
                language = LANGUAGES.get(engine, engine)
                result.append(f"{found.group('lead')}{found.group('fence')}{language}")
                if not self.extension.chunk:
                    self.extension.chunk = line.strip()
                options = True
                continue
            if options and OPTION.match(line):
                continue  # an option for Quarto, not code
            options = False
            result.append(line)
        return result


class QuartoDivProcessor(FencedDivProcessor):
    """Callouts, margin columns and the `#refs` div: fenced divs whose class or id Quarto
    gives a meaning, with their title attribute read."""

    def test(self, parent: ET.Element, block: str) -> bool:
        found = DIV_OPEN.match(block.split("\n", 1)[0])
        return found is not None and bool(kind(found.group(1)))

    def run(self, parent: ET.Element, blocks: list[str]) -> bool:
        opening = DIV_OPEN.match(blocks[0].split("\n", 1)[0]).group(1)  # type: ignore[union-attr]
        before = len(parent)
        if not super().run(parent, blocks):
            return False
        div = parent[before]
        what = kind(opening)
        if what == "refs":
            div.set("class", REFS_CLASS)
        elif what == "margin":  # its own classes kept for styles/ (`.aside`)
            div.set("class", f"{MARGIN_CLASS} {div.get('class', '')}".strip())
        else:
            callout(div, what, attributes(opening).get("title"))
        return True


def attributes(opening: str) -> dict[str, str]:
    return {m.group(1): m.group(2) or m.group(3) or m.group(4) or ""
            for m in ATTRIBUTE.finditer(opening)} if opening.startswith("{") else {}


def kind(opening: str) -> str:
    """"refs", "margin", a callout's kind ("note", ...), or "" for any other div."""
    classes: list[str] = [opening]
    if opening.startswith("{"):
        classes = DIV_CLASS.findall(opening.strip("{}"))
        found = DIV_ID.search(opening.strip("{}"))
        if found and found.group(1) == "refs":
            return "refs"
    for name in classes:
        if name == "column-margin":
            return "margin"
        if name.startswith("callout-") and name[len("callout-"):] in CALLOUTS:
            return name[len("callout-"):]
    return ""


def callout(div: ET.Element, what: str, title: str | None) -> None:
    """A titled box: its title from `title="..."`, else a heading that opens it, else its
    kind ("Note")."""
    div.set("class", f"{CALLOUT_CLASS} {CALLOUT_CLASS}-{what}")
    head = ET.Element("p", {"class": TITLE_CLASS})
    first = div[0] if len(div) else None
    if title is None and first is not None and re.fullmatch(r"h[1-6]", str(first.tag)) and \
            not (div.text or "").strip():
        head.text, head.tail = first.text, None
        head.extend(list(first))
        div.remove(first)
    else:
        head.text = title or CALLOUTS[what]
    div.insert(0, head)


class ImageAttributeProcessor(Treeprocessor):
    """Quarto's `{fig-alt="..." fig-align="center"}` on an image: the alt text when the
    image has none; the placement, which a book sets itself, dropped without a word."""

    def run(self, root: ET.Element) -> None:
        for image in root.iter("img"):
            described = image.attrib.pop("fig-alt", "")
            if described and not image.get("alt"):
                image.set("alt", described)
            for name in IMAGE_ATTRIBUTES:
                image.attrib.pop(name, None)


class QuartoExtension(Extension):
    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.chunk = ""  # the essay's first executable chunk's opening line
        self.div_problems: list[tuple[str, str, str]] = []  # a div never closed (M108)

    def reset(self) -> None:
        self.chunk = ""
        self.div_problems.clear()  # the list the div processor appends to

    @property
    def problems(self) -> list[tuple[str, str, str]]:
        """(code, message, source text) of what the essay should hear: its chunks are not
        run, said once, at the first (M403)."""
        said = [("M403", "code chunks are shown as code; their results (output, figures, "
                 "tables) are not computed", self.chunk)] if self.chunk else []
        return [*self.div_problems, *said]

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 - Python-Markdown's name
        md.registerExtension(self)
        # Before the fences are stashed (31).
        md.preprocessors.register(ChunkPreprocessor(md, self), "qlab_quarto_chunks", 32)
        parser: BlockParser = md.parser
        # Above the other fenced divs (82).
        # The div processor reports a div never closed into `div_problems`.
        divs = QuartoDivProcessor(parser, SimpleNamespace(problems=self.div_problems))  # type: ignore[arg-type]
        parser.blockprocessors.register(divs, "qlab_quarto_div", 83)
        # After attr_list (8), before figures (7).
        md.treeprocessors.register(ImageAttributeProcessor(md), "qlab_quarto_images", 7.6)
