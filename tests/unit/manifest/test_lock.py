"""The lock readers' typed access and markers: a bad value is exit 2 naming its key."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from packaging.markers import Marker

from bootguard.errors import ManifestError
from bootguard.manifest._lock import (
    Markers,
    array,
    load_lock_toml,
    optional_string,
    optional_version,
    read_bytes,
    reason,
    requires_python,
    string,
    table,
    version_string,
)
from tests.unit.conftest import selection


def test_read_bytes_refuses_missing_and_special_files(tmp_path: Path) -> None:
    path = tmp_path / "uv.lock"
    path.write_bytes(b"x")
    assert read_bytes(path, "uv.lock") == b"x"
    with pytest.raises(ManifestError, match=r"^gone.lock: cannot read: No such file"):
        read_bytes(tmp_path / "gone.lock", "gone.lock")
    os.mkfifo(tmp_path / "fifo")
    with pytest.raises(ManifestError, match=r"cannot read: not a regular file \(a FIFO\)"):
        read_bytes(tmp_path / "fifo", "fifo")
    assert (
        reason(FileNotFoundError(2, "No such file or directory", "/x"))
        == "No such file or directory"
    )


@pytest.mark.parametrize(
    ("accessor", "value", "found"),
    [
        (table, [1], "expected a table, found an array"),
        (array, {}, "expected an array, found a table"),
        (string, None, "expected a string, found nothing"),
        (string, True, "expected a string, found a boolean"),
        (string, 1.5, "expected a string, found a float"),
        (optional_string, 3, "expected a string, found an integer"),
    ],
)
def test_a_value_of_the_wrong_type_names_the_key(
    accessor: object, value: object, found: str
) -> None:
    with pytest.raises(ManifestError, match=f"^l.lock: key 'package\\[3\\].x': {found}$"):
        accessor(value, "l.lock", "package[3].x")  # type: ignore[operator]


def test_values_of_the_right_type_pass_through() -> None:
    assert table({"a": 1}, "l", "k") == {"a": 1}
    assert array([1], "l", "k") == [1]
    assert optional_string(None, "l", "k") is None
    assert optional_version(None, "l", "k") is None
    assert version_string("1.0.post1", "l", "k") == "1.0.post1"
    assert requires_python(">=3.9", "l", "k") == ">=3.9"
    assert requires_python("  ", "l", "k") is None


def test_invalid_versions_and_specifiers_are_lock_errors() -> None:
    with pytest.raises(ManifestError, match=r"invalid version 'latest' \(not PEP 440\)"):
        version_string("latest", "l", "k")
    with pytest.raises(ManifestError, match="invalid requires-python '>>3'"):
        requires_python(">>3", "l", "k")


def test_skipped_lines_and_blocks_keep_line_numbers_right() -> None:
    data = b'a = 1\nwheels = [\n  { url = "x" },\n]\nskip = "me"\nb = \n'
    with pytest.raises(ManifestError, match=r"^l:6: invalid TOML"):
        load_lock_toml(
            data, "l", skip_lines=r"^skip = .*$", skip_blocks=r"^wheels = \[\n(?:.*\n)*?\]$"
        )
    good = data.replace(b"b = \n", b"b = 2\n")
    assert load_lock_toml(good, "l", skip_lines=r"^skip = .*$") == {
        "a": 1,
        "wheels": [{"url": "x"}],
        "b": 2,
    }
    with pytest.raises(ManifestError, match="not UTF-8"):
        load_lock_toml(b"\xff", "l", skip_lines="x")


@pytest.mark.parametrize(
    ("marker", "extras"),
    [
        ('python_version >= "3"', ()),
        ('sys_platform == "win32"', ()),
        ('extra == "Redis_X"', ("redis-x",)),
        ('extra == "redis"', ("other",)),
        ('extra == "a" or extra == "b"', ("b", "c")),
    ],
)
def test_markers_agree_with_packaging(marker: str, extras: tuple[str, ...]) -> None:
    env = selection().marker_env
    expected = any(Marker(marker).evaluate({**env, "extra": e}) for e in (extras or ("",)))
    if "Redis_X" in marker:
        expected = True  # both sides normalized, as uv and Poetry mean extras
    assert Markers(env, "l").holds(marker, "k", extras) is expected


def test_markers_refuse_invalid_or_unevaluable_text() -> None:
    markers = Markers(selection().marker_env, "l.lock")
    assert markers.holds(None, "k") and markers.holds("", "k")
    with pytest.raises(ManifestError, match=r"^l.lock: key 'p.marker': invalid marker"):
        markers.holds("python_version >>> '3'", "p.marker")
