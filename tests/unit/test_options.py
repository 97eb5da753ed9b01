"""One description of a check (CheckOptions) and one manifest resolution (resolve).

The keyword form ``check(manifests, **kwargs)`` and ``check_with(CheckOptions(...))`` must
give the same report; ``resolve`` is the one answer to "which manifests does this check
read" for the API, the gate, the re-check and ``serve``.
"""

from __future__ import annotations

import dataclasses
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

from bootguard.api import check, check_with
from bootguard.errors import ManifestError
from bootguard.manifest.resolve import no_manifest_message, resolve
from bootguard.options import CheckOptions


def _comparable(report: object) -> tuple[object, ...]:
    assert dataclasses.is_dataclass(report)
    fields = dataclasses.asdict(report)  # type: ignore[arg-type]
    return tuple(fields[k] for k in sorted(fields) if k != "timings")  # timings: a clock


def test_keyword_form_and_options_give_the_same_report(tmp_path: Path) -> None:
    """This interpreter's real environment against a manifest with one right pin and one
    wrong one: both forms find the same drift."""
    manifest = tmp_path / "requirements.txt"
    manifest.write_text(f"packaging=={version('packaging')}\npytest==0.0.1\n")
    keywords = check([manifest], paths=sys.path, strict=True, use_seal=False)
    options = CheckOptions(manifests=[manifest], paths=sys.path, strict=True, use_seal=False)
    with_options = check_with(options)
    assert {f.key: f.status for f in keywords.problems}["pytest:version"] == "fail"
    assert "packaging:version" not in {f.key for f in keywords.problems}
    assert _comparable(keywords) == _comparable(with_options)


def test_options_are_one_immutable_value() -> None:
    options = CheckOptions(strict=True)
    with pytest.raises(dataclasses.FrozenInstanceError):
        options.strict = False  # type: ignore[misc]
    consistency_only = dataclasses.replace(options, manifests=())
    assert consistency_only.strict and consistency_only.manifests == ()
    assert CheckOptions() == CheckOptions(manifests=None, use_seal=True)


def test_resolve_given_manifests_are_taken_as_they_are(tmp_path: Path) -> None:
    given = resolve(["requirements.txt", tmp_path / "uv.lock"], tmp_path)
    assert given.paths == (Path("requirements.txt"), tmp_path / "uv.lock")
    assert not given.discovered and given.note is None
    nothing = resolve([], tmp_path)
    assert nothing.paths == () and nothing.note is None  # no manifest on purpose: no note


def test_resolve_discovers_in_the_root_and_says_when_it_found_nothing(tmp_path: Path) -> None:
    empty = resolve(None, tmp_path)
    assert empty.paths == () and empty.discovered
    assert empty.note == no_manifest_message(tmp_path)
    assert empty.note.startswith(f"no manifest found in {tmp_path}: versions are not checked")
    (tmp_path / "requirements.txt").write_text("packaging\n")
    (tmp_path / "uv.lock").write_text("version = 1\n")
    found = resolve(None, tmp_path)
    assert found.paths == (tmp_path / "uv.lock",) and found.note is None


def test_resolve_absolute_pins_paths_before_a_chdir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "requirements.txt").write_text("packaging\n")
    pinned = resolve(None, absolute=True)
    assert pinned.paths == ((tmp_path / "requirements.txt").resolve(),)
    assert resolve(["sub/requirements.txt"], absolute=True).paths == (
        (tmp_path / "sub" / "requirements.txt").resolve(),
    )


def test_resolve_refuses_what_discovery_refuses(tmp_path: Path) -> None:
    (tmp_path / "pylock.a.toml").write_text("")
    (tmp_path / "pylock.b.toml").write_text("")
    with pytest.raises(ManifestError, match=r"several pylock\.\*\.toml files"):
        resolve(None, tmp_path)
