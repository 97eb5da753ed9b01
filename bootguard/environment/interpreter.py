"""The ``--python`` probe: another interpreter's ``sys.path`` and marker environment.

Another interpreter is inspected by running a tiny stdlib-only script with it that prints
its ``sys.path`` and marker environment; nothing is installed there.  What it prints is
untrusted and checked for shape before use.
"""

from __future__ import annotations

import os

from bootguard._record import Record
from bootguard._text import one_line
from bootguard.errors import EnvironmentError_

TYPE_CHECKING = False
if TYPE_CHECKING:
    import subprocess

__all__ = ["InterpreterProbe", "probe_interpreter"]


class InterpreterProbe(Record):
    """What the probe reported: the interpreter's executable, its ``sys.path`` (without the
    script directory) and its PEP 508 marker environment (every marker variable)."""

    executable: str
    paths: tuple[str, ...]
    marker_env: dict[str, str]


# Runs inside the target interpreter: stdlib only, no site-packages imports, works on 3.8+.
# The marker environment is computed exactly as packaging.markers.default_environment does.
_PROBE = r"""
import json, os, platform, sys
def fmt(info):
    v = "{0.major}.{0.minor}.{0.micro}".format(info)
    if info.releaselevel != "final":
        v += info.releaselevel[0] + str(info.serial)
    return v
impl = sys.implementation.name
env = {
    "implementation_name": impl,
    "implementation_version": fmt(sys.implementation.version),
    "os_name": os.name,
    "platform_machine": platform.machine(),
    "platform_release": platform.release(),
    "platform_system": platform.system(),
    "platform_version": platform.version(),
    "python_full_version": platform.python_version(),
    "platform_python_implementation": platform.python_implementation(),
    "python_version": ".".join(platform.python_version_tuple()[:2]),
    "sys_platform": sys.platform,
}
print(json.dumps({"executable": sys.executable, "paths": sys.path[1:], "marker_env": env}))
"""


def probe_interpreter(python: str, *, timeout: float = 30.0) -> InterpreterProbe:
    """Run the stdlib-only probe with ``python``; returns executable, paths, marker_env.

    What the interpreter prints is untrusted: it must be one JSON object of exactly the
    probe's shape (``executable`` a string, ``paths`` a list of strings, ``marker_env`` an
    object of strings holding every PEP 508 marker variable), nested at most
    ``JSON_MAX_DEPTH`` deep, at most 4 MiB.  Anything else, a failure or a timeout raises
    :class:`EnvironmentError_` with one printable line that never quotes the probe script.
    """
    import subprocess  # deferred for import cost

    shown = one_line(repr(python))
    argv = [python, "-I", "-S", "-c", "import site; site.main()\n" + _PROBE]
    try:
        result = _run_bounded(argv, timeout, _PROBE_MAX_BYTES)
    except _TooMuchOutput as err:
        raise EnvironmentError_(
            f"interpreter {shown} printed more than {_PROBE_MAX_BYTES} bytes: not a probe report"
        ) from err
    except subprocess.TimeoutExpired as err:
        raise EnvironmentError_(
            f"interpreter {shown} did not report its environment within {timeout:g} s"
        ) from err
    except (OSError, ValueError) as err:
        reason = err.strerror if isinstance(err, OSError) and err.strerror else str(err)
        raise EnvironmentError_(f"cannot run interpreter {shown}: {one_line(reason)}") from err
    if result.returncode != 0:
        lines = result.stderr.decode("utf-8", "replace").strip().splitlines() or ["no output"]
        tail = one_line(lines[-1])[:300]
        raise EnvironmentError_(f"interpreter {shown} failed to report its environment: {tail}")
    return _probe_data(result.stdout, shown)


#: Marker variables the probe reports; ``packaging`` evaluates markers with all of them.
_MARKER_KEYS = frozenset(
    {
        "implementation_name",
        "implementation_version",
        "os_name",
        "platform_machine",
        "platform_release",
        "platform_system",
        "platform_version",
        "python_full_version",
        "platform_python_implementation",
        "python_version",
        "sys_platform",
    }
)


#: The probe prints a few kilobytes (``sys.path`` and the marker environment).
_PROBE_MAX_BYTES = 4 * 1024 * 1024


class _TooMuchOutput(Exception):
    """The probed interpreter wrote more than the cap (it was stopped)."""


def _run_bounded(argv: list[str], timeout: float, cap: int) -> subprocess.CompletedProcess[bytes]:
    """Run ``argv`` and capture its output, at most ``cap`` bytes per stream, within
    ``timeout`` seconds in all, reading included.

    ``subprocess.run(capture_output=True)`` keeps whatever the process writes: a wrong
    ``--python`` (``yes``, a program that prints forever) would fill memory until the
    timeout.  Here the output is read as it comes and the process group is killed when a
    stream passes ``cap`` (:class:`_TooMuchOutput`) or the time is up
    (``subprocess.TimeoutExpired``).  Where pipes cannot be polled (Windows) it falls back
    to ``subprocess.run``.
    """
    import subprocess

    try:
        import selectors

        selector = selectors.DefaultSelector()
    except (ImportError, OSError):  # pragma: no cover - platforms without select()
        return subprocess.run(argv, capture_output=True, timeout=timeout, check=False)
    import signal
    import time

    deadline = time.monotonic() + timeout
    posix = os.name == "posix"
    process = subprocess.Popen(
        argv,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=posix,  # so that its children are stopped with it
    )
    buffers = (bytearray(), bytearray())
    try:
        with selector:
            assert process.stdout is not None and process.stderr is not None
            selector.register(process.stdout, selectors.EVENT_READ, 0)
            selector.register(process.stderr, selectors.EVENT_READ, 1)
            while selector.get_map():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise subprocess.TimeoutExpired(argv, timeout)
                for key, _ in selector.select(remaining):
                    chunk = os.read(key.fd, 1 << 16)
                    if not chunk:
                        selector.unregister(key.fileobj)
                        continue
                    buffers[key.data].extend(chunk)
                    if len(buffers[key.data]) > cap:
                        raise _TooMuchOutput
        status = process.wait(max(deadline - time.monotonic(), 0.0))
    finally:
        if process.poll() is None:
            try:
                if posix:
                    os.killpg(process.pid, signal.SIGKILL)
                else:  # pragma: no cover
                    process.kill()
            except OSError:
                pass
            process.wait()
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()
    return subprocess.CompletedProcess(argv, status, bytes(buffers[0]), bytes(buffers[1]))


def _probe_data(output: bytes, shown: str) -> InterpreterProbe:
    """The probe's JSON, checked for shape; raises EnvironmentError_ naming what is wrong."""
    import json  # deferred for import cost

    from bootguard._files import JSON_MAX_DEPTH

    def bad(what: str) -> EnvironmentError_:
        return EnvironmentError_(f"interpreter {shown} printed an unexpected report: {what}")

    if _json_depth(output) > JSON_MAX_DEPTH:
        raise bad(f"JSON nested deeper than {JSON_MAX_DEPTH} levels")
    try:
        data = json.loads(output)
    except ValueError as err:  # includes UnicodeDecodeError
        raise bad("not JSON") from err
    if not isinstance(data, dict):
        raise bad(f"a JSON {type(data).__name__}, not an object")
    executable, paths, marker_env = (data.get(k) for k in ("executable", "paths", "marker_env"))
    if not isinstance(executable, str):
        raise bad("'executable' is not a string")
    if not isinstance(paths, list) or not all(isinstance(p, str) and "\0" not in p for p in paths):
        raise bad("'paths' is not a list of path strings")
    if not isinstance(marker_env, dict) or not all(isinstance(v, str) for v in marker_env.values()):
        raise bad("'marker_env' is not an object of strings")
    missing = sorted(_MARKER_KEYS - marker_env.keys())
    if missing:
        raise bad(f"'marker_env' lacks {', '.join(missing)}")
    return InterpreterProbe(executable, tuple(paths), {str(k): v for k, v in marker_env.items()})


def _json_depth(text: bytes) -> int:
    """The deepest nesting of arrays and objects in ``text`` (strings skipped), so that a
    hostile document is refused before ``json`` recurses into it."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in text:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            deepest = max(deepest, depth)
        elif byte in (0x5D, 0x7D):  # ] }
            depth -= 1
    return deepest
