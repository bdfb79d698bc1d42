"""Which dollars are math, compared case by case with pandoc's own reading (pandoc is not a
test dependency: its answers are kept below). A formula qlabbook recognises but cannot
convert counts as recognised: it is printed as its TeX, with a warning."""

from __future__ import annotations

import html
import re

import pytest

from qlabbook.markdown.convert import make_markdown

# Generated once with pandoc 3.9 (`pandoc -f markdown -t json`, its Math elements):
# (markdown, [(display, TeX), ...]) with the TeX's white space folded.
PANDOC_CASES: list[tuple[str, list[tuple[str, str]]]] = [
    ('$x$', [('inline', 'x')]),
    ('$5 and $10', []),
    ('$20,000 and $30,000', []),
    ('costs $5, or $6.', []),
    ('$x$5', []),
    ('$x $', []),
    ('$ x$', []),
    ('\\$x$', []),
    ('\\\\$x$', [('inline', 'x')]),
    ('a$b$c', [('inline', 'b')]),
    ('$a$$b$', [('inline', 'a'), ('inline', 'b')]),
    ('$$x$$', [('block', 'x')]),
    ('$$ x $$', [('block', 'x')]),
    ('Inline $$a + b$$ here', [('block', 'a + b')]),
    ('$\\text{a $ b}$', [('inline', '\\text{a $ b}')]),
    ('${a $ b}$', []),
    ('$a\\$b$', [('inline', 'a\\$b')]),
    ('$a\nb$', [('inline', 'a b')]),
    ('$$\nx\n= y\n$$', [('block', 'x = y')]),
    ('`$x$` and $y$', [('inline', 'y')]),
    ('$a_1 * b_2$ and *c*', [('inline', 'a_1 * b_2')]),
    ('"$x$" -- $y$', [('inline', 'x'), ('inline', 'y')]),
    ('$x$, $y$.', [('inline', 'x'), ('inline', 'y')]),
    ('($x$)', [('inline', 'x')]),
    ('$x$-th', [('inline', 'x')]),
    ('$-1$', [('inline', '-1')]),
    ('$5$', [('inline', '5')]),
    ('$$5$$10', [('block', '5')]),
    ('$x^{2}$3', []),
    ('a $x\n$', []),
    ('I have $3 and you $4.', []),
    ('$\\frac{a}{b}$', [('inline', '\\frac{a}{b}')]),
    ('$x % comment $', []),
    ('$$a$b$$', [('block', 'a$b')]),
    ('**$x$**', [('inline', 'x')]),
    ('[$x$](http://a)', [('inline', 'x')]),
    ('$x$$', [('inline', 'x')]),
    ('$$$x$$$', [('block', '$x')]),
    ('$x\ty$', [('inline', 'x y')]),
    ('$x$.$y$', [('inline', 'x'), ('inline', 'y')]),
    ('$a$b', [('inline', 'a')]),
    ('text $$\na\n$$ more', [('block', 'a')]),
    ('$10 and $x$ here', [('inline', 'x')]),
    ('price: $5.00 - $x$', [('inline', 'x')]),
    ('$\\{x\\}$', [('inline', '\\{x\\}')]),
    ('$x}$', [('inline', 'x}')]),
    ('${x$', [('inline', '{x')]),
    ('$$a\n\nb$$', []),
    ('$a\n\nb$', []),
    ('- $x$\n- $$y$$', [('inline', 'x'), ('block', 'y')]),
    ('> $x$ and\n> $$\n> y\n> $$', [('inline', 'x'), ('block', 'y')]),
    ('Use $$ twice $$', [('block', 'twice')]),
    ('a $$b$ c$', [('inline', 'b')]),
    ('$x$$y$', [('inline', 'x'), ('inline', 'y')]),
    ('$$\\text{a $$ b}$$', [('block', '\\text{a')]),
    ('$\\text{a $ b} c$', [('inline', '\\text{a $ b} c')]),
    ('$\\text{a {$} b}$', [('inline', '\\text{a {$} b}')]),
    ('$\\textbf{a $ b}$', []),
    ('$x % c$ y$', [('inline', 'x % c')]),
    ('$\\text{a$', [('inline', '\\text{a')]),
    ('$a\\$$', [('inline', 'a\\$')]),
    ('$$a\\$$b$$', [('block', 'a\\')]),
    ('x $$ y$ z', []),
    ('$$$x$', [('inline', 'x')]),
    ('$$ $x$', [('inline', 'x')]),
    ('$$b$', [('inline', 'b')]),
    ('x$$b$', [('inline', 'b')]),
    ('$\\alpha$ and $$\\beta$$.', [('inline', '\\alpha'), ('block', '\\beta')]),
    ('Fees: $1,000-$2,000.', []),
    ('$a$ $b$', [('inline', 'a'), ('inline', 'b')]),
    ('$x$\\', [('inline', 'x')]),
    ('*a $b* c$*', [('inline', 'b* c')]),
]

FORMULA = re.compile(r'<qlab-math display="(\w+)">([^<]*)</qlab-math>'
                     r'|<code class="math-source">(\$\$?)([^<]*?)\$\$?</code>')


def recognised(markdown: str) -> list[tuple[str, str]]:
    md, _ = make_markdown()
    found = []
    for display, tex, delimiter, failed in FORMULA.findall(md.convert(markdown)):
        mode = display or ("block" if delimiter == "$$" else "inline")
        found.append((mode, " ".join(html.unescape(tex or failed).split())))
    return found


@pytest.mark.parametrize(("markdown", "formulas"), PANDOC_CASES)
def test_dollars_are_read_as_pandoc_reads_them(markdown: str,
                                               formulas: list[tuple[str, str]]) -> None:
    assert recognised(markdown) == formulas
