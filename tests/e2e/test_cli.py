"""The command's own surface: version, listing, help kept in step with the README."""

from __future__ import annotations

import subprocess
import sys

from helpers import FIXTURES, REPOSITORY, run_cli
from qlabbook import __version__


def test_version() -> None:
    result = run_cli("--version")
    assert result.exit_code == 0
    assert result.stdout == f"qlabbook {__version__}\n"


def test_list_shows_series_order_with_counts() -> None:
    result = run_cli("list", FIXTURES / "series")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "  #   words  notes  figs  title",
        "  2      15      1     0  Opening",
        "  3      43      2     0  Listening first",
        " 10      19      1     1  The long view",
    ]


def test_check_on_a_clean_collection() -> None:
    result = run_cli("check", FIXTURES / "series")
    assert result.exit_code == 0
    assert result.stderr == "no problems found\n"
    assert result.stdout.splitlines()[1:] == [
        "  2      15      1     0  Opening",
        "  3      43      2     0  Listening first",
        " 10      19      1     1  The long view",
    ]


def test_every_command_is_documented_in_the_readme() -> None:
    readme = (REPOSITORY / "README.md").read_text()
    listing = run_cli("--help").stdout.split("Commands:\n")[1]
    commands = [line.split()[0] for line in listing.splitlines() if line.strip()]
    assert commands == ["build", "watch", "serve", "new", "init", "check", "list", "proof"]
    for command in commands:
        assert f"qlabbook {command}" in readme, command


def test_readme_documents_every_command_and_option() -> None:
    readme = (REPOSITORY / "README.md").read_text()
    for command, options in {
            "build": ["--out", "--format", "--essays", "--no-essays", "--essay", "--jobs",
                      "--no-cache", "--pdf-profile", "--strict"],
            "watch": ["--out", "--format", "--essays", "--no-essays", "--jobs", "--strict",
                      "--pdf-profile"],
            "serve": ["--port", "--out", "--downloads"],
            "new": [], "init": ["--title"], "check": ["--format", "--strict", "github", "json"],
            "list": [], "proof": ["--out", "--dpi"]}.items():
        assert f"qlabbook {command}" in readme
        help_text = run_cli(command, "--help").stdout
        for option in options:
            assert option in help_text and option in readme, (command, option)


def test_help_does_not_import_the_renderers() -> None:
    code = ("import sys; from qlabbook.cli import app\n"
            "try:\n    app(['--help'])\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in ('weasyprint', 'ebooklib', 'markdown', 'PIL', 'rich.progress')"
            " if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip().endswith("[]")
