"""pandoc-crossref's labels and references: `{#fig:x}`, `{#tbl:x}`, `{#eq:x}`, `{#sec:x}`
keep their element's id, and `@fig:x`, `[@fig:x; @fig:y]`, `[-@fig:x]`, `@Fig:x` become
numbered links, as pandoc-crossref prints them; an unknown label is a warning at its line."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from helpers import convert_essay_body as convert
from helpers import xhtml_tree as tree
from qlabbook.markdown.convert import convert_essays
from qlabbook.source.diagnostics import Diagnostics
from qlabbook.source.model import BibliographyOptions, EssaySource, Metadata, Options

BODY = """See @fig:plan, [@fig:plan; @fig:two], [-@fig:two], @Fig:two and @fig:nope.

![A plan](plan.png "The plan"){#fig:plan}

![Unlabelled](plan.png)

![Second](plan.png){#fig:two}

## Intro {#sec:intro}

### Detail {#sec:detail}

As [@sec:detail; @tbl:t] and @eq:e show, and `@fig:plan` in code does not.

$$ x = 1 $$ {#eq:e}

| a | b |
|---|---|
| 1 | 2 |

: A table {#tbl:t}
"""


def references(root: object) -> list[tuple[str, str]]:
    return [(a.get("href", ""), a.text or "") for a in tree(str(root)).iter("a")
            if a.get("class") == "crossref"]


def test_references_are_numbered_links_to_the_labelled_elements(tmp_path: Path) -> None:
    (tmp_path / "essays").mkdir()
    Image.new("RGB", (20, 20)).save(tmp_path / "essays" / "plan.png")
    essay, problems = convert(tmp_path, BODY)
    assert references(essay.body_html) == [
        ("#e1-fig-plan", "fig.\u00a01"), ("#e1-fig-plan", "1"), ("#e1-fig-two", "2"),
        ("#e1-fig-two", "2"), ("#e1-fig-two", "Fig.\u00a02"),
        ("#e1-sec-detail", "sec.\u00a01.1"), ("#e1-tbl-t", "tbl.\u00a01"),
        ("#e1-eq-e", "eq.\u00a01")]
    body = tree(essay.body_html)
    first = body.find("p")
    assert first is not None and "".join(first.itertext()) == (
        "See fig.\u00a01, figs.\u00a01, 2, 2, Fig.\u00a02 and @fig:nope.")
    ids = {e.get("id") for e in body.iter() if e.get("id")}
    assert {"e1-fig-plan", "e1-fig-two", "e1-sec-intro", "e1-sec-detail", "e1-tbl-t",
            "e1-eq-e"} <= ids
    captions = ["".join(c.itertext()) for c in body.iter() if c.tag in ("figcaption", "caption")]
    assert captions == ["Figure\u00a01: The plan.", "Figure\u00a02", "Table\u00a01: A table"]
    equation = body.find(".//span[@id='e1-eq-e']/span[@class='equation-number']")
    assert equation is not None and equation.text == "(1)"
    assert "<code>@fig:plan</code>" in essay.body_html
    assert problems == ["essays/01-a.md:5: warning: reference @fig:nope names no label of this "
                        "essay: it is printed as written [M208]"]


def test_with_a_bibliography_a_crossref_label_is_not_a_citation(tmp_path: Path) -> None:
    (tmp_path / "refs.bib").write_text("@book{smith, title={T}, author={Smith, A}, year=2001}\n")
    diagnostics = Diagnostics()
    source = EssaySource(path=Path("essays/01-a.md"), number=1, slug="01-a", title="A",
                         body="As @smith shows in @tbl:x.\n\n| a |\n|---|\n| 1 |\n\n"
                         ": Caption {#tbl:x}\n", body_line=5)
    options = Options(bibliography=BibliographyOptions(("refs.bib",), "apa"))
    essay = convert_essays(tmp_path, Metadata(title="T"), options, [source],
                           diagnostics).essays[0]
    assert references(essay.body_html) == [("#e1-tbl-x", "tbl.\u00a01")]
    assert "Smith" in essay.body_html and "tbl:x" not in essay.body_html
    assert [d.code for d in diagnostics.items] == []
