"""Formulas in the EPUB: each placeholder becomes MathML, its TeX as alttext."""

from __future__ import annotations

import html
import re

from qlabbook.markdown.formulas import PLACEHOLDER, FormulaError, tex_to_mathml


def with_mathml(xhtml: str) -> str:
    """The document with MathML for every formula placeholder. One the Markdown stage did
    not write (raw HTML imitating it) and that cannot be converted is shown as its TeX."""

    def replace(match: re.Match[str]) -> str:
        display, tex = match.group(1), html.unescape(match.group(2))
        try:
            return tex_to_mathml(tex, display)
        except FormulaError:
            delimiter = "$" if display == "inline" else "$$"
            return f'<code class="math-source">{delimiter}{match.group(2)}{delimiter}</code>'

    return PLACEHOLDER.sub(replace, xhtml)


def has_mathml(xhtml: str) -> bool:
    """Whether the package must declare the `mathml` property for this document."""
    return "<math " in xhtml
