"""Python-Markdown extensions for essays: note calls and definitions, figures, quotations,
pandoc's forms."""

from qlabbook.markdown.extensions.blocks import FigureExtension
from qlabbook.markdown.extensions.notes import NoteDefinition, NotesExtension
from qlabbook.markdown.extensions.pandoc import PandocExtension

__all__ = ["FigureExtension", "NoteDefinition", "NotesExtension", "PandocExtension"]
