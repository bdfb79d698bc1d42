"""Pandoc's citation syntax: `[see @a, p. 12; -@b]` bracketed, `@key` and `@key [p. 3]`
narrative; keys begin with a letter, digit or `_`, take internal punctuation, or are braced."""

from __future__ import annotations

import re
from dataclasses import dataclass

KEY = r"(?:\{(?P<braced>[^{}\s]+)\}|(?P<plain>\w(?:\w|[:.#$%&\-+?<>~/](?=\w))*))"
KEY_IN_TEXT = re.compile(r"(?P<minus>-?)@" + KEY)
# A bracketed citation holds at least one @key; it is not a link's text.
BRACKETED = r"\[(?P<content>[^\[\]]*?@[^\[\]]*)\](?![(\[])"
# `@key` not inside a word, an e-mail address, a URL path or an HTML attribute's value; a
# bracketed locator may follow.
NARRATIVE = (r"(?<![\w@/.:\\\-=\"'])@" + KEY +
             r"(?:[ \u00a0]\[(?P<locator>[^\[\]@]+)\](?![(\[]))?")
LOCATOR_TERMS = {
    "p.": "page", "pp.": "page", "page": "page", "pages": "page", "pg.": "page",
    "chap.": "chapter", "chaps.": "chapter", "ch.": "chapter", "chapter": "chapter",
    "sec.": "section", "secs.": "section", "section": "section", "§": "section",
    "§§": "section", "vol.": "volume", "vols.": "volume", "volume": "volume",
    "fig.": "figure", "figs.": "figure", "figure": "figure", "para.": "paragraph",
    "paras.": "paragraph", "¶": "paragraph", "l.": "line", "ll.": "line", "line": "line",
    "n.": "note", "nn.": "note", "note": "note", "col.": "column", "cols.": "column",
    "no.": "issue", "bk.": "book", "pt.": "part", "part": "part", "v.": "verse",
    "vv.": "verse", "tbl.": "table", "table": "table", "art.": "article", "op.": "opus",
}
_TERMS = "|".join(re.escape(term) for term in sorted(LOCATOR_TERMS, key=len, reverse=True))
_NUMBER = r"[\dIVXLCDMivxlcdm]+[a-z]?"
_VALUE = rf"{_NUMBER}(?:\s*[-–—]+\s*{_NUMBER})?(?:\s*,\s*\d+[a-z]?(?:\s*[-–]+\s*\d+)?)*"
LOCATOR = re.compile(rf"^\s*,?\s*(?:(?P<term>{_TERMS})\s*)?(?P<value>{_VALUE})(?=$|[\s,;.])"
                     r"(?P<rest>.*)$", re.DOTALL)


@dataclass(frozen=True)
class CiteItem:
    key: str
    prefix: str = ""
    suffix: str = ""
    label: str = ""  # a CSL locator type ("page", "chapter"), when a locator is given
    locator: str = ""
    suppress_author: bool = False


def key_of(match: re.Match[str]) -> str:
    return match.group("braced") or match.group("plain")


def parse_bracketed(content: str) -> list[CiteItem] | None:
    """The items of `[content]`, or None when some part names no key (then it is text)."""
    items = []
    for part in content.split(";"):
        found = KEY_IN_TEXT.search(part)
        if found is None or (found.start() > 0 and (part[found.start() - 1].isalnum()
                                                    or part[found.start() - 1] in "@.")):
            return None
        prefix = part[:found.start()].strip()
        items.append(cite_item(key_of(found), part[found.end():], prefix,
                               suppress_author=bool(found.group("minus"))))
    return items or None


def cite_item(key: str, after: str, prefix: str = "",
              suppress_author: bool = False) -> CiteItem:
    """The item citing `key`, its locator read from the text `after` it: `, pp. 33-35,
    emphasis added` is the page locator 33–35 and the suffix `, emphasis added`."""
    found = LOCATOR.match(after)
    if found is None or (found.group("term") is None and not found.group("value")[0].isdigit()):
        return CiteItem(key, prefix, after.rstrip(), suppress_author=suppress_author)
    term = found.group("term")
    return CiteItem(key, prefix, found.group("rest").rstrip(),
                    LOCATOR_TERMS[term] if term else "page", found.group("value").strip(),
                    suppress_author)
