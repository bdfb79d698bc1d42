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
from qlabbook.source.model import BibliographyOptions, Essay, EssaySource, Metadata, Options

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
    assert problems == ["essays/01-a.md:5: warning: reference @fig:nope names no label in the "
                        "series: it is printed as written [M208]"]


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


QUAY = """## Method {#sec-method}

The quay is in @fig-harbour, the tides in @tbl-tides, growth in @eq-growth; see
[-@fig-harbour], [@fig-harbour; @fig-crane], @sec-method and, in the next essay, @fig-night.
Mail a@fig-harbour.org is no reference, nor is `@fig-harbour` in code.

![The quay at first light.](plan.png){#fig-harbour}

![Crane](plan.png "The crane at noon"){#fig-crane}

| Hour | Height |
|------|--------|
| 6    | 2.1    |

: Tides at the quay. {#tbl-tides}

$$ y = e^{kt} $$ {#eq-growth}
"""
NIGHT = "![The quay at night.](plan.png){#fig-night}\n\nBack to @fig-harbour.\n"


def quarto_series(root: Path, bodies: list[str], options: Options | None = None,
                  ) -> tuple[list[Essay], list[str]]:
    (root / "essays").mkdir(exist_ok=True)
    Image.new("RGB", (20, 20)).save(root / "essays" / "plan.png")
    diagnostics = Diagnostics()
    sources = [EssaySource(path=Path(f"essays/0{n}-e.md"), number=n, slug=f"0{n}-e",
                           title=f"E{n}", body=body, body_line=5)
               for n, body in enumerate(bodies, 1)]
    essays = convert_essays(root, Metadata(title="T"), options or Options(), sources,
                            diagnostics).essays
    return list(essays), [d.format() for d in diagnostics.items]


def test_quartos_references_read_as_quarto_prints_them_and_reach_other_essays(
        tmp_path: Path) -> None:
    (quay, night), problems = quarto_series(tmp_path, [QUAY, NIGHT])
    assert problems == []
    assert references(quay.body_html) == [
        ("#e1-fig-harbour", "Figure\u00a01"), ("#e1-tbl-tides", "Table\u00a01"),
        ("#e1-eq-growth", "Equation\u00a01"), ("#e1-fig-harbour", "1"),
        ("#e1-fig-harbour", "1"), ("#e1-fig-crane", "2"), ("#e1-sec-method", "Section\u00a01"),
        ("#e2-fig-night", "Figure\u00a01 in essay 2")]
    text = "".join(tree(quay.body_html).itertext())
    assert "[@fig-harbour; @fig-crane]" not in text and "Figures\u00a01, 2" in text
    assert "a@fig-harbour.org" in text and "<code>@fig-harbour</code>" in quay.body_html
    captions = ["".join(c.itertext()) for c in tree(quay.body_html).iter()
                if c.tag in ("figcaption", "caption")]
    # Quarto captions a figure with its image's description when it has no title.
    assert captions == ["Figure\u00a01. The quay at first light.",
                        "Figure\u00a02. The crane at noon.", "Table\u00a01. Tides at the quay."]
    number = tree(quay.body_html).find(".//span[@id='e1-eq-growth']/span")
    assert number is not None and number.text == "(1)"
    assert references(night.body_html) == [("#e1-fig-harbour", "Figure\u00a01 in essay 1")]
    assert [(label.name, label.number) for label in quay.labels] == [
        ("sec-method", "1"), ("fig-harbour", "1"), ("fig-crane", "2"), ("tbl-tides", "1"),
        ("eq-growth", "1")]


def test_with_chapters_numbers_start_with_the_essays(tmp_path: Path) -> None:
    (quay, night), _ = quarto_series(tmp_path, [NIGHT, QUAY], Options(crossref_chapters=True))
    assert references(quay.body_html) == [("#e2-fig-harbour", "Figure\u00a02.1")]
    assert ("#e1-fig-night", "Figure\u00a01.1") in references(night.body_html)
    assert "Figure\u00a02.2. The crane at noon." in "".join(tree(night.body_html).itertext())


def test_an_unknown_or_shared_quarto_label_is_a_located_error_with_the_nearest(
        tmp_path: Path) -> None:
    _, problems = quarto_series(tmp_path, ["See @fig-harbor.\n\n" + QUAY,
                                           "@fig-night.\n\n" + NIGHT, NIGHT])
    assert problems == [
        "essays/01-e.md:5: error: reference @fig-harbor names no label in the series [M209]\n"
        "    hint: did you mean @fig-harbour?",
        "essays/01-e.md:10: error: reference @fig-night names a label that essays 2, 3 all "
        "have [M209]\n    hint: give each its own name, e.g. fig-night-2"]
    # An essay's own label is found first: essay 2's @fig-night is its own figure.


def test_a_work_keyed_like_a_label_is_named_in_the_error(tmp_path: Path) -> None:
    (tmp_path / "refs.bib").write_text("@book{fig-1998, title={T}, author={Smith, A}, "
                                       "year=1998}\n")
    options = Options(bibliography=BibliographyOptions(("refs.bib",), "apa"))
    _, problems = quarto_series(tmp_path, ["As @fig-1998 shows.\n"], options)
    assert problems == [
        "essays/01-e.md:5: error: reference @fig-1998 names no label in the series [M209]\n"
        "    hint: fig-1998 is a key in the bibliography, but a key starting 'fig-' reads as "
        "a cross-reference: rename the work's key"]
