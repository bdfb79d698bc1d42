"""`qlabbook init`: adopt a folder of Markdown as it is. Find the essays, read their front
matter in whatever form they have, choose a series order and write it, with the folder and
the site's permalink pattern, into a new qlabbook.toml. No essay is ever changed."""

from __future__ import annotations

import datetime as dt
import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from qlabbook.source import frontmatter
from qlabbook.source.diagnostics import Diagnostics, QlabbookError
from qlabbook.source.layout import CONFIG_NAME, ESSAY_SUFFIXES

# Where essays usually live, most specific first; the folder itself comes last.
CANDIDATES = ("essays", "_posts", "content/posts", "content/post", "content/blog", "posts",
              "content", ".")
NOT_ESSAYS = re.compile(r"^(readme|license|licence|changelog|contributing|code_of_conduct|"
                        r"security|summary|_index|index|404|search|tags|categories|archive)$",
                        re.IGNORECASE)
LEADING_NUMBER = re.compile(r"^(\d+)")


@dataclass
class Found:
    """One Markdown file, as init read it."""

    name: str  # relative to the essays folder
    title: str
    number: int | None = None
    when: dt.datetime | None = None
    draft: bool = False


@dataclass
class Adoption:
    """What init decided: the essays folder, the order and why, what it left out, and the
    qlabbook.toml that records it."""

    folder: str
    essays: list[Found]
    order_by: str  # "number", "date", "file-name number" or "name"
    left_out: list[tuple[str, str]] = field(default_factory=list)  # (name, why)
    title: str = ""
    authors: tuple[str, ...] = ()
    language: str = ""
    permalink: str = ""
    site: str = ""

    def config_text(self) -> str:
        def quoted(text: str) -> str:
            return json.dumps(text, ensure_ascii=False)

        lines = ["# Written by qlabbook init. The essays are read as they are; edit this file,",
                 "# not them, to change the book.", "", "[collection]",
                 f"title = {quoted(self.title)}"]
        if self.authors:
            lines.append(f"authors = [{', '.join(map(quoted, self.authors))}]")
        if self.language:
            lines.append(f"language = {quoted(self.language)}")
        lines += ["", "[essays]", f"folder = {quoted(self.folder)}",
                  f"# The series order (chosen by {self.order_by}): move a line to move an "
                  "essay.", "order = ["]
        lines += [f"    {quoted(e.name)},  # {e.title}" for e in self.essays]
        lines.append("]")
        if self.left_out:
            lines.append("# Markdown files that are not essays of the book: "
                         + "; ".join(f"{n} ({why})" for n, why in self.left_out))
            lines.append(f"exclude = [{', '.join(quoted(n) for n, _ in self.left_out)}]")
        if self.permalink:
            lines += ["# The site's addresses, so links to them lead to the essays in the book.",
                      f"permalink = {quoted(self.permalink)}"]
        if self.site:
            lines.append(f"site = {quoted(self.site)}")
        return "\n".join(lines) + "\n"


def find_folder(root: Path) -> str | None:
    for candidate in CANDIDATES:
        if markdown_files(root / candidate):
            return candidate
    return None


def markdown_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    found = [p for p in folder.iterdir() if p.is_file() and p.suffix in ESSAY_SUFFIXES]
    found += [p for p in folder.glob("*/index.md") if p.is_file()]
    return sorted(found)


def read_found(path: Path, name: str) -> Found:
    """A file's title, number and date, read as leniently as possible."""
    text = path.read_text(encoding="utf-8-sig", errors="replace").replace("\r\n", "\n")
    stem = path.parent.name if path.name == "index.md" and "/" in name else path.stem
    try:
        matter = frontmatter.read(text)
        data = matter.data if isinstance(matter.data, dict) else {}
    except (ValueError, yaml.YAMLError):
        data = {}
    frontmatter.canonical(frontmatter.FrontMatter("", data, {}, "", 1))
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        title = frontmatter.name_slug(stem).replace("-", " ").strip().capitalize()
    number = data.get("number")
    try:
        when = frontmatter.parse_date(data["date"]) if "date" in data else None
    except ValueError:
        when = None
    when = when or frontmatter.date_from_name(stem)
    if isinstance(when, dt.datetime) and when.tzinfo is not None:
        when = when.astimezone(dt.UTC).replace(tzinfo=None)
    elif isinstance(when, dt.date) and not isinstance(when, dt.datetime):
        when = dt.datetime(when.year, when.month, when.day)
    draft = data.get("draft") is True or data.get("published") is False
    return Found(name, " ".join(title.split()),
                 number if isinstance(number, int) and not isinstance(number, bool) else None,
                 when, draft)


def choose_order(essays: list[Found]) -> tuple[list[Found], str]:
    """Number (or weight) when every essay has one, else date, else a number at the start of
    every file name, else the file names."""
    if all(e.number is not None for e in essays):
        return sorted(essays, key=lambda e: (e.number, e.name)), "number"
    if all(e.when is not None for e in essays):
        return sorted(essays, key=lambda e: (e.when, e.name)), "date"
    if all(LEADING_NUMBER.match(e.name) for e in essays):
        return sorted(essays, key=lambda e: (int(LEADING_NUMBER.match(e.name).group(1)),  # type: ignore[union-attr]
                                             e.name)), "file-name number"
    return sorted(essays, key=lambda e: e.name.lower()), "name"


def site_settings(root: Path) -> dict[str, Any]:
    """Title, author, language, permalink and address from Jekyll's _config.yml or Hugo's
    hugo.toml / config.toml, when there is one."""
    for name in ("_config.yml", "_config.yaml"):
        try:
            data = yaml.safe_load((root / name).read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError, ValueError):
            continue
        if isinstance(data, dict):
            author = data.get("author")
            site = str(data.get("url") or "").rstrip("/") + str(data.get("baseurl") or "")
            return {"title": data.get("title"), "author":
                    author.get("name") if isinstance(author, dict) else author,
                    "language": data.get("lang"), "permalink": data.get("permalink", "date"),
                    "site": site}
    for name in ("hugo.toml", "config.toml"):
        try:
            data = tomllib.loads((root / name).read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
            continue
        params = data["params"] if isinstance(data.get("params"), dict) else {}
        links = data["permalinks"] if isinstance(data.get("permalinks"), dict) else {}
        return {"title": data.get("title"), "author": params.get("author"),
                "language": data.get("languageCode"),
                "permalink": next(iter(links.values()), "/:section/:slug/"),
                "site": str(data.get("baseURL") or "").rstrip("/")}
    return {}


def plan(root: Path, title: str | None = None) -> Adoption:
    """Decide everything init writes, without writing; raise QlabbookError when there is
    nothing to adopt."""
    diagnostics = Diagnostics()
    folder = find_folder(root)
    if folder is None:
        diagnostics.error("A101", "no Markdown files (.md, .markdown) found in the folder or "
                          "in " + ", ".join(f"{c}/" for c in CANDIDATES[:-1]), None, None,
                          "run qlabbook init in the folder that holds the essays")
        raise QlabbookError(diagnostics.items)
    base = root / folder
    essays, left_out = [], []
    for path in markdown_files(base):
        name = path.relative_to(base).as_posix()
        stem = path.parent.name if "/" in name else path.stem
        if "/" not in name and NOT_ESSAYS.match(stem):
            left_out.append((name, "not an essay"))
            continue
        found = read_found(path, name)
        if found.draft:
            left_out.append((name, "a draft"))
        else:
            essays.append(found)
    if not essays:
        diagnostics.error("A101", f"every Markdown file in {folder}/ is a draft or not an essay",
                          Path(folder), None, "publish a draft (draft: false) first")
        raise QlabbookError(diagnostics.items)
    ordered, order_by = choose_order(essays)
    site = site_settings(root)
    author = site.get("author")
    chosen = title or site.get("title") or root.resolve().name.replace("-", " ").replace(
        "_", " ").strip().title() or "Essays"
    permalink = site.get("permalink") or ("date" if folder == "_posts" else "")
    return Adoption(folder=folder, essays=ordered, order_by=order_by, left_out=left_out,
                    title=str(chosen), authors=(str(author),) if author else (),
                    language=str(site.get("language") or ""),
                    permalink=str(permalink),
                    site=str(site.get("site") or ""))


def write_config(root: Path, adoption: Adoption) -> Path:
    """Write qlabbook.toml; never overwrite one (W103)."""
    target = root / CONFIG_NAME
    try:
        with target.open("x", encoding="utf-8") as file:
            file.write(adoption.config_text())
    except FileExistsError:
        refuse_existing(root)
    except OSError as error:
        diagnostics = Diagnostics()
        diagnostics.error("W101", f"cannot write {CONFIG_NAME}: {error.strerror}",
                          Path(CONFIG_NAME), None, "check that the folder is writable")
        raise QlabbookError(diagnostics.items) from error
    return target


def refuse_existing(root: Path) -> None:
    """Raise (W103) when qlabbook.toml exists: init never overwrites it."""
    if (root / CONFIG_NAME).exists():
        diagnostics = Diagnostics()
        diagnostics.error("W103", f"{CONFIG_NAME} already exists; nothing was written",
                          Path(CONFIG_NAME), None,
                          "edit it, or remove it and run qlabbook init again")
        raise QlabbookError(diagnostics.items)
