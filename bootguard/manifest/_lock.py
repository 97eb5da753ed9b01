"""What the lock readers (uv, Poetry, Pipfile, pyproject) share: typed access, markers, TOML.

Every value read from a lock goes through :func:`table`, :func:`array` or :func:`string`,
which raise a :class:`ManifestError` naming the file and the key path (``package[3].source``)
instead of letting a ``KeyError`` or ``AttributeError`` escape: a hand-edited or truncated
lock must give exit 2 with a message an operator can act on, never a traceback.

:class:`Markers` evaluates PEP 508 markers for the *target* interpreter (``--python``), once
per distinct text.  Extras are a set, as uv and Poetry mean them: ``extra == "x"`` holds when
``x`` is one of the selected extras.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from bootguard.errors import ManifestError
from bootguard.names import canonical_name

TYPE_CHECKING = False
if TYPE_CHECKING:
    import os
    import re
    from typing import Any

    from packaging.markers import Marker

    from bootguard.manifest._lock_skip import Layout

__all__ = [
    "Markers",
    "array",
    "load_lock",
    "load_lock_toml",
    "optional_string",
    "optional_version",
    "read_bytes",
    "reason",
    "requires_python",
    "string",
    "table",
    "valid_version",
    "version_string",
]


def read_bytes(path: str | os.PathLike[str], display: str) -> bytes:
    """The file's bytes; a missing, unreadable, special or oversized file is a ManifestError.

    Through :func:`bootguard._files.read_regular`: a FIFO named as a manifest must not hang
    the check, nor ``/dev/zero`` exhaust memory; both are refused with exit 2.
    """
    from bootguard._files import MANIFEST_MAX_BYTES, read_regular

    try:
        return read_regular(path, MANIFEST_MAX_BYTES)
    except (OSError, ValueError) as err:  # ValueError: a NUL byte in the path
        raise ManifestError(display, f"cannot read: {reason(err)}") from err


def reason(err: Exception) -> str:
    """What an ``OSError`` says went wrong, without repeating the file name."""
    return getattr(err, "strerror", None) or str(err)


def load_lock_toml(
    data: bytes, display: str, *, skip_lines: str | None = None, skip_blocks: str | None = None
) -> dict[str, Any]:
    """Parse a TOML lock, blanking first what bootguard never reads.

    Locks spend most of their bytes on per-archive lines (uv: one ``{ url = ..., hash = ... }``
    per wheel; Poetry: ``{file = ..., hash = ...}``), which bootguard never reads; parsing
    them is most of the cost of reading the lock.  ``skip_lines`` is a regex matching whole
    single lines, ``skip_blocks`` one matching multi-line blocks (whole tables or arrays);
    both are replaced by empty lines, so line numbers in syntax errors stay right and what
    remains is valid TOML whenever the input was.
    """
    from bootguard.manifest._toml import load_toml

    if skip_lines is None and skip_blocks is None:
        return load_toml(data, display)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return load_toml(data, display)  # raises the ManifestError with the line
    import re  # deferred: only lock readers need it (packaging imports it anyway)

    if skip_lines is not None:
        text = re.sub(skip_lines, "", text, flags=re.MULTILINE)
    if skip_blocks is not None:
        text = re.sub(skip_blocks, _newlines, text, flags=re.MULTILINE)
    return load_toml(text.encode("utf-8"), display)


def load_lock(
    data: bytes, display: str, layout: Layout, skip_lines: str, skip_blocks: str | None = None
) -> dict[str, Any]:
    """A uv or Poetry lock's document, read by the subset reader when it can.

    :func:`bootguard.manifest._lock_subset.read_subset` reads the TOML the tools write,
    skipping ``layout``'s lines without parsing them, and returns exactly what
    :func:`load_lock_toml` returns with ``skip_lines`` and ``skip_blocks`` (the expressions
    ``layout`` restates), or declines; that path then reads the lock and reports every
    error.  With the compiled ``tomli`` installed, that path is as fast: it is taken directly.
    """
    from bootguard.manifest._lock_subset import read_subset
    from bootguard.manifest._toml import compiled_tomli

    if not compiled_tomli():
        try:
            document = read_subset(data.decode("utf-8"), layout)
        except UnicodeDecodeError:
            document = None
        if document is not None:
            return document
    return load_lock_toml(data, display, skip_lines=skip_lines, skip_blocks=skip_blocks)


def _newlines(match: re.Match[str]) -> str:
    return "\n" * match.group().count("\n")


def table(value: object, display: str, key: str) -> dict[str, Any]:
    """``value`` if it is a table (dict), else a ManifestError naming ``key``."""
    if not isinstance(value, dict):
        raise ManifestError(display, f"expected a table, found {_kind(value)}", key=key)
    return value


def array(value: object, display: str, key: str) -> list[Any]:
    """``value`` if it is an array (list), else a ManifestError naming ``key``."""
    if not isinstance(value, list):
        raise ManifestError(display, f"expected an array, found {_kind(value)}", key=key)
    return value


def string(value: object, display: str, key: str) -> str:
    """``value`` if it is a string, else a ManifestError naming ``key``."""
    if not isinstance(value, str):
        raise ManifestError(display, f"expected a string, found {_kind(value)}", key=key)
    return value


def optional_string(value: object, display: str, key: str) -> str | None:
    """``None`` or a string, else a ManifestError naming ``key``."""
    return None if value is None else string(value, display, key)


def requires_python(value: object, display: str, key: str) -> str | None:
    """A ``requires-python`` value: None, or a valid PEP 440 specifier set (else an error).

    Checked here because an unreadable one would otherwise surface at check time as a
    ``python`` failure of every node: a lock problem must be exit 2, not a false alarm.
    """
    text = optional_string(value, display, key)
    if not text or not text.strip():
        return None
    from bootguard._pep440 import canonical

    if canonical(text) is not None:  # the common clauses, surely valid
        return text
    from packaging.specifiers import InvalidSpecifier, SpecifierSet  # deferred: import cost

    try:
        SpecifierSet(text)
    except InvalidSpecifier as err:
        raise ManifestError(display, f"invalid requires-python {text!r}: {err}", key=key) from err
    return text


def optional_version(value: object, display: str, key: str) -> str | None:
    """``None`` or a locked version that is valid PEP 440, else a ManifestError naming ``key``."""
    text = optional_string(value, display, key)
    return None if text is None else valid_version(text, display, key)


def version_string(value: object, display: str, key: str) -> str:
    """A locked version that is a valid PEP 440 string, else a ManifestError naming ``key``."""
    return valid_version(string(value, display, key), display, key)


def valid_version(text: str, display: str, key: str) -> str:
    """``text`` if it is a valid PEP 440 version, else a ManifestError naming ``key``.

    Checked when the lock is read because a version nothing can parse would otherwise
    surface at check time as a ``version`` failure on every node: a broken lock is exit 2,
    never a false alarm about the environment.
    """
    from bootguard._pep440 import surely_valid

    if surely_valid(text):
        return text
    from packaging.version import InvalidVersion, Version  # deferred: import cost

    try:
        Version(text)
    except InvalidVersion:
        raise ManifestError(display, f"invalid version {text!r} (not PEP 440)", key=key) from None
    return text


def _kind(value: object) -> str:
    if value is None:
        return "nothing"
    return {
        dict: "a table",
        list: "an array",
        str: "a string",
        bool: "a boolean",
        int: "an integer",
        float: "a float",
    }.get(type(value), type(value).__name__)


class Markers:
    """PEP 508 markers evaluated for one target environment, each distinct text once."""

    def __init__(self, marker_env: Mapping[str, str], display: str) -> None:
        self._display = display
        self._env: dict[str, Any] = dict(marker_env)
        self._prepared: dict[frozenset[str], Any] = {}
        self._parsed: dict[str, Marker] = {}
        self._results: dict[tuple[str, frozenset[str]], bool] = {}

    @property
    def _module(self) -> Any:
        """``packaging.markers``, imported when a marker leaves the common subset."""
        from packaging import markers  # deferred for import cost

        return markers

    @property
    def _set_extras(self) -> bool:
        """packaging >= 26.4 evaluates ``extra`` against a set and can prepare the
        environment once; older versions get one evaluation per selected extra."""
        return hasattr(self._module, "prepare_environment")

    def parse(self, text: str, key: str) -> Marker:
        """The parsed marker; an invalid one is a ManifestError naming ``key``."""
        marker = self._parsed.get(text)
        if marker is None:
            try:
                marker = self._module.Marker(text)
            except self._module.InvalidMarker as err:
                raise ManifestError(
                    self._display, f"invalid marker {text!r}: {err}", key=key
                ) from err
            except RecursionError:  # too deep for packaging's recursive parser
                raise ManifestError(
                    self._display, f"invalid marker {text!r}: nested too deeply", key=key
                ) from None
            self._parsed[text] = marker
        return marker

    def holds(self, text: str | None, key: str, extras: Iterable[str] = ()) -> bool:
        """Whether marker ``text`` is true here with ``extras`` selected (None or "" hold)."""
        if not text:
            return True
        wanted = frozenset(extras) if "extra" in text else frozenset()
        cache_key = (text, wanted)
        result = self._results.get(cache_key)
        if result is None:
            result = self._fast(text, wanted)
            if result is None:
                result = self._evaluate(self.parse(text, key), text, wanted, key)
            self._results[cache_key] = result
        return result

    def _fast(self, text: str, extras: frozenset[str]) -> bool | None:
        """The common markers, decided without packaging (see :mod:`bootguard._pep508`);
        with one extra or none, where a set of extras and a single one evaluate alike."""
        if len(extras) > 1:
            return None
        from bootguard._pep508 import parse_marker

        fast = parse_marker(text)
        if fast is None:
            return None
        return fast.evaluate(self._env, canonical_name(next(iter(extras), "")))

    def _evaluate(self, marker: Marker, text: str, extras: frozenset[str], key: str) -> bool:
        errors = (self._module.UndefinedComparison, self._module.UndefinedEnvironmentName)
        try:
            if self._set_extras:
                prepared = self._prepared.get(extras)
                if prepared is None:
                    normalized = {canonical_name(e) for e in extras}
                    prepared = self._module.prepare_environment({**self._env, "extra": normalized})
                    self._prepared[extras] = prepared
                return bool(marker.evaluate_prepared(prepared))
            return any(
                marker.evaluate({**self._env, "extra": canonical_name(extra)})
                for extra in (sorted(extras) or [""])
            )
        except errors as err:
            raise ManifestError(
                self._display, f"cannot evaluate marker {text!r}: {err}", key=key
            ) from err
