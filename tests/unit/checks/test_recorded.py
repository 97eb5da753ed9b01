"""The recorded route: a verdict sealed by ``check --seal`` answers a later check of the same
manifests with the same options, exactly as the full check did; anything else, None.

Records are written by the real :func:`~bootguard.sealing.seal_check` over real site-packages
directories in ``tmp_path``; ``sys.prefix`` points into ``tmp_path`` so that the record lands
where :func:`recorded_report` looks (this interpreter's prefix) without touching the venv.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from bootguard.api import check_with
from bootguard.checks.recorded import (
    RECORDED_NOTE,
    decode_findings,
    encode_findings,
    options_key,
    recorded_report,
)
from bootguard.environment._scan import interpreter_key
from bootguard.options import CheckOptions
from bootguard.report import Report
from bootguard.sealing import seal_check
from tests.unit.conftest import Site, finding

REQS = "taskq==5.0.0\nmsgbus==4.1.0\n"


@dataclass
class Sealed:
    """A check sealed over two path entries: its options, full report and record."""

    options: CheckOptions
    report: Report
    record: Path
    shadow: Site

    @property
    def manifest(self) -> Path:
        assert self.options.manifests is not None
        return Path(self.options.manifests[0])

    def recorded(self, options: CheckOptions | None = None, ikey: str = "") -> Report | None:
        options = options or self.options
        assert options.manifests is not None and options.paths is not None
        return recorded_report(
            [Path(m) for m in options.manifests],
            options,
            tuple(options.paths),
            ikey or interpreter_key(),
            time.perf_counter(),
        )


@pytest.fixture
def sealed(site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Sealed:
    """Warnings, notes, tools and origins all recorded: fastjson is extraneous, pip is a tool,
    msgbus 4.1.0 is shadowed by the same version (a note)."""
    monkeypatch.setattr(sys, "prefix", str(tmp_path / "prefix"))
    site.install("taskq", "5.0.0", requires=["msgbus>=4"])
    site.install("msgbus", "4.1.0")
    site.install("fastjson", "2.1")
    site.install("pip", "24.0")
    shadow = Site(tmp_path / "shadow", tmp_path / "wheels")
    shadow.install("msgbus", "4.1.0")
    app = tmp_path / "app"
    app.mkdir()
    manifest = app / "requirements.txt"
    manifest.write_text(REQS)
    options = CheckOptions(manifests=[manifest], paths=[str(site.path), str(shadow.path)])
    outcome = seal_check(options)
    assert outcome.path is not None, outcome.reason
    return Sealed(options, outcome.report, Path(outcome.path), shadow)


def _rewrite(path: Path, key: str, value: str | None) -> None:
    """Replace the value of the record line ``key`` (``None``: drop the line)."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [
        line if not line.startswith(key + " ") else ("" if value is None else f"{key} {value}\n")
        for line in lines
    ]
    assert kept != lines, f"no {key} line"
    path.write_text("".join(kept), encoding="utf-8")


FINDINGS = (
    finding(),
    finding(
        "msgbus",
        "version",
        "fail",
        "msgbus 4.2.0 installed, manifest pins 4.1.0",
        expected="4.1.0",
        observed="4.2.0",
        details=("taskq 5.0.0 requires msgbus>=4: accepts 4.2.0", 'quoted "détail" \\ ok'),
    ),
    finding("fastjson", "extraneous", "warn", "fastjson 2.1 is installed", expected="absent"),
    finding("bootguard", "internal", "fail", "internal error: ünïcode\tand tab"),
    finding("environment", "files", "pass", "fine", observed=""),
)


def test_findings_round_trip_through_one_ascii_line() -> None:
    text = encode_findings(FINDINGS)
    assert "\n" not in text and "\r" not in text and text.isascii()
    assert decode_findings(text) == FINDINGS
    assert decode_findings(encode_findings(())) == ()


def test_timing_and_cause_are_not_recorded() -> None:
    timed = replace(FINDINGS[1], time_ms=12.5, cause=RuntimeError("bug"))
    (back,) = decode_findings(encode_findings([timed]))
    assert back.time_ms is None and back.cause is None
    assert back == replace(timed, time_ms=None)


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        "[",
        '[["msgbus", "nonesuch", "fail", "m", null, null, []]]',
        '[["msgbus", "version", "fatal", "m", null, null, []]]',
        '[["msgbus", "version", "fail"]]',
        '[["msgbus", "version", "fail", "m", null, null, [], "extra"]]',
        '"msgbus"',
    ],
)
def test_malformed_findings_raise_value_error(text: str) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - any ValueError: the caller only catches it
        decode_findings(text)


@pytest.mark.parametrize(
    "text",
    [
        "null",
        "[1]",
        '[["msgbus", "version", "fail", "m", null, null, 5]]',
        '[["msgbus", "version", "fail", 5, null, null, []]]',
    ],
)
def test_findings_of_the_wrong_shape_raise_value_error(text: str) -> None:
    """The docstring promises ``ValueError`` for anything malformed (recorded_report happens
    to catch TypeError too, so a check still falls back to the full route)."""
    with pytest.raises(ValueError):  # noqa: PT011
        decode_findings(text)


@pytest.mark.parametrize(
    "change",
    [
        {"strict": True},
        {"ignore": ["msgbus"]},
        {"extras": ["speedups"]},
        {"groups": []},
        {"groups": ["dev"]},
        {"allow_empty": True},
    ],
)
def test_options_key_changes_with_each_option_that_changes_a_verdict(
    change: dict[str, object],
) -> None:
    base = CheckOptions(manifests=["requirements.txt"])
    assert options_key(replace(base, **change)) != options_key(base)  # type: ignore[arg-type]


def test_options_key_is_the_same_for_options_that_do_not_change_a_verdict() -> None:
    base = CheckOptions(manifests=["requirements.txt"], ignore=["Foo_Bar", "x"], extras=["b", "a"])
    for same in (
        replace(base, ignore=["x", "foo-bar"], extras=["a", "b"]),
        replace(base, use_seal=False),
        replace(base, paths=["/elsewhere"]),
        replace(base, pyprojects=["/app/pyproject.toml"]),
        replace(base, manifests=["other.txt"]),  # the manifests name the record, not this key
    ):
        assert options_key(same) == options_key(base)


def test_a_matching_record_replays_what_the_sealed_check_reported(sealed: Sealed) -> None:
    full = sealed.report
    assert [f.key for f in full.findings] == ["fastjson:extraneous"]
    assert full.notes and full.tools == ("pip",) and full.origins  # the fixture's premise
    replayed = sealed.recorded()
    assert replayed is not None
    assert replayed.verified_by == "seal"
    assert replayed.findings == full.findings
    assert replayed.notes == (RECORDED_NOTE, *full.notes)
    assert replayed.tools == full.tools
    assert replayed.origins == full.origins
    assert replayed.manifests == full.manifests
    assert (replayed.distributions, replayed.fingerprint) == (full.distributions, full.fingerprint)
    assert replayed.installed == full.installed
    assert replayed.status == full.status == "warn"


def test_the_check_answers_from_the_record_until_the_seal_is_refused(sealed: Sealed) -> None:
    assert check_with(sealed.options).verified_by == "seal"
    assert check_with(replace(sealed.options, use_seal=False)).verified_by == "full"


def test_no_record_means_the_full_check(sealed: Sealed) -> None:
    sealed.record.unlink()
    assert sealed.recorded() is None


@pytest.mark.parametrize("change", ["manifest", "strict", "install", "remove", "interpreter"])
def test_a_record_that_no_longer_matches_gives_none(sealed: Sealed, change: str) -> None:
    options, ikey = sealed.options, ""
    if change == "manifest":
        sealed.manifest.write_text(REQS + "# reviewed\n")
    elif change == "strict":
        options = replace(options, strict=True)
    elif change == "install":
        sealed.shadow.install("stray", "1.0")
    elif change == "remove":
        meta = sealed.shadow.path / "msgbus-4.1.0.dist-info"
        for item in meta.iterdir():
            item.unlink()
        meta.rmdir()
    else:
        ikey = interpreter_key().replace("python=", "python=9.")
    assert sealed.recorded(options, ikey) is None
    if not ikey:  # check_with always uses this interpreter's key
        assert check_with(options).verified_by == "full"


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("distributions", "many"),
        ("distributions", None),
        ("tools", None),
        ("origins", "not json"),
        ("origins", '[["fastjson"]]'),
        ("origins", None),
        ("notes", '[1, "two"]'),
        ("notes", "{"),
        ("findings", '[["fastjson", "extraneous", "bad", "m", null, null, []]]'),
        ("findings", "[1]"),
        ("manifest", "requirements 0123"),
        ("manifest", "requirements 0123 two"),
    ],
)
def test_a_matching_record_that_does_not_decode_gives_none(
    sealed: Sealed, key: str, value: str | None
) -> None:
    assert sealed.recorded() is not None
    _rewrite(sealed.record, key, value)
    assert sealed.recorded() is None


def test_every_truncation_of_a_record_gives_none_or_the_same_report(sealed: Sealed) -> None:
    whole = sealed.record.read_bytes()
    full = sealed.recorded()
    assert full is not None
    answers = set()
    for size in range(len(whole)):
        sealed.record.write_bytes(whole[:size])
        replayed = sealed.recorded()
        if replayed is None:
            answers.add("none")
            continue
        assert (replayed.findings, replayed.notes, replayed.tools, replayed.origins) == (
            full.findings,
            full.notes,
            full.tools,
            full.origins,
        ), size
        answers.add("same")
    assert "none" in answers


def test_a_record_without_its_findings_line_gives_none(sealed: Sealed) -> None:
    _rewrite(sealed.record, "findings", None)
    assert sealed.recorded() is None


def test_another_project_file_refuses_a_record_that_found_something_extraneous(
    sealed: Sealed, tmp_path: Path
) -> None:
    """The gate's root ``pyproject.toml`` could name fastjson as the project deployed."""
    root = tmp_path / "root"
    root.mkdir()
    (root / "pyproject.toml").write_text('[project]\nname = "fastjson"\nversion = "2.1"\n')
    with_project = replace(sealed.options, pyprojects=[root / "pyproject.toml"])
    assert options_key(with_project) == options_key(sealed.options)
    assert sealed.recorded(with_project) is None
    absent = replace(sealed.options, pyprojects=[tmp_path / "absent" / "pyproject.toml"])
    assert sealed.recorded(absent) is not None  # a file that does not exist changes nothing


def test_another_project_file_keeps_a_record_that_found_nothing_extraneous(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "prefix", str(tmp_path / "prefix"))
    site.install("taskq", "5.0.0", requires=["msgbus>=4"])
    site.install("msgbus", "4.1.0")
    manifest = tmp_path / "requirements.txt"
    manifest.write_text(REQS)
    options = CheckOptions(manifests=[manifest], paths=[str(site.path)])
    assert seal_check(options).path is not None
    root = tmp_path / "root"
    root.mkdir()
    (root / "pyproject.toml").write_text('[project]\nname = "app"\n')
    with_project = replace(options, pyprojects=[root / "pyproject.toml"])
    replayed = recorded_report(
        [manifest], with_project, (str(site.path),), interpreter_key(), time.perf_counter()
    )
    assert replayed is not None and replayed.findings == ()
