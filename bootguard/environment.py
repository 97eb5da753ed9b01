"""The installed distributions of one interpreter, as its ``import`` sees them.

Distributions are found on ``sys.path`` in order; the first one of a name wins, as it does
for import.  A later copy of the same name is a *duplicate* (shadowed).  Metadata is read by
hand (the header section only) rather than through ``importlib.metadata``, whose import and
``email`` parsing cost 60-110 ms for 150 distributions; the few fields needed here (Name,
Version, Requires-Dist, Requires-Python, Provides-Extra) are read with ``email``'s rules
(a differential test holds the two equal).  Metadata files are untrusted: they are read
without blocking and with a size cap, and a distribution whose metadata cannot be read is
listed with a ``problem`` instead of stopping the inventory.

Another interpreter (``--python``) is inspected by running a tiny stdlib-only script with
it that prints its ``sys.path`` and marker environment; nothing is installed there.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

from bootguard._files import METADATA_MAX_BYTES, NotRegularFile, TooLarge, read_regular
from bootguard._scan import dir_identity, metadata_dirs, split_dir_name
from bootguard._text import one_line
from bootguard.errors import BootguardError
from bootguard.names import canonical_name

TYPE_CHECKING = False
if TYPE_CHECKING:
    import re
    import subprocess

__all__ = [
    "DirectUrl",
    "Distribution",
    "Duplicate",
    "Environment",
    "EnvironmentError_",
    "current_environment",
    "inspect_interpreter",
    "probe_interpreter",
]


class EnvironmentError_(BootguardError, OSError):
    """The target interpreter could not be inspected."""


@dataclass(frozen=True, slots=True)
class DirectUrl:
    """What an installer recorded in PEP 610 ``direct_url.json``: where the files came from.

    ``kind`` is ``"vcs"`` (``vcs``, ``commit_id``, ``requested_revision``), ``"archive"``
    (``hashes`` as ``algorithm:hex``, from ``archive_info.hashes`` and the legacy
    ``archive_info.hash``) or ``"directory"`` (``editable``).  ``url`` is the URL as
    recorded (for a VCS, without the ``git+`` prefix).  A distribution installed from an
    index has no such file, hence no DirectUrl.
    """

    kind: str
    url: str
    vcs: str | None = None
    commit_id: str | None = None
    requested_revision: str | None = None
    hashes: tuple[str, ...] = ()
    subdirectory: str | None = None
    editable: bool = False


@dataclass(frozen=True, slots=True)
class Distribution:
    """One installed distribution (one ``*.dist-info`` or ``*.egg-info``).

    ``direct_url`` is the recorded origin as one string (a VCS one in ``pip freeze``'s form,
    ``git+https://host/repo@<commit>``); ``origin`` is the same ``direct_url.json`` parsed.
    """

    name: str
    display_name: str
    version: str
    location: str
    metadata_dir: str
    requires: tuple[str, ...] = ()
    requires_python: str | None = None
    provides_extras: tuple[str, ...] = ()
    direct_url: str | None = None
    editable: bool = False
    origin: DirectUrl | None = None
    #: Why this distribution's metadata could not be fully read (None: it could).
    problem: str | None = None

    def __str__(self) -> str:
        return f"{self.display_name} {self.version}"


@dataclass(frozen=True, slots=True)
class Duplicate:
    """``shadowed`` is installed too, but ``winner`` comes first on the path (or beside it)."""

    winner: Distribution
    shadowed: Distribution

    @property
    def same_directory(self) -> bool:
        """Two metadata dirs of one name in one directory (a broken install if versions differ)."""
        return self.winner.location == self.shadowed.location

    @property
    def same_version(self) -> bool:
        """Both copies are one version (PEP 440 equal): nothing differs for import.

        Debian ships ``cryptography.egg-info`` beside ``cryptography-38.0.4.dist-info``; a
        stale ``myapp.egg-info`` in the checkout shadows the installed ``myapp`` of the same
        version.  ``pip check`` says nothing about either, and nothing is wrong.
        """
        if self.winner.version == self.shadowed.version:
            return True
        from packaging.version import InvalidVersion, Version  # deferred: import cost

        try:
            return Version(self.winner.version) == Version(self.shadowed.version)
        except InvalidVersion:
            return False


@dataclass(frozen=True, slots=True)
class Environment:
    """The inventory of one interpreter's environment."""

    executable: str
    python_version: str
    marker_env: dict[str, str]
    paths: tuple[str, ...]
    distributions: dict[str, Distribution]
    duplicates: tuple[Duplicate, ...] = ()

    def get(self, name: str) -> Distribution | None:
        """The winning distribution of a normalized name, or None."""
        return self.distributions.get(name)


def current_environment(paths: list[str] | tuple[str, ...] | None = None) -> Environment:
    """The environment of this interpreter (``paths`` defaults to ``sys.path``)."""
    from packaging.markers import default_environment  # deferred for import cost

    marker_env = {key: str(value) for key, value in default_environment().items()}
    search = tuple(sys.path if paths is None else paths)
    return _build(sys.executable, marker_env["python_full_version"], marker_env, search)


def inspect_interpreter(python: str, *, timeout: float = 30.0) -> Environment:
    """The environment of another interpreter, without installing anything into it."""
    probe = probe_interpreter(python, timeout=timeout)
    marker_env = {key: str(value) for key, value in dict(probe["marker_env"]).items()}  # type: ignore[call-overload]
    paths = tuple(str(p) for p in probe["paths"])  # type: ignore[attr-defined]
    return _build(str(probe["executable"]), marker_env["python_full_version"], marker_env, paths)


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


def probe_interpreter(python: str, *, timeout: float = 30.0) -> dict[str, object]:
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


def _probe_data(output: bytes, shown: str) -> dict[str, object]:
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
    return {"executable": executable, "paths": paths, "marker_env": marker_env}


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


def _build(
    executable: str, python_version: str, marker_env: dict[str, str], paths: tuple[str, ...]
) -> Environment:
    """The inventory of ``paths``: the first distribution of a name wins, later ones are
    duplicates, exactly as ``importlib.metadata`` and import resolve them."""
    winners: dict[str, Distribution] = {}
    duplicates: list[Duplicate] = []
    for entry, dir_name in metadata_dirs(paths):
        if dir_name.lower() == "egg-info" or not os.path.isdir(entry or "."):
            dist = _read_packed(entry, dir_name)  # an .egg directory, or a zip on the path
        else:
            dist = _read_distribution(entry, dir_name)
        if dist is None:
            continue
        first = winners.get(dist.name)
        if first is None:
            winners[dist.name] = dist
        else:
            duplicates.append(Duplicate(winner=first, shadowed=dist))
    return Environment(
        executable=executable,
        python_version=python_version,
        marker_env=marker_env,
        paths=paths,
        distributions=winners,
        duplicates=tuple(duplicates),
    )


def _read_packed(entry: str, dir_name: str) -> Distribution | None:
    """A distribution whose metadata is inside an ``.egg`` (``EGG-INFO``) or a zip file.

    ``importlib.metadata`` finds both (setuptools' ``easy_install`` and ``zipapp`` leave
    them on ``sys.path``); reading them here keeps bootguard's inventory the same as its.
    A zipped egg's ``requires.txt`` is not read (eggs record requirements there only).
    """
    is_dist_info = dir_name.endswith(".dist-info")
    member = f"{dir_name}/{'METADATA' if is_dist_info else 'PKG-INFO'}"
    zipped = not os.path.isdir(entry or ".")
    try:
        if zipped:
            import zipfile

            with zipfile.ZipFile(entry) as archive:
                info = archive.getinfo(member)
                if info.file_size > METADATA_MAX_BYTES:
                    return None
                data = archive.read(info)
        else:
            data = read_regular(os.path.join(entry, member), METADATA_MAX_BYTES)
    except Exception:  # missing member, bad zip, unreadable: import sees no metadata either
        return None
    block = _header_block(data, complete=True)
    assert block is not None  # a complete block always has an end
    headers = _headers_of(block)
    fallback_name, fallback_version = dir_identity(entry, dir_name)
    raw_name = (headers.get("name") or [fallback_name])[0]
    requires = tuple(headers.get("requires-dist", ()))
    meta_dir = os.path.join(entry, dir_name)
    problem = None
    if not requires and not zipped and not is_dist_info:
        try:
            requires = _egg_requires(os.path.join(meta_dir, "requires.txt"))
        except (OSError, UnicodeDecodeError) as err:
            problem = f"requires.txt cannot be read ({type(err).__name__}): its requirements are not checked"
    return Distribution(
        name=canonical_name(raw_name),
        display_name=raw_name,
        version=(headers.get("version") or [fallback_version])[0],
        location=entry,
        metadata_dir=meta_dir,
        requires=requires,
        requires_python=next(iter(headers.get("requires-python", ())), None),
        provides_extras=tuple(headers.get("provides-extra", ())),
        problem=problem,
    )


def _read_distribution(entry: str, dir_name: str) -> Distribution | None:
    """Read one metadata directory; None only if it vanished since the scan.

    Metadata that cannot be read does not stop the inventory: the distribution is still
    listed, named and versioned from its directory name where the file says nothing usable,
    and ``problem`` says what is wrong (``bootguard.checks.check_metadata`` reports it).
    Names and versions are made printable here (see :func:`bootguard._text.one_line`), so
    nothing downstream meets an undecodable byte or a terminal control character.
    """
    meta_dir = os.path.join(entry or ".", dir_name)
    is_egg = dir_name.endswith(".egg-info")
    is_dir = os.path.isdir(meta_dir)
    kind = "PKG-INFO" if is_egg else "METADATA"
    # an egg-info that is not a directory is a single-file PKG-INFO (old distutils installs)
    metadata_file = meta_dir if is_egg and not is_dir else os.path.join(meta_dir, kind)
    dir_name_name, dir_version = split_dir_name(dir_name)
    problems: list[str] = []
    headers: dict[str, list[str]] | None = None
    try:
        headers = _read_headers(metadata_file)
    except FileNotFoundError:
        if not os.path.lexists(meta_dir):
            return None  # uninstalled while the path was being scanned
        problems.append(f"no {kind} file")
    except OSError as err:
        problems.append(f"{kind} {_unreadable(err)}")
    if headers is None:
        headers = {}
    else:  # read: what it says must be usable
        if not headers.get("name", [""])[0]:
            problems.append(f"{kind} has no Name")
        if not headers.get("version"):
            problems.append(f"{kind} has no Version")
        elif not headers["version"][0]:
            problems.append(f"{kind} has an empty Version")
    names = headers.get("name")
    versions = headers.get("version")
    raw_name = names[0] if names and names[0] else dir_name_name
    version = versions[0] if versions and versions[0] else dir_version
    raw_name, name_problem = _printable(raw_name, dir_name_name, "Name")
    version, version_problem = _printable(version, dir_version, "Version")
    problems.extend(p for p in (name_problem, version_problem) if p)
    requires = tuple(headers.get("requires-dist", ()))
    if is_egg and not requires and is_dir:
        try:
            requires = _egg_requires(os.path.join(meta_dir, "requires.txt"))
        except OSError as err:
            problems.append(f"requires.txt {_unreadable(err)}: its requirements are not checked")
        except UnicodeDecodeError:
            problems.append("requires.txt is not UTF-8 text: its requirements are not checked")
    direct_url, editable, origin = _direct_url(meta_dir) if not is_egg else (None, False, None)
    if is_egg and not editable:
        # ``setup.py develop`` / legacy editable installs leave ``name.egg-info`` in the
        # project directory that a .pth file puts on the path.
        editable = not dir_version
    requires_python = next(iter(headers.get("requires-python", ())), None)
    return Distribution(
        name=canonical_name(raw_name),
        display_name=raw_name,
        version=version,
        location=entry,
        metadata_dir=meta_dir,
        requires=requires,
        requires_python=requires_python,
        provides_extras=tuple(headers.get("provides-extra", ())),
        direct_url=direct_url,
        editable=editable,
        origin=origin,
        problem="; ".join(problems) or None,
    )


def _unreadable(err: OSError) -> str:
    """Why a metadata file could not be read, in a few words (never its content)."""
    if isinstance(err, (NotRegularFile, TooLarge)):
        return f"is {err}"
    return f"cannot be read ({err.strerror or type(err).__name__})"


def _printable(text: str, fallback: str, field: str) -> tuple[str, str | None]:
    """``text``, or if it cannot be printed (undecodable bytes, control characters) the
    directory name's ``fallback``, which installers write from the same value; and the
    problem with ``text`` (shown escaped).  Whatever is returned is safe to print and encode.
    """
    if text.isprintable():
        return text, None
    if any(0xD800 <= ord(char) <= 0xDFFF for char in text):
        problem = f"{field} {one_line(text)} holds bytes that are not UTF-8"
    else:
        problem = f"{field} {one_line(text)} holds control characters"
    return (fallback if fallback.isprintable() else one_line(fallback)), problem


_WANTED = tuple(
    (key, key.decode().lower())
    for key in (b"Name", b"Version", b"Requires-Dist", b"Requires-Python", b"Provides-Extra")
)
#: METADATA bytes read first: the header block of real files ends well inside them.
_HEAD = 16384
#: Where ``email`` ends the header section: at a blank line, or at the first line that is
#: neither a header (``name:`` with printable name characters), a continuation (leading
#: space or tab) nor a ``From `` envelope line (``email.feedparser.headerRE``).  Only
#: complete lines count, so a truncated read never ends the headers early.
_HEADER_END = rb"\n(?:\n|(?![\x21-\x39\x3b-\x7e]*:|[ \t]|From )[^\n]*\n)"
_header_end: re.Pattern[bytes] | None = None
#: The five fields in any case: more of these than canonical ones sends a block to the
#: general parser.
_ANY_CASE = rb"\n(?i:name|version|requires-dist|requires-python|provides-extra):"
_any_case: re.Pattern[bytes] | None = None
_STRIP = " \t\n\r\x0b\x0c"  # what bytes.strip() strips, for the str parser


def _read_headers(path: str) -> dict[str, list[str]]:
    """The five header fields bootguard needs from a METADATA/PKG-INFO file, keys lowercased.

    Parsed as ``importlib.metadata`` (``email``) parses them: CR, LF and CRLF line ends,
    folded lines (joined with one space; values stripped), the header section ending at the
    first blank or non-header line, names matched in any case, undecodable bytes kept as
    surrogate escapes.  This runs for every installed distribution, so instead of splitting
    every header line (a header block can hold hundreds of classifier and license lines) it
    finds the block's end with one regular-expression search and the five fields with
    ``bytes.find``, about twice as fast as a line parser; only a block that also writes one
    of the five in another case than the canonical one (one more search counts them) goes
    to the general parser.

    Reads through :func:`bootguard._files.read_regular`: raises ``OSError`` (a FIFO, a
    device, a file over ``METADATA_MAX_BYTES`` whose headers do not end in the first
    16 KiB, an unreadable or missing file) and never blocks.
    """
    data = read_regular(path, METADATA_MAX_BYTES, head=_HEAD)
    block = _header_block(data, complete=len(data) < _HEAD)
    if block is None:  # the headers go on past the first read: read it all (capped)
        block = _header_block(read_regular(path, METADATA_MAX_BYTES), complete=True)
    assert block is not None
    return _headers_of(block)


def _headers_of(block: bytes) -> dict[str, list[str]]:
    """The five fields of a header section as :func:`_header_block` returns it."""
    headers: dict[str, list[str]] = {}
    found = 0
    for key, name in _WANTED:
        values = _field(block, key)
        if values:
            headers[name] = values
            found += len(values)
    assert _any_case is not None  # compiled with _header_end
    if len(_any_case.findall(block)) != found:  # one of the five written in another case
        return _parse_headers(block[1:].decode("utf-8", "surrogateescape"))
    return headers


def _header_block(data: bytes, *, complete: bool) -> bytes | None:
    """The header section of ``data`` as ``email`` delimits it, LF line ends, starting with
    a newline; None when ``data`` is a prefix (not ``complete``) that does not reach its end."""
    global _header_end, _any_case
    if _header_end is None:
        import re  # deferred: loaded by packaging on every path that reads metadata anyway

        _header_end = re.compile(_HEADER_END)
        _any_case = re.compile(_ANY_CASE)
    if b"\r" in data:  # rare: only then is every line end rewritten
        data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    text = b"\n" + data + b"\n" if complete else b"\n" + data[: data.rfind(b"\n") + 1]
    match = _header_end.search(text)
    if match is None:
        return text[:-1] if complete else None
    return text[: match.start()]


def _field(block: bytes, key: bytes) -> list[str]:
    """Every value of header ``key`` in ``block`` (LF line ends, starts with a newline)."""
    needle = b"\n" + key + b":"
    values: list[str] = []
    position = block.find(needle)
    while position >= 0:
        start = position + len(needle)
        stop = block.find(b"\n", start)
        stop = len(block) if stop < 0 else stop
        value = block[start:stop].strip()
        while block[stop + 1 : stop + 2] in (b" ", b"\t"):  # folded continuation lines
            after = block.find(b"\n", stop + 1)
            after = len(block) if after < 0 else after
            piece = block[stop + 1 : after].strip()
            if piece:
                value = value + b" " + piece if value else piece
            stop = after
        values.append(value.decode("utf-8", "surrogateescape"))
        position = block.find(needle, stop)
    return values


def _parse_headers(text: str) -> dict[str, list[str]]:
    """The general header parser (any field, any case), with ``email``'s rules.

    Lines end at CR, LF or CRLF; the header section ends at the first blank line or the
    first line that is not a header, a continuation or a ``From `` envelope line; a
    continuation with no header before it is dropped, as are ``From `` lines and lines
    with an empty name.  Values are stripped and folded lines joined with one space.
    """
    import re  # deferred: the general parser is the rare path

    header_line = re.compile(r"From |[\x21-\x39\x3b-\x7e]*:|[ \t]")
    headers: dict[str, list[str]] = {}
    last: list[str] | None = None
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if not header_line.match(line):
            break
        if line[:1] in (" ", "\t"):
            piece = line.strip(_STRIP)
            if last is not None and piece:  # folded continuation of the previous header
                last[-1] = f"{last[-1]} {piece}" if last[-1] else piece
            continue
        last = None
        key, _, value = line.partition(":")
        if not key or line.startswith("From "):
            continue
        last = headers.setdefault(key.lower(), [])
        last.append(value.strip(_STRIP))
    return headers


def _egg_requires(path: str) -> tuple[str, ...]:
    """Requires-Dist equivalents of an egg-info ``requires.txt`` (as importlib.metadata does).

    No file: no requirements.  Raises ``OSError`` for a file that cannot be read (a FIFO,
    a device, too large) and ``UnicodeDecodeError`` for one that is not UTF-8, which
    ``importlib.metadata`` refuses too.
    """
    try:
        data = read_regular(path, METADATA_MAX_BYTES)
    except FileNotFoundError:
        return ()
    text = data.decode("utf-8")
    result: list[str] = []
    extra, marker = "", ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            extra, _, marker = line[1:-1].partition(":")
            continue
        conditions = []
        if marker:
            conditions.append(f"({marker})" if extra else marker)
        if extra:
            conditions.append(f'extra == "{extra}"')
        result.append(f"{line}; {' and '.join(conditions)}" if conditions else line)
    return tuple(result)


def _direct_url(meta_dir: str) -> tuple[str | None, bool, DirectUrl | None]:
    """PEP 610 ``direct_url.json``: the URL as one string, whether editable, and all of it.

    The file is untrusted: it is read with a size cap and without blocking, and one that is
    not JSON, nests deeper than any real one, or lacks a string ``url`` means "no origin
    recorded" (a finding elsewhere may say the install is odd; this never raises).
    """
    from bootguard._files import METADATA_MAX_BYTES, read_regular

    try:
        raw = read_regular(os.path.join(meta_dir, "direct_url.json"), METADATA_MAX_BYTES)
    except (OSError, ValueError):
        return None, False, None
    data = _json_object(raw)
    if data is None:
        return None, False, None
    dir_info = data.get("dir_info")
    editable = isinstance(dir_info, dict) and dir_info.get("editable") is True
    url = data.get("url")
    if not isinstance(url, str):
        return None, editable, None
    origin = _origin(data, url, editable)
    if origin.kind == "vcs":
        # the form pip freeze writes: git+https://host/repo@<commit>
        url = f"{origin.vcs}+{url}@{origin.commit_id or ''}"
    return url, editable, origin


#: A real ``direct_url.json`` is well under a kilobyte; one larger than this that also holds
#: more brackets than any real one nests is not measured, only refused.
_JSON_SCAN_MAX_BYTES = 64 * 1024


def _json_object(raw: bytes) -> dict[str, object] | None:
    """``raw`` parsed as a JSON object, or None (not JSON, not an object, nested too deep)."""
    from bootguard._files import JSON_MAX_DEPTH

    if raw.count(b"[") + raw.count(b"{") > JSON_MAX_DEPTH and (
        len(raw) > _JSON_SCAN_MAX_BYTES or _depth(raw) > JSON_MAX_DEPTH
    ):
        return None
    import json  # deferred: only direct-URL / editable installs have this file

    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def _depth(raw: bytes) -> int:
    """The nesting of arrays and objects in a JSON text, up to ``JSON_MAX_DEPTH + 1``.

    Strings are blanked, everything but brackets dropped, then innermost ``[]``/``{}``
    pairs removed pass after pass; each pass lowers the nesting by one.  Every step runs
    in C, not a Python loop per byte.  Unbalanced brackets (not JSON anyway) count as too
    deep.
    """
    import re  # deferred: only a file with more brackets than any real one gets here

    from bootguard._files import JSON_MAX_DEPTH

    text = re.sub(rb'"(?:[^"\\]|\\.)*"', b"", raw)
    pair = re.compile(rb"\[\]|\{\}")
    brackets = b"[]{}"
    text = text.translate(None, bytes(set(range(256)) - set(brackets)))
    for depth in range(JSON_MAX_DEPTH + 1):
        if not text:
            return depth
        shorter = pair.sub(b"", text)  # one layer per pass ("{[]}" needs two)
        if len(shorter) == len(text):
            break  # no innermost pair left: unbalanced
        text = shorter
    return JSON_MAX_DEPTH + 1


def _origin(data: dict[str, object], url: str, editable: bool) -> DirectUrl:
    """The parsed origin of a ``direct_url.json`` object that has a string ``url``."""

    def text(table: object, key: str) -> str | None:
        value = table.get(key) if isinstance(table, dict) else None
        return value if isinstance(value, str) and value else None

    subdirectory = text(data, "subdirectory")
    vcs_info = data.get("vcs_info")
    if isinstance(vcs_info, dict) and text(vcs_info, "vcs"):
        return DirectUrl(
            kind="vcs",
            url=url,
            vcs=text(vcs_info, "vcs"),
            commit_id=text(vcs_info, "commit_id"),
            requested_revision=text(vcs_info, "requested_revision"),
            subdirectory=subdirectory,
        )
    archive_info = data.get("archive_info")
    if isinstance(archive_info, dict):
        hashes: list[str] = []
        table = archive_info.get("hashes")
        if isinstance(table, dict):
            hashes.extend(
                f"{name.lower()}:{value.lower()}"
                for name, value in table.items()
                if isinstance(name, str) and isinstance(value, str)
            )
        legacy = text(archive_info, "hash")
        if legacy and "=" in legacy:
            name, _, value = legacy.partition("=")
            hashes.append(f"{name.lower()}:{value.lower()}")
        return DirectUrl(
            kind="archive", url=url, hashes=tuple(dict.fromkeys(hashes)), subdirectory=subdirectory
        )
    return DirectUrl(kind="directory", url=url, editable=editable, subdirectory=subdirectory)
