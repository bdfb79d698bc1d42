"""Accessibility claims for the EPUB, each one made only when the build has checked it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from qlabbook.markdown.formulas import count_formulas
from qlabbook.source.diagnostics import Diagnostics
from qlabbook.source.model import Collection, Essay

CONFORMANCE = "EPUB Accessibility 1.1 - WCAG 2.1 Level AA"


@dataclass(frozen=True)
class Claims:
    """What the package document says about the EPUB's accessibility."""

    access_modes: tuple[str, ...]
    sufficient: tuple[str, ...]  # each a comma-separated set of modes
    features: tuple[str, ...]
    hazards: tuple[str, ...]
    summary: str
    conforms_to: str | None

    def metadata(self) -> list[tuple[str, str]]:
        """(property, value) pairs for the package's <meta> elements, in a stable order."""
        pairs = [("schema:accessMode", mode) for mode in self.access_modes]
        pairs += [("schema:accessModeSufficient", modes) for modes in self.sufficient]
        pairs += [("schema:accessibilityFeature", feature) for feature in self.features]
        pairs += [("schema:accessibilityHazard", hazard) for hazard in self.hazards]
        pairs.append(("schema:accessibilitySummary", self.summary))
        if self.conforms_to:
            pairs.append(("dcterms:conformsTo", self.conforms_to))
        return pairs


def skipped_heading(essay: Essay) -> str | None:
    """The first heading that skips a level below the essay's h1, if any."""
    level = 1
    for heading in essay.headings:
        if heading.level > level + 1:
            return heading.text
        level = heading.level
    return None


def check_headings(collection: Collection, diagnostics: Diagnostics) -> bool:
    ok = True
    for essay in collection.essays:
        text = skipped_heading(essay)
        if text is not None:
            ok = False
            diagnostics.warning(
                "E102", f"heading {text!r} skips a level, so the EPUB does not claim "
                "structural navigation", essay.source.path, essay.source.line_of(text),
                "step down one level at a time: ## for sections, ### inside them")
    return ok


def check_alt_text(collection: Collection, diagnostics: Diagnostics) -> bool:
    """Whether every image the essays show, in the text and the notes, has alt text. Each
    one without is reported at its line by the Markdown stage [I103]; what that costs the
    EPUB is said once, at the first."""
    lacking = [(essay, src) for essay in collection.essays for src in essay.undescribed]
    lacking += [(essay, figure.src) for essay in collection.essays for figure in essay.figures
                if not figure.alt.strip() and figure.src not in essay.undescribed]
    if not lacking:
        return True
    essay, src = lacking[0]
    count = f"{len(lacking)} images have" if len(lacking) > 1 else f"image {src!r} has"
    diagnostics.warning(
        "E101", f"{count} no text alternative, so the EPUB does not claim one for every "
        "image (nor conformance to EPUB Accessibility)", essay.source.path,
        essay.source.line_of(src), "describe each: ![a description](...)")
    return False


def check_still_images(collection: Collection, diagnostics: Diagnostics) -> bool:
    """No sound, video or script reaches the EPUB; an animated image could flash."""
    from PIL import Image

    ok = True
    for src in collection.images:
        with Image.open(collection.root / src) as image:
            if getattr(image, "is_animated", False):
                ok = False
                diagnostics.warning(
                    "E104", f"image {src!r} is animated, so the EPUB cannot claim to be free "
                    "of flashing hazards", Path(src), None,
                    "use a still image (one frame)")
    return ok


def formula_count(collection: Collection) -> int:
    """Formulas the EPUB sets as MathML, in the essays and their notes."""
    return sum(count_formulas(essay.body_html) + sum(count_formulas(note.html)
                                                     for note in essay.footnotes)
               for essay in collection.essays)


def in_series_order(collection: Collection) -> bool:
    numbers = [essay.number for essay in collection.essays]
    return numbers == sorted(set(numbers))


def accessibility_claims(collection: Collection, diagnostics: Diagnostics,
                         page_list: bool) -> Claims:
    """The claims this build can back, with a warning for each one it had to leave out."""
    has_images = bool(collection.images)
    alt_text = check_alt_text(collection, diagnostics)
    headings = check_headings(collection, diagnostics)
    still = check_still_images(collection, diagnostics)
    ordered = in_series_order(collection)
    features = ["tableOfContents"]  # the nav and NCX list every essay and section
    if headings:
        features.append("structuralNavigation")
    if has_images and alt_text:
        features.append("alternativeText")
    if ordered:
        features.append("readingOrder")
    if page_list:
        features += ["pageNavigation", "printPageNumbers"]
    formulas = formula_count(collection)
    if formulas:
        features.append("MathML")
    modes = ("textual", "visual") if has_images else ("textual",)
    sufficient: tuple[str, ...] = ("textual",) if alt_text else ()
    if has_images:
        sufficient += ("textual,visual",)
    summary = summarise(collection, alt_text, headings, page_list, still, formulas)
    conforms = alt_text and headings and ordered and still
    return Claims(access_modes=modes, sufficient=sufficient or ("textual,visual",),
                  features=tuple(features), hazards=("none",) if still else ("unknown",),
                  summary=summary, conforms_to=CONFORMANCE if conforms else None)


def summarise(collection: Collection, alt_text: bool, headings: bool, page_list: bool,
              still: bool, formulas: int = 0) -> str:
    count = len(collection.essays)
    opening = f"{count} essays in series order, each" if count > 1 else "One essay,"
    sections = any(essay.headings for essay in collection.essays)
    parts = [f"{opening} a chapter with one title heading"
             + (" and sections below it" if headings and sections else "") + "."]
    figures = sum(len(essay.figures) for essay in collection.essays)
    if figures and alt_text:
        parts.append(f"Every photograph ({figures}) has a text description and a caption.")
    notes = sum(len(essay.footnotes) for essay in collection.essays)
    if notes:
        parts.append(f"Notes ({notes}) are linked from each call and back to every call.")
    if formulas:
        parts.append(f"Formulas ({formulas}) are MathML, each with its TeX source as "
                     "alternative text.")
    if page_list:
        parts.append("A page list and page-break markers follow the PDF edition's pages.")
    parts.append("The reader's own font, size and colours apply"
                 + ("; nothing flashes, plays sound or moves." if still else "."))
    return " ".join(parts)
