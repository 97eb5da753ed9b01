"""Hashing installed files: what is on disk, read without blocking, in any number of threads."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from bootguard.checks.integrity.hashing import Seen, check_all, default_workers, rehash
from tests.unit.conftest import Site


def test_rehash_reads_regular_files_only(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"abc" * 1000)
    assert rehash(str(path), "sha256") == Seen(3000, hashlib.sha256(b"abc" * 1000).digest())
    assert rehash(str(tmp_path / "absent"), "sha256").error == "missing"
    os.mkfifo(tmp_path / "fifo")
    assert rehash(str(tmp_path / "fifo"), "sha256").error == "not a file"
    assert rehash("a\0b", "sha256").error


def test_check_all_finds_the_same_files_in_one_thread_or_many(site: Site) -> None:
    site.install("msgbus", "4.1.0", modules={f"msgbus/m{i}.py": f"X = {i}\n" for i in range(20)})
    (site.path / "msgbus" / "m3.py").write_text("X = 33\n")
    (site.path / "msgbus" / "m7.py").unlink()
    dists = list(site.environment().distributions.values())
    results = []
    for workers in (1, 3):
        records, bad, files, hashed = check_all(dists, False, workers, None)
        results.append((sorted(entry.path for _, entry, _ in bad), files, hashed))
        assert list(records) == [dists[0].metadata_dir]
    assert results[0] == results[1]
    assert results[0][0] == ["msgbus/m3.py", "msgbus/m7.py"]


def test_default_workers_is_between_two_and_eight() -> None:
    assert 2 <= default_workers() <= 8
