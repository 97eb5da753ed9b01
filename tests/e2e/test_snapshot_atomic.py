"""``bootguard snapshot -o`` never loses the previous snapshot, and a damaged one is refused.

The failures are real, not simulated: a tmpfs of 64 KiB filled to the last page, a
read-only bind mount (both in a private mount namespace via ``unshare -m``; we run as root
in the test container, and a kernel that refuses the mount skips with its reason),
``/dev/full``, a missing directory, a directory as the target.  Each time the previous
snapshot must be byte-identical afterwards and no temporary file may remain.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from tests.support.cli import bootguard_in, json_report
from tests.support.venvs import Venv, VenvFactory

_TIMEOUT = 120


@pytest.fixture
def venv(venv_factory: VenvFactory) -> Venv:
    return venv_factory(install=["taskq==5.0.0", "msgbus==4.1.0"])


def _snapshot(venv: Venv, path: Path, pythonpath: Path) -> subprocess.CompletedProcess[str]:
    return bootguard_in(venv, pythonpath, "snapshot", "-o", path)


def _one_error_line(result: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert result.returncode == 2, (result.returncode, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("bootguard: error: "), result.stderr
    assert "Traceback" not in result.stderr
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])


@pytest.fixture
def previous(venv: Venv, tmp_path: Path, bootguard_pythonpath: Path) -> bytes:
    """A good snapshot of ``venv`` taken before it changes (so a new one would differ)."""
    good = tmp_path / "good.txt"
    assert _snapshot(venv, good, bootguard_pythonpath).returncode == 0
    venv.install("msgbus==4.2.0")  # a snapshot written now would not be byte-identical
    return good.read_bytes()


def _in_mount_namespace(
    venv: Venv, pythonpath: Path, script: str, variables: dict[str, str]
) -> None:
    """Run ``script`` (sh) in a private mount namespace; skip if the kernel refuses."""
    unshare = shutil.which("unshare")
    if unshare is None or os.geteuid() != 0:
        pytest.skip("needs root and unshare(1) to mount a tmpfs in a private namespace")
    env = venv.env({**variables, "PY": str(venv.python)}, pythonpath=[pythonpath])
    result = subprocess.run(
        [unshare, "-m", "--propagation", "private", "sh", "-c", script],
        capture_output=True,
        text=True,
        env=env,
        timeout=_TIMEOUT,
        check=False,
    )
    if result.returncode == 97:
        pytest.skip(f"the kernel refused the mount: {result.stderr.strip()}")
    assert result.returncode == 0, result.stderr


_RUN_SNAPSHOT = """
cd "$OUT"
"$PY" -m bootguard snapshot -o "$DIR/snapshot.txt" > "$OUT/stdout" 2> "$OUT/stderr"
echo $? > "$OUT/rc"
cp "$DIR/snapshot.txt" "$OUT/after.txt"
ls -A "$DIR" > "$OUT/listing"
"""


def _snapshot_in_mount(
    venv: Venv, pythonpath: Path, tmp_path: Path, mount: str, *, seed: tuple[str, bytes]
) -> tuple[int, str, bytes, list[str]]:
    """Write ``seed`` (a path under ``tmp_path`` and its bytes), run ``mount`` (sh) on
    ``tmp_path/mnt`` in a private namespace, snapshot into it; what the snapshot left.

    The outcome is the exit status, stderr, the snapshot file's bytes after, and the mount's
    listing (``tmp_path/out`` keeps them, outside the mount).
    """
    directory, out = tmp_path / "mnt", tmp_path / "out"
    directory.mkdir()
    out.mkdir()
    (tmp_path / seed[0]).write_bytes(seed[1])
    variables = {"DIR": str(directory), "OUT": str(out)}
    _in_mount_namespace(venv, pythonpath, mount + _RUN_SNAPSHOT, variables)
    return (
        int((out / "rc").read_text()),
        (out / "stderr").read_text(),
        (out / "after.txt").read_bytes(),
        (out / "listing").read_text().split(),
    )


def test_a_full_filesystem_keeps_the_previous_snapshot_whole(
    venv: Venv, previous: bytes, tmp_path: Path, bootguard_pythonpath: Path
) -> None:
    mount = (
        'mount -t tmpfs -o size=64k tmpfs "$DIR" || exit 97\n'
        'cp "$OUT/good.txt" "$DIR/snapshot.txt"\n'
        'dd if=/dev/zero of="$DIR/fill" bs=1024 2>/dev/null\n'  # fills it: dd stops at ENOSPC
        'test "$(df -P "$DIR" | awk \'NR==2 {print $4}\')" = 0 || exit 3\n'
    )
    rc, stderr, after, listing = _snapshot_in_mount(
        venv, bootguard_pythonpath, tmp_path, mount, seed=("out/good.txt", previous)
    )
    assert rc == 2, stderr
    assert stderr.count("\n") == 1 and stderr.startswith("bootguard: error: cannot write ")
    assert "No space left on device" in stderr and "previous file is unchanged" in stderr
    assert after == previous  # byte-identical
    assert sorted(listing) == ["fill", "snapshot.txt"]  # no temporary file left behind


def test_a_read_only_mount_keeps_the_previous_snapshot(
    venv: Venv, previous: bytes, tmp_path: Path, bootguard_pythonpath: Path
) -> None:
    mount = 'mount --bind "$DIR" "$DIR" && mount -o remount,bind,ro "$DIR" || exit 97\n'
    rc, stderr, after, listing = _snapshot_in_mount(
        venv, bootguard_pythonpath, tmp_path, mount, seed=("mnt/snapshot.txt", previous)
    )
    assert rc == 2 and stderr.count("\n") == 1, stderr
    assert "Read-only file system" in stderr
    assert after == previous
    assert listing == ["snapshot.txt"]


def test_unwritable_targets_are_one_line_errors(
    venv: Venv, tmp_path: Path, bootguard_pythonpath: Path
) -> None:
    _one_error_line(_snapshot(venv, Path("/dev/full"), bootguard_pythonpath), "character device")
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)  # refused, never replaced

    missing = tmp_path / "no" / "such" / "dir" / "snapshot.txt"
    _one_error_line(_snapshot(venv, missing, bootguard_pythonpath), "no such directory")
    assert not (tmp_path / "no").exists()

    directory = tmp_path / "a-directory"
    (directory / "inside").mkdir(parents=True)
    _one_error_line(_snapshot(venv, directory, bootguard_pythonpath), "a directory")
    assert [p.name for p in directory.iterdir()] == ["inside"]


def test_snapshot_to_a_full_standard_output_is_one_line(
    venv: Venv, bootguard_pythonpath: Path
) -> None:
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [str(venv.python), "-m", "bootguard", "snapshot"],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            env=venv.env(pythonpath=[bootguard_pythonpath]),
            timeout=_TIMEOUT,
            check=False,
        )
    _one_error_line(result, "standard output")


def test_a_replaced_snapshot_keeps_its_permissions_and_its_symlink(
    venv: Venv, previous: bytes, tmp_path: Path, bootguard_pythonpath: Path
) -> None:
    real = tmp_path / "real" / "snapshot.txt"
    real.parent.mkdir()
    real.write_bytes(previous)
    real.chmod(0o640)
    link = tmp_path / "snapshot.txt"
    link.symlink_to(real)
    assert _snapshot(venv, link, bootguard_pythonpath).returncode == 0
    assert link.is_symlink() and real.read_bytes() != previous
    assert b"msgbus==4.2.0" in real.read_bytes()
    assert stat.S_IMODE(real.stat().st_mode) == 0o640
    assert [p.name for p in real.parent.iterdir()] == ["snapshot.txt"]


# --- the entry count: a damaged snapshot is an error, an old one still reads -------------


def _check(venv: Venv, path: Path, pythonpath: Path) -> subprocess.CompletedProcess[str]:
    return bootguard_in(venv, pythonpath, "check", "-m", path)


def test_the_count_line_and_the_seal_together(
    venv: Venv, tmp_path: Path, bootguard_pythonpath: Path
) -> None:
    snapshot = tmp_path / "snapshot.txt"
    assert _snapshot(venv, snapshot, bootguard_pythonpath).returncode == 0
    text = snapshot.read_text()
    assert text.splitlines()[0] == "# bootguard-snapshot: entries=2"
    fast = _check(venv, snapshot, bootguard_pythonpath)
    assert fast.returncode == 0 and "sealed snapshot" in fast.stdout  # the seal still works

    # an edited version: the seal no longer matches, the full check says what differs
    snapshot.write_text(text.replace("msgbus==4.1.0", "msgbus==4.2.0"))
    edited = _check(venv, snapshot, bootguard_pythonpath)
    assert edited.returncode == 1 and "msgbus:version" in edited.stdout
    assert "sealed" not in edited.stdout

    # edited down: one requirement line fewer than recorded
    snapshot.write_text("".join(line for line in text.splitlines(True) if "msgbus==" not in line))
    down = _check(venv, snapshot, bootguard_pythonpath)
    _one_error_line(down, "records 2 entries but the file has 1")

    # truncated inside the last line (a copy cut short)
    snapshot.write_text(text[:-3])
    _one_error_line(_check(venv, snapshot, bootguard_pythonpath), "truncated")

    # a comment added by a reviewer is no entry: the full check passes
    snapshot.write_text(text + "# reviewed by ops\n")
    reviewed = json_report(
        bootguard_in(venv, bootguard_pythonpath, "check", "-m", snapshot, "--json")
    )
    assert (reviewed["status"], reviewed["verifiedBy"]) == ("pass", "full")

    # a snapshot from before the count existed still reads
    snapshot.write_text(text.split("\n", 1)[1])
    old = json_report(bootguard_in(venv, bootguard_pythonpath, "check", "-m", snapshot, "--json"))
    assert (old["status"], old["verifiedBy"]) == ("pass", "full")


def _metadata(venv: Venv, name: str) -> Path:
    (found,) = venv.site_packages.glob(f"{name}-*.dist-info")
    return found / "METADATA"


@pytest.mark.parametrize(
    ("old", "new", "needle"),
    [
        (b"Name: msgbus", b"Name: msgbus\xff", "Name"),
        (b"Version: 4.1.0", b"Version: ", "empty Version"),
        (b"Version: 4.1.0", b"Version: 4.1.0.banana", "Version '4.1.0.banana'"),
    ],
    ids=["name-not-utf8", "version-empty", "version-invalid"],
)
def test_unreadable_metadata_refuses_the_snapshot_naming_the_distribution(
    venv: Venv, tmp_path: Path, bootguard_pythonpath: Path, old: bytes, new: bytes, needle: str
) -> None:
    metadata = _metadata(venv, "msgbus")
    data = metadata.read_bytes()
    assert old in data
    metadata.write_bytes(data.replace(old, new, 1))
    target = tmp_path / "snapshot.txt"
    target.write_bytes(b"# the previous snapshot\n")
    result = _snapshot(venv, target, bootguard_pythonpath)
    _one_error_line(result, "msgbus", needle)
    assert "snapshot.txt:" not in result.stderr  # never a line of a file that does not exist
    assert target.read_bytes() == b"# the previous snapshot\n"
