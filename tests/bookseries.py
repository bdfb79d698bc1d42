"""A generated series of six essays for the tests that measure pages: subtitles, a long
title, an essay whose authors differ from the collection's, figures with credits, licences
and sources, notes called more than once, attributed quotations, a table of figures, and
enough running text to fill several pages at A4 and at A5."""

from __future__ import annotations

import shutil
from pathlib import Path

from helpers import FIXTURES

SENTENCES = (
    "People living with persistent pain told us that the first appointment set the tone "
    "for everything that followed, and that being believed mattered more than any leaflet.",
    "The teams we worked with had tried many things before, from group sessions to "
    "telephone follow-ups, and most of them had worked for a while and then faded.",
    "In 2019 the lab met eleven times, in four cities, with 186 participants who brought "
    "their own experience of services that were meant to help them.",
    "What changed was not the number of appointments but what happened in them: time to "
    "talk, a plan written together, and a name to call when the plan stopped working.",
    "Several general practitioners said that they had never been asked what would make "
    "their own work easier, and that the question itself was a kind of answer.",
    "We kept notes of every session, and the notes show the same three themes returning: "
    "continuity, honesty about what medicine can do, and the weight of waiting.",
    "A pharmacist in Leeds described reviewing 340 prescriptions in a single month, each "
    "one a conversation that had not happened at the surgery.",
    "The ideas that survived were small and practical; the ones that did not were those "
    "that asked an already stretched team to start something new from nothing.",
)

SERIES = (
    # (title, subtitle, authors, paragraphs, extras)
    ("An introduction", "Why we asked these questions", [], 9, ("note", "figure")),
    ("Listening first", "", ["Ada Author"], 8, ("quote", "note", "table")),
    ("What the participants told us about waiting, continuity of care and the long road "
     "between a first appointment and a plan that works", "", [], 10, ("figure", "quote")),
    ("Ten ideas", "A short list, tested in practice", ["Cleo Compositor", "Dan Draftsman"],
     9, ("note", "figure", "quote")),
    ("Opening doors", "", [], 8, ("table", "note")),
    ("What comes next", "The lab's plans for 2020 and beyond", [], 9,
     ("figure", "note", "quote")),
)


def paragraph(index: int, seed: int) -> str:
    count = 3 + (index + seed) % 3
    return " ".join(SENTENCES[(index * 3 + seed + k) % len(SENTENCES)] for k in range(count))


def essay_text(number: int, title: str, subtitle: str, authors: list[str], paragraphs: int,
               extras: tuple[str, ...]) -> str:
    front = [f"title: \"{title}\"", f"number: {number}", "date: 2020-03"]
    if subtitle:
        front.append(f"subtitle: \"{subtitle}\"")
    if authors:
        front.append("authors: [" + ", ".join(authors) + "]")
    body: list[str] = []
    for index in range(paragraphs):
        text = paragraph(index, number)
        if "note" in extras and index in (1, 4):
            text += "[^why]" if index == 1 else " We came back to this later.[^why][^more]"
        if index == 3:
            body.append("## What we heard")
        if index == 5 and "figure" in extras:
            body.append(f"![A workshop table with notes and cups](../images/workshop.jpg "
                        f"\"Workshop in Birmingham, February 2019\"){{ credit=\"Alastair Fyfe\" "
                        f"licence=\"CC BY 4.0\" source=\"https://example.org/photos/{number}\" }}")
        if index == 6 and "quote" in extras:
            body.append("> Being listened to was the treatment, and everything else followed "
                        "from it.\n>\n> — Lab participant, Birmingham, 2019")
        if index == 2 and "table" in extras:
            body.append("| City | Sessions | Participants |\n|:--|--:|--:|\n"
                        "| Birmingham | 4 | 71 |\n| Leeds | 3 | 58 |\n| London | 4 | 57 |")
        body.append(text)
    if "note" in extras:
        body.append("[^why]: The reasons are set out in the lab's report of 2019, pages 12 to "
                    "18.\n\n[^more]: Quoted with the participants' permission.")
    return "---\n" + "\n".join(front) + "\n---\n\n" + "\n\n".join(body) + "\n"


def make_series(root: Path, page_size: str = "A4", notes: str = "footnotes") -> Path:
    """Write the six-essay collection into `root` and return it."""
    (root / "essays").mkdir(parents=True)
    (root / "images").mkdir()
    shutil.copy(FIXTURES / "authors" / "images" / "workshop.jpg", root / "images")
    (root / "qlabbook.toml").write_text(
        "[collection]\ntitle = \"Measured Pages\"\nsubtitle = \"Six essays to set and "
        "measure\"\nseries = \"Test project two\"\nauthors = [\"The Q Lab\"]\n"
        "publisher = \"The Q Lab\"\nlanguage = \"en-GB\"\n"
        "identifier = \"urn:uuid:1b8e2f7c-52a4-4c1e-8a34-9d3f1c2b7a11\"\n"
        "date = 2020-03-01\nrights = \"Text © the authors.\"\n\n"
        f"[pdf]\npage_size = \"{page_size}\"\nnotes = \"{notes}\"\n", encoding="utf-8")
    for number, (title, subtitle, authors, paragraphs, extras) in enumerate(SERIES, 1):
        # Named as people do, "3-essay-3.md": the editions carry the number once.
        name = f"{number}-essay-{number}.md"
        (root / "essays" / name).write_text(
            essay_text(number, title, subtitle, authors, paragraphs, extras), encoding="utf-8")
    return root
