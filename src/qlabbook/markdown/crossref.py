"""pandoc-crossref's numbered references: `{#fig:x}` on a figure, `{#tbl:x}` ending a
table's caption, `{#eq:x}` after a display formula and `{#sec:x}` on a heading label them;
`@fig:x`, `[@fig:x; @fig:y]`, `[-@fig:x]` and `@Fig:x` become links that read as
pandoc-crossref prints them ("fig. 1", "figs. 1, 2", "1", "Fig. 1"). Labelled figures,
tables and equations are numbered in reading order; sections by their place in the essay."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable

from qlabbook.markdown.context import EssayContext
from qlabbook.markdown.formulas import PLACEHOLDER_TAG

KINDS = ("fig", "tbl", "eq", "sec")
# pandoc-crossref's default prefixes, one and several.
PREFIXES = {"fig": ("fig.", "figs."), "tbl": ("tbl.", "tbls."), "eq": ("eq.", "eqns."),
            "sec": ("sec.", "secs.")}
NAMES = {"fig": "figure", "tbl": "table", "eq": "equation", "sec": "section"}
LABEL = r"(?:fig|tbl|eq|sec):[\w:.-]*\w"
REFERENCE = re.compile(rf"\[(?P<group>-?@{LABEL}(?:\s*;\s*-?@{LABEL})*)\]"
                       rf"|(?<![\w@/\\])(?P<minus>-?)@(?P<one>(?i:fig|tbl|eq|sec):[\w:.-]*\w)")
ATTRIBUTE = re.compile(rf"\s*\{{#(?P<label>{LABEL})\}}\s*$")
EQUATION_LABEL = re.compile(r"[ \t]*\{#(?P<label>eq:[\w:.-]*\w)\}")
HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
UNTOUCHED = {"code", "pre", "a", "cite", PLACEHOLDER_TAG}  # text that is not read for them


def is_crossref_key(key: str) -> bool:
    """Whether a citation key is one of pandoc-crossref's labels, not a work's key."""
    return re.fullmatch(LABEL, key, re.IGNORECASE) is not None


def label_targets(body: ET.Element) -> None:
    """Before the sanitizer: a table caption's and a formula's `{#tbl:x}` / `{#eq:x}` (left
    as text by the Markdown) become the table's id and an id around the formula."""
    for table in body.iter("table"):
        caption = table.find("caption")
        label = take_attribute(caption) if caption is not None else None
        if label and label.startswith("tbl:") and "id" not in table.attrib:
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


def numbered_targets(body: ET.Element, aliases: dict[str, str]) -> dict[str, tuple[str, str]]:
    """Each label as written -> (the element's id, its number), numbering what it labels."""
    written = {final: label for label, final in aliases.items()
               if label.split(":", 1)[0] in KINDS and ":" in label}
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
        kind = label.split(":", 1)[0]
        if kind == "sec":
            number = ".".join(str(n) for n in sections) or "0"
        else:
            counts[kind] += 1
            number = str(counts[kind])
        targets[label] = (element.get("id", ""), number)
    return targets


Rewrite = Callable[[str], tuple[str, list[ET.Element]]]


def resolve_crossrefs(body: ET.Element, context: EssayContext) -> None:
    """Number what the labels name, title the labelled figures' and tables' captions, and
    make each reference a link; a label the essay does not have is a warning at its line,
    its reference kept as written."""
    targets = {label.lower(): target for label, target in
               numbered_targets(body, context.aliases).items()}
    title_captions(body, targets)
    occurrences: dict[str, int] = {}

    def rewrite(text: str) -> tuple[str, list[ET.Element]]:
        head, position = "", 0
        made: list[ET.Element] = []
        for found in REFERENCE.finditer(text):
            items = re.findall(r"(-?)@(" + LABEL + ")", found.group("group"), re.I) \
                if found.group("group") else [(found.group("minus"), found.group("one"))]
            missing = [label for _, label in items if label.lower() not in targets]
            if missing:
                report_unknown(context, missing[0], found.group(0), occurrences)
                continue
            lead, links = reference_elements(items, targets)
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


def reference_elements(items: list[tuple[str, str]], targets: dict[str, tuple[str, str]]
                       ) -> tuple[str, list[ET.Element]]:
    """What pandoc-crossref prints for one reference or a bracketed list of them: each
    kind's prefix ("figs." for several) before its numbers, each number a link. Returns
    the text before the first link, and the links with the text between them as tails."""
    groups: list[list[tuple[str, str]]] = []
    for minus, label in items:
        if groups and kind_of(groups[-1][0][1]) == kind_of(label):
            groups[-1].append((minus, label))
        else:
            groups.append([(minus, label)])
    lead, links = "", list[ET.Element]()
    for group in groups:
        minus, first = group[0]
        one, several = PREFIXES[kind_of(first)]
        prefix = "" if minus else (several if len(group) > 1 else one)
        prefix = prefix.capitalize() if first[0].isupper() else prefix
        for index, (_, label) in enumerate(group):
            anchor, shown = targets[label.lower()]
            link = ET.Element("a", {"href": f"#{anchor}", "class": "crossref"})
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
    return label.split(":", 1)[0].lower()


def title_captions(body: ET.Element, targets: dict[str, tuple[str, str]]) -> None:
    """"Figure 1: " and "Table 1: " before a labelled figure's or table's caption (a
    figure without one is captioned "Figure 1"), "(1)" after a labelled formula."""
    numbers = {anchor: (label.split(":", 1)[0], shown) for label, (anchor, shown) in
               targets.items()}
    for figure in body.iter("figure"):
        image = figure.find("img")
        owner = figure if figure.get("id") in numbers else image
        kind, shown = numbers.get(owner.get("id", "") if owner is not None else "", ("", ""))
        if kind != "fig":
            continue
        caption = figure.find("figcaption/span[@class='caption']")
        caption = figure.find("figcaption") if caption is None else caption
        if caption is None:  # pandoc-crossref numbers it all the same
            caption = ET.SubElement(ET.SubElement(figure, "figcaption"), "span",
                                    {"class": "caption"})
            caption.text = f"Figure\u00a0{shown}"
        else:
            caption.text = f"Figure\u00a0{shown}: {caption.text or ''}"
    for equation in body.iter("span"):
        kind, shown = numbers.get(equation.get("id", ""), ("", ""))
        if kind == "eq" and equation.get("class") == "equation":
            number = ET.Element("span", {"class": "equation-number"})  # first: it floats right
            number.text = f"({shown})"
            equation.insert(0, number)
    for table in body.iter("table"):
        kind, shown = numbers.get(table.get("id", ""), ("", ""))
        caption = table.find("caption")
        if kind == "tbl" and caption is not None:
            caption.text = f"Table\u00a0{shown}: {caption.text or ''}"


def report_unknown(context: EssayContext, label: str, written: str,
                   occurrences: dict[str, int]) -> None:
    line = context.line_of_occurrence(written, occurrences.get(written, 0))
    occurrences[written] = occurrences.get(written, 0) + 1
    context.diagnostics.warning(
        "M208", f"reference @{label} names no label of this essay: it is printed as written",
        context.source.path, line, f"label the {NAMES[kind_of(label)]} with {{#{label}}}")
