"""Which packages of a lock-version 1.x / 2.0 ``poetry.lock`` are installed.

Such a lock records no install markers: Poetry re-resolves against the ``pyproject.toml``
beside it.  The walk starts from that pyproject's dependencies (``[tool.poetry.*]`` or
``[project]``) and follows the lock's dependency graph, evaluating each edge's ``markers`` /
``python`` / ``platform`` against this interpreter, so a ``win32``-only package is not
required on Linux.
"""

from __future__ import annotations

from bootguard._record import Record
from bootguard.errors import ManifestError
from bootguard.manifest._lock import array, optional_string, string, table
from bootguard.manifest._poetry_constraints import _allows, _python_allows
from bootguard.manifest._poetry_select import (
    _check_extras,
    _check_groups,
    _declared_groups,
    _Package,
    _State,
)
from bootguard.names import canonical_name

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any  # annotations only: importing typing costs a cold boot


class _Dependency(Record):
    """One way of depending on a name: conditions, version constraint, extras, optional."""

    name: str
    constraint: str = "*"
    markers: str | None = None
    python: str | None = None
    platform: str | None = None
    extras: frozenset[str] = frozenset()
    optional: bool = False
    key: str = ""


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


def _from_pep508(text: str, display: str, key: str) -> _Dependency:
    """A PEP 508 requirement (``[project]`` tables, package extras: ``"pytest (>=6)"``)."""
    from packaging.requirements import InvalidRequirement  # deferred: import cost

    from bootguard._pep508 import packaging_requirement

    try:
        requirement = packaging_requirement(text)
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
