"""qlabbook: Markdown essays of a numbered series to print-ready PDF and EPUB 3."""

from qlabbook.source.diagnostics import Diagnostic, QlabbookError

__version__ = "0.1.0"

__all__ = ["Diagnostic", "QlabbookError", "__version__"]
