"""Liquid's expressions as Jekyll evaluates them in a post: `page.title`, `site.baseurl`,
`"/x.png" | relative_url`, `page.date | date: "%B %-d, %Y"`, and the conditions of `if`,
`unless` and `when`. Only values known before the site is built are known here: a post's
front matter and the site's _config.yml, not the list of posts."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from qlabbook.source import frontmatter
from qlabbook.source.templating import TemplateValues
from qlabbook.source.text import slugify

# A value, a variable path (page.title, site.data["x"], tags[0], tags.size) or a literal.
STRING = r"\"[^\"]*\"|'[^']*'"
PATH = r"[A-Za-z_][\w-]*(?:\.[\w-]+|\[(?:\d+|" + STRING + r"|[\w.]+)\])*"
OPERAND = re.compile(rf"\s*({STRING}|-?\d+(?:\.\d+)?|{PATH})\s*")
EXPRESSION = re.compile(rf"^\s*(?:{STRING}|-?\d+(?:\.\d+)?|{PATH})\s*(?:\|.*)?$", re.DOTALL)
SEGMENT = re.compile(r"\.([\w-]+)|\[(\d+)\]|\[(" + STRING + r")\]|\[([\w.]+)\]")
COMPARISON = re.compile(r"\s*(==|!=|<>|<=|>=|<|>|\bcontains\b)\s*")
# What Jekyll computes while it builds the site: not known from one post.
COMPUTED = {
    "site": {"posts", "pages", "categories", "tags", "collections", "data", "static_files",
             "html_pages", "html_files", "documents", "related_posts", "time"},
    "page": {"content", "excerpt", "url", "next", "previous", "id", "path", "collection",
             "output", "dir", "name"},
}
ROOTS = {"page", "site", "jekyll", "include", "layout", "paginator", "content", "forloop"}
MISSING = object()


class UnknownValueError(Exception):
    """An expression names a value that is not known before the site is built."""


@dataclass
class Scope:
    """What an expression can read: the post's and the site's values, and the variables the
    post assigns (`{% assign %}`, `{% capture %}`, a loop's variable)."""

    values: TemplateValues
    local: dict[str, Any] = field(default_factory=dict)

    def root(self, name: str) -> Any:
        if name in self.local:
            return self.local[name]
        if name == "page":
            return self.values.page
        if name == "site":
            return {**self.values.site, "baseurl": self.values.base, "url": self.values.url}
        if name == "jekyll":
            return {"environment": "production"}  # a published site is built so
        return MISSING

    def knows(self, name: str) -> bool:
        return name in self.local or name in ("page", "site", "jekyll")


def is_liquid(expression: str, scope: Scope, jekyll: bool) -> bool:
    """Whether `{{ expression }}` reads as Liquid: a literal or a variable whose root Jekyll
    defines (or the post assigned; in a Jekyll site, any variable). `{{ .Site.Title }}` or
    TeX's `{{2}}` is not."""
    if not EXPRESSION.match(expression):
        return False
    head = OPERAND.match(expression.split("|", 1)[0])
    if head is None:
        return False
    word = head.group(1)
    if word[0] in "\"'":
        return True
    if word[0].isdigit() or word[0] == "-":
        return False
    return jekyll or re.split(r"[.\[]", word, maxsplit=1)[0] in ROOTS or \
        scope.knows(word.split(".")[0])


def lookup(path: str, scope: Scope) -> Any:
    """The value of a variable path; MISSING when its field is not set (Liquid's nil), and
    UnknownValueError raised when Jekyll computes it while building."""
    head = re.match(r"[A-Za-z_][\w-]*", path)
    assert head is not None
    name = head.group()
    value = scope.root(name)
    if value is MISSING and name in ROOTS:
        raise UnknownValueError(path)  # Jekyll's own (content, paginator, an include's parameters)
    first = True
    for found in SEGMENT.finditer(path, head.end()):
        key: Any = found.group(1) or (int(found.group(2)) if found.group(2) else None)
        if found.group(3):
            key = found.group(3)[1:-1]
        elif found.group(4):
            key = text(evaluate(found.group(4), scope))
        if first and key in COMPUTED.get(name, ()) and \
                not (isinstance(value, dict) and key in value):
            raise UnknownValueError(path)
        first = False
        value = member(value, key)
        if value is MISSING:
            return MISSING
    return value


def member(value: Any, key: Any) -> Any:
    if isinstance(value, dict):
        return value.get(key, MISSING) if isinstance(key, str) else MISSING
    if isinstance(value, list | str) and key in ("size", "first", "last"):
        if key == "size":
            return len(value)
        return (value[0] if key == "first" else value[-1]) if value else MISSING
    if isinstance(value, list) and isinstance(key, int):
        return value[key] if -len(value) <= key < len(value) else MISSING
    return MISSING


def operand(word: str, scope: Scope) -> Any:
    word = word.strip()
    if word[:1] in "\"'":
        return word[1:-1]
    if re.fullmatch(r"-?\d+", word):
        return int(word)
    if re.fullmatch(r"-?\d+\.\d+", word):
        return float(word)
    if word in ("true", "false"):
        return word == "true"
    if word in ("nil", "null"):
        return None
    if word in ("empty", "blank"):
        return EMPTY
    return lookup(word, scope)


EMPTY = ()  # Liquid's `empty` and `blank`: compared, never printed


def split_arguments(text: str) -> list[str]:
    """A filter's arguments, split at commas outside quotes."""
    return [m.group().strip() for m in re.finditer(rf"(?:{STRING}|[^,\"'])+", text)]


def split_filters(expression: str) -> list[str]:
    """The expression's parts between `|`s outside quotes."""
    return [m.group() for m in re.finditer(rf"(?:{STRING}|[^|\"'])+", expression)]


def evaluate(expression: str, scope: Scope) -> Any:
    """The value of `value | filter: arg, arg | filter`; UnknownValueError when it names a value not
    known before the site is built, or a filter this does not have."""
    parts = split_filters(expression)
    value = operand(parts[0], scope) if parts else MISSING
    for part in parts[1:]:
        name, _, arguments = part.partition(":")
        name = name.strip()
        apply = FILTERS.get(name)
        if apply is None:
            raise UnknownValueError(f"| {name}")
        value = apply(value, [operand(a, scope) for a in split_arguments(arguments)], scope)
    return value


def text(value: Any) -> str:
    """How Liquid prints a value."""
    if value is MISSING or value is None or value is EMPTY:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "".join(text(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, default=str)
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S") + (value.strftime(" %z") if value.tzinfo
                                                       else " +0000")
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d 00:00:00 +0000")
    return str(value)


def truthy(value: Any) -> bool:
    """Liquid's truth: only nil and false are false."""
    return value is not MISSING and value is not None and value is not False


def condition(expression: str, scope: Scope) -> bool:
    """`a`, `a == "x"`, `a contains b`, joined by `and` / `or` (evaluated from the right,
    as Liquid does)."""
    pieces = re.split(rf"\s+(and|or)\s+(?=(?:[^\"']|{STRING})*$)", expression.strip())
    result = comparison(pieces[-1], scope)
    for index in range(len(pieces) - 3, -1, -2):
        left = comparison(pieces[index], scope)
        result = (left and result) if pieces[index + 1] == "and" else (left or result)
    return result


def comparison(expression: str, scope: Scope) -> bool:
    found = COMPARISON.search(expression)
    if found is None:
        return truthy(operand(expression, scope))
    left = operand(expression[:found.start()], scope)
    right = operand(expression[found.end():], scope)
    operator = found.group(1)
    if operator == "contains":
        return isinstance(left, str | list) and right is not MISSING and \
            (text(right) in left if isinstance(left, str) else right in left)
    if left is EMPTY or right is EMPTY:
        other = right if left is EMPTY else left
        same = other in ("", [], {}) if other is not MISSING else False
        return same if operator == "==" else not same if operator in ("!=", "<>") else False
    left, right = (None if v is MISSING else v for v in (left, right))
    if operator == "==":
        return bool(left == right)
    if operator in ("!=", "<>"):
        return bool(left != right)
    try:
        return bool({"<": left < right, ">": left > right, "<=": left <= right,  # type: ignore[operator]
                     ">=": left >= right}[operator])  # type: ignore[operator]
    except TypeError:
        return False


def as_date(value: Any) -> dt.date | None:
    if isinstance(value, str) and value in ("now", "today"):
        return None
    try:
        parsed = frontmatter.parse_date(value)
    except ValueError:
        return None
    return parsed


def strftime(when: dt.date, pattern: str) -> str:
    """Ruby's strftime, with its `%-d` (no padding) on every system."""
    def field_text(match: re.Match[str]) -> str:
        flag, code = match.group(1), match.group(2)
        if code == "%":
            return "%"
        if code in "eklP" or code == "s":
            values = {"e": f"{when.day:2d}",
                      "k": f"{getattr(when, 'hour', 0):2d}",
                      "l": f"{(getattr(when, 'hour', 0) % 12) or 12:2d}",
                      "P": when.strftime("%p").lower() if isinstance(when, dt.datetime) else "am",
                      "s": str(int(when.timestamp())) if isinstance(when, dt.datetime) else ""}
            shown = values[code]
        else:
            try:
                shown = when.strftime("%" + code)
            except ValueError:
                return match.group()
        return shown.lstrip("0 ") or "0" if flag == "-" else shown

    return re.sub(r"%(-?)([A-Za-z%])", field_text, pattern)


def date_filter(value: Any, arguments: list[Any], scope: Scope) -> Any:
    when = as_date(value)
    if when is None or not arguments:
        return value
    return strftime(when, text(arguments[0]))


def date_named(pattern: str) -> Callable[[Any, list[Any], Scope], Any]:
    def apply(value: Any, arguments: list[Any], scope: Scope) -> Any:
        when = as_date(value)
        return strftime(when, pattern) if when is not None else value
    return apply


def relative_url(value: Any, arguments: list[Any], scope: Scope) -> str:
    path = text(value)
    if re.match(r"^[a-z][a-z0-9+.-]*:|^//", path):
        return path
    return scope.values.base + ("/" + path.lstrip("/") if path else "")


def absolute_url(value: Any, arguments: list[Any], scope: Scope) -> str:
    path = relative_url(value, arguments, scope)
    return path if "//" in path[:8] else scope.values.url + path


def default(value: Any, arguments: list[Any], scope: Scope) -> Any:
    empty = value is MISSING or value is None or value is False or value in ("", [], {})
    return (arguments[0] if arguments else "") if empty else value


def string(apply: Callable[[str], Any]) -> Callable[[Any, list[Any], Scope], Any]:
    return lambda value, arguments, scope: apply(text(value))


def with_argument(apply: Callable[[str, list[str]], Any]) -> Callable[[Any, list[Any], Scope],
                                                                       Any]:
    return lambda value, arguments, scope: apply(text(value), [text(a) for a in arguments])


def truncate(value: str, arguments: list[str]) -> str:
    length = int(arguments[0]) if arguments and arguments[0].isdigit() else 50
    ellipsis = arguments[1] if len(arguments) > 1 else "..."
    return value if len(value) <= length else value[:max(0, length - len(ellipsis))] + ellipsis


def truncate_words(value: str, arguments: list[str]) -> str:
    count = int(arguments[0]) if arguments and arguments[0].isdigit() else 15
    ellipsis = arguments[1] if len(arguments) > 1 else "..."
    words = value.split()
    return value if len(words) <= count else " ".join(words[:count]) + ellipsis


def sequence(apply: Callable[[list[Any], list[Any]], Any]) -> Callable[[Any, list[Any], Scope],
                                                                       Any]:
    def run(value: Any, arguments: list[Any], scope: Scope) -> Any:
        items = value if isinstance(value, list) else [] if value in (MISSING, None) \
            else [value]
        return apply(items, arguments)
    return run


def sentence(items: list[Any], arguments: list[Any]) -> str:
    words = [text(i) for i in items]
    joiner = text(arguments[0]) if arguments else "and"
    if len(words) < 3:
        return f" {joiner} ".join(words)
    return ", ".join(words[:-1]) + f", {joiner} " + words[-1]


def number(value: Any) -> float | int:
    try:
        found = float(text(value))
    except ValueError:
        return 0
    return int(found) if found.is_integer() else found


def arithmetic(apply: Callable[[float | int, float | int], float | int]) -> Callable[
        [Any, list[Any], Scope], Any]:
    return lambda value, arguments, scope: apply(number(value),
                                                 number(arguments[0] if arguments else 0))


FILTERS: dict[str, Callable[[Any, list[Any], Scope], Any]] = {
    "relative_url": relative_url, "absolute_url": absolute_url, "default": default,
    "date": date_filter, "date_to_string": date_named("%d %b %Y"),
    "date_to_long_string": date_named("%d %B %Y"),
    "date_to_xmlschema": date_named("%Y-%m-%dT%H:%M:%S+00:00"),
    "date_to_rfc822": date_named("%a, %d %b %Y %H:%M:%S +0000"),
    "upcase": string(str.upper), "downcase": string(str.lower),
    "capitalize": string(lambda s: s[:1].upper() + s[1:].lower()),
    "strip": string(str.strip), "lstrip": string(str.lstrip), "rstrip": string(str.rstrip),
    "escape": string(lambda s: html.escape(s, quote=False)),
    "escape_once": string(lambda s: html.escape(html.unescape(s), quote=False)),
    "xml_escape": string(lambda s: html.escape(s, quote=False)),
    "markdownify": string(str), "smartify": string(str), "normalize_whitespace":
        string(lambda s: " ".join(s.split())),
    "strip_html": string(lambda s: re.sub(r"<[^>]*>", "", s)),
    "strip_newlines": string(lambda s: s.replace("\n", "")),
    "newline_to_br": string(lambda s: s.replace("\n", "<br />\n")),
    "slugify": string(slugify), "jsonify": lambda v, a, s: json.dumps(
        None if v is MISSING else v, default=str),
    "url_encode": string(lambda s: quote(s, safe="")), "uri_escape": string(
        lambda s: quote(s, safe="/:?#[]@!$&'()*+,;=")),
    "cgi_escape": string(lambda s: quote(s, safe="")),
    "number_of_words": string(lambda s: len(s.split())),
    "size": lambda v, a, s: len(v) if isinstance(v, list | str | dict) else 0,
    "truncate": with_argument(truncate), "truncatewords": with_argument(truncate_words),
    "append": with_argument(lambda s, a: s + "".join(a)),
    "prepend": with_argument(lambda s, a: "".join(a) + s),
    "replace": with_argument(lambda s, a: s.replace(a[0], a[1] if len(a) > 1 else "")
                             if a else s),
    "replace_first": with_argument(lambda s, a: s.replace(a[0], a[1] if len(a) > 1 else "", 1)
                                   if a else s),
    "remove": with_argument(lambda s, a: s.replace(a[0], "") if a else s),
    "remove_first": with_argument(lambda s, a: s.replace(a[0], "", 1) if a else s),
    "split": with_argument(lambda s, a: s.split(a[0]) if a and a[0] else list(s)),
    "join": sequence(lambda items, a: (text(a[0]) if a else " ").join(text(i) for i in items)),
    "first": sequence(lambda items, a: items[0] if items else MISSING),
    "last": sequence(lambda items, a: items[-1] if items else MISSING),
    "sort": sequence(lambda items, a: sorted(items, key=text)),
    "uniq": sequence(lambda items, a: list(dict.fromkeys(map(text, items)))),
    "reverse": sequence(lambda items, a: items[::-1]),
    "compact": sequence(lambda items, a: [i for i in items if i is not None]),
    "array_to_sentence_string": sequence(sentence),
    "plus": arithmetic(lambda a, b: a + b), "minus": arithmetic(lambda a, b: a - b),
    "times": arithmetic(lambda a, b: a * b),
    "divided_by": arithmetic(lambda a, b: a // b if isinstance(a, int) and isinstance(b, int)
                             and b else a / b if b else 0),
    "modulo": arithmetic(lambda a, b: a % b if b else 0),
    "abs": arithmetic(lambda a, b: abs(a)), "round": arithmetic(lambda a, b: round(a)),
    "ceil": arithmetic(lambda a, b: -int(-a // 1)), "floor": arithmetic(lambda a, b: int(a // 1)),
}
