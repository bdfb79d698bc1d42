"""Citations and references: BibTeX and CSL-JSON read, pandoc's syntax, the three shipped
styles through the whole conversion (XHTML: entries, order, links, roles), and every error
located at its file and line."""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from qlabbook.build import inspect_collection, load_collection
from qlabbook.references.bibliography import read_bibtex, read_json
from qlabbook.references.syntax import NARRATIVE, key_of, parse_bracketed
from qlabbook.source.diagnostics import Diagnostics, QlabbookError

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "citations"
XHTML = "{http://www.w3.org/1999/xhtml}"


def collection(tmp_path: Path, style: str, files: str = '["references.bib", "more.json"]',
               ) -> Path:
    root = tmp_path / "c"
    shutil.copytree(FIXTURE, root, ignore=shutil.ignore_patterns(".qlabbook-cache"))
    config = root / "qlabbook.toml"
    text = re.sub(r'^style = .*$', f'style = "{style}"', config.read_text(), flags=re.M)
    config.write_text(re.sub(r"^files = .*$", f"files = {files}", text, flags=re.M))
    return root


def tree(html: str) -> ET.Element:
    return ET.fromstring(f'<div xmlns="http://www.w3.org/1999/xhtml">{html}</div>')


def entries(html: str) -> list[tuple[str, str]]:
    """(id, text) of each entry of the References section."""
    section = next(e for e in tree(html).iter(f"{XHTML}section"))
    assert section.get("role") == "doc-bibliography"
    return [(li.get("id", ""), " ".join("".join(li.itertext()).split()))
            for li in section.iter(f"{XHTML}li")]


def citation_links(html: str) -> list[tuple[str, str]]:
    """(href, text) of each citation's link to its entry."""
    return [(a.get("href", ""), "".join(a.itertext())) for a in tree(html).iter(f"{XHTML}a")
            if a.get("class") == "qlab-biblioref"]


# --- reading the bibliography ----------------------------------------------------------------

def test_bibtex_accents_corporate_authors_doi_url_and_access_date() -> None:
    diagnostics = Diagnostics()
    read = read_bibtex((FIXTURE / "references.bib").read_text(), Path("references.bib"),
                       diagnostics)
    items = {entry.key: entry for entry in read}
    assert not diagnostics.items
    mueller = items["mueller2018"].item
    assert mueller["author"] == [{"family": "Müller", "given": "Jürgen"},
                                 {"family": "Łukasz", "given": "Ewa"}]
    assert mueller["container-title"] == "BMJ"  # an @string macro
    assert mueller["DOI"] == "10.1136/bmj.k1401" and mueller["page"] == "k1401-k1409"
    nhs = items["nhs2019"].item
    assert nhs["author"] == [{"literal": "NHS England"}] and nhs["type"] == "webpage"
    assert nhs["title"] == "The NHS Long Term Plan"  # case-protecting braces gone
    assert nhs["URL"] == "https://www.longtermplan.nhs.uk/publication/nhs-long-term-plan/"
    assert nhs["accessed"] == {"date-parts": [[2019, 5, 14]]}
    assert items["williams2019"].item["issued"] == {"date-parts": [[2020, 8]]}
    kolk = items["vanderkolk2014"].item["author"][0]
    assert kolk == {"family": "Kolk", "given": "Bessel", "non-dropping-particle": "van der"}
    assert items["mueller2018"].line == 15  # 1-based, where the entry starts


def test_csl_json_keys_and_lines() -> None:
    read = read_json((FIXTURE / "more.json").read_text(), Path("more.json"), Diagnostics())
    assert [(e.key, e.line) for e in read] == [("qlab2019", 3), ("eccleston2017", 14)]


# --- syntax -------------------------------------------------------------------------------

@pytest.mark.parametrize(("content", "expected"), [
    ("@key", [("key", "", "", "", "", False)]),
    ("@key, p. 12", [("key", "", "", "page", "12", False)]),
    ("see @a; @b, chap. 3", [("a", "see", "", "", "", False),
                             ("b", "", "", "chapter", "3", False)]),
    ("-@smith2019", [("smith2019", "", "", "", "", True)]),
    ("see @a, pp. 33-35, emphasis added", [("a", "see", ", emphasis added", "page", "33-35",
                                            False)]),
    ("@{doe:2019}", [("doe:2019", "", "", "", "", False)]),
    ("write to jane@example.org", None),
    ("see @a; and nothing", None),
])
def test_bracketed_citations(content: str, expected: list[tuple[object, ...]] | None) -> None:
    items = parse_bracketed(content)
    got = None if items is None else [(i.key, i.prefix, i.suffix, i.label, i.locator,
                                       i.suppress_author) for i in items]
    assert got == expected


@pytest.mark.parametrize(("text", "key"), [
    ("@smith2019 says", "smith2019"), ("as @doe:2019. Then", "doe:2019"),
    ("mail jane@example.org today", None), ("https://medium.com/@user", None),
    ('<img alt="@2x" src="a@2x.png">', None),
])
def test_narrative_citations(text: str, key: str | None) -> None:
    found = re.search(NARRATIVE, text)
    assert (key_of(found) if found else None) == key


# --- the three styles through the conversion --------------------------------------------------

def test_vancouver_numbers_per_essay_in_order_of_first_citation(tmp_path: Path) -> None:
    first, second = load_collection(collection(tmp_path, "vancouver")).essays
    assert citation_links(first.body_html)[:4] == [
        ("#e1-ref1", "(1)"), ("#e1-ref2", "(2)"), ("#e1-ref3", "(see 3"), ("#e1-ref4", "4)")]
    listed = entries(first.body_html)
    assert [id_ for id_, _ in listed] == [f"e1-ref{n}" for n in range(1, 7)]
    assert listed[0][1].startswith("1. Williams AC de C, Fisher E, Hearn L, Eccleston C. "
                                   "Psychological therapies")
    assert listed[1][1] == ("2. Müller J, Łukasz E. Persistent pain in primary care: a cohort "
                            "study. BMJ. 2018;361:k1401–9. doi:10.1136/bmj.k1401")
    assert "[cited 2019 May 14]. Available from: https://www.longtermplan" in listed[2][1]
    # The second essay lists only its own works, numbered from 1.
    assert [text[:12] for _, text in entries(second.body_html)] == [
        "1. NHS Engla", "2. van der K", "3. Müller J,"]
    # Narrative citations and a citation in a footnote; note numbering is untouched.
    assert "van der Kolk (5)" in " ".join("".join(tree(first.body_html).itertext()).split())
    assert citation_links(first.footnotes[0].html) == [("#e1-ref4", "(4)"), ("#e1-ref6", "(6)")]
    assert [f.number for f in first.footnotes] == [1, 2]
    assert first.headings[-1].text == "References" and first.references == "e1-references"
    assert first.citations == ("williams2019", "mueller2018", "nhs2019", "qlab2019",
                               "vanderkolk2014", "eccleston2017")


def test_dois_and_urls_are_links(tmp_path: Path) -> None:
    first = load_collection(collection(tmp_path, "vancouver")).essays[0]
    section = next(e for e in tree(first.body_html).iter(f"{XHTML}section"))
    links = {a.get("href"): a.text for a in section.iter(f"{XHTML}a")}
    assert links["https://doi.org/10.1136/bmj.k1401"] == "doi:10.1136/bmj.k1401"
    assert links["https://q.health.org.uk/resource/q-lab-insight-report/"] == \
        "https://q.health.org.uk/resource/q-lab-insight-report/"


def test_apa_author_date_sorted_narrative_and_suppressed_author(tmp_path: Path) -> None:
    first = load_collection(collection(tmp_path, "apa")).essays[0]
    text = " ".join("".join(tree(first.body_html).itertext()).split())
    assert "with pain (Williams et al., 2020)." in text
    assert "over a decade (Müller & Łukasz, 2018, pp. 3–5)." in text
    assert "(see NHS England, 2019; The Q Lab, 2019, Chapter 3)." in text
    assert "van der Kolk (2014) argues" in text and "Eccleston (2017, p. 214) writes" in text
    assert "The cohort (2018) was small." in text
    listed = [t for _, t in entries(first.body_html)]
    assert [t.split(" (")[0].split(",")[0] for t in listed] == [
        "Eccleston", "Müller", "NHS England.", "The Q Lab.", "van der Kolk", "Williams"]
    assert "https://doi.org/10.1136/bmj.k1401" in listed[1]
    # Each citation links to its own entry, wherever the sort put it.
    assert citation_links(first.body_html)[0] == ("#e1-ref6", "(Williams et al., 2020)")


def test_chicago_notes_number_citations_with_the_essays_own_notes(tmp_path: Path) -> None:
    first = load_collection(collection(tmp_path, "chicago-note-bibliography")).essays[0]
    body = first.body_html
    assert 'with pain.<qlab-note n="1" call="1"' in body  # after the full stop, no space
    assert 'van der Kolk</span><qlab-note n="4"' in body
    assert 'The cohort<qlab-note n="6" call="1"></qlab-note> was small.' in body
    notes = {f.number: " ".join("".join(tree(f.html).itertext()).split())
             for f in first.footnotes}
    assert len(notes) == 10
    assert notes[1].startswith("Amanda C. de C. Williams et al., ‘Psychological Therapies")
    assert notes[2] == ("Jürgen Müller and Ewa Łukasz, ‘Persistent Pain in Primary Care: A "
                        "Cohort Study’, BMJ 361 (2018): 3–5, doi:10.1136/bmj.k1401.")
    assert notes[3].startswith("See NHS England, ‘The NHS Long Term Plan’, 2019, https://")
    assert notes[6].startswith("‘Persistent Pain in Primary Care: A Cohort Study’, BMJ")
    # The essay's own note keeps its text, with short-form citations inside it.
    assert notes[7] == ("Their answers are in the report The Q Lab, Mental Health and "
                        "Persistent Pain: Insight Report, June 2019, 12, and the method in "
                        "Eccleston, ‘Pain and the Family’, 2017.")
    assert notes[9] == "Ibid."
    listed = [t for _, t in entries(body)]
    assert listed[0].startswith("Eccleston, Christopher. ‘Pain and the Family’.")
    assert len(listed) == 6


@pytest.mark.parametrize("style", ["vancouver", "apa", "chicago-note-bibliography"])
def test_csl_json_alone(tmp_path: Path, style: str) -> None:
    root = collection(tmp_path, style, files='["more.json"]')
    (root / "essays" / "01-sources.md").write_text(
        "---\ntitle: T\nnumber: 1\n---\n\nAs reported [@qlab2019, p. 4]; see @eccleston2017.\n")
    (root / "essays" / "02-again.md").unlink()
    essay = load_collection(root).essays[0]
    texts = [t for _, t in entries(essay.body_html)]
    assert len(texts) == 2 and any("Mental health and persistent pain" in t or
                                   "Mental Health and Persistent Pain" in t for t in texts)


def test_email_code_and_escaped_at_are_not_citations(tmp_path: Path) -> None:
    first = load_collection(collection(tmp_path, "vancouver")).essays[0]
    text = " ".join("".join(tree(first.body_html).itertext()).split())
    assert "Write to the lab at lab@example.org, or see its page at https://example.org/@qlab;" \
        in text
    assert "a literal @williams2019 is no citation, nor is [@williams2019] in code." in text


def test_without_a_bibliography_citations_stay_text(tmp_path: Path) -> None:
    root = collection(tmp_path, "apa")
    config = root / "qlabbook.toml"
    config.write_text(config.read_text().split("[bibliography]")[0])
    first = load_collection(root).essays[0]
    assert "pain [@williams2019]." in first.body_html and "<section" not in first.body_html


# --- errors -------------------------------------------------------------------------------

def refused(root: Path) -> list[str]:
    diagnostics = Diagnostics()
    with pytest.raises(QlabbookError):
        load_collection(root, diagnostics)
    return [d.format().split("\n")[0] for d in diagnostics.errors]


def test_unknown_key_at_its_line_with_did_you_mean(tmp_path: Path) -> None:
    root = collection(tmp_path, "vancouver")
    essay = root / "essays" / "01-sources.md"
    essay.write_text(essay.read_text().replace("[@mueller2018, pp. 3-5]", "[@muller2018]"))
    diagnostics = Diagnostics()
    with pytest.raises(QlabbookError):
        load_collection(root, diagnostics)
    [error] = diagnostics.errors
    assert error.format() == ("essays/01-sources.md:9: error: citation key @muller2018 is in "
                              "no bibliography file [B201]\n    hint: did you mean @mueller2018?")


def test_malformed_bibtex_at_its_line(tmp_path: Path) -> None:
    root = collection(tmp_path, "vancouver")
    bib = root / "references.bib"
    bib.write_text(bib.read_text() + "\n@article{broken,\n  author = {Oops\n  title = {x},\n}\n")
    assert refused(root) == [
        "references.bib:41: error: malformed BibTeX entry '@article{broken,' [B102]"]


def test_malformed_json_at_its_line(tmp_path: Path) -> None:
    root = collection(tmp_path, "vancouver")
    (root / "more.json").write_text('[\n  {"id": "a",\n   "title": "x"\n  ,\n]\n')
    assert refused(root)[0].startswith("more.json:5: error: invalid CSL-JSON")


def test_missing_file_and_unknown_style_at_qlabbook_toml(tmp_path: Path) -> None:
    root = collection(tmp_path, "harvard-x", files='["references.bib", "gone.json"]')
    assert refused(root) == [
        "qlabbook.toml:12: error: bibliography file 'gone.json' not found [B101]",
        "qlabbook.toml:13: error: unknown citation style 'harvard-x' [B103]"]


def test_a_collection_csl_file_and_the_aliases(tmp_path: Path) -> None:
    root = collection(tmp_path, "styles/mine.csl")
    (root / "styles").mkdir()
    shutil.copy(Path(__file__).resolve().parents[2] / "src" / "qlabbook" / "references" /
                "styles" / "apa.csl", root / "styles" / "mine.csl")
    assert "(Williams et al., 2020)" in load_collection(root).essays[0].body_html
    for alias in ("nlm-citation-sequence", "chicago-notes-bibliography"):
        assert load_collection(collection(tmp_path / alias, alias)).essays[0].citations


def test_check_warns_of_uncited_entries_and_duplicate_keys(tmp_path: Path) -> None:
    root = collection(tmp_path, "vancouver")
    bib = root / "references.bib"
    bib.write_text(bib.read_text() + "\n@misc{spare, title = {Spare}}\n"
                   "@misc{qlab2019, title = {Twice}}\n")
    diagnostics = Diagnostics()
    inspect_collection(root, diagnostics)
    assert [d.format().split("\n")[0] for d in diagnostics.warnings] == [
        "more.json:3: warning: the key 'qlab2019' is defined twice (first at "
        "references.bib:42): the first is used [B104]",
        "references.bib:41: warning: the entry 'spare' is never cited [B105]"]
    # A build warns about the duplicate only: uncited entries are check's to report.
    built = Diagnostics()
    load_collection(root, built)
    assert [d.code for d in built.warnings] == ["B104"]


TITLE_ONLY = """<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">
  <info><title>Title only</title><id>title-only</id>
    <updated>2019-01-01T00:00:00+00:00</updated></info>
  <citation><layout prefix="[" suffix="]"><text variable="citation-number"/></layout></citation>
  <bibliography><layout><text variable="title"/></layout></bibliography>
</style>
"""


def test_a_style_that_drops_dois_and_urls_still_gives_them(tmp_path: Path) -> None:
    root = collection(tmp_path, "title-only.csl")
    (root / "title-only.csl").write_text(TITLE_ONLY)
    first = load_collection(root).essays[0]
    assert citation_links(first.body_html)[0] == ("#e1-ref1", "[1]")
    listed = dict(entries(first.body_html))
    assert listed["e1-ref2"] == ("Persistent pain in primary care: a cohort study "
                                 "https://doi.org/10.1136/bmj.k1401")
    assert listed["e1-ref3"] == ("The NHS Long Term Plan "
                                 "https://www.longtermplan.nhs.uk/publication/nhs-long-term-plan/")
    section = next(e for e in tree(first.body_html).iter(f"{XHTML}section"))
    assert "https://doi.org/10.1136/bmj.k1401" in {a.get("href") for a in section.iter()}


def test_remembered_essays_keep_their_references_and_forget_them_when_the_bib_changes(
        tmp_path: Path) -> None:
    root = collection(tmp_path, "vancouver")
    first = load_collection(root, cache=True).essays[0]
    again = load_collection(root, cache=True).essays[0]  # from the cache folder
    assert again == first and again.references == "e1-references"
    assert again.citations == first.citations
    bib = root / "references.bib"
    bib.write_text(bib.read_text().replace("The {NHS} Long Term Plan", "The Plan"))
    changed = load_collection(root, cache=True).essays[0]
    assert "The Plan [Internet]" in changed.body_html
    assert "Long Term Plan" not in changed.body_html
