"""TeX math between dollars, by pandoc's rules (its tex_math_dollars extension).

`$...$` is inline math when the opening `$` has a non-space character to its right and the
closing one a non-space character to its left and no digit after it (so "$5 and $10" stays
text); `$$...$$` is display math and may span lines of a paragraph; `\\$` is a dollar sign.
Checked first: pymdown-extensions' arithmatex (smart_dollar, the closest) does not refuse a
closing `$` before a digit and reads `$$...$$` only as a block of its own; python-markdown-
math's `$...$` has no space rules, so "$5 and $10" is math to it; neither keeps the `$` in
`\\text{a $}` from closing the formula, and both write markup for MathJax. So the scanner
below follows pandoc's parser (3.9; tests/unit/test_formulas_pandoc.py holds its answers).

Each formula becomes a neutral placeholder (formulas.placeholder) that survives the
sanitizer and that each format replaces; one that cannot be converted stays visible, as
code, with a located warning [M402].

A LaTeX math environment on lines of its own, `\\begin{aligned}` ... `\\end{aligned}` without
dollars, is display math too, as pandoc's raw_tex reads it for MathJax: the lines are put
between `$$` before the blocks are read, on the same lines, so line numbers hold.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from functools import lru_cache

from markdown import Extension, Markdown
from markdown.inlinepatterns import InlineProcessor
from markdown.preprocessors import Preprocessor
from markdown.util import STX, AtomicString

from qlabbook.markdown.context import EssayContext
from qlabbook.markdown.extensions.fences import closes, opening_fence
from qlabbook.markdown.formulas import Display, FormulaError, placeholder, tex_to_mathml

WHITE_SPACE = " \t\n"
# The environments pandoc passes to MathJax as display math when written without dollars.
MATH_ENVIRONMENTS = ("equation", "align", "aligned", "gather", "gathered", "multline",
                     "alignat", "eqnarray", "split", "flalign")
ENVIRONMENT_BEGIN = re.compile(
    r"^ {0,3}\\begin\{(?P<name>(?:" + "|".join(MATH_ENVIRONMENTS) + r")\*?)\}[ \t]*$")
BLANK_LINE = re.compile(r"\n[ \t]*\n")


@lru_cache(maxsize=8)
def closing_braces(text: str) -> dict[int, int]:
    """Each `{` of `text` -> the index after its matching `}` (a backslash escapes the
    character after it), found in one pass: scanning from every `{` again would take time
    quadratic in a paragraph of unclosed `\\text{`."""
    matches, open_at, index = {}, [], 0
    while index < len(text):
        char = text[index]
        if char == "\\":
            index += 1
        elif char == "{":
            open_at.append(index)
        elif char == "}" and open_at:
            matches[open_at.pop()] = index + 1
        index += 1
    return matches


def balanced_group(text: str, index: int) -> int | None:
    """The index after the braced group opening at `index`, or None when there is none."""
    return closing_braces(text).get(index) if text[index:index + 1] == "{" else None


def inline_end(text: str, start: int) -> int | None:
    """Where the closing `$` of inline math whose TeX starts at `start` is, or None."""
    if start >= len(text) or text[start].isspace():
        return None
    index = start
    while index < len(text):
        char = text[index]
        if char == "$" and index > start:
            return None if text[index + 1:index + 2].isdigit() else index
        if char in WHITE_SPACE:
            while index < len(text) and text[index] in WHITE_SPACE:
                index += 1
            if text[index:index + 1] == "$":  # no space before the closing dollar
                return None
        elif char == "\\":
            # `\text{...}` may hold dollars; any other backslash escapes one character.
            group = balanced_group(text, index + 5) if text.startswith("text", index + 1) \
                else None
            index = group if group is not None else index + 2
        else:
            index += 1
    return None


def display_end(text: str, start: int) -> int | None:
    """Where the closing `$$` of display math whose TeX starts at `start` is, or None: the
    first `$$` after at least one character, with no blank line before it."""
    end = text.find("$$", start + 1)
    if end < 0 or BLANK_LINE.search(text[start:end]):
        return None
    return end


def escaped(text: str, index: int) -> bool:
    """Whether the character at `index` follows an odd run of backslashes."""
    before = index
    while before > 0 and text[before - 1] == "\\":
        before -= 1
    return (index - before) % 2 == 1


class DollarMathProcessor(InlineProcessor):
    def __init__(self, md: Markdown, extension: FormulaExtension) -> None:
        super().__init__(r"\$", md)
        self.extension = extension

    def handleMatch(  # noqa: N802
            self, m: re.Match[str], data: str) -> tuple[ET.Element | None, int | None, int | None]:
        start = m.start(0)
        if escaped(data, start):
            return None, None, None
        # `$$` opens display math; when it has no closing `$$`, the first dollar is a dollar
        # and the second may open inline math (the next match), as in pandoc.
        display = data.startswith("$$", start)
        width = 2 if display else 1
        end = (display_end if display else inline_end)(data, start + width)
        if end is None:
            return None, None, None
        tex = data[start + width:end]
        if STX in tex:  # a code span or raw HTML Python-Markdown already took: not math
            return None, None, None
        return self.formula(tex.strip(), "block" if display else "inline",
                            data[start:end + width]), start, end + width

    def formula(self, tex: str, display: Display, source: str) -> ET.Element:
        try:
            tex_to_mathml(tex, display)
        except FormulaError as error:
            delimiter = "$$" if display == "block" else "$"
            lines = tex.split("\n")
            shown = delimiter + lines[0] + (" …" if len(lines) > 1 else "") + delimiter
            self.extension.warn(
                "M402", f"formula {shown} cannot be converted ({error}): its TeX is printed "
                "as code", source if len(lines) == 1 else lines[0])
            code = ET.Element("code", {"class": "math-source"})
            code.text = AtomicString(source)
            return code
        return placeholder(AtomicString(tex), display)


class EnvironmentPreprocessor(Preprocessor):
    """Math environments on lines of their own become `$$`-delimited display math (not
    inside code fences, nor where dollars already surround them)."""

    def run(self, lines: list[str]) -> list[str]:
        fence, index = "", 0
        while index < len(lines):
            line = lines[index]
            if fence:
                fence = "" if closes(line, fence) else fence
            elif (found := opening_fence(line)) is not None:
                fence = found.group("fence")
            elif (begin := ENVIRONMENT_BEGIN.match(line)) is not None:
                index = self.wrap(lines, index, begin.group("name"))
            index += 1
        return lines

    @staticmethod
    def wrap(lines: list[str], start: int, name: str) -> int:
        """Put `$$` around the environment opening at `start`; the index of its last line."""
        end_line = "\\end{" + name + "}"
        end = next((i for i in range(start + 1, len(lines)) if lines[i].strip() == end_line
                    or not lines[i].strip()), None)
        if end is None or not lines[end].strip():  # never closed, or a blank line first
            return start
        before = lines[start - 1].rstrip() if start else ""
        after = lines[end + 1].lstrip() if end + 1 < len(lines) else ""
        if before.endswith("$") or after.startswith("$"):  # already between dollars
            return end
        lines[start] = lines[start].replace("\\begin", "$$\\begin", 1)
        lines[end] = lines[end].rstrip() + "$$"
        return end


class FormulaExtension(Extension):
    """Dollar math; `begin` names the essay whose problems it reports."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.context: EssayContext | None = None
        self.reported: dict[str, int] = {}  # needle -> warnings given for it in this essay

    def begin(self, context: EssayContext) -> None:
        self.context, self.reported = context, {}

    def warn(self, code: str, message: str, needle: str) -> None:
        """A warning at the line of this needle's next occurrence: the same bad formula
        written twice is reported at both its lines."""
        if self.context is None:  # converting outside an essay: nobody to tell
            return
        occurrence = self.reported.get(needle, 0)
        self.reported[needle] = occurrence + 1
        context = self.context
        context.diagnostics.warning(code, message, context.source.path,
                                    context.line_of_occurrence(needle, occurrence))

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802
        md.registerExtension(self)
        md.ESCAPED_CHARS = [*md.ESCAPED_CHARS, "$"]  # `\$` is a dollar sign, never math
        # Below code spans (190), so `$` in code is code; above escapes (180), so TeX keeps
        # its backslashes; above links, notes, emphasis and smart quotes, which the
        # placeholder's atomic text keeps out.
        md.inlinePatterns.register(DollarMathProcessor(md, self), "qlab_dollar_math", 185)
        # After fences are stashed (31) and white space normalised (30), before notes (24).
        md.preprocessors.register(EnvironmentPreprocessor(md), "qlab_math_environments", 29)
