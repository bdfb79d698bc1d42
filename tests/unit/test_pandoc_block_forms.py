"""pandoc's block forms beyond pipe and simple tables, on converted XHTML: multiline and grid
tables, a pipe table's short delimiter row, fancy and example lists, math environments
written without dollars. Each expectation is what pandoc -f markdown -t html makes."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from helpers import convert_essay_body as convert
from helpers import xhtml_tree as tree

MULTILINE = """\
-------------------------------------------------------------
 Centered   Default           Right Left
  Header    Aligned         Aligned Aligned
----------- ------- --------------- -------------------------
   First    row                12.0 Example of a row that
                                    spans multiple lines.

  Second    row                 5.0 Here's another one.
-------------------------------------------------------------

Table: Here's the caption. It, too, may span
multiple lines.
"""

GRID = """\
: Sample grid table.

+---------------+---------------+--------------------+
| Fruit         | Price         | Advantages         |
+==============:+:==============+:==================:+
| Bananas       | 1.34          | - built-in wrapper |
|               |               | - bright color     |
+---------------+---------------+--------------------+
| Oranges spans both columns    | tasty              |
+---------------+---------------+--------------------+
"""


def cells(table: ET.Element) -> list[tuple[str, str | None, str]]:
    """(tag, class, text with white space folded) of each cell, in order."""
    return [(cell.tag, cell.get("class"), " ".join("".join(cell.itertext()).split()))
            for cell in table.iter() if cell.tag in ("th", "td")]


def caption_of(table: ET.Element) -> str:
    caption = table.find("caption")
    assert caption is not None
    return "".join(caption.itertext())


def only_table(html: str) -> ET.Element:
    body = tree(html)
    assert [child.tag for child in body] == ["table"]
    return body[0]


def test_multiline_table_joins_cells_and_aligns_by_the_header(tmp_path: Path) -> None:
    essay, problems = convert(tmp_path, MULTILINE)
    assert problems == []
    table = only_table(essay.body_html)
    assert caption_of(table) == "Here\u2019s the caption. It, too, may span multiple lines."
    assert cells(table) == [
        ("th", "align-center", "Centered Header"), ("th", None, "Default Aligned"),
        ("th", "align-right", "Right Aligned"), ("th", "align-left", "Left Aligned"),
        ("td", "align-center", "First"), ("td", None, "row"), ("td", "align-right", "12.0"),
        ("td", "align-left", "Example of a row that spans multiple lines."),
        ("td", "align-center", "Second"), ("td", None, "row"), ("td", "align-right", "5.0"),
        ("td", "align-left", "Here\u2019s another one.")]


def test_headerless_multiline_table_aligns_by_its_first_row(tmp_path: Path) -> None:
    body = ("----------- ------- ---------------\n   First    row                12.0\n"
            "            two\n\n  Second    row                 5.0\n"
            "----------- ------- ---------------\n")
    essay, problems = convert(tmp_path, body)
    assert problems == []
    table = only_table(essay.body_html)
    assert table.find("thead") is None
    assert cells(table)[:3] == [("td", "align-center", "First"), ("td", "align-left", "row two"),
                                ("td", "align-right", "12.0")]
    assert len(table.findall("tbody/tr")) == 2


def test_grid_table_cells_hold_blocks_and_span_columns(tmp_path: Path) -> None:
    essay, problems = convert(tmp_path, GRID)
    assert problems == []
    table = only_table(essay.body_html)
    assert caption_of(table) == "Sample grid table."
    assert cells(table)[:3] == [("th", "align-right", "Fruit"), ("th", "align-left", "Price"),
                                ("th", "align-center", "Advantages")]
    advantages = table.findall("tbody/tr")[0][2]
    assert [li.text for li in advantages.iter("li")] == ["built-in wrapper", "bright color"]
    spanning = table.findall("tbody/tr")[1]
    assert [(c.get("colspan"), c.text) for c in spanning] == [
        ("2", "Oranges spans both columns"), (None, "tasty")]


def test_grid_cell_spanning_rows_is_a_located_warning(tmp_path: Path) -> None:
    body = "+---+---+\n| a | b |\n+---+   +\n| c |   |\n+---+---+\n"
    essay, problems = convert(tmp_path, body)
    assert problems == ["essays/01-a.md:7: warning: a grid table cell spans rows: its parts "
                        "are read as rows of their own [M110]"]
    assert [c[2] for c in cells(only_table(essay.body_html))] == ["a", "b", "c", ""]


def test_grid_table_columns_are_measured_as_pandoc_draws_them(tmp_path: Path) -> None:
    # A wide character takes two columns, a zero-width non-joiner none, as pandoc counts.
    body = ("+--+----+\n|魚|fish|\n+--+----+\n\n"
            "+-------+-------+\n|Auf\u200clage|edition|\n+-------+-------+\n")
    essay, problems = convert(tmp_path, body)
    assert problems == []
    html = tree(essay.body_html)
    assert [[c[2] for c in cells(t)] for t in html.iter("table")] == [
        ["魚", "fish"], ["Auf\u200clage", "edition"]]


def test_short_delimiter_row_makes_a_table_of_its_columns(tmp_path: Path) -> None:
    body = "| a | b | c |\n|:-|--:|\n| 1 | 2 | 3 |\n"
    essay, problems = convert(tmp_path, body)
    assert problems == ["essays/01-a.md:5: warning: the table's delimiter row has 2 cells and "
                        "its header 3: the cells beyond column 2 are left out, as pandoc "
                        "leaves them [M111]"]
    assert cells(only_table(essay.body_html)) == [
        ("th", "align-left", "a"), ("th", "align-right", "b"),
        ("td", "align-left", "1"), ("td", "align-right", "2")]


def test_fancy_and_example_lists_keep_numbers_and_delimiters(tmp_path: Path) -> None:
    body = ("(1) one\n(2) two\n\n3) three\n\n#. hash\n\n(@) First.\n(@good) Second.\n\n"
            "As (@good) shows, (@) and (@nope) stay.\n\n(@) Third.\n")
    essay, problems = convert(tmp_path, body)
    assert problems == []
    lists = [(e.tag, e.get("start"), e.get("class"), len(e)) for e in tree(essay.body_html)
             if e.tag == "ol"]
    assert lists == [("ol", None, "two-parens", 2), ("ol", "3", None, 1), ("ol", None, None, 1),
                     ("ol", None, "example two-parens", 2), ("ol", "3", "example two-parens", 1)]
    paragraph = tree(essay.body_html).find("p")
    assert paragraph is not None and paragraph.text == "As (2) shows, (@) and (@nope) stay."


def test_examples_are_numbered_per_essay(tmp_path: Path) -> None:
    convert(tmp_path, "(@) One.\n(@) Two.\n")
    essay, _ = convert(tmp_path, "(@) One again.\n")
    assert tree(essay.body_html)[0].get("start") is None


def test_math_environments_without_dollars_are_display_math(tmp_path: Path) -> None:
    body = ("Before.\n\n\\begin{aligned}\na &= b \\\\\nc &= d\n\\end{aligned}\n\n"
            "Text\n\\begin{equation}\nE = mc^2\n\\end{equation}\nafter.\n\n"
            "$$\n\\begin{align}\nx\n\\end{align}\n$$\n\n```\n\\begin{equation}\ncode\n"
            "\\end{equation}\n```\n")
    essay, problems = convert(tmp_path, body)
    assert problems == []
    formulas = [(m.get("display"), m.text) for m in tree(essay.body_html).iter("qlab-math")]
    assert formulas == [
        ("block", "\\begin{aligned}\na &= b \\\\\nc &= d\n\\end{aligned}"),
        ("block", "\\begin{equation}\nE = mc^2\n\\end{equation}"),
        ("block", "\\begin{align}\nx\n\\end{align}")]
    code = tree(essay.body_html).find("pre/code")
    assert code is not None and "".join(code.itertext()).startswith("\\begin{equation}\ncode")
