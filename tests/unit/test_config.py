"""Settings: keyword arguments > BOOTGUARD_* > [tool.bootguard]; every problem reported at once."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bootguard.config import (
    DEFAULTS,
    find_pyproject,
    find_pyproject_path,
    load_settings,
    settings,
)
from bootguard.errors import ConfigError


def _project(tmp_path: Path, table: str) -> Path:
    (tmp_path / "pyproject.toml").write_text(f'[project]\nname = "x"\n\n[tool.bootguard]\n{table}')
    app = tmp_path / "src" / "app"
    app.mkdir(parents=True)
    return app


def test_each_layer_overrides_the_one_below_and_says_where_it_came_from(tmp_path: Path) -> None:
    start = _project(
        tmp_path,
        'mode = "warn"\nimports = ["json"]\nmanifest = "locks/pylock.toml"\n'
        "import-timeout = 3\nstrict = true\n",
    )
    environ = {"BOOTGUARD_MODE": "enforce", "BOOTGUARD_IGNORE": "pip, setuptools"}

    result, problems = load_settings({"strict": False}, start=start, environ=environ)

    assert problems == []
    assert result.mode == "enforce"
    assert result.source("mode") == "env:BOOTGUARD_MODE"
    assert result.imports == ("json",)
    assert result.source("imports") == str(tmp_path / "pyproject.toml")
    assert result.import_timeout == 3.0  # the hyphenated key is the same setting
    assert result.strict is False
    assert result.source("strict") == "argument"
    assert result.ignore == ("pip", "setuptools")
    assert result.smoke_timeout == DEFAULTS.smoke_timeout
    assert result.source("smoke_timeout") == "default"
    # a manifest in pyproject.toml is relative to that file, wherever the process runs
    assert result.manifest_paths() == [str(tmp_path / "locks/pylock.toml")]


def test_manifests_from_arguments_and_environment_are_relative_to_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    from_env, _ = load_settings(environ={"BOOTGUARD_MANIFEST": "a.lock,b.lock"})
    from_args, _ = load_settings({"manifest": "c.lock"}, environ={})
    assert from_env.manifest_paths() == [str(tmp_path / "a.lock"), str(tmp_path / "b.lock")]
    assert from_args.manifest_paths() == [str(tmp_path / "c.lock")]


def test_every_problem_is_collected_and_bad_values_fall_back(tmp_path: Path) -> None:
    start = _project(tmp_path, 'mdoe = "enforce"\nimport_timeout = "soon"\nsmoke = ["nocolon"]\n')
    environ = {"BOOTGUARD_ISOLATED": "maybe", "BOOTGUARD_SENTRY_DNS": "http://k@h/1"}

    result, problems = load_settings({"mode": "strict"}, start=start, environ=environ)

    text = "\n".join(problems)
    assert len(problems) == 6, text
    assert "unknown setting 'mdoe' (did you mean 'mode'?)" in text
    assert "import_timeout: expected a number of seconds (got 'soon')" in text
    assert "'nocolon' is not 'package.module:function'" in text
    assert "BOOTGUARD_ISOLATED: expected true or false" in text
    assert "unknown setting 'BOOTGUARD_SENTRY_DNS' (did you mean 'sentry_dsn'?)" in text
    assert "mode: expected one of report, warn, enforce" in text
    # nothing bad was applied: defaults stand
    assert (result.mode, result.import_timeout, result.isolated) == ("report", 10.0, False)
    with pytest.raises(ConfigError, match="mdoe"):
        settings({"mode": "strict"}, start=start, environ=environ)


def test_secrets_never_appear_in_messages_or_repr(tmp_path: Path) -> None:
    secret = "http://abcdef0123456789@sentry.example/42"
    good, _ = load_settings({"sentry_dsn": secret, "token": "t0ken"}, environ={})
    _, problems = load_settings({"sentry_dsn": 42, "token": ["t0ken"]}, environ={})
    assert "abcdef" not in repr(good)
    assert "t0ken" not in repr(good)
    assert problems
    assert all("t0ken" not in p and "42" not in p for p in problems)


def test_environment_values_are_parsed_and_typed() -> None:
    result, problems = load_settings(
        environ={
            "BOOTGUARD_ISOLATED": "yes",
            "BOOTGUARD_IMPORTS": "celery, myapp.tasks",
            "BOOTGUARD_SMOKE": "myapp.health:check_broker",
            "BOOTGUARD_SENTRY_FLUSH_TIMEOUT": "0.5",
            "BOOTGUARD_HEALTH_PATHS": "ready=/-/ready,live=",
            "BOOTGUARD_BENCH_CACHE": "/tmp/not-ours",  # another bootguard tool's variable
        }
    )
    assert problems == []
    assert result.isolated is True
    assert result.imports == ("celery", "myapp.tasks")
    assert result.smoke == ("myapp.health:check_broker",)
    assert result.sentry_flush_timeout == 0.5
    assert result.health_paths == (("ready", "/-/ready"), ("live", None))


def test_invalid_toml_and_a_missing_explicit_config_are_problems_not_crashes(
    tmp_path: Path,
) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.bootguard]\nmode = \n")
    _, problems = load_settings(start=tmp_path, environ={})
    assert len(problems) == 1
    assert "invalid TOML" in problems[0]
    missing = os.fspath(tmp_path / "nope.toml")
    _, problems = load_settings(environ={"BOOTGUARD_CONFIG": missing})
    assert problems == [f"BOOTGUARD_CONFIG: {missing}: no such file"]


def test_a_config_file_named_explicitly_without_a_bootguard_table_is_a_problem(
    tmp_path: Path,
) -> None:
    other = tmp_path / "other.toml"
    for text in ('[project]\nname = "x"\n', "[tool.black]\nline-length = 99\n# bootguard\n"):
        other.write_text(text)
        result, problems = load_settings(environ={"BOOTGUARD_CONFIG": str(other)})
        assert problems == [f"BOOTGUARD_CONFIG: {other}: no [tool.bootguard] table in this file"]
        assert result.mode == DEFAULTS.mode
        assert result.sources == ()  # nothing was read from the file
        with pytest.raises(ConfigError, match=r"other\.toml: no \[tool\.bootguard\] table"):
            settings(environ={"BOOTGUARD_CONFIG": str(other)})
    # a discovered pyproject.toml without the table is simply not bootguard's business
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    assert load_settings(start=tmp_path, environ={})[1] == []


@pytest.mark.parametrize(
    ("dsn", "reason"),
    [
        ("not a dsn", "the scheme is not http or https"),
        ("ftp://key@sentry.example/1", "the scheme is not http or https"),
        ("https://sentry.example/1", "no public key"),
        ("https://key@/1", "no valid host"),
        ("https://key@sentry.example:99999/1", "no valid host"),
        ("https://key@sentry.example/project", "no numeric project id"),
        ("http://[::1/1", "expected https://<key>@<host>/<project>"),
    ],
)
def test_a_malformed_sentry_dsn_is_one_problem_and_never_used(dsn: str, reason: str) -> None:
    result, problems = load_settings({"sentry_dsn": dsn}, environ={})
    (problem,) = problems
    assert problem.startswith("argument: sentry_dsn: not a Sentry DSN")
    assert reason in problem
    assert problem.endswith("(got <hidden>)")
    assert dsn not in problem  # the DSN itself (it holds a key) is never repeated
    assert "key@" not in problem
    assert result.sentry_dsn is None


def test_valid_sentry_dsns_are_kept() -> None:
    for dsn in ("https://abc@o1.ingest.sentry.io/123", "http://k:s@127.0.0.1:9000/path/7"):
        result, problems = load_settings({"sentry_dsn": dsn}, environ={})
        assert (result.sentry_dsn, problems) == (dsn, [])


def test_on_internal_error_defaults_by_mode_and_can_be_set() -> None:
    for mode, ready in (("report", True), ("warn", True), ("enforce", False)):
        result, _ = load_settings({"mode": mode}, environ={})
        assert result.on_internal_error is None
        assert result.ready_on_internal_error() is ready
    result, problems = load_settings(
        {"mode": "enforce"}, environ={"BOOTGUARD_ON_INTERNAL_ERROR": "Ready"}
    )
    assert (problems, result.ready_on_internal_error()) == ([], True)
    result, problems = load_settings({"on_internal_error": "not_ready"}, environ={})
    assert (problems, result.on_internal_error, result.ready_on_internal_error()) == (
        [],
        "not-ready",
        False,
    )
    _, problems = load_settings({"on_internal_error": "ignore"}, environ={})
    assert problems == [
        "argument: on_internal_error: expected one of ready, not-ready (got 'ignore')"
    ]


def test_integrity_settings_from_arguments_and_environment() -> None:
    from bootguard.config import load_settings

    settings, problems = load_settings({"integrity": ["celery", "kombu"]}, environ={})
    assert (settings.integrity, settings.quick_integrity, problems) == (
        ("celery", "kombu"),
        False,
        [],
    )
    settings, problems = load_settings(
        environ={"BOOTGUARD_INTEGRITY": "celery, kombu", "BOOTGUARD_QUICK_INTEGRITY": "yes"}
    )
    assert (settings.integrity, settings.quick_integrity, problems) == (
        ("celery", "kombu"),
        True,
        [],
    )
    assert load_settings(environ={"BOOTGUARD_INTEGRITY": "on"})[0].integrity is True
    assert load_settings(environ={"BOOTGUARD_INTEGRITY": "0"})[0].integrity is False
    _, problems = load_settings({"integrity": 3}, environ={})
    assert problems == ["argument: integrity: expected a string or a list of strings (got 3)"]


def _walk_as_pathlib(*starts: str | Path | None) -> Path | None:
    """How the nearest pyproject.toml was found with pathlib: the reference."""
    for start in starts:
        if start is None:
            continue
        directory = Path(start).resolve()
        for candidate in (directory, *directory.parents):
            if (candidate / "pyproject.toml").is_file():
                return candidate / "pyproject.toml"
    return None


def test_find_pyproject_walks_up_from_the_real_directory_as_path_resolve_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "app" / "src" / "pkg").mkdir(parents=True)
    (tmp_path / "other" / "deep").mkdir(parents=True)
    (tmp_path / "other" / "pyproject.toml").write_text("")
    (tmp_path / "app" / "src" / "pkg" / "pyproject.toml").mkdir()  # a directory: not it
    (tmp_path / "app" / "pyproject.toml").write_text("")
    (tmp_path / "other" / "deep" / "into-app").symlink_to(tmp_path / "app" / "src")
    (tmp_path / "app" / "src" / "up").symlink_to(tmp_path / "other" / "deep")
    monkeypatch.chdir(tmp_path / "other" / "deep" / "into-app")  # cwd through a symlink
    starts: list[tuple[str | Path | None, ...]] = [
        (".",), ("pkg",), ("pkg/",), ("./pkg/../pkg//",), ("up",), ("up/into-app/pkg",),
        (tmp_path / "other" / "deep" / "into-app" / "pkg",), ("absent/dir",), ("..",),
        (None, "up"), (None,), (), (str(tmp_path),), ("/",),
    ]  # fmt: skip
    for start in starts:
        expected = _walk_as_pathlib(*start)
        assert find_pyproject(*start) == expected, start
        assert find_pyproject_path(*start) == (str(expected) if expected else None), start
    assert find_pyproject_path("up") == str(tmp_path / "other" / "pyproject.toml")
    assert find_pyproject_path(".") == str(tmp_path / "app" / "pyproject.toml")


def test_settings_root_is_the_directory_of_the_pyproject_as_pathlib_names_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.bootguard]\nmode = 'warn'\n")
    monkeypatch.chdir(tmp_path)
    for explicit in ("pyproject.toml", "./pyproject.toml", f"{tmp_path}//pyproject.toml"):
        loaded, problems = load_settings(environ={"BOOTGUARD_CONFIG": explicit})
        assert problems == [] and loaded.mode == "warn"
        assert loaded.root == str(Path(explicit).parent)
