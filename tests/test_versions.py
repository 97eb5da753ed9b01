"""Version comparison rules that decide between pass and a false alarm (see docs/manifests.md)."""

from __future__ import annotations

import pytest

from bootguard.checks.specifiers import satisfies
from bootguard.manifest.model import ManifestEntry


@pytest.mark.parametrize(
    ("installed", "specifier", "expected"),
    [
        ("1.0", "==1.0.0", True),  # PEP 440 normalization
        ("6.0.0", "==6", True),
        ("2.1.0+cpu", "==2.1.0", True),  # a pin without a local label accepts any label
        ("2.1.0+cu121", "==2.1.0+cpu", False),  # a pinned label is required
        ("2.1.0", "==2.1.0+cpu", False),
        ("2.1.0+cpu", "==2.1.0+cpu", True),
        ("1.0-custom", "===1.0-custom", True),  # arbitrary equality: string comparison
        ("1.0", "===1.0.0", False),
        ("1.0+cpu", "===1.0+CPU", True),  # case-insensitive, as packaging compares it
        ("2.0.0.post1", "===2.0.0.POST1", True),
        ("5.0.0rc1", ">=4,<6", True),  # an installed pre-release inside the range is fine
        ("4.2.0", ">=4.0.2,<5.0", True),
        ("5.0", ">=4.0.2,<5.0", False),
        ("1.0", "", True),
        ("not-a-version", ">=1", None),  # undecidable: reported as such, never guessed
    ],
)
def test_satisfies(installed: str, specifier: str, expected: bool | None) -> None:
    assert satisfies(installed, specifier) is expected


def test_pinned_version_is_only_an_exact_single_pin() -> None:
    assert ManifestEntry("a", "==1.0").pinned_version == "1.0"
    assert ManifestEntry("a", "===1.0-x").pinned_version == "1.0-x"
    assert ManifestEntry("a", "==1.*").pinned_version is None
    assert ManifestEntry("a", ">=1,<2").pinned_version is None
    assert ManifestEntry("a", "").pinned_version is None
