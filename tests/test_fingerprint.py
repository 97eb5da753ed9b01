"""The environment fingerprint: equal for the same installs anywhere, different for another build.

Why: an operator compares fingerprints across a fleet to see which nodes run byte-identical
environments, so a fingerprint that depended on the install path would call identical nodes
different (a false alarm), and one that missed a rebuilt wheel would call different nodes
identical.  Real venvs at different paths, real pip, a console script (whose RECORD row
really does differ with the path), and a second build of one version.
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bootguard.api import check
from bootguard.checks.integrity import verify
from bootguard.environment._scan import metadata_dirs
from bootguard.environment.fingerprint import (
    FINGERPRINT_PREFIX,
    _filtered,
    canonical_record,
    environment_fingerprint,
    fingerprint_lines,
    node_fingerprint,
    recorded_fingerprint,
    witness,
)
from bootguard.environment.inventory import current_environment
from bootguard.snapshot import snapshot
from tests.integrity_support import build_integrity_wheels, integrity_venv, paths_of
from tests.support.cli import bootguard_in
from tests.support.venvs import Venv

INSTALL = ["pushkit==1.0", "fastcodec==2.0", "bulky==1.0"]


@dataclass(frozen=True)
class Fleet:
    """Three nodes: ``a`` and ``b`` from the same wheels at different paths, ``c`` with
    another build of pushkit 1.0."""

    a: Venv
    b: Venv
    c: Venv
    snapshot: Path


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Fleet:
    root = tmp_path_factory.mktemp("fleet")
    house, rebuilt = build_integrity_wheels(root)
    a = integrity_venv(root / "srv" / "a" / "venv", house, INSTALL)
    b = integrity_venv(root / "opt" / "somewhere-else" / "b", house, INSTALL)
    c = integrity_venv(root / "c", rebuilt, ["pushkit==1.0"])
    c.install("fastcodec==2.0", "bulky==1.0", extra_args=["--find-links", str(house)])
    result = snapshot(paths=paths_of(a))
    assert result.sealed, result.findings
    target = root / "requirements.txt"
    target.write_bytes(result.text)
    return Fleet(a, b, c, target)


def _record(venv: Venv, dist_info: str) -> bytes:
    return (venv.site_packages / dist_info / "RECORD").read_bytes()


def test_same_wheels_at_different_paths_have_the_same_fingerprint(fleet: Fleet) -> None:
    # The console script's RECORD row differs (its shebang names each venv's python) ...
    record_a = _record(fleet.a, "pushkit-1.0.dist-info")
    record_b = _record(fleet.b, "pushkit-1.0.dist-info")
    assert record_a != record_b
    assert b"../../../bin/pushkit," in record_a
    # ... and it is exactly what the canonical form leaves out.
    assert canonical_record(record_a) == canonical_record(record_b)
    assert b"../" not in canonical_record(record_a)
    assert b"INSTALLER" not in canonical_record(record_a)

    fp_a = environment_fingerprint(paths_of(fleet.a))
    assert fp_a == environment_fingerprint(paths_of(fleet.b))
    assert len(fp_a) == 16
    assert int(fp_a, 16) >= 0


def test_another_build_of_the_same_version_has_another_fingerprint(fleet: Fleet) -> None:
    lines_a = fingerprint_lines(metadata_dirs(paths_of(fleet.a)))
    lines_c = fingerprint_lines(metadata_dirs(paths_of(fleet.c)))
    assert [line.split()[0] for line in lines_a] == [
        "bulky==1.0",
        "fastcodec==2.0",
        "pushkit==1.0",
    ]
    # Same names and versions; only pushkit's RECORD differs, and the lines say so.
    differing = [(x, y) for x, y in zip(lines_a, lines_c, strict=True) if x != y]
    assert [x.split()[0] for x, _ in differing] == ["pushkit==1.0"]
    assert environment_fingerprint(paths_of(fleet.a)) != environment_fingerprint(paths_of(fleet.c))


def test_a_file_changed_after_install_is_for_integrity_not_the_fingerprint(fleet: Fleet) -> None:
    """The fingerprint names what the installer recorded; files changed later are the
    ``files`` check's business (documented in docs/snapshots.md)."""
    before = environment_fingerprint(paths_of(fleet.b))
    core = fleet.b.site_packages / "bulky" / "part03.py"
    original = core.read_bytes()
    core.write_bytes(original.replace(b"3", b"4"))
    try:
        assert environment_fingerprint(paths_of(fleet.b)) == before
        result = verify(current_environment(paths_of(fleet.b)), names=["bulky"])
        assert [f.key for f in result.findings] == ["bulky:files"]
    finally:
        core.write_bytes(original)


def test_snapshot_records_the_fingerprint_under_its_seal(fleet: Fleet) -> None:
    text = fleet.snapshot.read_bytes()
    lines = text.splitlines()
    fingerprint = environment_fingerprint(paths_of(fleet.a))
    assert recorded_fingerprint(text) == fingerprint
    (at,) = [i for i, line in enumerate(lines) if line.startswith(FINGERPRINT_PREFIX)]
    witness_a = witness(metadata_dirs(paths_of(fleet.a)))
    assert lines[at] == FINGERPRINT_PREFIX + f"{fingerprint} stat:{witness_a}".encode()
    assert lines[at + 1].startswith(b"# bootguard-seal: sha256=")

    # Node a itself: its RECORD files are untouched, one stat each tells (no RECORD read).
    assert node_fingerprint(metadata_dirs(paths_of(fleet.a)), text) == (fingerprint, "stat")
    # Node b: same wheels, another path: the witness differs, the fingerprint is computed.
    assert node_fingerprint(metadata_dirs(paths_of(fleet.b)), text) == (fingerprint, "computed")

    # Node b: the seal matches and so does the fingerprint.
    report = check([fleet.snapshot], paths=paths_of(fleet.b))
    assert report.verified_by == "seal"
    assert report.findings == ()
    assert report.fingerprint == fingerprint
    assert f"environment fingerprint {fingerprint} matches the one {fleet.snapshot} records" in (
        report.notes
    )
    assert report.to_health_json()["fingerprint"] == fingerprint

    # Node c: same names and versions, so the seal still matches; the fingerprint does not.
    drifted = check([fleet.snapshot], paths=paths_of(fleet.c))
    assert drifted.verified_by == "seal"
    assert drifted.status == "warn"
    (finding,) = drifted.findings
    assert finding.key == "environment:files"
    assert (finding.expected, finding.observed) == (fingerprint, drifted.fingerprint)
    assert "bootguard check --integrity" in finding.message
    full = check([fleet.snapshot], paths=paths_of(fleet.c), use_seal=False)
    assert [f.key for f in full.findings] == ["environment:files"]
    assert full.fingerprint == drifted.fingerprint

    # A RECORD rewritten since the snapshot (a reinstall of the same build) is not trusted
    # from the witness: the fingerprint is computed again, and still matches.
    record = fleet.a.site_packages / "bulky-1.0.dist-info" / "RECORD"
    stat = record.stat()
    os.utime(record, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    try:
        assert node_fingerprint(metadata_dirs(paths_of(fleet.a)), text) == (
            fingerprint,
            "computed",
        )
    finally:
        os.utime(record, ns=(stat.st_atime_ns, stat.st_mtime_ns))

    # The seal covers the fingerprint line: edit it and the seal no longer vouches.
    forged = fleet.snapshot.with_name("forged.txt")
    assert drifted.fingerprint is not None
    forged.write_bytes(text.replace(fingerprint.encode(), drifted.fingerprint.encode()))
    assert check([forged], paths=paths_of(fleet.c)).verified_by == "full"


def test_the_command_says_whether_the_node_matches(
    fleet: Fleet, bootguard_pythonpath: Path
) -> None:
    fingerprint = recorded_fingerprint(fleet.snapshot.read_bytes())
    for node in (fleet.a, fleet.b):  # from the stat witness, and computed
        same = bootguard_in(node, bootguard_pythonpath, "check", "--manifest", fleet.snapshot)
        assert same.returncode == 0, same.stdout + same.stderr
        assert f"match the sealed snapshot {fleet.snapshot}, fingerprint {fingerprint} (" in (
            same.stdout
        )

    other = bootguard_in(
        fleet.c, bootguard_pythonpath, "check", "--manifest", fleet.snapshot, "--color", "never"
    )
    assert other.returncode == 0, other.stdout + other.stderr  # a warning: still exit 0
    assert other.stdout.startswith("WARN  environment:files  environment fingerprint ")
    assert f"differs from {fingerprint} recorded in {fleet.snapshot}" in other.stdout

    quiet = bootguard_in(fleet.c, bootguard_pythonpath, "check", "-m", fleet.snapshot, "-q")
    assert (quiet.returncode, quiet.stdout, quiet.stderr) == (0, "", "")


# --- the canonical RECORD: the fast cut equals the per-line definition ---------------------

_SEGMENTS = st.sampled_from(["pkg", "sub", "a.py", "b.pyi", "x,y.txt", 'q"t.py', "data"])
_PATHS = st.lists(_SEGMENTS, min_size=1, max_size=3).map("/".join)
_HASH = st.sampled_from(["", "sha256=AAAA", "sha256=BBBB"])
_META = "demo-1.0.dist-info"
_NOTES = ["INSTALLER", "REQUESTED", "uv_cache.json", "METADATA", "WHEEL", "direct_url.json"]


def _write(rows: list[tuple[str, str, str]], lineterminator: str) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=lineterminator).writerows(rows)
    return buffer.getvalue().encode()


@st.composite
def _records(draw: st.DrawFn) -> tuple[bytes, bytes]:
    """A RECORD as pip, uv or pypa/installer writes it, twice: with two different venv
    paths baked into the console scripts' hashes."""
    paths = draw(st.lists(_PATHS, unique=True, max_size=8))
    rows = [(p, draw(_HASH), draw(st.sampled_from(["", "12"]))) for p in paths]
    notes = draw(st.lists(st.sampled_from(_NOTES), unique=True))
    installer_hash = draw(
        st.sampled_from(["sha256=zuuu", "sha256=5hhM4Q4mYTT9z6QB6PGpUAW81PGNFrYrdXMj4oM_6ak"])
    )
    rows += [
        (f"{_META}/{n}", installer_hash if n == "INSTALLER" else "sha256=CCCC", "3") for n in notes
    ]
    scripts = draw(st.lists(st.sampled_from(["tool", "other"]), unique=True))
    writer = draw(st.sampled_from(["pip", "uv", "installer"]))
    order = draw(st.permutations(range(len(scripts) + len(rows))))  # same on both nodes
    out: list[bytes] = []
    for venv in ("/srv/a", "/opt/b"):
        script_rows = [(f"../../../bin/{s}", f"sha256={venv}{s}", str(len(venv))) for s in scripts]
        record = (f"{_META}/RECORD", "", "")
        if writer == "installer":  # in no particular order, its own RECORD row last
            unordered = [*script_rows, *rows]
            out.append(_write([*(unordered[i] for i in order), record], "\n"))
        else:
            all_rows = sorted([*script_rows, *rows, record])
            out.append(_write(all_rows, "\r\n" if writer == "pip" else "\n"))
    return out[0], out[1]


@given(_records())
def test_canonical_record_is_location_independent_and_equals_its_definition(
    pair: tuple[bytes, bytes],
) -> None:
    at_a, at_b = pair
    assert canonical_record(at_a) == _filtered(at_a)
    assert canonical_record(at_b) == _filtered(at_b)
    assert canonical_record(at_a) == canonical_record(at_b)
    kept = canonical_record(at_a)
    assert b"../" not in kept
    assert f"{_META}/REQUESTED,".encode() not in kept
    assert f"{_META}/INSTALLER,".encode() not in kept


def test_recorded_fingerprint_only_reads_a_whole_comment_line() -> None:
    assert recorded_fingerprint(b"x==1\n# bootguard-fingerprint: 0123abcd\n") == "0123abcd"
    assert recorded_fingerprint(b"x==1  # bootguard-fingerprint: 0123abcd\n") is None
    assert recorded_fingerprint(b"x==1\n") is None
