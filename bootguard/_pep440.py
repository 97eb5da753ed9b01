"""PEP 440 decisions on the common versions and specifiers, without importing ``packaging``.

Importing ``packaging.specifiers`` and ``packaging.version`` costs more than reading every
installed distribution's metadata, yet nearly every version a boot check compares is a
release with at most a pre-, post- or dev-release suffix (``1.2.3``, ``2.0rc1``,
``2.9.0.post0``), and nearly every specifier a list of clauses such as ``>=1.2,<3``,
``~=2.0`` or ``!=1.5.*``.  For those, :func:`contains` applies PEP 440's ordering (the
same sort key as packaging: release without trailing zeros, then pre, post and dev) and
its rules for exclusive bounds.  Anything else (an epoch, a local label outside an exact
pin, ``===``, an exclusive bound at a post-release, a malformed clause) makes it answer
``None`` and the caller asks ``packaging``: a shortcut that cannot decide never guesses.
A differential test holds it equal to ``packaging`` over every version and specifier of two
real environments, an exhaustive grid around pre/post/dev releases and generated inputs.
"""

from __future__ import annotations

__all__ = ["canonical", "contains", "normal_pin", "release", "surely_valid"]

_OPERATORS = ("~=", "==", "!=", "<=", ">=", "<", ">")
#: Versions written in PEP 440's normal form (``1.0rc1``, ``2.1.0.post1``, ``1.0+cpu``):
#: all valid, so ``==V`` holds for exactly ``V`` without comparing anything.
_NORMAL = (
    r"[0-9]+(?:\.[0-9]+)*(?:(?:a|b|rc)[0-9]+)?(?:\.post[0-9]+)?(?:\.dev[0-9]+)?"
    r"(?:\+[a-z0-9]+(?:\.[a-z0-9]+)*)?"
)
#: PEP 440's version pattern (as packaging spells it) without epoch and local label: the
#: release, then the pre-release letter and number, the post-release number (either
#: spelling) and the dev number, each in every spelling PEP 440 normalizes.
_PARTS = (
    r"\s*v?([0-9]+(?:\.[0-9]+)*)"
    r"(?:[-_.]?(alpha|a|beta|b|preview|pre|c|rc)[-_.]?([0-9]+)?)?"
    r"(?:-([0-9]+)|[-_.]?(post|rev|r)[-_.]?([0-9]+)?)?"
    r"(?:[-_.]?(dev)[-_.]?([0-9]+)?)?\s*"
)
_PRE = {
    "alpha": "a",
    "a": "a",
    "beta": "b",
    "b": "b",
    "c": "rc",
    "rc": "rc",
    "pre": "rc",
    "preview": "rc",
}


def release(text: str) -> tuple[int, ...] | None:
    """``(1, 2, 3)`` for ``"1.2.3"``; None unless ``text`` is ASCII digits and single dots."""
    if not text.isascii():
        return None
    parts = text.split(".")
    for part in parts:
        if not part.isdigit():
            return None
    return tuple(int(part) for part in parts)


def _stripped(numbers: tuple[int, ...]) -> tuple[int, ...]:
    """Trailing zeros removed: ``1.0`` and ``1`` are the same version (PEP 440)."""
    end = len(numbers)
    while end > 1 and numbers[end - 1] == 0:
        end -= 1
    return numbers[:end]


class _Version:
    """A version without epoch or local label, ordered as PEP 440 orders it."""

    __slots__ = ("key", "numbers", "post", "pre")

    def __init__(
        self,
        numbers: tuple[int, ...],
        pre: tuple[str, int] | None,
        post: int | None,
        dev: int | None,
    ) -> None:
        self.numbers = numbers
        self.pre = pre is not None or dev is not None  # PEP 440: dev releases are pre-releases
        self.post = post is not None
        # packaging's sort key: a dev release of a final sorts before its pre-releases
        if pre is not None:
            pre_key: tuple[int, str, int] = (0, *pre)
        else:
            pre_key = (-1, "", 0) if dev is not None and post is None else (1, "", 0)
        post_key = (-1, 0) if post is None else (0, post)
        dev_key = (1, 0) if dev is None else (0, dev)
        self.key = (_stripped(numbers), pre_key, post_key, dev_key)


_PARSED: dict[str, _Version | None] = {}


def _parse(text: str) -> _Version | None:
    """``text`` as a :class:`_Version`; None with an epoch, a local label, or if invalid.

    Cached: a boot compares the same few hundred version strings many times."""
    try:
        return _PARSED[text]
    except KeyError:
        pass
    parsed = _PARSED[text] = _parse_new(text)
    return parsed


def _parse_new(text: str) -> _Version | None:
    numbers = release(text)
    if numbers is not None:
        return _Version(numbers, None, None, None)
    import re  # deferred: the metadata reader has loaded it already

    match = re.fullmatch(_PARTS, text, re.ASCII | re.IGNORECASE)
    if match is None:
        return None
    parts = match.groups()
    numbers = release(parts[0])
    assert numbers is not None
    pre = None if parts[1] is None else (_PRE[parts[1].lower()], int(parts[2] or 0))
    post = None
    if parts[3] is not None:
        post = int(parts[3])
    elif parts[4] is not None:
        post = int(parts[5] or 0)
    dev = None if parts[6] is None else int(parts[7] or 0)
    return _Version(numbers, pre, post, dev)


def surely_valid(text: str) -> bool:
    """True when ``text`` is a valid PEP 440 version without an epoch or local label
    (False says nothing: ask packaging)."""
    return _parse(text) is not None


def _prefix_matches(version: tuple[int, ...], prefix: tuple[int, ...]) -> bool:
    """``==prefix.*``: the release, padded with zeros, starts with ``prefix``."""
    padded = version + (0,) * (len(prefix) - len(version))
    return padded[: len(prefix)] == prefix


def _clause(version: _Version, clause: str) -> bool | None:
    """One specifier clause against a version; None when outside the subset."""
    for operator in _OPERATORS:
        if clause.startswith(operator):
            break
    else:
        return None
    if clause.startswith("==="):
        return None
    target_text = clause[len(operator) :].strip()
    if target_text.endswith(".*"):
        if operator not in ("==", "!="):
            return None
        prefix = release(target_text[:-2])
        if prefix is None:
            return None
        return _prefix_matches(version.numbers, prefix) is (operator == "==")
    target = _parse(target_text)
    if target is None:
        return None
    if operator == "~=":
        plain = release(target_text)
        if plain is None or len(plain) < 2:
            return None  # invalid (one number), or a suffix: packaging's
        return version.key >= target.key and _prefix_matches(version.numbers, target.numbers[:-1])
    left, right = version.key, target.key
    if operator == "==":
        return left == right
    if operator == "!=":
        return left != right
    if operator == "<=":
        return left <= right
    if operator == ">=":
        return left >= right
    if target.post or (operator == ">" and target.pre):
        return None  # exclusive bounds at post-releases, ``>`` at pre-releases: packaging's
    same_release = left[0] == right[0]
    if operator == "<":  # never a pre-release of the bound itself, unless it is one
        return left < right and not (version.pre and not target.pre and same_release)
    # ``>``: never a post-release of the bound itself, unless it is one
    return left > right and not (version.post and not target.post and same_release)


_ZERO = _Version((0,), None, None, None)


def contains(version: str, specifier: str) -> bool | None:
    """Whether ``version`` is inside ``specifier``, as ``SpecifierSet.contains`` with
    pre-releases allowed answers; None when either is outside the subset."""
    parsed = _parse(version)
    if parsed is None:
        return _same_pin(version, specifier)
    verdict = True
    for piece in specifier.split(","):
        clause = piece.strip()
        if not clause:
            continue  # SpecifierSet skips empty items too
        decided = _clause(parsed, clause)
        if decided is None:
            return _same_pin(version, specifier)
        verdict = verdict and decided  # every clause is decided: none may be malformed
    return verdict


def canonical(specifier: str) -> str | None:
    """``str(SpecifierSet(specifier))`` (clauses stripped, sorted, duplicates dropped) when
    every clause is one :func:`contains` decides; None otherwise, or when two clauses written
    differently mean the same (packaging keeps one of them).  ``""`` for no clause at all."""
    pieces = [piece.strip() for piece in specifier.split(",")]
    if pieces == [""]:
        return ""
    clauses: dict[str, object] = {}
    for clause in pieces:
        operator = next((op for op in _OPERATORS if clause.startswith(op)), "")
        version = clause[len(operator) :].strip()
        if not operator or clause.startswith("===") or _clause(_ZERO, clause) is None:
            return None  # an empty item, ``===``, or not a clause this module decides
        if version.endswith(".*"):
            key: object = (operator, release(version[:-2]), "*")
        else:
            parsed = _parse(version)
            assert parsed is not None  # _clause decided it
            key = (operator, parsed.key)
        clauses[operator + version] = key
    if len(set(clauses.values())) != len(clauses):
        return None
    return ",".join(sorted(clauses))


def normal_pin(specifier: str) -> str | None:
    """``==V`` as ``str(SpecifierSet)`` writes it, when ``V`` is in PEP 440's normal form
    (so surely valid); None for anything else."""
    text = specifier.strip()
    if not text.startswith("==") or text.startswith("===") or "," in text:
        return None
    version = text[2:].strip()
    import re  # deferred: the metadata reader has loaded it already

    return f"=={version}" if re.fullmatch(_NORMAL, version, re.ASCII) else None


def _same_pin(version: str, specifier: str) -> bool | None:
    """True for ``==V`` and ``V`` written the same in PEP 440's normal form (a locked
    pre-release or local version is installed as locked); None otherwise."""
    text = specifier.strip()
    if not text.startswith("==") or text[2:].strip() != version or text.startswith("==="):
        return None
    import re  # deferred: the metadata reader has loaded it already

    return True if re.fullmatch(_NORMAL, version, re.ASCII) else None
