"""A BibTeX file as reference managers and authors write it: its blocks split by
bibtexparser (any failure of the parser caught), @string macros and `#` concatenations
resolved, a field given twice taken as pandoc and biber take it (the last), crossref
parents' fields inherited; every problem located at the entry's line or the field's."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qlabbook.source.diagnostics import Diagnostics

MONTHS = {name: full for name, full in zip(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
    ("January", "February", "March", "April", "May", "June", "July", "August", "September",
     "October", "November", "December"), strict=True)}
BARE = re.compile(r'[^\s#{}"]+')
FAILED_KEY = re.compile(r"@\s*(\w+)\s*[{(]\s*([^,\s{}()=\"#%']+)\s*,")
FIELD_LIKE = re.compile(r"(?m)^[ \t]*,?[ \t]*[A-Za-z][\w:+-]*[ \t]*=[ \t]*[{\"\d]")
# Commands @preamble defines as printing nothing: `\newcommand{\noopsort}[1]{}`.
SILENT_DEFINITION = re.compile(
    r"\\(?:re)?(?:new|provide)command\*?\s*\{?\s*\\([A-Za-z]+)\s*\}?\s*(?:\[\d\])?"
    r"(?:\[[^\]]*\])?\s*\{\s*\}|\\def\s*\\([A-Za-z]+)\s*(?:#\d)*\s*\{\s*\}")
# Fields a crossref child never takes from its parent (biblatex's defaults).
NOT_INHERITED = {"crossref", "xref", "xdata", "ids", "entryset", "label", "options",
                 "presort", "sortkey", "shorthand", "related", "keywords", "file"}
PARENT_TYPES = {"book", "mvbook", "collection", "mvcollection", "proceedings",
                "mvproceedings", "reference", "mvreference", "periodical"}
CHILD_TYPES = {"inbook", "bookinbook", "suppbook", "incollection", "suppcollection",
               "inproceedings", "inreference", "conference", "article", "suppperiodical"}
# A parent's title is its child's booktitle (a periodical's, its journaltitle).
TITLE_FIELDS = {"title": "booktitle", "subtitle": "booksubtitle",
                "titleaddon": "booktitleaddon", "shorttitle": None, "sorttitle": None}
PERIODICAL_FIELDS = {"title": "journaltitle", "subtitle": "journalsubtitle",
                     "shorttitle": None, "sorttitle": None}


@dataclass
class BibField:
    name: str  # lower case
    value: str  # macros expanded, enclosing braces or quotes gone; its LaTeX as written
    line: int  # 1-based: the line of its `=`


@dataclass
class BibEntry:
    key: str
    entry_type: str  # lower case
    fields: dict[str, BibField]
    line: int  # 1-based: the line of its `@`


@dataclass
class BibFile:
    entries: list[BibEntry] = field(default_factory=list)
    # Keys of entries that could not be read, and their lines: a citation of one is
    # told to look there rather than offered near keys.
    unreadable: dict[str, int] = field(default_factory=dict)
    # Commands the file's @preamble defines as printing nothing.
    silent: frozenset[str] = frozenset()


class Reader:
    """One file's reading: the @string macros defined so far, its diagnostics."""

    def __init__(self, text: str, path: Path, diagnostics: Diagnostics) -> None:
        self.text = text
        self.path = path
        self.diagnostics = diagnostics
        self.strings: dict[str, str] = {}
        self.file = BibFile()
        self.silent: set[str] = set()
        self.first_line: dict[str, int] = {}

    def warning(self, code: str, message: str, line: int | None,
                hint: str | None = None) -> None:
        self.diagnostics.warning(code, message, self.path, line, hint)

    def error(self, code: str, message: str, line: int | None,
              hint: str | None = None) -> None:
        self.diagnostics.error(code, message, self.path, line, hint)

    # -- blocks -------------------------------------------------------------------------

    def read(self) -> BibFile:
        for offset, block in split_blocks(self.text):
            try:
                self.block(offset, block)
            except Exception as error:  # a block shaped as no version of the parser meant
                self.error("B102", f"cannot read this BibTeX block ({type(error).__name__}: "
                           f"{error})", offset + (getattr(block, "start_line", 0) or 0) + 1,
                           "check its braces, quotes and the commas between fields")
        resolve_crossrefs(self)
        self.file.silent = frozenset(self.silent)
        return self.file

    def block(self, offset: int, block: Any) -> None:
        from bibtexparser import model

        line = offset + (block.start_line or 0) + 1
        if isinstance(block, Crashed):
            self.error("B102", f"the BibTeX parser failed on this part of the file "
                       f"({block.reason})", offset + 1,
                       "check its braces, quotes and the commas between fields")
            self.remember_unreadable(block.raw, offset + 1)
        elif isinstance(block, model.DuplicateFieldKeyBlock | model.DuplicateBlockKeyBlock):
            inner = block.ignore_error_block
            if inner is not None:
                self.block(offset, inner)
        elif isinstance(block, model.ParsingFailedBlock):
            self.failed(block, offset, line)
        elif isinstance(block, model.String):
            self.string(block, offset, line)
        elif isinstance(block, model.Preamble):
            for definition in SILENT_DEFINITION.finditer(str(block.value or "")):
                self.silent.add(definition.group(1) or definition.group(2))
        elif isinstance(block, model.Entry):
            self.entry(block, offset, line)
        elif isinstance(block, model.ImplicitComment):
            found = FIELD_LIKE.search(str(block.comment or ""))
            if found:
                before = str(block.comment)[:found.start()]
                self.warning("B109", "text that looks like fields stands outside any entry: "
                             "it is ignored", line + before.count("\n"),
                             "an entry above it may close too early: look for a `}` too "
                             "many, or a missing `@type{key,`")

    def failed(self, block: Any, offset: int, line: int) -> None:
        raw = str(block.raw or "")
        head = raw.strip().split("\n", 1)[0][:60]
        reason = str(getattr(block.error, "abort_reason", "") or block.error)
        end_index = getattr(block.error, "end_index", None)
        stop = None
        if isinstance(end_index, int) and not offset:
            # The splitter reads the file with a newline put before it; a block it aborts
            # for the next one's start ends just before that one's `@`.
            position = end_index if reason.startswith("Unexpected block start") else \
                end_index - 1
            stop = self.text.count("\n", 0, max(0, position)) + 1
        self.error("B102", f"malformed BibTeX entry {head!r}", line, failure_hint(reason, stop))
        self.remember_unreadable(raw, line)

    def remember_unreadable(self, raw: str, line: int) -> None:
        found = FAILED_KEY.search(raw)
        if found and found.group(1).lower() not in ("string", "comment", "preamble"):
            self.file.unreadable.setdefault(found.group(2), line)

    def string(self, block: Any, offset: int, line: int) -> None:
        key = str(block.key or "").strip()
        if not key:
            self.warning("B109", "a @string without a name is ignored", line,
                         "write it as @string{name = {text}}")
            return
        value = self.value(str(block.value or ""), f"@string {key}", line)
        self.strings[key.lower()] = value

    def entry(self, block: Any, offset: int, line: int) -> None:
        key = str(block.key or "").strip()
        entry_type = str(block.entry_type or "").strip().lower()
        if not key:
            self.warning("B109", f"the @{entry_type or 'entry'} has no key: it is left out",
                         line, "give it a key after its opening brace, e.g. @book{smith2019,")
            return
        if key in self.first_line:
            self.warning("B104", f"the key {key!r} is defined twice (first at "
                         f"{self.path.as_posix()}:{self.first_line[key]}): the first is "
                         "used", line, "give one of the two works another key")
            return
        self.first_line[key] = line
        fields: dict[str, BibField] = {}
        for raw_field in block.fields:
            field_line = offset + (raw_field.start_line or 0) + 1
            name = str(raw_field.key or "").strip().lower()
            if not name:
                self.warning("B109", f"a field of {key!r} has no name: it is left out",
                             field_line, "write it as name = {value}")
                continue
            value = self.value(str(raw_field.value or ""), f"{name!r} of {key!r}",
                               field_line)
            if name in fields:
                self.warning("B106", f"the field {name!r} is given twice in {key!r} (first "
                             f"at line {fields[name].line}): the last is used, as pandoc "
                             "and biber do", field_line, "remove the one you do not mean")
            fields[name] = BibField(name, value, field_line)
        self.file.entries.append(BibEntry(key, entry_type, fields, line))

    # -- values -------------------------------------------------------------------------

    def value(self, raw: str, what: str, line: int) -> str:
        """A field's value: its parts joined by `#` resolved (braces, quotes, numbers and
        @string names); problems reported at `line`."""
        parts: list[str] = []
        index, length = 0, len(raw)
        expecting = True
        while index < length:
            char = raw[index]
            if char.isspace():
                index += 1
                continue
            here = line + raw.count("\n", 0, index)
            if not expecting:
                if char == "#":
                    expecting = True
                    index += 1
                    continue
                self.error("B102", f"the value of {what} is not in braces or quotes", here,
                           "write it as name = {value} (or join its parts with #)")
                parts.append(" " + raw[index:])
                break
            if char in "{\"":
                close = closing(raw, index)
                if close < 0:
                    self.error("B102", f"the value of {what} has an unclosed "
                               f"{'brace' if char == '{' else 'quote'}", here,
                               "close it, or escape a literal brace as \\{")
                    parts.append(raw[index + 1:])
                    expecting = False
                    break
                parts.append(raw[index + 1:close])
                index = close + 1
            else:
                token = BARE.match(raw, index)
                if token is None:  # a lone `}` the splitter let through
                    index += 1
                    continue
                following = raw[token.end():].lstrip()
                if following and not following.startswith("#"):  # words, not a @string name
                    self.error("B102", f"the value of {what} is not in braces or quotes",
                               here, "write it as name = {value} (or join its parts with #)")
                    parts.append(raw[index:])
                    expecting = False
                    break
                parts.append(self.macro(token.group(), what, here))
                index = token.end()
            expecting = False
        if expecting and parts:
            self.warning("B102", f"the value of {what} ends with # and nothing after it", line,
                         "remove the #, or put the part it joins after it")
        return "".join(parts)

    def macro(self, name: str, what: str, line: int) -> str:
        if name.isdigit():
            return name
        lowered = name.lower()
        if lowered in self.strings:
            return self.strings[lowered]
        if lowered in MONTHS:
            return MONTHS[lowered]
        self.warning("B108", f"the @string name {name!r} in {what} is not defined: its name "
                     "is printed", line, f"define it with @string{{{name} = {{...}}}}, or "
                     "put the value in braces")
        return name


@dataclass
class Crashed:
    """A part of the file bibtexparser raised on."""

    raw: str
    reason: str
    start_line: int = 0


def split_blocks(text: str) -> list[tuple[int, Any]]:
    """The file's blocks, each with the line offset of the text it was parsed from: the
    whole file at once, or, if the parser raises, part by part (a part starts at each line
    that starts with @), so one part it cannot read leaves the others."""
    from bibtexparser.entrypoint import parse_string

    logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)  # failures are ours to say
    try:
        return [(0, block) for block in parse_string(text, parse_stack=[]).blocks]
    except Exception:  # its own bugs (ParserStateException), or any other
        pass
    blocks: list[tuple[int, Any]] = []
    offset = 0
    for part in re.split(r"(?m)^(?=[ \t]*@)", text):
        try:
            blocks += [(offset, block) for block in parse_string(part, parse_stack=[]).blocks]
        except Exception as error:
            blocks.append((offset, Crashed(part, type(error).__name__)))
        offset += part.count("\n")
    return blocks


def closing(raw: str, index: int) -> int:
    """The index of what closes the brace or quote at `index` (braces nest; a quote closes
    only outside braces; an escaped brace or quote is text), or -1."""
    depth = 0
    quote = raw[index] == '"'
    position = index + 1 if quote else index
    while position < len(raw):
        char = raw[position]
        if char == "\\":
            position += 2
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0 and not quote:
                return position
            if depth < 0:
                depth = 0
        elif char == '"' and quote and depth == 0:
            return position
        position += 1
    return -1


def failure_hint(reason: str, stop: int | None) -> str:
    """What to look for, from the reason the parser gave up."""
    where = f" (the parser gave up at line {stop})" if stop else ""
    if reason.startswith("Unexpected block start"):
        at = f" at line {stop}" if stop else ""
        return f"the entry is not closed before the next one begins{at}: a `}}` or a " \
            "quote is missing"
    if reason.startswith("Unexpectedly reached end of file"):
        return "the entry is not closed: the file ends inside it (a `}` or a quote is missing)"
    if reason.startswith("Expected comma after entry key"):
        return f"put a comma after the entry's key{where}"
    if reason.startswith("Expected a `=` after entry key"):
        return f"a field has no `=` and value{where}: write it as name = {{value}}"
    if reason.startswith("Expected either a `,`"):
        return f"a comma is missing between two fields{where}"
    return f"check its braces, quotes and the commas between fields{where}"


def resolve_crossrefs(reader: Reader) -> None:
    """Each entry with a crossref takes the fields it lacks from its parent (a parent's
    title as its booktitle), as biber and pandoc do; parents first, cycles cut."""
    by_key = {entry.key: entry for entry in reader.file.entries}
    lowered = {entry.key.lower(): entry for entry in reader.file.entries}
    done: set[str] = set()

    def resolve(entry: BibEntry, visiting: set[str]) -> None:
        if entry.key in done or entry.key in visiting:
            return
        visiting.add(entry.key)
        reference = entry.fields.get("crossref")
        if reference is not None:
            parent_key = reference.value.strip()
            parent = by_key.get(parent_key) or lowered.get(parent_key.lower())
            if parent is None:
                reader.warning("B109", f"the crossref of {entry.key!r} names {parent_key!r}, "
                               "which no entry of this file defines", reference.line,
                               "add that entry to the same file, or remove the crossref")
            elif parent is not entry:
                resolve(parent, visiting)
                inherit(entry, parent)
        visiting.discard(entry.key)
        done.add(entry.key)

    for entry in reader.file.entries:
        resolve(entry, set())


def inherit(child: BibEntry, parent: BibEntry) -> None:
    mapping: dict[str, str | None] = {}
    if parent.entry_type in PARENT_TYPES and child.entry_type in CHILD_TYPES:
        mapping = PERIODICAL_FIELDS if parent.entry_type == "periodical" else TITLE_FIELDS
        if child.entry_type in ("inbook", "bookinbook", "suppbook"):
            mapping = {**mapping, "author": "bookauthor"}
    for name, value in parent.fields.items():
        if name in NOT_INHERITED:
            continue
        target = mapping.get(name, name) if name in mapping else name
        if target is not None and target not in child.fields:
            child.fields[target] = value


def read_bibfile(text: str, path: Path, diagnostics: Diagnostics) -> BibFile:
    """Every entry of a .bib file's `text` (its name `path`, for the diagnostics)."""
    return Reader(text, path, diagnostics).read()
