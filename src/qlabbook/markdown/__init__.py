"""Markdown stage: each essay's Markdown to an XHTML fragment with numbered notes and figures."""
