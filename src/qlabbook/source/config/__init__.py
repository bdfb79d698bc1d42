"""qlabbook.toml: one parse, a declarative schema of its tables and keys, the settings."""

from qlabbook.source.config.file import CONFIG_NAME, ConfigFile, read_config, read_text
from qlabbook.source.config.settings import (
    Fields,
    collection_date,
    collection_settings,
    load_config,
)

__all__ = ["CONFIG_NAME", "ConfigFile", "Fields", "collection_date", "collection_settings",
           "load_config", "read_config", "read_text"]
