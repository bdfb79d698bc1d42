"""What a blog's templates know when they render a post: Jekyll's `site.*` (its _config.yml)
and `page.*` (the post's front matter), Hugo's site parameters and page parameters. The
Markdown stage replaces `{{ page.title }}` and `{{< param "author" >}}` with these values."""

from __future__ import annotations

import datetime as dt
import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from qlabbook.source import frontmatter
from qlabbook.source.model import EssaySource

JEKYLL_CONFIGS = ("_config.yml", "_config.yaml")
HUGO_CONFIGS = ("hugo.toml", "hugo.yaml", "hugo.yml", "hugo.json", "config.toml", "config.yaml",
                "config.yml", "config.json", "config/_default/hugo.toml",
                "config/_default/config.toml", "config/_default/hugo.yaml",
                "config/_default/config.yaml")
# A template is written with these; a body without them needs no values.
MARKERS = re.compile(r"\{\{|\{%")


@dataclass(frozen=True)
class TemplateValues:
    """The values a post's templates can print: `generator` is "jekyll", "hugo" or "" (no
    site configuration found); `base` the site's path prefix ("/blog"), `url` its scheme and
    host ("https://example.org")."""

    generator: str = ""
    site: dict[str, Any] = field(default_factory=dict)
    page: dict[str, Any] = field(default_factory=dict)
    base: str = ""
    url: str = ""

    @property
    def fingerprint(self) -> str:
        """Everything a conversion reads from here, for its cache key."""
        return json.dumps([self.generator, self.site, self.page, self.base, self.url],
                          sort_keys=True, default=str)


def uses_templates(body: str) -> bool:
    return MARKERS.search(body) is not None


def site_configuration(root: Path) -> tuple[str, dict[str, Any]]:
    """("jekyll", _config.yml's data) or ("hugo", the site configuration's data), or ("", {})
    when the collection has neither."""
    for name in JEKYLL_CONFIGS:
        data = read_data(root / name)
        if data is not None:
            return "jekyll", data
    for name in HUGO_CONFIGS:
        data = read_data(root / name)
        if data is not None and "base_url" not in data:  # Zola writes base_url
            return "hugo", data
    return "", {}


def read_data(path: Path) -> dict[str, Any] | None:
    """A YAML, TOML or JSON file's mapping, or None when it is absent or unreadable."""
    try:
        text = path.read_text(encoding="utf-8-sig")
        if path.suffix == ".toml":
            data = tomllib.loads(text)
        elif path.suffix == ".json":
            data = json.loads(text)
        else:
            data = yaml.safe_load(text)
    except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError):
        return None
    return data if isinstance(data, dict) else None


def template_values(root: Path, source: EssaySource,
                    configuration: tuple[str, dict[str, Any]]) -> TemplateValues:
    """The values `source`'s templates can print: the site's configuration and the post's
    own front matter (read again from its file: the model keeps only qlabbook's fields),
    with the title, date and slug as the book has them."""
    generator, site = configuration
    page = dict(front_matter(root / source.path))
    page.setdefault("title", source.title)
    if source.date is not None:
        page.setdefault("date", source.date)
    page.setdefault("slug", source.slug)
    if source.summary:
        page.setdefault("description", source.summary)
    if generator == "hugo":
        address = str(site.get("baseURL") or site.get("baseurl") or "")
    else:
        address = str(site.get("url") or "").rstrip("/") + str(site.get("baseurl") or "")
    parts = urlsplit(address)
    base = parts.path.rstrip("/")
    url = f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""
    return TemplateValues(generator, plain(site), plain(page), base, url)


def front_matter(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
        data = frontmatter.read(text).data
    except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError):
        return {}
    return data if isinstance(data, dict) else {}


def plain(value: Any) -> Any:
    """The value with keys as text and dates kept, so it compares and prints alike."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, str | int | float | bool | dt.date) or value is None:
        return value
    return str(value)
