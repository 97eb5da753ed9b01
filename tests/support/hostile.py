"""Hostile inputs for bootguard, bounded child processes, and a judge of the outcome.

Why: bootguard runs at boot on every node, reading files it does not control (every
distribution's METADATA, RECORD, ``direct_url.json``, ``requires.txt``, and the manifest).
One malformed file must never hang the boot, crash the command, or hide a real drift on
another distribution.  The suite in ``tests/e2e/test_hostile.py`` breaks real installed
environments and real manifests with this module and judges what the real CLI and the
real ``guard()`` do about it.

Three parts:

* :func:`run_bounded` runs a child in its own process group with a hard timeout and kills
  the whole group (by its id) when it expires, so a hang is a result, not a stuck suite;
  :func:`run_all` runs many of them concurrently, so hangs overlap instead of adding up.
* :data:`BREAKS` are the ways one installed distribution is broken, on disk, for real:
  random bytes, CRLF line ends, invalid versions, non-UTF-8 names, FIFOs, ``/dev/zero``,
  deep JSON nesting, NUL bytes.  Each says what a correct bootguard reports about it.
* :class:`Tally` counts cases and problems (hang, traceback, hidden drift, ...) and keeps
  the first example of each problem, so a failing run says what to reproduce.
"""

from __future__ import annotations

import json
import os
import re
import resource
import signal
import stat
import subprocess
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "BREAKS",
    "GUARD_SCRIPT",
    "HARD_TIMEOUT",
    "PROBLEMS",
    "Break",
    "Expectation",
    "Outcome",
    "Tally",
    "break_distribution",
    "judge_check",
    "judge_guard",
    "judge_manifest_error",
    "judge_survival",
    "run_all",
    "run_bounded",
]

#: Seconds a bootguard child may take before it counts as hung and is killed.  A check of
#: the test venvs takes well under a second; the margin covers a loaded CI machine.
HARD_TIMEOUT = 15.0
#: Address-space cap of every child: a runaway read (``/dev/zero``) ends in MemoryError,
#: which the judge sees as a traceback, instead of pushing the test machine into swap.
_MEMORY_CAP = 2 << 30

#: Every problem the judges can name, in the order the summary lists them.
PROBLEMS = (
    "hang",
    "traceback",
    "hidden drift",
    "wrong exit",
    "noisy stderr",
    "false alarm",
    "no metadata finding",
    "internal error",
    "no config finding",
    "raw control character",
    "snapshot lost",
    "temp file left",
)


# --- bounded child processes ------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What one child did; ``returncode`` is None when it was killed at the timeout."""

    argv: tuple[str, ...]
    returncode: int | None
    stdout: str
    stderr: str
    seconds: float

    @property
    def hung(self) -> bool:
        """The child did not finish within its timeout."""
        return self.returncode is None

    @property
    def stderr_lines(self) -> list[str]:
        """The non-empty lines of standard error."""
        return [line for line in self.stderr.splitlines() if line.strip()]


def _limit_memory() -> None:  # runs in the child between fork and exec
    resource.setrlimit(resource.RLIMIT_AS, (_MEMORY_CAP, _MEMORY_CAP))


def run_bounded(
    argv: Sequence[str | Path],
    *,
    env: Mapping[str, str],
    cwd: Path,
    timeout: float = HARD_TIMEOUT,
) -> Outcome:
    """Run ``argv`` in a new session; after ``timeout`` seconds kill its process group.

    The child gets no standard input (a read from it ends at once) and at most
    :data:`_MEMORY_CAP` of address space.  Output is decoded with ``surrogateescape`` so
    that raw bytes (an escape sequence, a non-UTF-8 name) stay visible to the judges.
    """
    command = tuple(str(arg) for arg in argv)
    started = time.monotonic()
    process = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=cwd,
        env=dict(env),
        start_new_session=True,
        preexec_fn=_limit_memory,  # noqa: PLW1509 - only setrlimit, no locks taken
    )
    returncode: int | None
    try:
        out, err = process.communicate(timeout=timeout)
        returncode = process.returncode
    except subprocess.TimeoutExpired:
        # The session leader's id is the group id: this kills the child and everything it
        # started (an ``unshare`` wrapper, a probe interpreter), and nothing else.
        os.killpg(process.pid, signal.SIGKILL)
        out, err = process.communicate()
        returncode = None
    return Outcome(
        argv=command,
        returncode=returncode,
        stdout=out.decode("utf-8", "surrogateescape"),
        stderr=err.decode("utf-8", "surrogateescape"),
        seconds=time.monotonic() - started,
    )


def run_all(jobs: Sequence[Callable[[], Outcome]], *, workers: int = 4) -> list[Outcome]:
    """Run the jobs (each a :func:`run_bounded` call) concurrently; results in job order.

    A hung child sleeps on a FIFO or spins on ``/dev/zero`` until its timeout, so running a
    few at once makes ten hangs cost about three timeouts instead of ten.
    """
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda job: job(), jobs))


# --- the tally ---------------------------------------------------------------------------


@dataclass
class Tally:
    """Cases tried and problems found, with the first example of each problem."""

    name: str
    tried: int = 0
    problems: Counter[str] = field(default_factory=Counter)
    examples: dict[str, str] = field(default_factory=dict)
    failed_cases: list[tuple[str, list[str]]] = field(default_factory=list)

    def record(self, case: str, problems: Iterable[str], outcome: Outcome | None) -> None:
        """Count one case and what went wrong with it (nothing, ideally)."""
        self.tried += 1
        found = sorted(set(problems), key=PROBLEMS.index)
        for problem in found:
            self.problems[problem] += 1
            if problem not in self.examples:
                self.examples[problem] = f"{case}\n{_describe(outcome)}"
        if found:
            self.failed_cases.append((case, found))

    def add(self, other: Tally) -> None:
        """Fold another tally into this one (the module-wide total)."""
        self.tried += other.tried
        self.problems.update(other.problems)
        for problem, example in other.examples.items():
            self.examples.setdefault(problem, example)
        self.failed_cases.extend(other.failed_cases)

    @property
    def clean(self) -> bool:
        """Nothing went wrong in any case."""
        return not self.problems

    def summary(self) -> str:
        """The one-line count: cases tried, hangs, tracebacks, drifts hidden, the rest."""
        head = (
            f"{self.name}: {self.tried} cases tried, {self.problems['hang']} hangs, "
            f"{self.problems['traceback']} tracebacks, "
            f"{self.problems['hidden drift']} drifts hidden"
        )
        rest = [
            f"{count} {problem}" for problem in PROBLEMS[3:] if (count := self.problems[problem])
        ]
        return head + (f" ({', '.join(rest)})" if rest else "")

    def report(self) -> str:
        """The summary, every failing case with its problems, and one example per problem."""
        lines = [self.summary(), "failing cases:"]
        lines += [f"  {case}: {', '.join(found)}" for case, found in self.failed_cases]
        for problem in PROBLEMS:
            if problem in self.examples:
                lines += [f"--- first {problem} ---", self.examples[problem]]
        return "\n".join(lines)


def _describe(outcome: Outcome | None) -> str:
    if outcome is None:
        return "(no process)"
    status = "killed at the timeout" if outcome.hung else f"exit {outcome.returncode}"
    return (
        f"$ {' '.join(outcome.argv)}\n{status} after {outcome.seconds:.1f} s\n"
        f"stdout: {_tail(outcome.stdout)}\nstderr: {_tail(outcome.stderr)}"
    )


def _tail(text: str, limit: int = 1200) -> str:
    text = text.strip()
    return repr(text if len(text) <= limit else "..." + text[-limit:])


# --- breaking one installed distribution --------------------------------------------------


@dataclass(frozen=True)
class Break:
    """One way to break a distribution's metadata directory, and what bootguard must say.

    ``metadata``: a ``<dist>:metadata`` finding is required (the metadata cannot be read:
    missing, not a regular file, no valid Name/Version).  ``silent``: no finding at all may
    name the distribution (the file is valid, only unusual: CRLF line ends).  Neither: any
    finding about the distribution is acceptable, as long as everything else holds.
    ``egg`` / ``wheel``: which kind of metadata directory it applies to.
    """

    name: str
    apply: Callable[[Path, bytes], object]
    metadata: bool = False
    silent: bool = False
    wheel: bool = True
    egg: bool = True


def _metadata_file(meta_dir: Path) -> Path:
    return meta_dir / ("PKG-INFO" if meta_dir.name.endswith(".egg-info") else "METADATA")


def _replace_with_fifo(path: Path) -> None:
    path.unlink(missing_ok=True)
    os.mkfifo(path)


def _replace_with_link(path: Path, target: str) -> None:
    path.unlink(missing_ok=True)
    path.symlink_to(target)


def _edit_header(meta_dir: Path, key: bytes, value: bytes) -> None:
    """Set header ``key`` of the metadata file to the raw bytes ``value``."""
    path = _metadata_file(meta_dir)
    data = path.read_bytes()
    pattern = re.compile(rb"^" + re.escape(key) + rb":[^\n]*$", re.MULTILINE)
    line = key + b": " + value if value else key + b":"
    path.write_bytes(pattern.sub(lambda _: line, data, count=1))


def _add_header(meta_dir: Path, key: bytes, value: bytes) -> None:
    """Add header ``key: value`` after the metadata file's ``Version`` line."""
    path = _metadata_file(meta_dir)
    data = path.read_bytes()
    version = re.search(rb"^Version:[^\n]*\n", data, re.MULTILINE)
    assert version is not None, path
    path.write_bytes(data[: version.end()] + key + b": " + value + b"\n" + data[version.end() :])


def _crlf(meta_dir: Path, _: bytes) -> None:
    """CRLF line ends, and a description that quotes a Requires-Dist line.

    ``importlib.metadata`` stops at the blank line, so the quoted line is description
    text, not a requirement: a reader that misses the CRLF blank line reports a
    requirement that does not exist (a false alarm).
    """
    path = _metadata_file(meta_dir)
    text = path.read_bytes().replace(b"\r\n", b"\n").rstrip(b"\n")
    body = b"Install it with:\n\nRequires-Dist: ghostpkg>=1\nVersion: 0.0.1\n"
    path.write_bytes((text + b"\n\n" + body).replace(b"\n", b"\r\n"))


def _record(meta_dir: Path) -> Path:
    return meta_dir / "RECORD"


def _record_with_entries(meta_dir: Path, entries: bytes) -> None:
    path = _record(meta_dir)
    path.write_bytes(path.read_bytes() + entries)


def _module_fifo(meta_dir: Path, _: bytes) -> None:
    """Replace the first installed module the RECORD lists by a FIFO (for --integrity)."""
    site = meta_dir.parent
    for row in _record(meta_dir).read_text(encoding="utf-8").splitlines():
        relative = row.split(",", 1)[0]
        if relative.endswith(".py") and ".dist-info/" not in relative:
            _replace_with_fifo(site / relative)
            return
    raise AssertionError(f"no module in {meta_dir}/RECORD")


def _deep_json(depth: int = 100_000) -> bytes:
    return b'{"url": "file:///srv/app", "dir_info": ' + b"[" * depth + b"]" * depth + b"}"


def _replace_with_directory(path: Path) -> None:
    path.unlink()
    path.mkdir()


def _write(name: str) -> Callable[[Path, bytes], None]:
    def apply(meta_dir: Path, payload: bytes) -> None:
        (meta_dir / name).write_bytes(payload)

    return apply


def _meta(change: Callable[[Path], None]) -> Callable[[Path, bytes], None]:
    return lambda meta_dir, _: change(_metadata_file(meta_dir))


BREAKS: dict[str, Break] = {
    b.name: b
    for b in (
        Break("metadata-missing", _meta(lambda p: p.unlink()), metadata=True),
        Break("metadata-fifo", _meta(_replace_with_fifo), metadata=True),
        Break("metadata-dev-zero", _meta(lambda p: _replace_with_link(p, "/dev/zero")), metadata=True),
        Break("metadata-dev-full", _meta(lambda p: _replace_with_link(p, "/dev/full")), metadata=True),
        Break("metadata-directory", _meta(_replace_with_directory), metadata=True),
        Break(
            "metadata-random-bytes",
            lambda d, payload: _metadata_file(d).write_bytes(payload.replace(b":", b";")),
            metadata=True,
        ),
        Break("metadata-crlf", _crlf, silent=True),
        Break("version-invalid", lambda d, _: _edit_header(d, b"Version", b"8.5.1.banana"), metadata=True),
        Break("version-empty", lambda d, _: _edit_header(d, b"Version", b""), metadata=True),
        Break(
            "version-control-characters",
            lambda d, _: _edit_header(d, b"Version", b"1.0\x1b]0;pwned\x07\x1b[2J\r"),
            metadata=True,
        ),
        Break("requires-dist-marker-5000-deep", lambda d, _: _add_header(
            d, b"Requires-Dist", b"msgbus ; " + b"(" * 5000 + b"python_version > '3'" + b")" * 5000)),
        Break("name-not-utf8", lambda d, _: _edit_header(d, b"Name", b"caf\xe9-\xff\xfepkg")),
        Break("record-random-bytes", _write("RECORD"), egg=False),
        Break("record-missing", lambda d, _: _record(d).unlink(), egg=False),
        Break("record-fifo", lambda d, _: _replace_with_fifo(_record(d)), egg=False),
        Break("record-dev-zero", lambda d, _: _replace_with_link(_record(d), "/dev/zero"), egg=False),
        Break(
            "record-nul-bytes",
            lambda d, _: _record_with_entries(d, b"pkg/\x00evil.py,sha256=AAAA,12\n\x00,,\n"),
            egg=False,
        ),
        Break(
            "record-names-dev-zero",
            lambda d, _: _record_with_entries(
                d, b"/dev/zero,sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU,1000\n"
                b"../../../../../../../../dev/zero,sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU,1000\n"
            ),
            egg=False,
        ),
        Break("module-fifo", _module_fifo, egg=False),
        Break("direct-url-random-bytes", _write("direct_url.json"), egg=False),
        Break("direct-url-deep-nesting", lambda d, _: (d / "direct_url.json").write_bytes(_deep_json()), egg=False),
        Break("direct-url-fifo", lambda d, _: _replace_with_fifo(d / "direct_url.json"), egg=False),
        Break("requires-random-bytes", _write("requires.txt"), wheel=False),
        Break("requires-not-utf8", lambda d, _: (d / "requires.txt").write_bytes(b"msgbus>=4\n[caf\xe9]\n\xff\xfe\n"), wheel=False),
        Break("requires-fifo", lambda d, _: _replace_with_fifo(d / "requires.txt"), wheel=False),
    )
}  # fmt: skip


def break_distribution(meta_dir: Path, kind: str, payload: bytes = b"") -> None:
    """Apply break ``kind`` to the metadata directory ``meta_dir`` (on disk, for real)."""
    chosen = BREAKS[kind]
    is_egg = meta_dir.name.endswith(".egg-info")
    if (is_egg and not chosen.egg) or (not is_egg and not chosen.wheel):
        raise ValueError(f"break {kind!r} does not apply to {meta_dir.name}")
    chosen.apply(meta_dir, payload)


# --- judging ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Expectation:
    """What a correct check of one broken environment reports.

    ``drift``: the finding key of the real drift (``msgbus:version``), always ``fail``.
    ``healthy``: names nothing may be reported about (besides the drift).  ``metadata``:
    broken names that need a ``<name>:metadata`` finding, mapped to its status (``fail``
    when the manifest names the distribution, else ``warn``).  ``silent``: broken names
    that must not be reported at all, except as ``extraneous`` when they are ``unlisted``
    (the manifest leaves them out on purpose, so that warning is the right answer whatever
    the break).  ``errors``: how many problems could each deserve
    a line on stderr (one per broken distribution; findings themselves go to stdout).
    """

    drift: str
    healthy: frozenset[str]
    metadata: Mapping[str, str] = field(default_factory=dict)
    silent: frozenset[str] = frozenset()
    unlisted: frozenset[str] = frozenset()
    errors: int = 1


_TEXT_FINDING = re.compile(r"^(FAIL|WARN)\s+(\S+)\s", re.MULTILINE)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_RANK = {"pass": 0, "warn": 1, "fail": 2}


def findings_of(outcome: Outcome, *, json_output: bool) -> dict[str, str] | None:
    """Finding key -> worst status, from a ``check --json`` or text report (None: unreadable)."""
    if json_output:
        try:
            document = json.loads(outcome.stdout)
            checks = document["checks"]
            return {
                key: max((item["status"] for item in items), key=_RANK.__getitem__)
                for key, items in checks.items()
            }
        except (ValueError, KeyError, TypeError):
            return None
    found: dict[str, str] = {}
    for label, key in _TEXT_FINDING.findall(outcome.stdout):
        status = label.lower()
        if _RANK[status] > _RANK.get(found.get(key, "pass"), 0):
            found[key] = status
    return found


def _common(outcome: Outcome, exits: Iterable[int] = (0, 1, 2)) -> list[str]:
    """A traceback anywhere in the output, and an exit status not in ``exits``."""
    problems = []
    if "Traceback (most recent call last)" in outcome.stderr + outcome.stdout:
        problems.append("traceback")
    if outcome.returncode not in tuple(exits):
        problems.append("wrong exit")
    return problems


def _judge_findings(found: Mapping[str, str], expect: Expectation) -> list[str]:
    problems = []
    if found.get(expect.drift) != "fail":
        problems.append("hidden drift")
    for key, status in found.items():
        if status == "pass":
            continue
        subject = key.rpartition(":")[0]
        if key == expect.drift:
            continue
        if subject == "bootguard":
            problems.append("internal error")
        elif subject in expect.healthy or (
            subject in expect.silent
            and not (subject in expect.unlisted and key.endswith(":extraneous"))
        ):
            problems.append("false alarm")
    for name, status in expect.metadata.items():
        if found.get(f"{name}:metadata") != status:
            problems.append("no metadata finding")
    return problems


def judge_check(outcome: Outcome, expect: Expectation, *, json_output: bool) -> list[str]:
    """The problems of one ``bootguard check`` of a broken environment with one real drift.

    Correct: exit 1, the drift reported as ``fail``, at most one stderr line per error, no
    traceback, required ``metadata`` findings present with the right status, nothing
    reported about a healthy distribution, and (text output) no raw control characters.
    """
    if outcome.hung:
        return ["hang", "hidden drift"]
    problems = _common(outcome)
    if len(outcome.stderr_lines) > max(1, expect.errors) and "traceback" not in problems:
        problems.append("noisy stderr")
    found = findings_of(outcome, json_output=json_output)
    problems += _judge_findings(found or {}, expect)
    if found and found.get(expect.drift) == "fail" and outcome.returncode != 1:
        problems.append("wrong exit")
    if not json_output and _CONTROL.search(outcome.stdout.replace("\n", "")):
        problems.append("raw control character")
    return problems


#: What runs ``guard()`` in a test: a WSGI app behind the gate, then one probe of
#: ``/readyz``; prints one JSON line with the gate's verdict and every finding's status.
GUARD_SCRIPT = """\
import json
import bootguard
from bootguard import gate


def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"app"]


application = bootguard.guard(app)
statuses = []
body = b"".join(
    application(
        {"REQUEST_METHOD": "GET", "PATH_INFO": "/readyz", "QUERY_STRING": ""},
        lambda status, headers, exc_info=None: statuses.append(status),
    )
)
result = gate.outcome()
rank = {"pass": 0, "warn": 1, "fail": 2}
checks = {}
for finding in result.report.findings:
    if rank[finding.status] >= rank[checks.get(finding.key, "pass")]:
        checks[finding.key] = finding.status
print(json.dumps({"ready": result.ready, "readyz": statuses[0], "checks": checks}))
"""


def guard_result(outcome: Outcome) -> dict[str, object] | None:
    """The JSON line :data:`GUARD_SCRIPT` printed last (None if there is none)."""
    for line in reversed(outcome.stdout.splitlines()):
        try:
            data = json.loads(line)
        except ValueError:
            continue
        if isinstance(data, dict) and "checks" in data:
            return data
    return None


def judge_guard(outcome: Outcome, expect: Expectation) -> list[str]:
    """The problems of one ``guard()`` boot of a broken environment with one real drift.

    Correct: the process ends (exit 0: mode ``report`` never stops it), the drift is a
    ``fail`` finding and readiness answers 503, no traceback is logged, and the findings
    are judged as for the CLI.
    """
    if outcome.hung:
        return ["hang", "hidden drift"]
    problems = _common(outcome, exits=(0,))
    result = guard_result(outcome)
    if result is None:
        return [*problems, "hidden drift"]
    checks = result["checks"]
    assert isinstance(checks, dict)
    problems += _judge_findings(checks, expect)
    if result["ready"] is not False or not str(result["readyz"]).startswith("503"):
        problems.append("hidden drift")
    return problems


def judge_manifest_error(outcome: Outcome) -> list[str]:
    """A bad manifest: exit 2, exactly one line on stderr, no traceback, in time."""
    if outcome.hung:
        return ["hang"]
    problems = _common(outcome)
    if outcome.returncode != 2:
        problems.append("wrong exit")
    elif len(outcome.stderr_lines) != 1:
        problems.append("noisy stderr")
    return problems


def judge_survival(outcome: Outcome, *, exits: Iterable[int] = (0, 1, 2)) -> list[str]:
    """Any verdict is acceptable, but in time, without a traceback, one line per error."""
    if outcome.hung:
        return ["hang"]
    problems = _common(outcome, exits)
    if outcome.returncode == 2 and len(outcome.stderr_lines) != 1:
        problems.append("noisy stderr")
    return problems


def judge_gate_config(outcome: Outcome) -> list[str]:
    """``guard()`` with an unusable manifest: ends, and says so as ``bootguard:config``."""
    if outcome.hung:
        return ["hang"]
    problems = _common(outcome, exits=(0,))
    result = guard_result(outcome)
    checks = result["checks"] if result else {}
    assert isinstance(checks, dict)
    if checks.get("bootguard:config") not in ("warn", "fail"):
        problems.append("no config finding")
    return problems


def is_regular(path: Path) -> bool:
    """``path`` exists and is a regular file (not following a final symlink)."""
    try:
        return stat.S_ISREG(path.lstat().st_mode)
    except OSError:
        return False
