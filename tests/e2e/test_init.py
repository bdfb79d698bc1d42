"""`qlabbook init` then `qlabbook build` turn a folder of blog posts, written for Jekyll,
Hugo and pandoc, into a book with no edit to any post."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from helpers import epub_documents, epubcheck, page_texts, run_cli

CONFIG = """\
title: Field Notes
author: Jo Blogger
lang: en-GB
url: https://jo.example.org
baseurl: /blog
permalink: /:year/:month/:day/:title/
"""

POSTS = {
    # YAML with a date, time and zone, and links by permalink, post_url and bare address.
    "_posts/2019-05-14-first-light.md": """\
---
layout: post
title: "First light"
date: 2019-05-14 10:30:00 +0100
categories: [notes]
author: Jo Blogger
description: "Where the notes begin."
---

# First light

The first note. Next comes [the second](/blog/2019/06/01/on-listening/), then
[the third]({{ site.baseurl }}{% post_url 2019-07-02-third-thoughts %}#a-part).
The code is at [GitHub](github.com/jo/notes) and the [about page](/about/).

## Going further

More text.
""",
    # YAML with an ISO timestamp, a .markdown file, a link by full site address.
    "_posts/2019-06-01-on-listening.markdown": """\
---
title: On listening
date: 2019-06-01T08:00:00Z
tags: [listening]
---

Back to [the first](https://jo.example.org/blog/2019/05/14/first-light/#Going-Further).
""",
    # Hugo's TOML front matter and a ref shortcode.
    "_posts/2019-07-02-third-thoughts.md": """\
+++
title = "Third thoughts"
date = 2019-07-02T09:00:00+02:00
summary = "Written for Hugo."
+++

## A part

See [the first]({{< ref "2019-05-14-first-light.md" >}}).
""",
    # No front matter at all: the first heading is the title, the date is in the name.
    "_posts/2019-08-01-untitled-thing.md": """\
# A post without front matter

Plain text, and [a draft that is not here](drafts/later.md).
""",
    # A pandoc title block.
    "_posts/2019-09-09-pandoc-post.md": """\
% Written for pandoc
% Jo Blogger; Ann Other
% 9 September 2019

The pandoc post.
""",
}

TITLES = ["First light", "On listening", "Third thoughts", "A post without front matter",
          "Written for pandoc"]


def digest(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.slow
@pytest.mark.external
def test_init_then_build_makes_a_book_of_a_jekyll_blog(tmp_path: Path) -> None:
    root = tmp_path / "blog"
    for name, text in {"_config.yml": CONFIG, **POSTS}.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    before = digest(root)

    init = run_cli("init", root)
    assert init.exit_code == 0, init.output
    assert init.stdout.splitlines()[:6] == [
        f"wrote {root / 'qlabbook.toml'}: 5 essays from _posts/, in date order:",
        "  1  2019-05-14  First light  (2019-05-14-first-light.md)",
        "  2  2019-06-01  On listening  (2019-06-01-on-listening.markdown)",
        "  3  2019-07-02  Third thoughts  (2019-07-02-third-thoughts.md)",
        "  4  2019-08-01  A post without front matter  (2019-08-01-untitled-thing.md)",
        "  5  2019-09-09  Written for pandoc  (2019-09-09-pandoc-post.md)",
    ]
    assert "move lines in the order list" in init.stdout
    assert digest(root) == {**before, "qlabbook.toml": digest(root)["qlabbook.toml"]}

    out = tmp_path / "out"
    build = run_cli("build", root, "--out", out, "--jobs", "1")
    assert build.exit_code == 0, build.output
    warnings = [line for line in build.stderr.splitlines() if ": warning: " in line]
    assert [re.sub(r": warning: .* \[", " [", w) for w in warnings] == [
        "_posts/2019-05-14-first-light.md:14 [M206]",  # github.com/jo/notes
        "_posts/2019-05-14-first-light.md:14 [M204]",  # /about/
        "_posts/2019-06-01-on-listening.markdown:7 [M207]",  # #Going-Further
        "_posts/2019-08-01-untitled-thing.md:3 [M203]",  # drafts/later.md
    ]
    assert digest(root).items() >= before.items()  # no post was touched

    documents = epub_documents(out / "field-notes.epub")
    package = documents["EPUB/content.opf"]
    files = dict(re.findall(r'<item href="([^"]+)" id="([^"]+)"', package))
    by_id = {ident: href for href, ident in files.items()}
    spine = [by_id[i] for i in re.findall(r'<itemref idref="(essay\d+)"', package)]
    assert spine == ["first-light.xhtml", "on-listening.xhtml", "third-thoughts.xhtml",
                     "untitled-thing.xhtml", "pandoc-post.xhtml"]
    titles = [re.search(r'<h1 class="essay-title"[^>]*>(.*?)</h1>',  # type: ignore[union-attr]
                        documents[f"EPUB/{name}"], re.DOTALL).group(1) for name in spine]
    assert titles == TITLES
    first, second, third = (documents[f"EPUB/{name}"] for name in spine[:3])
    assert re.findall(r'<a href="([^"]+)">', first) == [
        "on-listening.xhtml#e2", "third-thoughts.xhtml#e3-a-part", "https://github.com/jo/notes",
        "https://jo.example.org/about/"]  # a page of the site, not of the book: its address
    assert re.findall(r'<a href="([^"]+)">', second) == ["first-light.xhtml#e1-going-further"]
    assert re.findall(r'<a href="([^"]+)">', third) == ["first-light.xhtml#e1"]
    assert "First light" not in first.split("</h1>", 1)[1]  # the repeated # title is gone
    nav = next(text for name, text in documents.items() if name.endswith("nav.xhtml"))
    assert [nav.index(t) for t in TITLES] == sorted(nav.index(t) for t in TITLES)
    assert epubcheck(out / "field-notes.epub") == []

    pdf = out / "field-notes.pdf"
    assert pdf.stat().st_size > 0
    text = " ".join(page_texts(pdf))
    assert [text.index(t) for t in TITLES[1:]] == sorted(text.index(t) for t in TITLES[1:])


def test_a_blogdown_folder_builds_its_r_markdown_and_names_its_notebook(
        tmp_path: Path) -> None:
    """An .Rmd post is an essay read as pandoc reads it (its R chunk shown, not run; a
    bullet with no blank line before it stays text); a notebook post is left out, said by
    init and recorded in exclude, and said by a build where nobody has excluded it."""
    root = tmp_path / "blog"
    posts = {"content/post/first/index.Rmd": "---\ntitle: First\ndate: 2020-01-01\n---\n\n"
                                             "Here's one with a bullet.\n* criminey.\n\n"
                                             "```{r}\nsummary(cars)\n```\n",
             "content/post/second/index.ipynb": '{"cells": [], "nbformat": 4}\n'}
    for name, text in posts.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    init = run_cli("init", root)
    assert init.exit_code == 0, init.output
    assert "left out: second/index.ipynb (a Jupyter notebook, which qlabbook does not read)" \
        in init.stdout.splitlines()
    out = tmp_path / "out"
    build = run_cli("build", root, "--out", out, "--format", "epub")
    assert build.exit_code == 0, build.output
    assert [line.rsplit("[", 1)[-1] for line in build.stderr.splitlines()
            if ": warning: " in line] == ["M403]"]  # the chunk: shown, not run
    (xhtml,) = [text for name, text in epub_documents(next(out.glob("*.epub"))).items()
                if name.endswith("first.xhtml")]
    assert re.search(r"<p[^>]*>Here’s one with a bullet.\n\* criminey.</p>", xhtml)
    assert "summary(cars)" in re.sub(r"<[^>]+>", "", xhtml)
    config = root / "qlabbook.toml"
    config.write_text(re.sub(r"(?m)^exclude = .*\n", "", config.read_text()))
    build = run_cli("build", root, "--out", out, "--format", "epub")
    assert "content/post/second/index.ipynb: warning: a Jupyter notebook, which qlabbook " \
           "does not read: left out of the book [S113]" in build.stderr.splitlines()
