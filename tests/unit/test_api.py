"""Unit tests of bootguard.api: a bug in one stage keeps the others."""

from __future__ import annotations

from pathlib import Path

import pytest

#: msgbus 4.1.0 is installed: the one real drift every test must see reported.
MANIFEST = "taskq==5.0.0\nmsgbus==4.2.0\n"


def test_a_bug_in_the_inventory_stage_keeps_the_other_stages(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The inventory is forced to fail: one ``bootguard:internal`` finding, the manifest
    is still read (and an unreadable one still raises), the fingerprint still computed."""
    import bootguard.environment.inventory
    from bootguard.api import check

    def broken(*args: object) -> None:
        raise RuntimeError("inventory bug")

    monkeypatch.setattr(bootguard.environment.inventory, "build", broken)
    manifest = tmp_path / "requirements.txt"
    manifest.write_text(MANIFEST)
    report = check([manifest], paths=[str(tmp_path)], use_seal=False)
    (finding,) = report.findings
    assert finding.key == "bootguard:internal" and finding.status == "fail"
    assert finding.message == (
        "internal error in the inventory stage (its findings are missing): "
        "RuntimeError: inventory bug"
    )
    assert finding.details and finding.details[0].startswith("raised at test_api.py:")
    assert [m.entries for m in report.manifests] == [2]
    assert report.fingerprint is not None
    assert report.to_text().splitlines()[0].startswith("FAIL  bootguard:internal  internal error")
