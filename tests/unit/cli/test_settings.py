"""The command line's settings: flags over ``BOOTGUARD_*`` over ``[tool.bootguard]``."""

from __future__ import annotations

from pathlib import Path

import pytest

from bootguard.cli.parser import build_parser
from bootguard.cli.settings import flag_settings, load
from bootguard.errors import ConfigError


def test_only_the_flags_given_become_settings() -> None:
    args = build_parser().parse_args(["check", "--ignore", "kombu", "--no-default-groups"])
    given = flag_settings(args)
    assert list(given["ignore"]) == ["kombu"]  # type: ignore[call-overload]
    assert given["groups"] == []
    assert "manifest" not in given and "strict" not in given


def test_flags_win_over_the_environment_which_wins_over_pyproject(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.bootguard]\nignore = ["from-pyproject"]\nstrict = true\nimport_timeout = 7\n'
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BOOTGUARD_IMPORT_TIMEOUT", "9")
    parser = build_parser()

    settings, check = load(parser.parse_args(["check", "--no-manifest"]))
    assert (tuple(settings.ignore), settings.strict, settings.import_timeout) == (
        ("from-pyproject",),
        True,
        9.0,
    )
    assert tuple(check.manifests or ()) == ()

    settings, check = load(
        parser.parse_args(["check", "--no-manifest", "--ignore", "flag", "--import-timeout", "3"])
    )
    assert (tuple(settings.ignore), settings.import_timeout) == (("flag",), 3.0)
    assert tuple(check.ignore) == ("flag",)


def test_manifests_typed_on_the_command_line_are_kept_as_typed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    _, check = load(build_parser().parse_args(["check", "-m", "reqs/a.txt", "--python", "py"]))
    assert list(check.manifests or ()) == ["reqs/a.txt"]
    assert check.python == "py"


def test_a_bad_setting_in_pyproject_is_one_config_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.bootguard]\nimport_timeout = -1\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BOOTGUARD_IMPORT_TIMEOUT", raising=False)
    with pytest.raises(ConfigError, match="import_timeout"):
        load(build_parser().parse_args(["check", "--no-manifest"]))
