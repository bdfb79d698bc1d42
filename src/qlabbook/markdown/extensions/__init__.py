"""Python-Markdown extensions for essays: note calls and definitions, figures, quotations."""

from qlabbook.markdown.extensions.blocks import FigureExtension
from qlabbook.markdown.extensions.notes import NoteDefinition, NotesExtension

__all__ = ["FigureExtension", "NoteDefinition", "NotesExtension"]
