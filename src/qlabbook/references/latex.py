"""The LaTeX of a BibTeX field as pandoc's reader prints it: accents and symbols as
characters, `\\emph` and its kin as formatting (rich.py's marks), `\\url` and `\\href` as
links, `--` as a dash, math as text with its super- and subscripts. A command qlabbook does
not know keeps the text of its argument; only one whose text would be lost is reported.

Never raises: any string gives a string, whatever its braces and backslashes."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import quote

from qlabbook.references import rich

ACCENTS = {
    '"': "\u0308", "'": "\u0301", "`": "\u0300", "^": "\u0302", "~": "\u0303", "=": "\u0304",
    ".": "\u0307", "u": "\u0306", "v": "\u030c", "H": "\u030b", "c": "\u0327", "k": "\u0328",
    "r": "\u030a", "d": "\u0323", "b": "\u0331", "t": "\u0361", "G": "\u030f", "h": "\u0309",
    "U": "\u030e", "f": "\u0311",
}
# An accent with nothing under it, as a character of its own.
SPACING_ACCENTS = {'"': "¨", "'": "´", "`": "`", "^": "^", "~": "~", "=": "¯", ".": "˙",
                   "u": "˘", "v": "ˇ", "H": "˝", "c": "¸", "k": "˛", "r": "˚"}
SYMBOLS = {
    # letters
    "ss": "ß", "SS": "SS", "o": "ø", "O": "Ø", "l": "ł", "L": "Ł", "ae": "æ", "AE": "Æ",
    "oe": "œ", "OE": "Œ", "aa": "å", "AA": "Å", "i": "ı", "j": "ȷ", "dh": "ð", "DH": "Ð",
    "dj": "đ", "DJ": "Đ", "th": "þ", "TH": "Þ", "ng": "ŋ", "NG": "Ŋ", "ij": "ĳ", "IJ": "Ĳ",
    # escapes and punctuation
    "&": "&", "%": "%", "$": "$", "#": "#", "_": "_", "{": "{", "}": "}", " ": " ",
    "textendash": "–", "textemdash": "—", "ldots": "…", "dots": "…", "textellipsis": "…",
    "textquoteleft": "‘", "textquoteright": "’", "textquotedblleft": "“",
    "textquotedblright": "”", "textquotedbl": '"', "textquotesingle": "'",
    "guillemotleft": "«", "guillemotright": "»", "guillemetleft": "«",
    "guillemetright": "»", "guilsinglleft": "‹", "guilsinglright": "›",
    "quotedblbase": "„", "quotesinglbase": "‚", "textbackslash": "\\",
    "textasciitilde": "~", "textasciicircum": "^", "textunderscore": "_", "textbar": "|",
    "textless": "<", "textgreater": ">", "textbullet": "•", "textdegree": "°",
    "textperiodcentered": "·", "textregistered": "®", "texttrademark": "™",
    "copyright": "©", "textcopyright": "©", "S": "§", "P": "¶", "textsection": "§",
    "textparagraph": "¶", "dag": "†", "ddag": "‡", "textdagger": "†", "textdaggerdbl": "‡",
    "pounds": "£", "textsterling": "£", "euro": "€", "texteuro": "€", "EUR": "€",
    "textcent": "¢", "textyen": "¥", "textdollar": "$", "textmu": "µ",
    "textonehalf": "½", "textonequarter": "¼", "textthreequarters": "¾",
    "textexclamdown": "¡", "textquestiondown": "¿", "slash": "/", "textslash": "/",
    "textminus": "−", "texttimes": "×", "textpm": "±", "textnumero": "№",
    "LaTeX": "LaTeX", "TeX": "TeX", "BibTeX": "BibTeX", "LaTeXe": "LaTeX2ε", "XeTeX": "XeTeX",
    "XeLaTeX": "XeLaTeX", "LuaTeX": "LuaTeX", "LuaLaTeX": "LuaLaTeX", "ConTeXt": "ConTeXt",
    "eTeX": "ε-TeX", "pdfTeX": "pdfTeX", "pdfLaTeX": "pdfLaTeX", "AmS": "AMS",
    # spaces and breaks
    "nobreakspace": "\u00a0", "space": " ", "quad": "\u2003", "qquad": "\u2003\u2003",
    "enspace": "\u2002", "thinspace": "\u2009", ",": "\u2009", ";": " ", ":": " ",
    "\\": " ", "newline": " ", "linebreak": " ", "par": " ", "break": " ", "cr": " ",
    "-": "", "/": "", "@": "", "!": "", "relax": "", "protect": "", "noindent": "",
    "nolinebreak": "", "nobreak": "", "nocorr": "", "unskip": "", "ignorespaces": "",
    "hfill": " ", "hfil": " ", "allowbreak": "", "null": "", "empty": "",
    "leavevmode": "", "xspace": "", "smallskip": " ", "medskip": " ", "bigskip": " ",
    "centering": "", "raggedright": "", "raggedleft": "", "item": " ", "hyphen": "-",
}
# Commands printed as text whose following space is a word space, not TeX's to eat.
WORDS = {"LaTeX", "TeX", "BibTeX", "LaTeXe", "XeTeX", "XeLaTeX", "LuaTeX", "LuaLaTeX",
         "ConTeXt", "eTeX", "pdfTeX", "pdfLaTeX", "AmS", "ldots", "dots", "textellipsis",
         "copyright", "textcopyright", "textregistered", "texttrademark", "euro",
         "texteuro", "EUR", "pounds", "textsterling", "dag", "ddag", "S", "P"}
# Commands whose argument is printed with a format (rich.py's kinds).
FORMATS = {
    "emph": "em", "mkbibemph": "em", "textit": "i", "textsl": "i", "mkbibitalic": "i",
    "textbf": "b", "mkbibbold": "b", "textsc": "sc", "textsuperscript": "sup",
    "mkbibsuperscript": "sup", "textsubscript": "sub", "mkbibsubscript": "sub",
    "texttt": "code", "textttup": "code",
}
# Declarations: the rest of the group they stand in, in a format (or in none).
DECLARATIONS = {
    "em": "em", "it": "i", "itshape": "i", "sl": "i", "slshape": "i", "bf": "b",
    "bfseries": "b", "sc": "sc", "scshape": "sc", "tt": "code", "ttfamily": "code",
    "rm": "", "upshape": "", "normalfont": "", "sf": "", "sffamily": "", "mdseries": "",
    "rmfamily": "", "tiny": "", "scriptsize": "", "footnotesize": "", "small": "",
    "normalsize": "", "large": "", "Large": "", "LARGE": "", "huge": "", "Huge": "",
    "selectfont": "", "boldmath": "", "unboldmath": "",
}
# Commands whose one argument is printed as it is.
TRANSPARENT = {
    "textup", "textrm", "textsf", "textnormal", "textmd", "textlf", "mbox", "makebox",
    "hbox", "fbox", "text", "oldstylenums", "hyperref", "NoCaseChange", "nocase",
    "underline", "uline", "ul", "textstyle", "hyperlink", "textenglish", "textgerman",
    "textfrench", "textspanish", "textitalian", "textdutch", "textportuguese",
    "textrussian", "textgreek", "textlatin", "textpolish", "textswedish", "textdanish",
    "textnorwegian", "textfinnish", "textczech", "texthungarian", "textturkish",
    "textarabic", "texthebrew", "textchinese", "textjapanese", "textkorean", "bibstring",
    "mkbibnamefamily", "mkbibnamegiven", "mkbibnameprefix", "mkbibnamesuffix", "acronym",
    "acs", "acl", "ac", "gls", "cite", "citet", "citep", "citeauthor", "citeyear",
    "parencite", "textcite", "autocite",
}
# Commands printed as nothing, with the number of arguments they take.
SILENT = {
    "noopsort": 1, "sortnoop": 1, "SortNoop": 1, "noop": 1, "nosort": 1, "hspace": 1,
    "vspace": 1, "label": 1, "index": 1, "color": 1, "hyphenation": 1, "selectlanguage": 1,
    "begin": 1, "end": 1, "pagecolor": 1, "phantom": 1, "addtocounter": 2, "setcounter": 2,
    "footnotemark": 0, "nocite": 1, "urlprefix": 0, "urlstyle": 1, "discretionary": 3,
    "vphantom": 1,
}
# Commands whose first argument is dropped and second printed.
SECOND = {"textcolor", "foreignlanguage", "colorbox", "raisebox", "bibinfo", "foreignquote",
          "hyphenrules"}
QUOTES = {"enquote": ("“", "”"), "mkbibquote": ("“", "”"), "textquote": ("“", "”"),
          "mkbibparens": ("(", ")"), "mkbibbrackets": ("[", "]")}
CASES = {"MakeUppercase": str.upper, "uppercase": str.upper, "MakeTextUppercase": str.upper,
         "MakeLowercase": str.lower, "lowercase": str.lower, "MakeTextLowercase": str.lower}
MATH_FUNCTIONS = {"sin", "cos", "tan", "cot", "sec", "csc", "log", "ln", "lg", "exp", "lim",
                  "max", "min", "sup", "inf", "det", "arg", "deg", "dim", "gcd", "hom",
                  "ker", "Pr", "sinh", "cosh", "tanh", "arcsin", "arccos", "arctan", "mod",
                  "bmod", "liminf", "limsup"}
MATH_SYMBOLS = {"-": "−", "*": "∗", "'": "′", "<": "<", ">": ">"}
MATH_FORMATS = {"mathrm": "", "mathup": "", "operatorname": "", "mathbf": "b",
                "boldsymbol": "b", "bm": "b", "mathit": "i", "mathsf": "", "mathtt": "code"}
# Text inside math, read as text (its spaces kept).
MATH_TEXT = {"text": "", "textrm": "", "textup": "", "textnormal": "", "mbox": "",
             "textit": "i", "textbf": "b", "textsf": ""}
MATH_ACCENTS = {"hat": "\u0302", "widehat": "\u0302", "bar": "\u0304", "overline": "\u0305",
                "tilde": "\u0303", "widetilde": "\u0303", "dot": "\u0307", "ddot": "\u0308",
                "vec": "\u20d7", "acute": "\u0301", "grave": "\u0300", "check": "\u030c",
                "breve": "\u0306"}
MATH_SILENT = {"left", "right", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl",
               "Bigr", "biggl", "biggr", "displaystyle", "textstyle", "scriptstyle",
               "limits", "nolimits", "middle"}
URL_SCHEMES = re.compile(r"^(?:https?|ftp)://[^\s\"<>]+$|^mailto:[^\s\"<>]+$", re.IGNORECASE)
MAX_DEPTH = 100  # groups in groups: past this, the rest is printed as plain text
INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")
SPACES = re.compile(r"[ \t\n\r\f\v]+")


@dataclass(frozen=True)
class Loss:
    """Something of the field that is not printed: where in the field, and what."""

    offset: int
    what: str


@dataclass
class Result:
    text: str
    losses: list[Loss] = field(default_factory=list)


@functools.cache
def fallback_symbols() -> dict[str, str]:
    """pylatexenc's table of argument-less commands printed as characters (Greek letters,
    arrows, rarer symbols), for commands qlabbook's own tables do not name."""
    try:
        from pylatexenc import latex2text, latexwalker

        text_db = latex2text.get_default_latex_context_db()
        walker_db = latexwalker.get_default_latex_context_db()
        table = {}
        for spec in text_db.iter_macro_specs():
            replacement = spec.simplify_repl
            if not isinstance(replacement, str) or "%" in replacement:
                continue
            walker_spec = walker_db.get_macro_spec(spec.macroname)
            if walker_spec is None or not getattr(walker_spec.args_parser, "argspec", ""):
                table[spec.macroname] = replacement
    except Exception:  # a pylatexenc that is missing or changed: only qlabbook's own tables
        return {}
    for name in ("today", "id", "prime"):
        table.pop(name, None)
    return table


def convert(value: str, formatted: bool = True, silent: frozenset[str] = frozenset()
            ) -> Result:
    """`value`'s LaTeX as text: with rich.py's marks (formats, links, HTML's reserved
    characters) when `formatted`, else plain. `silent` names commands the file's
    @preamble defines as printing nothing (`\\noopsort`)."""
    source = INVALID.sub("", value)
    converter = Converter(source, formatted, silent)
    try:
        text = converter.sequence(0, len(source), math=False)
    except Exception:  # a qlabbook bug: the text without its commands, and a warning
        text = plain_fallback(source, formatted)
        converter.losses.append(Loss(0, "LaTeX qlabbook cannot read"))
    text = SPACES.sub(" ", text).strip()
    if formatted:
        text = tidy_marks(text)
    return Result(text, converter.losses)


def plain_fallback(value: str, formatted: bool) -> str:
    text = re.sub(r"\\[A-Za-z]+|[{}\\$]", "", value)
    return rich.mark_specials(text) if formatted else text


def tidy_marks(text: str) -> str:
    """Spaces moved out of a format's edges, so "\\emph{a }b" reads "<em>a</em> b"; empty
    formats gone."""
    for mark in rich.KINDS.values():
        close = chr(ord(mark) + 1)
        text = text.replace(mark + " ", " " + mark).replace(" " + close, close + " ")
        text = text.replace(mark + close, "")
    return SPACES.sub(" ", text).strip()


def unescape_url(raw: str) -> str:
    """A URL as written in a BibTeX field: TeX's escapes of URL characters undone."""
    return re.sub(r"\\([_%&#$~{}])", r"\1", raw).strip()


class Converter:
    """One field's conversion: positions are indexes into `source`."""

    def __init__(self, source: str, formatted: bool, silent: frozenset[str]) -> None:
        self.source = source
        self.formatted = formatted
        self.silent = silent
        self.losses: list[Loss] = []
        self.in_link = False
        self.in_math = False
        self.depth = 0
        self.too_deep = False

    # -- structure ---------------------------------------------------------------------

    def sequence(self, start: int, end: int, math: bool) -> str:
        """The text of source[start:end]."""
        if self.depth >= MAX_DEPTH:  # braces in braces a hundred deep: their text as is
            if not self.too_deep:
                self.losses.append(Loss(start, "braces nested too deeply"))
                self.too_deep = True
            return plain_fallback(self.source[start:end], self.formatted)
        was_in_math, self.in_math = self.in_math, math
        self.depth += 1
        try:
            return self.parts(start, end, math)
        finally:
            self.in_math = was_in_math
            self.depth -= 1

    def parts(self, start: int, end: int, math: bool) -> str:
        out: list[str] = []
        source = self.source
        index = start
        while index < end:
            char = source[index]
            if char == "\\":
                index, text = self.command(index, end, math)
            elif char == "{":
                close = self.matching(index, end)
                text = self.sequence(index + 1, close, math)
                index = min(close + 1, end)
            elif char == "}":
                index, text = index + 1, ""  # closes nothing: BibTeX and pandoc print nothing
            elif char == "$" and not math:
                index, text = self.math(index, end)
            elif math and char in "^_":
                index, argument = self.argument(index + 1, end, math=True)
                text = self.formatted_as("sup" if char == "^" else "sub", argument)
            elif math and char.isascii() and char.isalpha():
                run = index
                while run < end and source[run].isascii() and source[run].isalpha():
                    run += 1
                text = self.formatted_as("i", self.text(source[index:run]))
                index = run
            else:
                index, text = self.character(index, end, math)
            out.append(text)
        return "".join(out)

    def matching(self, open_index: int, end: int) -> int:
        """The index of the brace closing the one at `open_index` (`end` if none does)."""
        return self.group_end(open_index + 1, end)

    def group_end(self, index: int, end: int) -> int:
        """Where the group `index` stands in ends: its closing brace, or `end`."""
        return next((at for at, char, depth in self.scan(index, end)
                     if char == "}" and depth == 0), end)

    def scan(self, index: int, end: int) -> Iterator[tuple[int, str, int]]:
        """Each character from `index` to `end` with how many groups opened since are open
        before it; an escape (a backslash and the character after it) is one, given at its
        backslash. It ends after the brace closing a group opened before `index`."""
        depth = 0
        source = self.source
        while index < end:
            char = source[index]
            yield index, char, depth
            if char == "\\":
                index += 2
                continue
            if char == "{":
                depth += 1
            elif char == "}":
                if depth == 0:
                    return
                depth -= 1
            index += 1

    def skip_spaces(self, index: int, end: int) -> int:
        while index < end and self.source[index] in " \t\n\r":
            index += 1
        return index

    def raw_argument(self, index: int, end: int) -> tuple[int, int, int] | None:
        """A command's argument after `index`: (where it starts, where its text starts and
        ends: inside the braces of a group), or None when there is none."""
        index = self.skip_spaces(index, end)
        if index >= end or self.source[index] == "}":
            return None
        char = self.source[index]
        if char == "{":
            close = self.matching(index, end)
            return index, index + 1, close
        if char == "\\":
            name_end = index + 1
            while name_end < end and self.source[name_end].isascii() and \
                    self.source[name_end].isalpha():
                name_end += 1
            return index, index, max(name_end, min(index + 2, end))
        return index, index, index + 1

    def argument(self, index: int, end: int, math: bool) -> tuple[int, str]:
        """(where the argument after `index` ends, its text)."""
        found = self.raw_argument(index, end)
        if found is None:
            return index, ""
        start, text_start, text_end = found
        text = self.sequence(text_start, text_end, math)
        return self.after(start, text_end, end), text

    def after(self, start: int, text_end: int, end: int) -> int:
        """Past an argument (and its closing brace, for a group)."""
        return min(text_end + 1, end) if self.source[start] == "{" else text_end

    def skip_argument(self, index: int, end: int) -> int:
        found = self.raw_argument(index, end)
        return index if found is None else self.after(found[0], found[2], end)

    def skip_optional(self, index: int, end: int) -> int:
        """Past an optional `[...]` argument, if one follows."""
        probe = self.skip_spaces(index, end)
        if probe < end and self.source[probe] == "[":
            close = self.source.find("]", probe, end)
            if close >= 0:
                return close + 1
        return index

    # -- characters -------------------------------------------------------------------

    def text(self, text: str) -> str:
        """Text as printed: in math, verbatim (no text case makes x a capital)."""
        if not self.formatted:
            return text
        return rich.verbatim(text) if self.in_math else rich.mark_specials(text)

    def formatted_as(self, kind: str, text: str) -> str:
        return rich.wrap(kind, text) if self.formatted and kind else text

    def character(self, index: int, end: int, math: bool) -> tuple[int, str]:
        source = self.source
        char = source[index]
        if math:
            if char == "~":
                return index + 1, " "
            if char.isspace():
                return index + 1, ""  # TeX sets math's own spaces
            return index + 1, self.text(MATH_SYMBOLS.get(char, char))
        if char == "~":
            return index + 1, "\u00a0"
        if char == "-":
            if source.startswith("---", index):
                return index + 3, "—"
            if source.startswith("--", index):
                return index + 2, "–"
        if char == "`":
            if source.startswith("``", index):
                return index + 2, "“"
            return index + 1, "‘"
        if char == "'":  # TeX sets a straight quote as a right quote (an apostrophe)
            return (index + 2, "”") if source.startswith("''", index) else (index + 1, "’")
        if char in "!?" and source.startswith("`", index + 1):
            return index + 2, "¡" if char == "!" else "¿"
        return index + 1, self.text(char)

    # -- commands ---------------------------------------------------------------------

    def command(self, index: int, end: int, math: bool) -> tuple[int, str]:
        """The command at `index` (a backslash): (where it ends, its text)."""
        source = self.source
        if index + 1 >= end:
            return end, ""  # a backslash at the very end: nothing to print
        name_end = index + 1
        while name_end < end and source[name_end].isascii() and source[name_end].isalpha():
            name_end += 1
        if name_end == index + 1:  # a control symbol: \& \" \, \\ ...
            name, after = source[index + 1], index + 2
            if name in "([" and not math:
                return self.math(index, end)
            if name in ")]":
                return after, ""
        else:
            name, after = source[index + 1:name_end], name_end
            if after < end and source[after] == "*":
                after += 1  # \hspace*, \section*: the star changes nothing printed
            if name not in WORDS:
                after = self.skip_spaces(after, end)  # TeX eats the spaces after a word
        return self.apply(name, index, after, end, math)

    def apply(self, name: str, start: int, after: int, end: int, math: bool
              ) -> tuple[int, str]:
        if name in ACCENTS and not (math and name.isalpha()):
            return self.accent(ACCENTS[name], name, after, end, math)
        if math:
            found = self.math_command(name, after, end)
            if found is not None:
                return found
        if name in DECLARATIONS:  # the rest of the group
            close = self.group_end(after, end)
            return close, self.formatted_as(DECLARATIONS[name],
                                            self.sequence(after, close, math))
        if name in FORMATS:
            index, text = self.argument(after, end, math)
            return index, self.formatted_as(FORMATS[name], text)
        if name in TRANSPARENT:
            return self.argument(self.skip_optional(after, end), end, math)
        if name in QUOTES:
            index, text = self.argument(after, end, math)
            left, right = QUOTES[name]
            return index, left + text + right if text else ""
        if name in CASES:
            index, text = self.argument(after, end, math)
            return index, CASES[name](text)
        if name in SECOND:
            index = self.skip_argument(self.skip_optional(after, end), end)
            return self.argument(index, end, math)
        if name == "texorpdfstring":
            index, text = self.argument(after, end, math)
            return self.skip_argument(index, end), text
        if name in ("url", "nolinkurl", "path", "doi"):
            return self.url(name, after, end)
        if name == "href":
            return self.href(after, end, math)
        if name == "verb":
            return self.verb(start + len("\\verb"), end)
        if name == "ensuremath":
            return self.argument(after, end, math=True)
        if name in self.silent or name in SILENT:
            index = after
            for _ in range(SILENT.get(name, 1)):
                index = self.skip_argument(index, end)
            return index, ""
        if name in ("footnote", "thanks"):
            index, text = self.argument(after, end, math)
            return index, f" ({text})" if text else ""
        if name in SYMBOLS:
            return after, self.text(SYMBOLS[name])
        symbol = fallback_symbols().get(name)
        if symbol is not None:
            return after, self.text(symbol)
        if not name.isalpha():
            return after, self.text(name)  # \+ \| \<: an escaped character
        # Unknown: the command prints nothing, the groups that follow print as text. Only
        # a command with no argument loses something.
        if not self.source.startswith("{", self.skip_spaces(after, end)):
            self.losses.append(Loss(start, "\\" + name))
        return after, ""

    def accent(self, mark: str, name: str, after: int, end: int, math: bool
               ) -> tuple[int, str]:
        index, base = self.argument(after, end, math)
        base = rich.plain(base)
        if not base.strip():
            return index, SPACING_ACCENTS.get(name, "")
        first = {"ı": "i", "ȷ": "j"}.get(base[0], base[0])
        accented = unicodedata.normalize("NFC", first + mark) + base[1:]
        return index, self.text(accented)

    def url(self, name: str, after: int, end: int) -> tuple[int, str]:
        found = self.raw_argument(after, end)
        if found is None:
            return after, ""
        start, text_start, text_end = found
        address = unescape_url(self.source[text_start:text_end])
        index = self.after(start, text_end, end)
        if name == "doi":
            doi = re.sub(r"^(?:https?://(?:dx\.)?doi\.org/|doi:)", "", address, flags=re.I)
            return index, self.linked("https://doi.org/" + doi, self.verbatim_text(doi))
        if name in ("nolinkurl", "path"):
            return index, self.verbatim_text(address)
        return index, self.linked(address, self.verbatim_text(address))

    def verbatim_text(self, text: str) -> str:
        """An address as text: no text case of the style touches it."""
        return rich.verbatim(text) if self.formatted else text

    def href(self, after: int, end: int, math: bool) -> tuple[int, str]:
        after = self.skip_optional(after, end)
        found = self.raw_argument(after, end)
        if found is None:
            return after, ""
        start, text_start, text_end = found
        address = unescape_url(self.source[text_start:text_end])
        was_in_link, self.in_link = self.in_link, True
        index, text = self.argument(self.after(start, text_end, end), end, math)
        self.in_link = was_in_link
        return index, self.linked(address, text or self.text(address))

    def linked(self, address: str, text: str) -> str:
        address = "".join(address.split())
        if not self.formatted or self.in_link:
            return text
        if address.lower().startswith("www."):
            address = "https://" + address
        if not URL_SCHEMES.match(address):
            return text  # not a web address: its text, as pandoc prints a link it drops
        return rich.link(quote(address, safe="/:?#[]@!$&'()*+,;=%~-._"), text)

    def verb(self, index: int, end: int) -> tuple[int, str]:
        if index >= end:
            return end, ""
        delimiter = self.source[index]
        close = self.source.find(delimiter, index + 1, end)
        if close < 0:
            return end, self.text(self.source[index + 1:end])
        return close + 1, self.text(self.source[index + 1:close])

    # -- math -------------------------------------------------------------------------

    def math(self, index: int, end: int) -> tuple[int, str]:
        """`$...$`, `$$...$$`, `\\(...\\)` or `\\[...\\]` as text."""
        source = self.source
        if source.startswith("$$", index):
            body, closing = index + 2, "$$"
        elif source.startswith("$", index):
            body, closing = index + 1, "$"
        else:
            body, closing = index + 2, "\\)" if source[index + 1] == "(" else "\\]"
        close = self.math_end(body, end, closing)
        if not source.startswith(closing, close) and closing.startswith("$"):
            return index + 1, self.text("$")  # a dollar that opens no formula: "costs $5"
        text = self.sequence(body, close, math=True)
        if source.startswith(closing, close):
            close += len(closing)
        return max(close, index + 1), text

    def math_end(self, index: int, end: int, closing: str) -> int:
        """Where the math from `index` ends: at `closing` outside its groups, or where the
        group it stands in ends (the math runs out there), or `end`."""
        source = self.source
        return next((at for at, char, depth in self.scan(index, end) if depth == 0 and (
            source.startswith(closing, at) or char == "}")), end)

    def math_command(self, name: str, after: int, end: int) -> tuple[int, str] | None:
        if name in MATH_FUNCTIONS:
            return after, self.text(name)
        if name in MATH_SILENT:
            return after, ""
        if name in MATH_ACCENTS:
            return self.accent(MATH_ACCENTS[name], name, after, end, math=True)
        if name in MATH_FORMATS:
            index, text = self.argument(after, end, math=True)
            return index, self.formatted_as(MATH_FORMATS[name], self.upright(text))
        if name in MATH_TEXT:
            index, text = self.argument(after, end, math=False)
            return index, self.formatted_as(MATH_TEXT[name], text)
        if name in ("frac", "dfrac", "tfrac"):
            index, numerator = self.argument(after, end, math=True)
            index, denominator = self.argument(index, end, math=True)
            return index, f"{numerator}/{denominator}"
        if name == "sqrt":
            index, radicand = self.argument(self.skip_optional(after, end), end, math=True)
            short = len(rich.plain(radicand)) <= 1
            return index, "√" + (radicand if short else f"({radicand})")
        if name in ("mathcal", "mathbb", "mathfrak", "mathscr"):
            index, text = self.argument(after, end, math=True)
            return index, self.text(styled_letters(name, rich.plain(self.upright(text))))
        return None

    def upright(self, text: str) -> str:
        """Math letters without the italics they were given."""
        italic = rich.KINDS["i"]
        return text.replace(italic, "").replace(chr(ord(italic) + 1), "")


def styled_letters(command: str, text: str) -> str:
    """\\mathcal{O} -> 𝒪, \\mathbb{R} -> ℝ, through pylatexenc (plain letters without it)."""
    try:
        from pylatexenc.latex2text import LatexNodes2Text

        styled = LatexNodes2Text().latex_to_text("$\\" + command + "{" + text + "}$")
        return str(styled) or text
    except Exception:  # pylatexenc missing or failing: the letters as they are
        return text
