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
