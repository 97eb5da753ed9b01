"""Unit tests of bootguard.environment._scan: its built-in sha256.

The directory-name layer: what is installed, from names alone, and the listing key.
"""

from __future__ import annotations

import hashlib
import random
import sys
import zipfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bootguard.environment._scan import (
    DEFAULT_IGNORED,
    dir_identity,
    import_paths,
    interpreter_key,
    listing_key,
    metadata_dirs,
    sha256_hex,
    split_dir_name,
)
from tests.unit.conftest import Site


@given(st.binary(max_size=5000))
def test_builtin_sha256_equals_hashlib(data: bytes) -> None:
    import hashlib

    from bootguard.environment._scan import sha256_hex

    assert sha256_hex(data) == hashlib.sha256(data).hexdigest()


def test_metadata_dirs_lists_metadata_directories_sorted_per_path_entry(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    for directory, names in (
        (first, ["b-1.dist-info", "a-1.dist-info", "pkg"]),
        (second, ["c.egg-info"]),
    ):
        for name in names:
            (directory / name).mkdir(parents=True)
    (second / "notes.txt").write_text("not metadata")
    paths = [str(second), str(first), str(tmp_path / "missing")]
    assert metadata_dirs(paths) == [
        (str(second), "c.egg-info"),
        (str(first), "a-1.dist-info"),
        (str(first), "b-1.dist-info"),
    ]


def test_metadata_dirs_reads_a_zip_on_the_path_and_an_eggs_own_metadata(tmp_path: Path) -> None:
    bundle = tmp_path / "app.pyz"
    with zipfile.ZipFile(bundle, "w") as archive:
        archive.writestr("zdist-2.0.dist-info/METADATA", "Name: zdist\n")
        archive.writestr("zdist/__init__.py", "")
    egg = tmp_path / "old-1.0-py3.11.egg"
    (egg / "EGG-INFO").mkdir(parents=True)
    not_zip = tmp_path / "garbage.zip"
    not_zip.write_bytes(b"not a zip")
    found = metadata_dirs([str(bundle), str(egg), str(not_zip)])
    assert found == [(str(bundle), "zdist-2.0.dist-info"), (str(egg), "EGG-INFO")]
    assert dir_identity(str(egg), "EGG-INFO") == ("old", "1.0")


@pytest.mark.parametrize(
    ("dir_name", "expected"),
    [
        ("Name_x-1.0.dist-info", ("Name_x", "1.0")),
        ("zope.interface-6.0.post1.dist-info", ("zope.interface", "6.0.post1")),
        ("six-1.16.0-py3.11.egg-info", ("six", "1.16.0")),
        ("myapp.egg-info", ("myapp", "")),  # a develop install: no version in the name
    ],
)
def test_split_dir_name(dir_name: str, expected: tuple[str, str]) -> None:
    assert split_dir_name(dir_name) == expected


def test_listing_key_is_sorted_canonical_and_leaves_out_the_installers_tools(site: Site) -> None:
    for name, version in (("Task_Q", "5.0.0"), ("msgbus", "4.1.0"), ("pip", "24.0")):
        site.install(name, version)
    key = listing_key(metadata_dirs([str(site.path)]))
    assert key == "msgbus==4.1.0\ntask-q==5.0.0"
    assert "pip" in DEFAULT_IGNORED
    assert listing_key(metadata_dirs([str(site.path)]), frozenset()).startswith("msgbus")
    assert "pip==24.0" in listing_key(metadata_dirs([str(site.path)]), frozenset())


def test_listing_key_keeps_a_shadowed_copy_and_ignores_where_it_lives(tmp_path: Path) -> None:
    first, second = Site(tmp_path / "a", tmp_path / "w"), Site(tmp_path / "b", tmp_path / "w")
    first.install("msgbus", "4.1.0")
    second.install("msgbus", "4.1.0")
    one = listing_key(metadata_dirs([str(first.path)]))
    assert one == listing_key(metadata_dirs([str(second.path)]))
    both = listing_key(metadata_dirs([str(first.path), str(second.path)]))
    assert both == "msgbus==4.1.0\nmsgbus==4.1.0"


def test_listing_key_reads_the_version_of_a_develop_install_from_pkg_info(tmp_path: Path) -> None:
    egg_info = tmp_path / "myapp.egg-info"
    egg_info.mkdir()
    (egg_info / "PKG-INFO").write_text("Metadata-Version: 2.1\nName: myapp\nVersion: 0.3\n\nbody\n")
    bare = tmp_path / "broken.egg-info"
    bare.mkdir()
    assert listing_key(metadata_dirs([str(tmp_path)])) == "broken==?\nmyapp==0.3"


@given(
    st.lists(
        st.tuples(st.sampled_from(["a", "B_c", "d.e"]), st.sampled_from(["1", "2.0", "3rc1"])),
        max_size=6,
    ),
    st.randoms(),
)
def test_listing_key_does_not_depend_on_order(
    pairs: list[tuple[str, str]], shuffler: random.Random
) -> None:
    dirs = [("/site", f"{name}-{version}.dist-info") for name, version in pairs]
    shuffled = list(dirs)
    shuffler.shuffle(shuffled)
    assert listing_key(dirs) == listing_key(shuffled)
    assert len(listing_key(dirs).splitlines()) == len(dirs)


def test_interpreter_key_of_this_interpreter_equals_its_marker_environment() -> None:
    from packaging.markers import default_environment

    markers = {key: str(value) for key, value in default_environment().items()}
    assert interpreter_key(markers) == interpreter_key()
    other = dict(markers, python_full_version="3.0.0")
    assert interpreter_key(other) != interpreter_key()
    assert "kernel" not in interpreter_key().lower()


@given(st.binary(max_size=200))
def test_sha256_hex_is_hashlibs_sha256(data: bytes) -> None:
    assert sha256_hex(data) == hashlib.sha256(data).hexdigest()


def test_import_paths_is_sys_path_when_not_started_as_the_command() -> None:
    assert import_paths() == sys.path
