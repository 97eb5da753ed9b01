"""The Manifest model: pins and grouping by name."""

from __future__ import annotations

import pytest

from bootguard.manifest.model import Manifest, ManifestEntry


@pytest.mark.parametrize(
    ("specifier", "pinned"),
    [
        ("==4.1.0", "4.1.0"),
        (" == 4.1.0 ", "4.1.0"),
        ("===weird-1", "weird-1"),
        ("==4.*", None),
        (">=1,<2", None),
        ("==1,!=1.1", None),
        ("~=1.0", None),
        ("", None),
    ],
)
def test_pinned_version_is_only_a_single_exact_pin(specifier: str, pinned: str | None) -> None:
    assert ManifestEntry("msgbus", specifier).pinned_version == pinned


def test_by_name_groups_entries_in_order() -> None:
    first, second, other = (
        ManifestEntry("msgbus", ">=4"),
        ManifestEntry("msgbus", "<5", constraint=True),
        ManifestEntry("taskq", "==5.0.0"),
    )
    manifest = Manifest("r.txt", "requirements", (first, other, second), digest="0" * 64)
    assert manifest.by_name() == {"msgbus": [first, second], "taskq": [other]}
    assert manifest.complete and manifest.unnamed == ()
