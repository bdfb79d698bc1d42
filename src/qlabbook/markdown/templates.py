"""A post's site templates rendered the way its generator renders them, before the Markdown
is read: Jekyll's Liquid (`{{ page.title }}`, `{% highlight %}`, `{% raw %}`, `{% if %}`,
`{% comment %}`, ...) and Hugo's shortcodes (`{{< figure >}}`, `{{% note %}}`, ...).

Code (fences and code spans) is shown as written, but for `{% raw %}` markers and Hugo's
`{{</* escaped */>}}` shortcodes, which the generators remove there too. What cannot be
rendered before the site is built (an include, a loop over the site's posts, a value
nothing sets) is left out, with a problem located at its text. A dropped stretch keeps its
line breaks, so the lines after it keep their numbers."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from qlabbook.markdown import liquid, shortcodes
from qlabbook.source.templating import TemplateValues

BLANK_LINE = r"(?!\n[ \t]*\n)"
TOKEN = re.compile(
    r"(?P<fence>^[ \t]*(?:>[ \t]*)*(?:`{3,}(?=[^`\n]*$)|~{3,}))"
    r"|(?P<code>`+)"
    rf"|(?P<escaped>\{{\{{(?P<open>[<%])/\*(?P<escaped_body>(?:{BLANK_LINE}.)*?)\*/[>%]\}}\}})"
    rf"|(?P<short>\{{\{{<[ \t\n]*(?P<sclose>/)?[ \t]*(?P<sname>[\w.-]+)"
    rf"(?P<sargs>(?:{BLANK_LINE}.)*?)(?P<sself>/)?[ \t\n]*>\}}\}})"
    rf"|(?P<percent>\{{\{{%[ \t\n]*(?P<pclose>/)?[ \t]*(?P<pname>[\w.-]+)"
    rf"(?P<pargs>(?:{BLANK_LINE}.)*?)(?P<pself>/)?[ \t\n]*%\}}\}})"
    rf"|(?P<tag>\{{%(?P<tl>-)?[ \t\n]*(?P<tname>#|[A-Za-z_]\w*)(?P<targs>(?:{BLANK_LINE}.)*?)"
    r"(?P<tr>-)?%\})"
    rf"|(?P<output>\{{\{{(?P<ol>-)?(?P<expression>(?:{BLANK_LINE}(?!\{{\{{).)*?)(?P<or>-)?\}}\}})",
    re.MULTILINE | re.DOTALL)
RAW_MARKER = re.compile(r"\{%-?\s*(?:end)?raw\s*-?%\}")
ESCAPED = re.compile(r"\{\{([<%])/\*(.*?)\*/([>%])\}\}", re.DOTALL)
# Liquid's blocks, and the tags that divide them into branches.
BRANCHES = {"if": {"elsif", "else"}, "unless": {"elsif", "else"}, "case": {"when", "else"},
            "for": {"else"}, "capture": set()}
INLINE_TAGS = {"assign", "include", "include_relative", "post_url", "link", "increment",
               "decrement", "cycle", "break", "continue", "echo", "render", "else", "elsif",
               "when", "endif", "endunless", "endcase", "endfor", "endcapture", "endraw",
               "endhighlight", "endcomment", "seo", "feed_meta", "gist", "youtube"}
# Hugo shortcodes whose content is code.
CODE_SHORTCODES = {"highlight": "", "mermaid": "mermaid", "code": ""}
# Where a link's address is being written: `](`, `[label]: `, href= or src=.
URL_POSITION = re.compile(r"(?:\]\(\s*<?|^[ ]{0,3}\[[^\]\n]+\]:[ \t]*<?|\b(?:href|src)\s*=\s*"
                          r"[\"']?)[^\s\"'()<>]*$")
LOOP = re.compile(r"^\s*(\w+)\s+in\s+(\S+)(.*)$", re.DOTALL)
LOOP_OPTION = re.compile(r"\b(limit|offset)\s*:\s*(\d+)|\b(reversed)\b")
RANGE = re.compile(r"^\((\S+?)\.\.(\S+?)\)$")
ZOLA_CALL = re.compile(r"^\(.*\)$", re.DOTALL)  # {% note(title="x") %}: a Zola shortcode
ZOLA_END = "/end"  # Zola's {% end %} closes whichever body shortcode is open
ASSIGN = re.compile(r"^\s*([\w-]+)\s*=\s*(.*)$", re.DOTALL)


@dataclass
class Node:
    """A piece of the post: text, code, a tag or shortcode, or a block of them."""

    kind: str  # text, code, output, tag, short, highlight, drop, block, paired
    start: int
    end: int
    content: str = ""  # text and code as printed; a highlight's code
    name: str = ""  # a tag's or shortcode's name; a highlight's language
    arguments: str = ""
    closing: bool = False  # {{< /name >}}
    alone: bool = False  # {{< name />}}: a shortcode that has no closing tag
    # A block's branches: the tag that opens each, and what it holds.
    branches: list[tuple[Node, list[Node]]] = field(default_factory=list)


def scan(text: str) -> list[Node]:
    """The post as a flat list of nodes; raw, comment and highlight blocks and code are
    read whole, as literal text."""
    nodes: list[Node] = []
    position, strip_next = 0, False

    def add_text(start: int, end: int) -> None:
        nonlocal strip_next
        piece = text[start:end]
        if strip_next:
            piece, strip_next = piece.lstrip(), False
        if piece:
            nodes.append(Node("text", start, end, piece))

    while True:
        found = TOKEN.search(text, position)
        if found is None:
            break
        add_text(position, found.start())
        node, position = read_token(text, found)
        if found.group("tl") or found.group("ol"):
            strip_before(nodes)
        nodes.append(node)
        strip_next = bool(found.group("tr") or found.group("or"))
    add_text(position, len(text))
    return nodes


def strip_before(nodes: list[Node]) -> None:
    """`{%-`: the white space before the tag goes."""
    if nodes and nodes[-1].kind == "text":
        nodes[-1].content = nodes[-1].content.rstrip()


def read_token(text: str, found: re.Match[str]) -> tuple[Node, int]:
    start = found.start()
    if found.group("fence"):
        return fenced_code(text, found)
    if found.group("code"):
        run = found.group("code")
        limit = re.compile(r"\n[ \t]*\n").search(text, found.end())
        closing = re.compile(rf"(?<!`){run}(?!`)").search(
            text, found.end(), limit.start() if limit else len(text))
        if closing is None:
            return Node("text", start, found.end(), run), found.end()
        return Node("code", start, closing.end(), literal(text[start:closing.end()])), \
            closing.end()
    if found.group("escaped"):
        close = ">" if found.group("open") == "<" else "%"
        shown = "{{" + found.group("open") + found.group("escaped_body") + close + "}}"
        return Node("text", start, found.end(), shown), found.end()
    if found.group("short") or found.group("percent"):
        prefix = "s" if found.group("short") else "p"
        name = found.group(prefix + "name")
        node = Node("short", start, found.end(), name=name,
                    arguments=found.group(prefix + "args").strip(),
                    closing=bool(found.group(prefix + "close")),
                    alone=bool(found.group(prefix + "self")))
        if name.lower() in CODE_SHORTCODES and not node.closing and not node.alone:
            end = re.compile(r"\{\{[<%]\s*/\s*" + re.escape(name) + r"\s*[>%]\}\}").search(
                text, found.end())
            if end is not None:
                positional, named = shortcodes.arguments(node.arguments)
                language = CODE_SHORTCODES[name.lower()] or named.get("lang", "") or \
                    (positional[0] if positional else "")
                return Node("highlight", start, end.end(), text[found.end():end.start()],
                            language), end.end()
        return node, found.end()
    if found.group("tag"):
        name, arguments = found.group("tname"), found.group("targs").strip()
        ends = {"raw": "endraw", "comment": "endcomment", "highlight": "endhighlight"}
        if name == "#":
            return Node("drop", start, found.end()), found.end()
        if ZOLA_CALL.match(arguments) or (name == "end" and not arguments):
            return zola_shortcode(name, arguments, start, found.end(), body=True), found.end()
        if name in ends:
            end = re.compile(r"\{%-?\s*" + ends[name] + r"\s*-?%\}").search(text, found.end())
            stop = end.end() if end else len(text)
            inside = text[found.end():end.start() if end else len(text)]
            if name == "raw":
                return Node("text", start, stop, inside), stop
            if name == "comment":
                return Node("drop", start, stop), stop
            language = arguments.split()[0] if arguments.split() else ""
            return Node("highlight", start, stop, RAW_MARKER.sub("", inside), language), stop
        return Node("tag", start, found.end(), name=name, arguments=arguments), found.end()
    call = re.match(r"^\s*([A-Za-z_][\w-]*)\s*(\(.*\))\s*$", found.group("expression"),
                    re.DOTALL)
    if call:  # Zola's {{ youtube(id="x") }}
        return zola_shortcode(call.group(1), call.group(2), start, found.end(), body=False), \
            found.end()
    return Node("output", start, found.end(), name="", arguments=found.group("expression")), \
        found.end()


def zola_shortcode(name: str, arguments: str, start: int, end: int, body: bool) -> Node:
    """Zola's shortcodes, `{{ name(key="value", n=2) }}` and `{% name(...) %}` … `{% end %}`,
    as the shortcodes they are (Zola's built-ins share Hugo's names)."""
    if name == "end":
        return Node("short", start, end, name=ZOLA_END, closing=True)
    inside = arguments.strip()[1:-1]
    named = re.sub(r",\s*(?=[\w-]+\s*=)", " ", inside)  # key=value, key=value
    return Node("short", start, end, name=name, arguments=named, alone=not body)


def fenced_code(text: str, found: re.Match[str]) -> tuple[Node, int]:
    """A fenced block, up to its closing fence (or the end): shown as written."""
    fence = found.group("fence").lstrip(" \t>")
    line_end = text.find("\n", found.end())
    if line_end < 0:
        return Node("code", found.start(), len(text), literal(text[found.start():])), len(text)
    closing = re.compile(rf"^[ \t]*(?:>[ \t]*)*{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$",
                         re.MULTILINE).search(text, line_end + 1)
    end = closing.end() if closing else len(text)
    return Node("code", found.start(), end, literal(text[found.start():end])), end


def literal(code: str) -> str:
    """Code as the generators show it: without `{% raw %}` markers, `{{</* x */>}}` as
    `{{< x >}}`."""
    return ESCAPED.sub(lambda m: "{{" + m.group(1) + m.group(2) + m.group(3) + "}}",
                       RAW_MARKER.sub("", code))


def parse(nodes: list[Node], index: int, stops: set[str]) -> tuple[list[Node], int]:
    """Nodes into a tree: Liquid's blocks with their branches, Hugo's paired shortcodes
    with their content. Stops at a tag or closing shortcode named in `stops`."""
    children: list[Node] = []
    while index < len(nodes):
        node = nodes[index]
        if (node.kind == "tag" and node.name in stops) or \
                (node.kind == "short" and node.closing and (
                    "/" + node.name in stops or
                    (node.name == ZOLA_END and any(s.startswith("/") for s in stops)))):
            return children, index
        if node.kind == "tag" and is_block(nodes, index):
            block = Node("block", node.start, node.end, name=node.name)
            branch_names = BRANCHES.get(node.name, set()) | {"end" + node.name}
            opening = node
            while True:
                held, index = parse(nodes, index + 1, branch_names)
                block.branches.append((opening, held))
                if index >= len(nodes):
                    break
                opening = nodes[index]
                if opening.name == "end" + node.name:
                    index += 1
                    break
            block.end = nodes[index - 1].end if index <= len(nodes) else node.end
            children.append(block)
            continue
        if node.kind == "short" and not node.closing and not node.alone and \
                closes_later(nodes, index):
            held, index = parse(nodes, index + 1, {"/" + node.name})
            paired = Node("paired", node.start, nodes[min(index, len(nodes) - 1)].end,
                          name=node.name, arguments=node.arguments)
            paired.branches.append((node, held))
            children.append(paired)
            index += 1
            continue
        children.append(node)
        index += 1
    return children, index


def is_block(nodes: list[Node], index: int) -> bool:
    name = nodes[index].name
    if name in BRANCHES:
        return True
    if name in INLINE_TAGS or name.startswith("end"):
        return False
    return any(n.kind == "tag" and n.name == "end" + name for n in nodes[index + 1:])


def closes_later(nodes: list[Node], index: int) -> bool:
    name = nodes[index].name
    return any(n.kind == "short" and n.closing and n.name in (name, ZOLA_END)
               for n in nodes[index + 1:])


def line_breaks(text: str) -> str:
    return "\n" * text.count("\n")


class Renderer:
    """Renders one post's nodes with its values; `problems` collects what it left out."""

    def __init__(self, text: str, values: TemplateValues) -> None:
        self.text = text
        self.values = values
        self.scope = liquid.Scope(values)
        self.problems: list[tuple[str, str, str]] = []
        self.said: set[str] = set()

    def warn(self, code: str, message: str, needle: str, once: str = "") -> None:
        key = once or needle
        if key not in self.said:
            self.said.add(key)
            self.problems.append((code, message, needle.split("\n", 1)[0]))

    def raw(self, node: Node) -> str:
        return self.text[node.start:node.end]

    def render(self, nodes: list[Node], before: str = "") -> str:
        out: list[str] = [before]
        for node in nodes:
            out.append(self.node(node, out))
        return "".join(out[1:])

    def node(self, node: Node, out: list[str]) -> str:
        if node.kind in ("text", "code"):
            return node.content
        if node.kind == "drop":
            return line_breaks(self.raw(node))
        if node.kind == "highlight":
            return fence(node.content, node.name, out)
        if node.kind == "output":
            return self.output(node, in_url(out))
        if node.kind == "tag":
            return self.tag(node, in_url(out))
        if node.kind == "block":
            return self.block(node, out)
        return self.shortcode(node, out)

    def output(self, node: Node, url: bool) -> str:
        expression = node.arguments.strip()
        jekyll = self.values.generator == "jekyll"
        if not liquid.is_liquid(expression, self.scope, jekyll) or (
                self.values.generator == "hugo" and not expression.startswith(("page.", "site."))):
            return self.raw(node)  # not Liquid (Hugo's {{ .Title }}, TeX's {{2}}): text
        try:
            value = liquid.evaluate(expression, self.scope)
        except liquid.UnknownValueError as unknown:
            self.warn("M501", f"{self.raw(node)!r} prints {unknown} which is known only when "
                      "the site is built: it is left out", self.raw(node))
            return ""
        if value is liquid.MISSING:
            self.warn("M501", f"{self.raw(node)!r}: nothing sets "
                      f"{expression.split('|')[0].strip()}, so it is left out", self.raw(node))
            return ""
        shown = liquid.text(value)
        return quote(shown, safe="/:?#[]@!$&'()*+,;=%~") if url else shown

    def tag(self, node: Node, url: bool) -> str:
        name, raw = node.name, self.raw(node)
        if name == "assign":
            found = ASSIGN.match(node.arguments)
            if found:
                try:
                    self.scope.local[found.group(1)] = liquid.evaluate(found.group(2),
                                                                       self.scope)
                except liquid.UnknownValueError:
                    self.scope.local[found.group(1)] = liquid.MISSING
            return line_breaks(raw)
        if name in ("post_url", "link"):
            if url:  # the link stage finds the essay it names (sitelinks.py)
                return quote(raw, safe="")
            self.warn("M502", f"{raw!r} prints a page's address, which the book has not: it "
                      "is left out", raw)
            return ""
        if name in ("include", "include_relative", "render"):
            included = node.arguments.split()[0] if node.arguments.split() else ""
            self.warn("M502", f"{raw!r} shows the site's template {included!r}, which is not "
                      "part of the post: it is left out", raw,
                      once=f"include {included}")
            return line_breaks(raw)
        if name in shortcodes.EMBEDS:  # jekyll-gist's {% gist user/id %}, {% youtube id %}
            return self.embed(node)
        if name in INLINE_TAGS and (name.startswith("end") or
                                    name in ("else", "elsif", "when", "break", "continue")):
            return line_breaks(raw)
        self.warn("M502", f"{raw.split(chr(10), 1)[0]!r} is a Liquid tag of the site's "
                  "(a plugin's or Jekyll's own) that the book cannot render: it is left out",
                  raw, once=f"tag {name}")
        return line_breaks(raw)

    def embed(self, node: Node) -> str:
        """A plugin's embed (a gist, a video) is a link to what it showed, as in Hugo."""
        positional, named = shortcodes.arguments(node.arguments.replace("/", " ")
                                                 if node.name == "gist" else node.arguments)
        call = shortcodes.Call(node.name, positional, named, None, self.raw(node),
                               self.values, False, True)
        shown = shortcodes.render(call)
        for code, message, needle in call.problems:
            self.warn(code, message, needle)
        return shown

    def block(self, node: Node, out: list[str]) -> str:
        before = "".join(out[-3:])
        opening = node.branches[0][0]
        if node.name in ("if", "unless", "case"):
            chosen = self.choose(node)
            pieces = []
            for index, (tag, held) in enumerate(node.branches):
                pieces.append(line_breaks(self.raw(tag)))
                if index == chosen:
                    pieces.append(self.render(held, before))
                elif held:
                    pieces.append(line_breaks(self.text[held[0].start:held[-1].end]))
            return "".join(pieces)
        if node.name == "for":
            return self.loop(node, before)
        if node.name == "capture":
            held = node.branches[0][1]
            variable = opening.arguments.split()[0] if opening.arguments.split() else ""
            self.scope.local[variable] = self.render(held).strip()
            return line_breaks(self.raw(node))
        self.warn("M502", f"{self.raw(opening)!r} is a Liquid block of the site's (a "
                  "plugin's) that the book cannot render: its content is kept as text",
                  self.raw(opening), once=f"tag {node.name}")
        return "".join(line_breaks(self.raw(tag)) + self.render(held, before)
                       for tag, held in node.branches)

    def choose(self, node: Node) -> int | None:
        """The branch an if, unless or case renders, by evaluating its conditions."""
        opening = node.branches[0][0]
        subject: Any = None
        for index, (tag, _) in enumerate(node.branches):
            if tag.name == "else":
                return index
            try:
                if node.name == "case":
                    if tag is opening:
                        subject = liquid.operand(opening.arguments, self.scope)
                        continue
                    options = re.split(r"\s*(?:,|\bor\b)\s*", tag.arguments.strip())
                    if any(liquid.operand(o, self.scope) == subject for o in options if o):
                        return index
                    continue
                holds = liquid.condition(tag.arguments, self.scope)
            except liquid.UnknownValueError as unknown:
                self.warn("M502", f"{self.raw(tag)!r} depends on {unknown}, known only when "
                          "the site is built: taken as false", self.raw(tag))
                holds = False
            if holds != (node.name == "unless" and tag is opening):
                return index
        return None

    def loop(self, node: Node, before: str) -> str:
        opening, held = node.branches[0]
        found = LOOP.match(opening.arguments)
        items: Any = liquid.MISSING
        if found:
            ranged = RANGE.match(found.group(2))
            try:
                if ranged:
                    low, high = (int(liquid.text(liquid.operand(v, self.scope)) or 0)
                                 for v in ranged.groups())
                    items = list(range(low, high + 1))
                else:
                    items = liquid.lookup(found.group(2), self.scope)
            except (liquid.UnknownValueError, ValueError):
                items = liquid.MISSING
        if found is None or not isinstance(items, list):
            self.warn("M502", f"{self.raw(opening)!r} lists what the site builds (its posts, "
                      "pages or data), not known from the post: the loop is left out",
                      self.raw(opening))
            return line_breaks(self.raw(node))
        items = self.loop_items(items, found.group(3))
        name = found.group(1)
        saved = self.scope.local.get(name, liquid.MISSING)
        pieces = []
        for position, item in enumerate(items):
            self.scope.local[name] = item
            self.scope.local["forloop"] = {"index": position + 1, "index0": position,
                                           "first": position == 0,
                                           "last": position == len(items) - 1,
                                           "length": len(items)}
            pieces.append(self.render(held, before))
        self.scope.local[name] = saved
        if not items and len(node.branches) > 1:
            pieces.append(self.render(node.branches[1][1], before))
        return "".join(pieces)

    @staticmethod
    def loop_items(items: list[Any], options: str) -> list[Any]:
        limit, offset, backwards = None, 0, False
        for option in LOOP_OPTION.finditer(options):
            if option.group(1) == "limit":
                limit = int(option.group(2))
            elif option.group(1) == "offset":
                offset = int(option.group(2))
            elif option.group(3):
                backwards = True
        items = items[offset:offset + limit if limit is not None else None]
        return items[::-1] if backwards else items

    def shortcode(self, node: Node, out: list[str]) -> str:
        inner = None
        opening = node
        if node.kind == "paired":
            opening, held = node.branches[0]
            inner = self.render(held, "".join(out[-3:]))
        elif node.closing:
            return ""  # a closing tag without its opening one
        positional, named = shortcodes.arguments(opening.arguments)
        prior = "".join(out[-3:])
        call = shortcodes.Call(node.name, positional, named, inner, self.raw(opening),
                               self.values, in_url(out), not prior or prior.endswith("\n"))
        shown = shortcodes.render(call)
        for code, message, needle in call.problems:
            self.warn(code, message, needle,
                      once=f"shortcode {node.name}" if code == "M503" else "")
        if node.kind == "paired" and "\n" in shown:  # a block: the lines after keep their place
            shown += "\n" * max(0, self.raw(node).count("\n") - shown.count("\n"))
        return shown


def fence(code: str, language: str, out: list[str]) -> str:
    """A highlight block as a fenced code block, on lines of its own."""
    longest = max((len(run) for run in re.findall(r"^\s*(`{3,})", code, re.MULTILINE)),
                  default=2)
    marks = "`" * max(3, longest + 1)
    before = "".join(out[-2:]).rstrip(" \t>")
    lead = "" if not before or before.endswith("\n") else "\n"
    body = code[1:] if code.startswith("\n") else code
    body, _, last = body.rpartition("\n") if "\n" in body else ("", "", body)
    if last.strip():  # code up to the closing tag: its last line
        body, last = f"{body}\n{last}" if body else last, ""
    return f"{lead}{marks}{language}\n{body}\n{last}{marks}" if body else \
        f"{lead}{marks}{language}\n{last}{marks}"


def in_url(out: list[str]) -> bool:
    tail = "".join(out[-4:]).rsplit("\n", 1)[-1]
    return URL_POSITION.search(tail) is not None


def render_templates(text: str, values: TemplateValues) -> tuple[str, list[tuple[str, str,
                                                                                 str]]]:
    """The post with its templates rendered, and the problems (code, message, the text
    they are about) of what could not be."""
    nodes, _ = parse(scan(text), 0, set())
    renderer = Renderer(text, values)
    return renderer.render(nodes), renderer.problems
