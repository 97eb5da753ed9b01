"""Unit tests of bootguard.environment.fingerprint: the canonical RECORD and the recorded fingerprint."""

from __future__ import annotations

import csv
import io

from hypothesis import given
from hypothesis import strategies as st

from bootguard.environment.fingerprint import (
    _filtered,
    canonical_record,
    recorded_fingerprint,
)

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
