"""``bootguard diff``: two sides as name -> version, their differences, both renderings."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bootguard.diff import Side, diff, load_side
from bootguard.errors import DiffError
from tests.unit.conftest import finding, report_of, selection

_versions = st.dictionaries(
    st.sampled_from(["a", "b", "c", "d"]), st.sampled_from(["1.0", "2.0", "1"])
)


@given(_versions, _versions)
def test_a_diff_and_its_reverse_mirror_each_other(a: dict[str, str], b: dict[str, str]) -> None:
    forward = diff(Side("a", "x", a), Side("b", "x", b))
    backward = diff(Side("b", "x", b), Side("a", "x", a))
    assert (forward.added, forward.removed) == (backward.removed, backward.added)
    assert [(n, new, old) for n, old, new in forward.changed] == list(backward.changed)
    assert diff(Side("a", "x", a), Side("a", "x", dict(a))).identical


def test_equal_versions_and_satisfied_specifiers_agree() -> None:
    result = diff(
        Side("lock", "uv", {"a": "==1.0", "b": ">=2", "c": "1.0"}),
        Side("node", "report", {"a": "1", "b": "2.5", "c": "2.0"}),
    )
    assert result.changed == (("c", "1.0", "2.0"),)


def test_text_and_json_renderings() -> None:
    result = diff(
        Side("a.json", "report", {"x": "1", "y": "1"}, "3.11.7"),
        Side("b.json", "report", {"y": "2", "z": "1"}, "3.12.1"),
    )
    text = result.to_text().splitlines()
    assert text[:2] == ["--- a.json (report)", "+++ b.json (report)"]
    assert text[-1] == "4 differences: 1 added, 1 removed, 1 changed, python changed"
    assert result.to_json()["changed"] == {"y": {"a": "1", "b": "2"}}
    assert result.to_json()["python"] == {"a": "3.11.7", "b": "3.12.1"}
    same = diff(Side("a", "k", {"x": "1"}), Side("b", "k", {"x": "1"}))
    assert (
        same.to_text().endswith("identical: 1 distributions")
        and same.to_json()["identical"] is True
    )


def test_load_side_reads_a_json_report_or_a_manifest(tmp_path: Path) -> None:
    report = report_of(finding(status="pass"), python="3.11.7", installed=(("msgbus", "4.1.0"),))
    path = tmp_path / "node.json"
    path.write_text(json.dumps(report.to_health_json()))
    side = load_side(path, selection())
    assert (side.kind, side.versions, side.python) == ("report", {"msgbus": "4.1.0"}, "3.11.7")
    lock = tmp_path / "requirements.txt"
    lock.write_text("msgbus==4.1.0\n")
    assert load_side(lock, selection()).versions == {
        "msgbus": "4.1.0"
    }  # a pin reads as its version


def test_an_unreadable_side_is_a_diff_error(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "fifo")
    with pytest.raises(DiffError, match=r"fifo: cannot read: not a regular file \(a FIFO\)$"):
        load_side(tmp_path / "fifo", selection())
    with pytest.raises(DiffError, match=r"absent\.json: cannot read: No such file"):
        load_side(tmp_path / "absent.json", selection())
