"""A BibTeX file mangled every way a hand or an editor mangles one (a character, a brace, a
quote, a comma or an `=` deleted; a line doubled; the file cut short; a backslash, a brace,
an at sign, a per cent sign or bytes that are not UTF-8 put in) still gives a collection or
a clean refusal whose every diagnostic names its file and line and has a code and a hint;
never an exception, never markup that is not well-formed."""

from __future__ import annotations

import random
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from qlabbook.build import load_collection
from qlabbook.markdown.sanitize import DANGEROUS
from qlabbook.references.bibliography import read_bibtex
from qlabbook.source.diagnostics import Diagnostics, QlabbookError

BIB = (Path(__file__).resolve().parents[1] / "data" / "realistic.bib").read_bytes()
STYLES = ["vancouver", "apa", "chicago-note-bibliography"]
XHTML = "{http://www.w3.org/1999/xhtml}"
KEYS = ["smith2019", "vanderkolk2014", "painconf2018", "jones2018", "eccleston2017",
        "garcia2016", "who2020", "nhs2019", "q2019", "draft2021", "r2020"]
EVERY_FORM = ("As shown [@smith2019; @vanderkolk2014, p. 3], and @jones2018 [p. 46] says "
              "[-@eccleston2017]. More [see @garcia2016; @who2020] and [@nhs2019; @q2019; "
              "@draft2021; @r2020; @painconf2018].^[In a note [@smith2019].]")


def collection(root: Path, style: str, bib: bytes, body: str) -> Path:
    (root / "essays").mkdir(parents=True, exist_ok=True)
    (root / "qlabbook.toml").write_text(
        '[collection]\ntitle = "Mangled"\nauthors = ["A"]\nlanguage = "en-GB"\n'
        f'date = 2019-06-01\n\n[bibliography]\nfiles = ["references.bib"]\nstyle = "{style}"\n')
    (root / "references.bib").write_bytes(bib)
    (root / "essays" / "01-e.md").write_text(f"---\ntitle: E\nnumber: 1\n---\n\n{body}\n")
    return root


def outcome(root: Path, bib: bytes) -> str:
    """'ok' for a collection whose essay is well-formed, 'refused' for a clean refusal.
    Either way every diagnostic is located, coded and hinted. Anything else raises."""
    diagnostics = Diagnostics()
    try:
        essays = load_collection(root, diagnostics).essays
        result = "ok"
    except QlabbookError:
        essays, result = (), "refused"
    lines = {"references.bib": bib.count(b"\n") + 1,
             "essays/01-e.md": (root / "essays" / "01-e.md").read_text().count("\n") + 1}
    for diagnostic in diagnostics.items:
        where = diagnostic.path.as_posix() if diagnostic.path else None
        assert where in lines and diagnostic.line is not None, diagnostic.format()
        assert 1 <= diagnostic.line <= lines[where], (diagnostic.format(), lines[where])
        assert diagnostic.hint, diagnostic.format()
    for essay in essays:
        for html in (essay.body_html, *(note.html for note in essay.footnotes)):
            try:
                tree = ET.fromstring(f'<div xmlns="http://www.w3.org/1999/xhtml">{html}</div>')
            except ET.ParseError as error:  # pragma: no cover - the failure tested for
                raise AssertionError(f"not well-formed: {error}\n{html}") from error
            tags = {str(element.tag).rpartition("}")[2] for element in tree.iter()}
            assert not tags & DANGEROUS, html  # a field's text is text, whatever it holds
            hrefs = [a.get("href", "") for a in tree.iter(f"{XHTML}a")]
            assert all(h.startswith(("#", "https://", "http://", "ftp://", "mailto:"))
                       for h in hrefs), hrefs
    return result


def mutations(seed: int) -> list[tuple[str, bytes]]:
    """(what was done, the file) for each mangling, the same ones every run."""
    chance = random.Random(seed)
    found: list[tuple[str, bytes]] = []

    def positions(byte: bytes | None, count: int) -> list[int]:
        where = [i for i in range(len(BIB)) if byte is None or BIB[i:i + 1] == byte]
        return chance.sample(where, min(count, len(where)))

    for at in positions(None, 40):
        found.append((f"delete byte {at}", BIB[:at] + BIB[at + 1:]))
    for byte, count in ((b"{", 16), (b"}", 16), (b'"', 8), (b",", 16), (b"=", 12)):
        for at in positions(byte, count):
            found.append((f"delete {byte!r} at {at}", BIB[:at] + BIB[at + 1:]))
    lines = BIB.split(b"\n")
    for number in chance.sample(range(len(lines)), 14):
        doubled = [*lines[:number + 1], lines[number], *lines[number + 1:]]
        found.append((f"double line {number + 1}", b"\n".join(doubled)))
    for end in range(0, len(BIB), max(1, len(BIB) // 36)):
        found.append((f"cut at {end}", BIB[:end]))
    for text in (b"\\", b"{", b"}", b"@", b"%", b"\xff", b"\xc3(", b"\x80\x80", b"\x00"):
        for at in positions(None, 8):
            found.append((f"insert {text!r} at {at}", BIB[:at] + text + BIB[at:]))
    for text in (b"\x00", b"\x1b", b"\\", b'"', b"<script>"):  # into an address
        at = BIB.index(b"https://", BIB.index(b"@techreport")) + 9
        found.append((f"insert {text!r} in a URL", BIB[:at] + text + BIB[at:]))
    return found


def changed_keys(bib: bytes, base: dict[str, object]) -> list[str]:
    """The keys whose work reads differently from the unmangled file's (or is new)."""
    read = read_bibtex(bib.decode("utf-8", "replace"), Path("references.bib"), Diagnostics())
    return [entry.key for entry in read if base.get(entry.key) != entry.item]


def cite(keys: list[str]) -> str:
    keys = [key for key in keys if key and not any(c.isspace() or c in "{}[];@\\" for c in key)]
    return "; ".join(f"@{{{key}}}" for key in keys)


@pytest.mark.parametrize("style", STYLES)
def test_the_realistic_file_builds_in_each_style(tmp_path: Path, style: str) -> None:
    root = collection(tmp_path / style, style, BIB, EVERY_FORM)
    diagnostics = Diagnostics()
    essay = load_collection(root, diagnostics).essays[0]
    assert [d.format().split("\n")[0] for d in diagnostics.items] == [
        "references.bib:23: warning: the field 'url' is given twice in 'smith2019' (first at "
        "line 22): the last is used, as pandoc and biber do [B106]"]
    assert essay.citations == tuple(dict.fromkeys(
        ["smith2019", "vanderkolk2014", "jones2018", "eccleston2017", "garcia2016", "who2020",
         "nhs2019", "q2019", "draft2021", "r2020", "painconf2018"]))
    assert outcome(root, BIB) == "ok"


def test_every_mangling_gives_a_collection_or_located_diagnostics(tmp_path: Path) -> None:
    started = time.perf_counter()
    base = {entry.key: entry.item for entry in
            read_bibtex(BIB.decode(), Path("references.bib"), Diagnostics())}
    chance = random.Random(7)
    outcomes: dict[str, int] = {}
    for index, (what, bib) in enumerate(mutations(seed=2019)):
        style = STYLES[index % len(STYLES)]
        # The works the mangling changed, and one it may have lost (then printed by its key);
        # the whole essay, in every form of citation, for one mangling in 25.
        keys = [*changed_keys(bib, base), chance.choice(KEYS)]
        body = EVERY_FORM if index % 25 == 0 else f"Cited [{cite(keys)}]."
        root = collection(tmp_path / f"m{index}", style, bib, body)
        try:
            result = outcome(root, bib)
        except AssertionError as error:  # pragma: no cover - the failure tested for
            raise AssertionError(f"{what} ({style}): {error}") from error
        outcomes[result] = outcomes.get(result, 0) + 1
    # Both ends are exercised: manglings BibTeX shrugs off, and ones that are errors.
    assert outcomes.get("ok", 0) > 50 and outcomes.get("refused", 0) > 20, outcomes
    assert time.perf_counter() - started < 60  # about 15 s on a laptop, serially
