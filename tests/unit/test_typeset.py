"""The print CSS qlabbook writes itself is CSS WeasyPrint reads without a complaint."""

from __future__ import annotations

import pytest
import tinycss2

from qlabbook.typeset.engine import renderer_logs
from qlabbook.typeset.parts import css_string


@pytest.mark.parametrize("title", ["Two\rlines", "Form\ffeed", "Line\nbreak", 'A "quoted" \\ title',
                                   "Tab\tand bell\x07", "Café — ‘quoted’"])
def test_a_title_in_the_running_heads_rule_is_read_as_written(title: str) -> None:
    from weasyprint import CSS

    rule = f".essay {{ string-set: book-title {css_string(title)}; }}"
    with renderer_logs() as logs:
        CSS(string=rule)
    assert logs.messages == []  # WeasyPrint would print it as R101, with no file or line
    [token] = [t for t in tinycss2.parse_component_value_list(css_string(title))]
    assert token.type == "string" and token.value == title


def test_the_engine_reads_a_real_layout_s_boxes() -> None:
    """The box adapter other modules of the stage read pages through, on a page of two
    paragraphs (the first with a page-foot note) and a page without notes."""
    from weasyprint import CSS, HTML

    from qlabbook.typeset import engine

    fonts = engine.font_configuration()  # the machine's: only where boxes fall is read
    source = ('<html><body><p id="a">First paragraph<span class="fn">A note.</span>.</p>'
              '<p id="b">Second.</p><p id="c" style="break-before: page">Alone.</p>'
              '</body></html>')
    css = CSS(string="@page { size: 100mm 80mm; margin: 10mm 5mm 20mm } "
                     "body, p { margin: 0; font-size: 10pt } .fn { float: footnote }",
              font_config=fonts)
    first, second = HTML(string=source).render(stylesheets=[css], font_config=fonts).pages
    block = engine.text_block(first)
    mm = 96 / 25.4
    assert (round(block.top, 3), round(block.bottom, 3)) == (round(10 * mm, 3),
                                                             round(60 * mm, 3))
    boxes = list(engine.flow_boxes(first))
    kinds = {engine.box_kind(box) for box in boxes}
    assert {"block", "line", "text"} <= kinds and not kinds & {"footnotes", "margin"}
    paragraphs = [box for box in boxes if engine.box_kind(box) == "block"
                  and engine.box_tag(box) == "p"]
    assert [engine.box_element(box).get("id") for box in paragraphs] == ["a", "b"]
    assert engine.box_bottom(paragraphs[0]) == pytest.approx(engine.box_top(paragraphs[1]))
    assert engine.box_height(paragraphs[0]) > 0
    words = "".join(engine.box_text(box) for box in engine.flow_boxes(first))
    assert words == "First paragraph1.Second."  # the call, not the note
    notes = engine.notes_top(first)
    assert notes is not None and engine.box_bottom(paragraphs[1]) < notes < block.bottom
    assert engine.notes_top(second) is None
    assert "A note." in "".join(engine.box_text(box) for box in engine.page_boxes(first))
    assert engine.root_element(second).tag == "html"
