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
from qlabbook.references.rich import to_html
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


def bibtex(text: str) -> tuple[dict[str, dict[str, object]], list[str]]:
    """The items of `text` as a .bib file, with their text as HTML, and the diagnostics."""
    diagnostics = Diagnostics()
    read = read_bibtex(text, Path("r.bib"), diagnostics)
    items = {entry.key: {name: to_html(value) if isinstance(value, str) else value
                         for name, value in entry.item.items()} for entry in read}
    return items, [d.format() for d in diagnostics.items]


@pytest.mark.parametrize(("field", "html"), [
    (r"see \href{https://x.org/a?b=1&c=2}{the site}",
     'see <a href="https://x.org/a?b=1&amp;c=2">the site</a>'),
    (r"at \url{https://x.org/a\_b}", 'at <a href="https://x.org/a_b">https://x.org/a_b</a>'),
    (r"An \emph{emph}, \textit{it}, {\em em} and \textbf{bold}",
     "An <em>emph</em>, <i>it</i>, <em>em</em> and <b>bold</b>"),
    (r"{\"o}, \"{u}, \'e, {\'\i}, \c{c}, \v s, \ss{}, {\L}, \aa", "ö, ü, é, í, ç, š, ß, Ł, å"),
    (r"A \& B -- C --- D~E `q' ``qq'' it's", "A &amp; B – C — D\u00a0E ‘q’ “qq” it’s"),
    (r"$x^2$, $H_2O$, $\alpha$-synuclein, $\frac{1}{2}$",
     "<i>x</i><sup>2</sup>, <i>H</i><sub>2</sub><i>O</i>, α-synuclein, 1/2"),
    (r"\textsc{Who} and 1\textsuperscript{st}",
     '<span class="smallcaps">Who</span> and 1<sup>st</sup>'),
    (r"\foo{kept} \mbox{also} <b> & 50%", "kept also &lt;b&gt; &amp; 50%"),
    (r"\href{javascript:alert(1)}{text only}", "text only"),
    (r"{{Nested}} groups, \-soft\/ and \\ break", "Nested groups, soft and break"),
])
def test_latex_in_fields_as_pandoc_prints_it(field: str, html: str) -> None:
    items, diagnostics = bibtex(f"@misc{{a,\n  title = {{{field}}},\n}}\n")
    assert items["a"]["title"] == html and diagnostics == []


def test_a_latex_command_that_prints_nothing_is_a_warning_at_its_line() -> None:
    items, diagnostics = bibtex("@misc{a,\n  title = {One},\n  note = {first line\n"
                                "    and \\xyz here},\n  abstract = {see \\href{https://x.org}"
                                "{the site}},\n}\n")
    assert items["a"]["note"] == "first line and here"
    assert items["a"]["abstract"] == 'see <a href="https://x.org">the site</a>'
    assert diagnostics == [
        "r.bib:4: warning: the LaTeX command \\xyz in the field 'note' of 'a' prints nothing "
        "qlabbook knows: it is left out [B107]\n    hint: write the text or character the "
        "command stands for"]


def test_a_field_given_twice_is_a_warning_and_the_last_is_used() -> None:
    items, diagnostics = bibtex("@misc{a,\n  url = {https://a.org},\n  title = {T},\n"
                                "  url = {https://b.org},\n}\n")
    assert items["a"]["URL"] == "https://b.org" and items["a"]["title"] == "T"
    assert diagnostics == [
        "r.bib:4: warning: the field 'url' is given twice in 'a' (first at line 2): the last "
        "is used, as pandoc and biber do [B106]\n    hint: remove the one you do not mean"]


def test_strings_concatenation_months_crossref_and_preamble() -> None:
    items, diagnostics = bibtex(
        '@preamble{"\\newcommand{\\noopsort}[1]{}"}\n'
        '@string{j = "Journal"}\n@comment{ignored}\n% a comment\n'
        "@article{a, journal = j # { of } # {Pain}, title = {\\noopsort{1}One},\n"
        "  year = 2019, month = aug, crossref = {p}}\n"
        "@proceedings{p, title = {The Proceedings}, publisher = {P}, year = 2018,\n"
        "  editor = {Ed, Ann}}\n"
        "@inproceedings{b, title = {Two}, crossref = {p}}\n"
        "@misc{c, title = undefined, crossref = {nowhere}}\n")
    assert items["a"]["container-title"] == "Journal of Pain" and items["a"]["title"] == "One"
    assert items["a"]["issued"] == {"date-parts": [[2019, 8]]}
    # A child of a proceedings takes its title as the book's title, and what it lacks.
    assert items["b"]["container-title"] == "The Proceedings"
    assert items["b"]["editor"] == [{"family": "Ed", "given": "Ann"}]
    assert items["b"]["issued"] == {"date-parts": [[2018]]} and items["b"]["publisher"] == "P"
    assert [d.split("\n")[0] for d in diagnostics] == [
        "r.bib:10: warning: the @string name 'undefined' in 'title' of 'c' is not defined: its "
        "name is printed [B108]",
        "r.bib:10: warning: the crossref of 'c' names 'nowhere', which no entry of this file "
        "defines [B109]"]


def test_malformed_values_keys_and_encodings_are_located(tmp_path: Path) -> None:
    items, diagnostics = bibtex("@misc{a,\n  title = Not braced at all,\n}\n"
                                "@misc{a, title = {Again}}\n@misc{, title = {No key}}\n"
                                "@misc{b,\n  title = {Fine}}\n}\n  note = {stray},\n")
    assert set(items) == {"a", "b"}
    assert [d.split("\n")[0] for d in diagnostics] == [
        "r.bib:2: error: the value of 'title' of 'a' is not in braces or quotes [B102]",
        "r.bib:4: warning: the key 'a' is defined twice (first at r.bib:1): the first is used "
        "[B104]",
        "r.bib:5: warning: the @misc has no key: it is left out [B109]",
        "r.bib:9: warning: text that looks like fields stands outside any entry: it is ignored "
        "[B109]"]
    root = collection(tmp_path, "vancouver")
    bib = root / "references.bib"
    bib.write_bytes(bib.read_bytes().replace(b"Penguin", b"Pen\xe7uin"))
    with pytest.raises(QlabbookError) as raised:
        load_collection(root, Diagnostics())
    assert [d.format() for d in raised.value.errors] == [
        "references.bib:36: error: the bibliography is not UTF-8: byte 0xe7 cannot be read "
        "[B102]\n    hint: save the file as UTF-8 (JabRef: Library > Library properties > "
        "Encoding; Zotero and Mendeley export UTF-8)"]


def test_emphasis_links_and_math_survive_the_styles_text_case(tmp_path: Path) -> None:
    root = collection(tmp_path, "chicago-note-bibliography")
    bib = root / "references.bib"
    bib.write_text(bib.read_text() + "\n@book{rich2001, author = {Zed, Anna}, year = 2001,\n"
                   "  publisher = {P}, title = {\\emph{the} art of $x^2$ at "
                   "\\url{https://u.org/a_b}}}\n")
    essay = root / "essays" / "02-again.md"
    essay.write_text(essay.read_text() + "\nAnd [@rich2001].\n")
    second = load_collection(root).essays[1]
    listed = second.body_html[second.body_html.index("<section"):]
    # Title case capitalizes words, never a formula or an address; emphasis inside an
    # italic title is upright, as CSL flips it.
    assert ('<i><em class="upright">The</em> Art of <i class="upright">x</i><sup>2</sup> at '
            '<a href="https://u.org/a_b">https://u.org/a_b</a></i>') in listed
    # In the note, the title's link is text: the citation is a link to its entry already.
    note = second.footnotes[-1].html
    assert note.count("<a ") == 1 and "<span>https://u.org/a_b</span>" in note


def test_csl_json_rich_text_and_shapes_citeproc_cannot_print() -> None:
    diagnostics = Diagnostics()
    [entry] = read_json('[{"id": "a", "type": "book", "title": "<i>Pain</i> & <b>gain</b> <x>",'
                        ' "author": "Smith", "issued": {"date-parts": [["2019", "6"]]}}]',
                        Path("m.json"), diagnostics)
    assert to_html(entry.item["title"]) == "<i>Pain</i> &amp; <b>gain</b> &lt;x&gt;"
    assert entry.item["issued"] == {"date-parts": [[2019, 6]]} and "author" not in entry.item
    assert [d.format().split("\n")[0] for d in diagnostics.items] == [
        "m.json:1: warning: the item 'a' gives 'author' as something other than a list of "
        "names: it is left out [B109]"]


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


def test_apa_narrative_citation_in_an_essay_with_no_suppressed_author(tmp_path: Path) -> None:
    root = collection(tmp_path, "apa")
    essay = root / "essays" / "02-again.md"
    essay.write_text(essay.read_text() + "\n@vanderkolk2014 argues it again.\n")
    second = load_collection(root).essays[1]
    text = " ".join("".join(tree(second.body_html).itertext()).split())
    assert "van der Kolk (2014) argues it again." in text


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


def test_unknown_key_warns_at_its_line_and_is_printed_as_pandoc_prints_it(
        tmp_path: Path) -> None:
    root = collection(tmp_path, "apa")
    essay = root / "essays" / "01-sources.md"
    essay.write_text(essay.read_text().replace("[@mueller2018, pp. 3-5]", "[@muller2018]")
                     .replace("[see @nhs2019; @qlab2019, chap. 3]",
                              "[see @nhs2019; @gone2020; @qlab2019, chap. 3]")
                     .replace("@vanderkolk2014 argues", "@nobody argues"))
    diagnostics = Diagnostics()
    first = load_collection(root, diagnostics).essays[0]
    assert not diagnostics.errors
    assert [d.format() for d in diagnostics.warnings] == [
        "essays/01-sources.md:9: warning: citation key @muller2018 is in no bibliography file "
        "[B201]\n    hint: did you mean @mueller2018?",
        "essays/01-sources.md:10: warning: citation key @gone2020 is in no bibliography file "
        "[B201]\n    hint: add the work to a bibliography file, or write \\@ for an at sign "
        "that is no citation",
        "essays/01-sources.md:12: warning: citation key @nobody is in no bibliography file "
        "[B201]\n    hint: add the work to a bibliography file, or write \\@ for an at sign "
        "that is no citation"]
    text = " ".join("".join(tree(first.body_html).itertext()).split())
    # pandoc's way: the key in bold with a question mark, where the work would be cited,
    # inside the style's brackets, the other works of the citation formatted as usual.
    assert "over a decade (muller2018?)." in text
    assert "Policy followed (see NHS England, 2019; gone2020?; The Q Lab, 2019, Chapter 3)." \
        in text
    assert "nobody? argues" in text
    assert '<strong class="citation-missing">gone2020?</strong>' in first.body_html
    assert [href for href, _ in citation_links(first.body_html)][1:3] == ["#e1-ref3", "#e1-ref4"]
    # The References list the works that exist.
    assert len(entries(first.body_html)) == 5


def test_a_citation_of_a_malformed_entry_points_at_its_error(tmp_path: Path) -> None:
    root = collection(tmp_path, "vancouver")
    bib = root / "references.bib"
    bib.write_text(bib.read_text().replace("  doi       = {10.1136/bmj.k1401},\n",
                                           "  doi       = {10.1136/bmj.k1401,\n"))
    diagnostics = Diagnostics()
    with pytest.raises(QlabbookError):
        load_collection(root, diagnostics)
    assert [d.format().split("\n")[0] for d in diagnostics.errors] == [
        "references.bib:15: error: malformed BibTeX entry '@article{mueller2018,' [B102]"]
    assert diagnostics.errors[0].hint == (
        "the entry is not closed before the next one begins at line 25: a `}` or a quote is "
        "missing")
    cited = [d for d in diagnostics.warnings if d.code == "B201"]
    assert cited and all(d.message == "citation key @mueller2018 names an entry that cannot "
                         "be read" and d.hint == "see the error at references.bib:15"
                         for d in cited)


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


def test_the_shipped_styles_make_each_kind_of_citation() -> None:
    from typing import get_args

    from qlabbook.references.styles import STYLE_FILES, StyleKind, load_style, shipped_style_path

    kinds = {}
    for name in STYLE_FILES:
        path = shipped_style_path(name)
        assert path is not None
        kinds[name] = load_style(path, name, "en-GB").kind
    assert kinds == {"nlm-citation-sequence": "numeric", "apa": "author-date",
                     "chicago-note-bibliography": "note"}
    assert set(kinds.values()) == set(get_args(StyleKind))
