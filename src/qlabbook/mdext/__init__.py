"""Python-Markdown extensions for essays: note calls and definitions, figures, quotations."""

from qlabbook.mdext.blocks import FigureExtension
from qlabbook.mdext.notes import NoteDefinition, NotesExtension

__all__ = ["FigureExtension", "NoteDefinition", "NotesExtension"]
