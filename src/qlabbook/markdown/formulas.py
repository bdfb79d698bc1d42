"""Formulas: TeX to MathML (latex2mathml), checked, and the neutral placeholder the formats
replace, `<qlab-math display="inline">TeX</qlab-math>` (MathML in the EPUB, SVG in print)."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

PLACEHOLDER_TAG = "qlab-math"
# The placeholder as serialize_children and ElementTree write it (its text XML-escaped).
PLACEHOLDER = re.compile(r'<qlab-math display="(inline|block)">([^<]*)</qlab-math>')
# Children each MathML element must have (latex2mathml leaves some short on bad input).
ARITY = {"mfrac": 2, "msub": 2, "msup": 2, "msubsup": 3, "mroot": 2, "munder": 2,
         "mover": 2, "munderover": 3}


# Environments latex2mathml drops while keeping their content, which is what they mean here.
CONTENT_ENVIRONMENTS = {"equation", "equation*", "gather", "gather*", "gathered", "multline",
                        "multline*"}
BEGIN = re.compile(r"\\begin\{([^{}]*)\}")
# latex2mathml writes `columnspacing=""` for an alignment of one column, which MathML's
# schema refuses (EPUBCheck RSC-005); without it the spacing is the default, as meant.
EMPTY_SPACING = re.compile(r' (?:columnspacing|rowspacing)=""')


class FormulaError(Exception):
    """TeX that cannot become valid MathML; the message says why, for the author."""


# How a formula is set: in the line of text, or as a block of its own.
Display = Literal["inline", "block"]


def display_of(written: str) -> Display:
    """The display mode a placeholder's attribute names (PLACEHOLDER matches only these)."""
    return "block" if written == "block" else "inline"


def placeholder(tex: str, display: Display) -> ET.Element:
    element = ET.Element(PLACEHOLDER_TAG, {"display": display})
    element.text = tex
    return element


@dataclass(frozen=True)
class Formula:
    """A formula placeholder as a format meets it in a document."""

    tex: str
    written: str  # its TeX as the XHTML holds it (escaped), for showing it as code
    display: Display
    before: str  # the document's text just before it, to tell whether it opens a block


# How much of the text before a formula its Formula holds.
BEFORE = 200


def expand_formulas(xhtml: str, render: Callable[[Formula], str]) -> str:
    """A document with each placeholder replaced by what a format makes of it (MathML,
    SVG): one walk for every format, each giving its own rule, as for note calls."""
    def replace(match: re.Match[str]) -> str:
        display, written = display_of(match.group(1)), match.group(2)
        return render(Formula(html.unescape(written), written, display,
                              xhtml[max(0, match.start() - BEFORE):match.start()]))

    return PLACEHOLDER.sub(replace, xhtml)


def as_source(formula: Formula) -> str:
    """A formula that cannot be shown, as the TeX it was written in."""
    delimiter = "$" if formula.display == "inline" else "$$"
    return f'<code class="math-source">{delimiter}{formula.written}{delimiter}</code>'


def count_formulas(html_text: str) -> int:
    return len(PLACEHOLDER.findall(html_text))


def formulas_in(html_text: str) -> list[tuple[str, Display]]:
    """(TeX, display) of each placeholder in serialized XHTML, in order."""
    return [(html.unescape(tex), display_of(display))
            for display, tex in PLACEHOLDER.findall(html_text)]


def prepared(tex: str) -> str:
    """TeX as latex2mathml reads it best: `aligned` is its `align*` (ziamath does the same)."""
    return tex.replace(r"\begin{aligned}", r"\begin{align*}") \
        .replace(r"\end{aligned}", r"\end{align*}")


@lru_cache(maxsize=4096)
def tex_to_mathml(tex: str, display: Display = "inline") -> str:
    """A MathML `<math>` element for `tex`, its TeX as alttext for assistive technology.
    Raises FormulaError when latex2mathml cannot convert it or makes invalid MathML of it."""
    import latex2mathml.converter

    check_braces(tex)
    check_environments(tex)
    try:
        mathml = latex2mathml.converter.convert(prepared(tex), display=display)
    # The converter's own errors, and whatever its parser raises on input it does not
    # foresee; qlabbook's own (the conversion's time limit) pass through.
    except Exception as error:
        if type(error).__module__.startswith("qlabbook"):
            raise
        raise FormulaError(reason(error)) from None
    check_mathml(mathml)
    mathml = EMPTY_SPACING.sub("", mathml)
    alt = html.escape(" ".join(tex.split()), quote=True)
    return mathml.replace("<math ", f'<math alttext="{alt}" ', 1)


# latex2mathml's errors, said for an author.
REASONS = {
    "NoAvailableTokensError": "a command is missing an argument",
    "MissingSuperScriptOrSubscriptError": "a ^ or _ has nothing after it",
    "ExtraLeftOrMissingRightError": "a \\left has no \\right",
    "MissingEndError": "a \\begin has no matching \\end",
    "NumeratorNotFoundError": "a fraction has no numerator",
    "DenominatorNotFoundError": "a fraction has no denominator",
    "DoubleSubscriptsError": "a double subscript",
    "DoubleSuperscriptsError": "a double superscript",
    "LimitsMustFollowMathOperatorError": "\\limits follows no operator",
    "InvalidAlignmentError": "an invalid column alignment",
    "InvalidWidthError": "an invalid width",
    "InvalidStyleForGenfracError": "an invalid \\genfrac style",
}


def reason(error: Exception) -> str:
    return REASONS.get(type(error).__name__, "the converter cannot read it")


def check_braces(tex: str) -> None:
    depth = 0
    for token in re.findall(r"\\.|[{}]", tex, re.DOTALL):
        depth += {"{": 1, "}": -1}.get(token, 0)
        if depth < 0:
            raise FormulaError("a '}' closes no '{'")
    if depth:
        raise FormulaError("a '{' is never closed")


def check_environments(tex: str) -> None:
    import latex2mathml.commands

    known = {name[1:] for name in latex2mathml.commands.MATRICES} | CONTENT_ENVIRONMENTS
    for name in BEGIN.findall(prepared(tex)):
        if name not in known:
            raise FormulaError(f"unknown environment {name}")


def check_mathml(mathml: str) -> None:
    try:
        root = ET.fromstring(mathml)
    except ET.ParseError:
        # latex2mathml writes a bare '&' for an alignment outside an environment.
        raise FormulaError("'&' outside an alignment or array environment") from None
    for element in root.iter():
        tag = element.tag.rpartition("}")[2]
        if tag == "mi" and (element.text or "").startswith("\\"):
            raise FormulaError(f"unknown command {element.text}")
        if tag in ARITY and len(element) != ARITY[tag]:
            raise FormulaError("a command is missing an argument")
        if tag == "mtable" and not any(cell.tag.endswith("mtd") for cell in element.iter()):
            raise FormulaError("an empty matrix or alignment")


def with_mathml(xhtml: str) -> str:
    """The document (EPUB or web page) with MathML for every formula placeholder. One the
    Markdown stage did not write (raw HTML imitating it) and that cannot be converted is
    shown as its TeX."""

    def mathml(formula: Formula) -> str:
        try:
            return tex_to_mathml(formula.tex, formula.display)
        except FormulaError:
            return as_source(formula)

    return expand_formulas(xhtml, mathml)
