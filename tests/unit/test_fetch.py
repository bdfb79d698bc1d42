"""The renderer's URL fetcher: files under the mapped folders, nothing else."""

from __future__ import annotations

from pathlib import Path

import pytest

from qlabbook.typeset.fetch import COLLECTION_URL, LocalFiles


@pytest.fixture
def fetcher(tmp_path: Path) -> LocalFiles:
    root = tmp_path / "collection"
    (root / "images").mkdir(parents=True)
    (root / "images" / "a b.png").write_bytes(b"inside")
    (tmp_path / "secret.txt").write_text("outside")
    (root / "images" / "link.png").symlink_to(tmp_path / "secret.txt")
    return LocalFiles({COLLECTION_URL: root})


def test_serves_a_file_inside_the_collection(fetcher: LocalFiles) -> None:
    assert fetcher.serve(COLLECTION_URL + "images/a%20b.png") == (b"inside", "image/png")


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:9/x.png",
    "https://example.com/x.css",
    "file:///etc/passwd",
    COLLECTION_URL + "../secret.txt",
    COLLECTION_URL + "images/..%2f..%2fsecret.txt",
    COLLECTION_URL + "images/link.png",  # a symlink leaving the collection
    COLLECTION_URL + "images",  # a folder
    COLLECTION_URL + "images/missing.png",
    "file:///qlabbook/collectionX/images/a%20b.png",
])
def test_refuses_everything_else(fetcher: LocalFiles, url: str) -> None:
    with pytest.raises(ValueError, match="qlabbook does not load"):
        fetcher.serve(url)
