"""The citations collection (tests/fixtures/citations: BibTeX and CSL-JSON, every form of
pandoc's citation syntax) built in each shipped style: the EPUB's References sections, roles,
links and navigation, EPUBCheck, the PDF's text, tags and hanging indents, and the time a
build takes against the same series with its references typed by hand."""

from __future__ import annotations

import re
import shutil
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from helpers import epub_documents, epubcheck, page_texts, run_cli
from qlabbook.build import BuildRequest, build, load_collection

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "citations"
STYLES = ["vancouver", "apa", "chicago-note-bibliography"]
XHTML = "{http://www.w3.org/1999/xhtml}"


def styled(tmp_path: Path, style: str) -> Path:
    root = tmp_path / style
    shutil.copytree(FIXTURE, root, ignore=shutil.ignore_patterns(".qlabbook-cache"))
    config = root / "qlabbook.toml"
    config.write_text(re.sub(r"^style = .*$", f'style = "{style}"', config.read_text(),
                             flags=re.MULTILINE))
    return root


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("citations")
    outs = {}
    for style in STYLES:
        root = styled(tmp, style)
        result: Any = run_cli("build", root, "--out", tmp / f"out-{style}")
        assert result.exit_code == 0, result.output
        outs[style] = tmp / f"out-{style}"
    return outs


def words(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.slow
@pytest.mark.parametrize("style", STYLES)
def test_epub_references_sections_roles_links_and_nav(builds: dict[str, Path],
                                                       style: str) -> None:
    documents = epub_documents(builds[style] / "citing-sources.epub")
    first = ET.fromstring(documents["EPUB/01-sources.xhtml"])
    [section] = [s for s in first.iter(f"{XHTML}section") if s.get("role") ==
                 "doc-bibliography"]
    assert section.get("aria-labelledby") == "e1-references"
    heading = section.find(f"{XHTML}h2")
    assert heading is not None and words("".join(heading.itertext())) == "References"
    items = section.findall(f"{XHTML}*/{XHTML}li")
    assert [li.get("id") for li in items] == [f"e1-ref{n}" for n in range(1, 7)]
    ids = {element.get("id") for element in first.iter()}
    citations = [a for a in first.iter(f"{XHTML}a") if a.get("class") == "qlab-biblioref"]
    assert len(citations) == 13 and all(a.get("href", "")[1:] in ids for a in citations)
    hrefs = {a.get("href") for a in section.iter(f"{XHTML}a")}
    assert {"https://doi.org/10.1136/bmj.k1401",
            "https://doi.org/10.1002/14651858.CD007407.pub4",
            "https://q.health.org.uk/resource/q-lab-insight-report/"} <= hrefs
    nav = documents["EPUB/nav.xhtml"]
    assert '<a href="01-sources.xhtml#e1-references">References</a>' in nav
    assert '<a href="02-again.xhtml#e2-references">References</a>' in nav
    second = ET.fromstring(documents["EPUB/02-again.xhtml"])
    assert len([li for li in second.iter(f"{XHTML}li") if li.get("class") == "reference"]) == 3


@pytest.mark.slow
@pytest.mark.external
@pytest.mark.parametrize("style", STYLES)
def test_epubcheck_passes(builds: dict[str, Path], style: str) -> None:
    messages = epubcheck(builds[style] / "citing-sources.epub")
    assert [m for m in messages if m["severity"] in ("FATAL", "ERROR", "WARNING")] == []


@pytest.mark.slow
def test_pdf_text_in_each_style(builds: dict[str, Path]) -> None:
    vancouver = words(" ".join(page_texts(builds["vancouver"] / "citing-sources.pdf")))
    assert "live better with pain (1). A cohort" in vancouver
    assert "2. Müller J, Łukasz E. Persistent pain in primary care: a cohort study. BMJ. " \
        "2018;361:k1401–9. doi:10.1136/bmj.k1401" in vancouver
    assert "References 1. NHS England. The NHS Long Term Plan [Internet]." in vancouver
    apa = words(" ".join(page_texts(builds["apa"] / "citing-sources.pdf")))
    assert "van der Kolk (2014) argues" in apa
    assert "Müller, J., & Łukasz, E. (2018). Persistent pain in primary care: a cohort " \
        "study. BMJ, 361, k1401–k1409. https://doi.org/10.1136/bmj.k1401" in apa
    chicago = words(" ".join(page_texts(builds["chicago-note-bibliography"] /
                                        "citing-sources.pdf")))
    assert "live better with pain.1 A cohort" in chicago
    assert "9 Ibid." in chicago
    assert "Kolk, Bessel van der. The Body Keeps the Score" in chicago


@pytest.mark.slow
def test_pdf_lists_are_tagged_with_hanging_indents_and_in_the_contents(
        builds: dict[str, Path]) -> None:
    import pikepdf
    import pypdf

    pdf_path = builds["vancouver"] / "citing-sources.pdf"
    with pikepdf.open(pdf_path) as pdf:
        kinds: list[str] = []
        stack = [pdf.Root.StructTreeRoot]
        while stack:
            node = stack.pop()
            if isinstance(node, pikepdf.Dictionary):
                kinds.append(str(node.get("/S", "")))
                kids = node.get("/K")
                stack.extend(kids if isinstance(kids, pikepdf.Array) else
                             [kids] if isinstance(kids, pikepdf.Dictionary) else [])
        # Two essays' lists of 6 and 3 entries, and the contents' lists.
        assert kinds.count("/LI") >= 9 and "/L" in kinds
    texts = page_texts(pdf_path)
    import fitz  # PyMuPDF reads the contents' lines in the order they are set

    with fitz.open(pdf_path) as document:
        contents = next(" ".join(page.get_text().split()) for page in document
                        if page.get_text().startswith("Contents"))
    # Essay 1 opens on page 1 and its References begin on page 2; essay 2 and its
    # References are on page 3.
    assert re.search(r"1 Where the evidence comes from[ .]*1 References[ .]*2 "
                     r"2 Citing again[ .]*3 References[ .]*3$", contents), contents
    page = next(i for i, t in enumerate(texts) if "References 1. Williams" in t)
    runs: list[tuple[str, float, float]] = []  # text, x, y of each run

    def visit(text: str, cm: Any, tm: Any, font: Any, size: Any) -> None:
        if text.strip():
            runs.append((text.strip(), tm[4], tm[5]))

    pypdf.PdfReader(pdf_path).pages[page].extract_text(visitor_text=visit)
    label = next(x for t, x, _ in runs if t == "1.")
    entry = next(x for t, x, _ in runs if t.startswith("Williams AC"))
    # Every line of the list starts either with a number in its column or, for the
    # entries' text and their continuation lines, at one indent past it.
    list_y = next(y for t, _, y in runs if t == "1.")
    line_starts = {}
    for _, x, y in runs:
        if list_y - 0.5 <= y < list_y + 400:  # the list, below its heading
            line_starts.setdefault(round(y, 1), x)
    continuations = [x for x in line_starts.values() if abs(x - label) > 1.5]
    assert entry - label > 10 and continuations
    assert all(abs(x - entry) < 1.5 for x in continuations), (label, entry, continuations)


REPOSITORY = Path(__file__).resolve().parents[2]


def seed_with_citations(root: Path) -> Path:
    """The repository's essay, its ten notes citing ten works of a BibTeX file."""
    shutil.copytree(REPOSITORY / "essays", root / "essays")
    shutil.copytree(REPOSITORY / "images", root / "images")
    config = (REPOSITORY / "qlabbook.toml").read_text()
    (root / "qlabbook.toml").write_text(
        config.replace('profiles = ["screen", "press"]', 'profiles = ["screen"]') +
        '\n[bibliography]\nfiles = ["references.bib"]\nstyle = "vancouver"\n')
    (root / "references.bib").write_text("".join(
        f"@article{{work{n},\n  author = {{Author{n}, Ann and Writer, Bob}},\n"
        f"  title = {{Study number {n} of persistent pain}},\n  journal = {{Pain}},\n"
        f"  year = {{20{n:02d}}}, volume = {{{n}}}, pages = {{{n}1--{n}9}},\n"
        f"  doi = {{10.1097/j.pain.{n:07d}}},\n}}\n" for n in range(1, 11)))
    [essay] = (root / "essays").glob("*.md")
    essay.write_text(re.sub(r"^\[\^(\d+)\]: Reference (\d+) of the original essay.*$",
                            r"[^\1]: Reference \2 of the original essay [@work\2, p. 12].",
                            essay.read_text(), flags=re.MULTILINE))
    return root


def as_markdown(element: ET.Element) -> str:
    """An entry as its author would type it: links and italics kept."""
    text = element.text or ""
    for child in element:
        inner = as_markdown(child)
        if child.tag == "a":
            inner = f"[{inner}]({child.get('href')})"
        elif child.tag == "i":
            inner = f"*{inner}*"
        text += inner + (child.tail or "")
    return text


def by_hand(source: Path, target: Path) -> None:
    """The same series without citations: each one replaced by the text it prints, and each
    essay's References typed as a numbered list (vancouver), with their links."""
    shutil.copytree(source, target, ignore=shutil.ignore_patterns(".qlabbook-cache"))
    config = target / "qlabbook.toml"
    config.write_text(config.read_text().split("[bibliography]")[0])
    for essay in load_collection(source).essays:
        html = ET.fromstring(f'<div>{essay.body_html}</div>')
        section = next(html.iter("section"))
        listed = [as_markdown(li).split(" ", 1)[1] for li in section.iter("li")]
        path = target / essay.source.path
        text = re.sub(r"\[(?:see )?-?@[^\]]*\]", "(1)", path.read_text())
        text = re.sub(r"(?<![\w\\])@(\w+)", r"\1 (2)", text)
        path.write_text(text + "\n\n## References\n\n" +
                        "".join(f"{n}. {entry}\n" for n, entry in enumerate(listed, 1)))


@pytest.mark.slow
@pytest.mark.timing
def test_a_build_with_citations_takes_at_most_ten_percent_longer(tmp_path: Path) -> None:
    """The repository's essay with its notes citing works, against the same essay with
    the notes and the References typed by hand. Processor time (what the build spends,
    whatever else the machine runs); each series is built once first, so that both find
    their modules imported and their fonts loaded."""
    cited = seed_with_citations(tmp_path / "cited")
    assert len(load_collection(cited).essays[0].citations) == 10
    typed = tmp_path / "typed"
    by_hand(cited, typed)

    def seconds(root: Path) -> float:
        out = tmp_path / f"out-{root.name}"
        shutil.rmtree(out, ignore_errors=True)
        started = time.process_time()
        build(BuildRequest(root, out, cache=False, jobs=1))
        return time.process_time() - started

    seconds(typed), seconds(cited)
    times: dict[Path, list[float]] = {cited: [], typed: []}
    for _ in range(5):  # alternating, so both see the same state of the machine
        for root in (typed, cited):
            times[root].append(seconds(root))
    with_citations, without = min(times[cited]), min(times[typed])
    assert with_citations <= 1.10 * without, (with_citations, without)


def test_an_unknown_key_is_a_warning_and_printed_as_pandoc_prints_it(tmp_path: Path) -> None:
    root = styled(tmp_path, "apa")
    essay = root / "essays" / "02-again.md"
    essay.write_text(essay.read_text().replace("[@nhs2019]", "[@NHS2019]"))
    result: Any = run_cli("build", root, "--out", tmp_path / "out", "--format", "epub")
    assert result.exit_code == 0, result.output
    assert "essays/02-again.md:7: warning: citation key @NHS2019 is in no bibliography file " \
        "[B201]\n    hint: did you mean @nhs2019?" in result.output
    documents = epub_documents(tmp_path / "out" / "citing-sources.epub")
    assert '(<strong class="citation-missing">NHS2019?</strong>)' in \
        documents["EPUB/02-again.xhtml"]


def test_check_lists_uncited_entries(tmp_path: Path) -> None:
    root = styled(tmp_path, "vancouver")
    (root / "essays" / "02-again.md").write_text("---\ntitle: Again\nnumber: 2\n---\n\nNo "
                                                  "citations here.\n")
    (root / "essays" / "01-sources.md").write_text(
        "---\ntitle: One\nnumber: 1\n---\n\nOnly this one [@nhs2019].\n")
    result: Any = run_cli("check", root)
    assert result.exit_code == 0
    lines = [line for line in result.output.splitlines() if "[B105]" in line]
    assert lines == [  # the report sorts by file and line
        "more.json:3: warning: the entry 'qlab2019' is never cited [B105]",
        "more.json:14: warning: the entry 'eccleston2017' is never cited [B105]",
        "references.bib:4: warning: the entry 'williams2019' is never cited [B105]",
        "references.bib:15: warning: the entry 'mueller2018' is never cited [B105]",
        "references.bib:33: warning: the entry 'vanderkolk2014' is never cited [B105]"]
