"""A Jekyll blog and a Hugo site, as their authors keep them (tests/fixtures/jekyll-blog/,
tests/fixtures/hugo-blog/), become books with `qlabbook init` then `qlabbook build` and no
edit: Liquid and shortcodes rendered as the site rendered them (never left as text), notes
made by hand in HTML read as notes, images under the site's baseurl found, each warning
located and actionable."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from helpers import epub_documents, epubcheck, page_texts, run_cli

FIXTURES = Path(__file__).parent.parent / "fixtures"
# Template syntax that must never reach a reader as text (outside code, where an author
# shows it on purpose).
TEMPLATE = re.compile(r"\{\{|\}\}|\{%|%\}|\{\{<|>\}\}")


def adopt_and_build(tmp_path: Path, name: str) -> dict[str, Any]:
    root = tmp_path / name
    shutil.copytree(FIXTURES / name, root)
    init = run_cli("init", root)
    assert init.exit_code == 0, init.output
    out = tmp_path / "out"
    build = run_cli("build", root, "--out", out, "--format", "epub", "--format", "pdf")
    assert build.exit_code == 0, build.output
    warnings = [re.sub(r": warning: .* \[", " [", line) for line in build.stderr.splitlines()
                if ": warning: " in line]
    epub = next(out.glob("*.epub"))
    return {"documents": epub_documents(epub), "warnings": warnings, "epub": epub,
            "pdf": next(out.glob("*.pdf")), "config": (root / "qlabbook.toml").read_text()}


def prose(document: str) -> str:
    """What a reader sees outside code: the text between the tags of the document's body."""
    body = document.split("<body>", 1)[1]
    body = re.sub(r"<pre\b.*?</pre>|<code\b.*?</code>", " ", body, flags=re.DOTALL)
    return re.sub(r"<[^>]+>", " ", body).replace("&lt;", "<").replace("&gt;", ">")


@pytest.fixture(scope="module")
def jekyll(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return adopt_and_build(tmp_path_factory.mktemp("jekyll"), "jekyll-blog")


@pytest.fixture(scope="module")
def hugo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return adopt_and_build(tmp_path_factory.mktemp("hugo"), "hugo-blog")


@pytest.mark.slow
def test_a_jekyll_blog_builds_as_it_is(jekyll: dict[str, Any]) -> None:
    assert 'site = "https://sam.example.org/blog"' in jekyll["config"]
    assert jekyll["warnings"] == [  # the include, and the picture its author left undescribed
        "_posts/2019-05-14-first-dig.md:19 [M502]", "_posts/2019-06-02-compost.md:13 [I103]",
        "_posts/2019-06-02-compost.md:13 [E101]"]
    documents = jekyll["documents"]
    dig, compost, hedges = (documents[f"EPUB/{n}.xhtml"] for n in ("first-dig", "compost",
                                                                    "hedges"))
    for document in (dig, compost, hedges):
        assert TEMPLATE.findall(prose(document)) == []
    # {{ page.title }} as the first heading is the title, printed once; outputs are values.
    assert len(re.findall(r"<h\d[^>]*>The first dig</h\d>", dig)) == 1
    assert "<em>Posted on May 14, 2019 by Sam Gardener</em>" in dig
    assert "We marked out 4 beds." in dig and "Write to me at sam@example.org." in dig
    assert "Comments are open" not in dig and "the shed" not in dig  # if, comment
    assert "<code>{{ page.title }}</code>" in dig  # {% raw %}, shown as written
    assert "tagged compost and soil, on Notes from the Allotment" in compost
    assert "Filed under <em>hawthorn</em>" in hedges and "Filed under <em>birds</em>" in hedges
    # {% highlight %} is code in its language; {% post_url %} links to the essay.
    assert re.findall(r'<code class="[^"]*language-(\w+)', dig + compost + hedges) == [
        "python", "ruby", "go"]
    assert '<a href="compost.xhtml#e2">the compost heap</a>' in dig
    assert '<a href="compost.xhtml#e2">last month</a>' in hedges
    # Hand-made notes are notes: each call a note reference, each note an aside.
    for document, count in ((dig, 2), (compost, 2), (hedges, 2)):
        assert len(re.findall(r'role="doc-noteref"', document)) == count
        assert len(re.findall(r'role="doc-footnote"', document)) == count
    assert "<p>The allotment society charges £40 a year.</p>" in dig
    assert "<p>It reached 55 °C in the middle.</p>" in compost and "↩" not in compost
    assert ">Notes</h2>" in dig and dig.count(">Notes</h") == 1  # the book's heading only
    # Pictures under the baseurl (/blog/...) are the collection's files.
    pictures = re.findall(r'<img [^>]*src="([^"]+)"', dig + compost + hedges)
    assert pictures == ["images/plot-14.png", "images/compost-bin.png", "assets/img/hedge.png",
                        "assets/img/hedge.png"]
    texts = " ".join(page_texts(jekyll["pdf"]))
    assert "{{" not in texts.replace("{{ page.title }}", "") and "{%" not in texts
    assert "The allotment society charges £40 a year." in texts


@pytest.mark.slow
def test_a_hugo_site_builds_as_it_is(hugo: dict[str, Any]) -> None:
    assert hugo["warnings"] == ["content/posts/the-weir/index.md:20 [M503]"]  # a theme's map
    documents = hugo["documents"]
    source, weir, estuary = (documents[f"EPUB/{n}.xhtml"] for n in ("source", "weir",
                                                                     "estuary"))
    assert "EPUB/draft-walk.xhtml" not in documents
    for document in (source, weir, estuary):
        assert TEMPLATE.findall(prose(document)) == []
    # Reference definitions holding shortcodes are read, with ref, relref and baseurl.
    assert '<a href="weir.xhtml#e2">the next walk</a>' in source
    assert '<a href="estuary.xhtml#e3">the estuary</a>' in source
    assert '<a href="source.xhtml#e1">the source</a>' in weir
    assert "the Wyre starts in a bog" in source  # {{< param >}}
    # Figures with their captions, credits and alt text; highlight is code in its language.
    assert re.findall(r'<img alt="([^"]*)" src="([^"]+)"', source + weir + estuary) == [
        ("The spring, in March", "static/images/spring.png"),
        ("Water over the weir in April", "content/posts/the-weir/weir.png"),
        ("The marsh at low tide", "static/images/spring.png")]
    assert '<span class="credit">Photo: Rita Walker</span>' in source
    assert "The weir. Water over the weir in April" in weir
    assert re.findall(r'<code class="[^"]*language-(\w+)', source) == ["go"]
    # Notes and boxes as the theme showed them; embeds are links; sidenotes are notes.
    assert re.findall(r'<div class="callout (callout-\w+)">\s*(?:<span[^>]*/>\s*)*'
                      r'<p[^>]*class="callout-title">([^<]+)', source + weir + estuary) == [
        ("callout-note", "Note"), ("callout-warning", "Keep off the sill"),
        ("callout-note", "Summer"), ("callout-note", "Winter"),
        ("callout-note", "How long is the walk?")]
    assert 'href="https://www.youtube.com/watch?v=w7Ft2ymGmfc"' in source
    assert "<p>By the river authority, since 1974.</p>" in weir
    assert "<p>Samphire is picked in July.</p>" in estuary
    assert "Tide tables: <b>twice a day</b>." in estuary
    # An escaped shortcode is shown as written, in code, as Hugo shows it.
    assert '<code>{{&lt; figure src="x.png" &gt;}}</code>' in estuary


@pytest.mark.slow
@pytest.mark.external
def test_adopted_blogs_pass_epubcheck(jekyll: dict[str, Any], hugo: dict[str, Any]) -> None:
    assert epubcheck(jekyll["epub"]) == []
    assert epubcheck(hugo["epub"]) == []


ANCHORED = """---
title: Anchored
number: 1
---

Two calls that are not plainly notes: x<sup>[1](#a1)</sup> y<sup>[2](#a2)</sup>, and
[a jump](#later).

<p><a name="a1"></a>1. one<br><a name="a2"></a>2. two</p>

<a name="later"></a>The place the jump leads to.
"""


@pytest.fixture(scope="module")
def anchored(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("anchored")
    (root / "essays").mkdir()
    (root / "qlabbook.toml").write_text('[collection]\ntitle = "Anchored"\n')
    (root / "essays" / "01-anchored.md").write_text(ANCHORED)
    out = root / "out"
    result = run_cli("build", root, "--out", out, "-f", "pdf", "-f", "epub", "-f", "web")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    return {"pdf": out / "anchored.pdf", "epub": out / "anchored.epub", "web": out / "web"}


@pytest.mark.slow
def test_anchors_an_author_wrote_are_kept_in_every_edition(anchored: dict[str, Any]) -> None:
    """What is not plainly a note keeps its `<a name>` anchors as ids, and the links to them
    lead there: the EPUB's, the PDF's and the web page's."""
    import pikepdf

    anchors = ["e1-a1", "e1-a2", "e1-later"]
    essay = epub_documents(anchored["epub"])["EPUB/01-anchored.xhtml"]
    page = next(anchored["web"].glob("*/index.html")).read_text()
    for document in (essay, page):
        for anchor in anchors:
            assert f'id="{anchor}"' in document and f'href="#{anchor}"' in document
    with pikepdf.open(anchored["pdf"]) as pdf:
        names = {str(n) for n in list(pdf.Root.Names.Dests.Names)[::2]}
        links = {str(a.Dest) for p in pdf.pages for a in p.get("/Annots", []) if "/Dest" in a}
    assert set(anchors) <= names and set(anchors) <= links
