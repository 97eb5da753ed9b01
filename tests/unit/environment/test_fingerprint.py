"""Unit tests of bootguard.environment.fingerprint: the canonical RECORD and the recorded fingerprint.

The environment fingerprint: equal for the same installs anywhere, different for other bytes.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from bootguard.environment._scan import metadata_dirs
from bootguard.environment.fingerprint import (
    _filtered,
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


def test_an_eggs_egg_info_is_named_by_its_egg(tmp_path: Path) -> None:
    """``EGG-INFO`` inside ``name-1.0-py3.11.egg`` names the egg's distribution, as the
    inventory does, so two eggs never share one (empty) name."""
    dirs = []
    for name, version in (("foo", "1.0"), ("bar", "2.0")):
        egg = tmp_path / f"{name}-{version}-py3.11.egg"
        (egg / "EGG-INFO").mkdir(parents=True)
        (egg / "EGG-INFO" / "PKG-INFO").write_text(f"Name: {name}\nVersion: {version}\n")
        dirs.append((str(egg), "EGG-INFO"))
    lines = fingerprint_lines(dirs)
    assert [line.split()[0] for line in lines] == ["bar==2.0", "foo==1.0"]
