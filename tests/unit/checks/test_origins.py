"""Where ``check -v`` says each installed distribution is expected, from a real manifest."""

from __future__ import annotations

from pathlib import Path

from packaging.markers import default_environment

from bootguard.checks.origins import listed_names, origins
from bootguard.manifest import read_manifest
from bootguard.manifest.model import Manifest, Selection
from bootguard.report import Finding


def _manifest(tmp_path: Path, text: str) -> list[Manifest]:
    path = tmp_path / "requirements.txt"
    path.write_text(text)
    here = Selection(marker_env={k: str(v) for k, v in default_environment().items()})
    return [read_manifest(path, here)]


def test_a_listed_name_points_at_its_first_line_by_canonical_name(tmp_path: Path) -> None:
    listed = listed_names(_manifest(tmp_path, "Zope.Interface==8.7\nkombu==4.1.0\nkombu==4.1.0\n"))
    assert listed["zope-interface"].endswith("requirements.txt:1")
    assert listed["kombu"].endswith("requirements.txt:2")  # the first place, not the repeat


def test_each_installed_name_gets_exactly_one_origin_by_precedence(tmp_path: Path) -> None:
    listed = listed_names(_manifest(tmp_path, "celery==5.3.0\npip==24.0\n"))
    extraneous = Finding("stray", "extraneous", "warn", "stray is installed, nothing lists it")
    rows = dict(
        origins(
            ["celery", "kombu", "pip", "setuptools", "stray", "skipped"],
            listed,
            [extraneous],
            ignored=["Skipped"],
        )
    )
    assert rows["celery"].endswith("requirements.txt:1")
    assert rows["pip"].endswith("requirements.txt:2")  # listed wins over "tool"
    assert rows["setuptools"] == "tool"
    assert rows["skipped"] == "ignored"
    assert rows["stray"] == "extraneous"
    assert rows["kombu"] == "dependency"  # not listed, not extraneous: something requires it
    assert list(rows) == sorted(rows)


def test_without_a_manifest_nothing_is_expected_anywhere() -> None:
    rows = dict(origins(["kombu", "kombu", "pip"], {}, []))
    assert rows == {"kombu": "no manifest", "pip": "tool"}
