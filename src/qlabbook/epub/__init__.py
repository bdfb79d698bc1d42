"""EPUB stage: XHTML documents packed as an EPUB 3 with nav, page list, cover and claims."""
