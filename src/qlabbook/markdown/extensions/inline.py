"""The inline patterns of the essay extensions: each reads the state of the extension that
registered it (whether citations are on, the notes collected so far)."""

from __future__ import annotations

from typing import Generic, TypeVar

from markdown import Extension, Markdown
from markdown.inlinepatterns import InlineProcessor

OwnerT = TypeVar("OwnerT", bound=Extension)


class ExtensionInlineProcessor(InlineProcessor, Generic[OwnerT]):
    """An inline pattern that keeps the extension it belongs to."""

    def __init__(self, pattern: str, md: Markdown, extension: OwnerT) -> None:
        super().__init__(pattern, md)
        self.extension = extension
