"""The `[essays]` table of qlabbook.toml: where the essays are, their series order, the files
left out, and the site's permalink pattern, so a blog's folder builds as it is."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from qlabbook.source.diagnostics import Diagnostics

CONFIG_NAME = "qlabbook.toml"
# Quarto's documents (.qmd) are Markdown with its own blocks (markdown/extensions/quarto.py).
ESSAY_SUFFIXES = (".md", ".markdown", ".qmd")


@dataclass(frozen=True)
class Layout:
    folder: str = "essays"  # relative to the collection; "." is the collection itself
    order: tuple[str, ...] | None = None  # file paths relative to `folder`, in series order
    exclude: tuple[str, ...] = ()  # Markdown files in `folder` that are not essays
    permalink: str = ""  # the site's pattern, e.g. "/:year/:month/:day/:title/"
    site: str = ""  # the site's address, e.g. "https://example.org/blog"
    order_line: int | None = None

    def essay_files(self, root: Path) -> list[Path]:
        """Markdown files in the folder (and page bundles, folder/name/index.md or .qmd)."""
        base = root / self.folder
        if not base.is_dir():
            return []
        found = [p for p in base.iterdir() if p.suffix in ESSAY_SUFFIXES and p.is_file()]
        found += [p for p in base.glob("*/index.*") if p.suffix in ESSAY_SUFFIXES
                  and p.is_file()] if self.order is not None else []
        return sorted(found)


def read_layout(root: Path, diagnostics: Diagnostics) -> Layout:
    """The `[essays]` table, each problem at its line (an unreadable file is load_config's
    to report: the default layout then)."""
    path = Path(CONFIG_NAME)
    try:
        text = (root / path).read_text(encoding="utf-8-sig").replace("\r\n", "\n")
        table = tomllib.loads(text).get("essays", {})
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return Layout()

    def line_of(key: str) -> int | None:
        found = re.search(rf"^\s*{key}\s*=", text, re.MULTILINE)
        return text.count("\n", 0, found.start()) + 1 if found else None

    if not isinstance(table, dict):
        diagnostics.error("C104", "[essays] must be a table", path, line_of("essays"))
        return Layout()
    values: dict[str, object] = {}
    for key in ("folder", "permalink", "site"):
        value = table.get(key, Layout.__dataclass_fields__[key].default)
        if not isinstance(value, str):
            diagnostics.error("C104", f"[essays] {key} must be text, not {value!r}", path,
                              line_of(key))
            continue
        values[key] = value.strip()
    folder = str(values.get("folder", "essays")) or "."
    if Path(folder).is_absolute() or ".." in Path(folder).parts:
        diagnostics.error("C104", f"[essays] folder {folder!r} is outside the collection", path,
                          line_of("folder"), 'give a folder inside it, e.g. "_posts" or "."')
        folder = "essays"
    lists: dict[str, tuple[str, ...] | None] = {}
    for key in ("order", "exclude"):
        value = table.get(key)
        if value is not None and not (isinstance(value, list) and
                                      all(isinstance(v, str) for v in value)):
            diagnostics.error("C104", f"[essays] {key} must be a list of file names", path,
                              line_of(key), f'{key} = ["first.md", "second.md"]')
            value = None
        lists[key] = tuple(value) if value is not None else None
    layout = Layout(folder=folder, order=lists["order"], exclude=lists["exclude"] or (),
                    permalink=str(values.get("permalink", "")),
                    site=str(values.get("site", "")).rstrip("/"),
                    order_line=line_of("order"))
    check_order(root, layout, text, diagnostics)
    return layout


def check_order(root: Path, layout: Layout, text: str, diagnostics: Diagnostics) -> None:
    """Every file `order` names exists, once."""
    seen: set[str] = set()
    for name in layout.order or ():
        found = text.find(f'"{name}"')
        line = text.count("\n", 0, found) + 1 if found >= 0 else layout.order_line
        if name in seen:
            diagnostics.error("C104", f"[essays] order names {name!r} twice", Path(CONFIG_NAME),
                              line, "list each essay once")
        elif not (root / layout.folder / name).is_file():
            diagnostics.error("C104", f"[essays] order names {name!r}, which is not a file in "
                              f"{layout.folder}/", Path(CONFIG_NAME), line,
                              "remove it from the list, or restore the file")
        seen.add(name)
