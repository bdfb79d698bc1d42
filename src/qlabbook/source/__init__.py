"""Source stage: read qlabbook.toml and the essays into the frozen model, with diagnostics."""
