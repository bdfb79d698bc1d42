"""Code blocks: one span per source line, and Pygments highlighting where a language is named.

Works on the HTML every code block ends as, `<pre><code class="language-x">`, whichever
extension found the fence (or the indented block), so it does not depend on how fences are
parsed. Highlighting writes classes only (`<span class="k">`): the stylesheets colour them, and
the sanitizer keeps class attributes. The line spans let the print stylesheet hang and mark
a line that wraps.
"""

from __future__ import annotations

import html
import re

from markdown import Extension, Markdown
from markdown.postprocessors import Postprocessor

# A code block holding text only (a raw HTML block with elements inside is left alone).
CODE_BLOCK = re.compile(r"(<pre\b[^>]*>)<code\b([^>]*)>([^<]*)</code>(</pre>)")
LANGUAGE = re.compile(r'\bclass="(?:[^"]*\s)?language-([\w#+.-]+)')
HIGHLIGHT_CLASS = "highlight"


def highlighted_lines(code: str, language: str | None) -> list[list[tuple[str, str]]] | None:
    """The code's lines as (Pygments short class, text) runs, or None when no lexer knows
    the language. The runs hold every character of the code, newlines excepted."""
    from pygments.lexers import get_lexer_by_name
    from pygments.token import STANDARD_TYPES
    from pygments.util import ClassNotFound

    if not language:
        return None
    try:
        lexer = get_lexer_by_name(language, stripnl=False, ensurenl=False)
    except ClassNotFound:
        return None
    lines: list[list[tuple[str, str]]] = [[]]
    # Lexed with a final newline: some lexers (shell sessions) drop a last line without one.
    for token, value in lexer.get_tokens(code + "\n"):
        while token not in STANDARD_TYPES and token.parent is not None:
            token = token.parent
        name = STANDARD_TYPES.get(token, "")
        name = "" if name == "w" else name  # white space needs no span
        for index, part in enumerate(value.split("\n")):
            if index:
                lines.append([])
            if part and lines[-1] and lines[-1][-1][0] == name:
                lines[-1][-1] = (name, lines[-1][-1][1] + part)  # one span per run
            elif part:
                lines[-1].append((name, part))
    if lines[-1] == []:
        lines.pop()  # the final newline's empty line
    if "\n".join("".join(text for _, text in line) for line in lines) != code:
        return None  # the lexer changed the text (tabs, line ends): show it as it is
    return lines


def render_lines(code: str, language: str | None) -> tuple[str, bool]:
    """The block's content as line spans, and whether it was highlighted."""
    ends_with_newline = code.endswith("\n")
    body = code[:-1] if ends_with_newline else code
    runs = highlighted_lines(body, language)
    if runs is None:
        runs = [[("", line)] for line in body.split("\n")]
    spans = []
    for line in runs:
        text = "".join(f'<span class="{name}">{html.escape(part, quote=False)}</span>'
                       if name else html.escape(part, quote=False) for name, part in line)
        spans.append(f'<span class="line">{text}\n</span>')
    return "".join(spans), any(name for line in runs for name, _ in line)


def replace_block(match: re.Match[str]) -> str:
    pre, attributes, escaped, end = match.groups()
    found = LANGUAGE.search(attributes)
    content, highlighted = render_lines(html.unescape(escaped), found and found.group(1))
    if highlighted:
        attributes = re.sub(r'\bclass="', f'class="{HIGHLIGHT_CLASS} ', attributes, count=1)
    return f"{pre}<code{attributes}>{content}</code>{end}"


class CodeBlockPostprocessor(Postprocessor):
    def run(self, text: str) -> str:
        return CODE_BLOCK.sub(replace_block, text)


class CodeExtension(Extension):
    """Line spans and highlighting for every code block, in the body and in notes."""

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 - Python-Markdown's name
        # After the raw HTML postprocessor (30) has put the stashed fenced blocks back.
        md.postprocessors.register(CodeBlockPostprocessor(md), "qlab-code", 25)
