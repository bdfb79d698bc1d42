"""Block structure as CommonMark reads it, through the essay converter: list nesting by the
content indent, lazy lines, fences, code inside lists, quotations and definitions, quotation
boundaries, ordered-list starts (EPUB and print HTML), headings and rules."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from qlabbook.markdown.convert import convert_collection
from qlabbook.source.diagnostics import Diagnostics
from qlabbook.source.model import Essay, EssaySource, Metadata, Options
from qlabbook.typeset.html import print_body


def essay(tmp_path: Path, body: str) -> tuple[Essay, Diagnostics]:
    diagnostics = Diagnostics()
    source = EssaySource(path=Path("essays/01-a.md"), number=1, slug="01-a", title="A",
                         body=body, body_line=5)
    collection = convert_collection(tmp_path, Metadata(title="T"), Options(), [source],
                                    diagnostics)
    return collection.essays[0], diagnostics


def tree(tmp_path: Path, body: str) -> ET.Element:
    converted, diagnostics = essay(tmp_path, body)
    assert not diagnostics.items, [d.format() for d in diagnostics.items]
    return ET.fromstring(f"<div>{converted.body_html}</div>")


def code_text(code: ET.Element) -> str:
    """A code block's text, without its line and highlighting spans."""
    return "".join(code.itertext())


def language(code: ET.Element) -> str | None:
    """The `language-x` class of a code block (highlighting adds classes of its own)."""
    return next((name for name in (code.get("class") or "").split()
                 if name.startswith("language-")), None)


def shape(element: ET.Element) -> str:
    """The element tree as tags and stripped text, e.g. `ul(li[a](ul(li[b])))`; code as
    its text only."""
    if element.tag == "code":
        return f"code[{code_text(element).strip()}]"
    text = (element.text or "").strip()
    inner = f"[{text}]" if text else ""
    children = "".join(shape(child) for child in element)
    return f"{element.tag}{inner}" + (f"({children})" if children else "")


def test_two_space_nesting_follows_the_content_indent(tmp_path: Path) -> None:
    body = "- a\n  - b\n    - c\n- d\n\n1. one\n   1. sub\n2. two\n"
    assert shape(tree(tmp_path, body)) == \
        "div(ul(li[a](ul(li[b](ul(li[c]))))li[d])ol(li[one](ol(li[sub]))li[two]))"


def test_four_space_nesting_still_nests(tmp_path: Path) -> None:
    assert shape(tree(tmp_path, "- a\n    - b\n- c\n")) == "div(ul(li[a](ul(li[b]))li[c]))"


def test_lazy_continuation_lines_stay_in_their_item_and_quotation(tmp_path: Path) -> None:
    root = tree(tmp_path, "- first line\nlazy line\n- second\n\n> quoted\nlazy too\n")
    assert shape(root) == "div(ul(li[first line\nlazy line]li[second])blockquote(p[quoted\n" \
        "lazy too]))"


def test_blank_lines_between_items_make_paragraphs(tmp_path: Path) -> None:
    assert shape(tree(tmp_path, "- a\n\n- b\n")) == "div(ul(li(p[a])li(p[b])))"


def test_longer_closing_fence_closes_and_shorter_one_is_content(tmp_path: Path) -> None:
    root = tree(tmp_path, "````python\nx = 1\n```\ny = 2\n`````\n\nAfter.\n\n~~~\na\n```\n~~~\n")
    pres = root.findall("pre")
    assert [code_text(code) for code in root.iter("code")] == ["x = 1\n```\ny = 2\n", "a\n```\n"]
    assert language(pres[0][0]) == "language-python"
    assert root.find("p").text == "After."  # type: ignore[union-attr]


def test_fenced_code_inside_list_item_quotation_and_definition(tmp_path: Path) -> None:
    body = ("1. Run:\n\n   ```sh\n   make build\n\n   make test\n   ```\n2. Done.\n\n"
            "> ~~~\n> <b>raw</b> & code\n> ~~~\n\nTerm\n:   Definition:\n\n"
            "    ```toml\n    [pdf]\n    ```\n")
    root = tree(tmp_path, body)
    codes = {language(code): code_text(code) for code in root.iter("code")}
    assert codes == {"language-sh": "make build\n\nmake test\n", None: "<b>raw</b> & code\n",
                     "language-toml": "[pdf]\n"}
    assert root.find("ol/li/pre/code") is not None
    assert root.find("blockquote/pre/code") is not None
    assert root.find("dl/dd/pre/code") is not None


def test_quotations_separated_by_a_blank_line_stay_two(tmp_path: Path) -> None:
    assert shape(tree(tmp_path, "> one\n\n> two\n")) == \
        "div(blockquote(p[one])blockquote(p[two]))"


def test_quotation_holds_lists_headings_and_code(tmp_path: Path) -> None:
    root = tree(tmp_path, "> ## Heading\n>\n> - a\n>   - b\n>\n> Text\n>\n>     code\n")
    assert shape(root) == \
        "div(blockquote(h2[Heading]ul(li[a](ul(li[b])))p[Text]pre(code[code])))"


def test_ordered_list_start_kept_in_xhtml_and_print(tmp_path: Path) -> None:
    converted, _ = essay(tmp_path, "Steps:\n\n2. second\n3. third\n")
    assert '<ol start="2">' in converted.body_html
    assert '<ol start="2" style="counter-reset: list-item 2; counter-increment: list-item -1">' \
        in print_body(converted)


def test_hashtag_is_no_heading_and_spaced_rule_is_a_rule(tmp_path: Path) -> None:
    assert shape(tree(tmp_path, "#hashtag\n\n* * *\n\nText\n---\n")) == \
        "div(p[#hashtag]hrh2[Text])"


def test_list_and_fence_interrupt_a_paragraph(tmp_path: Path) -> None:
    assert shape(tree(tmp_path, "Text\n- item\n")) == "div(p[Text]ul(li[item]))"
    assert shape(tree(tmp_path, "Text\n```\ncode\n```\n")) == "div(p[Text]pre(code[code]))"


def test_unclosed_fence_runs_to_the_end_of_its_container(tmp_path: Path) -> None:
    converted, diagnostics = essay(tmp_path, "> ```\n> code\n\nNot code.\n")
    root = ET.fromstring(f"<div>{converted.body_html}</div>")
    assert shape(root) == "div(blockquote(pre(code[code]))p[Not code.])"
    assert [d.code for d in diagnostics.items] == ["M401"]


def test_code_keeps_tabs_blank_lines_and_stash_markers_stay_out(tmp_path: Path) -> None:
    body = "```make\nall:\n\techo \x02hi\x03\n```\n\n- item\n\n  ```\n  a\n\n\n  ```\n"
    root = tree(tmp_path, body)
    assert [code_text(code) for code in root.iter("code")] == ["all:\n\techo hi\n", "a\n\n\n"]


def test_lazy_equals_line_in_a_quotation_is_text_not_a_heading(tmp_path: Path) -> None:
    assert shape(tree(tmp_path, "> foo\nbar\n===\n")) == "div(blockquote(p[foo\nbar\n===]))"


def test_a_fence_never_closed_is_reported_at_its_line(tmp_path: Path) -> None:
    body = ("Text.\n\n```python\nx\n```\n\n> ~~~~\n> quoted\n\nAfter.\n\n"
            "```python\nprint(1)\n\n## Not a heading\n")
    converted, diagnostics = essay(tmp_path, body)
    assert [d.format().splitlines()[0] for d in diagnostics.items] == [
        "essays/01-a.md:11: warning: the code fence '~~~~' is never closed: the code runs to "
        "the end of its list item, quotation or essay [M401]",
        "essays/01-a.md:16: warning: the code fence '```python' is never closed: the code runs "
        "to the end of its list item, quotation or essay [M401]",
    ]
    # Nothing is lost: the code holds the rest of the essay.
    assert "## Not a heading" in converted.body_html
    assert '<p id="e1-p2">After.</p>' in converted.body_html
