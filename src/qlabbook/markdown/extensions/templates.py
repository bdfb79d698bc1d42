"""Site templates (Jekyll's Liquid, Hugo's shortcodes) rendered before anything else reads
the Markdown, so notes, fences and links see what the site's readers saw
(markdown/templates.py)."""

from __future__ import annotations

from markdown import Extension, Markdown
from markdown.preprocessors import Preprocessor

from qlabbook.markdown.templates import render_templates
from qlabbook.source import frontmatter
from qlabbook.source.templating import TemplateValues


class TemplatePreprocessor(Preprocessor):
    def __init__(self, md: Markdown, extension: TemplateExtension) -> None:
        super().__init__(md)
        self.extension = extension

    def run(self, lines: list[str]) -> list[str]:
        values = self.extension.values
        if values is None:
            return lines
        text, problems = render_templates("\n".join(lines), values)
        self.extension.problems.extend(problems)
        # `# {{ page.title }}` first in the body repeats the title once rendered.
        matter = frontmatter.FrontMatter("yaml", {"title": values.page.get("title")}, {},
                                         text, 1)
        frontmatter.drop_repeated_title(matter)
        return matter.body.split("\n")


class TemplateExtension(Extension):
    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.values: TemplateValues | None = None
        self.problems: list[tuple[str, str, str]] = []  # (code, message, source text)

    def begin(self, values: TemplateValues | None) -> None:
        """The essay's values: None when its body has no template."""
        self.values = values
        self.problems = []

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 - Python-Markdown's name
        md.registerExtension(self)
        # Before everything: Quarto's chunks and the notes (32), the fences (31).
        md.preprocessors.register(TemplatePreprocessor(md, self), "qlab_templates", 40)
