"""PEP 440 helpers: parse versions and specifiers once, and decide "is this acceptable".

Plain versions against plain specifiers (nearly all of them) are decided by
:mod:`bootguard._pep440` without importing ``packaging``; the rest by ``packaging``.
"""

from __future__ import annotations

from bootguard._pep440 import contains, surely_valid

TYPE_CHECKING = False
if TYPE_CHECKING:
    from packaging.specifiers import SpecifierSet
    from packaging.version import Version

__all__ = ["parse_version", "plain_version", "satisfies"]


_SPEC_CACHE: dict[str, SpecifierSet | None] = {}


def _specifier(text: str) -> SpecifierSet | None:
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    try:
        return _SPEC_CACHE[text]
    except KeyError:
        pass
    try:
        spec: SpecifierSet | None = SpecifierSet(text)
    except InvalidSpecifier:
        spec = None
    _SPEC_CACHE[text] = spec
    return spec


def parse_version(text: str) -> Version | None:
    from packaging.version import InvalidVersion, Version

    try:
        return Version(text)
    except InvalidVersion:
        return None


def satisfies(version: str, specifier: str | SpecifierSet) -> bool | None:
    """Whether ``version`` is allowed by ``specifier`` (PEP 440), None if undecidable.

    Pre-releases count as allowed when they are inside the range: the question here is
    "is what is installed acceptable", not "what would a resolver pick".  Local versions
    follow PEP 440: ``==2.1.0`` accepts ``2.1.0+cpu``; ``==2.1.0+cpu`` requires that label.
    ``===`` is a plain string comparison, as specified.
    """
    text = str(specifier).strip()
    if not text:
        return True
    if text.startswith("==="):
        # packaging (and so pip and uv) compare arbitrary equality case-insensitively
        return version.lower() == text[3:].strip().lower()
    if isinstance(specifier, str):
        decided = contains(version, text)
        if decided is not None:
            return decided
    spec = _specifier(text) if isinstance(specifier, str) else specifier
    parsed = parse_version(version)
    if spec is None or parsed is None:
        return None
    return spec.contains(parsed, prereleases=True)


def plain_version(text: str) -> bool:
    """``1.2.3``, ``2.0rc1``, ``1.0.post1``: surely valid, decided without packaging
    (nearly every installed version); False means packaging must decide."""
    return surely_valid(text)
