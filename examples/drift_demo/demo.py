"""The drift bootguard exists for, reproduced in throw-away venvs in a few seconds.

``python3 examples/drift_demo/demo.py`` from the repository root, with any Python 3.10+ that
has pip: bootguard does not need to be installed, the demo installs it from this checkout.

Celery required ``kombu>=4.0.2,<5.0``; the lock pinned kombu 4.1.0; kombu 4.2.0 was released
inside that range and freshly autoscaled nodes installed it, and broke at boot, while
``pip check`` said "No broken requirements found".  Here ``taskq`` plays celery and
``msgbus`` plays kombu: two tiny wheels built on the spot, installed offline with real pip
into a real venv (the node).  bootguard goes into a second venv, from a copy of this
checkout (so the build leaves nothing in it), with ``packaging`` from your package index
(pip's cache after the first run).  Standard library only; everything lives in a temporary
directory that is removed at the end.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.metadata
import os
import shutil
import subprocess
import sys
import tempfile
import venv
import zipfile
from pathlib import Path

__all__ = ["main"]

REPO = Path(__file__).resolve().parents[2]
# What building bootguard's wheel reads; copied, so the checkout gets no build/ or egg-info.
SOURCES = ("pyproject.toml", "README.md", "LICENSE", "bootguard")

LOCK = "taskq==5.0.0\nmsgbus==4.1.0\n"  # what CI tested
INSTALLED = ("taskq==5.0.0", "msgbus==4.2.0")  # what the new node resolved
WHEELS = (
    ("taskq", "5.0.0", ("msgbus>=4.0.2,<5.0",)),
    ("msgbus", "4.1.0", ()),
    ("msgbus", "4.2.0", ()),
)


def build_wheel(directory: Path, name: str, version: str, requires: tuple[str, ...]) -> Path:
    """Write a minimal, valid pure-Python wheel (one module, METADATA, WHEEL, RECORD)."""
    info = f"{name}-{version}.dist-info"
    metadata = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
    metadata += "".join(f"Requires-Dist: {requirement}\n" for requirement in requires)
    files = {
        f"{name}.py": f'__version__ = "{version}"\n',
        f"{info}/METADATA": metadata,
        f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: drift-demo\nRoot-Is-Purelib: true\n"
        "Tag: py3-none-any\n",
    }
    record = []
    for path, text in files.items():
        data = text.encode()
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{path},sha256={digest},{len(data)}\n")
    files[f"{info}/RECORD"] = "".join(record) + f"{info}/RECORD,,\n"
    wheel = directory / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for path, text in files.items():
            archive.writestr(path, text)
    return wheel


def outer_pip() -> bool:
    """Whether this interpreter's pip can install into another one (``--python``, pip 22.3+),
    so the venv needs no copy of pip (faster than ``ensurepip``)."""
    try:
        major, minor = (int(part) for part in importlib.metadata.version("pip").split(".")[:2])
    except (importlib.metadata.PackageNotFoundError, ValueError):
        return False
    return (major, minor) >= (22, 3)


def execute(
    argv: list[str], cwd: Path, *, offline: bool = True
) -> subprocess.CompletedProcess[str]:
    """Run a command without the caller's bootguard settings.  ``offline`` also drops the
    caller's pip configuration (the demo wheels come from one directory, nothing else);
    the bootguard install keeps it: that is how pip reaches the user's package index."""
    drop = ("PIP_", "BOOTGUARD_") if offline else ("BOOTGUARD_",)
    env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
    env.update(PIP_DISABLE_PIP_VERSION_CHECK="1", NO_COLOR="1")
    if offline:
        env["PIP_CONFIG_FILE"] = os.devnull
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, check=False)


def make_venv(path: Path, outer: bool) -> tuple[Path, list[str]]:
    """Create a venv; return its interpreter and the pip command that installs into it."""
    venv.EnvBuilder(with_pip=not outer, symlinks=os.name != "nt").create(path)
    python = path / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    pip = (
        [sys.executable, "-m", "pip", "--python", str(python)]
        if outer
        else [str(python), "-m", "pip"]
    )
    return python, pip


def copy_sources(target: Path) -> None:
    """Copy what building bootguard's wheel needs from this checkout into ``target``."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    target.mkdir()
    for name in SOURCES:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=ignore)
        else:
            shutil.copy2(source, target / name)


def run(argv: list[str], cwd: Path, shown: str) -> int:
    """Run a command, print it as the user would type it, then its output; return its status."""
    result = execute(argv, cwd)
    print(f"$ {shown}")
    print((result.stdout + result.stderr).rstrip())
    print(f"(exit status {result.returncode})\n")
    return result.returncode


def main() -> int:
    """Build, install, run ``pip check`` and ``bootguard check``; 0 if the story played out."""
    if sys.version_info < (3, 10):  # noqa: UP036  (a newcomer's python3 may predate the floor)
        print(f"bootguard needs Python 3.10 or newer; {sys.executable} is {sys.version.split()[0]}")
        return 2
    missing = [name for name in SOURCES if not (REPO / name).exists()]
    if missing:
        print(f"run the demo from a bootguard checkout: {REPO} has no {', '.join(missing)}")
        return 2
    with tempfile.TemporaryDirectory(prefix="bootguard-drift-demo-") as tmp:
        work = Path(tmp)
        (work / "wheels").mkdir()
        for name, version, requires in WHEELS:
            build_wheel(work / "wheels", name, version, requires)
        (work / "requirements.lock").write_text(LOCK)
        outer = outer_pip()
        python, pip = make_venv(work / "venv", outer)
        install = [*pip, "install", "-q", "--no-index", "--find-links", "wheels", *INSTALLED]
        installed = execute(install, work)
        if installed.returncode != 0:
            print(f"could not install the demo wheels:\n{installed.stdout}{installed.stderr}")
            return 1

        print(f"Installing bootguard from {REPO} into a throw-away venv ...\n")
        copy_sources(work / "bootguard-src")
        tool, tool_pip = make_venv(work / "bootguard-venv", outer)
        installed = execute([*tool_pip, "install", "-q", "./bootguard-src"], work, offline=False)
        if installed.returncode != 0:
            print(f"could not install bootguard:\n{installed.stdout}{installed.stderr}")
            return 1

        print("The lock CI tested pins taskq 5.0.0 and msgbus 4.1.0; taskq requires")
        print("msgbus>=4.0.2,<5.0 (as celery required kombu>=4.0.2,<5.0). msgbus 4.2.0 is")
        print("released; a freshly autoscaled node runs `pip install` and gets it:\n")
        pip_status = run([*pip, "check"], work, "pip check")
        guard_status = run(
            [str(tool), "-m", "bootguard", "check", "--manifest", "requirements.lock",
             "--python", str(python.relative_to(work)), "--color", "never"],
            work,
            "bootguard check --manifest requirements.lock --python venv/bin/python",
        )  # fmt: skip
    if pip_status == 0 and guard_status == 1:
        print("pip check passes: every requirement is satisfied, 4.2.0 is inside taskq's range.")
        print("bootguard fails: msgbus is not the version the lock pins (the one CI tested), and")
        print("taskq accepts 4.2.0, so only the lock can tell. At boot, that exit status 1 (or")
        print("readiness 503) keeps this node out of the load balancer.")
        return 0
    print("unexpected: pip check should pass (exit 0) and bootguard check should fail (exit 1)")
    return 1


if __name__ == "__main__":
    sys.exit(main())
