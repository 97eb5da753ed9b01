"""Comparing this node's fingerprint with the one a snapshot records."""

from __future__ import annotations

from bootguard.checks.fingerprint import snapshot_comparison
from bootguard.environment.fingerprint import snapshot_line
from tests.unit.conftest import Site


def test_equal_fingerprints_are_a_note_and_different_ones_a_warning(site: Site) -> None:
    from bootguard.environment._scan import metadata_dirs
    from bootguard.environment.fingerprint import fingerprint

    site.install("msgbus", "4.1.0")
    dirs = metadata_dirs([str(site.path)])
    data = (snapshot_line(dirs) + "\nmsgbus==4.1.0\n").encode()
    actual = fingerprint(dirs)
    assert snapshot_comparison(actual, data, "snap.txt") == (
        None,
        f"environment fingerprint {actual} matches the one snap.txt records",
    )
    finding, note = snapshot_comparison("0" * len(actual), data, "snap.txt")
    assert note == "" and finding is not None
    assert (finding.key, finding.status, finding.expected) == ("environment:files", "warn", actual)
    assert snapshot_comparison(actual, b"msgbus==4.1.0\n", "plain.txt") == (None, "")
