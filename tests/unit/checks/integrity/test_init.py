"""Verifying installed files against RECORD: changed, missing, unexpected, and nothing else."""

from __future__ import annotations

import pytest

from bootguard.checks.integrity import verify
from tests.unit.conftest import Site

BIG = "DATA = " + repr("x" * 400_000) + "\n"  # above the size the hashing threads take


def _site(site: Site) -> Site:
    site.install("msgbus", "4.1.0", modules={"msgbus/__init__.py": "A = 1\n", "msgbus/big.py": BIG})
    site.install("taskq", "5.0.0")
    return site


@pytest.mark.parametrize("workers", [1, 4])
def test_an_untouched_environment_has_no_finding(site: Site, workers: int) -> None:
    result = verify(_site(site).environment(), workers=workers)
    assert (result.findings, result.distributions) == ((), 2)
    assert result.files >= 6 and result.bytes > 400_000


@pytest.mark.parametrize("workers", [1, 4])
def test_changed_missing_and_unexpected_files_are_named(site: Site, workers: int) -> None:
    _site(site)
    (site.path / "msgbus" / "big.py").write_text(BIG.replace("x", "y", 1))
    (site.path / "msgbus" / "__init__.py").unlink()
    (site.path / "taskq" / "injected.py").write_text("evil = True\n")
    found = {f.key: f for f in verify(site.environment(), workers=workers).findings}
    assert found["msgbus:files"].status == "fail"
    assert found["msgbus:files"].observed == "1 missing, 1 changed"
    assert found["taskq:files"].status == "warn"
    assert (
        found["taskq:files"].message
        == "installed file unexpected: taskq/injected.py (recorded by nobody)"
    )
    assert "taskq:files" not in {
        f.key for f in verify(site.environment(), unexpected=False).findings
    }


def test_quick_mode_sees_sizes_only_and_names_select(site: Site) -> None:
    _site(site)
    (site.path / "msgbus" / "__init__.py").write_text("A = 2\n")  # same size, other bytes
    assert verify(site.environment(), quick=True).findings == ()
    assert [f.key for f in verify(site.environment()).findings] == ["msgbus:files"]
    only = verify(site.environment(), names=["TaskQ", "nonesuch"])
    assert (only.findings, only.distributions) == ((), 1)
    assert "integrity: no installed distribution named 'nonesuch'" in only.notes


def test_progress_is_reported_to_the_end(site: Site) -> None:
    calls: list[tuple[int, int, int, int]] = []
    verify(_site(site).environment(), workers=1, progress=lambda *counts: calls.append(counts))
    assert calls and calls[-1][2] == calls[-1][3]
