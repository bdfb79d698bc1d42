"""Typeset stage: the print HTML laid out by WeasyPrint into the screen and press PDFs."""
