"""The CommonMark figure (bench/commonmark.py) never falls below the recorded one."""

from __future__ import annotations

import importlib.util
import json
import xml.etree.ElementTree as ET
from pathlib import Path
from types import ModuleType

BENCH = Path(__file__).resolve().parents[2] / "bench"


def harness() -> ModuleType:
    spec = importlib.util.spec_from_file_location("commonmark_harness", BENCH / "commonmark.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_pass_counts_hold_per_section() -> None:
    commonmark = harness()
    passed, total, _failing = commonmark.run()
    assert sum(total.values()) == 655
    record = json.loads((BENCH / "commonmark.json").read_text(encoding="utf-8"))["passed"]
    fallen = {section: (passed[section], floor) for section, floor in record.items()
              if passed[section] < floor}
    assert not fallen, f"sections now below their recorded pass count: {fallen}"


def test_normaliser_tells_structure_apart_and_ignores_formatting() -> None:
    commonmark = harness()

    def same(a: str, b: str) -> bool:
        return bool(commonmark.normalise(commonmark.expected_tree(a))
                    == commonmark.normalise(commonmark.expected_tree(b)))

    assert same('<p>a <em title="t" class="c">b</em></p>\n<hr />',
                "<p>a  <em class='c' title=\"t\">b</em></p><hr>")
    assert same("<p>\u201cquoted\u201d \u2014 x</p>", '<p>"quoted" --- x</p>')
    assert not same("<blockquote><p>a</p></blockquote><blockquote><p>b</p></blockquote>",
                    "<blockquote><p>a</p><p>b</p></blockquote>")
    assert not same("<pre><code>a\n  b\n</code></pre>", "<pre><code>a\nb\n</code></pre>")
    assert not same("<ol start=\"2\"><li>a</li></ol>", "<ol><li>a</li></ol>")
    assert not same("<ul><li><p>a</p></li></ul>", "<ul><li>a</li></ul>")
    assert isinstance(commonmark.expected_tree("<p>x</p>"), ET.Element)
