"""Unit tests of bootguard.errors.

bootguard's exceptions: one line each, catchable as ours and as the builtin they mean.
"""

from __future__ import annotations

import pytest

from bootguard.errors import (
    BootFailed,
    BootguardError,
    ConfigError,
    DiffError,
    EnvironmentError_,
    ManifestError,
    first_line,
)
from tests.unit.conftest import finding, report_of


def test_manifest_error_keeps_the_reason_line_of_a_multi_line_message() -> None:
    err = ManifestError("a\nb.txt", "Expected end\n    foo bar\n        ^")
    assert str(err) == "a\\nb.txt: Expected end"


def test_a_manifest_error_names_the_file_line_and_key_on_one_line() -> None:
    err = ManifestError("uv.lock", "bad version", line=3, key="package.version")
    assert str(err) == "uv.lock:3: key 'package.version': bad version"
    assert (err.path, err.line, err.key) == ("uv.lock", 3, "package.version")
    assert str(ManifestError("a\nb.txt", "x")) == "a\\nb.txt: x"


def test_packagings_extra_lines_are_dropped() -> None:
    message = "Expected end or semicolon\n    foo ==> 1\n        ^"
    assert ManifestError("r.txt", message).message == "Expected end or semicolon"
    assert first_line("\n\n  reason  \ncaret") == "  reason"
    assert first_line("") == ""


@pytest.mark.parametrize(
    ("error", "builtin"),
    [
        (ManifestError("p", "m"), ValueError),
        (ConfigError("c"), ValueError),
        (DiffError("d"), ValueError),
        (EnvironmentError_("e"), OSError),
    ],
)
def test_each_error_is_ours_and_the_builtin_it_means(
    error: BootguardError, builtin: type[Exception]
) -> None:
    assert isinstance(error, BootguardError) and isinstance(error, builtin)


def test_boot_failed_carries_the_report_and_names_only_its_failures() -> None:
    report = report_of(
        finding(), finding("taskq"), finding("ok", status="pass"), finding("w", status="warn")
    )
    err = BootFailed(report)
    assert err.report is report
    assert str(err) == "bootguard: environment check failed (msgbus:version, taskq:version)"
