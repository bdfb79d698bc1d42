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
from qlabbook.source.booktitle import book_title
from qlabbook.source.config import CONFIG_NAME
from qlabbook.source.diagnostics import Diagnostics, QlabbookError
from qlabbook.source.generators import author_names, date_in_path
from qlabbook.source.layout import ESSAY_SUFFIXES, UNREAD_POSTS, bundle_files
from qlabbook.source.reading import pandoc_evidence

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
    title_from: str = ""  # where init found the title (none when --title gave it)
    authors: tuple[str, ...] = ()
    language: str = ""
    permalink: str = ""
    site: str = ""
    bibliography: tuple[str, ...] = ()  # collection-relative .bib / .json files
    style: str = ""  # a .csl file in the collection, or a shipped style's name
    pandoc_because: str = ""  # why the essays are read as pandoc reads them, if they are

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
            lines.append("# Files that are not essays of the book: "
                         + "; ".join(f"{n} ({why})" for n, why in self.left_out))
            lines.append(f"exclude = [{', '.join(quoted(n) for n, _ in self.left_out)}]")
        if self.permalink:
            lines += ["# The site's addresses, so links to them lead to the essays in the book.",
                      f"permalink = {quoted(self.permalink)}"]
        if self.site:
            lines.append(f"site = {quoted(self.site)}")
        if self.bibliography:
            lines += ["", "# The works the essays cite, as their bibliography: fields named them.",
                      "[bibliography]",
                      f"files = [{', '.join(map(quoted, self.bibliography))}]"]
            if self.style:
                lines.append(f"style = {quoted(self.style)}")
        return "\n".join(lines) + "\n"


def find_folder(root: Path) -> str | None:
    for candidate in CANDIDATES:
        if markdown_files(root / candidate):
            return candidate
    return None


def markdown_files(folder: Path, suffixes: tuple[str, ...] = ESSAY_SUFFIXES) -> list[Path]:
    if not folder.is_dir():
        return []
    found = [p for p in folder.iterdir() if p.is_file() and p.suffix in suffixes]
    found += [p for p in bundle_files(folder) if p.is_file() and p.suffix in suffixes]
    return sorted(found)


def read_found(path: Path, name: str) -> Found:
    """A file's title, number and date, read as leniently as possible."""
    text = path.read_text(encoding="utf-8-sig", errors="replace").replace("\r\n", "\n")
    stem = path.parent.name if path.stem == "index" and "/" in name else path.stem
    try:
        matter = frontmatter.read(text)
        data = matter.data if isinstance(matter.data, dict) else {}
    except (ValueError, yaml.YAMLError):
        data = {}
    frontmatter.canonical(frontmatter.FrontMatter("none", data, {}, "", 1))
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        title = frontmatter.name_slug(stem).replace("-", " ").strip().capitalize()
    number = data.get("number")
    try:
        when = frontmatter.parse_date(data["date"]) if "date" in data else None
    except ValueError:
        when = None
    when = when or frontmatter.date_from_name(stem) or date_in_path(data.get("path"))
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
    """Title, author, language, permalink and address from Quarto's _quarto.yml, Jekyll's
    _config.yml, Zola's config.toml or Hugo's hugo.toml / config.toml, when there is one."""
    generator = quarto_settings(root) or zola_settings(root)
    if generator:
        return generator
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
                    "site": site, "config": name}
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
                "site": str(data.get("baseURL") or "").rstrip("/"), "config": name}
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
    left_out += [(path.relative_to(base).as_posix(), UNREAD_POSTS[path.suffix])
                 for path in markdown_files(base, tuple(UNREAD_POSTS))]
    if not essays:
        diagnostics.error("A101", f"every Markdown file in {folder}/ is a draft or not an essay",
                          Path(folder), None, "publish a draft (draft: false) first")
        raise QlabbookError(diagnostics.items)
    ordered, order_by = choose_order(essays)
    site = site_settings(root)
    author = site.get("author")
    chosen, title_from = (title, "") if title else book_title(root, base, site)
    permalink = site.get("permalink") or ("date" if folder == "_posts" else "")
    files, style = cited_works(root, base, [e.name for e in ordered])
    pandoc_because = pandoc_evidence(root, [Path(folder) / e.name for e in ordered])
    return Adoption(folder=folder, essays=ordered, order_by=order_by, left_out=left_out,
                    title=chosen, title_from=title_from, authors=(str(author),) if author else (),
                    language=str(site.get("language") or ""),
                    permalink=str(permalink),
                    site=str(site.get("site") or ""), bibliography=files, style=style,
                    pandoc_because=pandoc_because)


def quarto_settings(root: Path) -> dict[str, Any]:
    """A Quarto website's _quarto.yml: its title, author, language and address; posts are
    published at /posts/<folder>/."""
    data = yaml_file(root / "_quarto.yml")
    if data is None:
        return {}
    website = data.get("website") if isinstance(data.get("website"), dict) else {}
    assert isinstance(website, dict)
    authors = author_names(data.get("author") or website.get("author") or [])
    author = authors[0] if isinstance(authors, list) and authors else None
    return {"title": website.get("title") or data.get("title"), "author": author,
            "language": data.get("lang"), "permalink": "/posts/:slug/",
            "site": str(website.get("site-url") or "").rstrip("/"), "config": "_quarto.yml"}


def zola_settings(root: Path) -> dict[str, Any]:
    """Zola's config.toml (Zola writes base_url, Hugo baseURL): title, the author its
    themes keep in [extra], language and address."""
    try:
        data = tomllib.loads((root / "config.toml").read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return {}
    if "base_url" not in data:
        return {}
    extra = data["extra"] if isinstance(data.get("extra"), dict) else {}
    authors = author_names(extra.get("author") or data.get("author") or [])
    return {"title": data.get("title"),
            "author": authors[0] if isinstance(authors, list) and authors else None,
            "language": data.get("default_language"), "permalink": "/:section/:slug/",
            "site": str(data.get("base_url") or "").rstrip("/"), "config": "config.toml"}


def yaml_file(path: Path) -> dict[str, Any] | None:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def cited_works(root: Path, base: Path, names: list[str]) -> tuple[tuple[str, ...], str]:
    """The bibliography files and CSL style that `bibliography:` and `csl:` name, in the
    project's _quarto.yml (relative to it), a folder's _metadata.yml and each essay's front
    matter (relative to the essay), as collection-relative paths; the first style wins."""
    heads: list[tuple[Path, dict[str, Any]]] = []
    for project in ("_quarto.yml", "_config.yml"):
        data = yaml_file(root / project)
        if data is not None:
            heads.append((root, data))
    for name in names:
        path = base / name
        metadata = yaml_file(path.parent / "_metadata.yml")
        if metadata is not None:
            heads.append((path.parent, metadata))
        text = path.read_text(encoding="utf-8-sig", errors="replace").replace("\r\n", "\n")
        try:
            matter = frontmatter.read(text)
        except (ValueError, yaml.YAMLError):
            continue
        if isinstance(matter.data, dict):
            heads.append((path.parent, matter.data))
    files: list[str] = []
    style = ""
    for folder, data in heads:
        named = data.get("bibliography")
        for item in [named] if isinstance(named, str) else \
                (named if isinstance(named, list) else []):
            found = inside(root, folder, str(item))
            if found and found not in files:
                files.append(found)
        csl = data.get("csl")
        if isinstance(csl, str) and not style:
            style = inside(root, folder, csl) or ""  # Quarto fails without the file too
    return tuple(files), style


def inside(root: Path, folder: Path, name: str) -> str | None:
    """`name` (relative to `folder`) as a path relative to the collection, when it is a
    file there."""
    target = (folder / name).resolve()
    try:
        relative = target.relative_to(root.resolve())
    except ValueError:
        return None
    return relative.as_posix() if target.is_file() else None


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
