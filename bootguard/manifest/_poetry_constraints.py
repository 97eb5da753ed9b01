"""Poetry's version constraint language, read as PEP 440 specifiers.

Poetry writes ``^1.2``, ``~1.2``, ``1.2``, ``>= 1.2, <2`` and ``a || b``; the lock keeps them
as written (``python-versions``, ``python = ...`` conditions, dependency versions), so they
are translated here into OR-of-AND specifier atoms before ``packaging`` compares them.
"""

from __future__ import annotations

from bootguard.errors import ManifestError


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
