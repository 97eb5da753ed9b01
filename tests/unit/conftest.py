"""Fixtures shared by the unit tests: a real site-packages directory written in-process.

Why not a venv: a unit test reads what an installer left on disk, not how it got there, and
must run in milliseconds.  :class:`Site` unpacks wheels built by
:func:`tests.support.wheels.build_wheel` into a directory the way pip does (the archive's
files, then ``INSTALLER`` recorded in a sorted ``RECORD``), so every test reads real ``.dist-info``
directories with real hashes, and the inventory is built from that one directory only.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from bootguard.environment.inventory import current_environment
from bootguard.environment.model import Environment
from bootguard.manifest.model import Manifest, Selection
from bootguard.report import Finding, Report
from tests.support.wheels import build_wheel, dist_info_dir, record_hash


class Site:
    """One site-packages directory; :meth:`install` puts a distribution in it."""

    def __init__(self, path: Path, wheels: Path) -> None:
        self.path = path
        self.wheels = wheels
        path.mkdir(parents=True, exist_ok=True)

    def install(
        self,
        name: str,
        version: str,
        *,
        direct_url: Mapping[str, object] | None = None,
        installer: str = "pip",
        scripts: Mapping[str, bytes] | None = None,
        **wheel: Any,
    ) -> Path:
        """Install ``name`` ``version`` as pip would; return its ``.dist-info`` directory.

        ``wheel`` are :func:`~tests.support.wheels.build_wheel`'s keywords (``requires``,
        ``extras``, ``modules``, ``files``...).  ``scripts`` go to ``../../bin`` beside the
        directory, recorded by a relative path as pip records console scripts.
        """
        archive_path = build_wheel(self.wheels, name, version, **wheel)
        with zipfile.ZipFile(archive_path) as archive:
            archive.extractall(self.path)
        meta = self.path / dist_info_dir(name, version)
        added = {"INSTALLER": f"{installer}\n".encode()}
        if direct_url is not None:
            added["direct_url.json"] = json.dumps(direct_url).encode()
        rows = []
        for file_name, data in added.items():
            (meta / file_name).write_bytes(data)
            rows.append(f"{meta.name}/{file_name},{record_hash(data)},{len(data)}\n")
        for script, data in (scripts or {}).items():
            target = self.path.parent.parent / "bin" / script
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            rows.append(f"../../bin/{script},{record_hash(data)},{len(data)}\n")
        record = meta / "RECORD"
        existing = record.read_text(encoding="utf-8").splitlines(keepends=True)
        record.write_text("".join(sorted(existing + rows)), encoding="utf-8")  # pip sorts rows
        return meta

    def environment(self) -> Environment:
        """The inventory of this directory alone (this interpreter's markers)."""
        return current_environment([str(self.path)])


@pytest.fixture
def site(tmp_path: Path) -> Site:
    """An empty site-packages directory under ``tmp_path``."""
    return Site(tmp_path / "site-packages", tmp_path / "wheels")


def finding(
    subject: str = "msgbus",
    aspect: str = "version",
    status: str = "fail",
    message: str = "msgbus 4.2.0 installed, manifest pins 4.1.0",
    **more: object,
) -> Finding:
    """A finding with readable defaults, for tests that need one of some status."""
    return Finding(subject, aspect, status, message, **more)  # type: ignore[arg-type]


def report_of(*findings: Finding, **more: object) -> Report:
    """A report holding ``findings`` (and any other Report field given)."""
    return Report(findings=tuple(findings), **more)  # type: ignore[arg-type]


@pytest.fixture
def fresh_state() -> Iterator[None]:
    """The process-wide verdict back to ``pending`` before and after the test."""
    from bootguard import state

    state.reset()
    yield
    state.reset()


def selection(
    *, extras: Sequence[str] = (), groups: Sequence[str] | None = None, **markers: str
) -> Selection:
    """A selection for this interpreter's markers (``markers`` override some of them)."""
    from packaging.markers import default_environment

    marker_env = {key: str(value) for key, value in default_environment().items()}
    marker_env.update(markers)
    chosen = None if groups is None else frozenset(groups)
    return Selection(marker_env=marker_env, extras=frozenset(extras), groups=chosen)


#: Lock files written by the real tools for one demo project (see tests/data/locks/README.md).
LOCKS = Path(__file__).resolve().parents[1] / "data" / "locks"


def demo_lock(
    relative: str,
    *,
    python: str = "3.11.7",
    platform: str = "linux",
    extras: Sequence[str] = (),
    groups: Sequence[str] | None = None,
) -> dict[str, str]:
    """{name: specifier} of the demo lock ``relative`` read for that interpreter."""
    from bootguard.manifest import read_manifest

    chosen = selection(
        extras=extras,
        groups=groups,
        python_full_version=python,
        python_version=".".join(python.split(".")[:2]),
        sys_platform=platform,
    )
    manifest = read_manifest(LOCKS / relative, chosen)
    return {entry.name: entry.specifier for entry in manifest.entries}


def refusal(directory: Path, name: str, text: str, *, groups: Sequence[str] | None = None) -> str:
    """The one-line ManifestError that reading ``text`` as file ``name`` raises (paths cut)."""
    from bootguard.errors import ManifestError
    from bootguard.manifest import read_manifest

    path = directory / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ManifestError) as caught:
        read_manifest(path, selection(groups=groups))
    message = str(caught.value)
    assert "\n" not in message and message.startswith(str(path))
    return message[len(str(path)) :]


def requirements(text: str) -> Manifest:
    """``text`` read as a requirements file (by the real reader)."""
    from bootguard.manifest.requirements import read_requirements

    return read_requirements(Path("requirements.txt"), selection(), data=text.encode())


@pytest.fixture
def fresh_gate(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No gate outcome, no verdict and no ``BOOTGUARD_*`` setting, before and after the test."""
    import os

    from bootguard import gate

    for name in list(os.environ):
        if name.startswith("BOOTGUARD_"):
            monkeypatch.delenv(name)
    gate.reset()
    yield
    gate.reset()


def wsgi_request(
    app: object, path: str, *, method: str = "GET", query: str = "", token: str | None = None
) -> tuple[str, dict[str, str], bytes]:
    """(status line, headers, body) of one request to the WSGI callable ``app``."""
    environ: dict[str, object] = {
        "PATH_INFO": path,
        "REQUEST_METHOD": method,
        "QUERY_STRING": query,
    }
    if token is not None:
        environ["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    started: list[tuple[str, list[tuple[str, str]]]] = []

    def start_response(
        status: str, headers: list[tuple[str, str]], exc_info: object = None
    ) -> None:
        started.append((status, headers))

    body = b"".join(app(environ, start_response))  # type: ignore[operator]
    return started[0][0], dict(started[0][1]), body


def asgi_request(
    app: object, path: str, *, method: str = "GET", token: str | None = None
) -> tuple[int, bytes]:
    """(status, body) of one HTTP request to the ASGI 3 application ``app``."""
    import asyncio

    headers = [(b"authorization", f"Bearer {token}".encode())] if token is not None else []
    scope = {
        "type": "http",
        "method": method,
        "path": path,
        "query_string": b"",
        "headers": headers,
    }
    sent: list[dict[str, object]] = []

    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))  # type: ignore[operator]
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")  # type: ignore[misc]
    return status, body  # type: ignore[return-value]
