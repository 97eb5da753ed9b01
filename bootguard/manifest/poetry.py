"""``poetry.lock``, every format Poetry has written (lock-version 1.x, 2.0, 2.1).

How a package is selected depends on what the lock records:

* **2.1** (Poetry 2): every package carries the ``groups`` it belongs to and the ``markers``
  under which it is needed (a string, or one per group).  Selection is what
  ``poetry install`` does from such a lock: the package is in a selected group and the
  marker of one of those groups holds, with the selected extras as ``extra``.
* **1.x and 2.0** (Poetry 1): packages carry no markers (1.x has a ``category``), so
  Poetry itself re-resolves against the ``pyproject.toml`` beside the lock.  bootguard walks
  the lock's dependency graph from that pyproject's dependencies (``[tool.poetry.*]`` or
  ``[project]``), evaluating each edge's ``markers`` / ``python`` / ``platform``; without the
  pyproject this is an error, never a guess (a guess would report a ``win32``-only package
  missing on Linux).

Groups: ``main`` always; more only when named (``--group dev``).  This is stricter than a
bare ``poetry install`` (which adds every non-optional group), on purpose: production
installs use ``--only main`` / ``--without dev``, and a dev package that is installed anyway
shows up as a warning, not a failure.  The root project is not in the lock; when the
pyproject declares it (and ``package-mode`` is not false) it is accounted for if installed,
so an installed project is not reported extraneous, and it is not required.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bootguard.errors import ManifestError
from bootguard.manifest._lock import (
    Markers,
    array,
    load_lock_toml,
    optional_string,
    read_bytes,
    requires_python,
    string,
    table,
    version_string,
)
from bootguard.manifest._urls import lock_base, poetry_source
from bootguard.manifest.model import Manifest, ManifestEntry, Selection
from bootguard.names import canonical_name

__all__ = ["read_poetry"]

# Never read: ``{file = "...", hash = "..."}`` archive lines (2.x inline, 1.x under
# [metadata.files]) and descriptions; in a 2.1 lock also the ``[package.dependencies]`` and
# ``[package.extras]`` tables, which only the graph walk of older locks needs (a 2.1 lock's
# recorded groups and markers already say what is installed).
_SKIPPED_LINES = r"^(?:    \{file = .*\},?|description = \".*\")$"
_WALK_TABLES = r"^\[package\.(?:dependencies|extras)\]\n(?:[^\[\n].*\n|\n)*"
_CLAIMS_2_1 = b'\nlock-version = "2.1"\n'
_MAIN = "main"


@dataclass(frozen=True, slots=True)
class _Package:
    index: int
    name: str
    version: str
    raw: dict[str, Any]

    @property
    def key(self) -> str:
        return f"package[{self.index}]"


@dataclass(frozen=True, slots=True)
class _Dependency:
    """One way of depending on a name: conditions, version constraint, extras, optional."""

    name: str
    constraint: str = "*"
    markers: str | None = None
    python: str | None = None
    platform: str | None = None
    extras: frozenset[str] = frozenset()
    optional: bool = False
    key: str = ""


@dataclass
class _State:
    display: str
    selection: Selection
    markers: Markers
    packages: list[_Package] = field(default_factory=list)
    by_name: dict[str, list[_Package]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def read_poetry(path: Path, selection: Selection) -> Manifest:
    """Read a poetry.lock and select what ``poetry install --only main`` (+ groups) installs."""
    display = str(path)
    data = read_bytes(path, display)
    skip_walk_tables = _CLAIMS_2_1 in data[-4096:]
    document = load_lock_toml(
        data,
        display,
        skip_lines=_SKIPPED_LINES,
        skip_blocks=_WALK_TABLES if skip_walk_tables else None,
    )
    metadata = table(document.get("metadata"), display, "metadata")
    version = _lock_version(metadata, display)
    if skip_walk_tables and version < (2, 1):  # not what the text suggested: read it all
        document = load_lock_toml(data, display, skip_lines=_SKIPPED_LINES)
        metadata = table(document.get("metadata"), display, "metadata")
    state = _State(display, selection, Markers(selection.marker_env, display))
    for index, raw in enumerate(array(document.get("package", []), display, "package")):
        package = _package(index, raw, display)
        state.packages.append(package)
        state.by_name.setdefault(package.name, []).append(package)

    pyproject_path = path.parent / "pyproject.toml"
    pyproject: dict[str, Any] | None = None
    digest = hashlib.sha256(data)
    if pyproject_path.is_file():
        pyproject_data = read_bytes(pyproject_path, str(pyproject_path))
        pyproject = load_lock_toml(pyproject_data, str(pyproject_path))
    extras = frozenset(canonical_name(e) for e in selection.extras)
    groups = {_MAIN} | {canonical_name(g) for g in selection.groups or ()}

    if version >= (2, 1):
        root_extras = table(document.get("extras", {}), display, "extras")
        _check_extras(extras, {canonical_name(e) for e in root_extras}, display)
        chosen = _select_by_markers(state, groups, extras, pyproject)
    else:
        if pyproject is None:
            raise ManifestError(
                display,
                f"lock-version {'.'.join(map(str, version))} records no install markers, so "
                "packages are selected from the pyproject.toml beside the lock, as Poetry 1 "
                f"does; {pyproject_path} is missing",
                key="metadata.lock-version",
            )
        digest.update(pyproject_data)
        chosen = _Walk(state, pyproject, str(pyproject_path)).run(groups, extras)

    entries = [_entry(state, package, package_extras) for package, package_extras in chosen]
    root = _root_entry(pyproject, str(pyproject_path), extras) if pyproject is not None else None
    if root is not None and root.name not in {e.name for e in entries}:
        entries.append(root)
    return Manifest(
        path=display,
        format="poetry",
        entries=tuple(entries),
        digest=digest.hexdigest(),
        requires_python=_requires_python(metadata, state),
        complete=True,
        notes=tuple(state.notes),
    )


def _lock_version(metadata: dict[str, Any], display: str) -> tuple[int, int]:
    text = string(metadata.get("lock-version"), display, "metadata.lock-version")
    major, _, minor = text.partition(".")
    if not (major.isdigit() and minor.isdigit()):
        raise ManifestError(
            display, f"malformed lock-version {text!r}", key="metadata.lock-version"
        )
    version = (int(major), int(minor))
    # Poetry reads lock-version >=1,<3 (a newer minor only adds information).
    if not (1, 0) <= version < (3, 0):
        raise ManifestError(
            display,
            f"unsupported lock-version {text!r} (this bootguard reads 1.x and 2.x); "
            "upgrade bootguard",
            key="metadata.lock-version",
        )
    return version


def _package(index: int, raw: object, display: str) -> _Package:
    key = f"package[{index}]"
    raw = table(raw, display, key)
    name = canonical_name(string(raw.get("name"), display, f"{key}.name"))
    version = version_string(raw.get("version"), display, f"{key}.version")
    return _Package(index, name, version, raw)


def _check_extras(wanted: frozenset[str], known: set[str], display: str) -> None:
    unknown = sorted(wanted - known)
    if unknown:
        raise ManifestError(
            display,
            f"no extra {', '.join(map(repr, unknown))} in the project "
            f"(extras: {', '.join(sorted(known)) or 'none'})",
        )


def _check_groups(wanted: set[str], known: set[str], display: str) -> None:
    unknown = sorted(wanted - known - {_MAIN})
    if unknown:
        raise ManifestError(
            display,
            f"no dependency group {', '.join(map(repr, unknown))} "
            f"(groups: {', '.join(sorted(known | {_MAIN}))})",
        )


# --- lock-version 2.1: groups and markers recorded per package ------------------------


def _select_by_markers(
    state: _State,
    groups: set[str],
    extras: frozenset[str],
    pyproject: dict[str, Any] | None,
) -> list[tuple[_Package, frozenset[str]]]:
    display = state.display
    known: set[str] = set()
    per_package: list[tuple[_Package, list[str]]] = []
    for package in state.packages:
        key = f"{package.key}.groups"
        names = [
            canonical_name(string(g, display, f"{key}[{i}]"))
            for i, g in enumerate(array(package.raw.get("groups"), display, key))
        ]
        known.update(names)
        per_package.append((package, names))
    if pyproject is not None:
        known.update(_declared_groups(pyproject))
    _check_groups(groups, known, display)
    chosen: list[tuple[_Package, frozenset[str]]] = []
    for package, names in per_package:
        active = [g for g in names if g in groups]
        if not active:
            continue
        markers = package.raw.get("markers")
        key = f"{package.key}.markers"
        if isinstance(markers, dict):
            by_group = {canonical_name(g): m for g, m in markers.items()}
            texts = [optional_string(by_group.get(g), display, f"{key}.{g}") for g in active]
        else:
            texts = [optional_string(markers, display, key)]
        if any(state.markers.holds(text, key, extras) for text in texts):
            chosen.append((package, frozenset()))
    return chosen


def _declared_groups(pyproject: dict[str, Any]) -> set[str]:
    tool = pyproject.get("tool")
    poetry = tool.get("poetry") if isinstance(tool, dict) else None
    names: set[str] = set()
    if isinstance(poetry, dict):
        if isinstance(poetry.get("group"), dict):
            names.update(canonical_name(g) for g in poetry["group"])
        if "dev-dependencies" in poetry:
            names.add("dev")
    if isinstance(pyproject.get("dependency-groups"), dict):
        names.update(canonical_name(g) for g in pyproject["dependency-groups"])
    return names


# --- lock-version 1.x / 2.0: walk from the pyproject -----------------------------------


class _Walk:
    def __init__(self, state: _State, pyproject: dict[str, Any], pyproject_display: str) -> None:
        self.state = state
        self.display = state.display
        self.pyproject = pyproject
        self.pyproject_display = pyproject_display
        self.chosen: dict[int, set[str]] = {}
        self.queue: list[tuple[_Package, str | None]] = []

    def run(
        self, groups: set[str], extras: frozenset[str]
    ) -> list[tuple[_Package, frozenset[str]]]:
        for dependency in self._roots(groups, extras):
            self._depend(dependency, frozenset())
        while self.queue:
            package, extra = self.queue.pop()
            if extra is None:
                self._follow_base(package)
            else:
                self._follow_extra(package, extra)
        return [
            (self.state.packages[index], frozenset(e)) for index, e in sorted(self.chosen.items())
        ]

    # roots

    def _roots(self, groups: set[str], extras: frozenset[str]) -> list[_Dependency]:
        shown = self.pyproject_display
        pyproject = self.pyproject
        project = table(pyproject.get("project", {}), shown, "project")
        tool = table(pyproject.get("tool", {}), shown, "tool")
        poetry = table(tool.get("poetry", {}), shown, "tool.poetry")
        roots: list[_Dependency] = []
        known_extras: set[str] = set()
        if "dependencies" in project:
            key = "project.dependencies"
            roots += [
                _from_pep508(string(r, shown, f"{key}[{i}]"), shown, f"{key}[{i}]")
                for i, r in enumerate(array(project["dependencies"], shown, key))
            ]
            optional = table(
                project.get("optional-dependencies", {}), shown, "project.optional-dependencies"
            )
            known_extras.update(canonical_name(e) for e in optional)
            for extra, requirements in optional.items():
                if canonical_name(extra) not in extras:
                    continue
                key = f"project.optional-dependencies.{extra}"
                roots += [
                    _from_pep508(string(r, shown, f"{key}[{i}]"), shown, f"{key}[{i}]")
                    for i, r in enumerate(array(requirements, shown, key))
                ]
        else:
            declared = table(poetry.get("extras", {}), shown, "tool.poetry.extras")
            known_extras.update(canonical_name(e) for e in declared)
            enabled = {
                canonical_name(string(n, shown, f"tool.poetry.extras.{e}"))
                for e, names in declared.items()
                if canonical_name(e) in extras
                for n in array(names, shown, f"tool.poetry.extras.{e}")
            }
            for dependency in self._poetry_table(
                poetry.get("dependencies", {}), "tool.poetry.dependencies"
            ):
                if not dependency.optional or dependency.name in enabled:
                    roots.append(dependency)
        _check_extras(extras, known_extras, self.display)

        known_groups = _declared_groups(pyproject)
        _check_groups(groups, known_groups, self.display)
        poetry_groups = table(poetry.get("group", {}), shown, "tool.poetry.group")
        for name, raw_group in poetry_groups.items():
            if canonical_name(name) in groups:
                group = table(raw_group, shown, f"tool.poetry.group.{name}")
                roots += self._poetry_table(
                    group.get("dependencies", {}), f"tool.poetry.group.{name}.dependencies"
                )
        if "dev" in groups and "dev-dependencies" in poetry:
            roots += self._poetry_table(poetry["dev-dependencies"], "tool.poetry.dev-dependencies")
        pep735 = table(pyproject.get("dependency-groups", {}), shown, "dependency-groups")
        for name, requirements in pep735.items():
            if canonical_name(name) in groups:
                key = f"dependency-groups.{name}"
                for i, item in enumerate(array(requirements, shown, key)):
                    if isinstance(item, str):  # {include-group = ...} needs no lookup here
                        roots.append(_from_pep508(item, shown, f"{key}[{i}]"))
        return roots

    def _poetry_table(self, value: object, key: str) -> list[_Dependency]:
        shown = self.pyproject_display
        result = []
        for name, spec in table(value, shown, key).items():
            if canonical_name(name) == "python":
                continue
            result += _from_poetry(name, spec, shown, f"{key}.{name}")
        return result

    # edges

    def _follow_base(self, package: _Package) -> None:
        key = f"{package.key}.dependencies"
        dependencies = table(package.raw.get("dependencies", {}), self.display, key)
        for name, spec in dependencies.items():
            alternatives = _from_poetry(name, spec, self.display, f"{key}.{name}")
            if any(a.optional for a in alternatives):
                continue  # only through an extra of this package
            self._depend_any(alternatives, frozenset())

    def _follow_extra(self, package: _Package, extra: str) -> None:
        key = f"{package.key}.extras"
        extras = table(package.raw.get("extras", {}), self.display, key)
        dependencies = table(
            package.raw.get("dependencies", {}), self.display, f"{package.key}.dependencies"
        )
        by_name = {canonical_name(n): (n, s) for n, s in dependencies.items()}
        for name, requirements in extras.items():
            if canonical_name(name) != extra:
                continue
            for i, text in enumerate(array(requirements, self.display, f"{key}.{name}")):
                item_key = f"{key}.{name}[{i}]"
                wanted = _from_pep508(string(text, self.display, item_key), self.display, item_key)
                if wanted.name in by_name:  # the dependency table has the details
                    original, spec = by_name[wanted.name]
                    alternatives = _from_poetry(
                        original, spec, self.display, f"{package.key}.dependencies.{original}"
                    )
                    self._depend_any(alternatives, frozenset({extra}))
                else:
                    self._depend(wanted, frozenset({extra}))

    def _depend_any(self, alternatives: list[_Dependency], extras: frozenset[str]) -> None:
        for dependency in alternatives:
            if self._depend(dependency, extras):
                return

    def _depend(self, dependency: _Dependency, extras: frozenset[str]) -> bool:
        """Follow one dependency if its conditions hold here; True if followed."""
        state = self.state
        if not state.markers.holds(dependency.markers, f"{dependency.key}.markers", extras):
            return False
        if dependency.python is not None and not _python_allows(
            dependency.python, state.selection.marker_env, self.display, dependency.key
        ):
            return False
        if dependency.platform is not None and (
            state.selection.marker_env.get("sys_platform") != dependency.platform
        ):
            return False
        target = self._target(dependency)
        chosen = self.chosen.get(target.index)
        if chosen is None:
            chosen = self.chosen[target.index] = set()
            self.queue.append((target, None))
        for extra in sorted(dependency.extras - chosen):
            chosen.add(extra)
            self.queue.append((target, extra))
        return True

    def _target(self, dependency: _Dependency) -> _Package:
        candidates = self.state.by_name.get(dependency.name)
        if not candidates:
            raise ManifestError(
                self.display,
                f"{dependency.name!r} is required but the lock does not list it; "
                "is the lock out of date with pyproject.toml?",
                key=dependency.key,
            )
        if len(candidates) > 1:
            candidates = [
                c for c in candidates if _allows(dependency.constraint, c.version) is not False
            ]
            if len(candidates) != 1:
                raise ManifestError(
                    self.display,
                    f"cannot tell which locked {dependency.name!r} satisfies {dependency.constraint!r}",
                    key=dependency.key,
                )
        return candidates[0]


# --- dependency specifications -------------------------------------------------------


def _from_pep508(text: str, display: str, key: str) -> _Dependency:
    """A PEP 508 requirement (``[project]`` tables, package extras: ``"pytest (>=6)"``)."""
    from packaging.requirements import InvalidRequirement, Requirement  # deferred: import cost

    try:
        requirement = Requirement(text)
    except InvalidRequirement as err:
        raise ManifestError(display, f"invalid requirement {text!r}: {err}", key=key) from err
    return _Dependency(
        name=canonical_name(requirement.name),
        constraint=str(requirement.specifier) or "*",
        markers=str(requirement.marker) if requirement.marker is not None else None,
        extras=frozenset(canonical_name(e) for e in requirement.extras),
        key=key,
    )


def _from_poetry(name: str, spec: object, display: str, key: str) -> list[_Dependency]:
    """Poetry's dependency forms: ``"^1.2"``, ``{version = ..., markers = ...}``, or a list."""
    normalized = canonical_name(name)
    if isinstance(spec, str):
        return [_Dependency(normalized, spec, key=key)]
    if isinstance(spec, list):
        result: list[_Dependency] = []
        for i, item in enumerate(spec):
            result += _from_poetry(name, item, display, f"{key}[{i}]")
        return result
    spec = table(spec, display, key)
    extras = array(spec.get("extras", []), display, f"{key}.extras")
    optional = spec.get("optional", False)
    if not isinstance(optional, bool):
        raise ManifestError(display, "expected true or false", key=f"{key}.optional")
    return [
        _Dependency(
            name=normalized,
            constraint=optional_string(spec.get("version"), display, f"{key}.version") or "*",
            markers=optional_string(spec.get("markers"), display, f"{key}.markers"),
            python=optional_string(spec.get("python"), display, f"{key}.python"),
            platform=optional_string(spec.get("platform"), display, f"{key}.platform"),
            extras=frozenset(canonical_name(string(e, display, f"{key}.extras")) for e in extras),
            optional=optional,
            key=key,
        )
    ]


def _alternatives(constraint: str) -> list[list[str]] | None:
    """A Poetry constraint as OR-of-AND PEP 440 specifier atoms (None: not understood).

    ``^1.2`` is ``>=1.2,<2.0``; ``~1.2`` is ``>=1.2,<1.3``; ``1.2`` is ``==1.2``; ``,`` and
    spaces are AND, ``||`` / ``|`` is OR; ``*`` is anything.
    """
    result = []
    for alternative in constraint.replace("||", "|").split("|"):
        atoms: list[str] = []
        for token in _tokens(alternative):
            converted = _atom(token)
            if converted is None:
                return None
            atoms += converted
        result.append(atoms)
    return result


def _tokens(text: str) -> list[str]:
    """``">= 1.2, <2"`` -> ``[">=1.2", "<2"]``: operators glued to their versions."""
    tokens: list[str] = []
    for part in text.replace(",", " ").split():
        if tokens and tokens[-1] in ("<", "<=", ">", ">=", "==", "!=", "=", "~", "~=", "^"):
            tokens[-1] += part
        else:
            tokens.append(part)
    return tokens


def _atom(token: str) -> list[str] | None:
    if token in ("*", ""):
        return []
    for operator in ("~=", "==", ">=", "<=", "!=", "<", ">"):
        if token.startswith(operator):
            return [token]
    if token.startswith("^"):
        return _bounded(token[1:], caret=True)
    if token.startswith("~"):
        return _bounded(token[1:], caret=False)
    if token.startswith("="):
        return ["==" + token[1:]]
    return ["==" + token]


def _bounded(version: str, *, caret: bool) -> list[str] | None:
    parts = version.split(".")
    numbers = []
    for part in parts:
        if not part.isdigit():
            break
        numbers.append(int(part))
    if not numbers:
        return None
    if caret:
        position = next((i for i, n in enumerate(numbers) if n != 0), len(numbers) - 1)
    else:
        position = 0 if len(numbers) == 1 else 1
    upper = [*numbers[:position], numbers[position] + 1]
    return [f">={version}", f"<{'.'.join(map(str, upper))}"]


def _allows(constraint: str, version: str) -> bool | None:
    """Whether ``version`` satisfies the Poetry ``constraint`` (None: cannot tell)."""
    from packaging.specifiers import InvalidSpecifier, Specifier
    from packaging.version import InvalidVersion, Version

    alternatives = _alternatives(constraint)
    if alternatives is None:
        return None
    try:
        parsed = Version(version)
        return any(
            all(Specifier(atom).contains(parsed, prereleases=True) for atom in atoms)
            for atoms in alternatives
        )
    except (InvalidSpecifier, InvalidVersion):
        return None


def _python_allows(constraint: str, marker_env: dict[str, str], display: str, key: str) -> bool:
    """A Poetry ``python = "..."`` condition, at the precision Poetry gives it.

    Poetry turns ``python = "<3.11"`` into ``python_version < "3.11"``: bounds with two
    components compare against ``python_version`` (so 3.11.4 is not ``<3.11`` and not
    ``>3.11``), longer ones against ``python_full_version``.
    """
    from packaging.specifiers import InvalidSpecifier, Specifier
    from packaging.version import InvalidVersion

    alternatives = _alternatives(constraint)
    if alternatives is None:
        raise ManifestError(
            display, f"cannot read the python constraint {constraint!r}", key=f"{key}.python"
        )
    short = marker_env.get("python_version", "")
    full = marker_env.get("python_full_version", "")
    try:
        for atoms in alternatives:
            if all(
                Specifier(atom).contains(short if _short(atom) else full, prereleases=True)
                for atom in atoms
            ):
                return True
    except (InvalidSpecifier, InvalidVersion) as err:
        raise ManifestError(
            display, f"cannot read the python constraint {constraint!r}: {err}", key=f"{key}.python"
        ) from err
    return False


def _short(atom: str) -> bool:
    version = atom.lstrip("<>=!~")
    return version.count(".") <= 1 and "*" not in version


# --- entries ---------------------------------------------------------------------------


def _entry(state: _State, package: _Package, extras: frozenset[str]) -> ManifestEntry:
    display = state.display
    source = table(package.raw.get("source", {}), display, f"{package.key}.source")
    kind = optional_string(source.get("type"), display, f"{package.key}.source.type")
    url = optional_string(source.get("url"), display, f"{package.key}.source.url")
    develop = package.raw.get("develop", False) is True
    direct = kind in ("directory", "file", "url", "git")
    return ManifestEntry(
        name=package.name,
        specifier=f"=={package.version}",
        extras=frozenset(e for e in extras if e),
        url=(f"git+{url}" if kind == "git" and url else url) if direct else None,
        editable=develop and kind == "directory",
        origin=f"{display}: {package.key} ({package.name})",
        source=poetry_source(source, lock_base(display), develop=develop),
    )


def _root_entry(
    pyproject: dict[str, Any], shown: str, extras: frozenset[str]
) -> ManifestEntry | None:
    """The project itself: accounted for when installed, never required (``--no-root``).

    Which project the pyproject declares is :func:`bootguard.manifest.project.declared_project`'s
    answer, the one every format shares; Poetry's lock adds that its version is checked.
    """
    from bootguard.manifest.project import declared_project

    declared = declared_project(pyproject, shown)
    if declared is None:
        return None
    return ManifestEntry(
        name=declared.name,
        specifier=f"=={declared.version}" if declared.version else "",
        extras=extras,
        origin=f"{shown}: project ({declared.display_name})",
        constraint=True,
    )


def _requires_python(metadata: dict[str, Any], state: _State) -> str | None:
    text = optional_string(
        metadata.get("python-versions"), state.display, "metadata.python-versions"
    )
    if not text or text.strip() == "*":
        return None
    alternatives = _alternatives(text)
    if alternatives is None or len(alternatives) != 1:
        state.notes.append(
            f"{state.display}: python-versions {text!r} is not checked (not one PEP 440 range)"
        )
        return None
    return requires_python(",".join(alternatives[0]), state.display, "metadata.python-versions")
