"""A Quarto blog and a Zola blog, as their authors keep them (tests/fixtures/quarto-blog/,
tests/fixtures/zola-blog/), become books with `qlabbook init` then `qlabbook build` and no
edit: no Markdown or Quarto syntax left as text in the EPUB, citations resolved against
the bibliographies the project and the posts name, each warning located and actionable."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from helpers import epub_documents, epubcheck, run_cli

FIXTURES = Path(__file__).parent.parent / "fixtures"
# The Quarto blog names the APA style file its author downloaded beside _quarto.yml: the
# copy qlabbook ships, put there for the test (one copy of it in the repository).
SHIPPED_STYLES = Path(__file__).parents[2] / "src" / "qlabbook" / "references" / "styles"
BESIDE = {"quarto-blog": ["apa.csl"]}
# What must never reach a reader as text: fences, div fences, chunk options, citations.
SYNTAX = re.compile(r":::|```|#\||\[@|@[a-z]+\d{4}|\{r\}|\{python\}|\]\(|\*\*|\$\$")


def adopt_and_build(tmp_path: Path, name: str) -> tuple[dict[str, str], list[str], Path]:
    root = tmp_path / name
    shutil.copytree(FIXTURES / name, root)
    for style in BESIDE.get(name, []):
        shutil.copy(SHIPPED_STYLES / style, root / style)
    init = run_cli("init", root)
    assert init.exit_code == 0, init.output
    out = tmp_path / "out"
    build = run_cli("build", root, "--out", out, "--format", "epub")
    assert build.exit_code == 0, build.output
    warnings = [re.sub(r": warning: .* \[", " [", line) for line in build.stderr.splitlines()
                if ": warning: " in line]
    epub = next(out.glob("*.epub"))
    return epub_documents(epub), warnings, epub


def texts(document: str) -> str:
    """What a reader sees: the text between the tags of the document's body."""
    body = document.split("<body>", 1)[1]
    return re.sub(r"<[^>]+>", " ", re.sub(r'alttext="[^"]*"', "", body))


@pytest.mark.slow
@pytest.mark.external
def test_a_quarto_blog_builds_as_it_is(tmp_path: Path) -> None:
    documents, warnings, epub = adopt_and_build(tmp_path, "quarto-blog")
    assert warnings == [  # once per essay, at its first chunk: nothing else to say
        "posts/pain-models/index.qmd:31 [M403]", "posts/welcome/index.qmd:57 [M403]"]
    welcome, models = documents["EPUB/welcome.xhtml"], documents["EPUB/pain-models.xhtml"]
    assert "EPUB/draft-notes.xhtml" not in documents  # a draft, left out as Quarto does
    for document in (welcome, models):
        assert SYNTAX.findall(texts(document)) == []
        assert document.count('role="doc-bibliography"') == 1  # the author's heading is it
        assert len(re.findall(r">References</h", document)) == 1
    assert '<p class="essay-authors">Ada Researcher, Ben Colleague</p>' in welcome
    opf = documents["EPUB/content.opf"]
    assert "Pain Institute" not in opf and "[" not in re.sub(r"<!\[CDATA\[", "", opf)
    # Citations by the project's .bib and the post's own, in the project's CSL style (APA).
    assert "(Melzack &amp; Wall, 1965)" in welcome
    assert "(Melzack &amp; Wall, 1965, p. 975)" in models and "Shaw, R. (2020)" in models
    # Callouts are titled boxes; the margin column an aside; chunks code in their language.
    assert re.findall(r'<div class="(callout [^"]+)">\s*(?:<span[^>]*/>\s*)*'
                      r'<p[^>]*class="callout-title">([^<]+)',
                      welcome + models) == [
        ("callout callout-note", "What you will find here"),
        ("callout callout-warning", "Not medical advice"),
        ("callout callout-tip", "Reading the equations"),
        ("callout callout-important", "Important")]
    assert '<div class="margin-note column-margin">' in welcome
    assert re.findall(r'<code class="[^"]*language-(\w+)', welcome + models) == [
        "r", "python", "python"]
    assert "<math" in welcome and 'display="block"' in welcome
    # The #refs div is the list's place: the list ends the essay where the author put it.
    assert models.rindex("</section>") > models.index('role="doc-bibliography"') > \
        models.index("not run")
    assert epubcheck(epub) == []


@pytest.mark.slow
@pytest.mark.external
def test_a_zola_blog_builds_as_it_is(tmp_path: Path) -> None:
    documents, warnings, epub = adopt_and_build(tmp_path, "zola-blog")
    # Zola's @/ links lead to the essays by their paths under content/: nothing to say.
    assert warnings == []
    assert '<a href="gardens.xhtml#e2">on gardens</a>' in documents["EPUB/starting-out.xhtml"]
    assert 'href="starting-out.xhtml#e1-why-slowly"' in documents["EPUB/gardens.xhtml"]
    spine = re.findall(r'<itemref idref="(essay\d+)"', documents["EPUB/content.opf"])
    assert len(spine) == 3  # the draft and the section pages left out
    dates = [re.search(r'<p class="series-line">([^<]+)</p>', documents[f"EPUB/{n}.xhtml"])
             for n in ("starting-out", "gardens", "composting")]
    assert [d.group(1) for d in dates if d] == [  # front matter, file name, path
        "Essay 1 · 1 May 2019", "Essay 2 · 12 June 2019", "Essay 3 · 30 July 2019"]
    for name in ("starting-out", "gardens", "composting"):
        assert SYNTAX.findall(texts(documents[f"EPUB/{name}.xhtml"])) == []
    assert epubcheck(epub) == []
