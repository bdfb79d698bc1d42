"""Raw LaTeX in an essay read as pandoc reads Markdown: `\\begin{tabular}` ... `\\end{tabular}`
on lines of their own, and commands in the text such as `\\cite[22-23]{smith.1899}`.

pandoc passes raw TeX to LaTeX output only and leaves it out of every other. qlabbook cannot
typeset it either, but never loses words silently: the TeX is printed as code, as a formula
that cannot be converted is (M402), with a warning at its line (M404). Math environments
(`\\begin{aligned}`) are formulas.py's, and read as CommonMark a backslash is only text.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET

from markdown import Extension, Markdown
from markdown.inlinepatterns import InlineProcessor
from markdown.preprocessors import Preprocessor
from markdown.util import AtomicString

from qlabbook.markdown.extensions.fences import closes, opening_fence

ENVIRONMENT = re.compile(r"^ {0,3}\\begin\{(?P<name>[A-Za-z]+\*?)\}")
# A command, its optional [arguments] and {arguments} (one level of braces inside).
COMMAND = (r"\\[A-Za-z]+\*?(?:\[[^\]\n]*\])*"
           r"(?:\{[^{}\n]*(?:\{[^{}\n]*\}[^{}\n]*)*\})*")
MESSAGE = ("raw LaTeX {shown} cannot be typeset outside LaTeX (pandoc leaves it out): it is "
           "printed as code")


def shown(tex: str) -> str:
    first = tex.split("\n", 1)[0].strip()
    return first if len(first) <= 40 else first[:39] + "…"


class RawTexBlockPreprocessor(Preprocessor):
    """An environment opening a block, to its `\\end`, as a code block."""

    def __init__(self, md: Markdown, extension: RawTexExtension) -> None:
        super().__init__(md)
        self.extension = extension

    def run(self, lines: list[str]) -> list[str]:
        if not self.extension.pandoc:
            return lines
        out: list[str] = []
        fence, index = "", 0
        while index < len(lines):
            line = lines[index]
            begin = ENVIRONMENT.match(line) if not fence else None
            if fence:
                fence = "" if closes(line, fence) else fence
            elif (found := opening_fence(line)) is not None:
                fence = found.group("fence")
            if begin and (not out or not out[-1].strip()):
                end = self.environment_end(lines, index, begin.group("name"))
                if end is not None:
                    out += self.stashed("\n".join(lines[index:end + 1]))
                    index = end + 1
                    continue
            out.append(line)
            index += 1
        return out

    @staticmethod
    def environment_end(lines: list[str], start: int, name: str) -> int | None:
        closing = "\\end{" + name + "}"
        return next((i for i in range(start, len(lines)) if closing in lines[i]), None)

    def stashed(self, tex: str) -> list[str]:
        self.extension.problems.append(("M404", MESSAGE.format(shown=shown(tex)),
                                        tex.split("\n", 1)[0]))
        block = f'<pre class="raw-tex"><code>{html.escape(tex, quote=False)}</code></pre>'
        return ["", self.md.htmlStash.store(block), ""]


class RawTexInlineProcessor(InlineProcessor):
    """A command in the text, as code."""

    def __init__(self, md: Markdown, extension: RawTexExtension) -> None:
        super().__init__(COMMAND, md)
        self.extension = extension

    def handleMatch(  # noqa: N802
            self, m: re.Match[str], data: str) -> tuple[ET.Element | None, int | None,
                                                        int | None]:
        if not self.extension.pandoc:
            return None, None, None
        tex = m.group(0)
        self.extension.problems.append(("M404", MESSAGE.format(shown=shown(tex)), tex))
        code = ET.Element("code", {"class": "raw-tex"})
        code.text = AtomicString(tex)
        return code, m.start(0), m.end(0)


class RawTexExtension(Extension):
    """Raw TeX as code, with a warning, for essays read as pandoc reads them (`begin`)."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.pandoc = False
        self.problems: list[tuple[str, str, str]] = []  # (code, message, needle)

    def begin(self, pandoc: bool) -> None:
        self.pandoc, self.problems = pandoc, []

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802
        md.registerExtension(self)
        # After math environments become formulas (29), before notes (24) and raw HTML (20).
        md.preprocessors.register(RawTexBlockPreprocessor(md, self), "qlab_raw_tex_blocks", 28)
        # Below code spans (190) and dollar math (185), above backslash escapes (180).
        md.inlinePatterns.register(RawTexInlineProcessor(md, self), "qlab_raw_tex", 183)
