"""RECORD verification (``files`` findings), end to end on real venvs with real pip installs.

Why: the partial install (``No such file or directory: '.../django_scarface/__init__.py'``)
and the file changed after install are broken deploys no version check sees.  These tests
damage real installed files and expect findings that name them, and they also prove the
opposite, which matters more for an operator on call: an untouched environment, with
byte-compiled caches, a file two distributions share and an editable install, gives
nothing at all.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bootguard.api import check
from bootguard.checks.integrity import verify
from bootguard.environment.inventory import current_environment
from bootguard.report import Finding, Report
from tests.support.cli import bootguard_in
from tests.support.integrity import (
    build_integrity_wheels,
    compile_site_packages,
    integrity_venv,
    paths_of,
)
from tests.support.wheels import build_editable_project


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> Path:
    house, _ = build_integrity_wheels(tmp_path_factory.mktemp("integrity"))
    return house


def _files_findings(report: Report) -> dict[str, Finding]:
    return {f.subject: f for f in report.findings if f.aspect == "files"}


def test_partial_install_is_named_and_the_import_really_fails(
    tmp_path: Path, wheels: Path, bootguard_pythonpath: Path
) -> None:
    venv = integrity_venv(tmp_path / "venv", wheels, ["pushkit==1.0", "bulky==1.0"])
    assert venv.run("from pushkit import connect; print(connect())", check=True).stdout.strip()
    (venv.site_packages / "pushkit" / "__init__.py").unlink()

    report = check([], paths=paths_of(venv), integrity=True)
    findings = _files_findings(report)
    assert set(findings) == {"pushkit"}, report.to_text()
    finding = findings["pushkit"]
    assert finding.status == "fail"
    assert finding.message == "installed file missing: pushkit/__init__.py"
    assert report.status == "fail"

    # The application's import really fails.  (A bare ``import pushkit`` would succeed: the
    # directory left behind imports as an empty namespace package, which is why only the
    # RECORD check, not an import, names the missing file.)
    broken = venv.run("from pushkit import connect")
    assert broken.returncode != 0
    assert "ImportError" in broken.stderr
    namespace = venv.run("import pushkit; print(pushkit.__file__)", check=True)
    assert namespace.stdout.strip() == "None"

    # The same from the command line inside the venv, as at boot: exit 1, the file named.
    result = bootguard_in(
        venv, bootguard_pythonpath, "check", "--no-manifest", "--integrity", "--color", "never"
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "FAIL  pushkit:files  installed file missing: pushkit/__init__.py" in result.stdout
    assert result.stderr == ""  # not a TTY: no progress bar

    # And the boot gate, configured the way an image would be (``integrity = ["pushkit"]``).
    gate = venv.run(
        "from bootguard.gate import run\n"
        "report = run({'manifest': []}, exit=False).report\n"
        "print(report.status, *sorted(f.key for f in report.findings))",
        pythonpath=[bootguard_pythonpath],
        env={"BOOTGUARD_INTEGRITY": "pushkit", "BOOTGUARD_SENTRY": "0"},
        check=True,
    )
    assert gate.stdout.split() == ["fail", "pushkit:files"], gate.stderr


def test_changed_missing_unexpected_files_each_named_and_capped(
    tmp_path: Path, wheels: Path
) -> None:
    venv = integrity_venv(
        tmp_path / "venv", wheels, ["pushkit==1.0", "bulky==1.0", "fastcodec==2.0"]
    )
    site = venv.site_packages
    core = site / "pushkit" / "core.py"
    data = bytearray(core.read_bytes())
    data[data.index(b"connected")] = ord("C")  # one byte, same size
    core.write_bytes(bytes(data))
    (site / "pushkit" / "templates" / "welcome.txt").write_text("Welcome back!\n")  # resized
    for i in range(25):
        (site / "bulky" / f"part{i:02d}.py").unlink()
    (site / "fastcodec" / "backdoor.py").write_text("import os\n")

    report = check([], paths=paths_of(venv), integrity=True)
    findings = _files_findings(report)
    assert set(findings) == {"pushkit", "bulky", "fastcodec"}, report.to_text()

    pushkit = findings["pushkit"]
    assert pushkit.status == "fail"
    assert pushkit.observed == "2 changed"
    assert pushkit.details == (
        "changed    pushkit/core.py (sha256 differs)",
        "changed    pushkit/templates/welcome.txt (sha256 differs; 14 bytes, recorded 9)",
    )

    bulky = findings["bulky"]
    assert bulky.status == "fail"
    assert bulky.observed == "25 missing"
    assert len(bulky.details) == 11  # capped: ten files and a count
    assert bulky.details[0] == "missing    bulky/part00.py"
    assert bulky.details[-1] == "... and 15 more files"

    fastcodec = findings["fastcodec"]
    assert fastcodec.status == "warn"  # unexpected, not changed: a warning
    assert fastcodec.message == (
        "installed file unexpected: fastcodec/backdoor.py (recorded by nobody)"
    )

    # The cheap first pass: existence and size.  It sees the missing files and the resized
    # one; a same-size change needs the hash (documented).
    quick = check([], paths=paths_of(venv), quick_integrity=True)
    quick_findings = _files_findings(quick)
    assert quick_findings["bulky"].observed == "25 missing"
    assert quick_findings["pushkit"].details == ()
    assert quick_findings["pushkit"].message == (
        "installed file changed: pushkit/templates/welcome.txt (14 bytes, recorded 9)"
    )

    # Only what was asked for.
    only = check([], paths=paths_of(venv), integrity=["PushKit"])
    assert set(_files_findings(only)) == {"pushkit"}


def test_interrupted_install_without_record_is_a_failure(tmp_path: Path, wheels: Path) -> None:
    venv = integrity_venv(tmp_path / "venv", wheels, ["pushkit==1.0"])
    (venv.site_packages / "pushkit-1.0.dist-info" / "RECORD").unlink()
    report = check([], paths=paths_of(venv), integrity=True)
    finding = _files_findings(report)["pushkit"]
    assert finding.status == "fail"
    assert finding.message == (
        "installed file missing: pushkit-1.0.dist-info/RECORD "
        "(pip writes it last: the install was interrupted)"
    )


def test_untouched_environment_gives_nothing(tmp_path: Path, wheels: Path) -> None:
    """Caches, a shared file, an editable install: no finding, and notes that say why."""
    project = build_editable_project(tmp_path / "src-tree", "localapp", "0.1")
    venv = integrity_venv(
        tmp_path / "venv",
        wheels,
        ["pushkit==1.0", "bulky==1.0", "fastcodec==2.0"],
        ["types-fastcodec==2.0.0.1"],  # installed after fastcodec: its .pyi wins
    )
    venv.install(project, editable=True)
    # a module nobody installed, byte-compiled next to the installed ones' caches
    (venv.site_packages / "sitecustomize.py").write_text("import os\n")
    compile_site_packages(venv)
    venv.run("import pushkit, bulky_compat, fastcodec, localapp", check=True)
    caches = list(venv.site_packages.rglob("__pycache__/*.pyc"))
    assert len(caches) > 30
    assert list(venv.site_packages.glob("__pycache__/sitecustomize.*.pyc"))
    shared = venv.site_packages / "fastcodec" / "__init__.pyi"
    assert "indent" in shared.read_text()  # the stubs' copy

    for quick in (False, True):
        report = check([], paths=paths_of(venv), integrity=True, quick_integrity=quick)
        assert report.findings == (), report.to_text(verbose=True)
        assert report.status == "pass"
        notes = "\n".join(report.notes)
        assert (
            "fastcodec/__init__.pyi is installed by both fastcodec and types-fastcodec; "
            "it holds types-fastcodec's copy (installed last), not fastcodec's: "
            "not a change after install"
        ) in notes
        assert "localapp: editable install from file://" in notes
        assert "its sources are not covered by RECORD" in notes

    # The shared file is attributed: damage it and both distributions that record it say so.
    shared.write_text("# edited\n")
    damaged = _files_findings(check([], paths=paths_of(venv), integrity=True))
    assert set(damaged) == {"fastcodec", "types-fastcodec"}
    assert damaged["fastcodec"].message == (
        "installed file changed: fastcodec/__init__.pyi "
        "(sha256 differs; 9 bytes, recorded 35; also recorded by types-fastcodec)"
    )
    assert damaged["types-fastcodec"].message == (
        "installed file changed: fastcodec/__init__.pyi "
        "(sha256 differs; 9 bytes, recorded 57; also recorded by fastcodec)"
    )


def test_verify_counts_what_it_hashed_with_any_worker_count(tmp_path: Path, wheels: Path) -> None:
    venv = integrity_venv(tmp_path / "venv", wheels, ["pushkit==1.0", "bulky==1.0"])
    (venv.site_packages / "bulky" / "part07.py").write_text("VALUE = 700\n")
    env = current_environment(paths_of(venv))
    calls: list[tuple[int, int, int, int]] = []
    results = [
        verify(env, workers=workers, progress=lambda *a: calls.append(a)) for workers in (1, 4)
    ]
    for result in results:
        assert [f.key for f in result.findings] == ["bulky:files"]
        assert result.findings[0].message == (
            "installed file changed: bulky/part07.py (sha256 differs; 12 bytes, recorded 10)"
        )
        assert result.distributions == 2
        # modules 31 + 3; METADATA WHEEL INSTALLER REQUESTED each, entry_points.txt; the
        # console script; not RECORD itself nor the unhashed .pyc rows
        assert result.files == 31 + 3 + 4 + 4 + 1 + 1
    assert calls, "progress was reported"
    done_bytes, total_bytes, done_files, total_files = calls[-1]
    assert (done_bytes, done_files) == (total_bytes, total_files)


def test_a_file_that_is_a_directory_now_is_changed(tmp_path: Path, wheels: Path) -> None:
    venv = integrity_venv(tmp_path / "venv", wheels, ["pushkit==1.0"])
    target = venv.site_packages / "pushkit" / "core.py"
    target.unlink()
    os.mkdir(target)
    finding = _files_findings(check([], paths=paths_of(venv), integrity=True))["pushkit"]
    assert finding.message == "installed file changed: pushkit/core.py (no longer a regular file)"
