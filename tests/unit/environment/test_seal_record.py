"""The build-time seal record: found by name, trusted only while everything it names holds.

Records are written with :func:`format_record` at the :func:`record_path` of a real manifest
in ``tmp_path``, over a real site-packages directory; anything that differs, or a record
file that is not one, finds no record (and never blocks).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pytest

from bootguard.environment._scan import MetadataDir, interpreter_key, metadata_dirs
from bootguard.environment.seal_record import (
    MAGIC,
    RECORD_MAX_BYTES,
    Record,
    content_digest,
    environment_state,
    extra_pyprojects,
    file_state,
    find_record,
    format_record,
    options_text,
    record_path,
    record_tools,
    seal_directory,
    stale_records,
)
from tests.unit.conftest import Site

REQS = "msgbus==4.1.0\ntaskq==5.0.0\n"
OPTIONS = options_text(strict=False, ignore=(), extras=(), groups=None, allow_empty=False)
MANIFEST_LINES = ["requirements 0123abcd 2"]
FIELDS = {"distributions": "2", "tools": "pip", "findings": "[]", "notes": '["a note"]'}

T = TypeVar("T")


@dataclass
class Sealed:
    """A record written for ``manifest`` checked with OPTIONS over ``site``, under ``prefix``."""

    site: Site
    manifest: Path
    prefix: str
    path: Path

    def dirs(self) -> list[MetadataDir]:
        return metadata_dirs([str(self.site.path)])

    def find(self, options: str = OPTIONS, interpreter: str | None = None) -> Record | None:
        return find_record(
            [self.manifest], options, self.dirs(), interpreter or interpreter_key(), self.prefix
        )


def _keyed(manifest: Path) -> list[tuple[str, str]]:
    return [(os.path.abspath(manifest), content_digest(manifest.read_bytes()))]


def _write_record(
    site: Site, manifest: Path, prefix: str, inputs: dict[str, str] | None = None
) -> Path:
    dirs = metadata_dirs([str(site.path)])
    data = format_record(
        environment_state(dirs, interpreter_key()), inputs or {}, MANIFEST_LINES, FIELDS
    )
    path = Path(record_path(_keyed(manifest), OPTIONS, prefix))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


@pytest.fixture
def sealed(site: Site, tmp_path: Path) -> Sealed:
    site.install("msgbus", "4.1.0")
    site.install("taskq", "5.0.0", requires=["msgbus>=4"])
    manifest = tmp_path / "app" / "requirements.txt"
    manifest.parent.mkdir()
    manifest.write_text(REQS)
    prefix = str(tmp_path / "prefix")
    return Sealed(site, manifest, prefix, _write_record(site, manifest, prefix))


def _within(seconds: float, call: Callable[[], T]) -> T:
    """``call()``'s result, failing the test (not hanging it) if it takes longer."""
    results: list[T] = []
    worker = threading.Thread(target=lambda: results.append(call()), daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), f"blocked for more than {seconds}s"
    return results[0]


def test_a_formatted_record_is_found_with_its_fields_and_manifest_lines(sealed: Sealed) -> None:
    found = sealed.find()
    assert found is not None
    assert found.fields == FIELDS and found.manifests == MANIFEST_LINES
    data = sealed.path.read_bytes()
    assert data.startswith(MAGIC) and data.endswith(b"\n")
    with_contents = find_record(
        [sealed.manifest],
        OPTIONS,
        sealed.dirs(),
        interpreter_key(),
        sealed.prefix,
        contents=[REQS.encode()],
    )
    assert with_contents is not None and with_contents.fields == FIELDS


def test_a_value_that_spans_lines_cannot_be_recorded() -> None:
    for fields, manifests in (({"notes": "a\nb"}, []), ({}, ["requirements x\r1"])):
        with pytest.raises(ValueError, match="spans lines"):
            format_record("e", {}, manifests, fields)
    with pytest.raises(ValueError, match="spans lines"):
        format_record("e", {"/a\nb": "-"}, [], {})


def test_changed_manifest_contents_find_no_record(sealed: Sealed) -> None:
    sealed.manifest.write_text(REQS + "# reviewed\n")
    assert sealed.find() is None
    assert (
        find_record(
            [sealed.manifest],
            OPTIONS,
            sealed.dirs(),
            interpreter_key(),
            sealed.prefix,
            contents=[REQS.encode() + b"\n"],
        )
        is None
    )


def test_an_unreadable_manifest_finds_no_record(sealed: Sealed) -> None:
    sealed.manifest.unlink()
    assert sealed.find() is None


@pytest.mark.parametrize(
    "options",
    [
        {"strict": True},
        {"ignore": ("msgbus",)},
        {"extras": ("speedups",)},
        {"groups": ()},
        {"groups": ("dev",)},
        {"allow_empty": True},
    ],
)
def test_other_options_find_no_record(sealed: Sealed, options: dict[str, object]) -> None:
    base: dict[str, object] = {
        "strict": False,
        "ignore": (),
        "extras": (),
        "groups": None,
        "allow_empty": False,
    }
    other = options_text(**{**base, **options})  # type: ignore[arg-type]
    assert other != OPTIONS
    assert sealed.find(options=other) is None


def test_options_text_ignores_order_case_and_duplicates() -> None:
    one = options_text(True, ["Foo_Bar", "zope.interface"], ["b", "a"], ["g2", "g1"], False)
    two = options_text(True, ["zope-interface", "foo-bar", "FOO.bar"], ["a", "b", "a"], ["g1", "g2"], False)  # fmt: skip
    assert one == two
    assert options_text(False, (), (), None, False) != options_text(False, (), (), (), False)


@pytest.mark.parametrize("change", ["install", "remove", "upgrade", "record-rewritten"])
def test_a_changed_environment_finds_no_record(sealed: Sealed, change: str) -> None:
    assert sealed.find() is not None
    meta = sealed.site.path / "msgbus-4.1.0.dist-info"
    if change == "install":
        sealed.site.install("fastjson", "2.1")
    elif change == "remove":
        (meta / "RECORD").unlink()
        for item in meta.iterdir():
            item.unlink()
        meta.rmdir()
    elif change == "upgrade":  # the same name listed, another version
        meta.rename(sealed.site.path / "msgbus-4.2.0.dist-info")
    else:  # reinstalled in place: same names, RECORD rewritten (stat witness)
        record = meta / "RECORD"
        stat = record.stat()
        os.utime(record, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))
    assert sealed.find() is None


def test_another_interpreter_finds_no_record(sealed: Sealed) -> None:
    other = interpreter_key().replace("python=", "python=9.")
    assert other != interpreter_key()
    assert sealed.find(interpreter=other) is None


def test_an_input_file_that_changed_or_appeared_finds_no_record(sealed: Sealed) -> None:
    include = sealed.manifest.parent / "base.txt"
    include.write_text("msgbus==4.1.0\n")
    beside = sealed.manifest.parent / "pyproject.toml"  # looked for, absent
    inputs = {str(include): file_state(str(include)), str(beside): file_state(str(beside))}
    assert inputs[str(beside)] == "-" and inputs[str(include)] != "-"
    _write_record(sealed.site, sealed.manifest, sealed.prefix, inputs)
    assert sealed.find() is not None
    beside.write_text("[project]\nname = 'app'\n")
    assert sealed.find() is None
    beside.unlink()
    assert sealed.find() is not None
    include.write_text("msgbus==4.2.0\n")
    assert sealed.find() is None


def _corrupt(path: Path, kind: str) -> None:
    original = path.read_bytes()
    path.unlink()
    if kind == "garbage":
        path.write_bytes(b"\x00\xff" * 1000)
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "no-magic":
        path.write_bytes(original[len(MAGIC) :])
    elif kind == "other-magic":
        path.write_bytes(original.replace(b"record 1\n", b"record 2\n", 1))
    elif kind == "truncated-magic":
        path.write_bytes(original[: len(MAGIC) - 3])
    elif kind == "truncated-environment":
        path.write_bytes(original[: len(MAGIC) + len("environment ") + 10])
    elif kind == "undecodable-environment":
        path.write_bytes(original.replace(b"environment ", b"environment \xff", 1))
    elif kind == "huge":  # the real record, then grown past the cap
        path.write_bytes(original)
        with path.open("r+b") as handle:
            handle.truncate(RECORD_MAX_BYTES + 1)
    elif kind == "directory":
        path.mkdir()
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "dangling-symlink":
        path.symlink_to(path.with_name("nowhere.seal"))
    else:
        raise AssertionError(kind)


@pytest.mark.parametrize(
    "kind",
    [
        "garbage",
        "empty",
        "no-magic",
        "other-magic",
        "truncated-magic",
        "truncated-environment",
        "undecodable-environment",
        "huge",
        "directory",
        "fifo",
        "dangling-symlink",
    ],
)
def test_a_record_that_is_not_one_is_no_record_and_never_blocks(sealed: Sealed, kind: str) -> None:
    _corrupt(sealed.path, kind)
    assert _within(5.0, sealed.find) is None


def test_no_record_at_all_is_no_record(site: Site, tmp_path: Path) -> None:
    manifest = tmp_path / "requirements.txt"
    manifest.write_text(REQS)
    dirs = metadata_dirs([str(site.path)])
    assert find_record([manifest], OPTIONS, dirs, interpreter_key(), str(tmp_path)) is None


@pytest.mark.parametrize("tools", [(), ("pip",), ("pip", "setuptools", "wheel")])
def test_record_tools_reads_back_the_tools_as_a_record_lists_them(
    tools: tuple[str, ...],
) -> None:
    assert record_tools(",".join(tools) or "-") == tools


def test_record_path_is_under_the_prefix_and_names_each_check(tmp_path: Path) -> None:
    prefix = str(tmp_path / "venv")
    manifests = [("/app/requirements.txt", content_digest(b"msgbus==4.1.0\n"))]
    path = record_path(manifests, OPTIONS, prefix)
    assert os.path.dirname(path) == seal_directory(prefix)
    assert seal_directory(prefix) == os.path.join(prefix, "share", "bootguard", "seals")
    assert path.endswith(".seal") and path == record_path(list(manifests), OPTIONS, prefix)
    strict = options_text(True, (), (), None, False)
    others = {
        "options": record_path(manifests, strict, prefix),
        "path": record_path([("/srv/requirements.txt", manifests[0][1])], OPTIONS, prefix),
        "contents": record_path(
            [("/app/requirements.txt", content_digest(b"msgbus==4.2.0\n"))], OPTIONS, prefix
        ),
        "two manifests": record_path([*manifests, ("/app/dev.txt", "ab")], OPTIONS, prefix),
        "prefix": record_path(manifests, OPTIONS, str(tmp_path / "other")),
    }
    assert len({path, *others.values()}) == 1 + len(others)

    def slot(p: str) -> str:
        return os.path.basename(p).partition("-")[0]

    assert slot(others["contents"]) == slot(path)  # the same check: its record is replaced
    assert slot(others["options"]) != slot(path) and slot(others["path"]) != slot(path)


def test_stale_records_are_the_same_checks_other_records(tmp_path: Path) -> None:
    prefix = str(tmp_path)
    manifests = [("/app/requirements.txt", content_digest(b"old"))]
    old = record_path(manifests, OPTIONS, prefix)
    new = record_path([("/app/requirements.txt", content_digest(b"new"))], OPTIONS, prefix)
    other = record_path(manifests, options_text(True, (), (), None, False), prefix)
    assert stale_records(new) == []  # no directory yet
    os.makedirs(seal_directory(prefix))
    for path in (old, new, other):
        Path(path).write_bytes(b"")
    assert stale_records(new) == [old]
    assert stale_records(old) == [new]
    assert stale_records(other) == []


def test_the_default_seal_directory_is_this_interpreters_prefix(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import sys

    monkeypatch.setattr(sys, "prefix", str(tmp_path))
    assert seal_directory() == str(tmp_path / "share" / "bootguard" / "seals")
    assert record_path([], OPTIONS).startswith(seal_directory() + os.sep)


def test_file_state_is_the_content_digest_or_absent(tmp_path: Path) -> None:
    path = tmp_path / "base.txt"
    assert file_state(str(path)) == "-"
    path.write_bytes(b"msgbus==4.1.0\n")
    assert file_state(str(path)) == content_digest(b"msgbus==4.1.0\n")
    assert content_digest(b"msgbus==4.1.0\n") != content_digest(b"msgbus==4.2.0\n")
    os.mkfifo(tmp_path / "fifo")
    assert _within(5.0, lambda: file_state(str(tmp_path / "fifo"))) == "-"


def test_extra_pyprojects_are_the_existing_ones_not_beside_a_manifest(tmp_path: Path) -> None:
    app, root = tmp_path / "app", tmp_path / "root"
    app.mkdir()
    root.mkdir()
    (app / "pyproject.toml").write_text("")
    (root / "pyproject.toml").write_text("")
    manifest = app / "requirements.txt"
    assert extra_pyprojects([app / "pyproject.toml"], [manifest]) == ""
    assert extra_pyprojects([tmp_path / "absent.toml"], [manifest]) == ""
    assert extra_pyprojects([root / "pyproject.toml", app / "pyproject.toml"], [manifest]) == str(
        root / "pyproject.toml"
    )
