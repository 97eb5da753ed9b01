"""The common ``pylock.toml`` documents, validated and selected without ``packaging``.

Importing ``packaging.pylock`` loads all of packaging (markers, specifiers, tags, the
dataclass machinery) and costs more than the rest of a boot check.  The locks ``pip lock``
and ``uv export`` write use a small part of PEP 751: packages with a normalized name, a
version in its normal form, wheels and an sdist or one direct source (VCS, directory,
archive), and markers of the common subset of :mod:`bootguard._pep508`.  For those,
:func:`fast_manifest` applies ``Pylock.from_dict``'s validation and ``Pylock.select``'s
selection as the reader in :mod:`bootguard.manifest.pylock` calls them (every tag in the
lock offered as compatible), and builds the same :class:`Manifest`.

Anything it cannot settle with certainty makes it answer ``None`` and the caller asks
``packaging``: a document packaging would reject (so that packaging words the error),
``environments``, a marker outside the subset or naming ``extra``/``extras``/
``dependency_groups``, a version not written as packaging prints it, a build tag, an
undeclared extra or group, a package whose ``requires-python`` the target does not meet.
A differential test holds it equal to the packaging path on real locks and generated ones.
"""

from __future__ import annotations

from bootguard._pep440 import canonical, contains, release
from bootguard._pep508 import Marker, parse_marker
from bootguard.manifest._urls import lock_base, pylock_source
from bootguard.manifest.model import Manifest, ManifestEntry, Selection
from bootguard.names import canonical_name

TYPE_CHECKING = False
if TYPE_CHECKING:
    import re
    from typing import Any

__all__ = ["fast_manifest"]

#: A version exactly as ``str(packaging.version.Version(text))`` writes it (no epoch).
_N = r"(?:0|[1-9][0-9]*)"
_LOCAL_SEGMENT = rf"(?:[a-z0-9]*[a-z][a-z0-9]*|{_N})"
_NORMAL_VERSION = (
    rf"{_N}(?:\.{_N})*(?:(?:a|b|rc){_N})?(?:\.post{_N})?(?:\.dev{_N})?"
    rf"(?:\+{_LOCAL_SEGMENT}(?:\.{_LOCAL_SEGMENT})*)?"
)
_version_pattern: re.Pattern[str] | None = None
#: Compressed tag sets larger than this are left to packaging (real wheels have a few).
_MAX_TAGS = 64
_URL_PREFIXES = ("https://", "http://", "file://")
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")
_WHEEL_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._")


class _Decline(Exception):
    """Raised anywhere below to give the document to packaging."""


class _Attrs:
    """Attribute access to validated fields, shaped as ``pylock_source`` reads packaging's."""

    rank: str  # a wheel's smallest tag, set by _check_wheel

    def __init__(self, **fields: Any) -> None:
        self.__dict__.update(fields)

    if TYPE_CHECKING:

        def __getattr__(self, name: str) -> Any: ...


def fast_manifest(
    document: dict[str, Any], display: str, digest: str, selection: Selection
) -> Manifest | None:
    """The Manifest the packaging path would build, or None when it must decide."""
    try:
        return _manifest(document, display, digest, selection)
    except _Decline:
        return None


def _manifest(
    document: dict[str, Any], display: str, digest: str, selection: Selection
) -> Manifest:
    if _required(document, "lock-version", str) != "1.0":
        raise _Decline  # other versions: packaging's warning or error
    if document.get("environments") is not None:
        raise _Decline
    extras = _strings(document, "extras")
    if not all(_normalized(extra) for extra in extras):
        raise _Decline
    groups = [*_strings(document, "dependency-groups"), *_strings(document, "default-groups")]
    _required(document, "created-by", str)
    requires_python = _specifier(_optional(document, "requires-python", str))
    _optional(document, "tool", dict)
    packages = [_package(table) for table in _tables(document, "packages", required=True)]
    if {canonical_name(e) for e in selection.extras} - set(extras):
        raise _Decline  # packaging: "Undeclared extras"
    declared = {canonical_name(group) for group in groups}
    if {canonical_name(g) for g in selection.groups or ()} - declared:
        raise _Decline  # packaging: "Undeclared dependency groups"
    env = dict(selection.marker_env)
    python = env.get("python_full_version")
    if python is None or release(python) is None:
        raise _Decline  # a pre-release or "+" build: packaging's rules
    base = lock_base(display)
    entries = []
    selected: set[str] = set()
    for index, package in enumerate(packages):
        if not _applies(package, env, python):
            continue
        if package.name in selected:
            raise _Decline  # packaging: "Multiple packages with the name ..."
        selected.add(package.name)
        entries.append(_entry(package, f"{display}: packages[{index}]", base))
    return Manifest(
        path=display,
        format="pylock",
        entries=tuple(entries),
        digest=digest,
        requires_python=requires_python or None,
        complete=True,
    )


def _applies(package: _Attrs, env: dict[str, str], python: str) -> bool:
    """The package's marker holds here; its requires-python must then hold too."""
    marker: Marker | None = package.marker
    if marker is not None:
        holds = marker.evaluate(env, "")
        if holds is None:
            raise _Decline
        if not holds:
            return False
    if package.requires_python and contains(python, package.requires_python) is not True:
        raise _Decline  # packaging raises, or the subset cannot decide
    return True


def _entry(package: _Attrs, origin: str, base: str) -> ManifestEntry:
    """The entry for a selected package, from the source ``Pylock.select`` yields."""
    source = package.vcs or package.directory or package.archive
    direct = source is not None
    if source is None:
        source = _best_wheel(package.wheels) if package.wheels else package.sdist
    url = getattr(source, "url", None) or getattr(source, "path", None)
    hashes = getattr(source, "hashes", None) or {}
    directory = package.directory
    return ManifestEntry(
        name=package.name,
        specifier=f"=={package.version}" if package.version else "",
        url=url if direct else None,
        editable=bool(directory and directory.editable),
        hashes=tuple(f"{k}:{v}" for k, v in hashes.items()),
        origin=origin,
        source=pylock_source(package, base),
    )


def _best_wheel(wheels: list[_Attrs]) -> _Attrs:
    """The wheel packaging's tag selector ranks first when offered every tag of the lock,
    sorted as text: the one whose smallest tag sorts first (the earlier one on a tie)."""
    best = wheels[0]
    for wheel in wheels[1:]:
        if wheel.rank < best.rank:
            best = wheel
    return best


# --- validation, as Pylock.from_dict --------------------------------------------------------


def _package(table: object) -> _Attrs:
    if type(table) is not dict:
        raise _Decline
    name = _required(table, "name", str)
    if not _normalized(name):
        raise _Decline
    version = _optional(table, "version", str)
    if version is not None and not _normal_version(version):
        raise _Decline
    marker_text = _optional(table, "marker", str)
    marker = None
    if marker_text is not None:
        if "extra" in marker_text or "dependency_groups" in marker_text:
            raise _Decline  # lock-file variables: packaging's
        marker = parse_marker(marker_text)
        if marker is None:
            raise _Decline
    requires_python = _specifier(_optional(table, "requires-python", str))
    _tables(table, "dependencies")
    _optional(table, "index", str)
    _optional(table, "tool", dict)
    for identity in _tables(table, "attestation-identities"):
        _required(identity, "kind", str)
    vcs = _vcs(_optional(table, "vcs", dict))
    directory = _directory(_optional(table, "directory", dict))
    archive = _file(_optional(table, "archive", dict), archive=True)
    sdist = _file(_optional(table, "sdist", dict))
    wheels = [_file(wheel) for wheel in _tables(table, "wheels")]
    direct = (vcs is not None) + (directory is not None) + (archive is not None)
    distributions = sdist is not None or bool(wheels)
    if direct != (0 if distributions else 1):
        raise _Decline  # packaging: none of them with files, else exactly one
    for wheel in wheels:
        _check_wheel(wheel, name, version)
    if sdist is not None:
        _check_sdist(sdist, name, version)
    return _Attrs(
        name=name,
        version=version,
        marker=marker,
        requires_python=requires_python,
        vcs=vcs,
        directory=directory,
        archive=archive,
        sdist=sdist,
        wheels=wheels,
    )


def _vcs(table: dict[str, Any] | None) -> _Attrs | None:
    if table is None:
        return None
    vcs = _Attrs(
        type=_required(table, "type", str),
        url=_optional(table, "url", str),
        path=_optional(table, "path", str),
        requested_revision=_optional(table, "requested-revision", str),
        commit_id=_required(table, "commit-id", str),
        subdirectory=_optional(table, "subdirectory", str),
    )
    if not vcs.path and not vcs.url:
        raise _Decline
    return vcs


def _directory(table: dict[str, Any] | None) -> _Attrs | None:
    if table is None:
        return None
    return _Attrs(
        path=_required(table, "path", str),
        editable=_optional(table, "editable", bool),
        subdirectory=_optional(table, "subdirectory", str),
    )


def _file(table: object, *, archive: bool = False) -> Any:
    """An ``archive``, ``sdist`` or wheel table (the archive has ``subdirectory``, the
    others a ``name``)."""
    if table is None:
        return None
    if type(table) is not dict:
        raise _Decline
    hashes = _required(table, "hashes", dict)
    if not hashes or not all(type(value) is str for value in hashes.values()):
        raise _Decline
    upload_time = table.get("upload-time")
    if upload_time is not None:
        from datetime import datetime  # loaded by the TOML parser already

        if type(upload_time) is not datetime:
            raise _Decline  # a date or a time: packaging's error
    _optional(table, "size", int)
    found = _Attrs(
        url=_optional(table, "url", str),
        path=_optional(table, "path", str),
        hashes=hashes,
        name=None if archive else _optional(table, "name", str),
        subdirectory=_optional(table, "subdirectory", str) if archive else None,
    )
    if not found.path and not found.url:
        raise _Decline
    return found


def _filename(file: _Attrs) -> str:
    """``PackageWheel.filename``: the name, else the last part of the path or URL."""
    if file.name:
        return str(file.name)
    if file.path:
        return str(file.path).rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    url = str(file.url)
    if not url.startswith(_URL_PREFIXES) or not url.isascii() or not url.isprintable():
        raise _Decline  # urlparse's rules for the rest
    if any(char in url for char in " ?#;%[]\\"):
        raise _Decline  # a query, fragment, parameters, escapes or an IPv6 host
    rest = url.partition("://")[2]
    if "/" not in rest:
        raise _Decline
    return rest.rsplit("/", 1)[-1]


def _check_wheel(wheel: _Attrs, name: str, version: str | None) -> None:
    """``parse_wheel_filename`` without a build tag, its name and version the package's;
    sets the wheel's ``rank`` (its smallest tag as text) for the selection."""
    filename = _filename(wheel)
    if not filename.endswith(".whl") or filename.count("-") != 4:
        raise _Decline
    name_part, version_part, interpreters, abis, platforms = filename[:-4].split("-")
    _check_name_version(name_part, version_part, name, version)
    if not set(name_part) <= _WHEEL_NAME_CHARS or "__" in name_part:
        raise _Decline
    parts = [interpreters.split("."), abis.split("."), platforms.split(".")]
    if (
        any("" in part for part in parts)
        or len(parts[0]) * len(parts[1]) * len(parts[2]) > _MAX_TAGS
    ):
        raise _Decline
    if not all(interpreter.isidentifier() for interpreter in parts[0]):
        raise _Decline
    wheel.rank = min(f"{i}-{a}-{p}".lower() for i in parts[0] for a in parts[1] for p in parts[2])


def _check_sdist(sdist: _Attrs, name: str, version: str | None) -> None:
    """``parse_sdist_filename``: a ``.tar.gz`` or ``.zip`` named for the package."""
    filename = _filename(sdist)
    for extension in (".tar.gz", ".zip"):
        if filename.endswith(extension):
            stem = filename[: -len(extension)]
            break
    else:
        raise _Decline
    name_part, dash, version_part = stem.rpartition("-")
    if not dash or not name_part:
        raise _Decline
    _check_name_version(name_part, version_part, name, version)


def _check_name_version(name_part: str, version_part: str, name: str, version: str | None) -> None:
    if canonical_name(name_part) != name or not _normal_version(version_part):
        raise _Decline
    if version is not None and version_part != version:
        raise _Decline  # maybe equal as versions (1.0 and 1.0.0): packaging compares


# --- typed access -----------------------------------------------------------------------------


def _optional(table: dict[str, Any], key: str, kind: type) -> Any:
    """``table[key]`` if it is exactly of type ``kind``; None if absent; else decline."""
    value = table.get(key)
    if value is not None and type(value) is not kind:
        raise _Decline
    return value


def _required(table: dict[str, Any], key: str, kind: type) -> Any:
    value = _optional(table, key, kind)
    if value is None:
        raise _Decline
    return value


def _strings(table: dict[str, Any], key: str) -> list[str]:
    values: list[Any] = _optional(table, key, list) or []
    if not all(type(value) is str for value in values):
        raise _Decline
    return values


def _tables(table: dict[str, Any], key: str, *, required: bool = False) -> list[dict[str, Any]]:
    values: list[Any] | None = (_required if required else _optional)(table, key, list)
    if not all(type(value) is dict for value in values or ()):
        raise _Decline
    return values or []


def _specifier(text: str | None) -> str | None:
    """``str(SpecifierSet(text))`` for the clauses :mod:`bootguard._pep440` decides."""
    if text is None:
        return None
    result = canonical(text)
    if result is None:
        raise _Decline
    return result


def _normalized(name: str) -> bool:
    """``packaging.utils.is_normalized_name``: ``[a-z0-9]+(-[a-z0-9]+)*``."""
    return (
        bool(name)
        and set(name) <= _NAME_CHARS
        and name[0] != "-"
        and name[-1] != "-"
        and "--" not in name
    )


def _normal_version(text: str) -> bool:
    """Whether ``text`` is a version written as packaging prints it (so valid)."""
    global _version_pattern
    if _version_pattern is None:
        import re  # deferred: loaded by the TOML parser already

        _version_pattern = re.compile(_NORMAL_VERSION, re.ASCII)
    return _version_pattern.fullmatch(text) is not None
