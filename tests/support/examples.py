"""What tests/e2e/test_examples.py needs besides the gate and health helpers it reuses.

Why: every example under ``examples/`` must run as its README says, so the tests copy the
examples to a temporary directory (never writing into the checkout), give each app the
gate tests' lock (``taskq==5.0.0``, ``msgbus==4.1.0``) as its ``requirements.lock``, and
boot it with a venv's own interpreter (:mod:`tests.support.gate`), the frameworks
importable through :func:`tests.support.toolpath.tool_path` without entering the checked
inventory.  Docker and Kubernetes cannot run here, so their files are read by the small
parsers below and the commands they contain are run for real.
"""

from __future__ import annotations

import gzip
import http.server
import json
import shlex
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.support.gate import LOCK, Server
from tests.support.health import REPO_ROOT, Reply, fetch

__all__ = [
    "APPS",
    "EXAMPLES",
    "Dockerfile",
    "SentryRecorder",
    "console_script",
    "copy_examples",
    "get",
    "parse_yaml",
    "recording_sentry",
    "wait_http",
]

EXAMPLES = REPO_ROOT / "examples"
#: Example directories whose ``pyproject.toml`` names ``requirements.lock`` as the manifest.
APPS = ("django_app", "flask_app", "fastapi_app", "celery_worker")


def copy_examples(target: Path) -> Path:
    """Copy ``examples/`` to ``target`` and write the gate tests' lock into every app."""
    shutil.copytree(EXAMPLES, target, ignore=shutil.ignore_patterns("__pycache__"))
    for app in APPS:
        (target / app / "requirements.lock").write_text(LOCK)
    return target


def get(port: int, path: str, **headers: str) -> Reply:
    """GET ``path`` from 127.0.0.1:``port`` with ``headers`` (``Host`` included)."""
    return fetch(port, path, headers=headers)


def wait_http(server: Server, port: int, timeout: float = 60.0) -> None:
    """Wait until the server answers HTTP on ``port``; fail with its log if it exits first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            break
        try:
            fetch(port, "/livez", timeout=2.0)
        except OSError:
            time.sleep(0.05)
            continue
        return
    raise AssertionError(
        f"no HTTP on port {port} (exit {server.process.poll()}):\n{server.output()}"
    )


def console_script(directory: Path, python: Path) -> Path:
    """Write the ``bootguard`` command for ``python`` into ``directory`` (what pip writes for
    the ``[project.scripts]`` entry point), so a Dockerfile's ``bootguard ...`` line runs
    as written; bootguard itself comes from ``PYTHONPATH``.  Returns ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    script = directory / "bootguard"
    script.write_text(f"#!{python}\nimport sys\nfrom bootguard.cli import run\nsys.exit(run())\n")
    script.chmod(0o755)
    return directory


# --- Dockerfile ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One instruction, continuation lines joined, with the ``ENV`` in force at that point."""

    instruction: str
    arguments: str
    env: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Dockerfile:
    """A Dockerfile read the way ``docker build`` reads the parts these tests need."""

    steps: tuple[Step, ...]

    @classmethod
    def read(cls, path: Path) -> Dockerfile:
        """Parse ``path``: comments skipped, ``\\`` continuations joined, ``ENV`` tracked."""
        steps: list[Step] = []
        env: dict[str, str] = {}
        pending = ""
        for raw in path.read_text().splitlines():
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            if line.endswith("\\"):
                pending += line[:-1].strip() + " "
                continue
            instruction, _, arguments = (pending + line).partition(" ")
            pending = ""
            instruction = instruction.upper()
            if instruction == "ENV":
                for item in shlex.split(arguments):
                    key, equals, value = item.partition("=")
                    if not equals:
                        raise ValueError(f"ENV without '=' (legacy form): {arguments!r}")
                    env[key] = value
            steps.append(Step(instruction, arguments.strip(), dict(env)))
        return cls(tuple(steps))

    def all(self, instruction: str) -> list[Step]:
        """Every step of one kind, in order."""
        return [step for step in self.steps if step.instruction == instruction]

    @property
    def workdir(self) -> str:
        """The last ``WORKDIR``."""
        return self.all("WORKDIR")[-1].arguments

    @property
    def healthcheck(self) -> str:
        """The ``HEALTHCHECK`` command (shell form), options removed."""
        (step,) = self.all("HEALTHCHECK")
        _options, cmd, command = step.arguments.partition("CMD ")
        if not cmd:
            raise ValueError(f"HEALTHCHECK without CMD: {step.arguments!r}")
        return command.strip()

    @property
    def cmd(self) -> Step:
        """The ``CMD`` step (exec form: ``json.loads(step.arguments)`` is the argv)."""
        return self.all("CMD")[-1]


# --- a YAML subset, for the Kubernetes manifest (PyYAML is not a dependency) ---------------


def parse_yaml(text: str) -> Any:
    """Parse block-style YAML: mappings, lists, comments, plain or quoted scalars.

    Enough for the example Deployment; anything else (flow style ``{}``/``[]``, anchors,
    multi-line scalars, several documents) raises ``ValueError`` rather than being misread.
    """
    lines: list[list[Any]] = []
    for raw in text.splitlines():
        content = raw.split(" #", 1)[0].rstrip() if not raw.lstrip().startswith("#") else ""
        if content.strip() in ("", "---"):
            continue
        if "\t" in content[: len(content) - len(content.lstrip())]:
            raise ValueError(f"tab in indentation: {raw!r}")
        lines.append([len(content) - len(content.lstrip()), content.strip()])
    if not lines:
        return None
    value, end = _block(lines, 0, lines[0][0])
    if end != len(lines):
        raise ValueError(f"unexpected indentation at {lines[end][1]!r}")
    return value


def _block(lines: list[list[Any]], i: int, indent: int) -> tuple[Any, int]:
    if lines[i][1].startswith("- "):
        return _sequence(lines, i, indent)
    return _mapping(lines, i, indent)


def _mapping(lines: list[list[Any]], i: int, indent: int) -> tuple[dict[str, Any], int]:
    result: dict[str, Any] = {}
    while i < len(lines) and lines[i][0] == indent and not lines[i][1].startswith("- "):
        key, colon, rest = lines[i][1].partition(":")
        if not colon or (rest and not rest.startswith(" ")):
            raise ValueError(f"not a 'key: value' line: {lines[i][1]!r}")
        key, rest = key.strip(), rest.strip()
        if key in result:
            raise ValueError(f"duplicate key {key!r}")
        i += 1
        nested = i < len(lines) and (
            lines[i][0] > indent or (lines[i][0] == indent and lines[i][1].startswith("- "))
        )
        if rest:
            result[key] = _scalar(rest)
        elif nested:
            result[key], i = _block(lines, i, lines[i][0])
        else:
            result[key] = None
    return result, i


def _sequence(lines: list[list[Any]], i: int, indent: int) -> tuple[list[Any], int]:
    items: list[Any] = []
    while i < len(lines) and lines[i][0] == indent and lines[i][1].startswith("- "):
        content = lines[i][1][2:].strip()
        _key, colon, rest = content.partition(":")
        if colon and (not rest or rest.startswith(" ")) and content[0] not in "'\"":
            lines[i] = [indent + 2, content]  # "- key: value" opens a mapping one level in
            item, i = _mapping(lines, i, indent + 2)
        else:
            item, i = _scalar(content), i + 1
        items.append(item)
    return items, i


def _scalar(text: str) -> Any:
    if text[0] in "{[&*!|>":
        raise ValueError(f"unsupported YAML: {text!r}")
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    if text.isdigit():
        return int(text)
    return {"true": True, "false": False, "null": None}.get(text, text)


# --- a Sentry ingest endpoint that only records ---------------------------------------------


@dataclass
class SentryRecorder:
    """What the real ``sentry-sdk`` of a booted example sent to :func:`recording_sentry`."""

    port: int
    envelopes: list[bytes] = field(default_factory=list)

    @property
    def dsn(self) -> str:
        """A DSN pointing at this recorder (project 1)."""
        return f"http://examplekey@127.0.0.1:{self.port}/1"

    def events(self) -> list[dict[str, Any]]:
        """The event payloads received so far (items of type ``event``)."""
        found = []
        for envelope in list(self.envelopes):
            lines = envelope.split(b"\n")
            for header, payload in zip(lines[1::2], lines[2::2], strict=False):
                if json.loads(header).get("type") == "event":
                    found.append(json.loads(payload))
        return found


@contextmanager
def recording_sentry() -> Iterator[SentryRecorder]:
    """A loopback HTTP server accepting Sentry envelopes (``/api/<id>/envelope/``)."""
    recorder = SentryRecorder(port=0)

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if self.headers.get("Content-Encoding") == "gzip":
                body = gzip.decompress(body)
            if self.path.endswith("/envelope/"):
                recorder.envelopes.append(body)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, format: str, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    recorder.port = int(httpd.server_address[1])
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield recorder
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)
