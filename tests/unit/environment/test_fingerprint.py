"""The environment fingerprint: equal for the same installs anywhere, different for other bytes."""

from __future__ import annotations

from pathlib import Path

from bootguard.environment._scan import metadata_dirs
from bootguard.environment.fingerprint import (
    canonical_record,
    environment_fingerprint,
    fingerprint,
    fingerprint_lines,
    node_fingerprint,
    record_digest,
    recorded_fingerprint,
    snapshot_line,
    witness,
)
from tests.unit.conftest import Site


def _two_sites(tmp_path: Path, installer: str = "pip") -> tuple[Site, Site]:
    first = Site(tmp_path / "a" / "site-packages", tmp_path / "wheels")
    second = Site(tmp_path / "elsewhere" / "lib" / "site-packages", tmp_path / "wheels")
    for site in (first, second):
        site.install("msgbus", "4.1.0", scripts={"msgbus": f"#!{site.path}/python\n".encode()})
        site.install("taskq", "5.0.0", installer=installer if site is second else "pip")
    return first, second


def test_the_same_installs_at_two_paths_with_two_installers_share_a_fingerprint(
    tmp_path: Path,
) -> None:
    first, second = _two_sites(tmp_path, installer="uv")
    assert environment_fingerprint([str(first.path)]) == environment_fingerprint([str(second.path)])


def test_another_build_of_one_version_changes_the_fingerprint(tmp_path: Path) -> None:
    first, _ = _two_sites(tmp_path)
    rebuilt = Site(tmp_path / "rebuilt", tmp_path / "other-wheels")
    rebuilt.install(
        "msgbus",
        "4.1.0",
        modules={"msgbus/__init__.py": "REBUILT = True\n"},
        scripts={"msgbus": b"#!/rebuilt/python\n"},
    )
    rebuilt.install("taskq", "5.0.0")
    assert environment_fingerprint([str(first.path)]) != environment_fingerprint(
        [str(rebuilt.path)]
    )
    lines = dict(
        line.split(" ", 1) for line in fingerprint_lines(metadata_dirs([str(rebuilt.path)]))
    )
    before = dict(
        line.split(" ", 1) for line in fingerprint_lines(metadata_dirs([str(first.path)]))
    )
    assert [name for name in lines if lines[name] != before[name]] == ["msgbus==4.1.0"]


def test_ignored_names_are_left_out(site: Site) -> None:
    site.install("pip", "24.0")
    site.install("msgbus", "4.1.0")
    dirs = metadata_dirs([str(site.path)])
    assert [line.split()[0] for line in fingerprint_lines(dirs)] == ["msgbus==4.1.0"]
    assert fingerprint(dirs) != fingerprint(dirs, frozenset())


def test_canonical_record_drops_installer_notes_and_outside_files_() -> None:
    rows = [
        b"msgbus/__init__.py,sha256=aa,10",
        b"../../../bin/msgbus,sha256=bb,20",
        b"msgbus-4.1.0.dist-info/INSTALLER,sha256=cc,4",
        b"msgbus-4.1.0.dist-info/REQUESTED,,",
        b"msgbus-4.1.0.dist-info/RECORD,,",
    ]
    kept = canonical_record(b"\n".join(rows) + b"\n")
    assert b"msgbus/__init__.py" in kept and b"RECORD," in kept
    assert b"bin/msgbus" not in kept and b"INSTALLER" not in kept and b"REQUESTED" not in kept
    without_notes = b"\n".join([rows[0], rows[4]]) + b"\n"
    assert record_digest(b"\n".join(rows) + b"\n") == record_digest(without_notes)
    assert record_digest(without_notes) != record_digest(without_notes.replace(b"aa", b"ab"))


def test_the_snapshot_line_records_the_fingerprint_and_a_stat_witness(site: Site) -> None:
    site.install("msgbus", "4.1.0")
    dirs = metadata_dirs([str(site.path)])
    line = snapshot_line(dirs)
    assert recorded_fingerprint(line.encode() + b"\n") == fingerprint(dirs)
    assert recorded_fingerprint(b"msgbus==4.1.0\n") is None
    assert node_fingerprint(dirs, line.encode() + b"\n") == (fingerprint(dirs), "stat")
    assert node_fingerprint(dirs) == (fingerprint(dirs), "computed")
    before = witness(dirs)
    (site.path / "msgbus-4.1.0.dist-info" / "RECORD").write_bytes(b"")
    assert witness(dirs) != before
    assert node_fingerprint(dirs, line.encode() + b"\n")[1] == "computed"
