"""The `[essays]` table of qlabbook.toml: where the essays are, their series order, the files
left out, and the site's permalink pattern, so a blog's folder builds as it is."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from qlabbook.source.config.file import CONFIG_NAME, ConfigFile, read_config
from qlabbook.source.diagnostics import Diagnostics

# Quarto's documents (.qmd) are Markdown with its own blocks (markdown/extensions/quarto.py);
# R Markdown's (.Rmd, blogdown's and distill's posts) are pandoc's Markdown with knitr chunks.
ESSAY_SUFFIXES = (".md", ".markdown", ".qmd", ".Rmd", ".rmd")
# Posts a site's generator renders that qlabbook does not read: said, never dropped silently.
UNREAD_POSTS = {".ipynb": "a Jupyter notebook, which qlabbook does not read"}


@dataclass(frozen=True)
class Layout:
    folder: str = "essays"  # relative to the collection; "." is the collection itself
    order: tuple[str, ...] | None = None  # file paths relative to `folder`, in series order
    exclude: tuple[str, ...] = ()  # Markdown files in `folder` that are not essays
    permalink: str = ""  # the site's pattern, e.g. "/:year/:month/:day/:title/"
    site: str = ""  # the site's address, e.g. "https://example.org/blog"
    order_line: int | None = None

    def essay_files(self, root: Path) -> list[Path]:
        """Markdown files in the folder (and, with an order, those of folders of their own:
        bundle_files)."""
        return self.files(root, ESSAY_SUFFIXES)

    def unread_posts(self, root: Path) -> list[Path]:
        """Posts in the folder (or its page bundles) in a format qlabbook does not read."""
        return self.files(root, tuple(UNREAD_POSTS))

    def files(self, root: Path, suffixes: tuple[str, ...]) -> list[Path]:
        base = root / self.folder
        if not base.is_dir():
            return []
        found = [p for p in base.iterdir() if p.suffix in suffixes and p.is_file()]
        found += [p for p in bundle_files(base) if p.suffix in suffixes
                  and p.is_file()] if self.order is not None else []
        return sorted(found)


def bundle_files(base: Path) -> list[Path]:
    """The posts of folders of their own: `name/index.md` (Hugo's page bundles, Quarto's
    posts) or `name/name.Rmd` (distill's)."""
    return [path for path in base.glob("*/*") if path.stem in ("index", path.parent.name)]


def read_layout(root: Path, diagnostics: Diagnostics) -> Layout:
    """The `[essays]` table, each problem at its line (an unreadable file is load_config's
    to report: the default layout then)."""
    config = read_config(root, Diagnostics())
    if config is None:
        return Layout()
    config.diagnostics = diagnostics  # the file's own problems stay load_config's to report
    return essays_layout(config, root)


def essays_layout(config: ConfigFile, root: Path) -> Layout:
    """The `[essays]` table of a file read already."""
    diagnostics = config.diagnostics
    table = config.table("essays")
    if table is None:
        return Layout()
    folder = config.value(table, "essays", "folder") or "."
    if Path(folder).is_absolute() or ".." in Path(folder).parts:
        diagnostics.error("C104", f"[essays] folder {folder!r} is outside the collection",
                          config.path, config.line_of("essays", "folder"),
                          'give a folder inside it, e.g. "_posts" or "."')
        folder = "essays"
    layout = Layout(folder=folder, order=config.value(table, "essays", "order"),
                    exclude=config.value(table, "essays", "exclude"),
                    permalink=config.value(table, "essays", "permalink"),
                    site=config.value(table, "essays", "site").rstrip("/"),
                    order_line=config.line_of("essays", "order"))
    check_order(root, layout, config.text, diagnostics)
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
