"""What the health endpoints answer, prepared once per verdict and shared by every server.

The WSGI and ASGI middleware and the standalone server (:mod:`bootguard.health.wsgi`,
:mod:`bootguard.health.asgi`, :mod:`bootguard.health.server`) only route; every response they send is
built here, ahead of time, when the gate publishes a verdict (:mod:`bootguard.state`).  A
probe then costs a dict lookup, a method check and at most one constant-time token
comparison; nothing is serialised per request.

Contract:

* ``/livez``: 200 while the process runs; never depends on the checks.
* ``/readyz`` (and its alias ``/healthz``): 200 when the verdict says ready (warnings
  included), 503 when it failed, has not finished, or the process is draining.
* ``application/health+json``.  The body's ``status`` agrees with the HTTP status: ``pass``
  or ``warn`` with 200, ``fail`` with 503.  Anonymous callers get only ``{"status": ...}``;
  ``Authorization: Bearer <token>`` (never a query parameter) gets the full report.
* ``?verbose``: Kubernetes-style text lines.  With the token, one per finding,
  ``[+]name ok`` / ``[-]name failed: reason``; anonymous callers get one line per check
  family instead (``[-]environment failed: 2 failed``), because the finding names are the
  node's package inventory.
* ``Cache-Control: no-store`` on everything; GET and HEAD only, anything else is 405.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping

from bootguard import state
from bootguard._text import one_line
from bootguard.errors import ConfigError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from bootguard.report import Report
    from bootguard.state import Verdict

__all__ = [
    "DEFAULT_PATHS",
    "KINDS",
    "METHOD_NOT_ALLOWED",
    "NOT_FOUND",
    "TOKEN_ENV",
    "Prepared",
    "Response",
    "authorized",
    "prepared",
    "readiness_status",
    "resolve_token",
    "respond",
    "routes",
    "start",
    "token_digest",
    "wants_verbose",
    "watch",
]

KINDS = ("live", "ready", "health")
DEFAULT_PATHS: Mapping[str, str] = {"live": "/livez", "ready": "/readyz", "health": "/healthz"}
TOKEN_ENV = "BOOTGUARD_TOKEN"  # noqa: S105 - the variable's name, not a secret

_REASONS = {200: "OK", 404: "Not Found", 405: "Method Not Allowed", 503: "Service Unavailable"}
_JSON = "application/health+json"
_TEXT = "text/plain; charset=utf-8"
_LABELS = {"live": "livez", "ready": "readyz", "health": "healthz"}


class Response:
    """One fully prepared HTTP response, in the shapes WSGI and ASGI servers want."""

    __slots__ = ("asgi_headers", "body", "headers", "status", "status_line")

    def __init__(self, status: int, content_type: str, body: bytes, *extra: tuple[str, str]):
        self.status = status
        self.status_line = f"{status} {_REASONS[status]}"
        self.body = body
        self.headers: tuple[tuple[str, str], ...] = (
            ("Content-Type", content_type),
            ("Content-Length", str(len(body))),
            ("Cache-Control", "no-store"),
            *extra,
        )
        self.asgi_headers: tuple[tuple[bytes, bytes], ...] = tuple(
            (name.lower().encode("latin-1"), value.encode("latin-1"))
            for name, value in self.headers
        )

    def __repr__(self) -> str:
        return f"Response({self.status_line!r}, {self.body[:60]!r})"


METHOD_NOT_ALLOWED = Response(405, _TEXT, b"method not allowed\n", ("Allow", "GET, HEAD"))
NOT_FOUND = Response(404, _TEXT, b"not found\n")


_Variants = tuple[tuple[Response, Response], tuple[Response, Response]]


class Prepared:
    """Every response one verdict can produce, indexed ``[kind][verbose][authorized]``."""

    __slots__ = ("responses", "verdict")

    def __init__(self, verdict: Verdict, responses: Mapping[str, _Variants]) -> None:
        self.verdict = verdict
        self.responses = responses

    def pick(self, kind: str, *, verbose: bool, authorized: bool) -> Response:
        """The response for one endpoint kind and caller."""
        return self.responses[kind][verbose][authorized]


# --- routing and the caller ---------------------------------------------------------------


def routes(paths: Mapping[str, str | None] | None) -> dict[str, str]:
    """Map request paths to endpoint kinds; ``paths`` overrides :data:`DEFAULT_PATHS`.

    Keys are ``live``, ``ready`` and ``health``; a value of ``None`` or ``""`` switches that
    endpoint off.  Raises ``ConfigError`` for an unknown key or a path without a leading ``/``.
    """
    merged: dict[str, str | None] = dict(DEFAULT_PATHS)
    for key, value in (paths or {}).items():
        if key not in KINDS:
            raise ConfigError(f"unknown health endpoint {key!r}; expected one of {KINDS}")
        merged[key] = value
    table: dict[str, str] = {}
    for kind, path in merged.items():
        if not path:
            continue
        if not path.startswith("/"):
            raise ConfigError(f"health endpoint path for {kind!r} must start with '/': {path!r}")
        if path in table:
            raise ConfigError(f"health endpoint path {path!r} is used twice")
        table[path] = kind
    return table


def resolve_token(token: str | None) -> str | None:
    """The token details are shown for: ``token``, or ``$BOOTGUARD_TOKEN`` when it is None.

    An empty string means "no token": details are never shown.
    """
    if token is None:
        import os

        token = os.environ.get(TOKEN_ENV)
    return token or None


def token_digest(token: str | None) -> bytes | None:
    """What a presented token is compared against (sha256, so lengths never leak)."""
    resolved = resolve_token(token)
    if resolved is None:
        return None
    import hashlib  # deferred: import cost (docs/design.md); only with a token

    return hashlib.sha256(resolved.encode("utf-8")).digest()


def authorized(header: str | None, digest: bytes | None) -> bool:
    """True when ``header`` is ``Bearer <token>`` for the configured token.

    Header values arrive as latin-1 text (WSGI, ``http.server``) or bytes decoded as
    latin-1 (ASGI), so encoding back to latin-1 recovers the bytes the client sent.  The
    comparison is ``hmac.compare_digest`` over sha256 digests: constant time, and it takes
    as long for a wrong token of any length as for the right one.
    """
    if digest is None or not header:
        return False
    scheme, _, credentials = header.strip().partition(" ")
    if scheme.lower() != "bearer":
        return False
    import hashlib
    import hmac

    presented = hashlib.sha256(credentials.strip().encode("latin-1", "replace")).digest()
    return hmac.compare_digest(presented, digest)


def wants_verbose(query: str) -> bool:
    """``?verbose`` (any value except ``0``/``false``/``no``) asks for text lines."""
    if "verbose" not in query:
        return False
    for part in query.split("&"):
        name, _, value = part.partition("=")
        if name == "verbose":
            return value.lower() not in ("0", "false", "no")
    return False


def respond(
    kind: str, method: str, query: str, authorization: str | None, digest: bytes | None
) -> Response:
    """The response to a probe of endpoint ``kind`` (the caller omits the body for HEAD)."""
    if method not in ("GET", "HEAD"):
        return METHOD_NOT_ALLOWED
    current = prepared()
    if not query and not authorization:  # what a load balancer sends
        return current.responses[kind][0][0]
    return current.pick(
        kind, verbose=wants_verbose(query), authorized=authorized(authorization, digest)
    )


# --- the per-verdict cache ----------------------------------------------------------------

_cache: Prepared | None = None
_watch_lock = threading.Lock()
_watching = False


def watch() -> None:
    """Prepare responses whenever the gate publishes (idempotent; called by each server)."""
    global _watching
    with _watch_lock:
        if _watching:
            return
        _watching = True
    state.subscribe(_on_verdict)


def start(
    paths: Mapping[str, str | None] | None, token: str | None
) -> tuple[dict[str, str], bytes | None]:
    """Every server's start: its :func:`routes`, its :func:`token_digest`, and :func:`watch`."""
    table, digest = routes(paths), token_digest(token)
    watch()
    return table, digest


def _on_verdict(verdict: Verdict) -> None:
    global _cache
    _cache = _prepare(verdict)


def prepared() -> Prepared:
    """The responses for the current verdict.

    Normally prepared by the subscription as the verdict is published; the identity check
    also covers a verdict published while nobody was subscribed (``state.reset()`` drops
    subscribers), so an answer never lags the state.
    """
    global _cache
    verdict = state.current()
    cached = _cache
    if cached is None or cached.verdict is not verdict:
        cached = _prepare(verdict)
        _cache = cached
    return cached


def _prepare(verdict: Verdict) -> Prepared:
    try:
        return _render(verdict)
    except Exception:  # a rendering bug must not take the node out of rotation
        import logging

        logging.getLogger("bootguard").exception("bootguard: could not render health responses")
        return _minimal(verdict)


def _minimal(verdict: Verdict) -> Prepared:
    """Status-only responses that cannot fail to build (used if rendering ever breaks)."""
    if verdict.ready:
        ready = Response(200, _JSON, b'{"status": "pass"}')
    else:
        ready = Response(503, _JSON, b'{"status": "fail"}')
    live = Response(200, _JSON, b'{"status": "pass"}')
    both = ((ready, ready), (ready, ready))
    return Prepared(verdict, {"live": ((live, live), (live, live)), "ready": both, "health": both})


# --- rendering ----------------------------------------------------------------------------


def readiness_status(verdict: Verdict) -> str:
    """The body status that agrees with the HTTP status: pass/warn when ready, else fail."""
    if not verdict.ready:
        return "fail"
    report = verdict.report
    if report is None or report.status == "pass":
        return "pass"
    return "warn"  # ready despite findings: warnings, or a failure under the "warn" policy


def _render(verdict: Verdict) -> Prepared:
    import json  # deferred: import cost (docs/design.md)

    def as_json(status: int, doc: object) -> Response:
        body = json.dumps(doc, sort_keys=True, separators=(",", ":")).encode("utf-8")
        return Response(status, _JSON, body)

    def as_text(status: int, lines: list[str]) -> Response:
        # Findings quote untrusted text (file names from RECORD, versions): one printable
        # line each, undecodable bytes and control characters escaped, never a rendering
        # that fails on them.
        text = "\n".join(one_line(line) for line in lines) + "\n"
        return Response(status, _TEXT, text.encode("utf-8", "backslashreplace"))

    live_json = as_json(200, {"status": "pass"})
    live_text = as_text(200, ["[+]ping ok", "livez check passed"])
    live = ((live_json, live_json), (live_text, live_text))

    code = 200 if verdict.ready else 503
    status = readiness_status(verdict)
    anonymous = as_json(code, {"status": status})
    detailed = as_json(code, _detailed(verdict, status))
    lines_anonymous = _lines(verdict, reveal=False)
    lines_detailed = _lines(verdict, reveal=True)
    outcome = "passed" if verdict.ready else "failed"
    responses: dict[str, _Variants] = {"live": live}
    for kind in ("ready", "health"):
        footer = f"{_LABELS[kind]} check {outcome}"
        responses[kind] = (
            (anonymous, detailed),
            (as_text(code, [*lines_anonymous, footer]), as_text(code, [*lines_detailed, footer])),
        )
    return Prepared(verdict, responses)


def _detailed(verdict: Verdict, status: str) -> dict[str, object]:
    report = verdict.report
    if report is None:
        return {
            "status": status,
            "phase": verdict.phase,
            "output": "the boot check has not finished",
        }
    doc = report.to_health_json(detailed=True)
    doc["reportStatus"] = doc["status"]
    doc["status"] = status
    doc["phase"] = verdict.phase
    if verdict.phase == "draining":
        doc["output"] = f"draining: the process is shutting down; {doc.get('output', '')}"
    return doc


#: The check family of each finding aspect, for the anonymous ``?verbose`` lines.
_FAMILIES = {"import": "imports", "smoke": "smoke", "files": "integrity"}
_FAMILY_ORDER = ("environment", "imports", "smoke", "integrity", "bootguard")


def _family(aspect: str) -> str:
    if aspect in ("config", "internal"):
        return "bootguard"  # bootguard's own configuration or bug, not the environment
    return _FAMILIES.get(aspect, "environment")


def _lines(verdict: Verdict, *, reveal: bool) -> list[str]:
    report: Report | None = verdict.report
    if report is None:
        return ["[-]boot-check failed: not finished"]
    lines = _finding_lines(report) if reveal else _family_lines(report)
    if verdict.phase == "draining":
        lines.append("[-]shutdown failed: draining")
    return lines


def _finding_lines(report: Report) -> list[str]:
    """One line per problem, with its reason: for callers with the token."""
    lines = []
    if not report.problems:
        lines.append("[+]environment ok")
    for finding in report.problems:
        reason = " ".join(finding.message.split())
        if finding.status == "fail":
            lines.append(f"[-]{finding.key} failed: {reason}")
        else:
            lines.append(f"[+]{finding.key} ok with warning: {reason}")
    return lines


def _family_lines(report: Report) -> list[str]:
    """One line per check family with its status and counts: for anonymous callers.

    A finding key names a distribution or a module, so the list of keys is the node's
    package inventory; anonymous callers learn only which family failed and how often.
    ``environment`` is always shown; the other families when they ran or reported.
    """
    counts: dict[str, list[int]] = {"environment": [0, 0, 0]}
    for finding in report.findings:
        tally = counts.setdefault(_family(finding.aspect), [0, 0, 0])
        tally[("pass", "warn", "fail").index(finding.status)] += 1
    lines = []
    for family in _FAMILY_ORDER:
        if family not in counts:
            continue
        passed, warned, failed = counts[family]
        warnings = f"{warned} warning{'s' if warned != 1 else ''}"
        if failed:
            extra = f", {warnings}" if warned else ""
            lines.append(f"[-]{family} failed: {failed} failed{extra}")
        elif warned:
            lines.append(f"[+]{family} ok with warning: {warnings}")
        elif passed and family != "environment":
            lines.append(f"[+]{family} ok: {passed} passed")
        else:
            lines.append(f"[+]{family} ok")
    return lines
