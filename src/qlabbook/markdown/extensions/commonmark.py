"""Block structure as CommonMark defines it, on Python-Markdown's block parser.

Replaces Python-Markdown's list, quotation, fenced-code, heading and rule readers (and its
four-space list continuation) with the processors of `containers`, `fences` and `headings`;
everything else (indented code, tables, definitions, raw HTML, inlines) stays
Python-Markdown's.
"""

from __future__ import annotations

from typing import ClassVar

from markdown import Extension, Markdown
from markdown.extensions.def_list import DefListIndentProcessor
from markdown.inlinepatterns import SubstituteTagInlineProcessor

from qlabbook.markdown.extensions.containers import (
    ExampleReferenceProcessor,
    Examples,
    InterruptProcessor,
    ListProcessor,
    QuoteProcessor,
    Reading,
)
from qlabbook.markdown.extensions.fences import (
    ExactCodePrettifier,
    FenceBlockProcessor,
    FencePreprocessor,
    IndentedCodeProcessor,
    UnclosedFence,
    WhitespaceNormaliser,
)
from qlabbook.markdown.extensions.headings import (
    AtxHeadingProcessor,
    SetextHeadingProcessor,
    ThematicBreakProcessor,
)


class DefinitionIndentProcessor(DefListIndentProcessor):
    """Four-space continuation of definitions only: list items take their own content."""

    ITEM_TYPES: ClassVar[list[str]] = ["dd"]
    LIST_TYPES: ClassVar[list[str]] = ["dl"]

# CommonMark lets a backslash escape any ASCII punctuation (Python-Markdown: 16 of them).
# `$` is left to the math extension, which decides what `\$` means.
ESCAPABLE = "!\"#%&'()*+,-./:;<=>?@[\\]^_`{|}~"
# A backslash at the end of a line is a hard line break (CommonMark; pandoc's
# escaped_line_breaks), which Python-Markdown leaves as a backslash in the text.
BACKSLASH_BREAK = r"\\\n"


class CommonMarkBlocksExtension(Extension):
    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.unclosed: list[UnclosedFence] = []  # of the text converted last
        self.examples = Examples()  # numbered across the essay's example lists
        self.reading = Reading()  # CommonMark's or pandoc's, set per essay (begin)

    def begin(self, pandoc: bool) -> None:
        """Read the next essay as pandoc reads Markdown, or as CommonMark."""
        self.reading.pandoc, self.reading.items = pandoc, 0

    def reset(self) -> None:
        self.unclosed.clear()
        self.examples.reset()

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802
        md.registerExtension(self)
        md.ESCAPED_CHARS.extend(c for c in ESCAPABLE if c not in md.ESCAPED_CHARS)
        # Below code spans (190), which keep their text, and backslash escapes (180), so
        # an escaped backslash at the end of a line is a backslash.
        md.inlinePatterns.register(SubstituteTagInlineProcessor(BACKSLASH_BREAK, "br"),
                                   "backslash_linebreak", 175)
        # Above citations, which would read `@label` in `(@label)` as a key.
        md.inlinePatterns.register(ExampleReferenceProcessor(md, self.examples),
                                   "qlab_example_reference", 174)
        # Before white space is normalised (30), note definitions (24) and raw HTML (20).
        md.preprocessors.register(FencePreprocessor(md, self.unclosed), "fenced_code_block", 31)
        md.preprocessors.register(WhitespaceNormaliser(md), "normalize_whitespace", 30)
        blocks = md.parser.blockprocessors
        for name in ("indent", "olist", "ulist"):
            if name in blocks:
                blocks.deregister(name)
        if "defindent" in blocks:
            blocks.register(DefinitionIndentProcessor(md.parser), "defindent", 85)
        # A fence opens with at most three spaces, so indented code (80) never sees one;
        # lists come below tables (75), above headings (70, 60) and thematic breaks (50).
        blocks.register(FenceBlockProcessor(md, self.unclosed), "qlab_fence", 82)
        blocks.register(IndentedCodeProcessor(md.parser), "code", 80)
        blocks.register(ListProcessor(md, self.examples, self.reading), "qlab_list", 74)
        blocks.register(AtxHeadingProcessor(md, self.reading), "hashheader", 70)
        blocks.register(SetextHeadingProcessor(md), "setextheader", 60)
        blocks.register(ThematicBreakProcessor(md.parser, self.reading), "hr", 50)
        # Above setext headings (60): `> foo` over `---` is a quotation, then a rule.
        blocks.register(QuoteProcessor(md, self.reading), "quote", 65)
        blocks.register(InterruptProcessor(md, self.reading), "qlab_interrupt", 12)
        md.treeprocessors.register(ExactCodePrettifier(md), "prettify", 10)


def unclosed_fences(md: Markdown) -> list[UnclosedFence]:
    """The fences of the last conversion that were never closed."""
    return [fence for extension in md.registeredExtensions
            if isinstance(extension, CommonMarkBlocksExtension)
            for fence in extension.unclosed]
