"""Diagnostics and essay tables as people, GitHub workflows and JSON readers want them."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import typer

from qlabbook.source.diagnostics import Diagnostic, Diagnostics
from qlabbook.source.model import Collection


def sorted_diagnostics(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    return sorted(diagnostics, key=lambda d: (d.path.as_posix() if d.path else "", d.line or 0))


def report(diagnostics: list[Diagnostic]) -> None:
    """Print diagnostics file by file, in line order."""
    for diagnostic in sorted_diagnostics(diagnostics):
        typer.echo(diagnostic.format(), err=True)


def shown_path(collection: Path, diagnostic: Diagnostic) -> str | None:
    """The file as the repository names it (GitHub annotates files by that path)."""
    if diagnostic.path is None:
        return None
    full = (collection / diagnostic.path)
    try:
        return full.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return full.as_posix()


def github_escape(text: str, property_value: bool = False) -> str:
    """Workflow command escaping: %, CR and LF always; ':' and ',' in property values."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if property_value else text


def github_annotation(collection: Path, diagnostic: Diagnostic, strict: bool) -> str:
    level = "error" if diagnostic.severity.value == "error" or strict else "warning"
    properties = []
    path = shown_path(collection, diagnostic)
    if path is not None:
        properties.append(f"file={github_escape(path, True)}")
        if diagnostic.line:
            properties.append(f"line={diagnostic.line}")
    properties.append(f"title={github_escape(diagnostic.code, True)}")
    message = f"{diagnostic.message} [{diagnostic.code}]"
    if diagnostic.hint:
        message += f"\nhint: {diagnostic.hint}"
    return f"::{level} {','.join(properties)}::{github_escape(message)}"


def essay_rows(loaded: Collection) -> list[dict[str, Any]]:
    return [{"number": e.number, "slug": e.slug, "path": e.source.path.as_posix(),
             "title": e.title, "words": e.words, "notes": len(e.footnotes),
             "figures": len(e.figures)} for e in loaded.essays]


def essay_table(loaded: Collection) -> None:
    typer.echo(f"{'#':>3}  {'words':>6}  {'notes':>5}  {'figs':>4}  title")
    for row in essay_rows(loaded):
        typer.echo(f"{row['number']:>3}  {row['words']:>6}  {row['notes']:>5}  "
                   f"{row['figures']:>4}  {row['title']}")


def step_summary(loaded: Collection, diagnostics: Diagnostics) -> None:
    """On GitHub Actions, the per-essay report as a table on the run's summary page."""
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if not target:
        return
    lines = ["### qlabbook check", "",
             f"{len(diagnostics.errors)} error(s), {len(diagnostics.warnings)} warning(s)", "",
             "| # | essay | words | notes | figures |", "|--:|---|--:|--:|--:|"]
    for row in essay_rows(loaded):
        title = row["title"].replace("|", "\\|")
        lines.append(f"| {row['number']} | {title} | {row['words']} | {row['notes']} | "
                     f"{row['figures']} |")
    with open(target, "a", encoding="utf-8") as file:
        file.write("\n".join(lines) + "\n")


def check_json(collection: Path, diagnostics: Diagnostics, loaded: Collection | None,
               failed: bool) -> str:
    return json.dumps({
        "ok": not failed,
        "errors": len(diagnostics.errors),
        "warnings": len(diagnostics.warnings),
        "diagnostics": [d.as_record() for d in sorted_diagnostics(diagnostics.items)],
        "essays": essay_rows(loaded) if loaded is not None else [],
    }, indent=2, ensure_ascii=False)
