"""PEP 508 requirements and markers in their common forms, without importing ``packaging``.

``packaging.requirements`` and ``packaging.markers`` cost a cold boot more than everything
else bootguard does, and almost every Requires-Dist line and lock marker is one of a few
machine-written shapes: ``name``, ``name[extra]>=1.0,<2``, ``name (>=1.0)``, each optionally
followed by a marker of ``and``/``or``/parentheses over ``extra == "x"``,
``python_version < "3.11"``, ``sys_platform == "win32"`` and the like.  Those are parsed and
evaluated here; :func:`parse_requirement` and :func:`parse_marker` return ``None`` for
anything else (a URL, a legacy variable name, an operator this subset does not decide, an
oddly spaced keyword), and :meth:`Marker.evaluate` returns ``None`` when a comparison leaves
the plain-version subset of :mod:`bootguard._pep440`.  In every such case the caller asks
``packaging``, so the shortcut changes what is fast, never an answer.  A differential test
holds both equal to ``packaging`` over every Requires-Dist line of real environments and
hypothesis-generated ones.
"""

from __future__ import annotations

from bootguard._pep440 import canonical, contains, normal_pin
from bootguard.names import canonical_name

TYPE_CHECKING = False
if TYPE_CHECKING:
    import re

    import packaging.markers
    import packaging.requirements

__all__ = [
    "Marker",
    "Requirement",
    "packaging_marker",
    "packaging_requirement",
    "parse_marker",
    "parse_requirement",
]

#: More opening parentheses than any real marker has: such a marker goes to packaging,
#: so this module's recursive parser and evaluator never meet a deep nesting.
_MAX_PARENTHESES = 32

#: Marker variables compared as versions when both sides are valid (packaging's rule).
_VERSION_VARIABLES = frozenset(
    {"python_version", "python_full_version", "implementation_version", "platform_release"}
)
_STRING_VARIABLES = frozenset(
    {
        "sys_platform",
        "platform_system",
        "os_name",
        "implementation_name",
        "platform_python_implementation",
        "platform_machine",
        "platform_version",
        "extra",
    }
)
_NAME_TEXT = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-"
_NAME_CHARS = frozenset(_NAME_TEXT)
_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")

#: A comparison: (left is the variable, variable, operator, literal).
_Atom = tuple[bool, str, str, str]
#: A marker in disjunctive form: any group holds if all its items hold.
_Tree = list[list["_Atom | _Tree"]]


class Marker:
    """A parsed marker of the common subset; ``str()`` is packaging's canonical form."""

    __slots__ = ("_tree", "text")

    def __init__(self, text: str, tree: _Tree) -> None:
        self.text = text
        self._tree = tree

    def evaluate(self, env: dict[str, str], extra: str) -> bool | None:
        """The marker's value with ``env`` and the (canonical) ``extra``; None when some
        comparison is outside the subset (then packaging decides, and may raise)."""
        return _evaluate(self._tree, env, extra)

    def __str__(self) -> str:
        from packaging.markers import Marker as _Marker  # only for messages

        return str(_Marker(self.text))


class Requirement:
    """A Requires-Dist line of the common subset, shaped like ``packaging``'s Requirement.

    ``specifier`` is the text ``str(SpecifierSet)`` gives (clauses deduplicated and sorted),
    so messages and comparisons read the same as with packaging; ``str()`` asks packaging.
    """

    __slots__ = ("extras", "line", "marker", "name", "specifier", "url")

    def __init__(
        self, line: str, name: str, extras: set[str], specifier: str, marker: Marker | None
    ) -> None:
        self.line = line
        self.name = name
        self.extras = extras
        self.specifier = specifier
        self.marker = marker
        self.url: str | None = None

    def __str__(self) -> str:
        from packaging.requirements import Requirement as _Requirement  # only for messages

        return str(_Requirement(self.line))


def parse_requirement(line: str) -> Requirement | None:
    """The requirement, or None when the line is outside the common subset."""
    head, semicolon, marker_text = line.partition(";")
    marker = None
    if semicolon:
        marker = parse_marker(marker_text)
        if marker is None:
            return None
    head = head.strip()
    rest = head.lstrip(_NAME_TEXT)  # the name is the leading run of name characters
    name = head[: len(head) - len(rest)]
    if not name or name[0] not in _ALNUM or name[-1] not in _ALNUM:
        return None
    rest = rest.lstrip()
    extras: set[str] = set()
    if rest.startswith("["):
        close = rest.find("]")
        if close < 0:
            return None
        for item in rest[1:close].split(","):
            extra = item.strip()
            if not extra or not set(extra) <= _NAME_CHARS:
                return None
            if extra[0] not in _ALNUM or extra[-1] not in _ALNUM:
                return None
            extras.add(extra)
        rest = rest[close + 1 :].lstrip()
    if rest.startswith("(") and rest.endswith(")"):
        rest = rest[1:-1]
    specifier = _specifier(rest)
    if specifier is None:
        return None
    return Requirement(line, name, extras, specifier, marker)


def _specifier(text: str) -> str | None:
    """``str(SpecifierSet(text))`` for the clauses :mod:`bootguard._pep440` decides, else None."""
    result = canonical(text)
    return normal_pin(text) if result is None else result


def parse_marker(text: str) -> Marker | None:
    """The marker, or None when it is outside the common subset (or not a marker)."""
    tokens = _tokens(text)
    if not tokens or tokens.count("(") > _MAX_PARENTHESES:
        return None
    position, tree = _disjunction(tokens, 0)
    if tree is None or position != len(tokens):
        return None
    return Marker(text.strip(), tree)


#: One token after optional blanks: a parenthesis, a quoted string, a word, an operator.
_MARKER_PIECE = r"""[ \t]*([()]|'[^']*'|"[^"]*"|[a-z_.]+|===|==|!=|<=|>=|~=|<|>)"""
_token_pattern: re.Pattern[str] | None = None


def _tokens(text: str) -> list[str] | None:
    """Words, operators, parentheses and quoted strings (kept with their quotes); None
    when something else is in the text."""
    global _token_pattern
    if _token_pattern is None:
        import re  # deferred: the metadata reader has loaded it already

        _token_pattern = re.compile(_MARKER_PIECE)
    tokens: list[str] = []
    end = 0
    for match in _token_pattern.finditer(text):
        if match.start() != end:
            return None
        tokens.append(match.group(1))
        end = match.end()
    return tokens if not text[end:].strip(" \t") else None


def _disjunction(tokens: list[str], position: int) -> tuple[int, _Tree | None]:
    groups: _Tree = [[]]
    while True:
        position, item = _item(tokens, position)
        if item is None:
            return position, None
        groups[-1].append(item)
        if position < len(tokens) and tokens[position] in ("and", "or"):
            if tokens[position] == "or":
                groups.append([])
            position += 1
            continue
        return position, groups


def _item(tokens: list[str], position: int) -> tuple[int, _Atom | _Tree | None]:
    if position >= len(tokens):
        return position, None
    if tokens[position] == "(":
        position, tree = _disjunction(tokens, position + 1)
        if tree is None or position >= len(tokens) or tokens[position] != ")":
            return position, None
        return position + 1, tree
    if position + 3 > len(tokens):
        return position, None
    left, operator, right = tokens[position : position + 3]
    if operator not in ("==", "!=", "<", "<=", ">", ">=", "~="):
        return position, None  # ``in``, ``not in``, ``===``: packaging decides
    if left in _VERSION_VARIABLES or left in _STRING_VARIABLES:
        variable, literal, variable_left = left, right, True
    elif right in _VERSION_VARIABLES or right in _STRING_VARIABLES:
        variable, literal, variable_left = right, left, False
    else:
        return position, None
    if literal[:1] not in ("'", '"'):
        return position, None
    value = literal[1:-1]
    if variable not in _VERSION_VARIABLES and operator not in ("==", "!="):
        return position, None  # string ordering: packaging's odd rules, or an error
    if variable == "extra":
        value = canonical_name(value)
    return position + 3, (variable_left, variable, operator, value)


def _evaluate(tree: _Tree, env: dict[str, str], extra: str) -> bool | None:
    """Every comparison is decided (as packaging evaluates them all) before the result."""
    result = False
    for group in tree:
        holds = True
        for item in group:
            value = (
                _evaluate(item, env, extra)
                if isinstance(item, list)
                else _compare(item, env, extra)
            )
            if value is None:
                return None
            holds = holds and value
        result = result or holds
    return result


def _compare(atom: _Atom, env: dict[str, str], extra: str) -> bool | None:
    variable_left, variable, operator, literal = atom
    if variable == "extra":
        current = extra
    else:
        found = env.get(variable)
        if found is None:
            return None  # packaging raises UndefinedEnvironmentName
        current = found
    left, right = (current, literal) if variable_left else (literal, current)
    if variable in _VERSION_VARIABLES:
        # packaging: Specifier(op + right).contains(left), or strings if that is invalid
        return contains(left, operator + right)
    return (left == right) is (operator == "==")


def packaging_requirement(text: str) -> packaging.requirements.Requirement:
    """``packaging.requirements.Requirement(text)``, where nesting too deep for packaging's
    recursive parser is an ``InvalidRequirement`` like any other text it cannot parse.

    pip, which parses with packaging, cannot read such a line either; bootguard reports it
    as the manifest's error (or an installed distribution's invalid Requires-Dist) instead
    of losing a whole stage of the check to a ``RecursionError``.
    """
    from packaging.requirements import InvalidRequirement, Requirement  # deferred: import cost

    try:
        return Requirement(text)
    except RecursionError:
        raise InvalidRequirement("nested too deeply") from None


def packaging_marker(text: str) -> packaging.markers.Marker:
    """``packaging.markers.Marker(text)``, with nesting too deep for packaging's parser an
    ``InvalidMarker`` (see :func:`packaging_requirement`)."""
    from packaging.markers import InvalidMarker
    from packaging.markers import Marker as _Marker

    try:
        return _Marker(text)
    except RecursionError:
        raise InvalidMarker("nested too deeply") from None
