"""The requirements and pylock readers: what they accept, and how they refuse bad input.

Bad input must give one clear message naming the file, the line (or TOML key) and what is
wrong; the property tests feed random and mutated manifests to every reader and check that
only ``ManifestError`` ever escapes.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from packaging.markers import default_environment

from bootguard.errors import ManifestError
from bootguard.manifest import Selection, detect_format, discover, read_manifest
from tests.support.fuzz import fuzz_settings, mutated_or_random

LINUX = Selection(marker_env={k: str(v) for k, v in default_environment().items()})


def _read(path: Path) -> dict[str, tuple[str, ...]]:
    manifest = read_manifest(path, LINUX)
    return {e.name: (e.specifier, e.origin, *sorted(e.extras), *e.hashes) for e in manifest.entries}


def test_requirements_features(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "inner.txt").write_text("-r ../cycle.txt\ninner-dep==2.0  # comment\n")
    (tmp_path / "cycle.txt").write_text("-r sub/inner.txt\n")
    manifest = tmp_path / "requirements.txt"
    manifest.write_text(
        "# a comment line\n"
        "--index-url https://example.invalid/simple\n"
        "--trusted-host example.invalid\n"
        "-rsub/inner.txt\n"
        "Django==4.2.0 \\\n"
        "    --hash=sha256:aa \\\n"
        "    --hash sha256:bb\n"
        "celery[redis,SQS]>=5.3,<6\n"
        'pywin32==306; sys_platform == "win32"\n'
        "legacy===1.0-custom\n"
        "pkg @ https://example.invalid/pkg-1.0.tar.gz#sha256=cc\n"
        "https://example.invalid/wheels/Other_Pkg-2.0-py3-none-any.whl\n"
    )
    entries = _read(manifest)
    assert entries["django"] == ("==4.2.0", f"{manifest}:5", "sha256:aa", "sha256:bb")
    assert entries["celery"][0] == "<6,>=5.3"
    assert entries["celery"][2:] == ("redis", "sqs")
    assert "pywin32" not in entries  # marker false on Linux
    assert entries["legacy"][0] == "===1.0-custom"
    assert entries["inner-dep"][1].endswith("inner.txt:2")
    assert entries["other-pkg"][0] == "==2.0"
    assert entries["pkg"][0] == ""
    assert read_manifest(manifest, LINUX).complete is False  # ranges: not a complete lock


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("ok==1.0\nthis is not a requirement\n", 2, "invalid requirement"),
        ("ok==1.0\n--frobnicate\n", 2, "unknown option '--frobnicate'"),
        ("ok==1.0 --hash=nocolon\n", 1, "malformed --hash"),
        ("a==1\n-r missing.txt\n", 2, "-r missing.txt: no such file"),
        ("ok==1.0 --bogus\n", 1, "unknown per-requirement option"),
    ],
)
def test_requirements_errors_name_file_and_line(
    tmp_path: Path, text: str, line: int | None, fragment: str
) -> None:
    manifest = tmp_path / "requirements.txt"
    manifest.write_text(text)
    with pytest.raises(ManifestError) as caught:
        read_manifest(manifest, LINUX)
    assert fragment in str(caught.value)
    assert caught.value.line == line
    assert str(caught.value).startswith(str(manifest))


def test_pylock_errors_name_key_or_line(tmp_path: Path) -> None:
    broken = tmp_path / "pylock.toml"
    broken.write_text('lock-version = "1.0"\ncreated-by = \n')
    with pytest.raises(ManifestError) as caught:
        read_manifest(broken, LINUX)
    assert caught.value.line == 2 and "invalid TOML" in str(caught.value)

    broken.write_text('lock-version = "1.0"\n[[packages]]\nname = "x"\nversion = "1"\n')
    with pytest.raises(ManifestError) as caught:
        read_manifest(broken, LINUX)
    assert "created-by" in str(caught.value)

    broken.write_text('lock-version = "9.0"\ncreated-by = "x"\npackages = []\n')
    with pytest.raises(ManifestError, match="not supported"):
        read_manifest(broken, LINUX)

    broken.write_text(
        'lock-version = "1.0"\ncreated-by = "x"\n[[packages]]\nname = "x"\nversion = "1"\n'
        '[[packages.wheels]]\nname = "x-1-py3-none-any.whl"\nurl = "https://e.invalid/x"\n'
        "hashes = {}\n"
    )
    with pytest.raises(ManifestError) as caught:
        read_manifest(broken, LINUX)
    assert caught.value.key is not None and "packages" in caught.value.key


def test_detection_and_discovery(tmp_path: Path) -> None:
    assert discover(tmp_path) is None
    (tmp_path / "requirements.txt").write_text("a==1\n")
    assert discover(tmp_path) == tmp_path / "requirements.txt"
    (tmp_path / "pylock.toml").write_text('lock-version = "1.0"\ncreated-by = "x"\npackages = []\n')
    assert discover(tmp_path) == tmp_path / "pylock.toml"
    odd = tmp_path / "lockfile"
    odd.write_text('lock-version = "1.0"\ncreated-by = "x"\npackages = []\n')
    assert detect_format(odd) == "pylock"
    (tmp_path / "pylock.toml").unlink()
    (tmp_path / "pylock.a.toml").write_text("")
    (tmp_path / "pylock.b.toml").write_text("")
    with pytest.raises(ManifestError, match="several"):
        discover(tmp_path)


SEED_REQUIREMENTS = (
    "# seed\n-r other.txt\nDjango==4.2.0 --hash=sha256:aa\ncelery[redis]>=5,<6\n"
    'pywin32==306; sys_platform == "win32"\n-e ./proj#egg=proj\npkg @ https://e.invalid/p.whl\n'
)
SEED_PYLOCK = (
    'lock-version = "1.0"\ncreated-by = "x"\nrequires-python = ">=3.8"\n'
    '[[packages]]\nname = "a"\nversion = "1.0"\nmarker = "sys_platform == \'linux\'"\n'
    '[[packages.wheels]]\nname = "a-1.0-py3-none-any.whl"\nurl = "https://e.invalid/a"\n'
    'hashes = { sha256 = "00" }\n'
)


@fuzz_settings(150)
@given(data=st.data())
def test_only_manifest_errors_escape_the_readers(tmp_path: Path, data: st.DataObject) -> None:
    (tmp_path / "other.txt").write_text("x==1\n")
    for name, seed in (("requirements.txt", SEED_REQUIREMENTS), ("pylock.toml", SEED_PYLOCK)):
        path = tmp_path / name
        path.write_bytes(mutated_or_random(seed, data, max_size=200))
        try:
            read_manifest(path, LINUX)
        except ManifestError as err:
            assert err.path.endswith(name), err


def test_an_include_path_with_a_nul_byte_is_a_manifest_error(tmp_path: Path) -> None:
    """Found by the property test: pathlib raises ValueError, not OSError, for NUL bytes."""
    manifest = tmp_path / "requirements.txt"
    manifest.write_text("-r other\x00.txt\n-e ./pro\x00j\n")
    with pytest.raises(ManifestError, match="no such file"):
        read_manifest(manifest, LINUX)
    manifest.write_text("-e ./pro\x00j\n")
    assert read_manifest(manifest, LINUX).notes  # the unnamed editable is a note, not a crash
