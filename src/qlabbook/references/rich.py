"""Formatted text that passes through citeproc-py: emphasis, bold, small capitals, super-
and subscripts, code, links and verbatim text (an address, a formula) written as
private-use characters in a work's fields, which no text case, period-stripping or sorting
of the style can break, and made HTML afterwards.

citeproc-py prints a field's text as it is given (no escaping, no markup of its own), so
the characters HTML reserves are marked too, and come out escaped."""

from __future__ import annotations

import re
from html import escape

# Each kind's opening mark; its closing mark is the next character.
KINDS = {"em": "\ue000", "i": "\ue002", "b": "\ue004", "sc": "\ue006", "sup": "\ue008",
         "sub": "\ue00a", "code": "\ue00c"}
TAGS = {"em": ("<em>", "</em>"), "i": ("<i>", "</i>"), "b": ("<b>", "</b>"),
        "sc": ('<span class="smallcaps">', "</span>"), "sup": ("<sup>", "</sup>"),
        "sub": ("<sub>", "</sub>"), "code": ("<code>", "</code>")}
OPENING = {mark: kind for kind, mark in KINDS.items()}
CLOSING = {chr(ord(mark) + 1): kind for kind, mark in KINDS.items()}
# A link: its opening mark, its address (verbatim), the address's end, its text, its close.
LINK_OPEN, LINK_CLOSE, ADDRESS_END = "\ue010", "\ue011", "\ue012"
# Verbatim text: each character moved to plane 15, where no text case reaches.
VERBATIM_BASE = 0xF0000
SPECIALS = {"&": "\ue020", "<": "\ue021", ">": "\ue022"}
UNSPECIAL = {mark: char for char, mark in SPECIALS.items()}
MARK = re.compile("[\ue000-\ue0ff\U000f0000-\U000fffff]")
ADDRESS = re.compile("\ue010[\U000f0000-\U000fffff]*\ue012")
BARE_AMPERSAND = re.compile(r"&(?!(?:[A-Za-z]+|#\d+|#x[0-9A-Fa-f]+);)")
NOCASE_OPEN, NOCASE_CLOSE = '<span class="nocase">', "</span>"  # CSL-JSON's, kept


def is_mark(char: str) -> bool:
    return "\ue000" <= char <= "\ue0ff" or "\U000f0000" <= char <= "\U000fffff"


def is_verbatim(char: str) -> bool:
    return "\U000f0000" <= char <= "\U000fffff"


def wrap(kind: str, text: str) -> str:
    """`text` in `kind` ("em", "i", "b", "sc", "sup", "sub", "code"); nothing for nothing."""
    if not text:
        return ""
    mark = KINDS[kind]
    return mark + text + chr(ord(mark) + 1)


def verbatim(text: str) -> str:
    """`text` that no text case, period-stripping or other change of the style touches."""
    return "".join(chr(VERBATIM_BASE + ord(c)) if ord(c) < 0x10000 else c for c in text)


def link(href: str, text: str) -> str:
    """`text` (marked) linking to `href`."""
    return LINK_OPEN + verbatim(href) + ADDRESS_END + (text or verbatim(href)) + LINK_CLOSE


def mark_specials(text: str) -> str:
    """Plain text with `&`, `<` and `>` marked, so that they come out escaped."""
    for char, mark in SPECIALS.items():
        text = text.replace(char, mark)
    return text


def plain(text: str) -> str:
    """The text alone: marks and link addresses gone, verbatim text and the characters
    HTML reserves as themselves."""
    if NOCASE_OPEN in text:  # a literal `<` is marked: these spans are CSL-JSON's nocase
        text = text.replace(NOCASE_OPEN, "").replace(NOCASE_CLOSE, "")
    if not MARK.search(text):
        return text
    return MARK.sub(unmark, ADDRESS.sub("", text))


def unmark(found: re.Match[str]) -> str:
    char = found.group()
    if is_verbatim(char):
        return chr(ord(char) - VERBATIM_BASE)
    return UNSPECIAL.get(char, "")


def to_html(html: str) -> str:
    """citeproc-py's HTML with the marks made elements and escapes; balanced whatever
    happened to the marks on the way (an unopened close is dropped, an unclosed open
    closed at the end). Emphasis inside italics is upright, as CSL flips it."""
    html = BARE_AMPERSAND.sub("&amp;", html)  # an `&` a CSL-JSON name gave as is
    if not MARK.search(html):
        return html
    out: list[str] = []
    stack: list[str] = []
    closes: list[str] = []
    italics = 0  # italic elements open around here: the style's and the field's
    index = 0
    while index < len(html):
        char = html[index]
        index += 1
        if char == "<":
            if html.startswith("i>", index):
                italics += 1
            elif html.startswith("/i>", index):
                italics = max(0, italics - 1)
            out.append(char)
        elif not is_mark(char):
            out.append(char)
        elif is_verbatim(char):
            out.append(escape(chr(ord(char) - VERBATIM_BASE), quote=False))
        elif char in UNSPECIAL:
            out.append(escape(UNSPECIAL[char], quote=False))
        elif char in OPENING:
            kind = OPENING[char]
            opening, closing = TAGS[kind]
            if kind in ("em", "i"):
                if italics % 2:
                    opening = opening[:-1] + ' class="upright">'
                italics += 1
            stack.append(kind)
            closes.append(closing)
            out.append(opening)
        elif char in CLOSING or char == LINK_CLOSE:
            kind = CLOSING.get(char, "a")
            while kind in stack:
                top = stack.pop()
                out.append(closes.pop())
                italics -= top in ("em", "i")
                if top == kind:
                    break
        elif char == LINK_OPEN:
            end = html.find(ADDRESS_END, index)
            if end < 0:
                continue
            href = plain(html[index:end])
            index = end + 1
            if "a" in stack or not href:
                continue  # no link inside a link
            stack.append("a")
            closes.append("</a>")
            out.append(f'<a href="{escape(href, quote=True)}">')
    out.extend(reversed(closes))
    return "".join(out)
