"""The inventory's model: which duplicates matter."""

from __future__ import annotations

import pytest

from bootguard.environment.model import Distribution, Duplicate, Environment


def _dist(version: str, location: str = "/a") -> Distribution:
    return Distribution(
        "msgbus", "msgbus", version, location, f"{location}/msgbus-{version}.dist-info"
    )


@pytest.mark.parametrize(
    ("winner", "shadowed", "same"),
    [
        ("4.1.0", "4.1.0", True),
        ("4.1", "4.1.0", True),
        ("4.1.0", "4.2.0", False),
        ("weird", "4.1", False),
    ],
)
def test_same_version_is_pep440_equality(winner: str, shadowed: str, same: bool) -> None:
    assert Duplicate(_dist(winner), _dist(shadowed, "/b")).same_version is same


def test_same_directory_and_lookup_by_normalized_name() -> None:
    winner = _dist("4.1.0")
    assert Duplicate(winner, _dist("4.0", "/a")).same_directory
    assert not Duplicate(winner, _dist("4.0", "/b")).same_directory
    env = Environment("/py", "3.11.7", {}, ("/a",), {"msgbus": winner})
    assert env.get("msgbus") is winner and env.get("MsgBus") is None
