"""Formulas in print: WeasyPrint draws no MathML, so each formula is drawn as an inline SVG
by ziamath, in the STIX Two Math outlines ziamath ships (paths, not text: no font of the
machine is involved), sized in em so it follows the text around it."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from functools import lru_cache

from qlabbook.markdown.formulas import Display, Formula, as_source, expand_formulas, prepared
from qlabbook.markdown.markup import NOTE_BLOCK_PREFIX

# ziamath lays formulas out at this size; the SVG is then scaled to the text's em.
LAYOUT_SIZE = 20.0
# The SVG's blank margin around the ink, in layout units (ziamath's default is 1).
MARGIN = 0.5
TAG = re.compile(r"\\tag\*?\{([^{}]*)\}")


def em(value: float) -> str:
    return f"{value / LAYOUT_SIZE:.4f}".rstrip("0").rstrip(".") + "em"


@lru_cache(maxsize=4096)
def formula_svg(tex: str, display: Display) -> str | None:
    """An `<svg>` drawing `tex` on the text's baseline with its TeX as title (the tagged
    PDF's alternate text), or None when ziamath cannot draw it."""
    from ziamath.config import config
    from ziamath.zmath import Latex

    config.svg2 = False  # plain paths: no <symbol> ids to clash within one document
    # \tag would make ziamath set a page-wide box with the number at its right: set it after.
    source = TAG.sub(r"\\qquad(\1)", prepared(tex))
    try:
        math = Latex(source, size=LAYOUT_SIZE, inline=display == "inline",
                             color="currentColor", margin=MARGIN)
        svg = math.svgxml()
    # ziamath lays out MathML it was not written for with asserts and lookups that fail.
    except Exception:  # whatever fails, the formula is printed as its TeX
        return None
    width, height = float(svg.get("width", "0")), float(svg.get("height", "0"))
    top = float(svg.get("viewBox", "0 0 0 0").split()[1])
    depth = top + height  # the part below the baseline (y = 0)
    for name in ("width", "height"):
        svg.attrib.pop(name)
    svg.set("class", "math" if display == "inline" else "math math-block")
    svg.set("style", f"width: {em(width)}; height: {em(height)}; "
                     f"vertical-align: -{em(depth)}")
    title = ET.Element("title")
    title.text = " ".join(tex.split())
    svg.insert(0, title)
    return ET.tostring(svg, encoding="unicode")


# A block's opening tag right before a placeholder: the formula starts its block.
BLOCK_START = re.compile(r'<(?:p|li|dd|dt|td|th|blockquote|div|'
                         rf'span class="{NOTE_BLOCK_PREFIX}\w+")\b[^<>]*>\s*$')


def with_formulas(html_text: str) -> str:
    """The print HTML with an SVG for every formula placeholder: inline ones on the
    baseline, display ones centred on a line of their own. One that cannot be drawn keeps
    its TeX, as code (the Markdown stage has warned of any it could not convert)."""

    def drawn(formula: Formula) -> str:
        svg = formula_svg(formula.tex, formula.display)
        if svg is None:
            return as_source(formula)
        if formula.display == "inline":
            return svg
        if BLOCK_START.search(formula.before):
            return f'<span class="math-display">{svg}</span>'
        # After text in the same paragraph: a forced break ends that text's line (unjustified)
        # and a full-width inline block holds the formula, so the text after it goes on in
        # the same block, unindented (a block here would make the rest a new, indented one).
        return f'<br class="math-break" /><span class="math-display math-inline-block">{svg}</span>'

    return expand_formulas(html_text, drawn)
