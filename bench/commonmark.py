"""qlabbook's Markdown against the 655 examples of the CommonMark specification (0.31.2).

Each example goes through the converter an essay goes through (`make_markdown`, then the
HTML parse and the sanitizer of `convert_body`), stopping before qlabbook's deliberate
essay rewrites: figures and attributed quotations (the `qlab_figures` tree processor is left
out), code's line spans and highlighting (`qlab-code`), heading ids, link resolution and note
numbering. Output and expected HTML are compared
as normalised trees: both parsed by the HTML parser qlabbook uses, attributes sorted,
whitespace collapsed outside `<pre>` and dropped between blocks, raw HTML that the
sanitizer refuses taken out of the expected HTML too (policy, not parsing), the typographic
characters of smart punctuation (a deliberate choice, on for every essay) read as the ASCII
they replace.

    .venv/bin/python bench/commonmark.py              # pass counts per section
    .venv/bin/python bench/commonmark.py --failures "List items"   # what differs there
    .venv/bin/python bench/commonmark.py --record     # write bench/commonmark.json
    .venv/bin/python bench/commonmark.py --table      # the README table (before: the record)
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
SPEC = HERE.parent / "tests" / "data" / "commonmark-spec-0.31.2.json"
RECORD = HERE / "commonmark.json"
sys.path.insert(0, str(HERE.parent / "src"))

from markdown import Markdown  # noqa: E402

from qlabbook.markdown.convert import make_markdown  # noqa: E402
from qlabbook.markdown.sanitize import sanitize  # noqa: E402
from qlabbook.markdown.xhtml import parse_fragment  # noqa: E402

# Elements whose surrounding whitespace is insignificant (HTML's block-level elements).
BLOCK = {
    "address", "article", "aside", "blockquote", "body", "caption", "dd", "details", "dialog",
    "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3",
    "h4", "h5", "h6", "header", "hr", "html", "li", "main", "menu", "nav", "ol", "p", "pre",
    "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
}
SMART = {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "--",
         "\u2014": "---", "\u2026": "...", "\u00ab": "<<", "\u00bb": ">>"}
SPACE = re.compile(r"[ \t\n\r\f]+")


def load_examples() -> list[dict[str, object]]:
    examples: list[dict[str, object]] = json.loads(SPEC.read_text(encoding="utf-8"))
    return examples


def converter() -> Markdown:
    md, _notes = make_markdown()
    # qlabbook's deliberate rewrites: figures and attributed quotations, code's line spans
    # and highlighting classes.
    if "qlab_figures" in md.treeprocessors:
        md.treeprocessors.deregister("qlab_figures")
    if "qlab-code" in md.postprocessors:
        md.postprocessors.deregister("qlab-code")
    return md


def convert(md: Markdown, text: str) -> ET.Element:
    md.reset()
    body = parse_fragment(md.convert(text))
    sanitize(body, lambda code, message, needle: None)
    return body


def normalise(root: ET.Element) -> str:
    """A canonical text of the tree: equal for trees a reader cannot tell apart."""
    parts: list[str] = []
    write_children(root, parts, in_pre=False)
    return "".join(parts)


def write_children(element: ET.Element, parts: list[str], in_pre: bool) -> None:
    items: list[ET.Element | str] = []
    if element.text:
        items.append(element.text)
    for child in element:
        items.append(child)
        if child.tail:
            items.append(child.tail)
    for index, item in enumerate(items):
        if isinstance(item, str):
            if in_pre:
                parts.append(escape(item))
                continue
            text = SPACE.sub(" ", item)
            before = items[index - 1] if index else None
            after = items[index + 1] if index + 1 < len(items) else None
            if (before is None and str(element.tag) in BLOCK) or is_block(before):
                text = text.lstrip()
            if (after is None and str(element.tag) in BLOCK) or is_block(after):
                text = text.rstrip()
            if text:
                parts.append(escape(smart_to_ascii(text)))
        else:
            write_element(item, parts, in_pre)


def is_block(item: ET.Element | str | None) -> bool:
    return isinstance(item, ET.Element) and str(item.tag) in BLOCK


def write_element(element: ET.Element, parts: list[str], in_pre: bool) -> None:
    tag = str(element.tag).rpartition("}")[2]
    attributes = "".join(f' {name}="{escape(value)}"'
                         for name, value in sorted(element.attrib.items()))
    parts.append(f"<{tag}{attributes}>")
    write_children(element, parts, in_pre or tag == "pre")
    parts.append(f"</{tag}>")


def smart_to_ascii(text: str) -> str:
    return "".join(SMART.get(character, character) for character in text)


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def expected_tree(html: str) -> ET.Element:
    """The spec's HTML as qlabbook's raw-HTML policy would leave it (`<script>` removed,
    unknown tags unwrapped), so that what is compared is the Markdown, not the policy."""
    tree = parse_fragment(html)
    sanitize(tree, lambda code, message, needle: None)
    return tree


def run() -> tuple[Counter[str], Counter[str], dict[str, list[int]]]:
    """(passed, total, failing example numbers) per section."""
    md = converter()
    passed: Counter[str] = Counter()
    total: Counter[str] = Counter()
    failing: dict[str, list[int]] = {}
    for example in load_examples():
        section = str(example["section"])
        total[section] += 1
        got = normalise(convert(md, str(example["markdown"])))
        want = normalise(expected_tree(str(example["html"])))
        if got == want:
            passed[section] += 1
        else:
            failing.setdefault(section, []).append(int(str(example["example"])))
    return passed, total, failing


def show_failures(section: str) -> None:
    md = converter()
    for example in load_examples():
        if section not in (str(example["section"]), str(example["example"])):
            continue
        got = normalise(convert(md, str(example["markdown"])))
        want = normalise(expected_tree(str(example["html"])))
        if got != want:
            print(f"--- example {example['example']} ({example['section']})")
            print(str(example["markdown"]), end="")
            print(f"  want: {want}\n  got:  {got}")


def table(passed: Counter[str], total: Counter[str]) -> str:
    record = json.loads(RECORD.read_text(encoding="utf-8")) if RECORD.exists() else {}
    before = record.get("before", {})
    lines = ["| section | examples | before | now |", "| --- | ---: | ---: | ---: |"]
    for section in sorted(total):
        lines.append(f"| {section} | {total[section]} | {before.get(section, '')} | "
                     f"{passed[section]} |")
    lines.append(f"| **all** | {sum(total.values())} | {sum(before.values()) or ''} | "
                 f"{sum(passed.values())} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--failures", metavar="SECTION_OR_NUMBER")
    parser.add_argument("--record", action="store_true",
                        help="store these counts as the floor the tests hold")
    parser.add_argument("--record-before", action="store_true",
                        help="store these counts as the 'before' column")
    parser.add_argument("--table", action="store_true")
    args = parser.parse_args()
    if args.failures:
        show_failures(args.failures)
        return
    passed, total, failing = run()
    if args.record or args.record_before:
        record = json.loads(RECORD.read_text(encoding="utf-8")) if RECORD.exists() else {}
        record["before" if args.record_before else "passed"] = \
            {section: passed[section] for section in sorted(total)}
        RECORD.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n",
                          encoding="utf-8")
    if args.table:
        print(table(passed, total))
        return
    for section in sorted(total):
        print(f"{passed[section]:4d} / {total[section]:3d}  {section}"
              f"  {failing.get(section, [])[:12]}")
    print(f"{sum(passed.values()):4d} / {sum(total.values()):3d}  all")


if __name__ == "__main__":
    main()
