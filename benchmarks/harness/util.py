"""Paths, setup subprocesses and small file helpers shared by every stage.

Why one module: the stages agree on where things live (pins, results, the probe), how a setup
command is run and fails (one line, never a traceback), how a cache marker is read and
written atomically, and which environment a tool runs in. Nothing here is timed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent  # benchmarks/
REPO = HERE.parent
PINS = HERE / "pins"
RESULTS = HERE / "results"
INPROC = HERE / "inproc.py"
MARKER = ".bootguard-bench.json"
DEFAULT_REPEAT = 21
QUICK_REPEAT = 5
RUN_TIMEOUT = 300.0
# Packages a fresh venv brings besides the pins (`pip freeze` omits them).
VENV_SEED = frozenset({"pip", "setuptools", "wheel"})
BUSY_LOAD = 0.75  # 1-minute load average above which the results say the machine was busy
WARM_LABEL = "app imports preloaded: logging typing re dataclasses json threading email"


def log(msg: str = "") -> None:
    """Print progress immediately (the table is printed as it goes)."""
    print(msg, flush=True)


def normalize(name: str) -> str:
    """PEP 503 name normalization."""
    return re.sub(r"[-_.]+", "-", name).lower()


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sha256_tree(root: Path) -> str:
    """Hex sha256 over the relative paths and bytes of the .py files under root."""
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def read_pins(path: Path) -> dict[str, str]:
    """``{normalized name: version}`` of a ``name==version`` pin file."""
    pins: dict[str, str] = {}
    for raw in path.read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        name, _, version = line.partition("==")
        pins[normalize(name.split("[", 1)[0].strip())] = version.split(";", 1)[0].strip()
    return pins


def last_line(text: str, limit: int = 160) -> str:
    """The last non-empty line of some output, shortened for a table cell."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    line = lines[-1] if lines else "(no output)"
    return line if len(line) <= limit else line[: limit - 1] + "…"


def sh(
    argv: Sequence[str | Path],
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = 1800.0,
) -> subprocess.CompletedProcess[str]:
    """Run a setup command, capturing output (never used for timing)."""
    return subprocess.run(
        [str(a) for a in argv],
        env=None if env is None else dict(env),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def must(proc: subprocess.CompletedProcess[str], what: str) -> str:
    """Return stdout, or stop the benchmark with the command's own error."""
    if proc.returncode != 0:
        sys.exit(f"bench: {what} failed (exit {proc.returncode}): {last_line(proc.stderr)}")
    return proc.stdout


def base_python() -> Path:
    """The real interpreter behind ``python3`` (resolving pyenv-style shims once)."""
    exe = shutil.which("python3") or sys.executable
    out = sh([exe, "-c", "import sys; print(sys.executable)"])
    return Path(must(out, "python3 -c sys.executable").strip())


def python_version(python: Path) -> str:
    """``platform.python_version()`` of an interpreter."""
    out = sh([python, "-c", "import platform; print(platform.python_version())"])
    return must(out, f"{python} --version").strip()


INVENTORY_CODE = (
    "import json\nfrom importlib.metadata import distributions\n"
    "print(json.dumps({d.metadata['Name']: d.version for d in distributions()}))"
)


def inventory(python: Path) -> dict[str, str]:
    """``{normalized name: version}`` installed in an interpreter's environment."""
    out = must(sh([python, "-I", "-c", INVENTORY_CODE]), f"inventory of {python}")
    return {normalize(k): v for k, v in json.loads(out).items()}


def read_marker(path: Path) -> dict[str, str]:
    """A marker file's JSON (empty when missing or unreadable)."""
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def write_json(path: Path, data: object) -> None:
    """Write JSON atomically (``*.tmp`` then rename)."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=False) + "\n")
    tmp.replace(path)


def write_text(path: Path, text: str) -> None:
    """Write text atomically (``*.tmp`` then rename)."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    tmp.replace(path)


def remove_venv(path: Path) -> None:
    """Delete a cached venv, refusing anything that does not look like one."""
    if not (path / "pyvenv.cfg").is_file():
        sys.exit(f"bench: refusing to delete {path}: no pyvenv.cfg, not a venv")
    shutil.rmtree(path)


def now_iso() -> str:
    """The current UTC time, ISO 8601, seconds."""
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()


def tool_env() -> dict[str, str]:
    """The machine's environment minus anything that would redirect Python or pip."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "PYTHONPATH",
            "PYTHONHOME",
            "PYTHONSTARTUP",
            "VIRTUAL_ENV",
            "PYTHONEXECUTABLE",
            "__PYVENV_LAUNCHER__",
            "PYTHONPROFILEIMPORTTIME",
        }
    }
    # The user's own BOOTGUARD_* settings (or the benchmark's cache variable) must not change
    # what the gate rows measure.
    env = {k: v for k, v in env.items() if not k.startswith("BOOTGUARD_")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"  # no network during timed runs
    return env
