"""PEP 610 direct_url.json: where an installed distribution came from, or None when unsure."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from bootguard.environment.direct_url import read_direct_url
from bootguard.environment.model import DirectUrl

COMMIT = "c" * 40


def _read(tmp_path: Path, raw: bytes | object) -> tuple[str | None, bool, DirectUrl | None]:
    (tmp_path / "direct_url.json").write_bytes(
        raw if isinstance(raw, bytes) else json.dumps(raw).encode()
    )
    return read_direct_url(str(tmp_path))


def test_a_vcs_install_reads_as_pip_freeze_writes_it(tmp_path: Path) -> None:
    url, editable, origin = _read(
        tmp_path,
        {
            "url": "https://h/r.git",
            "vcs_info": {"vcs": "git", "commit_id": COMMIT, "requested_revision": "v1"},
        },
    )
    assert (url, editable) == (f"git+https://h/r.git@{COMMIT}", False)
    assert origin == DirectUrl("vcs", "https://h/r.git", "git", COMMIT, "v1")


def test_archive_hashes_are_normalized_and_deduplicated(tmp_path: Path) -> None:
    _, _, origin = _read(
        tmp_path,
        {
            "url": "https://h/x.whl",
            "archive_info": {"hashes": {"SHA256": "AB"}, "hash": "sha256=ab"},
        },
    )
    assert origin == DirectUrl("archive", "https://h/x.whl", hashes=("sha256:ab",))


def test_an_editable_directory(tmp_path: Path) -> None:
    url, editable, origin = _read(
        tmp_path, {"url": "file:///src/app", "dir_info": {"editable": True}, "subdirectory": "pkg"}
    )
    assert (url, editable) == ("file:///src/app", True)
    assert origin == DirectUrl("directory", "file:///src/app", editable=True, subdirectory="pkg")


@pytest.mark.parametrize(
    "raw",
    [
        b"not json",
        b"[1]",
        {"url": 3},
        b"[" * 10_000 + b"]" * 10_000,
        b'{"a":' * 40 + b"1" + b"}" * 40,
    ],
)
def test_anything_else_reads_as_no_origin(tmp_path: Path, raw: bytes | object) -> None:
    assert _read(tmp_path, raw)[::2] == (None, None)


def test_an_absent_or_special_file_reads_as_no_origin(tmp_path: Path) -> None:
    assert read_direct_url(str(tmp_path)) == (None, False, None)
    os.mkfifo(tmp_path / "direct_url.json")
    assert read_direct_url(str(tmp_path)) == (None, False, None)
