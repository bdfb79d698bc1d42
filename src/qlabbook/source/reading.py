"""How a collection's essays are read: as CommonMark (Hugo, Zola, most blogs) or as pandoc
reads Markdown (pandoc's own folders and Quarto's, which reads Markdown with pandoc), where a
list, quotation, heading or rule needs a blank line before it. Decided from the collection
as it is, for `init` to say and for every build alike."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from qlabbook.source.model import MarkdownReading

# Files that build a folder of essays with pandoc name it.
BUILD_SCRIPTS = ("Makefile", "makefile", "GNUmakefile", "build.sh", "justfile",
                 "defaults.yaml", "defaults.yml")
PANDOC = re.compile(r"\bpandoc\b")


def project_evidence(root: Path, essays: Iterable[Path]) -> str:
    """Why every essay (paths relative to `root`) is pandoc's: a Quarto project or a build
    script that runs pandoc; "" when nothing says so."""
    if (root / "_quarto.yml").is_file() or any(name.suffix == ".qmd" for name in essays):
        return "a Quarto project"
    for script in BUILD_SCRIPTS:
        try:
            text = (root / script).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        if PANDOC.search(text):
            return f"{script} runs pandoc"
    return ""


def opens_with_title_block(root: Path, essay: Path) -> bool:
    """Whether the essay starts with pandoc's `% Title` block, so pandoc is its reader."""
    try:
        with (root / essay).open(encoding="utf-8-sig", errors="replace") as file:
            return file.readline().startswith("% ")
    except OSError:
        return False


def pandoc_evidence(root: Path, essays: Iterable[Path]) -> str:
    """What init says: which essays are read as pandoc reads them, and why; "" for none."""
    names = list(essays)
    why = project_evidence(root, names)
    if why:
        return f"the essays: {why}"
    said = []
    written = [name for name in names if name.suffix.lower() == ".rmd"]
    if written:
        said.append("the R Markdown files (knitr hands them to pandoc)" if len(written) > 1
                    else f"{written[0].as_posix()}, an R Markdown file (knitr hands it to pandoc)")
    blocks = [name for name in names if name not in written and opens_with_title_block(root, name)]
    if len(blocks) == 1:
        said.append(f"{blocks[0].as_posix()} opens with a pandoc title block")
    elif blocks:
        said.append(f"{blocks[0].as_posix()} and {len(blocks) - 1} more open with a pandoc "
                    "title block")
    return "; ".join(said)


def readings(root: Path, essays: Iterable[Path]) -> dict[Path, MarkdownReading]:
    """Each essay's `markdown`, "pandoc" or "commonmark": all of them pandoc's in a project
    built with pandoc, else R Markdown files (knitr hands them to pandoc) and those with a
    pandoc title block."""
    names = list(essays)
    everyone = bool(project_evidence(root, names))
    return {name: "pandoc" if everyone or name.suffix.lower() == ".rmd"
            or opens_with_title_block(root, name) else "commonmark" for name in names}
