"""Bibliography files and a CSL style -> formatted citations and per-essay reference lists."""
