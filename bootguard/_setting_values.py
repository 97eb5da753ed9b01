"""The value parsers of the settings: ``(raw value, from_env) -> value``, or ``ValueError``.

``from_env`` says the value came from a ``BOOTGUARD_*`` variable, where everything is a
string (``"true"``, ``"a,b"``, ``"ready=/-/ready"``); keyword arguments and
``[tool.bootguard]`` give typed values.  The error message is the problem the gate reports
as a ``bootguard:config`` finding, so it names what was expected, never the secret value.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

__all__ = [
    "INTERNAL_ERROR_POLICIES",
    "MODES",
    "boolean",
    "callables",
    "dsn",
    "health_paths",
    "integrity",
    "internal_policy",
    "mode",
    "modules",
    "optional_strings",
    "port",
    "seconds",
    "strings",
    "text",
]

MODES = ("report", "warn", "enforce")
INTERNAL_ERROR_POLICIES = ("ready", "not-ready")
_HEALTH_KINDS = ("live", "ready", "health")
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off", ""})


def boolean(value: object, from_env: bool) -> bool:
    if isinstance(value, bool):
        return value
    if from_env and isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise ValueError("expected true or false")


def seconds(value: object, from_env: bool) -> float:
    if isinstance(value, str) and from_env:
        try:
            value = float(value)
        except ValueError:
            raise ValueError("expected a number of seconds") from None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError("expected a number of seconds")
    seconds = float(value)
    if not 0 < seconds < 3600:  # also rejects nan
        raise ValueError("expected a number of seconds between 0 and 3600")
    return seconds


def port(value: object, from_env: bool) -> int:
    """A TCP port, 0 (any free one) to 65535: ``bootguard serve --port``."""
    if isinstance(value, str) and from_env:
        value = int(value) if value.strip().isdigit() else -1
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 65535:
        raise ValueError("expected a port number from 0 to 65535")
    return value


def strings(value: object, from_env: bool) -> tuple[str, ...]:
    if isinstance(value, str):
        items = [part.strip() for part in value.split(",")] if from_env else [value.strip()]
        return tuple(item for item in items if item)
    if isinstance(value, Sequence) and all(isinstance(item, str) for item in value):
        return tuple(item.strip() for item in value if item.strip())
    raise ValueError("expected a string or a list of strings")


def optional_strings(value: object, from_env: bool) -> tuple[str, ...] | None:
    return strings(value, from_env)


def integrity(value: object, from_env: bool) -> bool | tuple[str, ...]:
    """true / false, or the distributions whose files to verify (``["celery", "kombu"]``)."""
    if isinstance(value, bool):
        return value
    if from_env and isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    return strings(value, from_env) or False


def modules(value: object, from_env: bool) -> tuple[str, ...]:
    names = strings(value, from_env)
    for name in names:
        if not _dotted(name):
            raise ValueError(f"{name!r} is not a module name")
    return names


def callables(value: object, from_env: bool) -> tuple[str, ...]:
    names = strings(value, from_env)
    for name in names:
        module, sep, attr = name.partition(":")
        if not sep or not _dotted(module) or not _dotted(attr):
            raise ValueError(f"{name!r} is not 'package.module:function'")
    return names


def _dotted(name: str) -> bool:
    return bool(name) and all(part.isidentifier() for part in name.split("."))


def mode(value: object, from_env: bool) -> str:
    if isinstance(value, str) and value.strip().lower() in MODES:
        return value.strip().lower()
    raise ValueError(f"expected one of {', '.join(MODES)}")


def internal_policy(value: object, from_env: bool) -> str:
    if isinstance(value, str):
        policy = value.strip().lower().replace("_", "-")
        if policy in INTERNAL_ERROR_POLICIES:
            return policy
    raise ValueError(f"expected one of {', '.join(INTERNAL_ERROR_POLICIES)}")


def dsn(value: object, from_env: bool) -> str | None:
    """A Sentry DSN, checked here as ``sentry_sdk`` will parse it, so a typo is one
    ``bootguard:config`` line at boot (never a traceback from the SDK) and the bad value is
    never used.  The DSN itself is never repeated in the problem: it holds a key."""
    given = text(value, from_env)
    if given is None:
        return None
    from urllib.parse import urlsplit  # deferred: import cost (docs/design.md); only with a DSN

    try:
        parts = urlsplit(given)
    except ValueError:  # an unparsable netloc
        raise ValueError("not a Sentry DSN: expected https://<key>@<host>/<project>") from None
    try:
        port_ok = parts.port is None or parts.port > 0
    except ValueError:  # a port that is not a number or out of range
        port_ok = False
    if parts.scheme not in ("http", "https"):
        problem = "the scheme is not http or https"
    elif not parts.hostname or not port_ok:
        problem = "no valid host"
    elif not parts.username:
        problem = "no public key (the part before '@')"
    elif not parts.path.rsplit("/", 1)[-1].isdigit():
        problem = "no numeric project id at the end of the path"
    else:
        return given
    raise ValueError(f"not a Sentry DSN: {problem}; expected https://<key>@<host>/<project>")


def text(value: object, from_env: bool) -> str | None:
    if isinstance(value, str):
        return value.strip() or None
    raise ValueError("expected a string")


def health_paths(value: object, from_env: bool) -> tuple[tuple[str, str | None], ...]:
    pairs: list[tuple[str, object]]
    if isinstance(value, str) and from_env:
        pairs = []
        for part in filter(None, (p.strip() for p in value.split(","))):
            name, sep, where = part.partition("=")
            if not sep:
                raise ValueError(f"{part!r} is not kind=/path")
            pairs.append((name.strip(), where.strip()))
    elif isinstance(value, Mapping):
        pairs = list(value.items())
    else:
        raise ValueError("expected a table like {ready = '/-/ready'}")
    result: list[tuple[str, str | None]] = []
    for kind, target in pairs:
        if kind not in _HEALTH_KINDS:
            raise ValueError(f"unknown endpoint {kind!r} (known: {', '.join(_HEALTH_KINDS)})")
        if target in (None, "", False):
            result.append((kind, None))
        elif isinstance(target, str) and target.startswith("/"):
            result.append((kind, target))
        else:
            raise ValueError(f"the path for {kind!r} must start with '/'")
    return tuple(result)
