"""Setting values: typed values from pyproject or keywords, strings from BOOTGUARD_*."""

from __future__ import annotations

import math

import pytest

from bootguard import _setting_values as values


@pytest.mark.parametrize(
    ("raw", "expected"), [("1", True), (" YES ", True), ("off", False), ("", False)]
)
def test_boolean_reads_the_usual_words_from_the_environment_only(raw: str, expected: bool) -> None:
    assert values.boolean(raw, True) is expected
    with pytest.raises(ValueError, match="expected true or false"):
        values.boolean(raw, False)  # a string in pyproject is a typo for a boolean
    assert values.boolean(expected, False) is expected


@pytest.mark.parametrize("raw", [0, -1, 3600, math.nan, True, "5", None])
def test_seconds_refuses_anything_outside_zero_to_an_hour(raw: object) -> None:
    with pytest.raises(ValueError, match="expected a number of seconds"):
        values.seconds(raw, False)


def test_seconds_parses_environment_text_and_keeps_typed_numbers() -> None:
    assert values.seconds("2.5", True) == 2.5
    assert values.seconds(10, False) == 10.0
    with pytest.raises(ValueError, match="number of seconds"):
        values.seconds("soon", True)


def test_strings_split_on_commas_from_the_environment_only() -> None:
    assert values.strings(" a , ,b ", True) == ("a", "b")
    assert values.strings("a,b", False) == ("a,b",)
    assert values.strings([" x ", "", "y"], False) == ("x", "y")
    assert values.optional_strings("", True) == ()
    with pytest.raises(ValueError, match="list of strings"):
        values.strings([1], False)


def test_integrity_is_a_switch_or_a_list_of_distributions() -> None:
    assert values.integrity("true", True) is True
    assert values.integrity("celery,kombu", True) == ("celery", "kombu")
    assert values.integrity([], False) is False
    assert values.integrity(["kombu"], False) == ("kombu",)


def test_modules_and_callables_are_checked_for_shape() -> None:
    assert values.modules("app.main,worker", True) == ("app.main", "worker")
    assert values.callables(["app.health:ping"], False) == ("app.health:ping",)
    with pytest.raises(ValueError, match="'app-main' is not a module name"):
        values.modules("app-main", True)
    for bad in ("app.health", "app:", ":ping", "a b:c"):
        with pytest.raises(ValueError, match=r"is not 'package\.module:function'"):
            values.callables(bad, True)


def test_mode_and_internal_policy_accept_their_words_in_any_case() -> None:
    assert [values.mode(m.upper(), True) for m in values.MODES] == list(values.MODES)
    assert values.internal_policy("Not_Ready", False) == "not-ready"
    with pytest.raises(ValueError, match="expected one of report, warn, enforce"):
        values.mode("strict", False)
    with pytest.raises(ValueError, match="expected one of ready, not-ready"):
        values.internal_policy(1, False)


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("ftp://key@host/1", "the scheme is not http or https"),
        ("https://key@/1", "no valid host"),
        ("https://key@host:99999/1", "no valid host"),
        ("https://host/1", "no public key"),
        ("https://key@host/project", "no numeric project id"),
        ("https://key@[::1/1", "expected https://"),
    ],
)
def test_a_bad_dsn_is_named_without_repeating_it(raw: str, problem: str) -> None:
    with pytest.raises(ValueError, match="not a Sentry DSN") as caught:
        values.dsn(raw, True)
    assert problem in str(caught.value)
    assert "key@" not in str(caught.value)


def test_a_good_dsn_and_empty_text() -> None:
    assert (
        values.dsn(" https://abc@o1.ingest.sentry.io/42 ", True)
        == "https://abc@o1.ingest.sentry.io/42"
    )
    assert values.dsn("", True) is None
    assert values.text("  ", False) is None
    with pytest.raises(ValueError, match="expected a string"):
        values.text(3, False)


def test_health_paths_from_environment_text_and_from_a_table() -> None:
    assert values.health_paths("ready=/-/ready, live=", True) == (
        ("ready", "/-/ready"),
        ("live", None),
    )
    assert values.health_paths({"health": "/h", "live": False}, False) == (
        ("health", "/h"),
        ("live", None),
    )
    with pytest.raises(ValueError, match="is not kind=/path"):
        values.health_paths("ready", True)
    with pytest.raises(ValueError, match="unknown endpoint 'metrics'"):
        values.health_paths({"metrics": "/m"}, False)
    with pytest.raises(ValueError, match="must start with '/'"):
        values.health_paths({"ready": "ready"}, False)
    with pytest.raises(ValueError, match="expected a table"):
        values.health_paths("ready=/r", False)
