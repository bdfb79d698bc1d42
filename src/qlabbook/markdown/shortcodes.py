"""Hugo's shortcodes (and Quarto's, which share their syntax) as the Markdown that says what
the site showed: `{{< figure >}}` a figure with its caption and credit, `{{% note %}}` and
the themes' admonitions a titled box, a sidenote a note, `{{< youtube >}}` and other
embeds a link to what they showed, `{{< param >}}` its value. What a book cannot show is
dropped, and what this does not know keeps its content; both are said (templates.py)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from qlabbook.source.templating import TemplateValues

ARGUMENT = re.compile(r'(?:([\w-]+)\s*=\s*)?("(?:[^"\\]|\\.)*"|`[^`]*`|[^\s"`]+)')
# A theme's boxes, by the names they go by, and the kind of box each kind of note is.
BOXES = {"note", "info", "tip", "hint", "warning", "caution", "danger", "important",
         "attention", "error", "success", "notice", "alert", "admonition", "callout", "box",
         "panel", "details", "expand", "spoiler", "aside", "notification", "message", "tab"}
# Boxes whose kind (and title) are their arguments; a tab is a box titled with its name.
GENERIC_BOXES = {"notice", "alert", "hint", "admonition", "callout", "box", "panel", "details",
                 "expand", "spoiler", "aside", "notification", "message", "tab"}
KINDS = {"note": "note", "info": "note", "notice": "note", "primary": "note",
         "secondary": "note", "hint": "tip", "tip": "tip", "success": "tip", "warning": "warning",
         "warn": "warning", "attention": "warning", "caution": "caution", "danger": "caution",
         "error": "caution", "important": "important"}
EMBEDS = {"youtube": ("Video", "https://www.youtube.com/watch?v={0}"),
          "vimeo": ("Video", "https://vimeo.com/{0}"),
          "video": ("Video", "{0}"),
          "instagram": ("Post", "https://www.instagram.com/p/{0}/"),
          "gist": ("Code", "https://gist.github.com/{0}/{1}"),
          "tweet": ("Post", "https://x.com/{user}/status/{id}"),
          "x": ("Post", "https://x.com/{user}/status/{id}"),
          "twitter": ("Post", "https://x.com/{user}/status/{id}"),
          "speakerdeck": ("Slides", "https://speakerdeck.com/player/{0}"),
          "asciinema": ("Recording", "https://asciinema.org/a/{0}")}
FIGURES = {"figure", "img", "image", "picture", "fig"}
NOTES = {"sidenote", "marginnote", "footnote", "sn", "mn", "margin-note", "side-note"}
RAW = {"rawhtml", "raw", "html", "unsafe", "markdown", "md", "markdownify", "noop", "center",
       "column", "columns", "row", "div", "section", "tabs", "tabpane", "tab-pane"}
SILENT = {"comment", "pagebreak", "toc", "clear", "lipsum", "placeholder", "readingtime",
          "reading-time", "share", "newsletter", "subscribe"}
MATH = {"katex", "math", "latex", "tex", "mathjax"}
TITLES = ("title", "summary", "header", "heading", "caption", "label", "name")
KIND_NAMES = ("type", "kind", "color", "context", "class", "style", "level", "theme")


@dataclass
class Call:
    """One shortcode as written: its name, arguments and (when paired) its rendered content,
    and what is around it."""

    name: str
    positional: list[str]
    named: dict[str, str]
    inner: str | None  # the content between its tags, rendered; None when it has none
    raw: str  # as written, for messages
    values: TemplateValues
    in_url: bool  # written where a link's address is
    line_start: bool  # written at the start of a line
    problems: list[tuple[str, str, str]] = field(default_factory=list)

    def get(self, *names: str, position: int | None = None) -> str:
        for name in names:
            if name in self.named:
                return self.named[name]
        if position is not None and position < len(self.positional):
            return self.positional[position]
        return ""

    def warn(self, code: str, message: str) -> None:
        self.problems.append((code, message, self.raw.split("\n", 1)[0]))


def arguments(text: str) -> tuple[list[str], dict[str, str]]:
    positional: list[str] = []
    named: dict[str, str] = {}
    for found in ARGUMENT.finditer(text):
        value = found.group(2)
        if value[:1] == '"':
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        elif value[:1] == "`":
            value = value[1:-1]
        if found.group(1):
            named[found.group(1).lower()] = value
        else:
            positional.append(value)
    return positional, named


def render(call: Call) -> str:
    """The Markdown the shortcode stands for; "" for what the book leaves out."""
    name = call.name.lower()
    for names, make in HANDLERS:
        if name in names:
            return make(call)
    if call.inner is not None:
        call.warn("M503", f"{call.raw.split(chr(10), 1)[0]!r} is a shortcode of the site's "
                  "theme: its content is kept, without what the theme adds")
        return call.inner
    call.warn("M503", f"{call.raw!r} is a shortcode of the site's theme, which the book "
              "cannot show: it is left out")
    return ""


def figure(call: Call) -> str:
    """`{{< figure src= alt= title= caption= attr= attrlink= >}}`: Hugo shows the title
    over the caption, the attribution after it, and takes the caption for alt text."""
    src = call.get("src", "url", "path", "image", "file", position=0)
    if not src:
        call.warn("M503", f"{call.raw!r} names no picture (src=): it is left out")
        return ""
    title, caption = call.get("title"), call.get("caption")
    shown = f"{title}{'' if re.search(r'[.:!?]$', title) else '.'} {caption}" \
        if title and caption else title or caption
    shown = plain(shown)
    alt = plain(call.get("alt", "description") or caption)  # Hugo's own choice
    attributes = [f'{key}="{escaped(value)}"' for key, value in
                  (("credit", plain(call.get("attr", "credit", "author"))),
                   ("source", call.get("attrlink", "source"))) if value]
    caption_part = f' "{escaped(shown)}"' if shown else ""
    brackets = alt.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
    image = f"![{brackets}](<{src}>{caption_part})"
    return image + (f"{{ {' '.join(attributes)} }}" if attributes else "")


def plain(text: str) -> str:
    """A caption's Markdown and HTML as its words."""
    text = re.sub(r"<[^>]+>", "", text)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    return " ".join(re.sub(r"(\*\*|__|\*|_|`)(.+?)\1", r"\2", text).split())


def escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def box(call: Call) -> str:
    """A titled box (a callout): `{{% note %}}`, `{{< alert warning >}}`,
    `{{% notice tip "Title" %}}`, `{{< details summary="More" >}}`."""
    name = call.name.lower()
    kind = KINDS.get(name, "note")
    title = call.get(*TITLES)
    if name in GENERIC_BOXES:  # the kind is an argument: {{% notice warning %}}
        given = call.get(*KIND_NAMES, position=0).lower()
        kind = KINDS.get(given, kind)
        if not title and len(call.positional) > 1 and given in KINDS:
            title = call.positional[1]
        elif not title and call.positional and given not in KINDS:
            title = call.positional[0]  # {{< details "Summary" >}}
    opening = f"::: {{.callout-{kind}" + (f' title="{escaped(plain(title))}"' if title
                                          else "") + "}"
    inner = (call.inner or "").strip("\n")
    return f"{'' if call.line_start else chr(10)}{opening}\n{inner}\n:::"


def sidenote(call: Call) -> str:
    """A sidenote or margin note is a note: pandoc's inline note."""
    text = call.inner if call.inner is not None else call.get("text", "content", position=-1
                                                              if call.positional else None)
    words = " ".join((text or "").split())
    return f"^[{words}]" if words else ""


def embed(call: Call) -> str:
    """A video, post or gist the site embedded: in a book, a link to it."""
    label, pattern = EMBEDS[call.name.lower()]
    if call.get("url").startswith(("https://", "http://")):  # Zola's gist(url=...)
        pattern = call.get("url")
    positional = [p for p in call.positional if "=" not in p]
    try:
        url = pattern.format(*positional, **{k: v for k, v in call.named.items()})
    except (IndexError, KeyError):
        if call.name.lower() in ("tweet", "x", "twitter") and positional:
            url = f"https://x.com/i/status/{positional[-1]}"
        elif "id" in call.named and "{0}" in pattern and "{1}" not in pattern:
            url = pattern.format(call.named["id"])
        else:
            call.warn("M503", f"{call.raw!r} does not say what it embeds: it is left out")
            return ""
    title = call.get("title", "caption")
    return f"{label}{': ' + title if title else ''}: <{url}>"


def parameter(call: Call) -> str:
    """`{{< param "name" >}}`: the page's parameter, else the site's."""
    key = call.get("name", position=0)
    page, site = call.values.page, call.values.site
    params = site.get("params") if isinstance(site.get("params"), dict) else {}
    for source in (page, page.get("params") if isinstance(page.get("params"), dict) else {},
                   params):
        found = dotted(source, key)
        if found is not None:
            return str(found)
    call.warn("M501", f"{call.raw!r}: neither the page nor the site sets {key!r}, so it is "
              "left out")
    return ""


def meta(call: Call) -> str:
    """Quarto's `{{< meta title >}}`: a front matter value."""
    key = call.get("name", position=0)
    found = dotted(call.values.page, key)
    if found is None:
        call.warn("M501", f"{call.raw!r}: the front matter does not set {key!r}, so it is "
                  "left out")
        return ""
    return str(found)


def dotted(data: Any, key: str) -> Any:
    for part in key.split("."):
        if not isinstance(data, dict):
            return None
        data = {str(k).lower(): v for k, v in data.items()}.get(part.lower())
    return data if isinstance(data, str | int | float) and not isinstance(data, bool) else None


def base_url(call: Call) -> str:
    """A theme's `{{< baseurl >}}`: the site's address, ending with a slash."""
    site = call.values.site
    address = str(site.get("baseURL") or site.get("baseurl") or "")
    return address if address.endswith("/") else address + "/"


def reference(call: Call) -> str:
    """`{{< ref >}}` and `{{< relref >}}` are addresses: kept (percent-encoded, so Markdown
    reads the address whole) for the link stage to find the essay they name."""
    if call.in_url:
        return quote(call.raw, safe="")
    call.warn("M503", f"{call.raw!r} prints a page's address, which the book has not: it is "
              "left out")
    return ""


def keyboard(call: Call) -> str:
    keys = call.positional or list(call.named.values())
    return "<kbd>" + "+".join(keys) + "</kbd>" if keys else ""


def math(call: Call) -> str:
    """A math shortcode's TeX, between dollars when it has none."""
    inner = (call.inner or "").strip()
    if not inner or "$" in inner or "\\[" in inner or "\\(" in inner:
        return call.inner or ""
    display = call.get("display", "block").lower() in ("true", "block", "display") or \
        "\n" in inner
    return f"$${inner}$$" if display else f"${inner}$"


def kept(call: Call) -> str:
    return call.inner or ""


def dropped(call: Call) -> str:
    return ""


def unreadable(call: Call) -> str:
    call.warn("M503", f"{call.raw!r} takes its text from a file or setting outside the post: "
              "it is left out")
    return ""


HANDLERS: list[tuple[set[str], Callable[[Call], str]]] = [
    (FIGURES, figure), (BOXES, box), (NOTES, sidenote), (set(EMBEDS), embed),
    ({"param"}, parameter), ({"meta"}, meta), ({"baseurl", "base_url", "siteurl"}, base_url),
    ({"ref", "relref"}, reference), ({"kbd"}, keyboard), (MATH, math), (RAW, kept),
    (SILENT, dropped), ({"var", "env", "include", "readfile", "read-file"}, unreadable),
]
