"""One broken metadata directory never hides real drift, and nothing untrusted hangs or
crashes the check.

Each test builds a real venv with real installed wheels (taskq, msgbus, fastjson), breaks
one distribution's files on disk the way a failed install, a bad image layer or a hostile
package could, next to one real version drift (the manifest locks msgbus 4.2.0, 4.1.0 is
installed), and runs the real ``python -m bootguard check`` in a subprocess with a hard
timeout: the drift must be reported, the broken distribution must be a ``metadata``
finding, and there must be no traceback.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.cli import bootguard_outside
from tests.support.gate import GUARDED_WSGI, make_app
from tests.support.venvs import Venv, VenvFactory

INSTALL = ["taskq==5.0.0", "msgbus==4.1.0", "fastjson==2.1"]
#: msgbus 4.1.0 is installed: the one real drift every test must see reported.
MANIFEST = "taskq==5.0.0\nmsgbus==4.2.0\n"
DRIFT = "msgbus:version"


def _run(
    venv: Venv, path: Path, *args: str, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """``python -m bootguard ARGS`` inside the venv, with a hard timeout (a hang fails)."""
    return subprocess.run(
        [str(venv.python), "-m", "bootguard", *args],
        capture_output=True,
        text=True,
        errors="surrogateescape",
        cwd=venv.path,
        env=venv.env(pythonpath=[path]),
        timeout=timeout,
        check=False,
    )


def _dist_info(venv: Venv, prefix: str) -> Path:
    (found,) = venv.site_packages.glob(f"{prefix}-*.dist-info")
    return found


def _rewrite_metadata(transform: Callable[[bytes], bytes]) -> Callable[[Path], None]:
    def breaker(dist_info: Path) -> None:
        metadata = dist_info / "METADATA"
        metadata.write_bytes(transform(metadata.read_bytes()))

    return breaker


def _fifo(dist_info: Path) -> None:
    (dist_info / "METADATA").unlink()
    os.mkfifo(dist_info / "METADATA")


def _dev_zero(dist_info: Path) -> None:
    (dist_info / "METADATA").unlink()
    (dist_info / "METADATA").symlink_to("/dev/zero")


def _missing(dist_info: Path) -> None:
    (dist_info / "METADATA").unlink()


def _huge(dist_info: Path) -> None:
    """Headers that go on past the first read, in a file over the size cap (sparse)."""
    metadata = dist_info / "METADATA"
    head = metadata.read_bytes().split(b"\n\n", 1)[0] + b"\n"
    with metadata.open("wb") as handle:
        handle.write(head + b"Classifier: Topic :: Software Development\n" * 1000)
        handle.truncate(17 * 1024 * 1024)


def _egg_with_latin1_requires(dist_info: Path) -> None:
    """The distribution turned into a legacy ``*.egg-info`` whose requires.txt is Latin-1."""
    egg = dist_info.with_name(dist_info.name.replace(".dist-info", "-py3.egg-info"))
    dist_info.rename(egg)
    (egg / "METADATA").rename(egg / "PKG-INFO")
    (egg / "requires.txt").write_bytes(b"caf\xe9-client>=1\n")


def _invalid_version(data: bytes) -> bytes:
    return data.replace(b"\nVersion: 2.1\n", b"\nVersion: two point one\n", 1)


def _empty_version(data: bytes) -> bytes:
    return data.replace(b"\nVersion: 2.1\n", b"\nVersion:\n", 1)


def _latin1_name(data: bytes) -> bytes:
    return data.replace(b"\nName: fastjson\n", b"\nName: fastj\xf6son\n", 1)


# (how the distribution is broken, what its metadata finding says)
BROKEN: dict[str, tuple[Callable[[Path], None], str]] = {
    "fifo-metadata": (_fifo, "METADATA is not a regular file (a FIFO)"),
    "metadata-is-dev-zero": (_dev_zero, "METADATA is not a regular file (a character device)"),
    "missing-metadata": (_missing, "no METADATA file"),
    "huge-metadata": (_huge, "METADATA is too large"),
    "egg-requires-not-utf8": (_egg_with_latin1_requires, "requires.txt is not UTF-8 text"),
    "invalid-version": (_rewrite_metadata(_invalid_version), "is not a valid version"),
    "empty-version": (_rewrite_metadata(_empty_version), "METADATA has an empty Version"),
    "name-not-utf8": (
        _rewrite_metadata(_latin1_name),
        "Name fastj\\xf6son holds bytes that are not UTF-8",
    ),
}


@pytest.mark.parametrize("named", [False, True], ids=["unlisted", "listed"])
@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_metadata_is_one_finding_and_the_drift_is_still_reported(
    case: str,
    named: bool,
    venv_factory: VenvFactory,
    bootguard_pythonpath: Path,
) -> None:
    breaker, problem = BROKEN[case]
    venv = venv_factory(install=INSTALL)
    breaker(_dist_info(venv, "fastjson"))
    (venv.path / "requirements.txt").write_text(MANIFEST + ("fastjson==2.1\n" if named else ""))

    text = _run(venv, bootguard_pythonpath, "check", "-m", "requirements.txt")
    assert "Traceback" not in text.stderr, text.stderr
    assert text.returncode == 1, (text.stdout, text.stderr)
    assert DRIFT in text.stdout and "msgbus is 4.1.0" in text.stdout, text.stdout
    status = "FAIL" if named else "WARN"
    lines = [line for line in text.stdout.splitlines() if ":metadata" in line]
    assert len(lines) == 1 and lines[0].startswith(status) and problem in lines[0], text.stdout
    assert "\\x" not in lines[0] or case == "name-not-utf8"

    report = json.loads(
        _run(venv, bootguard_pythonpath, "check", "-m", "requirements.txt", "--json").stdout
    )
    checks = report["checks"]
    assert checks[DRIFT][0]["status"] == "fail"
    (metadata_key,) = (key for key in checks if key.endswith(":metadata"))
    assert checks[metadata_key][0]["status"] == status.lower()
    assert checks[metadata_key][0]["componentType"] == "distribution"
    # the other distributions are all still there: nothing was dropped with the broken one
    assert {"taskq", "msgbus"} <= set(report["installed"])


def test_crlf_metadata_reads_like_importlib_metadata(
    venv_factory: VenvFactory, bootguard_pythonpath: Path
) -> None:
    """CRLF line ends: the header block is found; a Requires-Dist-looking line of the long
    description is not a requirement (before, it was ``FAIL ... not installed``)."""
    venv = venv_factory(install=INSTALL)
    metadata = _dist_info(venv, "fastjson") / "METADATA"
    head = metadata.read_bytes().split(b"\n\n", 1)[0]
    body = b"A description.\nRequires-Dist: nothere>=1\n"
    metadata.write_bytes((head + b"\n\n" + body).replace(b"\n", b"\r\n"))
    (venv.path / "requirements.txt").write_text(MANIFEST + "fastjson==2.1\n")

    text = _run(venv, bootguard_pythonpath, "check", "-m", "requirements.txt")
    assert text.returncode == 1 and "Traceback" not in text.stderr, text.stderr
    assert DRIFT in text.stdout
    assert "fastjson" not in text.stdout and "nothere" not in text.stdout, text.stdout
    stdlib = venv.run(
        "import importlib.metadata as m; d = m.distribution('fastjson'); "
        "print(d.version, d.requires)",
        check=True,
    )
    assert stdlib.stdout.split() == ["2.1", "None"]


def test_control_characters_in_metadata_never_reach_the_terminal(
    venv_factory: VenvFactory, bootguard_pythonpath: Path
) -> None:
    """An ESC/BEL/CR in Name or Version is printed escaped, in text and in log-like lines."""
    venv = venv_factory(install=INSTALL)
    hostile = b"1.0\x1b]0;pwned\x07\x1b[2J\r"
    _rewrite_metadata(
        lambda data: data.replace(b"\nVersion: 2.1\n", b"\nVersion: " + hostile + b"\n")
    )(_dist_info(venv, "fastjson"))
    (venv.path / "requirements.txt").write_text(MANIFEST + "fastjson==2.1\n")

    text = _run(venv, bootguard_pythonpath, "check", "-m", "requirements.txt")
    assert text.returncode == 1 and "Traceback" not in text.stderr
    assert DRIFT in text.stdout
    for control in ("\x1b", "\x07", "\r"):
        assert control not in text.stdout and control not in text.stderr
    assert "\\x1b]0;pwned\\x07" in text.stdout, text.stdout
    (line,) = (
        line for line in text.stdout.splitlines() if line.startswith("FAIL  fastjson:metadata")
    )
    assert "holds control characters" in line

    as_json = _run(venv, bootguard_pythonpath, "check", "-m", "requirements.txt", "--json")
    assert "\x1b" not in as_json.stdout  # json escapes what it prints
    json.loads(as_json.stdout)


def test_snapshot_of_an_environment_with_a_non_utf8_name(
    venv_factory: VenvFactory, bootguard_pythonpath: Path, tmp_path: Path
) -> None:
    """``bootguard snapshot`` used to die with UnicodeEncodeError on such a name."""
    venv = venv_factory(install=INSTALL)
    _rewrite_metadata(_latin1_name)(_dist_info(venv, "fastjson"))
    out = tmp_path / "snapshot.txt"
    made = _run(venv, bootguard_pythonpath, "snapshot", "-o", str(out))
    # a reference environment with unreadable metadata is refused, in one escaped line
    assert made.returncode == 2 and "Traceback" not in made.stderr, made.stderr
    assert made.stderr.count("\n") == 1, made.stderr
    assert "fastjson (fastjson-2.1.dist-info): Name fastj\\xf6son" in made.stderr
    assert not out.exists()


def test_integrity_of_hostile_record_entries(
    venv_factory: VenvFactory, bootguard_pythonpath: Path
) -> None:
    """RECORD naming /dev/zero, a FIFO, a path with a NUL byte; a RECORD that is a FIFO;
    a module replaced by a FIFO: findings, no hang, no traceback."""
    venv = venv_factory(install=INSTALL)
    site = venv.site_packages
    record = _dist_info(venv, "fastjson") / "RECORD"
    os.mkfifo(site / "pipe_data.bin")
    with record.open("a", encoding="utf-8") as handle:
        handle.write("/dev/zero,sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU,100\n")
        handle.write("pipe_data.bin,sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU,100\n")
        handle.write("bad\x00name.py,sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU,1\n")
    taskq_record = _dist_info(venv, "taskq") / "RECORD"
    taskq_record.unlink()
    os.mkfifo(taskq_record)
    module = site / "msgbus" / "__init__.py"
    module.unlink()
    os.mkfifo(module)
    (venv.path / "requirements.txt").write_text(MANIFEST + "fastjson==2.1\n")

    text = _run(venv, bootguard_pythonpath, "check", "-m", "requirements.txt", "--integrity")
    assert "Traceback" not in text.stderr, text.stderr
    assert text.returncode == 1, (text.stdout, text.stderr)
    out = text.stdout
    assert DRIFT in out
    assert "fastjson:files" in out and "/dev/zero" in out and "pipe_data.bin" in out, out
    assert "bad\\x00name.py" in out, out
    assert "taskq:files" in out and "RECORD exists but is not a regular file (a FIFO)" in out
    assert "msgbus:files" in out and "msgbus/__init__.py" in out
    assert "\x00" not in out


def test_internal_error_in_one_stage_is_one_line_and_the_rest_is_reported(
    venv_factory: VenvFactory, bootguard_pythonpath: Path, tmp_path: Path
) -> None:
    """A bug in the integrity stage (forced with a sitecustomize in the child process):
    ``FAIL bootguard:internal`` on one line, exit 1, the drift still reported."""
    venv = venv_factory(install=INSTALL)
    (venv.path / "requirements.txt").write_text(MANIFEST + "fastjson==2.1\n")
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(
        "import bootguard.checks.integrity\n"
        "def verify(*args, **kwargs):\n"
        "    raise KeyError('a bug\\nwith a second line')\n"
        "bootguard.checks.integrity.verify = verify\n"
    )
    result = subprocess.run(
        [str(venv.python), "-m", "bootguard", "check", "-m", "requirements.txt", "--integrity"],
        capture_output=True,
        text=True,
        cwd=venv.path,
        env=venv.env(pythonpath=[hook, bootguard_pythonpath]),
        timeout=60,
        check=False,
    )
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 1
    internal = [line for line in result.stdout.splitlines() if "bootguard:internal" in line]
    assert len(internal) == 1, result.stdout
    assert internal[0].startswith("FAIL") and "integrity stage" in internal[0]
    assert "KeyError" in internal[0] and "\\n" in internal[0]
    assert DRIFT in result.stdout


# --- --python probes with real fake interpreters ----------------------------------------


def _fake_python(tmp_path: Path, body: str) -> Path:
    script = tmp_path / "fakepython"
    script.write_text(f"#!/bin/sh\n{body}\n")
    script.chmod(0o755)
    return script


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("echo '[1, 2]'", "a JSON list, not an object"),
        (
            'echo \'{"executable": "/x", "paths": "nope", "marker_env": {}}\'',
            "'paths' is not a list of path strings",
        ),
        (
            'echo \'{"executable": "/x", "paths": [], "marker_env": {"os_name": 1}}\'',
            "'marker_env' is not an object of strings",
        ),
        (
            'echo \'{"executable": "/x", "paths": [], "marker_env": {"os_name": "posix"}}\'',
            "'marker_env' lacks implementation_name",
        ),
        ("echo 'not json'", "not JSON"),
        ("exec yes", "printed more than 4194304 bytes: not a probe report"),
        (
            'python3 -c \'print("[" * 100000 + "]" * 100000)\'',
            "JSON nested deeper than 32 levels",
        ),
        (
            "printf 'boom \\033[2J\\n' >&2; exit 3",
            "failed to report its environment: boom \\x1b[2J",
        ),
    ],
    ids=[
        "list",
        "paths-not-list",
        "marker-not-strings",
        "marker-incomplete",
        "not-json",
        "floods",
        "deep",
        "fails",
    ],
)
def test_a_probe_that_prints_the_wrong_thing_is_one_line_exit_2(
    tmp_path: Path, body: str, expected: str
) -> None:
    fake = _fake_python(tmp_path, body)
    result = bootguard_outside("check", "--no-manifest", "--python", fake)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.splitlines()
    assert line.startswith("bootguard: error: interpreter ") and expected in line, line
    assert "\x1b" not in line


def test_a_probe_of_the_right_shape_still_works(tmp_path: Path) -> None:
    """The validation accepts what a real interpreter prints (this one, run as --python)."""
    result = bootguard_outside("check", "--no-manifest", "--python", sys.executable, "--json")
    assert result.returncode in (0, 1), result.stderr
    assert json.loads(result.stdout)["distributions"] > 0


# --- the boot gate ------------------------------------------------------------------------

GATE_BOOT = (
    """
import json, bootguard
from bootguard import state
"""
    + GUARDED_WSGI
    + """verdict = state.current()
print(json.dumps({
    "ready": verdict.ready,
    "problems": {f.key: f.status for f in verdict.report.problems},
}))
"""
)


def test_the_gate_sees_the_drift_next_to_a_broken_egg_info(
    venv_factory: VenvFactory, bootguard_pythonpath: Path, tmp_path: Path
) -> None:
    """Before: the Latin-1 requires.txt made the whole gate check one ``bootguard:config``
    warning with an empty report, and readiness stayed 200 while msgbus had drifted."""
    venv = venv_factory(install=["taskq==5.0.0", "msgbus==4.2.0", "fastjson==2.1"])
    _egg_with_latin1_requires(_dist_info(venv, "fastjson"))
    app = make_app(tmp_path / "shop", [bootguard_pythonpath])  # locks msgbus 4.1.0
    result = app.run(venv, GATE_BOOT, env={"BOOTGUARD_MODE": "report"})
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    verdict = json.loads(result.stdout.strip().splitlines()[-1])
    assert verdict["ready"] is False
    assert verdict["problems"]["msgbus:version"] == "fail"
    assert verdict["problems"]["fastjson:metadata"] == "warn"
    assert "bootguard:config" not in verdict["problems"]
    assert "requires.txt is not UTF-8 text" in result.stderr  # the log line names it


# --- in-process: the internal finding and the escaping helper ---------------------------
