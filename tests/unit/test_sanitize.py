"""The raw HTML policy and URL checks on small trees and strings."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from qlabbook.markdown.sanitize import depth, sanitize, valid_url
from qlabbook.markdown.xhtml import parse_fragment, serialize_children
from qlabbook.source.stylesheets import stylesheet_urls


def cleaned(html: str) -> tuple[str, list[tuple[str, str]]]:
    reports: list[tuple[str, str]] = []
    tree = parse_fragment(html)
    sanitize(tree, lambda code, message, needle: reports.append((code, message)))
    return serialize_children(tree), reports


@pytest.mark.parametrize(("html", "expected", "codes"), [
    ('<a href="javascript:alert(1)">x</a>', "<a>x</a>", ["M303"]),
    ('<a href="  JaVa&#x09;ScRiPt:alert(1)">x</a>', "<a>x</a>", ["M303"]),
    ('<a href="vbscript:x">x</a>', "<a>x</a>", ["M303"]),
    ('<img src="data:image/png;base64,AAAA" alt="d">', "<span></span>", ["M303"]),
    ('<a href="https://example.com/a b">x</a>', '<a href="https://example.com/a%20b">x</a>', []),
    ('<a href="notes/a:b.md">x</a>', '<a href="notes/a:b.md">x</a>', []),
    ('<p style="color: red" onclick="x()">t</p>', "<p>t</p>", ["M302", "M302"]),
    ('<ol start="two"><li>a</li></ol>', "<ol><li>a</li></ol>", ["M302"]),
    # Ids are anchors links reach, wherever they are; HTML 4's <a name> is one.
    ('<span id="here">a</span>', '<span id="here">a</span>', []),
    ('<a name="foot1"></a>1: a note', '<a id="foot1"></a>1: a note', []),
    ('<a name="x" id="y">a</a>', '<a id="y">a</a>', []),
    ("<b>bold<h2>heading</h2></b>", "bold<h2>heading</h2>", []),
    ("<li>stray item</li>", "<div>stray item</div>", []),
    ("<p>a&#1;b&#xFFFF;c</p>", "<p>abc</p>", []),
    ("<svg><script>x</script></svg>after", "after", ["M301"]),
    ("<blink>old</blink>", "old", ["M301"]),
])
def test_sanitize(html: str, expected: str, codes: list[str]) -> None:
    output, reports = cleaned(html)
    assert output == expected
    assert [code for code, _ in reports] == codes
    ET.fromstring(f"<div>{output}</div>")  # well-formed


@pytest.mark.parametrize(("url", "expected"), [
    ("https://../", None),
    ("http://a..b/", None),
    ("http://example.com:port/", None),
    ("http://[::1]/x", "http://[::1]/x"),
    ("http://bücher.example/ö", "http://xn--bcher-kva.example/%C3%B6"),
    ("100%", "100%25"),
    ("a.md#one#two", "a.md#one%23two"),
])
def test_valid_url(url: str, expected: str | None) -> None:
    assert valid_url(url) == expected


def test_depth_counts_levels_without_recursion() -> None:
    tree = parse_fragment("<div>" * 3000)
    assert depth(tree) == 3000


def test_stylesheet_urls_decode_escapes_and_find_nested_rules() -> None:
    css = ('@import "http://a/x.css";\n@media print { p { background: url(ht\\74p://b/y) } }\n'
           "@font-face { src: url('fonts/f.otf') }\n")
    assert stylesheet_urls(css) == [(1, "http://a/x.css"), (2, "http://b/y"),
                                    (3, "fonts/f.otf")]
