"""Settings for the boot gate, and where each value came from.

Three layers, the first that sets a key wins: keyword arguments (``guard(app, mode=...)``),
``BOOTGUARD_*`` environment variables, then ``[tool.bootguard]`` in the application's
``pyproject.toml``; anything unset keeps its default.  Every layer is validated in full and
all problems are collected (pypa/packaging style), so one deploy shows every typo at once.

:func:`load_settings` never raises: it returns the settings it could build (bad values fall
back to the next layer or the default) together with the list of problems, because the
gate decides what a configuration error means (stop in ``enforce``, report otherwise).
:func:`settings` is the strict form for code that wants an exception.

``tomllib`` is imported only when a ``pyproject.toml`` actually mentions ``tool.bootguard``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping

from bootguard import _setting_values as parse
from bootguard._paths import ancestors, is_file, parent, resolved, spelled
from bootguard._record import Record, field
from bootguard._setting_values import INTERNAL_ERROR_POLICIES, MODES
from bootguard.errors import ConfigError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any, Literal

__all__ = [
    "DEFAULTS",
    "ENV_PREFIX",
    "INTERNAL_ERROR_POLICIES",
    "MODES",
    "RESERVED_ENV",
    "SETTINGS",
    "Mode",
    "Settings",
    "find_pyproject",
    "load_settings",
    "settings",
]

if TYPE_CHECKING:
    #: What a failed check does: ``report`` (not ready, keeps running), ``warn`` (stays
    #: ready) or ``enforce`` (the boot stops).  docs/gate.md's mode table is the reference.
    Mode = Literal["report", "warn", "enforce"]
ENV_PREFIX = "BOOTGUARD_"
#: ``BOOTGUARD_*`` variables that belong to other bootguard tools, not to the gate.
RESERVED_ENV = frozenset({"BOOTGUARD_CONFIG", "BOOTGUARD_BENCH_CACHE"})


class Settings(Record):
    """What the gate does at boot.  See docs/configuration.md (generated from SETTINGS).

    ``sources`` maps each setting to where its value came from: ``"default"``,
    ``"argument"``, ``"env:BOOTGUARD_MODE"`` or ``"<path>/pyproject.toml"``.
    """

    manifest: tuple[str, ...] | None = None
    mode: Mode = "report"
    imports: tuple[str, ...] = ()
    smoke: tuple[str, ...] = ()
    isolated: bool = False
    import_timeout: float = 10.0
    smoke_timeout: float = 5.0
    strict: bool = False
    ignore: tuple[str, ...] = ()
    extras: tuple[str, ...] = ()
    groups: tuple[str, ...] | None = None
    allow_empty_manifest: bool = False
    seal: bool = True
    integrity: bool | tuple[str, ...] = False
    quick_integrity: bool = False
    sentry: bool = True
    sentry_dsn: str | None = None
    sentry_on_pass: bool = False
    sentry_flush_timeout: float = 2.0
    sentry_wait: float = 30.0
    token: str | None = None
    health_paths: tuple[tuple[str, str | None], ...] | None = None
    recheck_interval: float | None = None
    metrics: bool = False
    drain_on_sigterm: bool = False
    on_internal_error: str | None = None
    root: str = "."
    sources: tuple[tuple[str, str], ...] = field(default=(), compare=False)

    def source(self, name: str) -> str:
        """Where setting ``name`` came from (``"default"`` when nothing set it)."""
        return dict(self.sources).get(name, "default")

    def ready_on_internal_error(self) -> bool:
        """Whether a ``bootguard:internal`` finding leaves the node ready (and running).

        ``on_internal_error`` decides; unset, it is ``ready`` in ``report`` and ``warn``
        mode (bootguard's own bug never takes a node out) and ``not-ready`` in ``enforce``
        mode, where the user asked for a boot that fails closed.
        """
        if self.on_internal_error is not None:
            return self.on_internal_error == "ready"
        return self.mode != "enforce"

    def manifest_paths(self) -> list[str] | None:
        """The manifests as absolute paths (``None``: discover one in ``root``)."""
        if self.manifest is None:
            return None
        return [os.path.join(self.root, path) for path in self.manifest]

    def __repr__(self) -> str:  # never print a DSN or a token
        shown = ", ".join(
            f"{name}={'<set>' if name in ('sentry_dsn', 'token') and value else value!r}"
            for name, value in ((n, getattr(self, n)) for n in SETTINGS)
        )
        return f"Settings({shown})"


#: setting name -> parser.  Adding a setting: a field on Settings and one line here.
SETTINGS: dict[str, Callable[[object, bool], Any]] = {
    "manifest": parse.optional_strings,
    "mode": parse.mode,
    "imports": parse.modules,
    "smoke": parse.callables,
    "isolated": parse.boolean,
    "import_timeout": parse.seconds,
    "smoke_timeout": parse.seconds,
    "strict": parse.boolean,
    "ignore": parse.strings,
    "extras": parse.strings,
    "groups": parse.optional_strings,
    "allow_empty_manifest": parse.boolean,
    "seal": parse.boolean,
    "integrity": parse.integrity,
    "quick_integrity": parse.boolean,
    "sentry": parse.boolean,
    "sentry_dsn": parse.dsn,
    "sentry_on_pass": parse.boolean,
    "sentry_flush_timeout": parse.seconds,
    "sentry_wait": parse.seconds,
    "token": parse.text,
    "health_paths": parse.health_paths,
    "recheck_interval": parse.seconds,
    "metrics": parse.boolean,
    "drain_on_sigterm": parse.boolean,
    "on_internal_error": parse.internal_policy,
}
DEFAULTS = Settings()


def find_pyproject(*starts: str | os.PathLike[str] | None) -> Path | None:
    """The nearest ``pyproject.toml`` at or above each start directory, in order."""
    found = find_pyproject_path(*starts)
    if found is None:
        return None
    from pathlib import Path  # deferred: settings use find_pyproject_path

    return Path(found)


def find_pyproject_path(*starts: str | os.PathLike[str] | None) -> str | None:
    """:func:`find_pyproject` as a ``str`` (``str()`` of what it returns), without
    ``pathlib``: each start is resolved (symlinks too), then walked up to the root."""
    for start in starts:
        if start is None:
            continue
        for directory in ancestors(resolved(start)):
            path = os.path.join(directory, "pyproject.toml")
            if is_file(path):
                return path
    return None


def load_settings(
    options: Mapping[str, object] | None = None,
    *,
    start: str | os.PathLike[str] | None = None,
    environ: Mapping[str, str] | None = None,
) -> tuple[Settings, list[str]]:
    """Build Settings from ``options`` > environment > pyproject; return them and the problems.

    ``start`` is where the search for ``pyproject.toml`` begins (the application's
    directory); the current directory is searched after it.  ``$BOOTGUARD_CONFIG`` names a
    pyproject.toml explicitly.
    """
    environ = os.environ if environ is None else environ
    problems: list[str] = []
    values: dict[str, object] = {}
    sources: dict[str, str] = {}
    cwd = os.getcwd()

    # Lowest layer first; each later layer overrides what it sets validly.
    pyproject, table = _pyproject_table(environ, start, problems)
    root = parent(pyproject) if pyproject is not None else cwd
    _apply(values, sources, table, str(pyproject), from_env=False, problems=problems)

    env_table: dict[str, object] = {}
    env_names: dict[str, str] = {}
    for name, raw in environ.items():
        if not name.startswith(ENV_PREFIX) or name in RESERVED_ENV:
            continue
        key = name[len(ENV_PREFIX) :].lower()
        env_table[key] = raw
        env_names[key] = name
    env_values: dict[str, object] = {}
    env_sources: dict[str, str] = {}
    _apply(env_values, env_sources, env_table, "env", from_env=True, problems=problems)
    for key, value in env_values.items():
        values[key] = value
        sources[key] = f"env:{env_names[key]}"
    if "manifest" in env_values:
        values["manifest"] = _absolute(env_values["manifest"], cwd)

    if options:
        given = {k: v for k, v in options.items() if v is not None}
        arg_values: dict[str, object] = {}
        arg_sources: dict[str, str] = {}
        _apply(arg_values, arg_sources, given, "argument", from_env=False, problems=problems)
        values.update(arg_values)
        sources.update(arg_sources)
        if "manifest" in arg_values:
            values["manifest"] = _absolute(arg_values["manifest"], cwd)

    return Settings(**values, root=root, sources=tuple(sorted(sources.items()))), problems  # type: ignore[arg-type]


def settings(
    options: Mapping[str, object] | None = None,
    *,
    start: str | os.PathLike[str] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Like :func:`load_settings` but raise :class:`ConfigError` listing every problem."""
    result, problems = load_settings(options, start=start, environ=environ)
    if problems:
        raise ConfigError("; ".join(problems))
    return result


def _absolute(value: object, base: str) -> tuple[str, ...] | None:
    if value is None:
        return None
    return tuple(os.path.join(base, path) for path in value)  # type: ignore[attr-defined]


def _apply(
    values: dict[str, object],
    sources: dict[str, str],
    table: Mapping[str, object],
    where: str,
    *,
    from_env: bool,
    problems: list[str],
) -> None:
    for raw_key, raw in table.items():
        key = raw_key.replace("-", "_")
        label = f"{ENV_PREFIX}{key.upper()}" if from_env else raw_key
        place = "environment" if from_env else where
        parser = SETTINGS.get(key)
        if parser is None:
            problems.append(f"{place}: unknown setting {label!r}{_suggest(key)}")
            continue
        try:
            values[key] = parser(raw, from_env)
        except ValueError as err:
            problems.append(f"{place}: {label}: {err} (got {_shown(key, raw)})")
            continue
        sources[key] = where


def _shown(key: str, raw: object) -> str:
    return "<hidden>" if key in ("sentry_dsn", "token") else repr(raw)


def _suggest(key: str) -> str:
    import difflib  # deferred for import cost: only on a typo

    close = difflib.get_close_matches(key, SETTINGS, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _pyproject_table(
    environ: Mapping[str, str], start: str | os.PathLike[str] | None, problems: list[str]
) -> tuple[str | None, dict[str, object]]:
    """The pyproject.toml the settings come from (spelled as ``str(Path)`` spells it), and
    its ``[tool.bootguard]`` table."""
    explicit = environ.get("BOOTGUARD_CONFIG")
    if explicit:
        path: str | None = spelled(explicit)
        if not is_file(explicit):
            problems.append(f"BOOTGUARD_CONFIG: {explicit}: no such file")
            return None, {}
    else:
        path = find_pyproject_path(start, os.getcwd())
    if path is None:
        return None, {}
    try:
        with open(path, "rb") as file:
            data = file.read()
    except OSError as err:
        problems.append(f"{path}: cannot read: {err.strerror or err}")
        return path, {}
    missing = f"BOOTGUARD_CONFIG: {explicit}: no [tool.bootguard] table in this file"
    if b"tool.bootguard" not in data and not (b"[tool]" in data and b"bootguard" in data):
        if explicit:  # named on purpose: a file without settings is a mistake, say so
            problems.append(missing)
        return path, {}  # no [tool.bootguard] table: skip the TOML parser entirely
    from bootguard.errors import ManifestError
    from bootguard.manifest._toml import load_toml

    try:
        document = load_toml(data, path)
    except ManifestError as err:
        problems.append(str(err))
        return path, {}
    tool = document.get("tool", {})
    if explicit and not (isinstance(tool, dict) and "bootguard" in tool):
        problems.append(missing)
        return path, {}
    table = tool.get("bootguard", {}) if isinstance(tool, dict) else {}
    if not isinstance(table, dict):
        problems.append(f"{path}: [tool.bootguard] must be a table")
        return path, {}
    return path, table


def __getattr__(name: str) -> object:
    """``Mode`` at run time, made on first use: ``typing`` is not imported by the check."""
    if name == "Mode":
        from typing import Literal

        return Literal["report", "warn", "enforce"]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
