"""One error type and the diagnostics every stage reports through it."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"


# Every diagnostic the library can give, by stable code. The prefix names the stage:
# C config, S sources, A assembly, B bibliography and citations, M Markdown conversion,
# I images, R rendering, E the EPUB's accessibility claims and page list, H the web edition,
# W writing.
CODES: dict[str, str] = {
    "C101": "qlabbook.toml is missing",
    "C102": "qlabbook.toml is not valid TOML",
    "C103": "a collection field is missing or has the wrong type",
    "C104": "an option has a value qlabbook does not know",
    "C105": "qlabbook.toml has a table or key qlabbook does not know (it is ignored)",
    "S101": "a file is not UTF-8",
    "S102": "front matter is missing or unterminated",
    "S103": "front matter is not valid YAML",
    "S104": "a front matter field is missing or has the wrong type",
    "S105": "a control character was removed",
    "S106": "an unknown front matter field",
    "S107": "an essay file is larger than qlabbook accepts",
    "S108": "a stylesheet loads something from outside the collection",
    "S109": "a collection file is a symbolic link to a place outside the collection",
    "S110": "the EPUB stylesheet loads a file the EPUB does not carry",
    "S111": "a Markdown file in the essays folder is not in the stated series order",
    "S112": "an essay is a draft (draft: true, published: false): it is left out",
    "S113": "a post in a format qlabbook does not read (a Jupyter notebook) is left out",
    "A101": "the collection has no essays",
    "A102": "two essays share a number",
    "A103": "two essays share a slug",
    "A104": "no essay has the number asked for",
    "A105": "an essay's slug is the name of a folder the web edition keeps for its own files",
    "B101": "a bibliography file named in qlabbook.toml is missing",
    "B102": "a bibliography file is malformed",
    "B103": "the citation style is unknown or cannot be read",
    "B104": "a bibliography key is defined twice (the first definition is used)",
    "B105": "a bibliography entry is never cited (qlabbook check)",
    "B106": "a BibTeX field is given twice in one entry (the last is used, as pandoc and "
            "biber do)",
    "B107": "a LaTeX command in a bibliography field prints nothing qlabbook knows: it is "
            "left out",
    "B108": "a BibTeX @string name is not defined (its name is printed)",
    "B109": "a bibliography entry or field cannot be used as written: it is left out",
    "B110": "an entry cannot be formatted in the citation style: it is cited by its key",
    "B201": "a citation names a key that no bibliography file defines (it is printed as "
            "**key?**, as pandoc prints it)",
    "M101": "a footnote is referenced but never defined: the call is printed as written",
    "M102": "a footnote is defined but never referenced",
    "M103": "a footnote is defined twice",
    "M104": "a footnote calls another footnote: its text is printed there in parentheses",
    "M105": "elements are nested too deeply",
    "M106": "an essay has too many footnotes",
    "M107": "an essay took too long to convert",
    "M108": "a fenced div is never closed: its fences are printed as text",
    "M109": "footnotes written in HTML (a superscript link to an anchor) were read as notes "
            "by a guess: check them",
    "M110": "a grid table cell spans rows: its parts are read as rows of their own",
    "M111": "a pipe table's delimiter row has fewer cells than its header: the cells beyond "
            "are left out, as pandoc leaves them",
    "M202": "a link points to a heading that does not exist",
    "M203": "a link to a local file that is not in the collection keeps its text only",
    "M204": "a link to a site page that is not in the collection keeps its text only (or "
            "links to the site's address, when [essays] site gives it)",
    "M205": "a template shortcode link that names no essay keeps its text only",
    "M206": "a web address without http(s):// was made a link to https://",
    "M207": "a link was resolved by a close match: a heading in another case, an essay by "
            "its name",
    "M208": "a cross-reference (pandoc-crossref's @fig:x, @tbl:x, @eq:x, @sec:x) names no "
            "label in the series: it is printed as written",
    "M209": "a cross-reference in Quarto's form (@fig-x, @tbl-x, @eq-x, @sec-x) names no "
            "label in the series, or one that several essays have",
    "M210": "a page-form cross-reference ([@fig-x, page]) names several labels",
    "M301": "an unsafe or unknown raw HTML element was removed",
    "M302": "a raw HTML attribute outside the allow-list was removed",
    "M303": "a URL with an unsafe scheme (javascript:, data:, file:...) was removed",
    "M304": "a URL that cannot be valid was removed",
    "M401": "a code fence is never closed, so the code runs to the end of its container",
    "M402": "a formula cannot be converted to MathML (its TeX is printed as code)",
    "M403": "an essay's executable code chunks (Quarto's ```{r}) are shown, not run",
    "M404": "raw LaTeX (\\begin{tabular}, \\cite{x}), which only LaTeX can typeset, is "
            "printed as code",
    "M501": "a site template's output (Liquid's {{ page.x }}, Hugo's param) whose value "
            "is not known before the site is built is left out",
    "M502": "a Liquid tag the book cannot render (an include, a loop over the site's posts, a "
            "plugin's tag) is left out",
    "M503": "a Hugo shortcode of the site's theme is left out, or its content kept without "
            "what the theme adds",
    "I101": "an image file is missing",
    "I102": "an image lies outside the collection",
    "I103": "an image has no alt text",
    "I104": "an image file cannot be read as an image",
    "I105": "an image prints below 150 ppi in the press PDF",
    "I106": "an image is too large (pixels or file size)",
    "R101": "the renderer reported a problem",
    "R102": "a footnote could not be kept on the page of its call",
    "R103": "a character is missing from the book's fonts and printed with the fallback font",
    "R104": "a character is missing from every shipped font",
    "R105": "the PDF renderer failed",
    "R106": "a page-form cross-reference's page did not settle: it may be a page out",
    "E101": "an image has no text alternative: the EPUB does not claim alternativeText",
    "E102": "a heading skips a level: the EPUB does not claim structuralNavigation",
    "E103": "the page list cannot follow the PDF edition: the EPUB leaves it out",
    "E104": "an image is animated: the EPUB does not claim to be free of hazards",
    "H101": "the web pages cannot show the print edition's page numbers",
    "H102": "a build of single essays writes no web edition",
    "W101": "an output file cannot be written",
    "W102": "a new essay's file already exists",
    "W103": "qlabbook.toml already exists: init writes nothing",
    "W104": "a new essay's title is an existing essay's: new writes nothing",
}


@dataclass(frozen=True)
class Diagnostic:
    """One problem, located in a source file (path relative to the collection root)."""

    code: str
    message: str
    path: Path | None = None
    line: int | None = None
    severity: Severity = Severity.ERROR
    hint: str | None = None

    def format(self) -> str:
        where = ""
        if self.path is not None:
            where = self.path.as_posix() + (f":{self.line}" if self.line else "") + ": "
        text = f"{where}{self.severity.value}: {self.message} [{self.code}]"
        if self.hint:
            text += f"\n    hint: {self.hint}"
        return text

    def as_record(self) -> dict[str, str | int | None]:
        """The diagnostic as JSON-ready data (check --format json, the render cache)."""
        return {"code": self.code, "severity": self.severity.value, "message": self.message,
                "path": self.path.as_posix() if self.path else None, "line": self.line,
                "hint": self.hint}

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Diagnostic:
        path, line = record.get("path"), record.get("line")
        return cls(str(record["code"]), str(record["message"]),
                   Path(path) if isinstance(path, str) else None,
                   line if isinstance(line, int) else None,
                   Severity(record.get("severity", "warning")), record.get("hint"))


class QlabbookError(Exception):
    """Raised once by a stage with every error it found (warnings ride along)."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = diagnostics
        super().__init__("\n".join(d.format() for d in diagnostics))

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity is Severity.ERROR]


@dataclass
class Diagnostics:
    """Collects what the stages find, so one run reports every problem at once."""

    items: list[Diagnostic] = field(default_factory=list)

    def error(self, code: str, message: str, path: Path | None = None,
              line: int | None = None, hint: str | None = None) -> None:
        self._add(Diagnostic(code, message, path, line, Severity.ERROR, hint))

    def warning(self, code: str, message: str, path: Path | None = None,
                line: int | None = None, hint: str | None = None) -> None:
        self._add(Diagnostic(code, message, path, line, Severity.WARNING, hint))

    def add(self, diagnostic: Diagnostic) -> None:
        """Take over a diagnostic found elsewhere (in a worker process, or a cache record)."""
        self._add(diagnostic)

    def _add(self, diagnostic: Diagnostic) -> None:
        assert diagnostic.code in CODES, diagnostic.code
        if diagnostic not in self.items:
            self.items.append(diagnostic)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity is Severity.WARNING]

    def raise_if_errors(self) -> None:
        """End the stage: raise with everything collected so far if any of it is an error."""
        if self.errors:
            raise QlabbookError(list(self.items))
