"""pandoc-crossref's numbered references: `{#fig:x}` on a figure, `{#tbl:x}` ending a
table's caption, `{#eq:x}` after a display formula and `{#sec:x}` on a heading label them;
`@fig:x`, `[@fig:x; @fig:y]`, `[-@fig:x]` and `@Fig:x` become links that read as
pandoc-crossref prints them ("fig. 1", "figs. 1, 2", "1", "Fig. 1"). Labelled figures,
tables and equations are numbered in reading order; sections by their place in the essay."""

from __future__ import annotations

import difflib
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping
from dataclasses import replace
from html import unescape

from qlabbook.markdown.context import EssayContext
from qlabbook.markdown.formulas import PLACEHOLDER_TAG
from qlabbook.markdown.xhtml import escape_text, serialize_children
from qlabbook.source.model import Essay, Label

KINDS = ("fig", "tbl", "eq", "sec")
# pandoc-crossref's prefixes (one, several) for its `fig:` labels; Quarto's for `fig-`.
PREFIXES = {"fig": ("fig.", "figs."), "tbl": ("tbl.", "tbls."), "eq": ("eq.", "eqns."),
            "sec": ("sec.", "secs.")}
QUARTO_PREFIXES = {"fig": ("Figure", "Figures"), "tbl": ("Table", "Tables"),
                   "eq": ("Equation", "Equations"), "sec": ("Section", "Sections")}
CAPTION_NAMES = {"fig": "Figure", "tbl": "Table"}
NAMES = {"fig": "figure", "tbl": "table", "eq": "equation", "sec": "section"}
LABEL = r"(?:fig|tbl|eq|sec)[:-][\w:.-]*\w"
KIND = re.compile(r"(?i:(fig|tbl|eq|sec))([:-])")
REFERENCE = re.compile(rf"\[(?P<group>-?@{LABEL}(?:\s*;\s*-?@{LABEL})*)(?P<page>,\s*page)?\]"
                       rf"|(?<![\w@/\\])(?P<minus>-?)@(?P<one>(?i:fig|tbl|eq|sec)[:-][\w:.-]*\w)")
ATTRIBUTE = re.compile(rf"\s*\{{#(?P<label>{LABEL})\}}\s*$")
EQUATION_LABEL = re.compile(r"[ \t]*\{#(?P<label>eq[:-][\w:.-]*\w)\}")
HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
UNTOUCHED = {"code", "pre", "a", "cite", PLACEHOLDER_TAG}  # text that is not read for them
# A reference naming no label of its essay, left for the collection's pass (link_crossrefs)
# with its line: another essay may have the label.
PENDING_CLASS = "crossref-pending"
PENDING = re.compile(rf'<a class="{PENDING_CLASS}" data-line="(\d*)">([^<]*)</a>')
# The page form (`[@fig-x, page]`, `[-@fig-x, page]`): a link that names the anchor whose
# print page it reads, filled in by with_page_numbers once each edition knows the pages.
PAGE_OF = "data-page-of"
PAGE_ALONE = "data-page-alone"
PAGE_REFERENCE = re.compile(rf'<a href="([^"]*)" class="crossref" {PAGE_OF}="([^"]*)"'
                            rf'(?P<alone> {PAGE_ALONE}="")?>([^<]*)</a>')


def is_crossref_key(key: str) -> bool:
    """Whether a citation key is one of pandoc-crossref's labels, not a work's key."""
    return re.fullmatch(LABEL, key, re.IGNORECASE) is not None


def label_targets(body: ET.Element) -> None:
    """Before the sanitizer: a table caption's and a formula's `{#tbl:x}` / `{#eq:x}` (left
    as text by the Markdown) become the table's id and an id around the formula."""
    for table in body.iter("table"):
        caption = table.find("caption")
        label = take_attribute(caption) if caption is not None else None
        if label and kind_of(label) == "tbl" and "id" not in table.attrib:
            table.set("id", label)
    for parent in list(body.iter()):
        for index, child in enumerate(list(parent)):
            if child.tag != PLACEHOLDER_TAG or child.get("display") != "block":
                continue
            found = EQUATION_LABEL.match(child.tail or "")
            if found is None:
                continue
            wrapper = ET.Element("span", {"class": "equation", "id": found.group("label")})
            wrapper.tail, child.tail = (child.tail or "")[found.end():], None
            parent.remove(child)
            wrapper.append(child)
            parent.insert(index, wrapper)


def take_attribute(element: ET.Element) -> str | None:
    """The `{#label}` that ends an element's text, removed from it."""
    holder, slot = (element[-1], "tail") if len(element) else (element, "text")
    text = getattr(holder, slot) or ""
    found = ATTRIBUTE.search(text)
    if found is None:
        return None
    setattr(holder, slot, text[:found.start()])
    return found.group("label")


def numbered_targets(body: ET.Element, aliases: dict[str, str],
                     chapter: int | None = None) -> dict[str, tuple[str, str]]:
    """Each label as written -> (the element's id, its number), numbering what it labels;
    with a `chapter`, figures', tables' and equations' numbers start with it ("3.2")."""
    written = {final: label for label, final in aliases.items() if KIND.match(label)}
    counts = dict.fromkeys(KINDS, 0)
    sections: list[int] = []
    targets: dict[str, tuple[str, str]] = {}
    for element in body.iter():
        if element.tag in HEADINGS:  # the essay's sections start at h2: 1, 1.1, 2, ...
            level = max(1, int(element.tag[1]) - 1)
            sections = (sections + [0] * level)[:level]
            sections[-1] += 1
        label = written.get(element.get("id", ""))
        if label is None:
            continue
        kind = kind_of(label)
        if kind == "sec":
            number = ".".join(str(n) for n in sections) or "0"
        else:
            counts[kind] += 1
            number = str(counts[kind]) if chapter is None else f"{chapter}.{counts[kind]}"
        targets[label] = (element.get("id", ""), number)
    return targets


Rewrite = Callable[[str], tuple[str, list[ET.Element]]]
# A label, lower-cased -> (the id of what it labels, its number as a reference prints it).
Targets = dict[str, tuple[str, str]]


def resolve_crossrefs(body: ET.Element, context: EssayContext) -> tuple[Label, ...]:
    """Number what the labels name, title the labelled figures' and tables' captions, and
    make each reference a link. A reference naming no label of the essay is left pending
    with its line, for link_crossrefs to find in another essay. Returns the labels."""
    chapter = context.source.number if context.crossref_chapters else None
    targets = {label.lower(): target for label, target in
               numbered_targets(body, context.aliases, chapter).items()}
    title_captions(body, targets)
    occurrences: dict[str, int] = {}

    def pending(written: str) -> ET.Element:
        line = context.line_of_occurrence(written, occurrences.get(written, 0))
        occurrences[written] = occurrences.get(written, 0) + 1
        element = ET.Element("a", {"class": PENDING_CLASS, "data-line": str(line or "")})
        element.text = written
        return element

    def rewrite(text: str) -> tuple[str, list[ET.Element]]:
        head, position = "", 0
        made: list[ET.Element] = []
        for found in REFERENCE.finditer(text):
            items, page = reference_items(found), page_form(found, context, occurrences)
            if all(label.lower() in targets for _, label in items):
                lead, links = reference_elements(items, targets, page)
            else:
                lead, links = "", [pending(found.group(0))]
            between = text[position:found.start()] + lead
            if made:
                made[-1].tail = between
            else:
                head = between
            made += links
            position = found.end()
        if made:
            made[-1].tail = (made[-1].tail or "") + text[position:]
            return head, made
        return text, []

    walk(body, rewrite)
    return tuple(Label(label, target, number) for label, (target, number) in targets.items())


def page_form(found: re.Match[str], context: EssayContext, occurrences: dict[str, int],
              ) -> bool:
    """Whether a reference asks for its label's page (`[@fig-x, page]`); a list of labels
    cannot, and is an error at its line."""
    if not found.group("page"):
        return False
    if len(reference_items(found)) == 1:
        return True
    written = found.group(0)
    line = context.line_of_occurrence(written, occurrences.get(written, 0))
    context.diagnostics.error(
        "M210", f"{written} asks for the page of several labels", context.source.path, line,
        "give each label its own reference: [@fig-a, page] and [@fig-b, page]")
    return False


def reference_items(found: re.Match[str]) -> list[tuple[str, str]]:
    """(minus or "", label) of each label a reference names."""
    if found.group("group"):
        return re.findall(r"(-?)@(" + LABEL + ")", found.group("group"), re.I)
    return [(found.group("minus"), found.group("one"))]


def walk(element: ET.Element, rewrite: Rewrite) -> None:
    """Rewrite the text and tails under `element`, outside code, links and formulas."""
    children = list(element)
    if element.text and element.tag not in UNTOUCHED:
        element.text, made = rewrite(element.text)
        for index, new in enumerate(made):
            element.insert(index, new)
    for child in children:
        if child.tag not in UNTOUCHED:
            walk(child, rewrite)
        if child.tail:
            child.tail, made = rewrite(child.tail)
            at = list(element).index(child) + 1
            for offset, new in enumerate(made):
                element.insert(at + offset, new)


def reference_elements(items: list[tuple[str, str]], targets: Targets, page: bool = False,
                       ) -> tuple[str, list[ET.Element]]:
    """What one reference or a bracketed list of them prints: each kind's prefix
    (pandoc-crossref's "fig." and "figs.", Quarto's "Figure" and "Figures") before its
    numbers, each number a link. Returns the text before the first link, and the links
    with the text between them as tails. The page form's one link names its anchor
    (PAGE_OF), and whether it reads as the page alone (`[-@fig-x, page]`: "p. 14")."""
    groups: list[list[tuple[str, str]]] = []
    for minus, label in items:
        if groups and kind_of(groups[-1][0][1]) == kind_of(label):
            groups[-1].append((minus, label))
        else:
            groups.append([(minus, label)])
    lead, links = "", list[ET.Element]()
    for group in groups:
        minus, first = group[0]
        one, several = (QUARTO_PREFIXES if is_quarto(first) else PREFIXES)[kind_of(first)]
        prefix = "" if minus else (several if len(group) > 1 else one)
        prefix = prefix.capitalize() if first[0].isupper() else prefix
        for index, (_, label) in enumerate(group):
            anchor, shown = targets[label.lower()]
            link = ET.Element("a", {"href": f"#{anchor}", "class": "crossref"})
            if page:
                link.set(PAGE_OF, anchor)
                if minus:
                    link.set(PAGE_ALONE, "")
            link.text = f"{prefix}\u00a0{shown}" if len(group) == 1 and prefix else shown
            between = ", " if links else ""
            if index == 0 and len(group) > 1 and prefix:
                between += f"{prefix}\u00a0"
            if links:
                links[-1].tail = between
            else:
                lead = between
            links.append(link)
    return lead, links


def kind_of(label: str) -> str:
    found = KIND.match(label)
    return found.group(1).lower() if found else ""


def is_quarto(label: str) -> bool:
    """Quarto's labels join kind and name with a hyphen (`fig-harbour`), pandoc-crossref's
    with a colon (`fig:plan`)."""
    found = KIND.match(label)
    return found is not None and found.group(2) == "-"


def title_captions(body: ET.Element, targets: Targets) -> None:
    """A labelled figure's or table's number before its caption ("Figure 1: " as
    pandoc-crossref prints it, "Figure 1. " for Quarto's labels; a figure without one is
    captioned "Figure 1", or with Quarto its image's description, as Quarto takes it),
    "(1)" after a labelled formula."""
    numbers = {anchor: label for label, (anchor, _) in targets.items()}
    for owner, caption, label in captioned(body, numbers):
        shown = targets[label][1]
        title = f"{CAPTION_NAMES[kind_of(label)]}\u00a0{shown}"
        if caption.text or len(caption):
            caption.text = f"{title}{'. ' if is_quarto(label) else ': '}{caption.text or ''}"
        elif is_quarto(label) and owner.get("alt"):
            caption.text = f"{title}. {owner.get('alt')}"
        else:
            caption.text = title
    for equation in body.iter("span"):
        label = numbers.get(equation.get("id", ""), "")
        if kind_of(label) == "eq" and equation.get("class") == "equation":
            number = ET.Element("span", {"class": "equation-number"})  # first: it floats right
            number.text = f"({targets[label][1]})"
            equation.insert(0, number)


def captioned(body: ET.Element, numbers: dict[str, str]
              ) -> list[tuple[ET.Element, ET.Element, str]]:
    """(the labelled image or table, its caption element, made if it has none, its label)
    of each labelled figure and table."""
    found = []
    for figure in body.iter("figure"):
        image = figure.find("img")
        owner = figure if figure.get("id") in numbers else image
        label = numbers.get(owner.get("id", "") if owner is not None else "", "")
        if kind_of(label) != "fig" or image is None:
            continue
        caption = figure.find("figcaption/span[@class='caption']")
        if caption is None and figure.find("figcaption") is not None:
            caption = figure.find("figcaption")
        if caption is None:
            caption = ET.SubElement(ET.SubElement(figure, "figcaption"), "span",
                                    {"class": "caption"})
        found.append((image, caption, label))
    for table in body.iter("table"):
        label = numbers.get(table.get("id", ""), "")
        table_caption = table.find("caption")
        if kind_of(label) == "tbl" and table_caption is not None:
            found.append((table, table_caption, label))
    return found


def link_crossrefs(essays: list[Essay], contexts: list[EssayContext]) -> list[Essay]:
    """The references each essay left pending, linked to the essay whose label they name.
    One that names no label of any essay is kept as written: a warning for pandoc-crossref's
    labels (as pandoc-crossref does), an error for Quarto's, with the nearest labels."""
    owners: dict[str, list[tuple[Essay, Label]]] = {}
    for essay in essays:
        for label in essay.labels:
            owners.setdefault(label.name, []).append((essay, label))
    fixed = list(essays)
    for index, (essay, context) in enumerate(zip(essays, contexts, strict=True)):
        if PENDING_CLASS not in essay.body_html and \
                not any(PENDING_CLASS in note.html for note in essay.footnotes):
            continue

        def link(found: re.Match[str], essay: Essay = essay,
                 context: EssayContext = context) -> str:
            line = int(found.group(1)) if found.group(1) else None
            return linked_reference(unescape(found.group(2)), essay, owners, context, line)

        notes = tuple(replace(note, html=PENDING.sub(link, note.html))
                      for note in essay.footnotes)
        fixed[index] = replace(essay, body_html=PENDING.sub(link, essay.body_html),
                               footnotes=notes)
    return fixed


def linked_reference(written: str, essay: Essay, owners: dict[str, list[tuple[Essay, Label]]],
                     context: EssayContext, line: int | None) -> str:
    """A pending reference as the links it makes, or as written when a label is unknown."""
    found = REFERENCE.fullmatch(written)
    items = reference_items(found) if found is not None else []
    page = found is not None and bool(found.group("page")) and len(items) == 1
    targets: Targets = {label.name: (label.target, label.number) for label in essay.labels}
    for _, name in items:
        holders = owners.get(name.lower(), [])
        if name.lower() in targets:
            continue
        if len(holders) != 1:
            report_unknown(context, name, holders, owners, line)
            return escape_text(written)
        other, label = holders[0]
        shown = label.number if context.crossref_chapters else \
            f"{label.number} in essay {other.number}"
        targets[label.name] = (label.target, shown)
    lead, links = reference_elements(items, targets, page)
    holder = ET.Element("span")
    holder.text = lead
    holder.extend(links)
    return serialize_children(holder)


def report_unknown(context: EssayContext, name: str, holders: list[tuple[Essay, Label]],
                   owners: dict[str, list[tuple[Essay, Label]]], line: int | None) -> None:
    path = context.source.path
    if holders:  # several essays have it
        numbers = ", ".join(str(essay.number) for essay, _ in holders)
        context.diagnostics.error(
            "M209", f"reference @{name} names a label that essays {numbers} all have",
            path, line, f"give each its own name, e.g. {name}-{holders[0][0].number}")
        return
    near = difflib.get_close_matches(name.lower(), [n for n in owners
                                                    if kind_of(n) == kind_of(name)], 3)
    hint = f"did you mean @{near[0]}?" if near else \
        f"label the {NAMES[kind_of(name)]} with {{#{name}}}"
    works = context.bibliography.entries if context.bibliography is not None else {}
    if name in works:  # as Quarto reads them, these prefixes are never a work's key
        prefix = name[:len(kind_of(name)) + 1]
        hint = f"{name} is a key in the bibliography, but a key starting {prefix!r} reads " \
            "as a cross-reference: rename the work's key"
    if is_quarto(name):
        context.diagnostics.error("M209", f"reference @{name} names no label in the series",
                                  path, line, hint)
    else:
        context.diagnostics.warning("M208", f"reference @{name} names no label in the series: "
                                    "it is printed as written", path, line, hint)


def page_references(essay: Essay) -> set[str]:
    """The anchors whose print pages the essay's page-form references read."""
    return {unescape(found.group(2)) for html in essay_htmls(essay) if PAGE_OF in html
            for found in PAGE_REFERENCE.finditer(html)}


def essay_htmls(essay: Essay) -> tuple[str, ...]:
    return (essay.body_html, *(note.html for note in essay.footnotes))


def with_page_numbers(essay: Essay, pages: Mapping[str, str]) -> Essay:
    """The essay with each page-form reference reading its anchor's print page from
    `pages` ("Figure 2 on p. 14", or "p. 14" alone); where `pages` has none (an edition
    without the page, or before the pages are known), as the plain reference."""
    def page_of(found: re.Match[str]) -> str:
        href, anchor, text = found.group(1), found.group(2), found.group(4)
        page = pages.get(unescape(anchor))
        if page is not None:
            shown = escape_text(f"p.\u00a0{page}")
            text = shown if found.group("alone") is not None else f"{text} on {shown}"
        return f'<a href="{href}" class="crossref">{text}</a>'

    if not any(PAGE_OF in html for html in essay_htmls(essay)):
        return essay
    return replace(essay, body_html=PAGE_REFERENCE.sub(page_of, essay.body_html),
                   footnotes=tuple(replace(note, html=PAGE_REFERENCE.sub(page_of, note.html))
                                   for note in essay.footnotes))
