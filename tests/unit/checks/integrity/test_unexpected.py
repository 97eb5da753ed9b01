"""Files in a distribution's package directories that no RECORD lists."""

from __future__ import annotations

from bootguard.checks.integrity.model import RecordEntry
from bootguard.checks.integrity.record import read_record
from bootguard.environment.model import Distribution
from tests.unit.conftest import Site


def _unexpected(site: Site) -> list[tuple[str, str]]:
    from bootguard.checks.integrity.unexpected import unexpected_files

    dists = list(site.environment().distributions.values())
    records: dict[str, list[RecordEntry]] = {}
    owners: dict[str, list[tuple[Distribution, RecordEntry]]] = {}
    for dist in dists:
        entries = read_record(dist, caches=False) or []
        records[dist.metadata_dir] = entries
        for entry in entries:
            owners.setdefault(entry.full, []).append((dist, entry))
    return sorted(
        (dist.name, problem.path)
        for dist, problem in unexpected_files(dists, records, owners, {}, [])
    )


def test_an_extra_file_or_directory_is_attributed_to_the_package_holding_it(site: Site) -> None:
    site.install("msgbus", "4.1.0", modules={"msgbus/__init__.py": "", "msgbus/sub/a.py": ""})
    site.install("taskq", "5.0.0")
    assert _unexpected(site) == []
    (site.path / "msgbus" / "sub" / "evil.py").write_text("")
    (site.path / "taskq" / "plugins").mkdir()
    (site.path / "taskq" / "plugins" / "p.py").write_text("")
    assert _unexpected(site) == [("msgbus", "msgbus/sub/evil.py"), ("taskq", "taskq/plugins/p.py")]


def test_byte_code_caches_are_expected(site: Site) -> None:
    site.install("msgbus", "4.1.0")
    cache = site.path / "msgbus" / "__pycache__"
    cache.mkdir()
    (cache / "__init__.cpython-311.pyc").write_bytes(b"\0")
    assert _unexpected(site) == []
