"""Every line kind pip accepts in a requirements file is read, and named as pip names it.

The oracle is pip itself: its own requirements-file parser (the code ``pip install -r``
runs) reads the same files, and for every line it accepts, bootguard must keep the line
(unless its marker is false here) under the same distribution name, or, where pip cannot
name it without building it (a bare VCS URL), keep it unnamed.  The fixtures in
``tests/data/pip_docs`` are pip's own documentation examples.

Requirements files: includes relative to the including file, constraints, the digest.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from packaging.markers import default_environment
from packaging.utils import canonicalize_name

from bootguard.errors import ManifestError
from bootguard.manifest import Manifest, Selection, read_manifest
from bootguard.manifest.requirements import MAX_INCLUDE_DEPTH, read_requirements
from tests.support.fuzz import fuzz_settings, mutated_or_random
from tests.unit.conftest import demo_lock, refusal, selection

PIP_DOCS = Path(__file__).resolve().parents[2] / "data" / "pip_docs"
HERE = Selection(marker_env={k: str(v) for k, v in default_environment().items()})


def _read(path: Path) -> Manifest:
    return read_manifest(path, HERE, format="requirements")


def _ours(manifest: Manifest) -> dict[tuple[str, int], str]:
    """(file name, line) -> normalized name ("" when unnamed), for every entry read."""
    result = {}
    for entry in (*manifest.entries, *manifest.unnamed):
        where, _, line = entry.origin.rpartition(":")
        result[(Path(where).name, int(line))] = entry.name
    return result


def _pips(path: Path) -> dict[tuple[str, int], str] | None:
    """The same, from pip's own parser (markers evaluated by pip); None if pip rejects it."""
    from pip._internal.exceptions import PipError
    from pip._internal.network.session import PipSession
    from pip._internal.req.constructors import install_req_from_parsed_requirement
    from pip._internal.req.req_file import parse_requirements

    result = {}
    try:
        for parsed in parse_requirements(str(path), PipSession()):
            ireq = install_req_from_parsed_requirement(parsed)
            source, _, line = parsed.comes_from.rpartition(" (line ")
            if ireq.match_markers():
                key = (Path(source.split(" ", 1)[1]).name, int(line.rstrip(")")))
                result[key] = canonicalize_name(ireq.name) if ireq.name else ""
    except (PipError, ValueError):  # any refusal of pip's (InvalidEggFragment in pip 25+)
        return None
    return result


@pytest.mark.parametrize("name", ["requirements-file-format.txt", "vcs-support.txt"])
def test_pip_documentation_examples_are_read_as_pip_reads_them(name: str) -> None:
    manifest = _read(PIP_DOCS / name)
    ours = _ours(manifest)
    pips = _pips(PIP_DOCS / name)
    if pips is not None:
        assert _same_reading(ours, pips)
        return
    # pip rejects a line of this page in a file (``-e NAME @ URL`` unquoted splits at the
    # spaces): compare line by line where pip accepts the line, and read every line anyway
    for number, line in enumerate((PIP_DOCS / name).read_text().splitlines(), start=1):
        if not line or line.startswith("#"):
            continue
        single = PIP_DOCS.parent / "single.txt"
        try:
            single.write_text(line + "\n")
            alone = _pips(single)
            if alone is not None:
                assert list(alone) == [("single.txt", 1)], line
                assert _same_reading(
                    {(name, number): ours[(name, number)]},
                    {(name, number): alone[("single.txt", 1)]},
                ), line
        finally:
            single.unlink()
        assert (name, number) in ours, line


def test_the_documentation_lines_carry_their_sources() -> None:
    entries = _read(PIP_DOCS / "vcs-support.txt").entries
    by_line = {int(e.origin.rpartition(":")[2]): e for e in entries}
    pinned = by_line[11].source
    assert pinned is not None and pinned.commit == "da39a3ee5e6b4b0d3255bfef95601890afd80709"
    assert by_line[12].source is not None
    assert by_line[12].source.requested_revision == "refs/pull/123/head"
    svn = by_line[24]
    assert svn.editable and svn.source is not None and svn.source.requested_revision == "2019"
    assert {e.source.vcs for e in entries if e.source} == {"git", "hg", "svn", "bzr"}


def _compare_with_pip(tmp_path: Path, text: str | bytes) -> Manifest:
    path = tmp_path / "requirements.txt"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    manifest = _read(path)
    pips = _pips(path)
    assert pips is not None, "pip rejects this file"
    assert _same_reading(_ours(manifest), pips)
    return manifest


def _same_reading(ours: dict[tuple[str, int], str], pips: dict[tuple[str, int], str]) -> bool:
    """The same lines, named alike; bootguard may name what pip names only after a build.

    pip learns a local project's or an sdist's name by building it; bootguard reads it from
    the project's metadata or the file name, so where pip has no name yet, bootguard may.
    """
    assert ours.keys() == pips.keys()
    for key, name in pips.items():
        assert name in ("", ours[key]), (key, name, ours[key])
    return True


def test_environment_variables_are_expanded_as_pip_expands_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BG_HOST", "files.example")
    monkeypatch.setenv("BG_EMPTY", "")
    monkeypatch.setenv("bg_lower", "nope")
    manifest = _compare_with_pip(
        tmp_path,
        "a @ https://${BG_HOST}/a-1.0.tar.gz\n"
        "b @ https://${BG_UNSET_X}/b.zip\n"
        "c @ https://$BG_HOST/c.zip\n"
        "d @ https://${bg_lower}/d.zip\n"
        "e @ https://${BG_EMPTY}x/e.zip\n",
    )
    urls = {e.name: e.url for e in manifest.entries}
    assert urls == {
        "a": "https://files.example/a-1.0.tar.gz",
        "b": "https://${BG_UNSET_X}/b.zip",  # unset: left as written, as pip leaves it
        "c": "https://$BG_HOST/c.zip",  # only ${NAME} is expanded
        "d": "https://${bg_lower}/d.zip",  # only upper case, digits and _
        "e": "https://${BG_EMPTY}x/e.zip",  # empty: left as written
    }


def test_comments_and_continuations_join_as_pip_joins_them(tmp_path: Path) -> None:
    manifest = _compare_with_pip(
        tmp_path,
        "a==1 # a comment ending in a backslash continues \\\n"
        "swallowed==1\n"
        "b==1 \\\n"
        "# a comment line ends the continuation \\\n"
        "c==1\\\n"
        "  --hash=sha256:00\n"
        "d @ https://host.example/d.zip#egg=d\n",
    )
    assert sorted(e.name for e in manifest.entries) == ["a", "b", "c", "d"]
    assert manifest.entries[-1].url == "https://host.example/d.zip#egg=d"  # no space: no comment


def test_encodings_pip_reads(tmp_path: Path) -> None:
    bom = _compare_with_pip(tmp_path, b"\xef\xbb\xbfpkg==1.0\n")
    assert [e.name for e in bom.entries] == ["pkg"]
    latin = "# -*- coding: latin-1 -*-\nnaive @ https://host.example/na\u00efve.zip\n"
    manifest = _read_text(tmp_path, latin.encode("latin-1"))
    assert [e.url for e in manifest.entries] == ["https://host.example/na\u00efve.zip"]
    with pytest.raises(ManifestError, match="not UTF-8 text"):
        _read_text(tmp_path, "pkg==1.0\nna\u00efve==1\n".encode("latin-1"))


def _read_text(tmp_path: Path, data: bytes) -> Manifest:
    path = tmp_path / "encoded.txt"
    path.write_bytes(data)
    return _read(path)


def test_local_paths_archives_and_file_urls(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for directory, metadata in (
        ("libs/foo", ("pyproject.toml", '[project]\nname = "Foo_Lib"\n')),
        ("legacy", ("setup.cfg", "[metadata]\nname = legacy-proj\n")),
    ):
        (tmp_path / directory).mkdir(parents=True)
        (tmp_path / directory / metadata[0]).write_text(metadata[1])
        (tmp_path / directory / "setup.py").write_text("")  # pip wants one of its project files
    manifest = _compare_with_pip(
        tmp_path,
        "./libs/foo\n"
        "./legacy[extra]\n"
        "-e ./libs/foo\n"
        f"-e {(tmp_path / 'legacy').as_uri()}\n"
        f"{(tmp_path / 'libs' / 'foo').as_uri()}#egg=foo-lib\n"
        "../dist/wheel_pkg-1.0-py3-none-any.whl\n"
        "vendor/sdist_pkg-2.0.tar.gz\n"
        "http://host.example/pyRXP-1.16-daily-unix.tar.gz\n"
        "git+https://git.example.com/MyProject@v1#egg=my-project&subdirectory=sub\n"
        "git+https://git.example.com/Unnamed.git\n",
    )
    assert len(manifest.unnamed) == 2 and len(manifest.entries) == 8
    assert any("cannot tell which distribution" in note for note in manifest.notes)
    specifiers = {e.name: e.specifier for e in manifest.entries}
    assert specifiers["wheel-pkg"] == "==1.0" and specifiers["sdist-pkg"] == "==2.0"


def test_include_chains_have_a_depth_limit(tmp_path: Path) -> None:
    def chain(length: int) -> Path:
        for index in range(length):
            (tmp_path / f"r{index}.txt").write_text(f"-r r{index + 1}.txt\npkg{index}==1\n")
        (tmp_path / f"r{length}.txt").write_text("last==1\n")
        return tmp_path / "r0.txt"

    assert len(_read(chain(MAX_INCLUDE_DEPTH)).entries) == MAX_INCLUDE_DEPTH + 1
    with pytest.raises(ManifestError) as caught:
        _read(chain(500))  # deeper than the limit: a clear error, never a RecursionError
    assert f"deeper than {MAX_INCLUDE_DEPTH}" in str(caught.value)
    assert f"r{MAX_INCLUDE_DEPTH}.txt" in str(caught.value)


def test_what_pip_accepts_on_option_lines(tmp_path: Path) -> None:
    (tmp_path / "other.txt").write_text("included==1\n")
    manifest = _compare_with_pip(
        tmp_path,
        "--pre --no-index\n"
        "--hash=sha256:00\n"  # pip warns that it applies to nothing, and goes on
        "-i https://index.example/simple --extra-index-url https://other.example/simple\n"
        "--editable=git+https://git.example.com/Ed.git#egg=ed\n"
        "-e 'git+https://git.example.com/Q.git#egg=quoted&subdirectory=a dir'\n"
        "pkg==1 --config-settings=key=value\n"
        "other==2 --pre -C k=v\n"
        "--find /local/wheels --pre leftover-positional\n"  # a prefix of --find-links
        "--requirement=other.txt\n",
    )
    quoted = next(e for e in manifest.entries if e.name == "quoted")
    assert quoted.source is not None and quoted.source.subdirectory == "a dir"
    # --global-option: accepted by pip up to 25, removed in 26; still read, never an error
    older = _read_text(tmp_path, b"legacy==2 --pre --global-option x -C k=v\n")
    assert [(e.name, e.specifier) for e in older.entries] == [("legacy", "==2")]
    with pytest.raises(ManifestError, match="unknown option '--frobnicate'"):
        _read_text(tmp_path, b"--pre --frobnicate\n")


def test_every_reader_path_stays_inside_the_recursion_limit(tmp_path: Path) -> None:
    """Deep brackets in extras, markers or fragments are input, never a RecursionError."""
    text = "pkg[" + "[" * 5000 + "]\n" + "a @ https://h.example/x#" + "&" * 5000 + "\n"
    path = tmp_path / "deep.txt"
    path.write_text(text)
    try:
        _read(path)
    except ManifestError as err:
        assert os.fspath(path) in str(err)


SEED = (
    "# -*- coding: utf-8 -*-\n"
    "git+https://github.com/org/repo.git@v1.2#egg=name&subdirectory=sub\n"
    "git+ssh://git@host/org/repo.git\n"
    "-e 'hg+https://hg.example/x@tip#egg=x'\n"
    "--editable=./libs/foo[extra]\n"
    "file:///srv/project#egg=proj\n"
    "../dist/foo-1.0-py3-none-any.whl --hash=sha256:00\n"
    "http://host/pyRXP-1.16-daily-unix.tar.gz ; python_version >= '3'\n"
    "pkg @ https://${BG_FUZZ_HOST}/p.zip \\\n"
    "  --hash sha256:00\n"
    "-r other.txt\n"
)


@fuzz_settings(200)
@given(data=st.data())
def test_only_manifest_errors_escape_for_every_line_kind(
    tmp_path: Path, data: st.DataObject
) -> None:
    """Mutated lines of every kind (and random bytes) give a reading or a ManifestError."""
    (tmp_path / "other.txt").write_text("-r requirements.txt\nx==1\n")
    path = tmp_path / "requirements.txt"
    path.write_bytes(mutated_or_random(SEED, data, max_size=300))
    try:
        _read(path)
    except ManifestError as err:
        assert err.path.endswith(".txt"), err


def test_generated_lines_are_read_as_pip_reads_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Lines combined from every kind's parts: wherever pip accepts one, so does bootguard.

    And names it alike (or, where pip would build first, from the file or project).  The
    combinations are drawn with a fixed seed, so a failure reproduces.
    """
    import random

    monkeypatch.chdir(tmp_path)
    (tmp_path / "libs" / "foo").mkdir(parents=True)
    (tmp_path / "libs" / "foo" / "pyproject.toml").write_text('[project]\nname = "foo"\n')
    (tmp_path / "libs" / "foo" / "setup.py").write_text("")
    pick = random.Random(20261202).choice
    names = ["pkg", "Pkg_Name", "a.b"]
    specs = ["", "==1.0", ">=1,<2", " == 1.0 ", "~=1.4", "===weird", "[extra]", "[a,b]>=1"]
    markers = ["", ' ; python_version >= "3"', ';python_version<"3"', "; sys_platform == 'win32'"]
    urls = [
        "git+https://h.example/o/r.git", "git+https://h.example/o/r.git@v1",
        "git+ssh://git@h.example/o/r@abcdef1234", "hg+https://h.example/r@tip",
        "svn+svn://h.example/r/trunk@12", "bzr+lp:proj", "https://h.example/p-1.0.tar.gz",
        "https://h.example/p-1.0-py3-none-any.whl", "http://h.example/pyRXP-1.16-daily-unix.tar.gz",
        (tmp_path / "libs" / "foo").as_uri(), "https://h.example/x.zip#sha256=ab",
    ]  # fmt: skip
    fragments = ["", "#egg=eggname", "#egg=eggname&subdirectory=sub", "#subdirectory=s"]
    paths = ["./libs/foo", "libs/foo", "./libs/foo[x]", "../dist/w_pkg-2.0-py3-none-any.whl",
             "vendor/s_pkg-3.0.tar.gz"]  # fmt: skip
    options = ["", " --hash=sha256:aa", " --hash sha256:bb --hash=sha256:cc", " -C k=v", " --pre"]
    shapes: list[Callable[[], str]] = [
        lambda: pick(names) + pick(specs) + pick(markers) + pick(options),
        lambda: pick(names) + " @ " + pick(urls) + pick(fragments) + pick(markers[:2]),
        lambda: pick(urls) + pick(fragments) + pick(markers[:2]) + pick(options[:3]),
        lambda: pick(paths) + pick(markers),
        lambda: "-e " + pick(paths[:3] + urls[:5]) + pick(fragments),
    ]
    dress: list[Callable[[str], str]] = [
        lambda text: text,
        lambda text: text + " # a comment",
        lambda text: text + " \\\n  --hash=sha256:dd",
        lambda text: "  " + text.replace(" ", "\t"),
        lambda text: "-e '" + pick(urls[:5]) + "#egg=q'",
        lambda text: text + "\n# Editable install with no version control (x==1)\n-e ./libs/foo",
    ]
    path = tmp_path / "requirements.txt"
    checked = 0
    for _ in range(200):
        line = pick(dress)(pick(shapes)())
        path.write_text(line + "\n")
        pips = _pips(path)
        if pips is None:
            continue  # pip rejects it: bootguard may read it or refuse it
        assert _same_reading(_ours(_read(path)), pips), line
        checked += 1
    assert checked > 120


def _tree(tmp_path: Path) -> Path:
    (tmp_path / "base").mkdir()
    (tmp_path / "r.txt").write_text("-r base/inc.txt\n-c cons.txt\nmsgbus==4.1.0\n")
    (tmp_path / "base" / "inc.txt").write_text("taskq>=5\n-r ../r.txt\n")  # a cycle: read once
    (tmp_path / "cons.txt").write_text("msgbus<5\nnever-listed==1\n")
    return tmp_path / "r.txt"


def test_includes_and_constraints_with_their_origins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _tree(tmp_path)
    monkeypatch.chdir(tmp_path)
    manifest = read_requirements(Path("r.txt"), selection())
    assert [(e.name, e.specifier, e.constraint, e.origin) for e in manifest.entries] == [
        ("taskq", ">=5", False, "base/inc.txt:1"),
        ("msgbus", "<5", True, "cons.txt:1"),
        ("never-listed", "==1", True, "cons.txt:2"),
        ("msgbus", "==4.1.0", False, "r.txt:3"),
    ]
    assert not manifest.complete  # a range is not a lock


def test_the_digest_covers_every_file_read(tmp_path: Path) -> None:
    path = _tree(tmp_path)
    before = read_requirements(path, selection()).digest
    (tmp_path / "cons.txt").write_text("msgbus<6\nnever-listed==1\n")
    assert read_requirements(path, selection()).digest != before


def test_data_given_is_read_instead_of_the_file(tmp_path: Path) -> None:
    manifest = read_requirements(tmp_path / "absent.txt", selection(), data=b"a==1\n")
    assert [e.name for e in manifest.entries] == ["a"]
    assert manifest.digest == hashlib.sha256(b"a==1\n").hexdigest()


def test_a_compiled_lock_is_read_whole() -> None:
    entries = demo_lock("pip-tools/requirements.txt")
    assert entries["python-dateutil"] == "==4.0.0" and entries["attrs"] == "==26.1.0"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("-r missing.txt\n", ":1: -r missing.txt: no such file"),
        ("--frob\n", ":1: unknown option '--frob'"),
        ("-e\n", ":1: -e needs a path or URL"),
        (
            "# bootguard-snapshot: entries=2\na==1\n",
            ":1: the snapshot header records 2 entries but the file has 1",
        ),
    ],
)
def test_a_bad_line_is_one_error_with_its_line(tmp_path: Path, text: str, message: str) -> None:
    assert refusal(tmp_path, "requirements.txt", text).startswith(message)
