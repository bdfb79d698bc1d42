"""The shipped CSL styles by the names users know, a collection's own .csl files, and the
small repairs citeproc-py needs to print them as their authors meant."""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from lxml import etree

from qlabbook.references.rich import MARK, is_mark, plain

CSL = "{http://purl.org/net/xbiblio/csl}"
STYLE_FILES = {
    "nlm-citation-sequence": "nlm-citation-sequence.csl",
    "apa": "apa.csl",
    "chicago-note-bibliography": "chicago-notes-bibliography-16th-edition.csl",
}
# Names users know from pandoc, Zotero and older style packs, and the repository's renames.
ALIASES = {
    "vancouver": "nlm-citation-sequence", "nlm": "nlm-citation-sequence",
    "chicago-notes-bibliography": "chicago-note-bibliography",
    "chicago-notes": "chicago-note-bibliography", "chicago": "chicago-note-bibliography",
    "chicago-notes-bibliography-16th-edition": "chicago-note-bibliography",
    "apa-7th-edition": "apa",
}


# What a CSL style's citations are: numbers ([1]), authors and years (Ada 2020), notes.
StyleKind = Literal["numeric", "author-date", "note"]


class StyleError(Exception):
    """A style cannot be read (the message says why)."""


@dataclass(frozen=True)
class Style:
    """A parsed CSL style and what kind of citations it makes."""

    name: str
    path: Path  # the CSL file
    csl: Any  # citeproc.CitationStylesStyle
    kind: StyleKind
    hanging: bool  # the bibliography asks for hanging indents
    label_column: bool  # the entries' numbers stand in a column of their own
    locale: str  # the locale whose terms it prints: en-GB


def style_names() -> list[str]:
    return sorted({*STYLE_FILES, *ALIASES})


def shipped_style_path(name: str) -> Path | None:
    canonical = ALIASES.get(name.lower(), name.lower())
    file = STYLE_FILES.get(canonical)
    if file is None:
        return None
    return Path(str(resources.files("qlabbook.references") / "styles" / file))


def load_style(path: Path, name: str, locale: str) -> Style:
    """Parse a CSL file for `locale` (a BCP 47 tag such as en-GB)."""
    from citeproc import CitationStylesStyle

    try:
        tree = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True))
    except (OSError, etree.XMLSyntaxError) as error:
        raise StyleError(f"the style {path.name} is not a readable CSL file: {error}") from error
    root = tree.getroot()
    if root.tag != f"{CSL}style" or root.find(f"{CSL}citation") is None:
        raise StyleError(f"{path.name} is not an independent CSL style (it has no "
                         "<citation> of its own)")
    repair_localized_dates(root)
    repair_citeproc()
    base = locale.split("-")[0].lower()
    csl, chosen = None, ""
    for candidate in dict.fromkeys((locale, f"{base}-{base.upper()}", "en-US")):
        try:  # "fr" is read as fr-FR; a language citeproc has no terms for, in English
            csl = CitationStylesStyle(io.BytesIO(etree.tostring(tree)), locale=candidate,
                                      validate=False)
            chosen = candidate
            break
        except ValueError:
            continue
        except Exception as error:  # a style citeproc-py trips on: said, not a traceback
            raise StyleError(f"{path.name}: citeproc-py cannot read this style "
                             f"({type(error).__name__}: {error})") from None
    if csl is None:
        raise StyleError(f"{path.name}: citeproc-py cannot read this style")
    bibliography = root.find(f"{CSL}bibliography")
    kind: StyleKind = "note" if root.get("class") == "note" else "author-date"
    citation_layout = root.find(f"{CSL}citation/{CSL}layout")
    if kind != "note" and citation_layout is not None and any(
            element.get("variable") == "citation-number" for element in citation_layout.iter()):
        kind = "numeric"
    hanging = bibliography is not None and bibliography.get("hanging-indent") == "true"
    label_column = bibliography is not None and bool(bibliography.get("second-field-align"))
    return Style(name, path, csl, kind, hanging, label_column, chosen)


def repair_localized_dates(root: Any) -> None:
    """A date format defined in the style's own <locale> keeps its delimiter: citeproc-py
    joins its parts with the calling date's (none), printing "2019May" for "2019 May"."""
    formats = {date.get("form"): date.get("delimiter")
               for date in root.iterfind(f"{CSL}locale/{CSL}date")
               if date.get("delimiter") is not None}
    for date in root.iter(f"{CSL}date"):
        if date.getparent().tag == f"{CSL}locale":
            continue
        delimiter = formats.get(date.get("form"))
        if delimiter is not None and date.get("delimiter") is None:
            date.set("delimiter", delimiter)


@functools.cache
def compiled_xpath(expression: str) -> Any:
    return etree.XPath(expression, namespaces={
        "cs": "http://purl.org/net/xbiblio/csl", "xml": "http://www.w3.org/XML/1998/namespace"})


@functools.cache
def repair_citeproc() -> None:
    """Repairs to citeproc-py 0.11.1, made once. It looks up the same macros and
    ancestors thousands of times per essay: the expressions are compiled once, and each
    element remembers its answers (the style never changes once read; an element object
    lxml drops and makes again asks anew). And `is-numeric` reads the citation's locator."""
    from citeproc import model

    def xpath_search(self: Any, expression: str) -> Any:
        answers = self.__dict__.setdefault("_qlabbook_xpath", {})
        if expression not in answers:
            answers[expression] = compiled_xpath(expression)(self)
        return answers[expression]

    model.CitationStylesElement.xpath_search = xpath_search

    def is_numeric(self: Any, item: Any) -> list[bool]:
        """`is-numeric="locator"` tests the citation's locator, which citeproc-py looks for
        among the work's variables (so APA printed "2019, 3" for "chap. 3")."""
        results = []
        for variable in self.get("is-numeric").split():
            if variable == "locator":
                locator = getattr(item, "locator", None) if "locator" in item else None
                value = str(locator.identifier) if locator is not None else ""
                results.append(bool(value) and bool(self.re_numeric.match(value)))
            else:
                name = variable.replace("-", "_")
                results.append(name in item.reference and
                               bool(self.re_numeric.match(str(item.reference[name]))))
        return results

    model.If._is_numeric = is_numeric
    repair_rich_text()


def repair_rich_text() -> None:
    """rich.py's marks (a field's emphasis, links) stand before a word's first letter:
    a capital goes on that letter, and sorting reads the text without them. An empty
    string, which citeproc-py indexes into, is left as it is."""
    from citeproc import model, string

    def capitalize_first(self: Any) -> Any:
        index = next((i for i, char in enumerate(self) if not is_mark(char)), None)
        if index is None:
            return self
        return self.__class__(self[:index] + self[index].upper() + self[index + 1:])

    string.String.capitalize_first = capitalize_first

    def mixed(self: Any) -> Any:
        segments = list(self)
        for index, segment in enumerate(segments):
            if any(not is_mark(char) for char in str(segment)):
                capitalize = getattr(segment, "capitalize_first", None)
                segments[index] = capitalize() if capitalize else \
                    capitalize_first(string.String(segment))
                return self.__class__(segments)
        return self

    string.MixedString.capitalize_first = mixed
    sort_keys = model.Key.sort_keys

    def unmarked_sort_keys(self: Any, items: Any, context: Any) -> Any:
        keys = sort_keys(self, items, context)
        return [plain(str(key)) if isinstance(key, str | list) and MARK.search(str(key))
                else key for key in keys]

    model.Key.sort_keys = unmarked_sort_keys
