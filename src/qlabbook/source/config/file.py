"""qlabbook.toml read and parsed once: its tables, each key's line, each value checked against
the schema, and every table or key qlabbook does not know warned about at its line."""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qlabbook.source.config.schema import SCHEMA, TABLES
from qlabbook.source.diagnostics import Diagnostics
from qlabbook.source.text import XML_INVALID

CONFIG_NAME = "qlabbook.toml"
HEADER = re.compile(r"^[ \t]*\[\[?[ \t]*([^\]\n]*?)[ \t]*\]", re.MULTILINE)


def read_text(root: Path, relative: Path, diagnostics: Diagnostics) -> str | None:
    """A source file as text with LF line ends, no BOM and no XML-invalid characters."""
    raw = (root / relative).read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        diagnostics.error("S101", f"the file is not UTF-8 (byte 0x{raw[error.start]:02x})",
                          relative, line, "save the file as UTF-8")
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    for match in XML_INVALID.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        diagnostics.warning("S105", f"removed control character U+{ord(match.group()):04X}",
                            relative, line)
    return XML_INVALID.sub("", text)


@dataclass
class ConfigFile:
    """The parsed file, reporting a wrong value to `diagnostics` at its line."""

    text: str
    data: dict[str, Any]
    diagnostics: Diagnostics
    path: Path = Path(CONFIG_NAME)
    # (table name as its header writes it, header line, body start, body end); "" is the
    # part before the first header.
    sections: list[tuple[str, int | None, int, int]] = field(init=False)

    def __post_init__(self) -> None:
        headers = list(HEADER.finditer(self.text))
        ends = [h.start() for h in headers[1:]] + [len(self.text)] * bool(headers)
        self.sections = [("", None, 0, headers[0].start() if headers else len(self.text))]
        self.sections += [(h.group(1).replace(" ", ""), self._line(h.start()), h.end(), end)
                          for h, end in zip(headers, ends, strict=True)]

    def _line(self, offset: int) -> int:
        return self.text.count("\n", 0, offset) + 1

    def _find(self, pattern: str, start: int = 0, end: int | None = None) -> int | None:
        found = re.compile(pattern, re.MULTILINE).search(self.text, start,
                                                         len(self.text) if end is None else end)
        return self._line(found.start()) if found else None

    def table_line(self, table: str) -> int | None:
        """The line of `[table]` (or of a sub-table's header), or of `table = {...}`."""
        for name, line, _, _ in self.sections:
            if name == table or name.startswith(table + "."):
                return line
        top = self.sections[0]
        return self._find(rf"^[ \t]*{re.escape(table)}[ \t]*[=.]", top[2], top[3])

    def line_of(self, table: str, key: str) -> int | None:
        """The line where `table`'s `key` is given: under its header, as a sub-table's header,
        or dotted or inline at the top; None when it is not given."""
        written = rf"(?:{re.escape(key)}|\"{re.escape(key)}\"|'{re.escape(key)}')"
        for name, line, start, end in self.sections:
            if name == table:
                found = self._find(rf"^[ \t]*{written}[ \t]*[=.]", start, end)
                if found is not None:
                    return found
            elif name == f"{table}.{key}" or name.startswith(f"{table}.{key}."):
                return line
        top = self.sections[0]
        dotted = self._find(rf"^[ \t]*{re.escape(table)}[ \t]*\.[ \t]*{written}[ \t]*=",
                            top[2], top[3])
        # Else an inline table, `table = {key = ...}`, on its own line.
        return dotted or self._find(rf"^[ \t]*{re.escape(table)}[ \t]*=", top[2], top[3])

    def located(self, table: str, key: str) -> int | None:
        """The key's line, else its table's (where a missing key belongs)."""
        line = self.line_of(table, key)
        return line if line is not None else self.table_line(table)

    def table(self, name: str) -> dict[str, Any] | None:
        """A table's keys ({} when it is absent); None, reported, when it is not a table."""
        value = self.data.get(name, {})
        if isinstance(value, dict):
            return value
        self.diagnostics.error("C104", f"[{name}] must be a table", self.path,
                               self.table_line(name))
        return None

    def value(self, table: dict[str, Any], table_name: str, name: str) -> Any:
        """The key's value as qlabbook uses it; its default when it is absent or wrong (then
        reported, with the schema's message and hint, at its line)."""
        key = SCHEMA[(table_name, name)]
        assert key.check is not None, name
        if name not in table and not key.required:
            return key.default
        value = table.get(name)
        try:
            return key.check(value)
        except ValueError:
            self.diagnostics.error("C104", key.message.format(value=value), self.path,
                                   self.located(table_name, name), key.hint)
            return key.default


def read_config(root: Path, diagnostics: Diagnostics) -> ConfigFile | None:
    """qlabbook.toml parsed, its unknown tables and keys warned about; None (reported) when
    it is missing or cannot be read."""
    path = Path(CONFIG_NAME)
    if not (root / path).is_file():
        diagnostics.error("C101", f"no {CONFIG_NAME} in the collection folder", path, None,
                          f"create {CONFIG_NAME} with a [collection] table and a title")
        return None
    text = read_text(root, path, diagnostics)
    if text is None:
        return None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        found = re.search(r"line (\d+)", str(error))
        diagnostics.error("C102", f"invalid TOML: {error}", path,
                          int(found.group(1)) if found else None)
        return None
    config = ConfigFile(text, data, diagnostics)
    report_unknown(config)
    return config


def report_unknown(config: ConfigFile) -> None:
    """Warn (C105) about each table and key the schema does not have, with the nearest known
    spelling: qlabbook ignores it, and a misspelt key would otherwise pass unseen."""
    for name, table in config.data.items():
        if name not in TABLES:
            near = difflib.get_close_matches(name, TABLES, n=1)
            config.diagnostics.warning(
                "C105", f"unknown table [{name}]" + (f"; did you mean [{near[0]}]?"
                                                     if near else ": it is ignored"),
                config.path, config.table_line(name),
                "qlabbook reads the tables " + ", ".join(f"[{t}]" for t in TABLES))
        elif isinstance(table, dict):
            for key in table:
                if key not in TABLES[name]:
                    near = difflib.get_close_matches(key, TABLES[name], n=1)
                    config.diagnostics.warning(
                        "C105", f"unknown key {key!r} in [{name}]" + (
                            f"; did you mean {near[0]!r}?" if near else ": it is ignored"),
                        config.path, config.line_of(name, key),
                        f"[{name}] has the keys " + ", ".join(TABLES[name]))
