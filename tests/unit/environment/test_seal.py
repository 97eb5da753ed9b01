"""The snapshot seal: it matches exactly the environment and the bytes it was made for."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bootguard.environment._scan import interpreter_key, listing_key, metadata_dirs
from bootguard.environment.seal import (
    SEAL_PREFIX,
    add_seal,
    environment_key,
    seal_digest,
    split_seal,
    verify_seal,
)
from tests.unit.conftest import Site

BODY = b"# bootguard snapshot\nmsgbus==4.1.0\ntaskq==5.0.0\n"

#: Lines of a manifest body: anything but the seal prefix itself and line ends.
_lines = st.lists(
    st.binary(max_size=30).filter(lambda b: b"\n" not in b and b"\r" not in b and b"#" not in b),
    min_size=1,
    max_size=8,
)


def _sealed_site(site: Site) -> tuple[bytes, list[str]]:
    site.install("msgbus", "4.1.0")
    site.install("taskq", "5.0.0")
    paths = [str(site.path)]
    return add_seal(BODY, environment_key(paths), after_line=1), paths


def test_a_fresh_seal_verifies_in_the_environment_it_was_made_for(site: Site) -> None:
    sealed, paths = _sealed_site(site)
    assert sealed.splitlines()[1].startswith(SEAL_PREFIX)
    assert verify_seal(sealed, paths)
    assert verify_seal(sealed, paths, dirs=metadata_dirs(paths))


def test_another_version_or_one_more_distribution_breaks_the_seal(site: Site) -> None:
    sealed, paths = _sealed_site(site)
    site.install("extra-dist", "1.0")
    assert not verify_seal(sealed, paths)


def test_a_changed_version_breaks_the_seal(site: Site) -> None:
    sealed, paths = _sealed_site(site)
    (site.path / "msgbus-4.1.0.dist-info").rename(site.path / "msgbus-4.2.0.dist-info")
    assert not verify_seal(sealed, paths)


def test_another_interpreter_breaks_the_seal(site: Site) -> None:
    sealed, paths = _sealed_site(site)
    other = interpreter_key().replace("python=", "python=0.")
    assert verify_seal(sealed, paths, interpreter_key())
    assert not verify_seal(sealed, paths, other)


def test_the_seal_does_not_depend_on_where_the_environment_lives(tmp_path: Path) -> None:
    first, second = Site(tmp_path / "a", tmp_path / "w"), Site(tmp_path / "b", tmp_path / "w")
    for place in (first, second):
        place.install("msgbus", "4.1.0")
    sealed = add_seal(BODY, environment_key([str(first.path)]), after_line=1)
    assert verify_seal(sealed, [str(second.path)])


@pytest.mark.parametrize(
    "data",
    [
        BODY,  # no seal at all
        BODY + SEAL_PREFIX + b"\n",  # an empty seal
        BODY + SEAL_PREFIX + b"0" * 64 + b"\n",  # a wrong one
        b"x " + SEAL_PREFIX + b"0" * 64 + b"\n",  # not at the start of a line: not a seal
    ],
)
def test_no_seal_or_a_wrong_one_never_verifies(data: bytes, site: Site) -> None:
    assert not verify_seal(data, [str(site.path)])


def test_split_seal_of_unsealed_data_returns_it_unchanged() -> None:
    assert split_seal(BODY) == (BODY, None)
    inline = b"a # bootguard-seal: sha256=ab\n"
    assert split_seal(inline) == (inline, None)


@given(lines=_lines, where=st.integers(min_value=0, max_value=8), key=st.text(max_size=40))
def test_add_then_split_gives_back_the_body_and_its_digest(
    lines: list[bytes], where: int, key: str
) -> None:
    body = b"".join(line + b"\n" for line in lines)
    after = min(where, len(lines))
    sealed = add_seal(body, key, after_line=after)
    assert split_seal(sealed) == (body, seal_digest(body, key))
    assert sealed.splitlines()[after].startswith(SEAL_PREFIX)


@given(lines=_lines, flip=st.integers(min_value=0))
def test_any_edit_of_the_body_breaks_the_seal(lines: list[bytes], flip: int) -> None:
    body = b"".join(line + b"\n" for line in lines)
    key = listing_key([]) + "\n" + interpreter_key()
    sealed = add_seal(body, key, after_line=0)
    _, seal = split_seal(sealed)
    position = flip % len(body)
    edited = body[:position] + bytes([body[position] ^ 1]) + body[position + 1 :]
    assert seal_digest(edited, key) != seal


def test_a_seal_added_after_an_unterminated_last_line_still_splits() -> None:
    body = b"msgbus==4.1.0"
    written = body + b"\n"  # the last line is terminated, then sealed
    assert split_seal(add_seal(body, "key", after_line=1)) == (written, seal_digest(written, "key"))
