"""Math: which dollars are formulas (pandoc's rules), the placeholders the sanitizer keeps,
MathML for the EPUB, SVG for print, and the warning for a formula that cannot be converted."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from qlabbook.epub.formulas import has_mathml
from qlabbook.markdown.formulas import FormulaError, formulas_in, tex_to_mathml, with_mathml
from qlabbook.markdown.units import unit_text
from qlabbook.source.model import Essay
from qlabbook.typeset.formulas import with_formulas
from unit.test_convert import convert, source

MATHML = "{http://www.w3.org/1998/Math/MathML}"
SVG = "{http://www.w3.org/2000/svg}"


def essay_of(tmp_path: Path, body: str) -> Essay:
    [essay], _ = convert(tmp_path, source(body))
    return essay


def text_of(fragment: str) -> str:
    """The fragment's text with placeholders shown as [inline:TeX] / [block:TeX]."""
    marked = re.sub(r'<qlab-math display="(\w+)">([^<]*)</qlab-math>', r"[\1:\2]", fragment)
    return html.unescape(re.sub(r"<[^>]+>", "", marked))


# -- which dollars are math ------------------------------------------------------------------

@pytest.mark.parametrize(("markdown", "text"), [
    ("Euler: $e^{i\\pi}+1=0$.", "Euler: [inline:e^{i\\pi}+1=0]."),
    # Money: no closing dollar with a non-space before it, or a digit right after it.
    ("It costs $5 and $10 today.", "It costs $5 and $10 today."),
    ("Thus $20,000 and $30,000 won't parse.", "Thus $20,000 and $30,000 won’t parse."),
    ("Fees: $1,000-$2,000.", "Fees: $1,000-$2,000."),
    ("$x$5 is not math", "$x$5 is not math"),
    # Space inside either dollar.
    ("$ x$ and $x $ are text", "$ x$ and $x $ are text"),
    # An escaped dollar is a dollar; an escaped backslash is not an escaped dollar.
    ("An escaped \\$x$ dollar.", "An escaped $x$ dollar."),
    ("A backslash \\\\$x$ then math.", "A backslash \\[inline:x] then math."),
    ("Inside math $a\\$b$ too.", "Inside math [inline:a\\$b] too."),
    # Code spans are code.
    ("Shell `$HOME` and `$x$`, math $y$.", "Shell $HOME and $x$, math [inline:y]."),
    # Display math inside a paragraph and across its lines.
    ("Then $$a + b$$ inline.", "Then [block:a + b] inline."),
    ("Lines\n$$\n\\int_0^1 x\\,dx\n= \\frac12\n$$\nend.",
     "Lines\n[block:\\int_0^1 x\\,dx\n= \\frac12]\nend."),
    # `\text{...}` may hold a dollar; a `$$` with no closing `$$` leaves a dollar, then math.
    ("Say $\\text{a $ b}$.", "Say [inline:\\text{a $ b}]."),
    ("a $$b$ c", "a $[inline:b] c"),
    ("$a$$b$ and $x$-th", "[inline:a][inline:b] and [inline:x]-th"),
])
def test_dollars_are_math_by_pandocs_rules(tmp_path: Path, markdown: str, text: str) -> None:
    essay = essay_of(tmp_path, markdown)
    assert text_of(essay.body_html).strip() == text


def test_math_is_protected_from_emphasis_smart_punctuation_and_links(tmp_path: Path) -> None:
    essay = essay_of(tmp_path, 'A *b* "c" -- $a_1 * b_2 "q" -- [x](y) x_i$ and *d*.')
    assert essay.body_html == (
        '<p id="e1-p1">A <em>b</em> “c” – <qlab-math display="inline">'
        'a_1 * b_2 "q" -- [x](y) x_i</qlab-math> and <em>d</em>.</p>')


def test_code_blocks_keep_their_dollars(tmp_path: Path) -> None:
    essay = essay_of(tmp_path, "```\necho $HOME $x$\n```\n\n    indented $y$\n")
    assert "qlab-math" not in essay.body_html
    assert "echo $HOME $x$" in essay.body_html and "indented $y$" in essay.body_html


def test_math_in_headings_lists_quotes_and_notes(tmp_path: Path) -> None:
    essay = essay_of(tmp_path, "## The $x^2$ rule\n\n- item $a$\n\n> quoted $b$\n\n"
                     "Called.[^1]\n\n[^1]: A note with $c_1$.\n")
    assert text_of(essay.body_html).split() == [
        "The", "[inline:x^2]", "rule", "item", "[inline:a]", "quoted", "[inline:b]", "Called."]
    assert essay.footnotes[0].html == \
        '<p>A note with <qlab-math display="inline">c_1</qlab-math>.</p>'


# -- the sanitizer ---------------------------------------------------------------------------

def test_raw_math_and_svg_are_still_removed_while_formulas_survive(tmp_path: Path) -> None:
    body = ("Text $x$.\n\n<math><mi>y</mi></math>\n\n<p>An <svg><circle r='1'/></svg> icon "
            '<qlab-math display="wrong">z</qlab-math>.</p>\n')
    [essay], diagnostics = convert(tmp_path, source(body))
    assert formulas_in(essay.body_html) == [("x", "inline")]
    assert "<math" not in essay.body_html and "<svg" not in essay.body_html
    assert "An  icon z." in text_of(essay.body_html)
    assert [d.format() for d in diagnostics.items] == [
        "essays/01-a.md:7: warning: removed <math> element and its content [M301]",
        "essays/01-a.md:9: warning: removed <svg> element and its content [M301]",
        "essays/01-a.md:9: warning: removed <qlab-math> tag (its text is kept) [M301]",
    ]


# -- a formula that cannot be converted ------------------------------------------------------

def test_a_formula_that_cannot_be_converted_is_code_with_a_located_warning(
        tmp_path: Path) -> None:
    body = ("First line.\n\nSee $\\frac{a}$ and\n$x_$ here.\n\n"
            "$$\n\\begin{foo} a\n\\end{foo}\n$$\n\nAgain $\\frac{a}$.\n")
    [essay], diagnostics = convert(tmp_path, source(body))
    assert [d.format() for d in diagnostics.items] == [
        "essays/01-a.md:7: warning: formula $\\frac{a}$ cannot be converted (a command is "
        "missing an argument): its TeX is printed as code [M402]",
        "essays/01-a.md:8: warning: formula $x_$ cannot be converted (a ^ or _ has nothing "
        "after it): its TeX is printed as code [M402]",
        "essays/01-a.md:11: warning: formula $$\\begin{foo} a …$$ cannot be converted "
        "(unknown environment foo): its TeX is printed as code [M402]",
        "essays/01-a.md:15: warning: formula $\\frac{a}$ cannot be converted (a command is "
        "missing an argument): its TeX is printed as code [M402]",
    ]
    assert '<code class="math-source">$\\frac{a}$</code>' in essay.body_html
    assert '<code class="math-source">$x_$</code>' in essay.body_html
    assert "qlab-math" not in essay.body_html


@pytest.mark.parametrize(("tex", "reason"), [
    ("\\frac{a}", "a command is missing an argument"),
    ("x^", "a ^ or _ has nothing after it"),
    ("\\foo x", "unknown command \\foo"),
    ("a & b", "'&' outside an alignment or array environment"),
    ("{x}}", "a '}' closes no '{'"),
    ("{x", "a '{' is never closed"),
    ("\\left( x", "a \\left has no \\right"),
    ("\\begin{matrix} a \\end{pmatrix}", "a \\begin has no matching \\end"),
    ("\\begin{matrix}\\end{matrix}", "an empty matrix or alignment"),
    ("\\frac", "a command is missing an argument"),
])
def test_tex_that_cannot_become_valid_mathml(tex: str, reason: str) -> None:
    with pytest.raises(FormulaError, match=re.escape(reason)):
        tex_to_mathml(tex, "inline")


# -- MathML for the EPUB ---------------------------------------------------------------------

def test_mathml_carries_the_tex_as_alttext_and_the_display_mode() -> None:
    math = ET.fromstring(tex_to_mathml("\\frac{a}{b} < c", "block"))
    assert math.tag == f"{MATHML}math"
    assert math.get("display") == "block"
    assert math.get("alttext") == "\\frac{a}{b} < c"
    assert [e.tag.removeprefix(MATHML) for e in math.iter()][:4] == ["math", "mrow", "mfrac",
                                                                     "mrow"]


def test_epub_documents_get_mathml_for_each_placeholder() -> None:
    xhtml = ('<p>A <qlab-math display="inline">x &lt; y</qlab-math> and '
             '<qlab-math display="block">\\foo</qlab-math>.</p>')
    converted = with_mathml(xhtml)
    assert has_mathml(converted) and not has_mathml(xhtml)
    root = ET.fromstring(converted)
    [math] = root.iter(f"{MATHML}math")
    assert math.get("alttext") == "x < y"
    # Raw HTML imitating a placeholder, with TeX that cannot be converted: shown as code.
    assert root.find("code").text == "$$\\foo$$"  # type: ignore[union-attr]


# -- SVG for print ---------------------------------------------------------------------------

def test_print_draws_formulas_as_svg_sized_in_em_with_the_tex_as_title() -> None:
    printed = with_formulas('<p>A <qlab-math display="inline">x^2</qlab-math> and</p>'
                            '<p><qlab-math display="block">\\sum_i i</qlab-math></p>')
    root = ET.fromstring(f"<div>{printed}</div>")
    inline, block = root.iter(f"{SVG}svg")
    assert inline.find(f"{SVG}title").text == "x^2"  # type: ignore[union-attr]
    assert re.fullmatch(r"width: [\d.]+em; height: [\d.]+em; vertical-align: -[\d.]+em",
                        inline.get("style", ""))
    assert inline.get("class") == "math"
    # Glyphs are outlines: no text, no font, no ids that could clash or change.
    assert inline.findall(f".//{SVG}path") and not inline.findall(f".//{SVG}text")
    assert "id=" not in printed
    assert root[1][0].tag == "span" and root[1][0].get("class") == "math-display"
    assert block.get("class") == "math math-block"
    assert with_formulas(printed) == printed  # nothing left to replace
    again = with_formulas('<p>A <qlab-math display="inline">x^2</qlab-math> and</p>')
    assert again == printed[:len(again)]  # the same drawing every time


def test_a_formula_print_cannot_draw_keeps_its_tex() -> None:
    assert with_formulas('<p><qlab-math display="inline">\\frac{a</qlab-math></p>') == \
        '<p><code class="math-source">$\\frac{a$</code></p>'


# -- page counting ---------------------------------------------------------------------------

def test_formulas_count_no_text_on_a_page() -> None:
    epub = ET.fromstring('<p>a <qlab-math display="inline">xyz</qlab-math> b</p>')
    printed = ET.fromstring('<p>a <svg xmlns="http://www.w3.org/2000/svg"><title>xyz</title>'
                            '</svg> b</p>')
    assert unit_text(epub, lambda e: False) == unit_text(printed, lambda e: False) == "ab"


def test_display_math_after_text_breaks_the_line_and_lets_the_text_go_on() -> None:
    own = with_formulas('<p><qlab-math display="block">x</qlab-math></p>')
    after_text = with_formulas('<p>Before <qlab-math display="block">x</qlab-math> after</p>')
    assert own.startswith('<p><span class="math-display"><svg ')
    # A forced break ends the line before (not justified); a full-width inline block keeps
    # the text after it in the paragraph's block, so print does not indent it again.
    assert after_text.startswith('<p>Before <br class="math-break" />'
                                 '<span class="math-display math-inline-block"><svg ')
    assert after_text.endswith("</svg></span> after</p>")


def test_the_glyph_check_leaves_formulas_to_ziamath() -> None:
    from qlabbook.typeset.glyphs import xhtml_text

    assert xhtml_text('<p>a <qlab-math display="inline">ℵ_0</qlab-math> b</p>') == ("a  b", "")


def test_a_placeholder_s_display_mode_is_one_of_the_two_the_formats_set() -> None:
    from typing import get_args

    from qlabbook.markdown.formulas import Display, display_of, placeholder

    assert get_args(Display) == ("inline", "block")
    for display in get_args(Display):
        written = ET.tostring(placeholder("x^2", display), encoding="unicode")
        assert formulas_in(written) == [("x^2", display)]
        assert display_of(display) == display


@pytest.mark.parametrize("tex", [r"\begin{align} x = y \end{align}",
                                 r"\begin{align*} x = y \end{align*}"])
def test_an_alignment_of_one_column_has_no_empty_spacing(tex: str) -> None:
    """MathML's schema has no empty `columnspacing` (EPUBCheck RSC-005, seen in a Quarto
    blog's `align` of one equation): none is written, and the default spacing holds."""
    table = next(e for e in ET.fromstring(tex_to_mathml(tex, "block")).iter()
                 if e.tag.endswith("mtable"))
    assert all(value for value in table.attrib.values())
    assert "columnspacing" not in table.attrib and table.get("rowspacing") == "3pt"
