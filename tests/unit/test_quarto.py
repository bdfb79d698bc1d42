"""Quarto's blocks as qlabbook converts them: callouts as titled boxes, margin columns as
asides, executable chunks as code in their language with one located warning, and the
author's own References heading or `#refs` div as the place of the list."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from helpers import convert_essay_body, xhtml_tree


def convert(tmp_path: Path, body: str) -> tuple[ET.Element, list[str]]:
    essay, diagnostics = convert_essay_body(tmp_path, body)
    return xhtml_tree(essay.body_html), diagnostics


def boxes(tree: ET.Element) -> list[tuple[str, str, str]]:
    """(class, title, the rest's text) of each callout."""
    found = []
    for div in tree.iter("div"):
        if "callout" in div.get("class", "").split():
            title = div.find("p[@class='callout-title']")
            assert title is not None and div[0] is title
            rest = " ".join(" ".join("".join(c.itertext()) for c in div[1:]).split())
            found.append((div.get("class", ""), "".join(title.itertext()), rest))
    return found


@pytest.mark.parametrize(("opening", "expected"), [
    ("::: {.callout-note}\n## What you will find\n\nShort essays.\n:::",
     ("callout callout-note", "What you will find", "Short essays.")),
    ('::: {.callout-warning title="Not *medical* advice"}\nAsk a clinician.\n:::',
     ("callout callout-warning", "Not medical advice", "Ask a clinician.")),  # Markdown read
    ("::: {.callout-tip collapse=\"true\"}\n## Reading *it*\n\nEach term.\n:::",
     ("callout callout-tip", "Reading it", "Each term.")),
    ("::: callout-important\nModels are not measurements.\n:::",
     ("callout callout-important", "Important", "Models are not measurements.")),
    ("::::: {.callout-caution icon=false}\nCareful.\n\n- one\n- two\n:::::",
     ("callout callout-caution", "Caution", "Careful. one two")),
])
def test_callouts_are_titled_boxes(tmp_path: Path, opening: str,
                                   expected: tuple[str, str, str]) -> None:
    tree, diagnostics = convert(tmp_path, f"Before.\n\n{opening}\n\nAfter.\n")
    assert boxes(tree) == [expected]
    assert diagnostics == []
    assert ":::" not in "".join(tree.itertext())
    assert not [h for h in tree.iter() if h.tag in ("h1", "h2")]  # the title is no section


def test_a_margin_column_is_an_aside(tmp_path: Path) -> None:
    tree, diagnostics = convert(tmp_path, "Text.\n\n::: {.column-margin}\nWe post *monthly*."
                                          "\n:::\n\nMore.\n")
    aside = [d for d in tree.iter("div") if d.get("class") == "margin-note column-margin"]
    assert len(aside) == 1 and "".join(aside[0].itertext()).strip() == "We post monthly."
    assert diagnostics == []


def test_code_chunks_are_code_in_their_language_with_one_warning(tmp_path: Path) -> None:
    body = ("Intro.\n\n```{r}\n#| label: fig-scores\n#| echo: false\nscores <- c(7, 6)\n"
            "plot(scores)\n```\n\n```{python}\n#| eval: false\nprint('x')  #| kept\n```\n\n"
            "- in a list:\n\n  ```{r, echo=FALSE}\n  #| warning: false\n  summary(x)\n  ```\n\n"
            "```{.python}\nnot_a_chunk = 1\n```\n")
    tree, diagnostics = convert(tmp_path, body)
    codes = [(c.get("class", "").split()[-1], "".join(c.itertext())) for c in tree.iter("code")]
    assert codes == [("language-r", "scores <- c(7, 6)\nplot(scores)\n"),
                     ("language-python", "print('x')  #| kept\n"),
                     ("language-r", "summary(x)\n"),
                     ("language-python", "not_a_chunk = 1\n")]
    assert diagnostics == [  # once per essay, at the first chunk (body line 3 is file line 7)
        "essays/01-a.md:7: warning: code chunks are shown as code; their results (output, "
        "figures, tables) are not computed [M403]"]


def test_quarto_image_attributes_are_read_not_reported(tmp_path: Path) -> None:
    tree, diagnostics = convert(tmp_path, '![](pic.png){fig-alt="Scores falling" '
                                          'fig-align="center"}\n')
    assert diagnostics == [d for d in diagnostics if "M302" not in d]
    assert [i.get("alt") for i in tree.iter("img")] == ["Scores falling"]
