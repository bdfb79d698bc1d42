"""Formulas in the EPUB: whether a document needs the package's `mathml` property."""

from __future__ import annotations


def has_mathml(xhtml: str) -> bool:
    """Whether the package must declare the `mathml` property for this document."""
    return "<math " in xhtml
